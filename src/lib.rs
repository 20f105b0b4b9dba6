//! embertls: a sans-I/O TLS 1.3 and TLS 1.2 client engine for microcontrollers and hosts.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;
// Lets lib tests share the integration tests' rustls peer (tests/common/peer.rs).
#[cfg(all(test, feature = "std"))]
extern crate self as embertls;

mod auth;
mod client;
pub mod codec;
mod config;
pub mod crypto;
mod error;
mod handshake;
#[cfg(any(feature = "embedded-io", feature = "embedded-io-async"))]
pub mod io;
pub mod key_schedule;
pub mod msgs;
#[cfg(feature = "alloc")]
pub mod pem;
mod psk;
pub mod record;
#[cfg(feature = "std")]
mod stream;
mod suite;
#[cfg(feature = "alloc")]
mod sync;
mod ticket;
mod verify;
pub mod x509;

#[cfg(feature = "alloc")]
pub use auth::{BoxedRng, RsaSigner, MAX_RSA_CLIENT_BITS, MIN_RSA_CLIENT_BITS};
pub use auth::{ClientIdentity, EcdsaP256Signer, EcdsaP384Signer, SignError, Signer, SoftwareSigner};
pub use client::{Client, Event};
pub use config::{ClientConfig, ConnectOptions, DEFAULT_CIPHER_SUITES, DEFAULT_GROUPS, MIN_RSA_BITS_FLOOR};
pub use error::{Error, Incompatibility, Misbehavior, Received};
pub use handshake::limits::Flood;
pub use handshake::HandshakeSummary;
#[cfg(feature = "embedded-io-async")]
pub use io::AsyncTlsStream;
#[cfg(feature = "embedded-io")]
pub use io::EmbeddedTlsStream;
#[cfg(any(feature = "embedded-io", feature = "embedded-io-async"))]
pub use io::TlsIoError;
pub use msgs::certificate::CertificateChain;
pub use msgs::enums::{AlertDescription, CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};
pub use psk::{ExternalPsk, PskMode};
pub use record::MAX_RECORD;
#[cfg(feature = "std")]
pub use stream::{TlsStream, DEFAULT_RECEIVE_BUFFER, DEFAULT_SEND_BUFFER};
pub use ticket::SessionTicket;
pub use verify::{
    DangerAcceptAnyServer, ServerName, ServerVerification, ServerVerifier, Trust, TrustId, TrustIdHasher, UnixTime,
};
pub use x509::CertError;
#[cfg(feature = "alloc")]
pub use x509::{CaVerifier, ChainRecorder, ChainSummary, TrustAnchors, TrustOnFirstUse};
pub use x509::{Pin, PinVerifier};
