//! What the client offered, so the server's answers can be checked against it
//! (RFC 8446 §4.2: no extension in a response that was not requested). The
//! typed extension sets of `msgs` apply the rule, given [`Offered::contains`].

use crate::error::Error;
use crate::msgs::enums::ExtensionType;
use crate::msgs::extensions::Extensions;

/// The bit of `t` in an [`Offered`] set; 0 for a type the client never sends.
fn bit(t: ExtensionType) -> u32 {
    use ExtensionType as E;
    let i = match t {
        E::ServerName => 0,
        E::MaxFragmentLength => 1,
        E::StatusRequest => 2,
        E::SupportedGroups => 3,
        E::EcPointFormats => 4,
        E::SignatureAlgorithms => 5,
        E::Alpn => 6,
        E::ExtendedMasterSecret => 7,
        E::RecordSizeLimit => 8,
        E::SessionTicket => 9,
        E::PreSharedKey => 10,
        E::EarlyData => 11,
        E::SupportedVersions => 12,
        E::Cookie => 13,
        E::PskKeyExchangeModes => 14,
        E::CertificateAuthorities => 15,
        E::SignatureAlgorithmsCert => 16,
        E::KeyShare => 17,
        E::RenegotiationInfo => 18,
        _ => return 0,
    };
    1 << i
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
        Offered(e.iter().fold(0, |acc, (t, _)| acc | bit(ExtensionType::from_wire(t))))
    }

    /// True if `t` was offered.
    pub fn contains(&self, t: ExtensionType) -> bool {
        self.0 & bit(t) != 0
    }
}

#[cfg(test)]
impl Offered {
    pub fn from_extensions_for_test(e: &Extensions<'_>) -> Self {
        Self::from_extensions(e)
    }
}
