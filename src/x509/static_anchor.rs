//! [`StaticAnchor`]: a trust anchor declared at compile time (RFC 5280
//! §6.1.1 (d): a CA's subject name and public key), kept in flash, with no
//! allocation.

use crate::x509::error::CertError;
use crate::x509::pin::Pin;

/// A root CA as a device keeps it in flash: its DER subject Name and DER
/// SubjectPublicKeyInfo, borrowed (`&'static` from `include_bytes!` or
/// literals). Building one costs no RAM and no allocation.
///
/// Chain verification to these anchors ([`crate::x509::CaVerifier`], via
/// [`crate::x509::TrustAnchors::from_static`]) needs the `alloc` feature:
/// certificates are parsed with `x509-cert` and RSA (the roots of AWS IoT
/// Core and Azure IoT Hub are RSA) needs a heap. Without `alloc`, an anchor
/// gives its [`StaticAnchor::spki_pin`], and [`crate::x509::PinVerifier`]
/// accepts a server whose *leaf* key is pinned (it does not verify a chain
/// to a CA pin without `alloc`).
///
/// ```
/// use embertls::x509::StaticAnchor;
/// // Two roots for a device that talks to one cloud: no heap, no parsing at boot.
/// static ROOTS: [StaticAnchor<'static>; 2] = [
///     StaticAnchor::new(include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/roots/amazon-root.subject.der")),
///                       include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/roots/amazon-root.spki.der"))),
///     StaticAnchor::new(include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/roots/digicert-g2-root.subject.der")),
///                       include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/roots/digicert-g2-root.spki.der"))),
/// ];
/// # let cert = std::fs::read("vectors/roots/amazon-root.der").unwrap();
/// # assert_eq!(StaticAnchor::from_certificate(&cert).unwrap(), ROOTS[0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StaticAnchor<'a> {
    subject: &'a [u8],
    spki: &'a [u8],
    name_constraints: Option<&'a [u8]>,
}

impl<'a> StaticAnchor<'a> {
    /// From the DER subject Name (a SEQUENCE) and DER SubjectPublicKeyInfo
    /// of a root certificate. `openssl x509 -in root.pem -outform der |
    /// openssl asn1parse -inform der` shows both; README "Roots in flash"
    /// gives commands that write them to files. They are checked when
    /// the anchor is used ([`crate::x509::TrustAnchors::from_static`]).
    pub const fn new(subject_der: &'a [u8], spki_der: &'a [u8]) -> Self {
        StaticAnchor { subject: subject_der, spki: spki_der, name_constraints: None }
    }

    /// With the DER NameConstraints (RFC 5280 §4.2.1.10) that limit what the anchor may certify.
    pub const fn with_name_constraints(mut self, name_constraints_der: &'a [u8]) -> Self {
        self.name_constraints = Some(name_constraints_der);
        self
    }

    /// The subject and key of a DER certificate, borrowed from it (no allocation).
    pub fn from_certificate(cert_der: &'a [u8]) -> Result<Self, CertError> {
        let bad = |detail: &'static str| CertError::NotTrusted { reason: detail };
        let subject = crate::crypto::certificate_subject(cert_der)
            .ok_or(bad("the anchor is not a DER X.509 certificate (no subject found); convert PEM to DER first"))?;
        let spki = crate::crypto::certificate_spki(cert_der)
            .ok_or(bad("the anchor is not a DER X.509 certificate (no public key found); convert PEM to DER first"))?;
        Ok(StaticAnchor::new(subject, spki))
    }

    /// The DER subject Name.
    pub fn subject_der(&self) -> &'a [u8] {
        self.subject
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &'a [u8] {
        self.spki
    }

    /// The DER NameConstraints, if any.
    pub fn name_constraints_der(&self) -> Option<&'a [u8]> {
        self.name_constraints
    }

    /// The SPKI pin of the anchor's key (works without `alloc`).
    pub fn spki_pin(&self) -> Pin {
        Pin::of_spki(self.spki)
    }
}
