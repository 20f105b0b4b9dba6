//! Wire formats of TLS handshake messages and extensions (RFC 8446 §4; TLS 1.2
//! additions, RFC 5246 §7.4, in [`tls12`]).
//!
//! Each message has `decode` (strict: bad lengths, duplicate extensions and
//! trailing bytes are refused) and `encode`; each extension block a typed
//! set that follows the RFC 8446 §4.2 table (see [`extensions`]). No state
//! lives here.

pub mod certificate;
pub mod certificate_request;
pub mod certificate_verify;
pub mod client_hello;
pub mod encrypted_extensions;
pub mod enums;
pub mod extensions;
pub mod handshake;
pub mod new_session_ticket;
pub mod server_hello;
pub mod tls12;
