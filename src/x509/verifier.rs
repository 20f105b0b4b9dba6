//! [`CaVerifier`]: verifies the server's chain to configured trust anchors
//! and its identity (RFC 5280 §6, RFC 9525 §6).

use crate::msgs::certificate::CertificateChain;
use crate::verify::{ServerName, ServerVerifier, Trust, TrustId, UnixTime};
use crate::x509::anchors::TrustAnchors;
use crate::x509::error::CertError;
use crate::x509::path::{verify_chain, Options};
use crate::x509::profile::Profile;

/// Verifies a server against trust anchors: what Arduino's `setCACert` does,
/// strictly.
///
/// Checks, for a path from the leaf through the certificates the server sent
/// to one anchor: signatures (ECDSA P-256/P-384, RSA PKCS#1 v1.5 and PSS,
/// 2048 to 8192 bits; SHA-1 refused), validity dates at the caller's time,
/// basicConstraints and pathLenConstraint, keyUsage, extendedKeyUsage
/// (serverAuth), unknown critical extensions, name constraints, and that the
/// leaf's subjectAltName covers the server name. A self-signed server
/// certificate configured as an anchor is accepted once it passes the
/// server-certificate rules.
///
/// On top of that, the [`Profile`] decides how certificates must be built:
/// [`Profile::Strict`] (the default) applies RFC 5280 and the CA/Browser
/// Forum Baseline Requirements, as a public endpoint's certificates satisfy;
/// [`Profile::Rfc5280`] relaxes the CA/Browser-Forum-specific rules for a
/// private CA (see [`Rule::strict_only`](crate::x509::Rule::strict_only)).
/// A refusal made only by the strict profile names the rule and says so.
///
/// ```
/// use embertls::x509::CaVerifier;
/// let pem = std::fs::read("vectors/x509/ec256-root.pem").unwrap();
/// let verifier = CaVerifier::from_pem(&pem).unwrap();
/// // let config = embertls::ClientConfig::new(&verifier);
/// ```
#[derive(Clone, Debug)]
pub struct CaVerifier {
    anchors: TrustAnchors,
    options: Options,
}

impl CaVerifier {
    /// A verifier trusting `anchors`, with the defaults: time checks on,
    /// maximum depth 8, at most 100 signature checks, RSA 2048 to 8192 bits.
    pub fn new(anchors: TrustAnchors) -> Self {
        CaVerifier { anchors, options: Options::default() }
    }

    /// A verifier trusting every certificate of a PEM file.
    pub fn from_pem(pem: &[u8]) -> Result<Self, CertError> {
        Ok(Self::new(TrustAnchors::from_pem(pem)?))
    }

    /// **Weakens verification**: never check validity dates, for devices
    /// without a clock. Expired (possibly compromised and abandoned)
    /// certificates are then accepted. Without this, verifying without a
    /// time fails with [`CertError::NoClock`].
    pub fn skip_time_checks(mut self) -> Self {
        self.options.check_time = false;
        self
    }

    /// Maximum certificates in a path, leaf included, anchor excluded (default 8).
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.options.max_depth = depth.max(1);
        self
    }

    /// Maximum signature checks per verification (default 100).
    pub fn max_signature_checks(mut self, checks: u32) -> Self {
        self.options.max_sig_checks = checks;
        self
    }

    /// Smallest accepted RSA modulus (default 2048; values below 1024 are raised to 1024).
    pub fn min_rsa_bits(mut self, bits: u32) -> Self {
        self.options.rsa.min_bits = bits.max(1024);
        self
    }

    /// The certificate profile (default [`Profile::Strict`]). Use
    /// [`Profile::Rfc5280`] for a private CA whose certificates lack what the
    /// CA/Browser Forum requires (extendedKeyUsage, key identifiers, a
    /// commonName equal to a subjectAltName, ...).
    pub fn profile(mut self, profile: Profile) -> Self {
        self.options.profile = profile;
        self
    }

    /// The certificate profile in use.
    pub fn current_profile(&self) -> Profile {
        self.options.profile
    }

    /// Maximum name-constraint comparisons (one subtree against one name) per
    /// verification (default 16 384); beyond it the chain is refused with
    /// [`CertError::NameConstraintBudget`]. A certificate under name
    /// constraints may also have at most 1 024 names.
    pub fn max_name_constraint_checks(mut self, checks: u32) -> Self {
        self.options.max_name_checks = checks;
        self
    }

    /// The trust anchors.
    pub fn anchors(&self) -> &TrustAnchors {
        &self.anchors
    }
}

impl ServerVerifier for CaVerifier {
    fn verify_server(
        &self,
        chain: &CertificateChain<'_>,
        server_name: &ServerName<'_>,
        now: Option<UnixTime>,
    ) -> Result<Trust, CertError> {
        self.verify_server_with(chain, server_name, now, &mut crate::crypto::RustCrypto)
    }

    fn verify_server_with(
        &self,
        chain: &CertificateChain<'_>,
        server_name: &ServerName<'_>,
        now: Option<UnixTime>,
        crypto: &mut dyn crate::crypto::SignatureVerifier,
    ) -> Result<Trust, CertError> {
        verify_chain(self.anchors.as_slice(), chain, Some(server_name), now, &self.options, crypto)?;
        Ok(Trust::Verified)
    }

    /// A digest of the anchors and the options.
    fn trust_id(&self) -> Option<TrustId> {
        let mut h = TrustId::hasher("embertls CaVerifier");
        self.options.add_to(&mut h);
        for a in self.anchors.iter() {
            a.add_to(&mut h);
        }
        Some(h.finish())
    }
}
