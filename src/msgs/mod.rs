//! Wire formats of TLS handshake messages and extensions (RFC 8446 §4).
//!
//! Each message has `decode` (strict: unknown lengths, duplicates and
//! trailing bytes are refused) and `encode`. No state lives here.

pub mod certificate;
pub mod enums;
