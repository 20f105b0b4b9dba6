//! Trust anchors (RFC 5280 §6.1.1 (d)): the subject name, public key and
//! constraints of each trusted CA, kept instead of whole certificates.
//!
//! An anchor given as a certificate is checked as a certificate when it is
//! used as an issuer: its validity dates (under the verifier's clock
//! policy), basicConstraints present with cA=TRUE (and critical), keyUsage
//! keyCertSign when keyUsage is present, no unknown critical extension,
//! well-formed nameConstraints, and, for a root (self-issued), no
//! extendedKeyUsage (CABF BR §7.1.2.1.2) and an authorityKeyIdentifier, if
//! any, holding only its own subjectKeyIdentifier (strict profile, BR
//! §7.1.2.1.3). Its own signature is not checked: configuring it is the
//! statement that its key is trusted. A server certificate configured as an
//! anchor (a self-signed home broker) is matched as the server's certificate
//! and checked by the server-certificate rules instead.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use x509_cert::ext::pkix::NameConstraints;

use crate::x509::cert::ParsedCert;
use crate::x509::error::{CertError, CertId};
use crate::x509::pin::Pin;
use crate::x509::profile::Profile;
use crate::x509::rules::check_anchor;

/// One trusted CA (or pinned server certificate): its name and key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustAnchor {
    pub(crate) subject_der: Vec<u8>,
    pub(crate) spki_der: Vec<u8>,
    pub(crate) subject: String,
    pub(crate) name_constraints: Option<NameConstraints>,
    pub(crate) path_len: Option<u8>,
    pub(crate) ski: Option<Vec<u8>>,
    /// notBefore and notAfter, seconds since 1970 (RFC 5280 §4.1.2.5).
    pub(crate) validity: (u64, u64),
    /// Subject and issuer, for errors.
    pub(crate) id: CertId,
    /// Why the anchor cannot be used as an issuer: under [`Profile::Strict`], under [`Profile::Rfc5280`].
    pub(crate) problems: [Option<CertError>; 2],
}

impl TrustAnchor {
    /// Takes the anchor data out of a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        Self::from_der_at(der, 0)
    }

    fn from_der_at(der: &[u8], index: usize) -> Result<Self, CertError> {
        let c = ParsedCert::parse(der, None).map_err(|detail| CertError::BadAnchor { index, detail })?;
        let problems = [check_anchor(&c, Profile::Strict).err(), check_anchor(&c, Profile::Rfc5280).err()];
        Ok(TrustAnchor {
            validity: (c.not_before, c.not_after),
            id: c.id(),
            problems,
            subject_der: c.subject_raw.to_vec(),
            spki_der: c.spki_raw.to_vec(),
            subject: c.subject_string(),
            path_len: c.basic.as_ref().and_then(|b| b.path_len_constraint),
            name_constraints: c.name_constraints,
            ski: c.ski,
        })
    }

    /// The subject, as an RFC 4514 string.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The DER subject Name.
    pub fn subject_der(&self) -> &[u8] {
        &self.subject_der
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// The SPKI pin of the anchor's key.
    pub fn spki_pin(&self) -> Pin {
        Pin::of_spki(&self.spki_der)
    }

    /// Fails when this anchor may not issue certificates under `profile`, or
    /// is outside its validity dates at `now` (RFC 5280 §4.1.2.5, §4.2.1.9).
    pub(crate) fn check_as_issuer(&self, profile: Profile, now: Option<u64>) -> Result<(), CertError> {
        let slot = usize::from(profile != Profile::Strict);
        if let Some(e) = self.problems.get(slot).cloned().flatten() {
            return Err(e);
        }
        let (not_before, not_after) = self.validity;
        match now {
            Some(now) if now < not_before => {
                Err(CertError::NotYetValid { cert: self.id.clone(), not_before, not_after, now })
            }
            Some(now) if now > not_after => {
                Err(CertError::Expired { cert: self.id.clone(), not_before, not_after, now })
            }
            _ => Ok(()),
        }
    }

    /// True when `cert` has this anchor's subject and key (it *is* the anchor).
    pub(crate) fn is(&self, cert: &ParsedCert<'_>) -> bool {
        self.subject_der == cert.subject_raw && self.spki_der == cert.spki_raw
    }

    /// Adds what this anchor trusts to a verifier's [`TrustId`](crate::TrustId).
    pub(crate) fn add_to(&self, h: &mut crate::verify::TrustIdHasher) {
        h.part(&self.subject_der).part(&self.spki_der);
        h.part(&[self.path_len.map_or(0, |_| 1), self.path_len.unwrap_or(0)]);
        h.part(self.ski.as_deref().unwrap_or(&[]));
        let constraints = self.name_constraints.as_ref().and_then(|n| der::Encode::to_der(n).ok());
        h.part(constraints.as_deref().unwrap_or(&[]));
    }

    pub(crate) fn id(&self) -> CertId {
        CertId::new(None, self.subject.clone(), self.subject.clone())
    }
}

/// A set of trust anchors.
///
/// ```
/// use embertls::x509::TrustAnchors;
/// let pem = std::fs::read("vectors/x509/roots-bundle.pem").unwrap();
/// let anchors = TrustAnchors::from_pem(&pem).unwrap();
/// assert_eq!(anchors.len(), 3);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustAnchors {
    anchors: Vec<TrustAnchor>,
}

const BEGIN: &str = "-----BEGIN CERTIFICATE-----";

impl TrustAnchors {
    /// No anchors.
    pub fn new() -> Self {
        Self::default()
    }

    /// All `CERTIFICATE` blocks of a PEM file (RFC 7468 §5); text between blocks is ignored.
    pub fn from_pem(pem: &[u8]) -> Result<Self, CertError> {
        let mut a = Self::new();
        a.add_pem(pem)?;
        Ok(a)
    }

    /// One DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        let mut a = Self::new();
        a.add_der(der)?;
        Ok(a)
    }

    /// Adds every `CERTIFICATE` block of a PEM file; returns how many were added.
    /// Fails (adding none) if there is no block or one is invalid.
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<usize, CertError> {
        let blocks =
            crate::pem::parse(pem).map_err(|e| CertError::BadAnchor { index: e.block, detail: e.detail.into() })?;
        let mut found = Vec::new();
        for b in blocks.iter().filter(|b| b.label == "CERTIFICATE") {
            found.push(TrustAnchor::from_der_at(&b.der, found.len())?);
        }
        if found.is_empty() {
            return Err(CertError::BadAnchor { index: 0, detail: format!("no {BEGIN} block found") });
        }
        let n = found.len();
        self.anchors.extend(found);
        Ok(n)
    }

    /// Adds one DER certificate.
    pub fn add_der(&mut self, der: &[u8]) -> Result<(), CertError> {
        let a = TrustAnchor::from_der_at(der, self.anchors.len())?;
        self.anchors.push(a);
        Ok(())
    }

    /// Adds an anchor.
    pub fn push(&mut self, anchor: TrustAnchor) {
        self.anchors.push(anchor);
    }

    /// Number of anchors.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// The anchors.
    pub fn as_slice(&self) -> &[TrustAnchor] {
        &self.anchors
    }

    /// Iterates the anchors.
    pub fn iter(&self) -> core::slice::Iter<'_, TrustAnchor> {
        self.anchors.iter()
    }
}
