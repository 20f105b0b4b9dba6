//! The handshake message header (RFC 8446 §4) and the small messages:
//! Finished (§4.4.4) and KeyUpdate (§4.6.3).

use super::enums::HandshakeType;
use crate::codec::{DecodeError, Reader, WriteError, Writer};

/// A handshake message split into type and body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandshakeMessage<'a> {
    /// msg_type.
    pub typ: HandshakeType,
    /// The body (after the 4-byte header).
    pub body: &'a [u8],
}

impl<'a> HandshakeMessage<'a> {
    /// Splits a whole message (header included) as returned by the reassembler.
    pub fn decode(msg: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(msg);
        let typ = HandshakeType::from_wire(r.u8("Handshake.msg_type")?);
        let body = r.vec24("Handshake.length")?;
        r.finish("Handshake (trailing bytes)")?;
        Ok(HandshakeMessage { typ, body })
    }
}

/// Writes a handshake message: header, then the body `body` writes.
pub fn write_handshake(
    w: &mut Writer<'_>,
    typ: HandshakeType,
    body: impl FnOnce(&mut Writer<'_>) -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    w.u8(typ.to_wire())?;
    let m = w.begin(3)?;
    body(w)?;
    w.end(m)
}

/// KeyUpdateRequest (RFC 8446 §4.6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyUpdateRequest {
    /// update_not_requested (0).
    NotRequested,
    /// update_requested (1).
    Requested,
}

impl KeyUpdateRequest {
    /// Parses a KeyUpdate body; `None` for a value other than 0 or 1.
    pub fn decode(body: &[u8]) -> Result<Option<Self>, DecodeError> {
        let mut r = Reader::new(body);
        let v = r.u8("KeyUpdate.request_update")?;
        r.finish("KeyUpdate (trailing bytes)")?;
        Ok(match v {
            0 => Some(KeyUpdateRequest::NotRequested),
            1 => Some(KeyUpdateRequest::Requested),
            _ => None,
        })
    }

    /// The wire value.
    pub fn to_wire(self) -> u8 {
        match self {
            KeyUpdateRequest::NotRequested => 0,
            KeyUpdateRequest::Requested => 1,
        }
    }
}
