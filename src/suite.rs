//! The cipher suite table and the signature scheme mapping: which hash, AEAD and key exchange a
//! suite code point means (RFC 8446 §B.4, RFC 5289, RFC 5487, RFC 7905), and which signature
//! algorithm a signature scheme code point means (RFC 8446 §4.2.3, RFC 5246 §7.4.1.4.1).
//! Below the handshake and the ticket codec, which both read it.

use crate::crypto::{AeadAlg, HashAlg, SigAlg, SigHash};
use crate::msgs::enums::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};

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

    /// A suite of either version.
    pub fn lookup(id: CipherSuite) -> Option<Self> {
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

/// The signature scheme code points as algorithms (issue 15 item 2: the mapping lives next to the
/// suite table, so `msgs` names code points only).
pub(crate) trait SchemeAlg {
    /// The algorithm for a TLS 1.3 CertificateVerify, or `None` for schemes
    /// TLS 1.3 forbids there (RSA PKCS#1 v1.5, RFC 8446 §4.2.3) or we lack.
    fn tls13_alg(self) -> Option<(SigAlg, Option<NamedGroup>)>;
    /// The algorithm for a TLS 1.2 digitally-signed struct, where the code
    /// point names a hash and a signature algorithm only (RFC 5246
    /// §7.4.1.4.1): ECDSA on any curve, RSA PKCS#1 v1.5 or RSA-PSS (RFC 8446 §4.2.3).
    fn tls12_alg(self) -> Option<SigAlg>;
}

impl SchemeAlg for SignatureScheme {
    fn tls13_alg(self) -> Option<(SigAlg, Option<NamedGroup>)> {
        Some(match self {
            SignatureScheme::EcdsaSecp256r1Sha256 => (SigAlg::Ecdsa(SigHash::Sha256), Some(NamedGroup::Secp256r1)),
            SignatureScheme::EcdsaSecp384r1Sha384 => (SigAlg::Ecdsa(SigHash::Sha384), Some(NamedGroup::Secp384r1)),
            SignatureScheme::RsaPssRsaeSha256 => (SigAlg::RsaPss(SigHash::Sha256), None),
            SignatureScheme::RsaPssRsaeSha384 => (SigAlg::RsaPss(SigHash::Sha384), None),
            SignatureScheme::RsaPssRsaeSha512 => (SigAlg::RsaPss(SigHash::Sha512), None),
            _ => return None,
        })
    }

    fn tls12_alg(self) -> Option<SigAlg> {
        Some(match self {
            SignatureScheme::EcdsaSecp256r1Sha256 => SigAlg::Ecdsa(SigHash::Sha256),
            SignatureScheme::EcdsaSecp384r1Sha384 => SigAlg::Ecdsa(SigHash::Sha384),
            SignatureScheme::RsaPkcs1Sha256 => SigAlg::RsaPkcs1(SigHash::Sha256),
            SignatureScheme::RsaPkcs1Sha384 => SigAlg::RsaPkcs1(SigHash::Sha384),
            SignatureScheme::RsaPkcs1Sha512 => SigAlg::RsaPkcs1(SigHash::Sha512),
            SignatureScheme::RsaPssRsaeSha256 => SigAlg::RsaPss(SigHash::Sha256),
            SignatureScheme::RsaPssRsaeSha384 => SigAlg::RsaPss(SigHash::Sha384),
            SignatureScheme::RsaPssRsaeSha512 => SigAlg::RsaPss(SigHash::Sha512),
            _ => return None,
        })
    }
}
