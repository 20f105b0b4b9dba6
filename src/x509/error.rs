//! Why a certificate chain was refused, with what to do about it.

use crate::msgs::enums::AlertDescription;

/// A certificate check failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertError {
    /// The server sent no certificate.
    NoCertificate,
    /// The chain was not accepted by a custom verifier.
    NotTrusted {
        /// The verifier's reason.
        reason: &'static str,
    },
}

impl CertError {
    /// The alert this failure sends (RFC 8446 §6.2).
    pub fn alert(&self) -> AlertDescription {
        match self {
            CertError::NoCertificate => AlertDescription::DecodeError,
            CertError::NotTrusted { .. } => AlertDescription::BadCertificate,
        }
    }
}

impl core::fmt::Display for CertError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            CertError::NoCertificate => f.write_str(
                "the server sent an empty Certificate message; a TLS 1.3 server must authenticate (RFC 8446 §4.4.2)",
            ),
            CertError::NotTrusted { reason } => write!(f, "the server's certificate was not accepted: {reason}"),
        }
    }
}
