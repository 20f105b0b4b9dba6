//! The handshake trace through the `log` crate (feature `log`, issue 17
//! item 4): a logger captures what real handshakes against an in-memory
//! rustls server trace (messages in and out, what was negotiated,
//! resumption, HelloRetryRequest, key updates, alerts) and what a failing
//! handshake traces (the error and the alert).
#![cfg(feature = "log")]

use crate::common;

use std::cell::RefCell;
use std::sync::Arc;

use common::engine::insecure;
use common::peer::{rustls_config, rustls_config_tls12, CertKind, MemPeer};
use embertls::x509::{Pin, PinVerifier};
use embertls::{CipherSuite, ClientConfig, Event, NamedGroup, SessionTicket};
use log::Level;

/// Captures embertls's records on the thread that makes them: each test
/// drives its client on its own thread, so tests running in parallel do
/// not see each other's lines.
struct Capture;

thread_local! {
    static LINES: RefCell<Vec<(Level, String)>> = const { RefCell::new(Vec::new()) };
}

impl log::Log for Capture {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.target().starts_with("embertls")
    }
    fn log(&self, r: &log::Record<'_>) {
        if self.enabled(r.metadata()) {
            LINES.with(|l| l.borrow_mut().push((r.level(), r.args().to_string())));
        }
    }
    fn flush(&self) {}
}

static LOGGER: Capture = Capture;

/// Installs the logger (once per test binary) and empties this thread's capture.
fn capture() {
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(log::LevelFilter::Trace);
    LINES.with(|l| l.borrow_mut().clear());
}

/// This thread's lines so far, and a fresh start.
fn take() -> Vec<(Level, String)> {
    LINES.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

fn text(lines: &[(Level, String)]) -> String {
    lines.iter().map(|(l, s)| format!("{l:5} {s}\n")).collect()
}

/// The handshake messages in and out, in order (change_cipher_spec left out:
/// where rustls puts its own is its business).
fn messages(lines: &[(Level, String)]) -> Vec<&str> {
    lines
        .iter()
        .filter(|(l, s)| *l == Level::Trace && !s.contains("change_cipher_spec"))
        .map(|(_, s)| s.split(" (").next().unwrap())
        .collect()
}

/// Asserts `line` was logged at `level`.
fn has(lines: &[(Level, String)], level: Level, line: &str) {
    assert!(lines.iter().any(|(l, s)| *l == level && s == line), "no {level} line {line:?} in:\n{}", text(lines));
}

/// TLS 1.3 with a HelloRetryRequest (the server has only P-256) and ALPN,
/// then a KeyUpdate both ways and close_notify.
#[test]
fn tls13_handshake_is_traced() {
    capture();
    let config = insecure().with_alpn(&[b"mqtt"]).unwrap();
    let mut server = rustls_config(CertKind::Ecdsa, &[CipherSuite::Tls13Aes256GcmSha384], &[NamedGroup::Secp256r1]);
    server.alpn_protocols = vec![b"mqtt".to_vec()];
    let mut peer = MemPeer::new(&config, server);
    peer.handshake();
    let lines = take();
    assert_eq!(
        messages(&lines),
        [
            "sent ClientHello",
            "received ServerHello", // the HelloRetryRequest
            "sent ClientHello",
            "received ServerHello",
            "received EncryptedExtensions",
            "received Certificate",
            "received CertificateVerify",
            "received Finished",
            "sent Finished",
        ],
        "{}",
        text(&lines)
    );
    // Middlebox compatibility: one change_cipher_spec, before the second ClientHello.
    assert_eq!(lines.iter().filter(|(_, s)| s == "sent change_cipher_spec").count(), 1, "{}", text(&lines));
    has(&lines, Level::Debug, "HelloRetryRequest: TLS_AES_256_GCM_SHA384, group secp256r1, cookie false");
    has(&lines, Level::Debug, "ServerHello: TLSv1.3, TLS_AES_256_GCM_SHA384, group secp256r1, no PSK offered");
    has(
        &lines,
        Level::Debug,
        "handshake complete: TLSv1.3, TLS_AES_256_GCM_SHA384, group secp256r1, ALPN mqtt, resumed false, \
         HelloRetryRequest true, server NotVerified",
    );
    // Message lengths are the real ones: the ClientHello is the first record's content.
    let first = peer_first_client_hello_len(&config);
    has(&lines, Level::Trace, &format!("sent ClientHello ({first} bytes)"));
    assert!(lines.iter().all(|(l, _)| *l >= Level::Debug), "nothing at warn or above:\n{}", text(&lines));

    peer.client.update_keys(true).unwrap();
    peer.client_write(b"ping");
    peer.server_write(b"pong");
    assert_eq!(peer.client_read(4), b"pong");
    peer.client.close();
    peer.client_to_server();
    let lines = take();
    has(&lines, Level::Debug, "changing our sending key (KeyUpdate, update_requested true)");
    has(&lines, Level::Trace, "sent KeyUpdate (5 bytes)");
    has(&lines, Level::Trace, "received KeyUpdate (5 bytes)");
    has(&lines, Level::Debug, "the server changed its sending key (KeyUpdate)");
    has(&lines, Level::Debug, "sending alert close_notify");
}

/// The length of the ClientHello a fresh client queues (record header left out).
fn peer_first_client_hello_len(config: &ClientConfig<'_>) -> usize {
    let client = embertls::Client::new(
        embertls::ConnectOptions::new(config, embertls::ServerName::parse("localhost")),
        common::peer::rng(),
        vec![0u8; embertls::MAX_RECORD],
        vec![0u8; embertls::MAX_RECORD],
    )
    .unwrap();
    let n = client.outgoing().len() - 5;
    take(); // this client's own ClientHello line
    n
}

#[test]
fn tls12_handshake_is_traced() {
    capture();
    let config = insecure();
    let mut peer = MemPeer::new(&config, rustls_config_tls12(CertKind::Rsa, &[], &[]));
    peer.handshake();
    let lines = take();
    assert_eq!(
        messages(&lines),
        [
            "sent ClientHello",
            "received ServerHello",
            "received Certificate",
            "received ServerKeyExchange",
            "received ServerHelloDone",
            "sent ClientKeyExchange",
            "sent Finished",
            "received Finished",
        ],
        "{}",
        text(&lines)
    );
    for ccs in ["sent change_cipher_spec", "received change_cipher_spec"] {
        has(&lines, Level::Trace, ccs);
    }
    has(
        &lines,
        Level::Debug,
        "ServerHello: TLSv1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, extended master secret true, no session offered",
    );
    has(
        &lines,
        Level::Debug,
        "handshake complete: TLSv1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, group x25519, ALPN -, resumed false, \
         HelloRetryRequest false, server NotVerified",
    );
}

/// A TLS 1.3 ticket accepted, then one the server cannot read; a TLS 1.2 session ID resumed.
#[test]
fn resumption_is_traced() {
    capture();
    let config = insecure();
    let ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
    let server = |t: &Arc<dyn rustls::server::ProducesTickets>| {
        let mut sc = rustls_config(CertKind::Ecdsa, &[], &[]);
        sc.ticketer = t.clone();
        sc
    };
    let mut first = MemPeer::new(&config, server(&ticketer));
    first.handshake();
    let stored = first.take_tickets().expect("a ticket");
    for (ticketer, line, resumed) in [
        (ticketer, "session ticket accepted: resuming", true),
        (rustls::crypto::ring::Ticketer::new().unwrap(), "session ticket declined: full handshake", false),
    ] {
        let ticket = SessionTicket::decode(&stored).unwrap().with_age(1);
        take();
        let mut peer = MemPeer::resuming(&config, server(&ticketer), None, ticket);
        assert_eq!(peer.handshake().resumed, resumed);
        let lines = take();
        has(&lines, Level::Debug, &format!("ServerHello: TLSv1.3, TLS_AES_128_GCM_SHA256, group x25519, {line}"));
        assert_eq!(messages(&lines).contains(&"received Certificate"), !resumed, "{}", text(&lines));
    }

    let tls12 = rustls_config_tls12(CertKind::Ecdsa, &[], &[]); // session-ID cache
    let mut first = MemPeer::new(&config, tls12.clone());
    first.handshake();
    assert_eq!(first.client.process(), Ok(Event::SessionTicket));
    let mut buf = [0u8; 512];
    let n = first.client.session_ticket(&mut buf).unwrap();
    take();
    let mut peer = MemPeer::resuming(&config, tls12, None, SessionTicket::decode(&buf[..n]).unwrap().with_age(1));
    assert!(peer.handshake().resumed);
    let lines = take();
    has(
        &lines,
        Level::Debug,
        "ServerHello: TLSv1.2, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, extended master secret true, session resumed",
    );
}

/// Our refusal: the error that ended the handshake, at warn, with its whole
/// message, and the alert sent for it.
#[test]
fn our_refusal_logs_the_error_and_alert() {
    capture();
    let pins = [Pin::Spki([0x5a; 32])];
    let verifier = PinVerifier::new(&pins);
    let config = ClientConfig::new(&verifier);
    let mut peer = MemPeer::new(&config, rustls_config(CertKind::Ecdsa, &[], &[]));
    let err = peer.try_handshake().expect_err("no pin matches");
    let lines = take();
    let warn: Vec<_> = lines.iter().filter(|(l, _)| *l <= Level::Warn).collect();
    assert_eq!(warn, [&(Level::Warn, format!("connection failed: {err}"))], "{}", text(&lines));
    assert!(err.to_string().contains("pin"), "{err}");
    let alert = err.alert().expect("an alert is sent");
    has(&lines, Level::Debug, &format!("sending alert {alert}"));
    // The last message before the failure is the server's Certificate.
    assert_eq!(messages(&lines).last(), Some(&"received Certificate"), "{}", text(&lines));
}

/// The server's refusal: its alert and the error it became.
#[test]
fn server_refusal_logs_the_alert_and_error() {
    capture();
    let config = insecure().with_cipher_suites(&[CipherSuite::Tls13Chacha20Poly1305Sha256]).unwrap();
    let server = rustls_config(CertKind::Ecdsa, &[CipherSuite::Tls13Aes128GcmSha256], &[]);
    let mut peer = MemPeer::new(&config, server);
    let err = peer.try_handshake().expect_err("no suite in common");
    assert_eq!(err, embertls::Error::AlertReceived(embertls::AlertDescription::HandshakeFailure));
    let lines = take();
    has(&lines, Level::Debug, "received alert handshake_failure (level 2)");
    has(&lines, Level::Warn, &format!("connection failed: {err}"));
    assert!(!lines.iter().any(|(_, s)| s.starts_with("sending alert")), "no alert answers an alert:\n{}", text(&lines));
}
