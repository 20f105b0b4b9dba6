//! Blocking TLS stream over `embedded_io::{Read, Write}` (feature `embedded-io`).

use embedded_io::{ErrorType, Read, Write};
use rand_core::CryptoRng;

use super::{pending_summary, TicketStore, TlsIoError};
use crate::client::Client;
use crate::config::ConnectOptions;
use crate::crypto::{CryptoProvider, RustCrypto};
use crate::drive::{Done, Drive, Next};
use crate::error::Error;
use crate::handshake::HandshakeSummary;

/// A TLS connection over a blocking `embedded_io` transport, itself
/// `embedded_io::{Read, Write}`: the `no_std` counterpart of `TlsStream`.
///
/// The buffers are the caller's (`[u8; N]`, `&mut [u8]`, ...): `rx` must
/// hold the largest record the server sends plus any handshake message
/// split across records ([`crate::MAX_RECORD`] bytes hold any one record; a
/// certificate chain of a few KB split into full records needs up to twice
/// that), `tx` the ClientHello and the largest record written (writes are
/// split to fit it).
///
/// `write` encrypts and sends before returning; `read` returns `Ok(0)` once
/// the server has sent close_notify, and a [`TlsIoError::Tls`] with
/// [`Error::Truncated`] if the transport ends without one.
///
/// ```no_run
/// use embedded_io::{Read, Write};
/// use embedded_io_adapters::std::FromStd;
/// use embertls::{ClientConfig, ConnectOptions, EmbeddedTlsStream, ServerName, ServerVerification};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let config = ClientConfig::new(ServerVerification::danger_accept_any());
/// let tcp = FromStd::new(std::net::TcpStream::connect("127.0.0.1:4433")?);
/// let rng = rand_core::UnwrapErr(getrandom::SysRng);
/// let (mut rx, mut tx) = ([0u8; 16_645], [0u8; 4096]);
/// let mut tls = EmbeddedTlsStream::connect(
///     ConnectOptions::new(&config, ServerName::parse("localhost")), rng, tcp, &mut rx[..], &mut tx[..], None,
/// )?;
/// println!("{:?}", tls.summary());
/// tls.write_all(b"GET / HTTP/1.0\r\n\r\n")?;
/// let mut buf = [0u8; 1024];
/// loop {
///     let n = tls.read(&mut buf)?; // 0: the server closed with close_notify
///     if n == 0 {
///         break;
///     }
///     print!("{}", String::from_utf8_lossy(&buf[..n]));
/// }
/// # Ok(()) }
/// ```
pub struct EmbeddedTlsStream<'a, T, R, Rx, Tx = Rx, P: CryptoProvider = RustCrypto> {
    client: Client<'a, R, Rx, Tx, P>,
    io: T,
    summary: HandshakeSummary<'a>,
    /// The handshake completed (`summary` is the real one).
    connected: bool,
    closed: bool,
    tickets: TicketStore<'a>,
}

impl<'a, T, R, Rx, Tx, P: CryptoProvider> EmbeddedTlsStream<'a, T, R, Rx, Tx, P>
where
    T: Read + Write,
    R: CryptoRng,
    Rx: AsMut<[u8]> + AsRef<[u8]>,
    Tx: AsMut<[u8]> + AsRef<[u8]>,
{
    /// Runs the handshake over `io` as `options` say, with the receive
    /// buffer `rx` and the send buffer `tx`, and returns the connected stream.
    ///
    /// `tickets`, if given, keeps the newest session the server sends (see
    /// [`EmbeddedTlsStream::session_ticket`]); it must hold the serialized session (the
    /// server's ticket plus about 130 bytes; 512 bytes fit common servers).
    ///
    /// The stream is returned by value, so the handshake runs on a copy of
    /// it in this function's frame (about 2.5 KB more stack than
    /// [`EmbeddedTlsStream::new`] then [`EmbeddedTlsStream::complete_handshake`],
    /// which run it where the caller keeps the stream; issue 12).
    pub fn connect(
        options: ConnectOptions<'a, P>,
        rng: R,
        io: T,
        rx: Rx,
        tx: Tx,
        tickets: Option<&'a mut [u8]>,
    ) -> Result<Self, TlsIoError<T::Error>> {
        let mut stream = Self::new(options, rng, io, rx, tx, tickets);
        if let Ok(s) = &mut stream {
            if let Err(e) = s.complete_handshake() {
                stream = Err(e);
            }
        }
        stream
    }

    /// The stream of a new client, its ClientHello queued; no I/O yet (the
    /// arguments are those of [`EmbeddedTlsStream::connect`]). The handshake
    /// runs in [`EmbeddedTlsStream::complete_handshake`], or in the first
    /// read, write or flush. Kept where the caller declares it, the stream
    /// is not copied while the handshake runs: the smallest stack (issue 12).
    ///
    /// ```no_run
    /// # use embedded_io_adapters::std::FromStd;
    /// # use embertls::{ClientConfig, ConnectOptions, EmbeddedTlsStream, ServerName, ServerVerification};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let config = ClientConfig::new(ServerVerification::danger_accept_any());
    /// # let tcp = FromStd::new(std::net::TcpStream::connect("127.0.0.1:4433")?);
    /// # let rng = rand_core::UnwrapErr(getrandom::SysRng);
    /// let (mut rx, mut tx) = ([0u8; 16_645], [0u8; 4096]);
    /// let options = ConnectOptions::new(&config, ServerName::parse("localhost"));
    /// let mut tls = EmbeddedTlsStream::new(options, rng, tcp, &mut rx[..], &mut tx[..], None)?;
    /// let summary = tls.complete_handshake()?;
    /// # Ok(()) }
    /// ```
    #[inline(never)]
    pub fn new(
        options: ConnectOptions<'a, P>,
        rng: R,
        io: T,
        rx: Rx,
        tx: Tx,
        tickets: Option<&'a mut [u8]>,
    ) -> Result<Self, TlsIoError<T::Error>> {
        match Client::new(options, rng, rx, tx) {
            Ok(client) => Ok(EmbeddedTlsStream {
                client,
                io,
                summary: pending_summary(),
                connected: false,
                closed: false,
                tickets: TicketStore::new(tickets),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Runs the handshake of a stream from [`EmbeddedTlsStream::new`] and
    /// returns what it negotiated; once connected, returns that again without
    /// I/O. After a failure the stream is dead: every later call fails.
    /// Its own frame, so the loop's temporaries are not added to the caller's.
    #[inline(never)]
    pub fn complete_handshake(&mut self) -> Result<HandshakeSummary<'a>, TlsIoError<T::Error>> {
        if !self.connected {
            self.summary = run(&mut self.client, &mut self.io, &mut self.tickets, Drive::handshake())?.summary()?;
            self.connected = true;
        }
        Ok(self.summary)
    }

    /// Completes the handshake of a `client` that was just created with
    /// [`Client::new`] (its ClientHello still queued) over `io`; `tickets`
    /// as for [`EmbeddedTlsStream::connect`].
    pub fn handshake(
        mut client: Client<'a, R, Rx, Tx, P>,
        mut io: T,
        tickets: Option<&'a mut [u8]>,
    ) -> Result<Self, TlsIoError<T::Error>> {
        // Driven where the caller put it (a by-value argument is passed by
        // reference), then moved into the stream returned (issue 12).
        let mut tickets = TicketStore::new(tickets);
        let summary = run(&mut client, &mut io, &mut tickets, Drive::handshake())?.summary()?;
        Ok(EmbeddedTlsStream { client, io, summary, connected: true, closed: false, tickets })
    }

    /// The newest session the server sent, serialized for
    /// [`crate::SessionTicket::decode`] and [`ConnectOptions::resuming`]:
    /// a TLS 1.3 ticket (or TLS 1.2 session ID) arrives with the first reads
    /// after the handshake, a TLS 1.2 ticket during it. The bytes hold the
    /// session's secret: keep them private. The error says why there is none.
    pub fn session_ticket(&self) -> Result<&[u8], Error> {
        self.tickets.get()
    }

    /// What the handshake negotiated (a placeholder with version
    /// `Unknown(0)` until it completed: see [`EmbeddedTlsStream::complete_handshake`]).
    pub fn summary(&self) -> HandshakeSummary<'a> {
        self.summary
    }

    /// The engine (e.g. for [`Client::export_keying_material`]).
    pub fn client(&self) -> &Client<'a, R, Rx, Tx, P> {
        &self.client
    }

    /// The transport.
    pub fn get_ref(&self) -> &T {
        &self.io
    }

    /// The transport, mutably (reading or writing it directly breaks the TLS stream).
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.io
    }

    /// The engine and the transport.
    pub fn into_parts(self) -> (Client<'a, R, Rx, Tx, P>, T) {
        (self.client, self.io)
    }

    /// [`Client::update_keys`] (TLS 1.3 KeyUpdate), flushed.
    pub fn update_keys(&mut self, request_peer: bool) -> Result<(), TlsIoError<T::Error>> {
        self.client.update_keys(request_peer)?;
        self.flush()
    }

    /// Sends close_notify and flushes it. Data the server still sends can
    /// be read until it closes too; nothing more can be written.
    pub fn close(&mut self) -> Result<(), TlsIoError<T::Error>> {
        self.client.close();
        self.flush()
    }
}

/// Does what the shared driving loop ([`Drive`]) asks with this blocking
/// transport, until the call is done.
fn run<'a, T, R, Rx, Tx, P: CryptoProvider>(
    client: &mut Client<'a, R, Rx, Tx, P>,
    io: &mut T,
    tickets: &mut TicketStore<'a>,
    mut drive: Drive<'_, 'a>,
) -> Result<Done<'a>, TlsIoError<T::Error>>
where
    T: Read + Write,
    R: CryptoRng,
    Rx: AsMut<[u8]> + AsRef<[u8]>,
    Tx: AsMut<[u8]> + AsRef<[u8]>,
{
    loop {
        let asked = drive.next(client);
        let result = match asked {
            Next::Send => io.write(client.outgoing()),
            Next::Flush => io.flush().map(|()| 0),
            Next::Receive => io.read(client.receive_buffer()),
            Next::KeepTicket => {
                tickets.keep(client);
                continue;
            }
            Next::Stop => return drive.outcome(),
        };
        if let Err(failure) = drive.settle(client, asked, result) {
            return Err(TlsIoError::transport(failure));
        }
    }
}

impl<T, R, Rx, Tx, P: CryptoProvider> ErrorType for EmbeddedTlsStream<'_, T, R, Rx, Tx, P>
where
    T: ErrorType,
{
    type Error = TlsIoError<T::Error>;
}

impl<T, R, Rx, Tx, P: CryptoProvider> Read for EmbeddedTlsStream<'_, T, R, Rx, Tx, P>
where
    T: Read + Write,
    R: CryptoRng,
    Rx: AsMut<[u8]> + AsRef<[u8]>,
    Tx: AsMut<[u8]> + AsRef<[u8]>,
{
    fn read(&mut self, out: &mut [u8]) -> Result<usize, Self::Error> {
        if !self.connected {
            self.complete_handshake()?;
        }
        let done = run(&mut self.client, &mut self.io, &mut self.tickets, Drive::read(out, self.closed))?;
        self.closed |= matches!(done, Done::PeerClosed);
        Ok(done.bytes()?)
    }
}

impl<T, R, Rx, Tx, P: CryptoProvider> Write for EmbeddedTlsStream<'_, T, R, Rx, Tx, P>
where
    T: Read + Write,
    R: CryptoRng,
    Rx: AsMut<[u8]> + AsRef<[u8]>,
    Tx: AsMut<[u8]> + AsRef<[u8]>,
{
    fn write(&mut self, data: &[u8]) -> Result<usize, Self::Error> {
        if !self.connected {
            self.complete_handshake()?;
        }
        // Sent before returning (write-through).
        Ok(run(&mut self.client, &mut self.io, &mut self.tickets, Drive::write(data, true))?.bytes()?)
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        if !self.connected {
            self.complete_handshake()?;
        }
        run(&mut self.client, &mut self.io, &mut self.tickets, Drive::flush()).map(|_| ())
    }
}
