//! Helpers around the sans-I/O [`Client`] for tests that play the server with
//! raw bytes or check failures: a config, the time, feeding bytes, taking
//! the ClientHello off the wire, and what a failed connection must look like.
//! (Issue 15 item 5: each was copied in several test files.)
#![allow(dead_code)] // each test binary uses a different part of this module
#![allow(clippy::result_large_err)] // embertls::Error is what the engine returns, whatever its size

use embertls::msgs::enums::HandshakeType;
use embertls::{AlertDescription, ClientConfig, Error, Event, Flood, Misbehavior, ServerVerification, UnixTime};

use std::net::TcpStream;

use super::drive::{get_page, Meter};
use super::peer::{event_name, records, TestClient};

/// A config that accepts any server certificate (for tests that are not about verification).
pub fn insecure() -> ClientConfig<'static> {
    ClientConfig::new(ServerVerification::danger_accept_any())
}

/// The system clock as the engine's time.
pub fn now() -> UnixTime {
    UnixTime(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock after 1970").as_secs())
}

/// The message (`Display`) contains every needle.
pub fn assert_msg(err: &impl std::fmt::Display, needles: &[&str]) {
    let msg = err.to_string();
    for n in needles {
        assert!(msg.contains(n), "message lacks {n:?}: {msg}");
    }
}

/// Hands `bytes` to the client and processes until it needs more data;
/// returns the events (application data is read and appended to `data`),
/// or the first error.
pub fn feed_data<'a>(
    client: &mut TestClient<'a>,
    mut bytes: &[u8],
    data: &mut Vec<u8>,
) -> Result<Vec<Event<'a>>, Error> {
    let mut events = Vec::new();
    loop {
        match client.process()? {
            Event::NeedData if bytes.is_empty() => return Ok(events),
            Event::ApplicationData(n) => {
                let mut buf = vec![0u8; n];
                assert_eq!(client.read(&mut buf), n);
                data.extend_from_slice(&buf);
                events.push(Event::ApplicationData(n));
            }
            Event::NeedData => {
                let buf = client.receive_buffer();
                let n = buf.len().min(bytes.len());
                buf[..n].copy_from_slice(&bytes[..n]);
                client.received(n);
                bytes = &bytes[n..];
            }
            ev => events.push(ev),
        }
        assert!(events.len() < 100, "runaway events: {events:?}");
    }
}

/// [`feed_data`] for when no application data may arrive: released data fails the test.
pub fn feed<'a>(client: &mut TestClient<'a>, bytes: &[u8]) -> Result<Vec<Event<'a>>, Error> {
    let mut data = Vec::new();
    let events = feed_data(client, bytes, &mut data)?;
    assert!(data.is_empty(), "application data released: {data:02x?}");
    Ok(events)
}

/// The one ClientHello the client queued (skipping change_cipher_spec), taken
/// off the wire: one record, or several if it is larger than a record.
pub fn take_client_hello(client: &mut TestClient<'_>) -> Vec<u8> {
    let recs = records(client.outgoing());
    let n = client.outgoing().len();
    client.sent(n);
    let hs: Vec<_> = recs.into_iter().filter(|r| r.0 != 20).collect();
    assert!(hs.iter().all(|r| r.0 == 22 && !r.1.is_empty() && r.1.len() <= 16_384), "handshake records");
    let ch: Vec<u8> = hs.into_iter().flat_map(|r| r.1).collect();
    assert_eq!(ch[0], HandshakeType::ClientHello.to_wire());
    assert_eq!(ch.len(), 4 + u32::from_be_bytes([0, ch[1], ch[2], ch[3]]) as usize, "exactly one ClientHello");
    ch
}

/// The connection stays failed: the same error again, nothing to read, no writing.
pub fn assert_dead(client: &mut TestClient<'_>, err: &Error) {
    assert_eq!(client.process().as_ref(), Err(err), "process() after the error");
    assert_eq!(client.read(&mut [0u8; 64]), 0, "no application data after the error");
    assert_eq!(client.write(b"x").as_ref(), Err(err), "write() after the error");
    assert!(!client.is_handshake_complete());
}

/// A flood of `kind` (issue 13 item 2): unexpected_message, and the message names the limit.
pub fn assert_flood(err: &Error, kind: Flood) {
    assert_eq!(*err, Error::PeerMisbehaved(Misbehavior::Flood(kind)));
    assert_eq!(err.alert(), Some(AlertDescription::UnexpectedMessage));
    assert_msg(err, &["in a row", &kind.limit().to_string()]);
}

/// Drives `client` over `sock` with [`get_page`] (a GET, the page, the
/// server's close) and returns every event the client reported, in order, as
/// [`event_name`] writes them (`NeedData` left out): the events of a handshake
/// kind against a real server (issue 15 item 5). A run of `ApplicationData`
/// events counts once: how the server cuts its page into records is its business.
pub fn tcp_event_sequence(client: &mut TestClient<'_>, sock: &mut TcpStream) -> Vec<String> {
    let mut events = Events(Vec::new());
    get_page("event sequence", sock, client, &mut events);
    events.0
}

/// The [`Meter`] of [`tcp_event_sequence`]: measures nothing, writes the events down.
struct Events(Vec<String>);

impl Meter for Events {
    fn call<T>(&mut self, _what: &'static str, f: impl FnOnce() -> T) -> T {
        f()
    }

    fn event(&mut self, event: &Event<'_>) {
        let name = match event {
            Event::NeedData => return,
            Event::ApplicationData(_) => "ApplicationData".to_string(),
            other => event_name(other),
        };
        if name != "ApplicationData" || self.0.last() != Some(&name) {
            self.0.push(name);
        }
    }
}
