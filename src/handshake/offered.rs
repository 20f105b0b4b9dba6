//! What the client offered, so the server's answers can be checked against it
//! (RFC 8446 §4.2: no extension in a response that was not requested). The
//! typed extension sets of `msgs` apply the rule, given [`Offered::contains`].

use crate::error::Error;
use crate::msgs::enums::ExtensionType;
use crate::msgs::extensions::Extensions;

const KNOWN: [ExtensionType; 19] = [
    ExtensionType::ServerName,
    ExtensionType::MaxFragmentLength,
    ExtensionType::StatusRequest,
    ExtensionType::SupportedGroups,
    ExtensionType::EcPointFormats,
    ExtensionType::SignatureAlgorithms,
    ExtensionType::Alpn,
    ExtensionType::ExtendedMasterSecret,
    ExtensionType::RecordSizeLimit,
    ExtensionType::SessionTicket,
    ExtensionType::PreSharedKey,
    ExtensionType::EarlyData,
    ExtensionType::SupportedVersions,
    ExtensionType::Cookie,
    ExtensionType::PskKeyExchangeModes,
    ExtensionType::CertificateAuthorities,
    ExtensionType::SignatureAlgorithmsCert,
    ExtensionType::KeyShare,
    ExtensionType::RenegotiationInfo,
];

fn bit(t: u16) -> u32 {
    KNOWN.iter().position(|k| k.to_wire() == t).map_or(0, |i| 1 << i)
}

/// The set of extension types the client sent in its ClientHello.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Offered(u32);

impl Offered {
    /// The set of extensions in a ClientHello body.
    pub fn from_client_hello(body: &[u8]) -> Result<Self, Error> {
        let ch = crate::msgs::client_hello::ClientHello::decode(body)?;
        Ok(Self::from_extensions(&ch.extensions))
    }

    fn from_extensions(e: &Extensions<'_>) -> Self {
        Offered(e.iter().fold(0, |acc, (t, _)| acc | bit(t)))
    }

    /// True if `t` was offered.
    pub fn contains(&self, t: ExtensionType) -> bool {
        let b = bit(t.to_wire());
        b != 0 && self.0 & b != 0
    }
}

#[cfg(test)]
impl Offered {
    pub fn from_extensions_for_test(e: &Extensions<'_>) -> Self {
        Self::from_extensions(e)
    }
}
