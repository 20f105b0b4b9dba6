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
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use x509_cert::ext::pkix::NameConstraints;

use crate::x509::cert::ParsedCert;
use crate::x509::error::{CertError, CertId};
use crate::x509::pin::Pin;
use crate::x509::profile::Profile;
use crate::x509::rules::check_anchor;
use crate::x509::static_anchor::StaticAnchor;

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
            ski: c.ski.map(<[u8]>::to_vec),
        })
    }

    /// From an anchor declared at compile time; `index` names it in errors.
    fn from_static(a: &StaticAnchor<'_>, index: usize) -> Result<Self, CertError> {
        use der::Decode;
        let bad = |what: &str, e: der::Error| CertError::BadAnchor { index, detail: format!("{what}: {e}") };
        let name = x509_cert::name::Name::from_der(a.subject_der()).map_err(|e| bad("subject is not a DER Name", e))?;
        spki::SubjectPublicKeyInfoRef::from_der(a.spki_der())
            .map_err(|e| bad("key is not a DER SubjectPublicKeyInfo", e))?;
        let name_constraints = match a.name_constraints_der() {
            Some(nc) => Some(NameConstraints::from_der(nc).map_err(|e| bad("bad DER NameConstraints", e))?),
            None => None,
        };
        let subject = name.to_string();
        // A name and a key, not a certificate (RFC 5280 §6.1.1 (d)): no
        // validity, extensions or profile rules to check.
        Ok(TrustAnchor {
            subject_der: a.subject_der().to_vec(),
            spki_der: a.spki_der().to_vec(),
            id: CertId::new(None, subject.clone(), subject.clone()),
            subject,
            name_constraints,
            path_len: None,
            ski: None,
            validity: (0, u64::MAX),
            problems: [None, None],
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

    /// Anchors declared at compile time (see [`StaticAnchor`]), e.g. the two
    /// or three roots of one cloud service.
    ///
    /// ```
    /// use embertls::x509::{CaVerifier, StaticAnchor, TrustAnchors};
    /// static ROOTS: [StaticAnchor<'static>; 1] = [StaticAnchor::new(
    ///     include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/roots/digicert-g2-root.subject.der")),
    ///     include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/roots/digicert-g2-root.spki.der")),
    /// )];
    /// let verifier = CaVerifier::new(TrustAnchors::from_static(&ROOTS)?);
    /// # Ok::<(), embertls::CertError>(())
    /// ```
    pub fn from_static(anchors: &[StaticAnchor<'_>]) -> Result<Self, CertError> {
        let anchors =
            anchors.iter().enumerate().map(|(i, a)| TrustAnchor::from_static(a, i)).collect::<Result<_, _>>()?;
        Ok(TrustAnchors { anchors })
    }

    /// Mozilla's root CAs, from the `webpki-roots` crate (feature
    /// `webpki-roots`): about 150 anchors and 40 KB of heap, for hosts and
    /// devices that talk to servers they do not know in advance.
    ///
    /// ```
    /// let roots = embertls::x509::TrustAnchors::webpki_roots()?;
    /// assert!(roots.len() > 100);
    /// # Ok::<(), embertls::CertError>(())
    /// ```
    #[cfg(feature = "webpki-roots")]
    pub fn webpki_roots() -> Result<Self, CertError> {
        // webpki-roots keeps the contents of each SEQUENCE, without its tag and length.
        fn sequence(contents: &[u8]) -> Vec<u8> {
            let mut out = Vec::with_capacity(contents.len() + 4);
            let n = contents.len();
            out.push(0x30);
            match n {
                0..=0x7f => out.push(n as u8),
                0x80..=0xff => out.extend_from_slice(&[0x81, n as u8]),
                _ => out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
            }
            out.extend_from_slice(contents);
            out
        }
        let mut anchors = Vec::with_capacity(webpki_roots::TLS_SERVER_ROOTS.len());
        for (i, root) in webpki_roots::TLS_SERVER_ROOTS.iter().enumerate() {
            let (subject, spki) = (sequence(&root.subject), sequence(&root.subject_public_key_info));
            let nc = root.name_constraints.as_ref().map(|nc| sequence(nc));
            let mut a = StaticAnchor::new(&subject, &spki);
            if let Some(nc) = &nc {
                a = a.with_name_constraints(nc);
            }
            anchors.push(TrustAnchor::from_static(&a, i)?);
        }
        Ok(TrustAnchors { anchors })
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
