//! Pins: SHA-256 of a server's SubjectPublicKeyInfo (RFC 7469 §2.4 `pin-sha256`)
//! or of a whole certificate, and [`PinVerifier`], which trusts a server by pin.
//!
//! Works without `alloc` for pins of the leaf certificate; pins of a CA in the
//! chain need `alloc` (the chain below the pinned CA is then fully verified).

use base64ct::{Base64, Encoding};
use sha2::{Digest as _, Sha256};

use crate::crypto::certificate_spki;
use crate::msgs::certificate::CertificateChain;
use crate::verify::{ServerName, ServerVerifier, Trust, TrustId, UnixTime};
use crate::x509::CertError;

/// A SHA-256 pin of a public key or of a certificate.
///
/// Text forms (see [`Pin::parse`]):
/// - `sha256/<base64>`: SHA-256 of the DER SubjectPublicKeyInfo, as in HPKP
///   (RFC 7469 §2.4); the same value as
///   `openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`;
/// - 64 hex digits (colons allowed): the same SPKI hash in hex;
/// - `cert-sha256/<base64 or hex>`: SHA-256 of the whole DER certificate, as
///   `openssl x509 -fingerprint -sha256` prints it.
///
/// An SPKI pin survives certificate renewal with the same key; a certificate
/// pin does not.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pin {
    /// SHA-256 of a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
    Spki([u8; 32]),
    /// SHA-256 of a whole DER certificate.
    Cert([u8; 32]),
}

impl Pin {
    /// Parses one of the text forms listed on [`Pin`].
    ///
    /// ```
    /// use embertls::x509::Pin;
    /// let p = Pin::parse("sha256/vaODjC9mJwC/Ynq6NAx2NfU0zd3zDOzfqkWQuJG9TQA=").unwrap();
    /// assert!(matches!(p, Pin::Spki(_)));
    /// assert_eq!(p.to_string(), "sha256/vaODjC9mJwC/Ynq6NAx2NfU0zd3zDOzfqkWQuJG9TQA=");
    /// assert!(Pin::parse("sha256/short").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Pin, CertError> {
        let text = text.trim();
        let (cert, rest) = if let Some(r) = strip_prefix_ci(text, "cert-sha256/") {
            (true, r)
        } else if let Some(r) = strip_prefix_ci(text, "sha256/") {
            (false, r)
        } else {
            (false, text)
        };
        let hash = parse_hash(rest)?;
        Ok(if cert { Pin::Cert(hash) } else { Pin::Spki(hash) })
    }

    /// The SPKI pin of a DER SubjectPublicKeyInfo.
    pub fn of_spki(spki_der: &[u8]) -> Pin {
        Pin::Spki(Sha256::digest(spki_der).into())
    }

    /// The SPKI pin of the key in a DER certificate, or `None` if it cannot be found.
    pub fn spki_of_certificate(cert_der: &[u8]) -> Option<Pin> {
        certificate_spki(cert_der).map(Pin::of_spki)
    }

    /// The certificate pin (SHA-256 of the whole DER certificate).
    pub fn of_certificate(cert_der: &[u8]) -> Pin {
        Pin::Cert(Sha256::digest(cert_der).into())
    }

    /// True if this pin matches the DER certificate `cert_der`.
    pub fn matches(&self, cert_der: &[u8]) -> bool {
        match self {
            Pin::Spki(h) => certificate_spki(cert_der).is_some_and(|s| Sha256::digest(s)[..] == h[..]),
            Pin::Cert(h) => Sha256::digest(cert_der)[..] == h[..],
        }
    }

    /// The 32 hash bytes.
    pub fn hash(&self) -> &[u8; 32] {
        match self {
            Pin::Spki(h) | Pin::Cert(h) => h,
        }
    }

    /// The hash as 64 lowercase hex digits (without the kind).
    pub fn hex(&self) -> HexPin {
        HexPin(*self.hash())
    }
}

/// Lowercase hex of a pin's hash, from [`Pin::hex`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HexPin([u8; 32]);

impl core::fmt::Display for HexPin {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

fn parse_hash(s: &str) -> Result<[u8; 32], CertError> {
    let mut out = [0u8; 32];
    let hex_digits = s.bytes().filter(|b| b.is_ascii_hexdigit()).count();
    let only_hex = s.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b' ');
    if only_hex && hex_digits == 64 {
        let mut n = 0usize;
        let mut hi: Option<u8> = None;
        for b in s.bytes() {
            let v = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => continue,
            };
            match hi.take() {
                None => hi = Some(v),
                Some(h) => {
                    if let Some(slot) = out.get_mut(n) {
                        *slot = (h << 4) | v;
                    }
                    n += 1;
                }
            }
        }
        return Ok(out);
    }
    if s.len() != 44 {
        return Err(CertError::BadPin { reason: "expected 44 base64 characters or 64 hex digits for a SHA-256 hash" });
    }
    match Base64::decode(s, &mut out) {
        Ok(d) if d.len() == 32 => Ok(out),
        _ => Err(CertError::BadPin { reason: "the base64 text does not decode to 32 bytes" }),
    }
}

impl core::fmt::Display for Pin {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut buf = [0u8; 44];
        let (prefix, h) = match self {
            Pin::Spki(h) => ("sha256/", h),
            Pin::Cert(h) => ("cert-sha256/", h),
        };
        f.write_str(prefix)?;
        f.write_str(Base64::encode(h, &mut buf).map_err(|_| core::fmt::Error)?)
    }
}

impl core::fmt::Debug for Pin {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Pin({self})")
    }
}

/// The text form ([`Pin::parse`] reads it back), formatted on the device.
#[cfg(feature = "defmt")]
impl defmt::Format for Pin {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{}", defmt::Display2Format(self));
    }
}

/// Trusts a server whose chain contains a pinned key or certificate.
///
/// - A pin matching the **leaf** is enough on its own: the server proved (in
///   CertificateVerify) that it holds that exact key, so the name and dates of
///   the leaf are not checked. This suits self-signed certificates of home
///   brokers and test servers.
/// - A pin matching a **CA certificate** in the chain (needs `alloc`) makes
///   that certificate a trust anchor: the chain from the leaf to it is then
///   fully verified as by [`CaVerifier`](crate::x509::CaVerifier), name and
///   dates included.
///
/// Several pins may be given (e.g. the current key and the next one, for rotation).
///
/// ```
/// use embertls::x509::{Pin, PinVerifier};
/// let pins = [Pin::parse("sha256/vaODjC9mJwC/Ynq6NAx2NfU0zd3zDOzfqkWQuJG9TQA=").unwrap()];
/// let verifier = PinVerifier::new(&pins);
/// ```
#[derive(Clone, Debug)]
pub struct PinVerifier<'a> {
    pins: &'a [Pin],
    #[cfg(feature = "alloc")]
    options: crate::x509::path::Options,
}

impl<'a> PinVerifier<'a> {
    /// A verifier accepting chains that contain one of `pins`.
    pub fn new(pins: &'a [Pin]) -> Self {
        PinVerifier {
            pins,
            #[cfg(feature = "alloc")]
            options: crate::x509::path::Options::default(),
        }
    }

    /// The configured pins.
    pub fn pins(&self) -> &'a [Pin] {
        self.pins
    }

    /// When a CA pin is used, do not check validity dates (for devices without a clock).
    #[cfg(feature = "alloc")]
    pub fn skip_time_checks(mut self) -> Self {
        self.options.check_time = false;
        self
    }

    /// The certificate profile for the chain below a pinned CA (default
    /// [`Profile::Strict`](crate::x509::Profile::Strict)); a pin of the
    /// server's own key or certificate involves no chain and no profile.
    #[cfg(feature = "alloc")]
    pub fn profile(mut self, profile: crate::x509::Profile) -> Self {
        self.options.profile = profile;
        self
    }

    fn leaf_pinned(&self, leaf: &[u8]) -> bool {
        self.pins.iter().any(|p| p.matches(leaf))
    }
}

impl ServerVerifier for PinVerifier<'_> {
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
        #[cfg(not(feature = "alloc"))]
        let _ = crypto;
        let leaf = chain.leaf().ok_or(CertError::NoCertificate)?;
        if self.leaf_pinned(leaf) {
            return Ok(Trust::Verified);
        }
        #[cfg(feature = "alloc")]
        {
            let mut best: Option<CertError> = None;
            for ca in chain.iter().skip(1) {
                if !self.pins.iter().any(|p| p.matches(ca)) {
                    continue;
                }
                let anchors = match crate::x509::TrustAnchors::from_der(ca) {
                    Ok(a) => a,
                    Err(_) => continue,
                };
                match crate::x509::path::verify_chain(
                    anchors.as_slice(),
                    chain,
                    Some(server_name),
                    now,
                    &self.options,
                    &mut *crypto,
                ) {
                    Ok(()) => return Ok(Trust::Verified),
                    Err(e) => {
                        if best.as_ref().is_none_or(|b| e.rank() > b.rank()) {
                            best = Some(e);
                        }
                    }
                }
            }
            if let Some(e) = best {
                return Err(e);
            }
        }
        #[cfg(not(feature = "alloc"))]
        let _ = (server_name, now);
        Err(CertError::PinMismatch { leaf: Pin::spki_of_certificate(leaf), configured: self.pins.len() })
    }

    /// A digest of the pins and the options.
    fn trust_id(&self) -> Option<TrustId> {
        let mut h = TrustId::hasher("embertls PinVerifier");
        #[cfg(feature = "alloc")]
        self.options.add_to(&mut h);
        for p in self.pins {
            h.part(&[u8::from(matches!(p, Pin::Cert(_)))]).part(p.hash());
        }
        Some(h.finish())
    }
}
