//! Record layer (RFC 8446 §5): framing, protection, and the engine's
//! receive and send buffers.

mod inbound;
mod outbound;
mod protect;

pub use inbound::{Inbound, RecordRange};
pub use outbound::{FillError, Outbound, Staged};
pub use protect::{KeyUsage, Opened, Protection, ReadKeys, KEY_UPDATE_AT, PEER_KEY_LIMIT};

use crate::codec::Reader;
use crate::error::{Error, Misbehavior};
use crate::msgs::enums::ContentType;

/// Bytes of a record header.
pub const HEADER_LEN: usize = 5;
/// Largest TLSPlaintext.fragment (RFC 8446 §5.1).
pub const MAX_PLAINTEXT: usize = 1 << 14;
/// Largest TLSCiphertext.encrypted_record (RFC 8446 §5.2).
pub const MAX_CIPHERTEXT: usize = MAX_PLAINTEXT + 256;
/// A receive buffer of this size holds any record a server may send.
pub const MAX_RECORD: usize = HEADER_LEN + MAX_CIPHERTEXT;
/// The most bytes protection adds to a record (TLS 1.2 AES-GCM: explicit
/// nonce and tag; TLS 1.3: inner content type and tag).
pub const PROTECTION_OVERHEAD: usize = 8 + crate::crypto::TAG_LEN;

/// A record header (RFC 8446 §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Outer content type.
    pub typ: ContentType,
    /// legacy_record_version.
    pub version: u16,
    /// Length of the fragment.
    pub len: usize,
}

impl Header {
    /// Parses the first five bytes of `buf`, `None` if fewer are there.
    pub fn parse(buf: &[u8]) -> Option<Result<Self, Error>> {
        let mut r = Reader::new(buf.get(..HEADER_LEN)?);
        let (Ok(t), Ok(version), Ok(len)) = (r.u8(""), r.u16(""), r.u16("")) else {
            return None;
        };
        let typ = ContentType::from_wire(t);
        if matches!(typ, ContentType::Unknown(_)) || version >> 8 != 3 {
            return Some(Err(Misbehavior::BadRecord.into()));
        }
        let len = len as usize;
        if len > MAX_CIPHERTEXT {
            return Some(Err(Error::RecordOverflow { size: len, limit: MAX_CIPHERTEXT }));
        }
        Some(Ok(Header { typ, version, len }))
    }

    /// Writes a header (version 0x0303, RFC 8446 §5.1) into `out[..5]`.
    pub fn write(typ: ContentType, len: usize, out: &mut [u8]) {
        out[0] = typ.to_wire();
        out[1..3].copy_from_slice(&0x0303u16.to_be_bytes());
        out[3..5].copy_from_slice(&(len as u16).to_be_bytes());
    }
}
