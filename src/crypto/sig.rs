//! Signature verification: ECDSA over P-256/P-384 (FIPS 186-4, RFC 5758),
//! RSA PKCS#1 v1.5 and RSA-PSS (RFC 8017).

use const_oid::ObjectIdentifier;
use der::asn1::AnyRef;
use der::{Decode, Reader, SliceReader, Tag, TagNumber, Tagged};
use sha2::{Digest as _, Sha256, Sha384, Sha512};
use signature::hazmat::PrehashVerifier;
use spki::SubjectPublicKeyInfoRef;

pub use crate::error::SignatureError;

const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
#[cfg(feature = "alloc")]
const OID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// The hash inside a signature algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigHash {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// A signature algorithm, independent of TLS code points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigAlg {
    /// ECDSA with the given hash; DER-encoded signature.
    Ecdsa(SigHash),
    /// RSASSA-PKCS1-v1_5 with the given hash.
    RsaPkcs1(SigHash),
    /// RSASSA-PSS with MGF1 of the same hash and salt length = hash length.
    RsaPss(SigHash),
}

/// A peer's public key, able to verify signatures.
pub enum PeerKey {
    /// ECDSA on secp256r1.
    P256(p256::ecdsa::VerifyingKey),
    /// ECDSA on secp384r1.
    P384(p384::ecdsa::VerifyingKey),
    /// RSA (needs `alloc`).
    #[cfg(feature = "alloc")]
    Rsa(rsa::PublicKey),
}

impl core::fmt::Debug for PeerKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.describe())
    }
}

impl PeerKey {
    /// Parses a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
    pub fn from_spki(spki_der: &[u8], min_rsa_bits: u32) -> Result<Self, SignatureError> {
        let spki = SubjectPublicKeyInfoRef::from_der(spki_der).map_err(|_| SignatureError::MalformedKey)?;
        let key = spki.subject_public_key.as_bytes().ok_or(SignatureError::MalformedKey)?;
        let alg = spki.algorithm.oid;
        if alg == OID_EC_PUBLIC_KEY {
            let curve: ObjectIdentifier = spki
                .algorithm
                .parameters
                .ok_or(SignatureError::MalformedKey)?
                .decode_as()
                .map_err(|_| SignatureError::MalformedKey)?;
            return if curve == OID_P256 {
                p256::ecdsa::VerifyingKey::from_sec1_bytes(key)
                    .map(PeerKey::P256)
                    .map_err(|_| SignatureError::MalformedKey)
            } else if curve == OID_P384 {
                p384::ecdsa::VerifyingKey::from_sec1_bytes(key)
                    .map(PeerKey::P384)
                    .map_err(|_| SignatureError::MalformedKey)
            } else {
                Err(SignatureError::UnsupportedKey("ECDSA on a curve other than P-256 or P-384"))
            };
        }
        #[cfg(feature = "alloc")]
        if alg == OID_RSA_ENCRYPTION {
            use rsa::pkcs1::DecodeRsaPublicKey;
            use rsa::traits::PublicKeyParts;
            let pk = rsa::PublicKey::from_pkcs1_der(key).map_err(|_| SignatureError::MalformedKey)?;
            let bits = pk.n().bit_width();
            if bits < min_rsa_bits {
                return Err(SignatureError::RsaKeyTooSmall(bits, min_rsa_bits));
            }
            return Ok(PeerKey::Rsa(pk));
        }
        #[cfg(not(feature = "alloc"))]
        let _ = min_rsa_bits;
        Err(SignatureError::UnsupportedKey(describe_oid(alg)))
    }

    /// Finds the SubjectPublicKeyInfo in a DER certificate and parses it.
    pub fn from_certificate(cert_der: &[u8], min_rsa_bits: u32) -> Result<Self, SignatureError> {
        let spki = certificate_spki(cert_der).ok_or(SignatureError::MalformedKey)?;
        Self::from_spki(spki, min_rsa_bits)
    }

    /// The ECDSA curve of the key (`None` for RSA), as TLS 1.3 binds
    /// ecdsa_secp256r1_sha256 to P-256 keys (RFC 8446 §4.2.3).
    pub fn ecdsa_curve(&self) -> Option<crate::msgs::enums::NamedGroup> {
        use crate::msgs::enums::NamedGroup;
        match self {
            PeerKey::P256(_) => Some(NamedGroup::Secp256r1),
            PeerKey::P384(_) => Some(NamedGroup::Secp384r1),
            #[cfg(feature = "alloc")]
            PeerKey::Rsa(_) => None,
        }
    }

    /// A short description, e.g. "ECDSA P-256".
    pub fn describe(&self) -> &'static str {
        match self {
            PeerKey::P256(_) => "ECDSA P-256",
            PeerKey::P384(_) => "ECDSA P-384",
            #[cfg(feature = "alloc")]
            PeerKey::Rsa(_) => "RSA",
        }
    }

    /// Verifies `sig` over `msg` with algorithm `alg`.
    pub fn verify(&self, alg: SigAlg, msg: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        let mut digest = [0u8; 64];
        let hash = match alg {
            SigAlg::Ecdsa(h) | SigAlg::RsaPkcs1(h) | SigAlg::RsaPss(h) => h,
        };
        let d = match hash {
            SigHash::Sha256 => {
                digest[..32].copy_from_slice(&Sha256::digest(msg));
                &digest[..32]
            }
            SigHash::Sha384 => {
                digest[..48].copy_from_slice(&Sha384::digest(msg));
                &digest[..48]
            }
            SigHash::Sha512 => {
                digest.copy_from_slice(&Sha512::digest(msg));
                &digest[..]
            }
        };
        let bad = |_| SignatureError::BadSignature;
        match (self, alg) {
            (PeerKey::P256(k), SigAlg::Ecdsa(_)) => {
                let s = p256::ecdsa::DerSignature::from_bytes(sig).map_err(bad)?;
                k.verify_prehash(d, &s).map_err(bad)
            }
            (PeerKey::P384(k), SigAlg::Ecdsa(_)) => {
                let s = p384::ecdsa::DerSignature::from_bytes(sig).map_err(bad)?;
                k.verify_prehash(d, &s).map_err(bad)
            }
            #[cfg(feature = "alloc")]
            (PeerKey::Rsa(k), SigAlg::RsaPkcs1(h)) => rsa_verify::pkcs1(k, h, d, sig),
            #[cfg(feature = "alloc")]
            (PeerKey::Rsa(k), SigAlg::RsaPss(h)) => rsa_verify::pss(k, h, d, sig),
            _ => Err(SignatureError::WrongAlgorithmForKey),
        }
    }
}

#[cfg(feature = "alloc")]
mod rsa_verify {
    use super::{SigHash, SignatureError};
    use rsa::{pkcs1v15, pss, PublicKey};
    use sha2::{Sha256, Sha384, Sha512};
    use signature::hazmat::PrehashVerifier;

    pub fn pkcs1(k: &PublicKey, h: SigHash, digest: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        let s = pkcs1v15::Signature::try_from(sig).map_err(|_| SignatureError::BadSignature)?;
        let r = match h {
            SigHash::Sha256 => pkcs1v15::VerifyingKey::<Sha256>::new(k.clone()).verify_prehash(digest, &s),
            SigHash::Sha384 => pkcs1v15::VerifyingKey::<Sha384>::new(k.clone()).verify_prehash(digest, &s),
            SigHash::Sha512 => pkcs1v15::VerifyingKey::<Sha512>::new(k.clone()).verify_prehash(digest, &s),
        };
        r.map_err(|_| SignatureError::BadSignature)
    }

    pub fn pss(k: &PublicKey, h: SigHash, digest: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        let s = pss::Signature::try_from(sig).map_err(|_| SignatureError::BadSignature)?;
        let r = match h {
            SigHash::Sha256 => pss::VerifyingKey::<Sha256>::new(k.clone()).verify_prehash(digest, &s),
            SigHash::Sha384 => pss::VerifyingKey::<Sha384>::new(k.clone()).verify_prehash(digest, &s),
            SigHash::Sha512 => pss::VerifyingKey::<Sha512>::new(k.clone()).verify_prehash(digest, &s),
        };
        r.map_err(|_| SignatureError::BadSignature)
    }
}

fn describe_oid(oid: ObjectIdentifier) -> &'static str {
    const NAMES: [(&str, &str); 4] = [
        ("1.2.840.113549.1.1.1", "RSA (this build has no `alloc` feature)"),
        ("1.2.840.113549.1.1.10", "RSA-PSS-only key (id-RSASSA-PSS)"),
        ("1.3.101.112", "Ed25519"),
        ("1.3.101.113", "Ed448"),
    ];
    NAMES
        .iter()
        .find(|(o, _)| ObjectIdentifier::new(o).ok() == Some(oid))
        .map(|(_, n)| *n)
        .unwrap_or("unknown public key algorithm")
}

/// The DER SubjectPublicKeyInfo inside a DER certificate (RFC 5280 §4.1),
/// found without allocating.
pub fn certificate_spki(cert_der: &[u8]) -> Option<&[u8]> {
    tbs_field(cert_der, 4)
}

/// The DER subject Name inside a DER certificate (RFC 5280 §4.1.2.6).
pub fn certificate_subject(cert_der: &[u8]) -> Option<&[u8]> {
    tbs_field(cert_der, 3)
}

/// The DER issuer Name inside a DER certificate (RFC 5280 §4.1.2.4).
pub fn certificate_issuer(cert_der: &[u8]) -> Option<&[u8]> {
    tbs_field(cert_der, 1)
}

/// The first commonName (2.5.4.3) in a DER Name, if it is a string.
pub fn name_common_name(name_der: &[u8]) -> Option<&str> {
    const CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
    let name = AnyRef::from_der(name_der).ok()?;
    let mut rdns = SliceReader::new(name.value()).ok()?;
    while !rdns.is_finished() {
        let set: AnyRef<'_> = rdns.decode().ok()?;
        let mut atvs = SliceReader::new(set.value()).ok()?;
        while !atvs.is_finished() {
            let atv: AnyRef<'_> = atvs.decode().ok()?;
            let mut r = SliceReader::new(atv.value()).ok()?;
            let oid: ObjectIdentifier = r.decode().ok()?;
            let value: AnyRef<'_> = r.decode().ok()?;
            if oid == CN {
                return core::str::from_utf8(value.value()).ok();
            }
        }
    }
    None
}

/// Field `index` of TBSCertificate after the optional version and the
/// serial number: 0 signature, 1 issuer, 2 validity, 3 subject, 4 SPKI;
/// returned whole (tag and length included).
fn tbs_field(cert_der: &[u8], index: usize) -> Option<&[u8]> {
    let cert = AnyRef::from_der(cert_der).ok()?;
    let mut c = SliceReader::new(cert.value()).ok()?;
    let tbs: AnyRef<'_> = c.decode().ok()?;
    let body = tbs.value();
    let mut t = SliceReader::new(body).ok()?;
    let first: AnyRef<'_> = t.decode().ok()?;
    if first.tag() == (Tag::ContextSpecific { constructed: true, number: TagNumber(0) }) {
        let _serial: AnyRef<'_> = t.decode().ok()?;
    }
    for _ in 0..index {
        let _: AnyRef<'_> = t.decode().ok()?;
    }
    let before = usize::try_from(u32::from(t.remaining_len())).ok()?;
    let _field: AnyRef<'_> = t.decode().ok()?;
    let after = usize::try_from(u32::from(t.remaining_len())).ok()?;
    let start = body.len().checked_sub(before)?;
    body.get(start..start + (before - after))
}
