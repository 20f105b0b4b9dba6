//! A parsed view of one DER certificate (RFC 5280 §4.1).
//!
//! The structure is decoded with `x509-cert`; the byte ranges that are
//! signed or compared (tbsCertificate, issuer, subject, SubjectPublicKeyInfo)
//! are taken from the original input, never re-encoded, so a signature is
//! always checked over exactly the bytes the CA signed.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use alloc::{format, vec};

use const_oid::ObjectIdentifier;
use der::Decode;
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, NameConstraints,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::Certificate;

use crate::crypto::SigAlg;
use crate::x509::error::{CertError, CertId};
use crate::x509::sigalg::{classify, AlgProblem};

const OID_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const OID_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const OID_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const OID_SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
const OID_NAME_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.30");
const OID_SUBJECT_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
const OID_AUTHORITY_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");
const OID_AUTHORITY_INFO_ACCESS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1");
/// certificatePolicies: accepted even when critical, because a client that
/// accepts any policy (RFC 5280 §6.1.1 (c) initial-policy-set = anyPolicy, no
/// explicit policy required) never fails a path on policies.
const OID_CERT_POLICIES: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32");

/// id-kp-serverAuth (RFC 5280 §4.2.1.12).
pub(crate) const OID_KP_SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
/// anyExtendedKeyUsage (RFC 5280 §4.2.1.12).
pub(crate) const OID_ANY_EKU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");

/// One certificate, parsed, with the exact signed and compared bytes.
#[derive(Debug)]
pub(crate) struct ParsedCert<'a> {
    /// The whole DER certificate.
    pub der: &'a [u8],
    /// Position in the chain as sent (0 = leaf), `None` for anchors.
    pub position: Option<usize>,
    /// The DER tbsCertificate: the signed bytes.
    pub tbs: &'a [u8],
    /// The DER issuer Name.
    pub issuer_raw: &'a [u8],
    /// The DER subject Name.
    pub subject_raw: &'a [u8],
    /// The DER SubjectPublicKeyInfo.
    pub spki_raw: &'a [u8],
    /// The decoded certificate.
    pub cert: Certificate,
    /// notBefore, seconds since 1970.
    pub not_before: u64,
    /// notAfter, seconds since 1970.
    pub not_after: u64,
    /// basicConstraints (RFC 5280 §4.2.1.9).
    pub basic: Option<BasicConstraints>,
    /// keyUsage (RFC 5280 §4.2.1.3).
    pub key_usage: Option<KeyUsage>,
    /// extendedKeyUsage purposes (RFC 5280 §4.2.1.12).
    pub eku: Option<Vec<ObjectIdentifier>>,
    /// subjectAltName entries (RFC 5280 §4.2.1.6).
    pub san: Option<Vec<GeneralName>>,
    /// nameConstraints (RFC 5280 §4.2.1.10).
    pub name_constraints: Option<NameConstraints>,
    /// subjectKeyIdentifier (RFC 5280 §4.2.1.2).
    pub ski: Option<Vec<u8>>,
    /// authorityKeyIdentifier keyIdentifier (RFC 5280 §4.2.1.1).
    pub aki: Option<Vec<u8>>,
    /// basicConstraints is marked critical.
    pub basic_critical: bool,
    /// extendedKeyUsage is marked critical.
    pub eku_critical: bool,
    /// subjectAltName is marked critical.
    pub san_critical: bool,
    /// authorityKeyIdentifier or subjectKeyIdentifier is marked critical.
    pub key_id_critical: bool,
    /// An authorityKeyIdentifier extension is present (with or without a keyIdentifier).
    pub aki_present: bool,
    /// The authorityKeyIdentifier has no authorityCertIssuer or serial number.
    pub aki_key_id_only: bool,
    /// authorityInfoAccess is malformed, empty or critical (RFC 5280 §4.2.2.1).
    pub aia_bad: bool,
    /// The first critical extension not processed here.
    pub unknown_critical: Option<ObjectIdentifier>,
    /// The signature algorithm, or why it is refused.
    pub sig_alg: Result<SigAlg, AlgProblem>,
}

/// One DER TLV split off the front of an input.
struct Tlv<'a> {
    tag: u8,
    whole: &'a [u8],
    contents: &'a [u8],
    rest: &'a [u8],
}

/// Splits one DER TLV off the front of `input`.
/// Only single-byte tags, as used in certificates (X.690 §8.1.2).
fn tlv(input: &[u8]) -> Option<Tlv<'_>> {
    let tag = *input.first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let first = *input.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2usize)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*input.get(2 + i)?);
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    Some(Tlv { tag, whole: input.get(..end)?, contents: input.get(header..end)?, rest: input.get(end..)? })
}

/// The raw signed and compared parts of a certificate.
struct RawParts<'a> {
    tbs: &'a [u8],
    issuer: &'a [u8],
    subject: &'a [u8],
    spki: &'a [u8],
}

/// Finds tbsCertificate, issuer, subject and SubjectPublicKeyInfo (RFC 5280 §4.1).
fn raw_parts(der: &[u8]) -> Option<RawParts<'_>> {
    let cert = tlv(der)?;
    if cert.tag != 0x30 || !cert.rest.is_empty() {
        return None;
    }
    let tbs = tlv(cert.contents)?;
    if tbs.tag != 0x30 {
        return None;
    }
    let first = tlv(tbs.contents)?;
    let mut r = first.rest;
    if first.tag == 0xa0 {
        r = tlv(r)?.rest; // [0] version was first, now skip serialNumber
    }
    let r = tlv(r)?.rest; // signature AlgorithmIdentifier
    let issuer = tlv(r)?;
    let r = tlv(issuer.rest)?.rest; // validity
    let subject = tlv(r)?;
    let spki = tlv(subject.rest)?;
    Some(RawParts { tbs: tbs.whole, issuer: issuer.whole, subject: subject.whole, spki: spki.whole })
}

/// Decodes one extension value, mapping failures to a description.
fn decode_ext<'b, T: Decode<'b>>(bytes: &'b [u8], name: &str) -> Result<T, String> {
    T::from_der(bytes).map_err(|_| format!("its {name} extension is malformed"))
}

impl<'a> ParsedCert<'a> {
    /// Parses `der`; `position` is used in errors.
    pub fn parse(der: &'a [u8], position: Option<usize>) -> Result<Self, String> {
        let raw = raw_parts(der).ok_or_else(|| "not a DER X.509 certificate".to_string())?;
        let (tbs, issuer_raw, subject_raw, spki_raw) = (raw.tbs, raw.issuer, raw.subject, raw.spki);
        let cert = Certificate::from_der(der).map_err(|e| format!("not a valid X.509 certificate: {e}"))?;
        let t = cert.tbs_certificate();
        let validity = t.validity();
        let not_before = validity.not_before.to_unix_duration().as_secs();
        let not_after = validity.not_after.to_unix_duration().as_secs();

        let mut basic = None;
        let mut key_usage = None;
        let mut eku = None;
        let mut san = None;
        let mut name_constraints = None;
        let mut ski = None;
        let mut aki = None;
        let mut unknown_critical = None;
        let (mut basic_critical, mut eku_critical, mut san_critical, mut key_id_critical) =
            (false, false, false, false);
        let (mut aki_present, mut aki_key_id_only, mut aia_bad) = (false, false, false);
        let mut seen: Vec<&ObjectIdentifier> = vec![];
        for ext in t.extensions().map(|e| e.as_slice()).unwrap_or(&[]) {
            if seen.contains(&&ext.extn_id) {
                return Err(format!("extension {} appears twice (RFC 5280 §4.2)", ext.extn_id));
            }
            seen.push(&ext.extn_id);
            let v = ext.extn_value.as_bytes();
            let id = ext.extn_id;
            if id == OID_BASIC_CONSTRAINTS {
                basic = Some(decode_ext::<BasicConstraints>(v, "basicConstraints")?);
                basic_critical = ext.critical;
            } else if id == OID_KEY_USAGE {
                key_usage = Some(decode_ext::<KeyUsage>(v, "keyUsage")?);
            } else if id == OID_EXT_KEY_USAGE {
                eku = Some(decode_ext::<ExtendedKeyUsage>(v, "extendedKeyUsage")?.0);
                eku_critical = ext.critical;
            } else if id == OID_SUBJECT_ALT_NAME {
                san = Some(decode_ext::<SubjectAltName>(v, "subjectAltName")?.0);
                san_critical = ext.critical;
            } else if id == OID_NAME_CONSTRAINTS {
                name_constraints = Some(decode_ext::<NameConstraints>(v, "nameConstraints")?);
            } else if id == OID_SUBJECT_KEY_ID {
                ski = Some(decode_ext::<SubjectKeyIdentifier>(v, "subjectKeyIdentifier")?.0.as_bytes().to_vec());
                key_id_critical |= ext.critical;
            } else if id == OID_AUTHORITY_KEY_ID {
                let a = decode_ext::<AuthorityKeyIdentifier>(v, "authorityKeyIdentifier")?;
                aki_present = true;
                aki_key_id_only = a.authority_cert_issuer.is_none() && a.authority_cert_serial_number.is_none();
                aki = a.key_identifier.map(|k| k.as_bytes().to_vec());
                key_id_critical |= ext.critical;
            } else if id == OID_AUTHORITY_INFO_ACCESS {
                // RFC 5280 §4.2.2.1: a non-empty SEQUENCE of AccessDescription, non-critical.
                aia_bad = ext.critical || AuthorityInfoAccessSyntax::from_der(v).map_or(true, |a| a.0.is_empty());
            } else if ext.critical && id != OID_CERT_POLICIES && unknown_critical.is_none() {
                unknown_critical = Some(id);
            }
        }
        let sig_alg = classify(cert.signature_algorithm());
        Ok(ParsedCert {
            der,
            position,
            tbs,
            issuer_raw,
            subject_raw,
            spki_raw,
            not_before,
            not_after,
            basic,
            key_usage,
            eku,
            san,
            name_constraints,
            ski,
            aki,
            unknown_critical,
            basic_critical,
            eku_critical,
            san_critical,
            key_id_critical,
            aki_present,
            aki_key_id_only,
            aia_bad,
            sig_alg,
            cert,
        })
    }

    /// Subject and issuer, for errors.
    pub fn id(&self) -> CertId {
        CertId::new(self.position, self.subject_string(), self.issuer_string())
    }

    /// The subject as an RFC 4514 string.
    pub fn subject_string(&self) -> String {
        self.cert.tbs_certificate().subject().to_string()
    }

    /// The issuer as an RFC 4514 string.
    pub fn issuer_string(&self) -> String {
        self.cert.tbs_certificate().issuer().to_string()
    }

    /// True when subject and issuer are the same name (RFC 5280 §6.1 "self-issued").
    pub fn self_issued(&self) -> bool {
        self.subject_raw == self.issuer_raw
    }

    /// The raw signature value.
    pub fn signature(&self) -> Option<&[u8]> {
        self.cert.signature().as_bytes()
    }

    /// Version and algorithm consistency (RFC 5280 §4.1.1.2, §4.1.2.1, §4.1.2.8).
    pub fn check_consistency(&self) -> Result<(), CertError> {
        let t = self.cert.tbs_certificate();
        let detail = if t.signature() != self.cert.signature_algorithm() {
            Some("the signature algorithm inside the signed part differs from the outer one")
        } else if t.extensions().is_some() && t.version() != Version::V3 {
            Some("it has extensions but is not version 3")
        } else if (t.issuer_unique_id().is_some() || t.subject_unique_id().is_some()) && t.version() == Version::V1 {
            Some("it has unique identifiers but is version 1")
        } else if self.signature().is_none() {
            Some("its signature BIT STRING has unused bits")
        } else {
            None
        };
        match detail {
            Some(detail) => Err(CertError::Inconsistent { cert: self.id(), detail }),
            None => Ok(()),
        }
    }

    /// Fails when a critical extension is not understood (RFC 5280 §4.2).
    pub fn check_critical(&self) -> Result<(), CertError> {
        match self.unknown_critical {
            Some(oid) => Err(CertError::UnknownCriticalExtension { cert: self.id(), oid: oid.to_string() }),
            None => Ok(()),
        }
    }

    /// The certificate's own signature algorithm must be supported and not weak.
    pub fn check_sig_alg(&self) -> Result<SigAlg, CertError> {
        match &self.sig_alg {
            Ok(a) => Ok(*a),
            Err(AlgProblem::Weak(name)) => Err(CertError::WeakSignatureAlgorithm { cert: self.id(), algorithm: name }),
            Err(AlgProblem::Unsupported(what)) => {
                Err(CertError::UnsupportedSignatureAlgorithm { cert: self.id(), algorithm: what.clone() })
            }
        }
    }

    /// True when basicConstraints says cA (RFC 5280 §4.2.1.9).
    pub fn is_ca(&self) -> bool {
        self.basic.as_ref().is_some_and(|b| b.ca)
    }
}

/// Seconds since 1970 as ISO 8601 (e.g. `2030-01-01T00:00:00Z`).
pub(crate) fn format_time(secs: u64) -> String {
    match der::DateTime::from_unix_duration(core::time::Duration::from_secs(secs)) {
        Ok(t) => t.to_string(),
        Err(_) => format!("{secs} s after 1970"),
    }
}
