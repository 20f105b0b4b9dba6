//! ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4).

use super::enums::CipherSuite;
use super::extensions::{Extensions, ExtensionsError};
use crate::codec::{Reader, WriteError, Writer};

/// The random of a HelloRetryRequest: SHA-256("HelloRetryRequest") (§4.1.3).
pub const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11,
    0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Last 8 bytes of ServerHello.random from a TLS 1.3 server negotiating
/// TLS 1.2 ("DOWNGRD" 01) or below ("DOWNGRD" 00) (§4.1.3).
pub const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";
/// See [`DOWNGRADE_TLS12`].
pub const DOWNGRADE_TLS11: [u8; 8] = *b"DOWNGRD\x00";

/// A parsed ServerHello.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerHello<'a> {
    /// legacy_version.
    pub legacy_version: u16,
    /// random.
    pub random: [u8; 32],
    /// legacy_session_id_echo.
    pub session_id: &'a [u8],
    /// cipher_suite.
    pub cipher_suite: CipherSuite,
    /// legacy_compression_method.
    pub compression: u8,
    /// extensions.
    pub extensions: Extensions<'a>,
}

impl<'a> ServerHello<'a> {
    /// Parses a ServerHello body.
    pub fn decode(body: &'a [u8]) -> Result<Self, ExtensionsError> {
        let mut r = Reader::new(body);
        let legacy_version = r.u16("ServerHello.legacy_version")?;
        let random = r.array("ServerHello.random")?;
        let session_id = r.vec8_bounded(0, 32, "ServerHello.legacy_session_id_echo")?;
        let cipher_suite = CipherSuite::from_wire(r.u16("ServerHello.cipher_suite")?);
        let compression = r.u8("ServerHello.legacy_compression_method")?;
        let extensions = Extensions::read(&mut r)?;
        r.finish("ServerHello (trailing bytes)").map_err(ExtensionsError::Decode)?;
        Ok(ServerHello { legacy_version, random, session_id, cipher_suite, compression, extensions })
    }

    /// True for a HelloRetryRequest.
    pub fn is_hello_retry_request(&self) -> bool {
        self.random == HRR_RANDOM
    }

    /// True if the random carries a downgrade sentinel.
    pub fn has_downgrade_sentinel(&self) -> bool {
        let tail = &self.random[24..];
        tail == DOWNGRADE_TLS12 || tail == DOWNGRADE_TLS11
    }

    /// Writes the body.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        w.u16(self.legacy_version)?;
        w.bytes(&self.random)?;
        w.vec(1, self.session_id)?;
        w.u16(self.cipher_suite.to_wire())?;
        w.u8(self.compression)?;
        self.extensions.encode(w)
    }
}
