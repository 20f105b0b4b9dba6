//! Signature verification: ECDSA over P-256/P-384 (FIPS 186-4, RFC 5758),
//! RSA PKCS#1 v1.5 and RSA-PSS (RFC 8017).

use const_oid::ObjectIdentifier;
use der::asn1::AnyRef;
use der::{Decode, Reader, SliceReader, Tag, Tagged};

use super::tlv::{self, Elements};

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

/// A peer's public key as the wire and certificates carry it: what a
/// [`CryptoProvider`](super::CryptoProvider) verifies signatures with. Only
/// its form is checked here; whether an EC point lies on its curve is the
/// provider's check when it verifies ([`SignatureError::MalformedKey`]).
#[derive(Clone, PartialEq, Eq)]
pub enum PeerKey {
    /// ECDSA on secp256r1: an uncompressed SEC 1 point.
    P256([u8; 65]),
    /// ECDSA on secp384r1: an uncompressed SEC 1 point.
    P384([u8; 97]),
    /// RSA (needs `alloc`): the DER RSAPublicKey (RFC 8017 Appendix A.1.1).
    #[cfg(feature = "alloc")]
    Rsa {
        /// SEQUENCE { modulus, publicExponent }.
        der: alloc::vec::Vec<u8>,
        /// The modulus size in bits.
        bits: u32,
    },
}

impl core::fmt::Debug for PeerKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.describe())
    }
}

impl PeerKey {
    /// Parses a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
    pub fn from_spki(spki_der: &[u8], min_rsa_bits: u32) -> Result<Self, SignatureError> {
        let SpkiParts { algorithm: alg, params, key } = spki_parts(spki_der).ok_or(SignatureError::MalformedKey)?;
        if alg == OID_EC_PUBLIC_KEY.as_bytes() {
            // RFC 5480 §2.1.1: namedCurve parameters.
            let (_, curve) = params.filter(|&(tag, _)| tag == tlv::OID).ok_or(SignatureError::MalformedKey)?;
            // RFC 5480 §2.2: the uncompressed form is the one that must be supported.
            let uncompressed = |len: usize| key.len() == len && key[0] == 4;
            return if curve == OID_P256.as_bytes() {
                if !uncompressed(65) {
                    return Err(SignatureError::MalformedKey);
                }
                let mut p = [0u8; 65];
                p.copy_from_slice(key);
                Ok(PeerKey::P256(p))
            } else if curve == OID_P384.as_bytes() {
                if !uncompressed(97) {
                    return Err(SignatureError::MalformedKey);
                }
                let mut p = [0u8; 97];
                p.copy_from_slice(key);
                Ok(PeerKey::P384(p))
            } else if ObjectIdentifier::from_bytes(curve).is_ok() {
                Err(SignatureError::UnsupportedKey("ECDSA on a curve other than P-256 or P-384"))
            } else {
                Err(SignatureError::MalformedKey)
            };
        }
        #[cfg(feature = "alloc")]
        if alg == OID_RSA_ENCRYPTION.as_bytes() {
            let bits = rsa_modulus_bits(key).ok_or(SignatureError::MalformedKey)?;
            if bits < min_rsa_bits {
                return Err(SignatureError::RsaKeyTooSmall(bits, min_rsa_bits));
            }
            return Ok(PeerKey::Rsa { der: key.to_vec(), bits });
        }
        #[cfg(not(feature = "alloc"))]
        let _ = min_rsa_bits;
        let alg = ObjectIdentifier::from_bytes(alg).map_err(|_| SignatureError::MalformedKey)?;
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
            PeerKey::Rsa { .. } => None,
        }
    }

    /// The RSA modulus size in bits (`None` for ECDSA).
    pub fn rsa_bits(&self) -> Option<u32> {
        match self {
            #[cfg(feature = "alloc")]
            PeerKey::Rsa { bits, .. } => Some(*bits),
            _ => None,
        }
    }

    /// A short description, e.g. "ECDSA P-256".
    pub fn describe(&self) -> &'static str {
        match self {
            PeerKey::P256(_) => "ECDSA P-256",
            PeerKey::P384(_) => "ECDSA P-384",
            #[cfg(feature = "alloc")]
            PeerKey::Rsa { .. } => "RSA",
        }
    }
}

/// A SubjectPublicKeyInfo's parts (RFC 5280 §4.1.2.7). OIDs are compared
/// as bytes (DER gives each one encoding) and parsed only to name one we do
/// not support.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpkiParts<'a> {
    /// The algorithm OID's content octets.
    pub algorithm: &'a [u8],
    /// The algorithm's parameters, tag and contents: an OID, NULL or a SEQUENCE.
    pub params: Option<(u8, &'a [u8])>,
    /// The key's bits (whole bytes).
    pub key: &'a [u8],
}

/// The parts of a DER SubjectPublicKeyInfo.
pub fn spki_parts(spki_der: &[u8]) -> Option<SpkiParts<'_>> {
    let mut spki = Elements::new(Elements::single(spki_der, tlv::SEQUENCE)?);
    let (_, alg) = spki.next(tlv::SEQUENCE)?;
    let (_, bits) = spki.next(tlv::BIT_STRING)?;
    if !spki.is_empty() {
        return None;
    }
    let mut alg = Elements::new(alg);
    let (_, oid) = alg.next(tlv::OID)?;
    let params = match alg.peek() {
        None => None,
        Some(tag @ (tlv::OID | tlv::NULL | tlv::SEQUENCE)) => Some((tag, alg.next(tag)?.1)),
        Some(_) => return None,
    };
    if !alg.is_empty() {
        return None;
    }
    // X.690 §8.6.2: the first octet counts the unused bits of the last one.
    match bits.split_first()? {
        (0, key) => Some(SpkiParts { algorithm: oid, params, key }),
        _ => None,
    }
}

/// The size in bits of the modulus of a DER RSAPublicKey (RFC 8017
/// Appendix A.1.1); `None` if malformed or negative.
#[cfg(feature = "alloc")]
fn rsa_modulus_bits(der: &[u8]) -> Option<u32> {
    let seq = AnyRef::from_der(der).ok()?;
    if seq.tag() != Tag::Sequence {
        return None;
    }
    let mut r = SliceReader::new(seq.value()).ok()?;
    let n: der::asn1::UintRef<'_> = r.decode().ok()?;
    let _e: der::asn1::UintRef<'_> = r.decode().ok()?;
    if !r.is_finished() {
        return None;
    }
    let n = n.as_bytes();
    let first = *n.first()?;
    u32::try_from(n.len() * 8).ok()?.checked_sub(first.leading_zeros())
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

/// Field `index` of TBSCertificate (RFC 5280 §4.1) after the optional
/// version and the serial number: 0 signature, 1 issuer, 2 validity,
/// 3 subject, 4 SPKI, each a SEQUENCE; returned whole (tag and length
/// included).
fn tbs_field(cert_der: &[u8], index: usize) -> Option<&[u8]> {
    let (_, tbs) = Elements::new(Elements::single(cert_der, tlv::SEQUENCE)?).next(tlv::SEQUENCE)?;
    let mut fields = Elements::new(tbs);
    if fields.peek() == Some(tlv::CONTEXT_0) {
        fields.next(tlv::CONTEXT_0)?;
    }
    fields.next(tlv::INTEGER)?;
    for _ in 0..index {
        fields.next(tlv::SEQUENCE)?;
    }
    fields.next(tlv::SEQUENCE).map(|(whole, _)| whole)
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::*;

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut v = std::vec![tag];
        match content.len() {
            n @ 0..=127 => v.push(n as u8),
            n @ 128..=255 => v.extend([0x81, n as u8]),
            n => v.extend([0x82, (n >> 8) as u8, n as u8]),
        }
        v.extend_from_slice(content);
        v
    }

    const EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    const P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];

    /// SEQUENCE { SEQUENCE { OID alg, params... }, BIT STRING (unused bits, key) }.
    fn spki(alg: &[u8], params: &[u8], unused: u8, key: &[u8]) -> Vec<u8> {
        let mut a = tlv(0x06, alg);
        a.extend_from_slice(params);
        let mut bits = std::vec![unused];
        bits.extend_from_slice(key);
        let mut body = tlv(0x30, &a);
        body.extend(tlv(0x03, &bits));
        tlv(0x30, &body)
    }

    fn point(len: usize) -> Vec<u8> {
        let mut p = std::vec![7u8; len];
        p[0] = 4;
        p
    }

    #[test]
    fn spki_keys_by_algorithm_and_curve() {
        let k = PeerKey::from_spki(&spki(EC, &tlv(0x06, P256), 0, &point(65)), 2048).unwrap();
        assert!(matches!(k, PeerKey::P256(p) if p[..] == point(65)[..]));
        let k = PeerKey::from_spki(&spki(EC, &tlv(0x06, P384), 0, &point(97)), 2048).unwrap();
        assert!(matches!(k, PeerKey::P384(p) if p[..] == point(97)[..]));
    }

    #[test]
    fn spki_refusals_name_the_key_or_call_it_malformed() {
        let unsupported = |d: &[u8]| match PeerKey::from_spki(d, 2048) {
            Err(SignatureError::UnsupportedKey(what)) => what,
            other => panic!("{other:?}"),
        };
        let malformed = |d: &[u8]| assert_eq!(PeerKey::from_spki(d, 2048), Err(SignatureError::MalformedKey));
        // secp256k1: a curve we do not verify on.
        let k1 = spki(EC, &tlv(0x06, &[0x2b, 0x81, 0x04, 0x00, 0x0a]), 0, &point(65));
        assert_eq!(unsupported(&k1), "ECDSA on a curve other than P-256 or P-384");
        assert_eq!(unsupported(&spki(&[0x2b, 0x65, 0x70], &[], 0, &[1; 32])), "Ed25519");
        assert_eq!(unsupported(&spki(&[0x2a, 0x03], &[], 0, &[1; 32])), "unknown public key algorithm");
        // An OID whose last arc does not end, as algorithm and as curve.
        malformed(&spki(&[0x2a, 0x86], &[], 0, &[1; 32]));
        malformed(&spki(EC, &tlv(0x06, &[0x2a, 0x86]), 0, &point(65)));
        malformed(&spki(EC, &tlv(0x06, &[]), 0, &point(65)));
        // No curve, or parameters that are not an OID.
        malformed(&spki(EC, &[], 0, &point(65)));
        malformed(&spki(EC, &[0x05, 0x00], 0, &point(65)));
        // A compressed or short point, unused bits, trailing bytes.
        let mut compressed = point(33);
        compressed[0] = 2;
        malformed(&spki(EC, &tlv(0x06, P256), 0, &compressed));
        malformed(&spki(EC, &tlv(0x06, P256), 0, &point(64)));
        malformed(&spki(EC, &tlv(0x06, P384), 0, &point(65)));
        malformed(&spki(EC, &tlv(0x06, P256), 1, &point(65)));
        let mut trailing = spki(EC, &tlv(0x06, P256), 0, &point(65));
        trailing.push(0);
        malformed(&trailing);
        let mut extra_param = tlv(0x06, P256);
        extra_param.extend([0x05, 0x00]);
        malformed(&spki(EC, &extra_param, 0, &point(65)));
        // The walk's own refusals (tlv.rs): parameters other than an OID, NULL or a
        // SEQUENCE, even for an algorithm we would only name; a length not in its
        // shortest form.
        malformed(&spki(&[0x2b, 0x65, 0x70], &tlv(0x02, &[1]), 0, &[1; 32]));
        let mut long_form = spki(EC, &tlv(0x06, P256), 0, &point(65));
        long_form.splice(1..2, [0x81, long_form[1]]);
        assert!(long_form[2] < 0x80);
        malformed(&long_form);
    }

    /// A certificate's fields are found by their RFC 5280 tags; a serial
    /// that is not an INTEGER, or a field that is not a SEQUENCE, finds nothing.
    #[test]
    fn certificate_fields_are_found_by_their_tags() {
        let key = spki(EC, &tlv(0x06, P256), 0, &point(65));
        let name = tlv(0x30, &tlv(0x31, &[]));
        let cert = |serial_tag: u8, version: bool| {
            let mut tbs = if version { tlv(0xa0, &tlv(0x02, &[2])) } else { Vec::new() };
            tbs.extend(tlv(serial_tag, &[1]));
            for field in [&tlv(0x30, &[]), &name, &tlv(0x30, &[]), &name, &key] {
                tbs.extend_from_slice(field);
            }
            let mut body = tlv(0x30, &tbs);
            body.extend(tlv(0x30, &[]));
            body.extend(tlv(0x03, &[0]));
            tlv(0x30, &body)
        };
        for version in [true, false] {
            let c = cert(0x02, version);
            assert_eq!(certificate_spki(&c), Some(&key[..]));
            assert_eq!(certificate_subject(&c), Some(&name[..]));
            assert_eq!(certificate_issuer(&c), Some(&name[..]));
            assert_eq!(PeerKey::from_certificate(&c, 2048).map(|k| k.ecdsa_curve().is_some()), Ok(true));
            assert_eq!(certificate_spki(&cert(0x30, version)), None, "a serial that is not an INTEGER");
        }
        let mut trailing = cert(0x02, true);
        trailing.push(0);
        assert_eq!(certificate_spki(&trailing), None);
        assert_eq!(PeerKey::from_certificate(&trailing, 2048), Err(SignatureError::MalformedKey));
    }
}
