//! The client handshake as explicit states with typed transitions.
//!
//! Each state holds only what is valid at that point, and each transition
//! consumes its state: a message out of order has no transition and ends in
//! [`Error::UnexpectedMessage`](crate::Error::UnexpectedMessage) with alert
//! unexpected_message (RFC 8446 §6.2).

pub(crate) mod limits;
mod offered;
#[cfg(test)]
mod rfc8448_tests;
mod summary;
pub(crate) mod tls13;

pub(crate) use offered::Offered;
pub use summary::HandshakeSummary;

use crate::crypto::{AeadAlg, HashAlg};
use crate::msgs::enums::CipherSuite;

/// A TLS 1.3 cipher suite's hash and AEAD (RFC 8446 §B.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Suite {
    pub id: CipherSuite,
    pub hash: HashAlg,
    pub aead: AeadAlg,
}

impl Suite {
    pub fn tls13(id: CipherSuite) -> Option<Self> {
        let (hash, aead) = match id {
            CipherSuite::Tls13Aes128GcmSha256 => (HashAlg::Sha256, AeadAlg::Aes128Gcm),
            CipherSuite::Tls13Aes256GcmSha384 => (HashAlg::Sha384, AeadAlg::Aes256Gcm),
            CipherSuite::Tls13Chacha20Poly1305Sha256 => (HashAlg::Sha256, AeadAlg::Chacha20Poly1305),
            _ => return None,
        };
        Some(Suite { id, hash, aead })
    }
}
