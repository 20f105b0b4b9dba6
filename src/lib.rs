//! embertls: a sans-I/O TLS 1.3 client engine for microcontrollers and hosts.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod codec;
pub mod crypto;
mod error;
pub mod record;
pub mod key_schedule;
pub mod msgs;
mod verify;
pub mod x509;

pub use msgs::certificate::CertificateChain;
pub use verify::{DangerAcceptAnyServer, ServerName, ServerVerification, ServerVerifier, Trust, UnixTime};
pub use x509::CertError;
pub use error::{Error, Incompatibility, Misbehavior, Received};
