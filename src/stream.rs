//! Blocking adapter over `std::io::{Read, Write}` (feature `std`).

use std::io::{self, Read, Write};
use std::vec;
use std::vec::Vec;

use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::client::Client;
use crate::config::ConnectOptions;
use crate::crypto::{CryptoProvider, RustCrypto};
use crate::drive::{Done, Drive, Next};
use crate::error::Error;
use crate::handshake::HandshakeSummary;
use crate::record::MAX_RECORD;

/// A TLS connection over a blocking transport, itself `Read + Write`.
///
/// ```no_run
/// use std::io::{Read, Write};
/// use embertls::{ClientConfig, ConnectOptions, ServerName, ServerVerification, TlsStream};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let config = ClientConfig::new(ServerVerification::danger_accept_any());
/// let tcp = std::net::TcpStream::connect("127.0.0.1:4433")?;
/// let rng = rand_core::UnwrapErr(getrandom::SysRng);
/// let options = ConnectOptions::new(&config, ServerName::parse("localhost"));
/// let mut tls = TlsStream::connect(options, rng, tcp)?;
/// println!("{:?}", tls.summary());
/// tls.write_all(b"GET / HTTP/1.0\r\n\r\n")?;
/// let mut page = Vec::new();
/// tls.read_to_end(&mut page)?;
/// # Ok(()) }
/// ```
///
/// The crypto provider `P` is the one of the [`ConnectOptions`]
/// (by default [`RustCrypto`]).
pub struct TlsStream<'a, T, R, P: CryptoProvider = RustCrypto> {
    client: Client<'a, R, Vec<u8>, Vec<u8>, P>,
    io: T,
    summary: Option<HandshakeSummary<'a>>,
    closed: bool,
    /// Holds the resumption secret: wiped on drop and on replacement.
    ticket: Zeroizing<Vec<u8>>,
}

fn to_io(e: Error) -> io::Error {
    let kind = match e {
        Error::Truncated => io::ErrorKind::UnexpectedEof,
        Error::Closed => io::ErrorKind::NotConnected,
        _ => io::ErrorKind::InvalidData,
    };
    io::Error::new(kind, e)
}

/// Receive buffer of [`TlsStream::connect`]: two maximum records (32 KB of
/// heap), room for a certificate chain split across full records.
pub const DEFAULT_RECEIVE_BUFFER: usize = 2 * MAX_RECORD;
/// Send buffer of [`TlsStream::connect`]: one maximum record (16 KB of heap).
pub const DEFAULT_SEND_BUFFER: usize = MAX_RECORD;

impl<'a, T: Read + Write, R: CryptoRng, P: CryptoProvider> TlsStream<'a, T, R, P> {
    /// Runs the handshake over `io` as `options` say (server name, time,
    /// session to resume; `summary().resumed` tells if one was) and returns
    /// the connected stream. Its buffers take [`DEFAULT_RECEIVE_BUFFER`] +
    /// [`DEFAULT_SEND_BUFFER`] = 49 935 bytes of heap; a kept session ticket
    /// takes its own size.
    pub fn connect(options: ConnectOptions<'a, P>, rng: R, io: T) -> io::Result<Self> {
        Self::connect_with_buffers(options, rng, io, vec![0; DEFAULT_RECEIVE_BUFFER], vec![0; DEFAULT_SEND_BUFFER])
    }

    /// As [`TlsStream::connect`], with caller-sized buffers.
    ///
    /// The stream is returned by value, so the handshake runs on a copy of
    /// it in this function's frame (about 2.5 KB more stack than
    /// [`TlsStream::new_with_buffers`] then [`TlsStream::complete_handshake`],
    /// which run it where the caller keeps the stream; issue 12).
    pub fn connect_with_buffers(
        options: ConnectOptions<'a, P>,
        rng: R,
        io: T,
        rx: Vec<u8>,
        tx: Vec<u8>,
    ) -> io::Result<Self> {
        let mut stream = Self::new_with_buffers(options, rng, io, rx, tx);
        if let Ok(s) = &mut stream {
            if let Err(e) = s.complete_handshake() {
                stream = Err(e);
            }
        }
        stream
    }

    /// The stream of a new client with the buffers of [`TlsStream::connect`],
    /// its ClientHello queued; no I/O yet. See [`TlsStream::new_with_buffers`].
    pub fn new(options: ConnectOptions<'a, P>, rng: R, io: T) -> io::Result<Self> {
        Self::new_with_buffers(options, rng, io, vec![0; DEFAULT_RECEIVE_BUFFER], vec![0; DEFAULT_SEND_BUFFER])
    }

    /// The stream of a new client, its ClientHello queued; no I/O yet. The
    /// handshake runs in [`TlsStream::complete_handshake`], or in the first
    /// read, write or flush. Kept where the caller declares it, the stream
    /// is not copied while the handshake runs: the smallest stack (issue 12).
    ///
    /// ```no_run
    /// # use embertls::{ClientConfig, ConnectOptions, ServerName, ServerVerification, TlsStream};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let config = ClientConfig::new(ServerVerification::danger_accept_any());
    /// # let tcp = std::net::TcpStream::connect("127.0.0.1:4433")?;
    /// # let rng = rand_core::UnwrapErr(getrandom::SysRng);
    /// let options = ConnectOptions::new(&config, ServerName::parse("localhost"));
    /// let mut tls = TlsStream::new_with_buffers(options, rng, tcp, vec![0; 16_645], vec![0; 4096])?;
    /// let summary = tls.complete_handshake()?;
    /// # Ok(()) }
    /// ```
    #[inline(never)]
    pub fn new_with_buffers(
        options: ConnectOptions<'a, P>,
        rng: R,
        io: T,
        rx: Vec<u8>,
        tx: Vec<u8>,
    ) -> io::Result<Self> {
        match Client::new(options, rng, rx, tx) {
            Ok(client) => Ok(TlsStream { client, io, summary: None, closed: false, ticket: Default::default() }),
            Err(e) => Err(to_io(e)),
        }
    }

    /// Runs the handshake of a stream from [`TlsStream::new`] and returns
    /// what it negotiated; once connected, returns that again without I/O.
    /// After a failure the stream is dead: every later call fails. Its own
    /// frame, so the loop's temporaries are not added to the caller's.
    #[inline(never)]
    pub fn complete_handshake(&mut self) -> io::Result<HandshakeSummary<'a>> {
        if let Some(summary) = self.summary {
            return Ok(summary);
        }
        let done = run(&mut self.client, &mut self.io, &mut self.ticket, Drive::handshake())?;
        let summary = done.summary().map_err(to_io)?;
        self.summary = Some(summary);
        Ok(summary)
    }

    /// What the handshake negotiated (`None` until it completed).
    pub fn summary(&self) -> Option<HandshakeSummary<'a>> {
        self.summary
    }

    /// The newest session ticket the server sent, serialized (see
    /// [`crate::SessionTicket::decode`]); a TLS 1.3 ticket (or TLS 1.2 session
    /// ID) arrives with the first reads after the handshake, a TLS 1.2 ticket
    /// during it.
    pub fn session_ticket(&self) -> Option<&[u8]> {
        (!self.ticket.is_empty()).then_some(self.ticket.as_slice())
    }

    /// The transport.
    pub fn get_ref(&self) -> &T {
        &self.io
    }

    /// The engine, e.g. for [`Client::psk_identity_hint`] or
    /// [`Client::export_keying_material`].
    pub fn client(&self) -> &Client<'a, R, Vec<u8>, Vec<u8>, P> {
        &self.client
    }

    /// [`Client::update_keys`] (TLS 1.3 KeyUpdate), flushed.
    pub fn update_keys(&mut self, request_peer: bool) -> io::Result<()> {
        self.client.update_keys(request_peer).map_err(to_io)?;
        self.flush()
    }

    /// Sends close_notify and flushes it.
    pub fn close(&mut self) -> io::Result<()> {
        self.client.close();
        self.flush()
    }
}

/// Does what the shared driving loop ([`Drive`]) asks with this blocking
/// transport, until the call is done; `ticket` keeps the newest session.
fn run<'a, T: Read + Write, R: CryptoRng, P: CryptoProvider>(
    client: &mut Client<'a, R, Vec<u8>, Vec<u8>, P>,
    io: &mut T,
    ticket: &mut Zeroizing<Vec<u8>>,
    mut drive: Drive<'_, 'a>,
) -> io::Result<Done<'a>> {
    loop {
        let asked = drive.next(client);
        let result = match asked {
            // Data the engine took must not be reported as unsent: retry.
            Next::Send => match io.write(client.outgoing()) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => r,
            },
            Next::Flush => io.flush().map(|()| 0),
            Next::Receive => read_retrying(io, client.receive_buffer()),
            Next::KeepTicket => {
                keep_ticket(client, ticket)?;
                continue;
            }
            Next::Stop => return drive.outcome::<Error>().map_err(to_io),
        };
        if let Err(failure) = drive.settle(client, asked, result) {
            return Err(failure.unwrap_or_else(|| io::ErrorKind::WriteZero.into()));
        }
    }
}

/// Serializes the session just announced into `ticket`. Out of line: not
/// in the frame of the loop (issue 12, stack).
#[inline(never)]
fn keep_ticket<R: CryptoRng, P: CryptoProvider>(
    client: &mut Client<'_, R, Vec<u8>, Vec<u8>, P>,
    ticket: &mut Zeroizing<Vec<u8>>,
) -> io::Result<()> {
    let mut buf = Zeroizing::new(vec![0u8; client.session_ticket_max_len()]);
    let n = client.session_ticket(&mut buf).map_err(to_io)?;
    // Kept in a buffer of its own size; both old copies are wiped as they drop.
    *ticket = Zeroizing::new(buf[..n].to_vec());
    Ok(())
}

/// `io.read`, again after an interruption.
fn read_retrying(io: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match io.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

impl<T: Read + Write, R: CryptoRng, P: CryptoProvider> Read for TlsStream<'_, T, R, P> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.summary.is_none() {
            self.complete_handshake()?;
        }
        let done = run(&mut self.client, &mut self.io, &mut self.ticket, Drive::read(out, self.closed))?;
        self.closed |= matches!(done, Done::PeerClosed);
        done.bytes().map_err(to_io)
    }
}

impl<T: Read + Write, R: CryptoRng, P: CryptoProvider> Write for TlsStream<'_, T, R, P> {
    /// Encrypts what of `data` fits the send buffer and sends it before returning.
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.summary.is_none() {
            self.complete_handshake()?;
        }
        run(&mut self.client, &mut self.io, &mut self.ticket, Drive::write(data, true))?.bytes().map_err(to_io)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.summary.is_none() {
            self.complete_handshake()?;
        }
        run(&mut self.client, &mut self.io, &mut self.ticket, Drive::flush()).map(|_| ())
    }
}

#[cfg(test)]
#[path = "../tests/common/peer.rs"]
#[allow(clippy::all, unused)]
mod test_peer;
// The provider `test_peer` builds its clients with.
#[cfg(test)]
#[path = "../tests/common/provider.rs"]
#[allow(clippy::all, unused)]
mod provider;

#[cfg(test)]
mod tests {
    use super::TlsStream;

    /// Compile-time (issue 13 item 3): the ticket copy is wiped on drop.
    fn ticket_copy<'s, T, R>(s: &'s TlsStream<'_, T, R>) -> &'s impl zeroize::ZeroizeOnDrop {
        &s.ticket
    }

    #[test]
    fn ticket_copy_is_zeroize_on_drop() {
        let _ = ticket_copy::<(), ()>;
    }

    use super::test_peer as peer;

    /// Issue 17 item 2: a kept ticket takes its own size, not a 70 000-byte buffer.
    #[test]
    fn ticket_is_kept_in_a_buffer_of_its_size() {
        use std::io::{Read, Write};
        let server = peer::OpensslServer::start(peer::CertKind::Ecdsa, &["-www"]);
        let config = crate::ClientConfig::new(crate::ServerVerification::danger_accept_any());
        let options = crate::ConnectOptions::new(&config, crate::ServerName::parse("localhost"));
        let mut tls = TlsStream::connect(options, peer::rng(), server.connect()).expect("handshake");
        tls.write_all(b"GET / HTTP/1.0\r\n\r\n").expect("write");
        tls.read_to_end(&mut std::vec::Vec::new()).expect("read");
        let len = tls.session_ticket().expect("openssl sends TLS 1.3 tickets").len();
        assert!(crate::SessionTicket::decode(&tls.ticket).is_ok());
        assert_eq!(tls.ticket.capacity(), len, "the ticket's buffer is exactly its size");
    }
}
