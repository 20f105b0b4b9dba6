//! embertls: a sans-I/O TLS 1.3 and TLS 1.2 client engine for microcontrollers and hosts.
//!
//! The rest of this page is the README; its Rust code blocks are compiled (and most run) as doctests.
#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
// docs.rs (`[package.metadata.docs.rs]`): label items with the features they need.
#![cfg_attr(docsrs, feature(doc_cfg))]
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
#[cfg(feature = "__internal")]
#[doc(hidden)]
pub mod codec;
#[cfg(not(feature = "__internal"))]
#[allow(dead_code, unused_imports)] // parts only tests, fuzz and benches use
mod codec;
mod config;
#[cfg(feature = "__internal")]
#[doc(hidden)]
pub mod crypto;
#[cfg(not(feature = "__internal"))]
#[allow(dead_code, unused_imports)] // parts only tests, fuzz and benches use
mod crypto;
#[cfg(any(feature = "std", feature = "embedded-io", feature = "embedded-io-async"))]
mod drive;
mod error;
mod handshake;
#[cfg(any(feature = "embedded-io", feature = "embedded-io-async"))]
pub mod io;
#[cfg(feature = "__internal")]
#[doc(hidden)]
pub mod key_schedule;
#[cfg(not(feature = "__internal"))]
#[allow(dead_code, unused_imports)] // parts only tests, fuzz and benches use
mod key_schedule;
#[cfg(feature = "danger-keylog")]
pub mod keylog;
#[cfg(feature = "__internal")]
#[doc(hidden)]
pub mod msgs;
#[cfg(not(feature = "__internal"))]
#[allow(dead_code, unused_imports)] // parts only tests, fuzz and benches use
mod msgs;
#[cfg(feature = "alloc")]
pub mod pem;
pub mod provider;
mod psk;
#[cfg(feature = "__internal")]
#[doc(hidden)]
pub mod record;
#[cfg(not(feature = "__internal"))]
#[allow(dead_code, unused_imports)] // parts only tests, fuzz and benches use
mod record;
#[cfg(feature = "std")]
mod stream;
mod suite;
#[cfg(feature = "alloc")]
mod sync;
mod ticket;
mod trace;
mod verify;
pub mod x509;

#[cfg(feature = "alloc")]
pub use auth::{BoxedRng, RsaSigner, MAX_RSA_CLIENT_BITS, MIN_RSA_CLIENT_BITS};
pub use auth::{ClientIdentity, EcdsaP256Signer, EcdsaP384Signer, SignError, Signer, SoftwareSigner};
pub use client::{Client, Event};
pub use config::{ClientConfig, ConnectOptions, DEFAULT_CIPHER_SUITES, DEFAULT_GROUPS, MIN_RSA_BITS_FLOOR};
pub use error::{CertRefusal, Error, Incompatibility, Misbehavior, Received};
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
pub use provider::{CryptoProvider, RustCrypto};
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
