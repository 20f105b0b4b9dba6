//! Bounds-checked reading and writing of TLS wire structures
//! (RFC 8446 §3 presentation language).
//!
//! Nothing here indexes past its input: every read returns a
//! [`DecodeError`] naming the field that did not fit.

mod reader;
mod writer;

pub use reader::{DecodeError, Reader};
pub use writer::{LengthMark, WriteError, Writer};
