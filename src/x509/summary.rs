//! A readable summary of the chain a server sent: subjects, issuers, keys,
//! validity and pins, for `--show-chain` style output and for storing after
//! trust on first use.

use alloc::string::String;
use alloc::vec::Vec;

use crate::msgs::certificate::CertificateChain;
use crate::sync::Shared;
use crate::verify::{ServerName, ServerVerifier, Trust, TrustId, UnixTime};
use crate::x509::cert::{format_time, ParsedCert};
use crate::x509::error::CertError;
use crate::x509::name::presented_names;
use crate::x509::pin::Pin;
use crate::x509::sigalg::{describe_alg, describe_key};

/// One certificate of a [`ChainSummary`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertSummary {
    /// Position in the chain as sent (0 = leaf).
    pub position: usize,
    /// Subject, RFC 4514 string (empty if unparseable).
    pub subject: String,
    /// Issuer, RFC 4514 string.
    pub issuer: String,
    /// Key type, e.g. `ECDSA P-256`, `RSA 2048`.
    pub key: String,
    /// Signature algorithm, e.g. `ECDSA with SHA-256`.
    pub signature: String,
    /// notBefore, ISO 8601.
    pub not_before: String,
    /// notAfter, ISO 8601.
    pub not_after: String,
    /// notBefore, seconds since 1970.
    pub not_before_unix: u64,
    /// notAfter, seconds since 1970.
    pub not_after_unix: u64,
    /// subjectAltName DNS and IP entries (`DNS:...`, `IP:...`).
    pub names: Vec<String>,
    /// basicConstraints cA.
    pub is_ca: bool,
    /// SPKI pin (`sha256/...`), if the key could be found.
    pub spki_pin: Option<Pin>,
    /// SHA-256 of the whole certificate.
    pub cert_pin: Pin,
    /// Why the certificate could not be parsed, if it could not.
    pub parse_error: Option<String>,
}

impl CertSummary {
    fn new(position: usize, der: &[u8]) -> Self {
        let mut s = CertSummary {
            position,
            subject: String::new(),
            issuer: String::new(),
            key: String::new(),
            signature: String::new(),
            not_before: String::new(),
            not_after: String::new(),
            not_before_unix: 0,
            not_after_unix: 0,
            names: Vec::new(),
            is_ca: false,
            spki_pin: Pin::spki_of_certificate(der),
            cert_pin: Pin::of_certificate(der),
            parse_error: None,
        };
        match ParsedCert::parse(der, Some(position)) {
            Ok(c) => {
                s.subject = c.subject_string();
                s.issuer = c.issuer_string();
                s.key = describe_key(c.spki_raw);
                s.signature = describe_alg(&c.sig_alg_id);
                s.not_before = format_time(c.not_before);
                s.not_after = format_time(c.not_after);
                s.not_before_unix = c.not_before;
                s.not_after_unix = c.not_after;
                s.names = presented_names(&c);
                s.is_ca = c.is_ca();
            }
            Err(e) => s.parse_error = Some(e),
        }
        s
    }
}

/// Every certificate a server sent, summarized (no verification is implied).
///
/// ```
/// use embertls::{x509::ChainSummary, CertificateChain};
/// let der = std::fs::read("vectors/x509/selfsigned.der").unwrap();
/// let mut list = vec![0, (der.len() >> 8) as u8, der.len() as u8];
/// list.extend_from_slice(&der);
/// list.extend_from_slice(&[0, 0]);
/// let chain = CertificateChain::from_tls13_list(&list).unwrap();
/// let summary = ChainSummary::from_chain(&chain);
/// assert_eq!(summary.certs[0].subject, "CN=selfsigned.test");
/// println!("{summary}");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChainSummary {
    /// The certificates, leaf first, as sent.
    pub certs: Vec<CertSummary>,
}

impl ChainSummary {
    /// Summarizes `chain`.
    pub fn from_chain(chain: &CertificateChain<'_>) -> Self {
        ChainSummary { certs: chain.iter().enumerate().map(|(i, der)| CertSummary::new(i, der)).collect() }
    }

    /// The leaf's summary.
    pub fn leaf(&self) -> Option<&CertSummary> {
        self.certs.first()
    }

    /// The leaf's SPKI pin: the value to store for [`PinVerifier`](crate::x509::PinVerifier).
    pub fn leaf_pin(&self) -> Option<Pin> {
        self.leaf().and_then(|c| c.spki_pin)
    }
}

impl core::fmt::Display for ChainSummary {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for c in &self.certs {
            writeln!(f, "#{} subject: {}", c.position, c.subject)?;
            if let Some(e) = &c.parse_error {
                writeln!(f, "   unparseable: {e}")?;
            } else {
                writeln!(f, "   issuer:  {}", c.issuer)?;
                writeln!(f, "   key:     {}{}", c.key, if c.is_ca { " (CA)" } else { "" })?;
                writeln!(f, "   signed:  {}", c.signature)?;
                writeln!(f, "   valid:   {} to {}", c.not_before, c.not_after)?;
                if !c.names.is_empty() {
                    writeln!(f, "   names:   {}", c.names.join(", "))?;
                }
            }
            match &c.spki_pin {
                Some(p) => writeln!(f, "   pin:     {p}")?,
                None => writeln!(f, "   pin:     (no key found)")?,
            }
            writeln!(f, "   sha256:  {}", c.cert_pin.hex())?;
        }
        Ok(())
    }
}

/// Wraps any verifier and keeps a summary of the last chain it saw, and the
/// last error, for callers that want to show what the server sent after the
/// handshake (whether it succeeded or failed).
///
/// ```
/// use embertls::x509::{CaVerifier, ChainRecorder};
/// let ca = CaVerifier::from_pem(&std::fs::read("vectors/x509/ec256-root.pem").unwrap()).unwrap();
/// let recorder = ChainRecorder::new(&ca);
/// // let config = embertls::ClientConfig::new(&recorder);
/// // ... after the handshake:
/// if let Some(chain) = recorder.last_chain() { println!("{chain}"); }
/// ```
pub struct ChainRecorder<'v> {
    inner: &'v (dyn ServerVerifier + Sync),
    last: Shared<Option<(ChainSummary, Option<CertError>)>>,
}

impl<'v> ChainRecorder<'v> {
    /// Records chains verified by `inner`.
    pub fn new(inner: &'v (dyn ServerVerifier + Sync)) -> Self {
        ChainRecorder { inner, last: Shared::new(None) }
    }

    /// The summary of the last chain verified.
    pub fn last_chain(&self) -> Option<ChainSummary> {
        self.last.with(|l| l.as_ref().map(|(s, _)| s.clone()))
    }

    /// The error of the last verification, if it failed.
    pub fn last_error(&self) -> Option<CertError> {
        self.last.with(|l| l.as_ref().and_then(|(_, e)| e.clone()))
    }
}

impl core::fmt::Debug for ChainRecorder<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChainRecorder").field("last", &self.last).finish_non_exhaustive()
    }
}

impl ServerVerifier for ChainRecorder<'_> {
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
        let summary = ChainSummary::from_chain(chain);
        let r = self.inner.verify_server_with(chain, server_name, now, crypto);
        let seen = (summary, r.as_ref().err().cloned());
        self.last.with(|slot| *slot = Some(seen));
        r
    }

    fn trust_id(&self) -> Option<TrustId> {
        self.inner.trust_id()
    }
}
