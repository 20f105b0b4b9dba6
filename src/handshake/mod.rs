//! The client handshake as explicit states with typed transitions.
//!
//! One ClientHello ([`hello`]) offers TLS 1.3 and/or TLS 1.2; the server's
//! ServerHello picks the state machine: [`tls13`] (RFC 8446) or [`tls12`]
//! (RFC 5246). Each state holds only what is valid at that point, and each
//! transition consumes its state: a message out of order has no transition
//! and ends in [`Error::UnexpectedMessage`](crate::Error::UnexpectedMessage)
//! with alert unexpected_message (RFC 8446 §6.2, RFC 5246 §7.2.2).

pub(crate) mod hello;
pub(crate) mod limits;
mod offered;
#[cfg(test)]
mod rfc8448_tests;
pub(crate) mod state;
mod summary;
pub(crate) mod tls12;
pub(crate) mod tls13;

pub(crate) use offered::Offered;
pub use summary::HandshakeSummary;

use crate::crypto::{AeadAlg, HashAlg};
use crate::msgs::enums::{CipherSuite, ProtocolVersion};

/// How a TLS 1.2 suite agrees on keys and authenticates the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyExchange {
    /// ECDHE signed by an ECDSA certificate key (RFC 8422).
    EcdheEcdsa,
    /// ECDHE signed by an RSA certificate key (RFC 8422).
    EcdheRsa,
    /// A pre-shared key alone (RFC 4279).
    Psk,
    /// ECDHE plus a pre-shared key (RFC 5489).
    EcdhePsk,
}

impl KeyExchange {
    /// True for the suites authenticated by a PSK instead of a certificate.
    pub fn is_psk(self) -> bool {
        matches!(self, KeyExchange::Psk | KeyExchange::EcdhePsk)
    }
}

/// A cipher suite's version, hash and AEAD (RFC 8446 §B.4, RFC 5289, RFC 5487, RFC 7905).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Suite {
    pub id: CipherSuite,
    pub hash: HashAlg,
    pub aead: AeadAlg,
    /// `None` for TLS 1.3 suites, which leave key exchange to extensions.
    pub kx: Option<KeyExchange>,
}

impl Suite {
    /// A TLS 1.3 suite.
    pub fn tls13(id: CipherSuite) -> Option<Self> {
        Self::lookup(id).filter(|s| s.kx.is_none())
    }

    /// A TLS 1.2 suite.
    pub fn tls12(id: CipherSuite) -> Option<Self> {
        Self::lookup(id).filter(|s| s.kx.is_some())
    }

    /// The protocol version a suite belongs to.
    pub fn version(id: CipherSuite) -> Option<ProtocolVersion> {
        Self::lookup(id).map(|s| if s.kx.is_some() { ProtocolVersion::Tls12 } else { ProtocolVersion::Tls13 })
    }

    fn lookup(id: CipherSuite) -> Option<Self> {
        use AeadAlg::{Aes128Gcm as A128, Aes256Gcm as A256, Chacha20Poly1305 as C20};
        use CipherSuite as C;
        use HashAlg::{Sha256 as S256, Sha384 as S384};
        use KeyExchange as K;
        let (hash, aead, kx) = match id {
            C::Tls13Aes128GcmSha256 => (S256, A128, None),
            C::Tls13Aes256GcmSha384 => (S384, A256, None),
            C::Tls13Chacha20Poly1305Sha256 => (S256, C20, None),
            C::EcdheEcdsaWithAes128GcmSha256 => (S256, A128, Some(K::EcdheEcdsa)),
            C::EcdheEcdsaWithAes256GcmSha384 => (S384, A256, Some(K::EcdheEcdsa)),
            C::EcdheEcdsaWithChacha20Poly1305Sha256 => (S256, C20, Some(K::EcdheEcdsa)),
            C::EcdheRsaWithAes128GcmSha256 => (S256, A128, Some(K::EcdheRsa)),
            C::EcdheRsaWithAes256GcmSha384 => (S384, A256, Some(K::EcdheRsa)),
            C::EcdheRsaWithChacha20Poly1305Sha256 => (S256, C20, Some(K::EcdheRsa)),
            C::PskWithAes128GcmSha256 => (S256, A128, Some(K::Psk)),
            C::PskWithAes256GcmSha384 => (S384, A256, Some(K::Psk)),
            C::PskWithChacha20Poly1305Sha256 => (S256, C20, Some(K::Psk)),
            C::EcdhePskWithChacha20Poly1305Sha256 => (S256, C20, Some(K::EcdhePsk)),
            _ => return None,
        };
        Some(Suite { id, hash, aead, kx })
    }

    /// TLS 1.2 write IV length: the 4-byte implicit salt of AES-GCM
    /// (RFC 5288 §3) or the 12-byte IV of ChaCha20-Poly1305 (RFC 7905 §2).
    pub fn tls12_iv_len(&self) -> usize {
        match self.aead {
            AeadAlg::Chacha20Poly1305 => 12,
            _ => 4,
        }
    }
}
