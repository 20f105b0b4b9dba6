//! X.509 certificate chain verification (RFC 5280 §6) for server authentication.
//!
//! Ways to trust a server, all implementing [`ServerVerifier`](crate::ServerVerifier):
//! - [`CaVerifier`]: a chain to configured [`TrustAnchors`] (root CAs, or the
//!   server's own self-signed certificate), and the server name (needs `alloc`);
//! - [`PinVerifier`]: a SHA-256 [`Pin`] of the server's key or certificate
//!   (leaf pins work without `alloc`);
//! - [`TrustOnFirstUse`]: **not verification**; records the first server's pin
//!   for later use with [`PinVerifier`] (needs `alloc`);
//! - [`DangerAcceptAnyServer`](crate::DangerAcceptAnyServer): no check at all.
//!
//! [`ChainRecorder`] wraps any of them to keep a [`ChainSummary`] of what the
//! server sent. Every refusal is a [`CertError`] whose `Display` says what to do.

#[cfg(feature = "alloc")]
mod anchors;
#[cfg(feature = "alloc")]
mod cert;
#[cfg(feature = "alloc")]
mod constraints;
mod error;
#[cfg(feature = "alloc")]
mod name;
#[cfg(feature = "alloc")]
pub(crate) mod path;
mod pin;
mod profile;
#[cfg(feature = "alloc")]
mod rules;
#[cfg(feature = "alloc")]
mod sigalg;
mod static_anchor;
#[cfg(feature = "alloc")]
mod summary;
#[cfg(feature = "alloc")]
mod tofu;
#[cfg(feature = "alloc")]
mod verifier;

#[cfg(feature = "alloc")]
pub use anchors::{TrustAnchor, TrustAnchors};
pub use error::CertError;
#[cfg(feature = "alloc")]
pub use error::CertId;
#[cfg(feature = "alloc")]
pub use name::dns_name_matches;
pub use pin::{HexPin, Pin, PinVerifier};
pub use profile::{Profile, Rule};
pub use static_anchor::StaticAnchor;
#[cfg(feature = "alloc")]
pub use summary::{CertSummary, ChainRecorder, ChainSummary};
#[cfg(feature = "alloc")]
pub use tofu::{FirstUse, TrustOnFirstUse};
#[cfg(feature = "alloc")]
pub use verifier::CaVerifier;
