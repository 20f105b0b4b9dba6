//! The `embedded-io` and `embedded-io-async` TLS streams against a real
//! `openssl s_server -tls1_3 -www` on loopback: the blocking stream over
//! `embedded_io_adapters::std::FromStd<TcpStream>`, the async one over
//! `embedded_io_adapters::tokio_1::FromTokio<tokio::net::TcpStream>`, both
//! with caller-provided (borrowed) buffers: handshake, GET, read to the
//! server's close_notify. Also 4 KiB receive buffers against 1 KiB server
//! records, and how TLS and transport errors surface through the traits.
#![cfg(all(feature = "embedded-io", feature = "embedded-io-async"))]

use crate::common;

use std::io::Write as _;
use std::net::TcpListener;
use std::time::Duration;

use common::engine::insecure;
use common::peer::{rng, CertKind, OpensslServer, TIMEOUT};
use common::provider::options;
use embedded_io::{Error as _, ErrorKind};
use embedded_io_adapters::std::FromStd;
use embedded_io_adapters::tokio_1::FromTokio;
use embertls::{AsyncTlsStream, EmbeddedTlsStream, Error, ProtocolVersion, ServerName, TlsIoError, Trust, MAX_RECORD};

const GET: &[u8] = b"GET / HTTP/1.0\r\n\r\n";

/// Reads a blocking stream until it returns 0 (close_notify).
fn read_to_close<S: embedded_io::Read>(s: &mut S) -> Result<Vec<u8>, S::Error> {
    let mut page = Vec::new();
    let mut buf = [0u8; 700]; // not a divisor of the record size: partial reads of a record
    loop {
        match s.read(&mut buf)? {
            0 => return Ok(page),
            n => page.extend_from_slice(&buf[..n]),
        }
    }
}

/// Reads an async stream until it returns 0 (close_notify).
async fn read_to_close_async<S: embedded_io_async::Read>(s: &mut S) -> Result<Vec<u8>, S::Error> {
    let mut page = Vec::new();
    let mut buf = [0u8; 700];
    loop {
        match s.read(&mut buf).await? {
            0 => return Ok(page),
            n => page.extend_from_slice(&buf[..n]),
        }
    }
}

fn check_page(page: &[u8]) {
    let text = String::from_utf8_lossy(page);
    assert!(text.starts_with("HTTP/1.0 200 ok\r\n"), "response: {:?}", &text[..text.len().min(80)]);
    assert!(text.contains("TLSv1.3"), "the -www page reports the TLS 1.3 connection");
}

/// Blocking: `EmbeddedTlsStream` over `FromStd<TcpStream>` with buffers on the stack.
fn blocking_get(server: &OpensslServer, rx: &mut [u8], tx: &mut [u8]) -> Vec<u8> {
    let config = insecure();
    let tcp = FromStd::new(server.connect());
    let mut tls =
        EmbeddedTlsStream::connect(options(&config, ServerName::parse("localhost")), rng(), tcp, rx, tx, None)
            .unwrap_or_else(|e| panic!("handshake: {e}"));
    let s = tls.summary();
    assert_eq!(s.version, ProtocolVersion::Tls13);
    assert_eq!(s.trust, Trust::NotVerified);
    embedded_io::Write::write_all(&mut tls, GET).unwrap_or_else(|e| panic!("write: {e}"));
    embedded_io::Write::flush(&mut tls).unwrap();
    let page = read_to_close(&mut tls).unwrap_or_else(|e| panic!("read: {e}"));
    assert_eq!(embedded_io::Read::read(&mut tls, &mut [0u8; 8]).unwrap(), 0, "reads after close_notify return 0");
    // Our close_notify in return; the server may have dropped the socket already.
    if let Err(e) = tls.close() {
        assert!(matches!(e, TlsIoError::Transport(_)), "close: {e}");
    }
    page
}

/// Async: `AsyncTlsStream` over `FromTokio<tokio::net::TcpStream>`.
async fn async_get(port: u16, rx: &mut [u8], tx: &mut [u8]) -> Vec<u8> {
    let config = insecure();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    tcp.set_nodelay(true).unwrap();
    let tcp = FromTokio::new(tcp);
    let mut tls = AsyncTlsStream::connect(options(&config, ServerName::parse("localhost")), rng(), tcp, rx, tx, None)
        .await
        .unwrap_or_else(|e| panic!("handshake: {e}"));
    assert_eq!(tls.summary().version, ProtocolVersion::Tls13);
    // No explicit flush: `read` sends the queued request before it waits.
    embedded_io_async::Write::write_all(&mut tls, GET).await.unwrap_or_else(|e| panic!("write: {e}"));
    let page = read_to_close_async(&mut tls).await.unwrap_or_else(|e| panic!("read: {e}"));
    assert_eq!(embedded_io_async::Read::read(&mut tls, &mut [0u8; 8]).await.unwrap(), 0);
    if let Err(e) = tls.close().await {
        assert!(matches!(e, TlsIoError::Transport(_)), "close: {e}");
    }
    page
}

#[test]
fn blocking_stream_gets_a_page() {
    for cert in CertKind::ALL {
        let server = OpensslServer::start(cert, &["-www"]);
        let (mut rx, mut tx) = (vec![0u8; 2 * MAX_RECORD], vec![0u8; MAX_RECORD]);
        let page = blocking_get(&server, &mut rx, &mut tx);
        check_page(&page);
    }
}

#[tokio::test]
async fn async_stream_gets_a_page() {
    for cert in CertKind::ALL {
        let server = OpensslServer::start(cert, &["-www"]);
        let (mut rx, mut tx) = (vec![0u8; 2 * MAX_RECORD], vec![0u8; MAX_RECORD]);
        let page = tokio::time::timeout(TIMEOUT, async_get(server.port, &mut rx, &mut tx))
            .await
            .unwrap_or_else(|_| panic!("{} timed out", server.args));
        check_page(&page);
    }
}

/// 4 KiB receive and 1 KiB send buffers (arrays on the stack) with a server
/// limited to 1 KiB records: the certificate flight and the page arrive in
/// many records, each fitting the small buffer.
#[test]
fn blocking_stream_with_small_buffers() {
    let server = OpensslServer::start(CertKind::Rsa, &["-www", "-max_send_frag", "1024"]);
    let (mut rx, mut tx) = ([0u8; 4096], [0u8; 1024]);
    let page = blocking_get(&server, &mut rx, &mut tx);
    check_page(&page);
    assert!(page.len() > 1024, "the page spans several records ({} bytes)", page.len());
}

#[tokio::test]
async fn async_stream_with_small_buffers() {
    let server = OpensslServer::start(CertKind::Rsa, &["-www", "-max_send_frag", "1024"]);
    let (mut rx, mut tx) = ([0u8; 4096], [0u8; 1024]);
    let page = tokio::time::timeout(TIMEOUT, async_get(server.port, &mut rx, &mut tx)).await.expect("timed out");
    check_page(&page);
    assert!(page.len() > 1024);
}

/// A server that sends a 16 000-byte record to a client with a 4 KiB
/// receive buffer (ignoring any fragment limit the client asked for): the
/// engine's clear error comes through as `TlsIoError::Tls` with its message,
/// and a kind that says what to change.
#[test]
fn a_record_larger_than_the_receive_buffer_is_a_clear_error() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let accept = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ = std::io::Read::read(&mut s, &mut [0u8; 1024]); // the ClientHello
        let mut rec = vec![22, 3, 3];
        rec.extend_from_slice(&16_000u16.to_be_bytes());
        rec.resize(5 + 16_000, 0);
        let _ = s.write_all(&rec);
        let _ = std::io::Read::read(&mut s, &mut [0u8; 64]); // the alert, or EOF
    });
    let config = insecure();
    let tcp = FromStd::new(std::net::TcpStream::connect(("127.0.0.1", port)).unwrap());
    let (mut rx, mut tx) = ([0u8; 4096], [0u8; 1024]);
    let Err(e) = EmbeddedTlsStream::connect(
        options(&config, ServerName::parse("localhost")),
        rng(),
        tcp,
        &mut rx[..],
        &mut tx[..],
        None,
    ) else {
        panic!("handshake succeeded")
    };
    match &e {
        TlsIoError::Tls(Error::ReceiveBufferTooSmall { capacity: 4096, .. }) => {
            assert_eq!(e.kind(), ErrorKind::OutOfMemory);
            assert!(e.to_string().contains("larger receive buffer"), "{e}");
        }
        // The engine offered a fragment limit the server ignored.
        TlsIoError::Tls(Error::RecordOverflow { size: 16_000, .. }) => {
            assert_eq!(e.kind(), ErrorKind::InvalidData);
            assert!(e.to_string().contains("16000"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    accept.join().unwrap();
}

/// A plaintext server (not TLS) answers the ClientHello with an HTTP error
/// and closes: a TLS error (kind `InvalidData`) with the engine's message,
/// for both streams.
#[tokio::test]
async fn a_server_that_is_not_tls_gives_a_tls_error() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let accept = std::thread::spawn(move || {
        for _ in 0..2 {
            let (mut s, _) = listener.accept().unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let _ = std::io::Read::read(&mut s, &mut [0u8; 1024]); // the ClientHello
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let config = insecure();

    let tcp = FromStd::new(std::net::TcpStream::connect(("127.0.0.1", port)).unwrap());
    let (mut rx, mut tx) = ([0u8; 2048], [0u8; 1024]);
    let Err(e) = EmbeddedTlsStream::connect(
        options(&config, ServerName::parse("localhost")),
        rng(),
        tcp,
        &mut rx[..],
        &mut tx[..],
        None,
    ) else {
        panic!("handshake with an HTTP server succeeded")
    };
    assert!(matches!(e, TlsIoError::Tls(_)), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::InvalidData, "{e:?}");
    let TlsIoError::Tls(tls) = &e else { unreachable!() };
    assert_eq!(e.to_string(), tls.to_string(), "Display is the TLS error's message");

    let tcp = FromTokio::new(tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap());
    let (mut rx, mut tx) = ([0u8; 2048], [0u8; 1024]);
    let r = AsyncTlsStream::connect(
        options(&config, ServerName::parse("localhost")),
        rng(),
        tcp,
        &mut rx[..],
        &mut tx[..],
        None,
    );
    let Err(e2) = tokio::time::timeout(TIMEOUT, r).await.expect("timed out") else {
        panic!("async handshake with an HTTP server succeeded")
    };
    let (TlsIoError::Tls(a), TlsIoError::Tls(b)) = (&e, &e2) else { panic!("async: {e2:?}") };
    assert_eq!(a, b, "both streams fail the same way");
    accept.join().unwrap();
}

/// Issue 12: a stream built in place (`new`, no I/O), connected by
/// `complete_handshake` or by its first write, for both blocking streams;
/// a second `complete_handshake` returns the same summary without I/O.
#[test]
fn blocking_streams_built_in_place_connect_on_request_or_first_write() {
    use std::io::{Read as _, Write as _};
    let server = OpensslServer::start(CertKind::Ecdsa, &["-www"]);
    let config = insecure();
    let (mut rx, mut tx) = ([0u8; 2 * MAX_RECORD], [0u8; MAX_RECORD]);

    let tcp = FromStd::new(server.connect());
    let mut tls = EmbeddedTlsStream::new(
        options(&config, ServerName::parse("localhost")),
        rng(),
        tcp,
        &mut rx[..],
        &mut tx[..],
        None,
    )
    .expect("new");
    assert_eq!(tls.summary().version, ProtocolVersion::Unknown(0), "not connected yet");
    let s = tls.complete_handshake().unwrap_or_else(|e| panic!("handshake: {e}"));
    assert_eq!((s.version, tls.summary().version), (ProtocolVersion::Tls13, ProtocolVersion::Tls13));
    assert_eq!(tls.complete_handshake().unwrap(), s, "connected: the same summary again");
    embedded_io::Write::write_all(&mut tls, GET).unwrap();
    check_page(&read_to_close(&mut tls).unwrap());
    drop(tls); // closes the socket: the server serves one connection at a time

    // The first write runs the handshake.
    let tcp = FromStd::new(server.connect());
    let mut tls = EmbeddedTlsStream::new(
        options(&config, ServerName::parse("localhost")),
        rng(),
        tcp,
        &mut rx[..],
        &mut tx[..],
        None,
    )
    .expect("new");
    embedded_io::Write::write_all(&mut tls, GET).unwrap_or_else(|e| panic!("write: {e}"));
    assert_eq!(tls.summary().version, ProtocolVersion::Tls13);
    check_page(&read_to_close(&mut tls).unwrap());
    drop(tls);

    // The same for the std stream.
    let mut tls = embertls::TlsStream::new(options(&config, ServerName::parse("localhost")), rng(), server.connect())
        .expect("new");
    assert!(tls.summary().is_none(), "not connected yet");
    let s = tls.complete_handshake().unwrap_or_else(|e| panic!("handshake: {e}"));
    assert_eq!(tls.summary(), Some(s));
    assert_eq!(tls.complete_handshake().unwrap(), s);
    tls.write_all(GET).unwrap();
    tls.read_to_end(&mut Vec::new()).unwrap();
    drop(tls);
    let mut tls = embertls::TlsStream::new_with_buffers(
        options(&config, ServerName::parse("localhost")),
        rng(),
        server.connect(),
        vec![0; 2 * MAX_RECORD],
        vec![0; 4096],
    )
    .expect("new");
    tls.write_all(GET).unwrap_or_else(|e| panic!("write: {e}"));
    assert_eq!(tls.summary().map(|s| s.version), Some(ProtocolVersion::Tls13));
    let mut page = Vec::new();
    tls.read_to_end(&mut page).unwrap();
    check_page(&page);
}

/// A handshake that failed leaves the in-place stream dead: later calls
/// fail (no panic, no hang, no I/O to a peer that broke the protocol).
#[test]
fn an_in_place_stream_whose_handshake_failed_stays_failed() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let accept = std::thread::spawn(move || {
        for _ in 0..2 {
            let (mut s, _) = listener.accept().unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let _ = std::io::Read::read(&mut s, &mut [0u8; 1024]); // the ClientHello
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
            // Held open: a stream that read again would wait for the timeout.
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    let config = insecure();
    let tcp = FromStd::new(std::net::TcpStream::connect(("127.0.0.1", port)).unwrap());
    let (mut rx, mut tx) = ([0u8; 2048], [0u8; 1024]);
    let mut tls = EmbeddedTlsStream::new(
        options(&config, ServerName::parse("localhost")),
        rng(),
        tcp,
        &mut rx[..],
        &mut tx[..],
        None,
    )
    .expect("new");
    let Err(TlsIoError::Tls(first)) = tls.complete_handshake() else { panic!("handshake with an HTTP server") };
    let Err(TlsIoError::Tls(again)) = tls.complete_handshake() else { panic!("a failed stream stays failed") };
    // The engine's stored failure, not a new attempt (which would read EOF: Truncated).
    assert_eq!(again, first);
    let Err(TlsIoError::Tls(write)) = embedded_io::Write::write(&mut tls, GET) else {
        panic!("write on a failed stream")
    };
    assert_eq!(write, first);
    assert_eq!(tls.summary().version, ProtocolVersion::Unknown(0));

    let tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut tls = embertls::TlsStream::new(options(&config, ServerName::parse("localhost")), rng(), tcp).expect("new");
    let first = tls.complete_handshake().expect_err("handshake with an HTTP server");
    let again = std::io::Read::read(&mut tls, &mut [0u8; 16]).expect_err("read on a failed stream");
    assert_eq!(first.kind(), std::io::ErrorKind::InvalidData, "{first:?}");
    assert_eq!(again.to_string(), first.to_string());
    assert!(tls.summary().is_none());
    accept.join().unwrap();
}

/// A TLS server that drops the connection mid-handshake (no close_notify):
/// `Error::Truncated`, kind `ConnectionAborted`.
#[test]
fn eof_during_the_handshake_is_truncation() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let accept = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ = std::io::Read::read(&mut s, &mut [0u8; 1024]);
        // Half of a handshake record header, then EOF.
        let _ = s.write_all(&[22, 3, 3]);
    });
    let config = insecure();
    let tcp = FromStd::new(std::net::TcpStream::connect(("127.0.0.1", port)).unwrap());
    let (mut rx, mut tx) = ([0u8; 2048], [0u8; 1024]);
    let Err(e) = EmbeddedTlsStream::connect(
        options(&config, ServerName::parse("localhost")),
        rng(),
        tcp,
        &mut rx[..],
        &mut tx[..],
        None,
    ) else {
        panic!("handshake succeeded")
    };
    assert!(matches!(e, TlsIoError::Tls(Error::Truncated)), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::ConnectionAborted);
    accept.join().unwrap();
}

/// A transport that takes the ClientHello, answers with `reply`, then fails
/// every write: the alert for a bad reply cannot be sent.
struct AlertLost {
    reply: &'static [u8],
    writes: usize,
}

impl std::io::Read for AlertLost {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.reply.len().min(buf.len());
        buf[..n].copy_from_slice(&self.reply[..n]);
        self.reply = &self.reply[n..];
        Ok(n)
    }
}

impl std::io::Write for AlertLost {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.writes += 1;
        match self.writes {
            1 => Ok(data.len()),
            _ => Err(std::io::ErrorKind::BrokenPipe.into()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl embedded_io_async::ErrorType for AlertLost {
    type Error = std::io::Error;
}

impl embedded_io_async::Read for AlertLost {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        std::io::Read::read(self, buf)
    }
}

impl embedded_io_async::Write for AlertLost {
    async fn write(&mut self, data: &[u8]) -> Result<usize, Self::Error> {
        std::io::Write::write(self, data)
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        std::io::Write::flush(self)
    }
}

/// Issue 15 item 4 (one driving loop): when the handshake fails and the
/// transport then fails to take the alert, all three streams report the TLS
/// error, which says what went wrong, not the transport's. (`TlsStream`
/// reported the broken pipe before the adapters shared their loop.)
#[tokio::test]
async fn a_tls_error_is_reported_when_its_alert_cannot_be_sent() {
    const REPLY: &[u8] = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    let config = insecure();
    let options = || options(&config, ServerName::parse("localhost"));

    let Err(e) = embertls::TlsStream::connect(options(), rng(), AlertLost { reply: REPLY, writes: 0 }) else {
        panic!("handshake with an HTTP server succeeded")
    };
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidData, "{e:?}");
    let std_error = e.get_ref().and_then(|e| e.downcast_ref::<Error>()).expect("an embertls::Error inside").clone();
    assert!(std_error.alert().is_some(), "an error that sends an alert: {std_error:?}");

    let (mut rx, mut tx) = ([0u8; 2048], [0u8; 1024]);
    let io = FromStd::new(AlertLost { reply: REPLY, writes: 0 });
    let Err(e) = EmbeddedTlsStream::connect(options(), rng(), io, &mut rx[..], &mut tx[..], None) else {
        panic!("blocking handshake with an HTTP server succeeded")
    };
    assert!(matches!(&e, TlsIoError::Tls(t) if *t == std_error), "{e:?}");

    let (mut rx, mut tx) = ([0u8; 2048], [0u8; 1024]);
    let io = AlertLost { reply: REPLY, writes: 0 };
    let Err(e) = AsyncTlsStream::connect(options(), rng(), io, &mut rx[..], &mut tx[..], None).await else {
        panic!("async handshake with an HTTP server succeeded")
    };
    assert!(matches!(&e, TlsIoError::Tls(t) if *t == std_error), "{e:?}");
}
