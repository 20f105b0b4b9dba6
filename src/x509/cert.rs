//! A parsed view of one DER certificate (RFC 5280 §4.1).
//!
//! The certificate is decoded with the `der` crate into values borrowed from
//! the input, with the types and rules `x509-cert` decodes a `Certificate`
//! with (same fields, DEFAULT and OPTIONAL handling; each Name checked to be
//! a SEQUENCE OF SET OF AttributeTypeAndValue, the extensions a SEQUENCE OF
//! Extension) but without copying it: the byte ranges that are signed or
//! compared (tbsCertificate, issuer, subject, SubjectPublicKeyInfo) are the
//! input's own bytes, never re-encoded, so a signature is always checked over
//! exactly the bytes the CA signed. Extension values are then decoded one at
//! a time. Decoding borrowed values keeps the decoder's frames small (issue
//! 12: the owned `Certificate` nested `der` decoders about 12 KB deep).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use alloc::{format, vec};

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, BitStringRef, ContextSpecific, IntRef, OctetStringRef};
use der::{Decode, Reader, SliceReader, Tag, TagNumber, Tagged};
use spki::AlgorithmIdentifierRef;
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, NameConstraints,
    SubjectAltName,
};
use x509_cert::name::Name;
use x509_cert::time::Validity;

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

/// Longest serial number decoded, in octets: 20 and the sign octet of a
/// 20-octet positive number (as x509-cert's `SerialNumber`; RFC 5280 §4.1.2.2).
const MAX_SERIAL_DECODE_LEN: usize = 21;

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
    /// version (RFC 5280 §4.1.2.1).
    pub version: Version,
    /// The serialNumber INTEGER's content octets (RFC 5280 §4.1.2.2).
    pub serial: &'a [u8],
    /// The signature algorithm inside tbsCertificate (RFC 5280 §4.1.2.3) equals signatureAlgorithm.
    pub sig_alg_ids_match: bool,
    /// signatureAlgorithm, outside tbsCertificate (RFC 5280 §4.1.1.2).
    pub sig_alg_id: AlgorithmIdentifierRef<'a>,
    /// signatureValue (RFC 5280 §4.1.1.3).
    pub signature_value: BitStringRef<'a>,
    /// issuerUniqueID or subjectUniqueID is present (RFC 5280 §4.1.2.8).
    pub unique_ids: bool,
    /// The contents of the extensions SEQUENCE, when the field is present
    /// (RFC 5280 §4.1.2.9), read into the fields below by `read_extensions`.
    pub extensions: Option<&'a [u8]>,
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
    pub san: Option<Vec<x509_cert::ext::pkix::name::GeneralName>>,
    /// nameConstraints (RFC 5280 §4.2.1.10).
    pub name_constraints: Option<NameConstraints>,
    /// subjectKeyIdentifier (RFC 5280 §4.2.1.2).
    pub ski: Option<&'a [u8]>,
    /// authorityKeyIdentifier keyIdentifier (RFC 5280 §4.2.1.1).
    pub aki: Option<&'a [u8]>,
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

/// The tbsCertificate fields (RFC 5280 §4.1.2), borrowed.
struct Tbs<'a> {
    version: Version,
    serial: &'a [u8],
    sig_alg_id: AlgorithmIdentifierRef<'a>,
    issuer: &'a [u8],
    validity: Validity,
    subject: &'a [u8],
    spki: &'a [u8],
    unique_ids: bool,
    /// The contents of the extensions SEQUENCE, when present.
    extensions: Option<&'a [u8]>,
}

/// A certificate's parts (RFC 5280 §4.1.1): the DER tbsCertificate and its
/// fields, signatureAlgorithm and signatureValue.
struct Certificate<'a> {
    tbs_der: &'a [u8],
    tbs: Tbs<'a>,
    sig_alg_id: AlgorithmIdentifierRef<'a>,
    signature_value: BitStringRef<'a>,
}

/// Decodes a whole DER Certificate ::= SEQUENCE { tbsCertificate,
/// signatureAlgorithm, signatureValue } (RFC 5280 §4.1), as x509-cert's
/// derived `CertificateInner` decoder does, nothing after it.
fn decode_certificate(der: &[u8]) -> der::Result<Certificate<'_>> {
    let mut reader = SliceReader::new(der)?;
    let mut c = sequence_contents(&mut reader)?;
    reader.finish()?;
    let tbs_der = c.tlv_bytes()?;
    let tbs = decode_tbs(tbs_der)?;
    let sig_alg_id = algorithm_identifier(&mut c)?;
    let signature_value = BitStringRef::decode(&mut c)?;
    c.finish()?;
    Ok(Certificate { tbs_der, tbs, sig_alg_id, signature_value })
}

/// Decodes a tbsCertificate (RFC 5280 §4.1) field by field, as x509-cert's
/// derived `TbsCertificateInner` decoder does.
fn decode_tbs(tbs: &[u8]) -> der::Result<Tbs<'_>> {
    let mut outer = SliceReader::new(tbs)?;
    let mut r = sequence_contents(&mut outer)?;
    outer.finish()?;
    // version [0] EXPLICIT Version DEFAULT v1
    let version = ContextSpecific::<Version>::decode_explicit(&mut r, TagNumber(0))?.map_or(Version::V1, |v| v.value);
    let serial = IntRef::decode(&mut r)?.as_bytes();
    if serial.len() > MAX_SERIAL_DECODE_LEN {
        return Err(Tag::Integer.value_error().into());
    }
    let sig_alg_id = algorithm_identifier(&mut r)?;
    let issuer = name_tlv(&mut r)?;
    let validity = Validity::decode(&mut r)?;
    let subject = name_tlv(&mut r)?;
    let spki = spki_tlv(&mut r)?;
    // issuerUniqueID [1] IMPLICIT, subjectUniqueID [2] IMPLICIT, extensions [3] EXPLICIT
    let issuer_uid = ContextSpecific::<BitStringRef<'_>>::decode_implicit(&mut r, TagNumber(1))?;
    let subject_uid = ContextSpecific::<BitStringRef<'_>>::decode_implicit(&mut r, TagNumber(2))?;
    let extensions = match ContextSpecific::<AnyRef<'_>>::decode_explicit(&mut r, TagNumber(3))? {
        Some(list) => Some(extension_list(list.value)?),
        None => None,
    };
    r.finish()?;
    let unique_ids = issuer_uid.is_some() || subject_uid.is_some();
    Ok(Tbs { version, serial, sig_alg_id, issuer, validity, subject, spki, unique_ids, extensions })
}

/// A reader of the contents of the SEQUENCE at the front of `r` (the
/// caller reads them all, then calls `finish`): what `Reader::sequence`
/// reads, without a closure frame around the caller's own.
fn sequence_contents<'a>(r: &mut SliceReader<'a>) -> der::Result<SliceReader<'a>> {
    let seq = AnyRef::decode(r)?;
    seq.tag().assert_eq(Tag::Sequence)?;
    SliceReader::new(seq.value())
}

/// AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER,
/// parameters ANY OPTIONAL } (RFC 5280 §4.1.1.2), as spki decodes it.
fn algorithm_identifier<'a>(r: &mut SliceReader<'a>) -> der::Result<AlgorithmIdentifierRef<'a>> {
    let mut body = sequence_contents(r)?;
    let oid = body.decode()?;
    let parameters = Option::<AnyRef<'a>>::decode(&mut body)?;
    body.finish()?;
    Ok(AlgorithmIdentifierRef { oid, parameters })
}

/// SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier,
/// subjectPublicKey BIT STRING } (RFC 5280 §4.1.2.7), whole.
fn spki_tlv<'a>(r: &mut SliceReader<'a>) -> der::Result<&'a [u8]> {
    let spki = r.tlv_bytes()?;
    let mut outer = SliceReader::new(spki)?;
    let mut body = sequence_contents(&mut outer)?;
    algorithm_identifier(&mut body)?;
    BitStringRef::decode(&mut body)?;
    body.finish()?;
    Ok(spki)
}

/// A Name (RFC 5280 §4.1.2.4), whole, once [`visit_name`] has read all of it.
fn name_tlv<'a>(r: &mut SliceReader<'a>) -> der::Result<&'a [u8]> {
    let name = r.tlv_bytes()?;
    visit_name(name, |_, _| false)?;
    Ok(name)
}

/// Calls `f` with the type and value of each attribute of a DER Name, in
/// order (RFC 5280 §4.1.2.4: Name ::= SEQUENCE OF RelativeDistinguishedName,
/// RelativeDistinguishedName ::= SET OF AttributeTypeAndValue,
/// AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY }).
/// After `f` returns `true` it is not called again, but the rest of the Name
/// is still read: the result is an error whenever the Name is malformed.
pub(crate) fn visit_name<'a>(
    name: &'a [u8],
    mut f: impl FnMut(ObjectIdentifier, AnyRef<'a>) -> bool,
) -> der::Result<()> {
    let mut done = false;
    let mut reader = SliceReader::new(name)?;
    reader.sequence(|rdns| -> der::Result<()> {
        while !rdns.is_finished() {
            let set = AnyRef::decode(rdns)?;
            set.tag().assert_eq(Tag::Set)?;
            let mut atvs = SliceReader::new(set.value())?;
            while !atvs.is_finished() {
                let (oid, value) = atvs.sequence(|atv| Ok::<_, der::Error>((atv.decode()?, AnyRef::decode(atv)?)))?;
                if !done {
                    done = f(oid, value);
                }
            }
        }
        Ok(())
    })?;
    reader.finish()
}

/// Checks that `list` (the contents of the extensions SEQUENCE) is a
/// SEQUENCE OF Extension (RFC 5280 §4.1) and returns it.
fn extension_list(list: AnyRef<'_>) -> der::Result<&[u8]> {
    list.tag().assert_eq(Tag::Sequence)?;
    for_each_extension(list.value(), |_| Ok::<(), der::Error>(()))?;
    Ok(list.value())
}

/// One extension (RFC 5280 §4.1), borrowed.
struct ExtensionRef<'a> {
    id: ObjectIdentifier,
    critical: bool,
    value: &'a [u8],
}

/// Calls `f` with each Extension of `list` (RFC 5280 §4.1:
/// Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }).
fn for_each_extension<'a, E: From<der::Error>>(
    list: &'a [u8],
    mut f: impl FnMut(ExtensionRef<'a>) -> Result<(), E>,
) -> Result<(), E> {
    let mut reader = SliceReader::new(list)?;
    while !reader.is_finished() {
        let ext = reader.sequence(|e| {
            let id = e.decode()?;
            let critical = Option::<bool>::decode(e)?.unwrap_or(false);
            let value = <&OctetStringRef>::decode(e)?.as_bytes();
            Ok::<_, der::Error>(ExtensionRef { id, critical, value })
        })?;
        f(ext)?;
    }
    Ok(())
}

/// The keyIdentifier of an authorityKeyIdentifier extension value that
/// decoded as one (RFC 5280 §4.2.1.1: [0] IMPLICIT OCTET STRING, first).
fn aki_key_identifier(value: &[u8]) -> Option<&[u8]> {
    let seq = AnyRef::from_der(value).ok()?;
    let mut r = SliceReader::new(seq.value()).ok()?;
    let key_id = ContextSpecific::<&OctetStringRef>::decode_implicit(&mut r, TagNumber(0)).ok()??;
    Some(key_id.value.as_bytes())
}

/// Why [`ParsedCert::parse`] refused an extension: its message.
struct ExtError(String);

impl From<String> for ExtError {
    fn from(detail: String) -> Self {
        ExtError(detail)
    }
}

impl From<der::Error> for ExtError {
    fn from(e: der::Error) -> Self {
        ExtError(format!("not a valid X.509 certificate: {e}"))
    }
}

/// Decodes one extension value, mapping failures to a description.
fn decode_ext<'b, T: Decode<'b>>(bytes: &'b [u8], name: &str) -> Result<T, String> {
    T::from_der(bytes).map_err(|_| format!("its {name} extension is malformed"))
}

/// A Name as an RFC 4514 string (decoded with x509-cert, for messages).
pub(crate) fn name_string(name: &[u8]) -> String {
    Name::from_der(name).map_or_else(|_| "(unreadable name)".to_string(), |n| n.to_string())
}

impl<'a> ParsedCert<'a> {
    /// Parses `der`; `position` is used in errors.
    pub fn parse(der: &'a [u8], position: Option<usize>) -> Result<Self, String> {
        let mut c = Self::decode(der, position)?;
        c.read_extensions().map_err(|e| e.0)?;
        Ok(c)
    }

    /// Parses `der` onto the end of `certs`. The extensions are read in
    /// place, below this frame only: the decoding frames are gone by then.
    #[inline(never)]
    pub fn parse_into(certs: &mut Vec<Self>, der: &'a [u8], position: usize) -> Result<(), String> {
        certs.push(Self::decode(der, Some(position))?);
        let read = certs.last_mut().map_or(Ok(()), Self::read_extensions);
        if let Err(e) = read {
            certs.pop();
            return Err(e.0);
        }
        Ok(())
    }

    /// The view of `der` without its extensions read (RFC 5280 §4.1).
    #[inline(never)]
    fn decode(der: &'a [u8], position: Option<usize>) -> Result<Self, String> {
        let Certificate { tbs_der, tbs: t, sig_alg_id, signature_value } =
            decode_certificate(der).map_err(|e| format!("not a valid X.509 certificate: {e}"))?;
        Ok(ParsedCert {
            der,
            position,
            tbs: tbs_der,
            issuer_raw: t.issuer,
            subject_raw: t.subject,
            spki_raw: t.spki,
            version: t.version,
            serial: t.serial,
            sig_alg_ids_match: t.sig_alg_id == sig_alg_id,
            sig_alg: classify(&sig_alg_id),
            sig_alg_id,
            signature_value,
            unique_ids: t.unique_ids,
            extensions: t.extensions,
            not_before: t.validity.not_before.to_unix_duration().as_secs(),
            not_after: t.validity.not_after.to_unix_duration().as_secs(),
            basic: None,
            key_usage: None,
            eku: None,
            san: None,
            name_constraints: None,
            ski: None,
            aki: None,
            unknown_critical: None,
            basic_critical: false,
            eku_critical: false,
            san_critical: false,
            key_id_critical: false,
            aki_present: false,
            aki_key_id_only: false,
            aia_bad: false,
        })
    }

    /// Decodes the extensions one at a time into their fields (RFC 5280
    /// §4.2), in a frame of its own below the certificate's.
    #[inline(never)]
    fn read_extensions(&mut self) -> Result<(), ExtError> {
        let Some(list) = self.extensions else { return Ok(()) };
        let mut seen: Vec<ObjectIdentifier> = vec![];
        for_each_extension(list, |ext| {
            let (id, v) = (ext.id, ext.value);
            if seen.contains(&id) {
                return Err(ExtError(format!("extension {id} appears twice (RFC 5280 §4.2)")));
            }
            seen.push(id);
            if id == OID_BASIC_CONSTRAINTS {
                self.basic = Some(decode_ext::<BasicConstraints>(v, "basicConstraints")?);
                self.basic_critical = ext.critical;
            } else if id == OID_KEY_USAGE {
                self.key_usage = Some(decode_ext::<KeyUsage>(v, "keyUsage")?);
            } else if id == OID_EXT_KEY_USAGE {
                self.eku = Some(decode_ext::<ExtendedKeyUsage>(v, "extendedKeyUsage")?.0);
                self.eku_critical = ext.critical;
            } else if id == OID_SUBJECT_ALT_NAME {
                self.san = Some(decode_ext::<SubjectAltName>(v, "subjectAltName")?.0);
                self.san_critical = ext.critical;
            } else if id == OID_NAME_CONSTRAINTS {
                self.name_constraints = Some(decode_ext::<NameConstraints>(v, "nameConstraints")?);
            } else if id == OID_SUBJECT_KEY_ID {
                // SubjectKeyIdentifier ::= KeyIdentifier ::= OCTET STRING
                self.ski = Some(decode_ext::<&OctetStringRef>(v, "subjectKeyIdentifier")?.as_bytes());
                self.key_id_critical |= ext.critical;
            } else if id == OID_AUTHORITY_KEY_ID {
                let a = decode_ext::<AuthorityKeyIdentifier>(v, "authorityKeyIdentifier")?;
                self.aki_present = true;
                self.aki_key_id_only = a.authority_cert_issuer.is_none() && a.authority_cert_serial_number.is_none();
                self.aki = a.key_identifier.and_then(|_| aki_key_identifier(v));
                self.key_id_critical |= ext.critical;
            } else if id == OID_AUTHORITY_INFO_ACCESS {
                // RFC 5280 §4.2.2.1: a non-empty SEQUENCE of AccessDescription, non-critical.
                self.aia_bad = ext.critical || AuthorityInfoAccessSyntax::from_der(v).map_or(true, |a| a.0.is_empty());
            } else if ext.critical && id != OID_CERT_POLICIES && self.unknown_critical.is_none() {
                self.unknown_critical = Some(id);
            }
            Ok(())
        })
    }

    /// Subject and issuer, for errors.
    pub fn id(&self) -> CertId {
        CertId::new(self.position, self.subject_string(), self.issuer_string())
    }

    /// The subject as an RFC 4514 string.
    pub fn subject_string(&self) -> String {
        name_string(self.subject_raw)
    }

    /// The issuer as an RFC 4514 string.
    pub fn issuer_string(&self) -> String {
        name_string(self.issuer_raw)
    }

    /// True when the subject has no RelativeDistinguishedName (RFC 5280 §4.1.2.6).
    pub fn subject_is_empty(&self) -> bool {
        // The Name was checked at parsing: a SEQUENCE whose contents are empty.
        AnyRef::from_der(self.subject_raw).is_ok_and(|n| n.value().is_empty())
    }

    /// True when subject and issuer are the same name (RFC 5280 §6.1 "self-issued").
    pub fn self_issued(&self) -> bool {
        self.subject_raw == self.issuer_raw
    }

    /// The raw signature value.
    pub fn signature(&self) -> Option<&[u8]> {
        self.signature_value.as_bytes()
    }

    /// Version and algorithm consistency (RFC 5280 §4.1.1.2, §4.1.2.1, §4.1.2.8).
    pub fn check_consistency(&self) -> Result<(), CertError> {
        let detail = if !self.sig_alg_ids_match {
            Some("the signature algorithm inside the signed part differs from the outer one")
        } else if self.extensions.is_some() && self.version != Version::V3 {
            Some("it has extensions but is not version 3")
        } else if self.unique_ids && self.version == Version::V1 {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every test certificate and many mutants of it (bit flips, byte
    /// changes, truncations, lengths off by one): the borrowed decoder
    /// accepts exactly what x509-cert's owned `Certificate` decoder accepts,
    /// and finds the same signed and compared byte ranges.
    #[test]
    fn borrowed_decoder_accepts_what_x509_cert_accepts() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/x509");
        let mut vectors: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "der"))
            .collect();
        vectors.sort();
        assert!(vectors.len() > 20, "vectors/x509 has the test certificates");
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut accepted, mut refused) = (0, 0);
        for path in &vectors {
            let original = std::fs::read(path).unwrap();
            for i in 0..600 {
                let mut m = original.clone();
                let at = (next() as usize) % m.len();
                match i % 6 {
                    0 => m[at] ^= 1 << (next() % 8),
                    1 => m[at] = m[at].wrapping_add(1),
                    2 => m[at] = m[at].wrapping_sub(1),
                    3 => m.truncate(at),
                    4 => m[at] = next() as u8,
                    _ => {} // the original
                }
                let owned = x509_cert::Certificate::from_der(&m);
                let borrowed = decode_certificate(&m);
                assert_eq!(borrowed.is_ok(), owned.is_ok(), "{} mutant {i}: {:?}", path.display(), borrowed.err());
                let (Ok(b), Ok(o)) = (borrowed, owned) else {
                    refused += 1;
                    continue;
                };
                accepted += 1;
                let t = o.tbs_certificate();
                // x509-cert re-encodes what it decoded (an explicit DEFAULT dropped, a SET OF sorted):
                // where that gives back the input, the borrowed parts are the re-encoded parts.
                if der::Encode::to_der(&o).unwrap() == m {
                    assert_eq!(b.tbs_der, der::Encode::to_der(t).unwrap());
                    assert_eq!(b.tbs.issuer, der::Encode::to_der(t.issuer()).unwrap());
                    assert_eq!(b.tbs.subject, der::Encode::to_der(t.subject()).unwrap());
                    assert_eq!(b.tbs.spki, der::Encode::to_der(t.subject_public_key_info()).unwrap());
                }
                assert_eq!(b.tbs.serial, t.serial_number().as_bytes());
                assert_eq!(b.tbs.version, t.version());
                assert_eq!(b.tbs.extensions.is_some(), t.extensions().is_some());
                assert_eq!(b.signature_value.raw_bytes(), o.signature().raw_bytes());
                // The view's own readings agree with x509-cert's values.
                let Ok(p) = ParsedCert::parse(&m, None) else { continue };
                assert_eq!(p.subject_is_empty(), t.subject().is_empty());
                assert_eq!(p.subject_string(), t.subject().to_string());
                assert_eq!(p.sig_alg_ids_match, t.signature() == o.signature_algorithm());
                let ski = t.get_extension::<x509_cert::ext::pkix::SubjectKeyIdentifier>().ok().flatten();
                assert_eq!(p.ski, ski.as_ref().map(|(_, k)| k.0.as_bytes()));
                let aki = t.get_extension::<AuthorityKeyIdentifier>().ok().flatten();
                let aki_id = aki.as_ref().and_then(|(_, a)| a.key_identifier.as_ref()).map(|k| k.as_bytes());
                assert_eq!(p.aki, aki_id);
            }
        }
        assert!(accepted > 1000 && refused > 1000, "accepted {accepted}, refused {refused}");
    }
}
