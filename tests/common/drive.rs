//! One driving loop for the measurement tests (heap in `footprint.rs`,
//! stack in `stack.rs`, a crypto provider in `provider_accel.rs`) and the
//! event-sequence tests (`engine::tcp_event_sequence`): the sans-I/O client over a TCP socket to an
//! `openssl s_server -www`, a GET, the page read to the server's close,
//! with every client call run through a [`Meter`].
#![allow(dead_code)] // each test binary uses a different part of this module

use std::io::{Read, Write};
use std::net::TcpStream;

use embertls::{Client, Event, HandshakeSummary};

/// Runs the client's own calls, measuring them.
pub trait Meter {
    /// Runs `f` (the client call `what`) measured.
    fn call<T>(&mut self, what: &'static str, f: impl FnOnce() -> T) -> T;
    /// The handshake just completed.
    fn handshake_done(&mut self) {}
    /// `process` reported `event`.
    fn event(&mut self, event: &Event<'_>) {
        let _ = event;
    }
}

/// What one connection gave.
pub struct Driven<'a> {
    /// The handshake's summary.
    pub summary: HandshakeSummary<'a>,
    /// The newest session the server gave, serialized.
    pub session: Option<Vec<u8>>,
}

/// Drives `client` over `sock` until the server closes: handshake, a GET,
/// the page. Panics (naming `what`) on any error.
pub fn get_page<'a, R, B, M, P>(
    what: &str,
    sock: &mut TcpStream,
    client: &mut Client<'a, R, B, B, P>,
    meter: &mut M,
) -> Driven<'a>
where
    R: rand_core::CryptoRng,
    B: AsMut<[u8]> + AsRef<[u8]>,
    M: Meter,
    P: embertls::provider::CryptoProvider,
{
    let (mut summary, mut session) = (None, None);
    let mut store = [0u8; 2048];
    loop {
        let ev = meter.call("process", || client.process()).unwrap_or_else(|e| panic!("{what}: {e}"));
        meter.event(&ev);
        while !client.outgoing().is_empty() {
            let n = sock.write(client.outgoing()).expect("socket write");
            client.sent(n);
        }
        match ev {
            Event::NeedData => {
                let n = sock.read(client.receive_buffer()).expect("socket read");
                client.received(n);
            }
            Event::HandshakeComplete(s) => {
                meter.handshake_done();
                summary = Some(s);
                // Sent at the top of the next turn, with what process() queues.
                meter.call("write", || client.write(b"GET / HTTP/1.0\r\n\r\n")).expect("write");
            }
            Event::SessionTicket => {
                let n = meter.call("session_ticket", || client.session_ticket(&mut store));
                session = Some(store[..n.expect("session_ticket")].to_vec());
            }
            Event::ApplicationData(_) => {
                let mut page = [0u8; 512];
                meter.call("read", || client.read(&mut page));
            }
            Event::PeerClosed => break,
            other => panic!("{what}: {other:?}"),
        }
    }
    Driven { summary: summary.unwrap_or_else(|| panic!("{what}: no handshake")), session }
}
