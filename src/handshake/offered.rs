//! What the client offered, so the server's answers can be checked against it
//! (RFC 8446 §4.2: no extension in a response that was not requested).

use crate::codec::Reader;
use crate::error::{Error, Misbehavior};
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

    /// This set plus `t` (for extensions a server may send unasked, like
    /// the HelloRetryRequest cookie, RFC 8446 §4.2.2).
    pub fn with(self, t: ExtensionType) -> Self {
        Offered(self.0 | bit(t.to_wire()))
    }

    /// True if `t` was offered.
    pub fn contains(&self, t: ExtensionType) -> bool {
        let b = bit(t.to_wire());
        b != 0 && self.0 & b != 0
    }

    /// Checks a server message's extensions: each must have been offered
    /// (else unsupported_extension) and be listed in `allowed` for this
    /// message (else illegal_parameter).
    pub fn check(&self, exts: &Extensions<'_>, allowed: &[ExtensionType]) -> Result<(), Error> {
        for (t, _) in exts.iter() {
            let et = ExtensionType::from_wire(t);
            if !self.contains(et) {
                return Err(Misbehavior::UnsolicitedExtension(t).into());
            }
            if !allowed.contains(&et) {
                return Err(Misbehavior::ExtensionNotAllowedHere(t).into());
            }
        }
        Ok(())
    }
}

/// Reads a 2-byte value that must fill `data` exactly.
pub(crate) fn single_u16(data: &[u8], what: &'static str) -> Result<u16, Error> {
    let mut r = Reader::new(data);
    let v = r.u16(what)?;
    r.finish(what)?;
    Ok(v)
}

#[cfg(test)]
impl Offered {
    pub fn from_extensions_for_test(e: &Extensions<'_>) -> Self {
        Self::from_extensions(e)
    }
}
