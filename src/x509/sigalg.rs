//! Certificate signature algorithms (RFC 5758 §3.2 ECDSA, RFC 4055 §5 and
//! RFC 8017 Appendix A.2.3 RSA) and checking one certificate's signature
//! with its issuer's key.

use alloc::string::{String, ToString};

use const_oid::ObjectIdentifier;
use der::asn1::AnyRef;
use der::Tagged;
use spki::AlgorithmIdentifierRef;

use crate::crypto::{PeerKey, SigAlg, SigHash, SignatureError, SignatureVerifier};
use crate::x509::cert::ParsedCert;
use crate::x509::error::{CertError, CertId};

const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
const RSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const RSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const RSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const WEAK: [(&str, &str); 5] = [
    ("1.2.840.113549.1.1.5", "sha1WithRSAEncryption"),
    ("1.2.840.113549.1.1.4", "md5WithRSAEncryption"),
    ("1.2.840.10045.4.1", "ecdsa-with-SHA1"),
    ("1.2.840.10040.4.3", "dsa-with-sha1"),
    ("1.3.14.3.2.29", "sha1WithRSASignature (OIW)"),
];
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// Why a signature algorithm is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AlgProblem {
    /// SHA-1 or MD5.
    Weak(&'static str),
    /// Not implemented, or malformed parameters.
    Unsupported(String),
}

fn hash_of(oid: ObjectIdentifier) -> Option<SigHash> {
    match oid {
        o if o == SHA256 => Some(SigHash::Sha256),
        o if o == SHA384 => Some(SigHash::Sha384),
        o if o == SHA512 => Some(SigHash::Sha512),
        _ => None,
    }
}

fn hash_len(h: SigHash) -> u8 {
    match h {
        SigHash::Sha256 => 32,
        SigHash::Sha384 => 48,
        SigHash::Sha512 => 64,
    }
}

/// RSASSA-PSS parameters: only MGF1 with the same hash, salt length = hash
/// length and the standard trailer are accepted (RFC 4055 §3.1, as TLS uses them).
fn pss(params: Option<AnyRef<'_>>) -> Result<SigAlg, AlgProblem> {
    let bad =
        || AlgProblem::Unsupported("RSASSA-PSS with parameters other than MGF1(same hash), salt = hash length".into());
    let p: rsa::pkcs1::RsaPssParamsOwned = params.ok_or_else(bad)?.decode_as().map_err(|_| bad())?;
    let h = hash_of(p.hash.oid).ok_or_else(bad)?;
    let mgf_hash = p.mask_gen.parameters.as_ref().map(|a| a.oid);
    let ok = p.mask_gen.oid == MGF1
        && mgf_hash == Some(p.hash.oid)
        && p.salt_len == hash_len(h)
        && p.trailer_field == rsa::pkcs1::TrailerField::BC;
    if ok {
        Ok(SigAlg::RsaPss(h))
    } else {
        Err(bad())
    }
}

/// Maps a certificate's signatureAlgorithm to a [`SigAlg`] (RFC 5280 §4.1.1.2).
pub(crate) fn classify(alg: &AlgorithmIdentifierRef<'_>) -> Result<SigAlg, AlgProblem> {
    let oid = alg.oid;
    // ECDSA: parameters MUST be absent (RFC 5758 §3.2).
    let ecdsa = |h| if alg.parameters.is_none() { Ok(SigAlg::Ecdsa(h)) } else { Err(params_err()) };
    // PKCS#1 v1.5: parameters NULL (RFC 4055 §5); absent is tolerated.
    let null_ok = alg.parameters.as_ref().is_none_or(|p| p.tag() == der::Tag::Null && p.value().is_empty());
    let pkcs1 = |h| if null_ok { Ok(SigAlg::RsaPkcs1(h)) } else { Err(params_err()) };
    match oid {
        o if o == ECDSA_SHA256 => ecdsa(SigHash::Sha256),
        o if o == ECDSA_SHA384 => ecdsa(SigHash::Sha384),
        o if o == ECDSA_SHA512 => ecdsa(SigHash::Sha512),
        o if o == RSA_SHA256 => pkcs1(SigHash::Sha256),
        o if o == RSA_SHA384 => pkcs1(SigHash::Sha384),
        o if o == RSA_SHA512 => pkcs1(SigHash::Sha512),
        o if o == RSA_PSS => pss(alg.parameters),
        o if o == ED25519 => Err(AlgProblem::Unsupported("Ed25519".into())),
        o => match WEAK.iter().find(|(w, _)| ObjectIdentifier::new(w).ok() == Some(o)) {
            Some((_, name)) => Err(AlgProblem::Weak(name)),
            None => Err(AlgProblem::Unsupported(o.to_string())),
        },
    }
}

fn params_err() -> AlgProblem {
    AlgProblem::Unsupported("signature algorithm with unexpected parameters".into())
}

/// Size limits for RSA keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RsaLimits {
    pub min_bits: u32,
    pub max_bits: u32,
}

/// Parses the key `spki` of the certificate named by `owner`, enforcing `limits`.
pub(crate) fn parse_key(spki: &[u8], owner: impl Fn() -> CertId, limits: RsaLimits) -> Result<PeerKey, CertError> {
    let key = PeerKey::from_spki(spki, limits.min_bits).map_err(|e| match e {
        SignatureError::RsaKeyTooSmall(bits, min) => {
            CertError::KeySize { cert: owner(), bits, min, max: limits.max_bits }
        }
        SignatureError::UnsupportedKey(what) => CertError::UnsupportedKey { cert: owner(), detail: what.into() },
        _ => CertError::UnsupportedKey { cert: owner(), detail: "malformed SubjectPublicKeyInfo".into() },
    })?;
    if let Some(bits) = key.rsa_bits() {
        if bits > limits.max_bits {
            return Err(CertError::KeySize { cert: owner(), bits, min: limits.min_bits, max: limits.max_bits });
        }
        // CA/Browser Forum BR §6.1.5: the modulus size in bits is divisible by 8.
        if bits % 8 != 0 {
            return Err(crate::x509::rules::violation(
                owner(),
                crate::x509::profile::Rule::RsaModulusNotWholeBytes,
                Some(alloc::format!("{bits} bits")),
            ));
        }
    }
    Ok(key)
}

/// A short key description, e.g. `ECDSA P-256` or `RSA 2048`.
pub(crate) fn describe_key(spki: &[u8]) -> String {
    match PeerKey::from_spki(spki, 0) {
        Ok(PeerKey::Rsa { bits, .. }) => alloc::format!("RSA {bits}"),
        Ok(k) => k.describe().into(),
        Err(SignatureError::UnsupportedKey(what)) => what.into(),
        Err(_) => "unreadable key".into(),
    }
}

/// Checks that `child` was signed by the key `issuer_spki` (RFC 5280 §6.1.3 (a)(1)).
/// Its frame holds only the key and the algorithm: their checks run in
/// [`signature_inputs`]'s frame, popped before the verification (issue 12: stack).
pub(crate) fn check_signed_by(
    crypto: &mut dyn SignatureVerifier,
    child: &ParsedCert<'_>,
    issuer_spki: &[u8],
    issuer_id: impl Fn() -> CertId,
    limits: RsaLimits,
) -> Result<(), CertError> {
    // Borrowed where it was returned: one copy of the key in this frame.
    let inputs = signature_inputs(child, issuer_spki, &issuer_id, limits);
    let Ok((alg, key)) = &inputs else { return inputs.map(|_| ()) };
    let sig = child.signature().unwrap_or(&[]);
    crypto.verify_signature(key, *alg, child.tbs, sig).map_err(|e| signature_refused(e, child, &issuer_id))
}

/// `child`'s signature algorithm and the issuer's key, each checked.
#[inline(never)]
fn signature_inputs(
    child: &ParsedCert<'_>,
    issuer_spki: &[u8],
    issuer_id: &dyn Fn() -> CertId,
    limits: RsaLimits,
) -> Result<(SigAlg, PeerKey), CertError> {
    let alg = child.check_sig_alg()?;
    Ok((alg, parse_key(issuer_spki, issuer_id, limits)?))
}

/// Why `child`'s signature was refused; out of line, so that its frame is
/// not under the verification (issue 12: stack).
#[cold]
#[inline(never)]
fn signature_refused(e: SignatureError, child: &ParsedCert<'_>, issuer_id: &dyn Fn() -> CertId) -> CertError {
    match e {
        SignatureError::MalformedKey => {
            CertError::UnsupportedKey { cert: issuer_id(), detail: "malformed SubjectPublicKeyInfo".into() }
        }
        // A key the provider cannot use (e.g. RSA under 2048 bits with ring).
        SignatureError::UnsupportedKey(what) => CertError::UnsupportedKey { cert: issuer_id(), detail: what.into() },
        _ => CertError::BadSignature { cert: child.id(), signer: issuer_id().subject().into() },
    }
}

/// A readable name of a certificate's signature algorithm.
pub(crate) fn describe_alg(alg: &AlgorithmIdentifierRef<'_>) -> String {
    match classify(alg) {
        Ok(SigAlg::Ecdsa(h)) => alloc::format!("ECDSA with {}", hash_name(h)),
        Ok(SigAlg::RsaPkcs1(h)) => alloc::format!("RSA PKCS#1 v1.5 with {}", hash_name(h)),
        Ok(SigAlg::RsaPss(h)) => alloc::format!("RSA-PSS with {}", hash_name(h)),
        Err(AlgProblem::Weak(name)) => alloc::format!("{name} (refused)"),
        Err(AlgProblem::Unsupported(what)) => alloc::format!("{what} (unsupported)"),
    }
}

fn hash_name(h: SigHash) -> &'static str {
    match h {
        SigHash::Sha256 => "SHA-256",
        SigHash::Sha384 => "SHA-384",
        SigHash::Sha512 => "SHA-512",
    }
}
