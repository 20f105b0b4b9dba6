//! X.509 certificate chain verification (RFC 5280 §6) for server authentication.

mod error;

pub use error::CertError;
