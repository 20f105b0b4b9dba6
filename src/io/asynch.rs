//! Async TLS stream over `embedded_io_async::{Read, Write}` (feature `embedded-io-async`).

use embedded_io_async::{ErrorType, Read, Write};
use rand_core::CryptoRng;

use super::{pending_summary, TicketStore, TlsIoError};
use crate::client::Client;
use crate::config::ConnectOptions;
use crate::crypto::{CryptoProvider, RustCrypto};
use crate::drive::{Done, Drive, Next};
use crate::error::Error;
use crate::handshake::HandshakeSummary;

/// A TLS connection over an async `embedded_io_async` transport (an
/// embassy-net `TcpSocket`, or a tokio socket through `embedded-io-adapters`),
/// itself `embedded_io_async::{Read, Write}`.
///
/// No allocation, no atomics, no executor requirements: it runs under
/// embassy or tokio alike. Buffers are the caller's, sized as for the
/// blocking `EmbeddedTlsStream`.
///
/// **Writes are buffered**: `write` encrypts into the send buffer and
/// returns; the record goes out with the next `write`, `flush`, `read`
/// (before it waits for the server) or `close`. Call `flush` when the data
/// must be on the wire before you wait on something else. `read` returns
/// `Ok(0)` once the server has sent close_notify.
///
/// **Cancellation**: if the transport's `read` and `write` are cancel-safe
/// (embassy-net's and tokio's are), so are this stream's `read`, `write` and
/// `flush`: a dropped future loses no received data, and data `write` took
/// is always sent, while data it did not take (the future was dropped
/// before returning) is not.
///
/// ```no_run
/// use embedded_io_adapters::tokio_1::FromTokio;
/// use embedded_io_async::{Read, Write};
/// use embertls::{AsyncTlsStream, ClientConfig, ConnectOptions, ServerName, ServerVerification};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let config = ClientConfig::new(ServerVerification::danger_accept_any());
/// let tcp = FromTokio::new(tokio::net::TcpStream::connect("127.0.0.1:4433").await?);
/// let rng = rand_core::UnwrapErr(getrandom::SysRng);
/// let (mut rx, mut tx) = ([0u8; 16_645], [0u8; 4096]);
/// let mut tls = AsyncTlsStream::connect(
///     ConnectOptions::new(&config, ServerName::parse("localhost")), rng, tcp, &mut rx[..], &mut tx[..], None,
/// )
/// .await?;
/// println!("{:?}", tls.summary());
/// tls.write_all(b"GET / HTTP/1.0\r\n\r\n").await?;
/// tls.flush().await?;
/// let mut buf = [0u8; 1024];
/// loop {
///     let n = tls.read(&mut buf).await?; // 0: the server closed with close_notify
///     if n == 0 {
///         break;
///     }
///     print!("{}", String::from_utf8_lossy(&buf[..n]));
/// }
/// # Ok(()) }
/// ```
pub struct AsyncTlsStream<'a, T, R, Rx, Tx = Rx, P: CryptoProvider = RustCrypto> {
    client: Client<'a, R, Rx, Tx, P>,
    io: T,
    summary: HandshakeSummary<'a>,
    closed: bool,
    tickets: TicketStore<'a>,
}

impl<'a, T, R, Rx, Tx, P: CryptoProvider> AsyncTlsStream<'a, T, R, Rx, Tx, P>
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
    /// [`AsyncTlsStream::session_ticket`]); it must hold the serialized session (the
    /// server's ticket plus about 130 bytes; 512 bytes fit common servers).
    pub async fn connect(
        options: ConnectOptions<'a, P>,
        rng: R,
        io: T,
        rx: Rx,
        tx: Tx,
        tickets: Option<&'a mut [u8]>,
    ) -> Result<Self, TlsIoError<T::Error>> {
        // Built where the caller's task keeps this future and driven there:
        // the client is never on the stack, and returning the stream is
        // one copy out of the future (issue 12).
        let mut stream = Self::start(options, rng, io, rx, tx, tickets);
        Self::complete_handshake(&mut stream).await;
        stream
    }

    /// The stream of a new client, before its handshake; kept out of
    /// `connect`'s frame, which `Client::new`'s result would otherwise
    /// occupy for the whole handshake (issue 12).
    #[inline(never)]
    fn start(
        options: ConnectOptions<'a, P>,
        rng: R,
        io: T,
        rx: Rx,
        tx: Tx,
        tickets: Option<&'a mut [u8]>,
    ) -> Result<Self, TlsIoError<T::Error>> {
        match Client::new(options, rng, rx, tx) {
            Ok(client) => Ok(AsyncTlsStream {
                client,
                io,
                summary: pending_summary(),
                closed: false,
                tickets: TicketStore::new(tickets),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Runs the handshake of a stream just built, in place; a failure
    /// replaces the stream with the error.
    async fn complete_handshake(stream: &mut Result<Self, TlsIoError<T::Error>>) {
        let Ok(s) = stream else { return };
        match run(&mut s.client, &mut s.io, &mut s.tickets, Drive::handshake()).await {
            Ok(done) => match done.summary() {
                Ok(summary) => s.summary = summary,
                Err(e) => *stream = Err(e.into()),
            },
            Err(e) => *stream = Err(e),
        }
    }

    /// Completes the handshake of a `client` that was just created with
    /// [`Client::new`] (its ClientHello still queued) over `io`; `tickets`
    /// as for [`AsyncTlsStream::connect`].
    pub async fn handshake(
        client: Client<'a, R, Rx, Tx, P>,
        io: T,
        tickets: Option<&'a mut [u8]>,
    ) -> Result<Self, TlsIoError<T::Error>> {
        // Moved into the stream within this future, not through the stack.
        let tickets = TicketStore::new(tickets);
        let mut stream = Ok(AsyncTlsStream { client, io, summary: pending_summary(), closed: false, tickets });
        Self::complete_handshake(&mut stream).await;
        stream
    }

    /// The newest session the server sent, serialized for
    /// [`crate::SessionTicket::decode`] and [`ConnectOptions::resuming`]:
    /// a TLS 1.3 ticket (or TLS 1.2 session ID) arrives with the first reads
    /// after the handshake, a TLS 1.2 ticket during it. The bytes hold the
    /// session's secret: keep them private. The error says why there is none.
    pub fn session_ticket(&self) -> Result<&[u8], Error> {
        self.tickets.get()
    }

    /// What the handshake negotiated.
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

    /// The engine and the transport (records `write` queued are in
    /// [`Client::outgoing`]: call `flush` first).
    pub fn into_parts(self) -> (Client<'a, R, Rx, Tx, P>, T) {
        (self.client, self.io)
    }

    /// [`Client::update_keys`] (TLS 1.3 KeyUpdate), flushed.
    pub async fn update_keys(&mut self, request_peer: bool) -> Result<(), TlsIoError<T::Error>> {
        self.client.update_keys(request_peer)?;
        self.flush().await
    }

    /// Sends close_notify (after any data still queued) and flushes it.
    /// Data the server still sends can be read until it closes too; nothing
    /// more can be written.
    pub async fn close(&mut self) -> Result<(), TlsIoError<T::Error>> {
        self.client.close();
        self.flush().await
    }
}

/// Does what the shared driving loop ([`Drive`]) asks with this async
/// transport, until the call is done.
async fn run<'a, T, R, Rx, Tx, P: CryptoProvider>(
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
        // `settle` reports the bytes right after their I/O, without an
        // await between: a cancelled call loses no bytes.
        let result = match asked {
            Next::Send => io.write(client.outgoing()).await,
            Next::Flush => io.flush().await.map(|()| 0),
            Next::Receive => io.read(client.receive_buffer()).await,
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

impl<T, R, Rx, Tx, P: CryptoProvider> ErrorType for AsyncTlsStream<'_, T, R, Rx, Tx, P>
where
    T: ErrorType,
{
    type Error = TlsIoError<T::Error>;
}

impl<T, R, Rx, Tx, P: CryptoProvider> Read for AsyncTlsStream<'_, T, R, Rx, Tx, P>
where
    T: Read + Write,
    R: CryptoRng,
    Rx: AsMut<[u8]> + AsRef<[u8]>,
    Tx: AsMut<[u8]> + AsRef<[u8]>,
{
    async fn read(&mut self, out: &mut [u8]) -> Result<usize, Self::Error> {
        let done = run(&mut self.client, &mut self.io, &mut self.tickets, Drive::read(out, self.closed)).await?;
        self.closed |= matches!(done, Done::PeerClosed);
        Ok(done.bytes()?)
    }
}

impl<T, R, Rx, Tx, P: CryptoProvider> Write for AsyncTlsStream<'_, T, R, Rx, Tx, P>
where
    T: Read + Write,
    R: CryptoRng,
    Rx: AsMut<[u8]> + AsRef<[u8]>,
    Tx: AsMut<[u8]> + AsRef<[u8]>,
{
    async fn write(&mut self, data: &[u8]) -> Result<usize, Self::Error> {
        // Buffered: what earlier writes queued is sent first, then `data` is
        // encrypted without awaiting again, so a cancelled write never half-takes it.
        Ok(run(&mut self.client, &mut self.io, &mut self.tickets, Drive::write(data, false)).await?.bytes()?)
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        run(&mut self.client, &mut self.io, &mut self.tickets, Drive::flush()).await.map(|_| ())
    }
}
