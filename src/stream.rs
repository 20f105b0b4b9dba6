//! Blocking adapter over `std::io::{Read, Write}` (feature `std`).

use std::io::{self, Read, Write};
use std::vec;
use std::vec::Vec;

use rand_core::CryptoRng;

use crate::client::{Client, Event};
use crate::config::ClientConfig;
use crate::error::Error;
use crate::handshake::HandshakeSummary;
use crate::record::MAX_RECORD;
use crate::verify::{ServerName, UnixTime};

/// A TLS connection over a blocking transport, itself `Read + Write`.
///
/// ```no_run
/// use std::io::{Read, Write};
/// use embertls::{ClientConfig, ServerName, ServerVerification, TlsStream};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let config = ClientConfig::new(ServerVerification::danger_accept_any());
/// let tcp = std::net::TcpStream::connect("127.0.0.1:4433")?;
/// let rng = rand_core::UnwrapErr(getrandom::SysRng);
/// let mut tls = TlsStream::connect(&config, ServerName::parse("localhost"), None, rng, tcp)?;
/// println!("{:?}", tls.summary());
/// tls.write_all(b"GET / HTTP/1.0\r\n\r\n")?;
/// let mut page = Vec::new();
/// tls.read_to_end(&mut page)?;
/// # Ok(()) }
/// ```
pub struct TlsStream<'a, T, R> {
    client: Client<'a, R, Vec<u8>>,
    io: T,
    summary: Option<HandshakeSummary<'a>>,
    closed: bool,
    /// Holds the resumption secret: wiped on drop and on replacement.
    ticket: zeroize::Zeroizing<Vec<u8>>,
}

fn to_io(e: Error) -> io::Error {
    let kind = match e {
        Error::Truncated => io::ErrorKind::UnexpectedEof,
        Error::Closed => io::ErrorKind::NotConnected,
        _ => io::ErrorKind::InvalidData,
    };
    io::Error::new(kind, e)
}

impl<'a, T: Read + Write, R: CryptoRng> TlsStream<'a, T, R> {
    /// Runs the handshake over `io` with a receive buffer of two maximum
    /// records (room for a certificate chain split across full records) and
    /// a send buffer of one, and returns the connected stream.
    pub fn connect(
        config: &'a ClientConfig<'a>,
        server_name: ServerName<'a>,
        now: Option<UnixTime>,
        rng: R,
        io: T,
    ) -> io::Result<Self> {
        Self::connect_with_buffers(config, server_name, now, rng, io, vec![0; 2 * MAX_RECORD], vec![0; MAX_RECORD])
    }

    /// As [`TlsStream::connect`], with caller-sized buffers.
    pub fn connect_with_buffers(
        config: &'a ClientConfig<'a>,
        server_name: ServerName<'a>,
        now: Option<UnixTime>,
        rng: R,
        io: T,
        rx: Vec<u8>,
        tx: Vec<u8>,
    ) -> io::Result<Self> {
        let client = Client::new(config, server_name, now, rng, rx, tx).map_err(to_io)?;
        Self::handshake(client, io)
    }

    /// As [`TlsStream::connect`], offering a stored session ticket (see
    /// [`Client::new_resuming`]); `summary().resumed` tells if it was accepted.
    pub fn connect_resuming(
        config: &'a ClientConfig<'a>,
        server_name: ServerName<'a>,
        now: Option<UnixTime>,
        rng: R,
        io: T,
        ticket: crate::SessionTicket<'a>,
    ) -> io::Result<Self> {
        let client =
            Client::new_resuming(config, server_name, now, rng, vec![0; 2 * MAX_RECORD], vec![0; MAX_RECORD], ticket)
                .map_err(to_io)?;
        Self::handshake(client, io)
    }

    fn handshake(client: Client<'a, R, Vec<u8>>, io: T) -> io::Result<Self> {
        let mut s = TlsStream { client, io, summary: None, closed: false, ticket: Default::default() };
        while s.summary.is_none() {
            let ev = s.client.process();
            s.flush_outgoing()?;
            match ev.map_err(to_io)? {
                Event::NeedData => s.fill()?,
                Event::HandshakeComplete(summary) => s.summary = Some(summary),
                // A TLS 1.2 ticket comes before the server's Finished (RFC 5077 §3.3).
                Event::SessionTicket => s.keep_ticket()?,
                Event::PeerClosed => return Err(to_io(Error::Closed)),
                _ => {}
            }
        }
        s.flush_outgoing()?;
        Ok(s)
    }

    /// What the handshake negotiated.
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

    fn keep_ticket(&mut self) -> io::Result<()> {
        let mut buf = zeroize::Zeroizing::new(vec![0u8; 70_000]);
        let n = self.client.session_ticket(&mut buf).map_err(to_io)?;
        buf.truncate(n);
        self.ticket = buf; // the old copy is wiped as it drops
        Ok(())
    }

    /// The transport.
    pub fn get_ref(&self) -> &T {
        &self.io
    }

    /// The engine, e.g. for [`Client::psk_identity_hint`] or
    /// [`Client::export_keying_material`].
    pub fn client(&self) -> &Client<'a, R, Vec<u8>> {
        &self.client
    }

    /// [`Client::update_keys`] (TLS 1.3 KeyUpdate), flushed.
    pub fn update_keys(&mut self, request_peer: bool) -> io::Result<()> {
        self.client.update_keys(request_peer).map_err(to_io)?;
        self.flush_outgoing()
    }

    /// Sends close_notify and flushes it.
    pub fn close(&mut self) -> io::Result<()> {
        self.client.close();
        self.flush_outgoing()
    }

    fn fill(&mut self) -> io::Result<()> {
        let buf = self.client.receive_buffer();
        let n = loop {
            match self.io.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => break r?,
            }
        };
        self.client.received(n);
        Ok(())
    }

    fn flush_outgoing(&mut self) -> io::Result<()> {
        while !self.client.outgoing().is_empty() {
            let n = match self.io.write(self.client.outgoing()) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => n,
                // Data the engine took must not be reported as unsent: retry.
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.client.sent(n);
        }
        self.io.flush()
    }
}

impl<T: Read + Write, R: CryptoRng> Read for TlsStream<'_, T, R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() || self.closed {
            return Ok(0);
        }
        loop {
            let n = self.client.read(out);
            if n > 0 {
                return Ok(n);
            }
            let ev = self.client.process();
            self.flush_outgoing()?;
            match ev.map_err(to_io)? {
                Event::NeedData => self.fill()?,
                Event::PeerClosed => {
                    self.closed = true;
                    return Ok(0);
                }
                Event::SessionTicket => self.keep_ticket()?,
                _ => {}
            }
        }
    }
}

impl<T: Read + Write, R: CryptoRng> Write for TlsStream<'_, T, R> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        loop {
            let n = self.client.write(data).map_err(to_io)?;
            if n > 0 || data.is_empty() {
                self.flush_outgoing()?;
                return Ok(n);
            }
            self.flush_outgoing()?;
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_outgoing()
    }
}

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
}
