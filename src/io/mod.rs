//! TLS streams over the `embedded-io` transport traits (features
//! `embedded-io` and `embedded-io-async`).
//!
//! Both streams own a [`crate::Client`] with caller-provided buffers (no
//! allocation) and a transport, run the handshake in `connect`, and then are
//! themselves `Read + Write` with the same traits as the transport, so they
//! slot in wherever a plain socket did (an HTTP or MQTT client, ...).
//!
//! - `EmbeddedTlsStream` (feature `embedded-io`): blocking, over `embedded_io::{Read, Write}`.
//! - `AsyncTlsStream` (feature `embedded-io-async`): async, over `embedded_io_async::{Read, Write}`
//!   (embassy-net's `TcpSocket`, or tokio through `embedded-io-adapters`).

use core::fmt;

use crate::error::Error;

#[cfg(feature = "embedded-io-async")]
mod asynch;
#[cfg(feature = "embedded-io")]
mod blocking;

#[cfg(feature = "embedded-io-async")]
pub use asynch::AsyncTlsStream;
#[cfg(feature = "embedded-io")]
pub use blocking::EmbeddedTlsStream;

/// What went wrong in a TLS stream: the TLS connection or the transport under it.
///
/// `E` is the transport's error type. [`embedded_io::Error::kind`] maps TLS
/// errors onto the nearest [`embedded_io::ErrorKind`]; the full reason is in
/// the `Tls` variant and in the `Display` text.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum TlsIoError<E> {
    /// The TLS connection failed (the engine's error; the connection is dead).
    Tls(Error),
    /// The transport failed.
    Transport(E),
    /// The transport accepted no bytes of a non-empty write.
    WriteZero,
}

impl<E> TlsIoError<E> {
    /// The transport's error, or `WriteZero` (`None`), as [`crate::drive::Drive::settle`] gives it.
    fn transport(failure: Option<E>) -> Self {
        failure.map_or(TlsIoError::WriteZero, TlsIoError::Transport)
    }
}

impl<E> From<Error> for TlsIoError<E> {
    fn from(e: Error) -> Self {
        TlsIoError::Tls(e)
    }
}

impl<E: fmt::Debug> fmt::Display for TlsIoError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsIoError::Tls(e) => fmt::Display::fmt(e, f),
            TlsIoError::Transport(e) => write!(f, "transport error: {e:?}"),
            TlsIoError::WriteZero => f.write_str("the transport accepted no bytes of a write (connection closed?)"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for TlsIoError<E> {}

impl<E: embedded_io::Error> embedded_io::Error for TlsIoError<E> {
    fn kind(&self) -> embedded_io::ErrorKind {
        use embedded_io::ErrorKind as K;
        match self {
            TlsIoError::Transport(e) => e.kind(),
            TlsIoError::WriteZero => K::WriteZero,
            TlsIoError::Tls(e) => match e {
                // No close_notify before EOF: the peer (or a middlebox) dropped the connection.
                Error::Truncated => K::ConnectionAborted,
                Error::Closed => K::NotConnected,
                Error::AlertReceived(_) => K::ConnectionReset,
                Error::ReceiveBufferTooSmall { .. } | Error::SendBufferTooSmall { .. } => K::OutOfMemory,
                Error::Config(_) | Error::Api(_) => K::InvalidInput,
                Error::Internal(_) => K::Other,
                Error::Incompatible(_) => K::Unsupported,
                Error::Certificate(_) | Error::ServerKey(_) | Error::BadSignature { .. } => K::PermissionDenied,
                _ => K::InvalidData,
            },
        }
    }
}

/// The summary a stream holds while its handshake runs in place; never seen
/// by the caller, as `connect` and `handshake` return a stream only once the
/// handshake completed (and set the real one).
fn pending_summary<'a>() -> crate::HandshakeSummary<'a> {
    crate::HandshakeSummary {
        version: crate::ProtocolVersion::Unknown(0),
        cipher_suite: crate::CipherSuite::Unknown(0),
        group: None,
        alpn: None,
        server_name: crate::ServerName::Dns(""),
        trust: crate::Trust::NotVerified,
        hello_retry: false,
        max_fragment: None,
        resumed: false,
    }
}

/// The caller's buffer for the newest session ticket, and what happened to it.
struct TicketStore<'a> {
    buf: Option<&'a mut [u8]>,
    kept: Result<usize, Error>,
}

const NO_TICKET_YET: Error =
    Error::Api("no session ticket yet: TLS 1.3 servers send one after the handshake, read before asking for it");

impl<'a> TicketStore<'a> {
    fn new(buf: Option<&'a mut [u8]>) -> Self {
        let kept = match buf {
            Some(_) => Err(NO_TICKET_YET),
            None => Err(Error::Api("no ticket buffer was given to connect: pass Some(&mut buf) to keep sessions")),
        };
        TicketStore { buf, kept }
    }

    /// Serializes the session the client just announced (`Event::SessionTicket`).
    /// Out of line: not in the frame of the adapter's loop (issue 12, stack).
    #[inline(never)]
    fn keep<R, Rx, Tx, P>(&mut self, client: &mut crate::Client<'_, R, Rx, Tx, P>)
    where
        R: rand_core::CryptoRng,
        Rx: AsMut<[u8]> + AsRef<[u8]>,
        Tx: AsMut<[u8]> + AsRef<[u8]>,
        P: crate::crypto::CryptoProvider,
    {
        let Some(buf) = self.buf.as_deref_mut() else { return };
        // A failed write may have overwritten the previous ticket: it is gone either way.
        self.kept = client.session_ticket(buf).map_err(|e| match e {
            Error::Api(_) => {
                Error::Api("the session ticket does not fit the ticket buffer given to connect; give a larger one")
            }
            e => e,
        });
    }

    fn get(&self) -> Result<&[u8], Error> {
        match (&self.kept, self.buf.as_deref()) {
            (Ok(n), Some(buf)) => buf.get(..*n).ok_or(Error::Internal("ticket length past its buffer")),
            (Err(e), _) => Err(e.clone()),
            (Ok(_), None) => Err(NO_TICKET_YET),
        }
    }
}
