//! The client handshake as explicit states with typed transitions.
//!
//! One ClientHello ([`hello`]) offers TLS 1.3 and/or TLS 1.2; the server's
//! ServerHello picks the state machine: [`tls13`] (RFC 8446) or [`tls12`]
//! (RFC 5246). Each state holds only what is valid at that point, and each
//! transition consumes its state: a message out of order has no transition
//! and ends in [`Error::UnexpectedMessage`](crate::Error::UnexpectedMessage)
//! with alert unexpected_message (RFC 8446 §6.2, RFC 5246 §7.2.2).

pub(crate) mod hello;
pub(crate) mod limits;
#[cfg(test)]
mod rfc8448_tests;
pub(crate) mod shared;
pub(crate) mod state;
mod summary;
pub(crate) mod tls12;
pub(crate) mod tls13;

pub(crate) use crate::msgs::client_hello::Offered;
pub use summary::HandshakeSummary;

pub(crate) use crate::suite::{KeyExchange, SchemeAlg, Suite};
