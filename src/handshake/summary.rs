//! What a finished handshake negotiated.

use crate::msgs::enums::{CipherSuite, NamedGroup, ProtocolVersion};
use crate::verify::{ServerName, Trust};

/// The outcome of a completed handshake, for logs and decisions.
///
/// ```
/// # fn show(s: embertls::HandshakeSummary<'_>) {
/// println!("{} {} verified={}", s.version, s.cipher_suite, s.is_verified());
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HandshakeSummary<'a> {
    /// The protocol version.
    pub version: ProtocolVersion,
    /// The cipher suite.
    pub cipher_suite: CipherSuite,
    /// The key exchange group (`None` for a PSK-only handshake).
    pub group: Option<NamedGroup>,
    /// The ALPN protocol the server selected.
    pub alpn: Option<&'a [u8]>,
    /// The server name the client asked for.
    pub server_name: ServerName<'a>,
    /// How the server was authenticated.
    pub trust: Trust,
    /// Whether a HelloRetryRequest was needed.
    pub hello_retry: bool,
    /// The largest record plaintext either side sends, when the server agreed
    /// to a smaller size than 16 384 (record_size_limit or max_fragment_length).
    pub max_fragment: Option<usize>,
    /// Whether a session ticket was accepted (resumption, RFC 8446 §2.2).
    pub resumed: bool,
}

impl HandshakeSummary<'_> {
    /// True when the server was authenticated: its certificate verified, or
    /// it proved knowledge of the external PSK (not the insecure mode).
    pub fn is_verified(&self) -> bool {
        matches!(self.trust, Trust::Verified | Trust::PreSharedKey)
    }
}
