//! Why a certificate chain was refused, with what to do about it.
//!
//! Every refusal is one [`CertError`] variant carrying the context a user
//! needs (which certificate, which name, which time), and its `Display`
//! text ends with what to do about it.

#[cfg(feature = "alloc")]
use alloc::{boxed::Box, string::String, vec::Vec};

#[cfg(feature = "alloc")]
use crate::x509::cert::format_time;

use crate::msgs::enums::AlertDescription;
use crate::x509::pin::Pin;
#[cfg(feature = "alloc")]
use crate::x509::profile::Rule;

/// Names one certificate in an error: its position, subject and issuer
/// (RFC 4514 strings). Boxed, so that [`CertError`] stays small.
#[cfg(feature = "alloc")]
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CertId(Box<CertIdData>);

#[cfg(feature = "alloc")]
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct CertIdData {
    position: Option<usize>,
    subject: String,
    issuer: String,
}

#[cfg(feature = "alloc")]
impl CertId {
    pub(crate) fn new(position: Option<usize>, subject: String, issuer: String) -> Self {
        CertId(Box::new(CertIdData { position, subject, issuer }))
    }

    /// Position in the chain as the server sent it (0 = leaf), or `None` for a trust anchor.
    pub fn position(&self) -> Option<usize> {
        self.0.position
    }

    /// The subject distinguished name, e.g. `CN=broker.example.com`.
    pub fn subject(&self) -> &str {
        &self.0.subject
    }

    /// The issuer distinguished name.
    pub fn issuer(&self) -> &str {
        &self.0.issuer
    }
}

#[cfg(feature = "alloc")]
impl core::fmt::Display for CertId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.position() {
            Some(0) => f.write_str("the server's certificate ")?,
            Some(n) => write!(f, "certificate #{n} of the server's chain ")?,
            None => f.write_str("trust anchor ")?,
        }
        write!(f, "\"{}\" (issued by \"{}\")", self.subject(), self.issuer())
    }
}

/// A certificate check failed.
///
/// Variants other than [`CertError::NoCertificate`], [`CertError::NotTrusted`],
/// [`CertError::NoClock`], [`CertError::PinMismatch`] and [`CertError::BadPin`]
/// need the `alloc` feature. `Display` says what went wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CertError {
    /// The server sent no certificate.
    NoCertificate,
    /// The chain was not accepted by a custom verifier.
    NotTrusted {
        /// The verifier's reason.
        reason: &'static str,
    },
    /// The caller passed no time, and the verifier was not configured to skip
    /// validity checks (RFC 5280 §6.1.3 (a)(2) needs the current time).
    NoClock,
    /// No configured pin matched any certificate of the chain.
    PinMismatch {
        /// The SPKI pin of the server's leaf certificate, when it could be read.
        leaf: Option<Pin>,
        /// How many pins were configured.
        configured: usize,
    },
    /// A pin given in the configuration could not be parsed.
    BadPin {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A certificate could not be parsed (RFC 5280 §4.1).
    #[cfg(feature = "alloc")]
    Malformed {
        /// Position in the chain as sent (0 = leaf).
        position: usize,
        /// What could not be parsed.
        detail: String,
    },
    /// A certificate's fields contradict each other (RFC 5280 §4.1.1.2, §4.1.2.1).
    #[cfg(feature = "alloc")]
    Inconsistent {
        /// The certificate.
        cert: CertId,
        /// What is inconsistent.
        detail: &'static str,
    },
    /// A certificate's notAfter is before the time used (RFC 5280 §4.1.2.5).
    #[cfg(feature = "alloc")]
    Expired {
        /// The certificate.
        cert: CertId,
        /// Its notBefore, seconds since 1970.
        not_before: u64,
        /// Its notAfter, seconds since 1970.
        not_after: u64,
        /// The time used, seconds since 1970.
        now: u64,
    },
    /// A certificate's notBefore is after the time used (RFC 5280 §4.1.2.5).
    #[cfg(feature = "alloc")]
    NotYetValid {
        /// The certificate.
        cert: CertId,
        /// Its notBefore, seconds since 1970.
        not_before: u64,
        /// Its notAfter, seconds since 1970.
        not_after: u64,
        /// The time used, seconds since 1970.
        now: u64,
    },
    /// The leaf is not valid for the name the client asked for (RFC 6125 §6, RFC 9525 §6.3).
    #[cfg(feature = "alloc")]
    NameMismatch {
        /// The leaf certificate.
        cert: CertId,
        /// The name the client asked for.
        expected: String,
        /// The subjectAltName dNSName and iPAddress entries of the leaf.
        presented: Vec<String>,
    },
    /// The name the client asked for cannot be matched at all.
    #[cfg(feature = "alloc")]
    InvalidServerName {
        /// The name.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// No path from the chain reached a trust anchor (RFC 5280 §6.1).
    #[cfg(feature = "alloc")]
    UnknownIssuer {
        /// The topmost certificate reached; its issuer is unknown.
        cert: CertId,
        /// How many anchors were configured.
        anchors: usize,
    },
    /// A signature on a certificate did not verify with its issuer's key (RFC 5280 §6.1.3 (a)(1)).
    #[cfg(feature = "alloc")]
    BadSignature {
        /// The signed certificate.
        cert: CertId,
        /// The subject of the candidate issuer whose key was used.
        signer: String,
    },
    /// A certificate names a trust anchor as its issuer but its signature does
    /// not verify with that anchor's key (RFC 5280 §6.1.3 (a)(1)): a
    /// different CA with the same name issued it.
    #[cfg(feature = "alloc")]
    AnchorKeyMismatch {
        /// The certificate whose issuer name matches the anchor.
        cert: CertId,
        /// The anchor's subject.
        anchor: String,
    },
    /// A certificate is signed with SHA-1 or MD5, which are refused.
    #[cfg(feature = "alloc")]
    WeakSignatureAlgorithm {
        /// The certificate.
        cert: CertId,
        /// The algorithm, e.g. `sha1WithRSAEncryption`.
        algorithm: &'static str,
    },
    /// A certificate is signed with an algorithm embertls does not implement.
    #[cfg(feature = "alloc")]
    UnsupportedSignatureAlgorithm {
        /// The certificate.
        cert: CertId,
        /// The algorithm (OID or description).
        algorithm: String,
    },
    /// A public key of an unsupported type.
    #[cfg(feature = "alloc")]
    UnsupportedKey {
        /// The certificate holding the key.
        cert: CertId,
        /// What kind of key.
        detail: String,
    },
    /// An RSA key outside the allowed sizes.
    #[cfg(feature = "alloc")]
    KeySize {
        /// The certificate holding the key.
        cert: CertId,
        /// The modulus size found.
        bits: u32,
        /// The smallest size allowed.
        min: u32,
        /// The largest size allowed.
        max: u32,
    },
    /// A certificate used as an issuer is not a CA (RFC 5280 §4.2.1.9, §6.1.4 (k)).
    #[cfg(feature = "alloc")]
    NotCa {
        /// The certificate.
        cert: CertId,
    },
    /// A CA's pathLenConstraint is exceeded (RFC 5280 §4.2.1.9, §6.1.4 (m)).
    #[cfg(feature = "alloc")]
    PathLenExceeded {
        /// The CA with the constraint.
        cert: CertId,
        /// Its pathLenConstraint.
        path_len: u8,
        /// How many intermediate CAs follow it.
        below: usize,
    },
    /// A certificate's keyUsage lacks a needed bit (RFC 5280 §4.2.1.3).
    #[cfg(feature = "alloc")]
    MissingKeyUsage {
        /// The certificate.
        cert: CertId,
        /// The missing bit, e.g. `keyCertSign`.
        needed: &'static str,
    },
    /// A certificate's extendedKeyUsage does not allow TLS servers (RFC 5280 §4.2.1.12).
    #[cfg(feature = "alloc")]
    NoServerAuth {
        /// The certificate.
        cert: CertId,
        /// The purposes it lists.
        usages: Vec<String>,
    },
    /// A critical extension embertls does not process (RFC 5280 §4.2).
    #[cfg(feature = "alloc")]
    UnknownCriticalExtension {
        /// The certificate.
        cert: CertId,
        /// The extension's OID.
        oid: String,
    },
    /// A name in a certificate violates a CA's nameConstraints (RFC 5280 §4.2.1.10).
    #[cfg(feature = "alloc")]
    NameConstraintViolated {
        /// The certificate holding the name.
        cert: CertId,
        /// The name.
        name: String,
        /// The subject of the CA (or anchor) whose constraint it violates.
        constrained_by: String,
        /// How it violates it.
        detail: &'static str,
    },
    /// Every path was longer than the configured maximum depth.
    #[cfg(feature = "alloc")]
    PathTooLong {
        /// The maximum number of certificates in a path (leaf included, anchor excluded).
        max_depth: usize,
    },
    /// Path building stopped after this many signature checks (a bound against
    /// chains crafted to make the client work hard).
    #[cfg(feature = "alloc")]
    TooManySignatureChecks {
        /// The bound.
        limit: u32,
    },
    /// A certificate breaks a rule of the verifier's [`Profile`](crate::x509::Profile)
    /// (RFC 5280, CA/Browser Forum Baseline Requirements §7.1): see [`Rule`].
    /// Rules that only [`Profile::Strict`](crate::x509::Profile::Strict) applies
    /// say so in the message, and that [`Profile::Rfc5280`](crate::x509::Profile::Rfc5280)
    /// relaxes them.
    #[cfg(feature = "alloc")]
    Violation {
        /// The certificate (position `None`: a trust anchor).
        cert: CertId,
        /// The rule.
        rule: Rule,
        /// The offending name or value, when there is one (e.g. a DNS name).
        name: Option<String>,
    },
    /// Name-constraint checking was stopped by its work bound (a chain
    /// crafted to multiply subtrees by names would otherwise take minutes on
    /// a microcontroller).
    #[cfg(feature = "alloc")]
    NameConstraintBudget {
        /// What was bounded: `"name comparisons"` (per verification) or
        /// `"names in one certificate"`.
        what: &'static str,
        /// The bound.
        limit: u32,
    },
    /// A trust anchor given in the configuration could not be used.
    #[cfg(feature = "alloc")]
    BadAnchor {
        /// Index of the certificate in the input (0-based).
        index: usize,
        /// What is wrong with it.
        detail: String,
    },
}

impl CertError {
    /// The alert this failure sends (RFC 8446 §6.2).
    pub fn alert(&self) -> AlertDescription {
        use AlertDescription as A;
        match self {
            CertError::NoCertificate => A::DecodeError,
            CertError::NotTrusted { .. } => A::BadCertificate,
            CertError::NoClock => A::CertificateUnknown,
            CertError::PinMismatch { .. } => A::UnknownCa,
            CertError::BadPin { .. } => A::InternalError,
            #[cfg(feature = "alloc")]
            CertError::Expired { .. } | CertError::NotYetValid { .. } => A::CertificateExpired,
            // The real issuer (same name, other key) is not trusted.
            #[cfg(feature = "alloc")]
            CertError::UnknownIssuer { .. } | CertError::AnchorKeyMismatch { .. } => A::UnknownCa,
            #[cfg(feature = "alloc")]
            CertError::WeakSignatureAlgorithm { .. }
            | CertError::UnsupportedSignatureAlgorithm { .. }
            | CertError::UnsupportedKey { .. }
            | CertError::KeySize { .. } => A::UnsupportedCertificate,
            #[cfg(feature = "alloc")]
            CertError::PathTooLong { .. }
            | CertError::TooManySignatureChecks { .. }
            | CertError::NameConstraintBudget { .. } => A::CertificateUnknown,
            #[cfg(feature = "alloc")]
            CertError::BadAnchor { .. } => A::InternalError,
            #[cfg(feature = "alloc")]
            CertError::Malformed { .. }
            | CertError::Inconsistent { .. }
            | CertError::NameMismatch { .. }
            | CertError::InvalidServerName { .. }
            | CertError::BadSignature { .. }
            | CertError::NotCa { .. }
            | CertError::PathLenExceeded { .. }
            | CertError::MissingKeyUsage { .. }
            | CertError::NoServerAuth { .. }
            | CertError::UnknownCriticalExtension { .. }
            | CertError::NameConstraintViolated { .. }
            | CertError::Violation { .. } => A::BadCertificate,
        }
    }

    /// How useful this error is to report when several candidate paths failed:
    /// an expired or wrongly named certificate beats "unknown issuer".
    #[cfg(feature = "alloc")]
    pub(crate) fn rank(&self) -> u8 {
        match self {
            CertError::UnknownIssuer { .. } => 0,
            CertError::PathTooLong { .. }
            | CertError::TooManySignatureChecks { .. }
            | CertError::NameConstraintBudget { .. } => 1,
            CertError::BadSignature { .. } | CertError::AnchorKeyMismatch { .. } => 2,
            CertError::Expired { .. } | CertError::NotYetValid { .. } | CertError::NameMismatch { .. } => 4,
            _ => 3,
        }
    }
}

#[cfg(feature = "alloc")]
fn write_list(f: &mut core::fmt::Formatter<'_>, items: &[String]) -> core::fmt::Result {
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        f.write_str(s)?;
    }
    Ok(())
}

impl core::fmt::Display for CertError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            CertError::NoCertificate => f.write_str(
                "the server sent an empty Certificate message; a TLS 1.3 server must authenticate (RFC 8446 §4.4.2)",
            ),
            CertError::NotTrusted { reason } => write!(f, "the server's certificate was not accepted: {reason}"),
            CertError::NoClock => f.write_str(
                "no current time was given, so certificate validity dates cannot be checked; pass the time \
                 (seconds since 1970, e.g. from SNTP or an RTC), or configure the verifier with \
                 skip_time_checks() if this device has no clock (expired certificates are then accepted)",
            ),
            CertError::PinMismatch { leaf, configured } => {
                write!(f, "none of the {configured} configured pin(s) matched the server's certificate chain")?;
                if let Some(p) = leaf {
                    write!(f, "; the server's key pin is {p}")?;
                }
                f.write_str(
                    "; if the server's key was legitimately replaced, add the new pin (check it out of band first)",
                )
            }
            CertError::BadPin { reason } => write!(
                f,
                "invalid pin: {reason}; use `sha256/<base64 of SHA-256 of the SubjectPublicKeyInfo>` or 64 hex digits"
            ),
            #[cfg(feature = "alloc")]
            CertError::Malformed { position, detail } => write!(
                f,
                "certificate #{position} of the server's chain could not be parsed ({detail}); \
                 the server sends a corrupt or non-DER certificate, fix its certificate file"
            ),
            #[cfg(feature = "alloc")]
            CertError::Inconsistent { cert, detail } => {
                write!(f, "{cert} is invalid: {detail}; the CA that issued it must reissue it")
            }
            #[cfg(feature = "alloc")]
            CertError::Expired { cert, not_before, not_after, now } => write!(
                f,
                "{cert} expired: valid from {} to {}, but the time used is {}; \
                 renew the certificate on the server, or fix the client's clock if it is wrong",
                format_time(*not_before),
                format_time(*not_after),
                format_time(*now)
            ),
            #[cfg(feature = "alloc")]
            CertError::NotYetValid { cert, not_before, not_after, now } => write!(
                f,
                "{cert} is not valid yet: valid from {} to {}, but the time used is {}; \
                 the client's clock is probably wrong (set it, e.g. with SNTP)",
                format_time(*not_before),
                format_time(*not_after),
                format_time(*now)
            ),
            #[cfg(feature = "alloc")]
            CertError::NameMismatch { cert, expected, presented } => {
                write!(f, "{cert} is not valid for \"{expected}\"; it is valid for: ")?;
                if presented.is_empty() {
                    f.write_str("no names (it has no subjectAltName DNS or IP entries; the common name is not used)")?;
                } else {
                    write_list(f, presented)?;
                }
                f.write_str("; connect using one of those names, or reissue the certificate with a subjectAltName for this name")
            }
            #[cfg(feature = "alloc")]
            CertError::InvalidServerName { name, reason } => {
                write!(f, "the server name \"{name}\" cannot be checked: {reason}")
            }
            #[cfg(feature = "alloc")]
            CertError::UnknownIssuer { cert, anchors } if cert.subject() == cert.issuer() => write!(
                f,
                "{cert} is self-signed and is not one of the {anchors} configured trust anchor(s); if this is \
                 your server's own certificate, add it as a trust anchor (client tool: --ca FILE) or pin its key \
                 (--pin sha256/...)"
            ),
            #[cfg(feature = "alloc")]
            CertError::UnknownIssuer { cert, anchors } => write!(
                f,
                "no trust anchor matched issuer \"{}\" of {cert} ({anchors} anchor(s) configured); \
                 add its root CA certificate with TrustAnchors::add_pem (client tool: --ca FILE), \
                 or pin the server's key",
                cert.issuer()
            ),
            #[cfg(feature = "alloc")]
            CertError::BadSignature { cert, signer } => write!(
                f,
                "the signature on {cert} does not verify with the key of \"{signer}\"; \
                 the server sends the wrong intermediate certificate, or the chain was tampered with"
            ),
            #[cfg(feature = "alloc")]
            CertError::AnchorKeyMismatch { cert, anchor } => write!(
                f,
                "{cert} names trust anchor \"{anchor}\" as its issuer, but its signature does not verify with that \
                 anchor's key: the server's chain comes from a different CA with the same name (the CA re-keyed, or \
                 the anchor file is outdated or wrong); get the CA's current root certificate and check it out of band"
            ),
            #[cfg(feature = "alloc")]
            CertError::WeakSignatureAlgorithm { cert, algorithm } => write!(
                f,
                "{cert} is signed with {algorithm}, which is broken and refused; reissue it with SHA-256 or better"
            ),
            #[cfg(feature = "alloc")]
            CertError::UnsupportedSignatureAlgorithm { cert, algorithm } => write!(
                f,
                "{cert} is signed with an unsupported algorithm ({algorithm}); embertls verifies ECDSA P-256/P-384 \
                 and RSA PKCS#1 v1.5 / PSS with SHA-256/384/512"
            ),
            #[cfg(feature = "alloc")]
            CertError::UnsupportedKey { cert, detail } => write!(
                f,
                "{cert} has an unsupported public key ({detail}); use an ECDSA P-256/P-384 or RSA 2048-8192 key"
            ),
            #[cfg(feature = "alloc")]
            CertError::KeySize { cert, bits, min, max } => write!(
                f,
                "{cert} has a {bits}-bit RSA key, outside the allowed {min} to {max} bits; \
                 reissue it with a larger key (or ECDSA P-256)"
            ),
            #[cfg(feature = "alloc")]
            CertError::NotCa { cert } => write!(
                f,
                "{cert} is used as an issuer but is not a CA (no basicConstraints cA=TRUE); \
                 the server sends a wrong chain, or a leaf certificate was used to sign another"
            ),
            #[cfg(feature = "alloc")]
            CertError::PathLenExceeded { cert, path_len, below } => write!(
                f,
                "{cert} allows {path_len} intermediate CA(s) below it (pathLenConstraint) but the chain has {below}; \
                 the chain is invalid, ask the CA"
            ),
            #[cfg(feature = "alloc")]
            CertError::MissingKeyUsage { cert, needed } => write!(
                f,
                "{cert} has a keyUsage extension without {needed}, so it may not be used this way; reissue it"
            ),
            #[cfg(feature = "alloc")]
            CertError::NoServerAuth { cert, usages } => {
                write!(f, "{cert} is not for TLS servers: its extendedKeyUsage lists ")?;
                write_list(f, usages)?;
                f.write_str(" but not serverAuth (1.3.6.1.5.5.7.3.1); reissue it with serverAuth")
            }
            #[cfg(feature = "alloc")]
            CertError::UnknownCriticalExtension { cert, oid } => write!(
                f,
                "{cert} has a critical extension {oid} that embertls does not understand, so it must be refused \
                 (RFC 5280 §4.2); reissue it without that extension or with it marked non-critical"
            ),
            #[cfg(feature = "alloc")]
            CertError::NameConstraintViolated { cert, name, constrained_by, detail } => write!(
                f,
                "{cert} has the name \"{name}\", which {detail} of the name constraints of \"{constrained_by}\"; \
                 that CA may not issue for this name"
            ),
            #[cfg(feature = "alloc")]
            CertError::PathTooLong { max_depth } => write!(
                f,
                "no path of at most {max_depth} certificates reached a trust anchor; \
                 raise the maximum depth only if the chain is known to be this long"
            ),
            #[cfg(feature = "alloc")]
            CertError::TooManySignatureChecks { limit } => write!(
                f,
                "gave up after {limit} signature checks while building a path; the server sends too many \
                 unrelated or duplicate intermediates, fix its chain file"
            ),
            #[cfg(feature = "alloc")]
            CertError::Violation { cert, rule, name } => {
                write!(f, "{cert} {}", rule.describe())?;
                if let Some(n) = name {
                    write!(f, " (\"{n}\")")?;
                }
                write!(f, ", which {} forbids (rule {rule:?})", rule.section())?;
                if cert.position().is_none() {
                    f.write_str("; replace this trust anchor with a conforming CA certificate")?;
                } else {
                    f.write_str("; the CA must reissue the certificate")?;
                }
                if rule.strict_only() {
                    f.write_str(
                        "; this rule belongs to the default strict (public PKI) profile: for a private CA, \
                         Profile::Rfc5280 relaxes it (client tool: --profile rfc5280)",
                    )?;
                }
                Ok(())
            }
            #[cfg(feature = "alloc")]
            CertError::NameConstraintBudget { what, limit } => write!(
                f,
                "gave up checking name constraints after {limit} {what}; the chain multiplies constraints by \
                 names far beyond any real certificate (a denial-of-service attempt or a broken CA), fix the \
                 server's certificates"
            ),
            #[cfg(feature = "alloc")]
            CertError::BadAnchor { index, detail } => write!(
                f,
                "trust anchor #{index} could not be used ({detail}); give X.509 certificates in PEM \
                 (-----BEGIN CERTIFICATE-----) or DER form"
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for CertError {}
