//! The NSS key log (feature `danger-keylog`, issue 17 item 4): against an
//! in-memory rustls server whose own key log records the server's side of
//! each secret, our client must log exactly the same lines (label, client
//! random and secret), which proves the values and not only the format.
#![cfg(feature = "danger-keylog")]

use crate::common;

use std::sync::{Arc, Mutex};

use common::peer::{rustls_config, rustls_config_tls12, CertKind, MemPeer};
use embertls::keylog::{KeyLog, KeyLogWriter};
use embertls::{CipherSuite, ClientConfig, Event, NamedGroup, ServerVerification, SessionTicket};

/// `(label, client random, secret)`, as both sides log them.
type Entry = (String, Vec<u8>, Vec<u8>);

/// Collects what either side logs.
#[derive(Debug, Default)]
struct Collect(Mutex<Vec<Entry>>);

impl Collect {
    fn sorted(&self) -> Vec<Entry> {
        let mut v = std::mem::take(&mut *self.0.lock().unwrap());
        v.sort();
        v
    }
}

impl KeyLog for Collect {
    fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]) {
        self.0.lock().unwrap().push((label.to_string(), client_random.to_vec(), secret.to_vec()));
    }
}

impl rustls::KeyLog for Collect {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        self.0.lock().unwrap().push((label.to_string(), client_random.to_vec(), secret.to_vec()));
    }
}

fn labels(entries: &[Entry]) -> Vec<&str> {
    entries.iter().map(|e| e.0.as_str()).collect()
}

const TLS13_LABELS: [&str; 5] = [
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    "CLIENT_TRAFFIC_SECRET_0",
    "EXPORTER_SECRET",
    "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    "SERVER_TRAFFIC_SECRET_0",
];

/// Runs one handshake (and a round trip) with the server's key log on;
/// returns what rustls logged, sorted.
fn server_side(config: &ClientConfig<'_>, mut server: rustls::ServerConfig) -> Vec<Entry> {
    let theirs = Arc::new(Collect::default());
    server.key_log = theirs.clone();
    let mut peer = MemPeer::new(config, server);
    peer.handshake();
    peer.client_write(b"ping");
    assert_eq!(peer.server_read(), b"ping");
    theirs.sorted()
}

#[test]
fn tls13_secrets_match_rustls() {
    // Each suite (SHA-256 and SHA-384 secrets), and a HelloRetryRequest.
    let cases: [(CipherSuite, &[NamedGroup]); 4] = [
        (CipherSuite::Tls13Aes128GcmSha256, &[]),
        (CipherSuite::Tls13Aes256GcmSha384, &[]),
        (CipherSuite::Tls13Chacha20Poly1305Sha256, &[]),
        (CipherSuite::Tls13Aes256GcmSha384, &[NamedGroup::Secp256r1]),
    ];
    for (suite, groups) in cases {
        let ours = Collect::default();
        let config = ClientConfig::new(ServerVerification::danger_accept_any()).danger_with_key_log(&ours);
        let theirs = server_side(&config, rustls_config(CertKind::Ecdsa, &[suite], groups));
        let ours = ours.sorted();
        assert_eq!(labels(&ours), TLS13_LABELS, "{suite}");
        let hash_len = if suite == CipherSuite::Tls13Aes256GcmSha384 { 48 } else { 32 };
        assert!(ours.iter().all(|e| e.2.len() == hash_len), "{suite}");
        assert!(ours.iter().all(|e| e.1 == ours[0].1), "{suite}: one client random");
        assert_eq!(ours, theirs, "{suite} {groups:?}");
    }
}

#[test]
fn tls13_resumed_secrets_match_rustls() {
    let ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
    let mut server = rustls_config(CertKind::Ecdsa, &[], &[]);
    server.ticketer = ticketer;
    let ours = Collect::default();
    let config = ClientConfig::new(ServerVerification::danger_accept_any()).danger_with_key_log(&ours);
    let mut first = MemPeer::new(&config, server.clone());
    first.handshake();
    let stored = first.take_tickets().expect("a ticket");
    ours.sorted();
    let theirs = Arc::new(Collect::default());
    server.key_log = theirs.clone();
    let ticket = SessionTicket::decode(&stored).unwrap().with_age(1);
    let mut second = MemPeer::resuming(&config, server, None, ticket);
    assert!(second.handshake().resumed);
    let ours = ours.sorted();
    assert_eq!(labels(&ours), TLS13_LABELS);
    // rustls also logs the early traffic secret of the accepted PSK (RFC 8446
    // §7.1); we send no early data, so nothing is protected by it and we do not log it.
    let mut theirs = theirs.sorted();
    let early = theirs.remove(0);
    assert_eq!(early.0, "CLIENT_EARLY_TRAFFIC_SECRET");
    assert_eq!(ours, theirs);
}

#[test]
fn tls12_master_secret_matches_rustls() {
    for (cert, suite) in [
        (CertKind::Ecdsa, CipherSuite::EcdheEcdsaWithAes128GcmSha256),
        (CertKind::Rsa, CipherSuite::EcdheRsaWithAes256GcmSha384),
        (CertKind::Ecdsa, CipherSuite::EcdheEcdsaWithChacha20Poly1305Sha256),
    ] {
        let ours = Collect::default();
        let config = ClientConfig::new(ServerVerification::danger_accept_any()).danger_with_key_log(&ours);
        let theirs = server_side(&config, rustls_config_tls12(cert, &[suite], &[]));
        let ours = ours.sorted();
        assert_eq!(labels(&ours), ["CLIENT_RANDOM"], "{suite}");
        assert_eq!(ours[0].2.len(), 48, "{suite}");
        assert_eq!(ours, theirs, "{suite}");
    }
}

/// A resumed TLS 1.2 session (session ID) is logged too: a capture of the
/// resumed connection cannot be decrypted otherwise.
#[test]
fn tls12_resumed_master_secret_matches_rustls() {
    let mut server = rustls_config_tls12(CertKind::Ecdsa, &[], &[]);
    let ours = Collect::default();
    let config = ClientConfig::new(ServerVerification::danger_accept_any()).danger_with_key_log(&ours);
    let mut first = MemPeer::new(&config, server.clone());
    first.handshake();
    assert_eq!(first.client.process(), Ok(Event::SessionTicket));
    let mut buf = [0u8; 512];
    let n = first.client.session_ticket(&mut buf).unwrap();
    let first_lines = ours.sorted();
    let theirs = Arc::new(Collect::default());
    server.key_log = theirs.clone();
    let mut second = MemPeer::resuming(&config, server, None, SessionTicket::decode(&buf[..n]).unwrap().with_age(1));
    assert!(second.handshake().resumed);
    let ours = ours.sorted();
    assert_eq!(ours, theirs.sorted());
    assert_eq!(labels(&ours), ["CLIENT_RANDOM"]);
    assert_eq!(ours[0].2, first_lines[0].2, "the same master secret");
    assert_ne!(ours[0].1, first_lines[0].1, "a new client random");
}

/// `KeyLogWriter::from_env` appends NSS lines to the file SSLKEYLOGFILE
/// names; they are rustls's lines, written here in the NSS format
/// (`<label> <hex client random> <hex secret>`) independently of ours.
#[test]
fn sslkeylogfile_gets_the_nss_lines() {
    let path = std::env::temp_dir().join(format!("embertls-keylog-{}.txt", std::process::id()));
    std::fs::write(&path, "# an earlier line stays\n").unwrap();
    // The only test of this binary that reads SSLKEYLOGFILE.
    std::env::set_var("SSLKEYLOGFILE", &path);
    let writer = KeyLogWriter::from_env().unwrap().expect("SSLKEYLOGFILE is set");
    std::env::remove_var("SSLKEYLOGFILE");
    let config = ClientConfig::new(ServerVerification::danger_accept_any()).danger_with_key_log(&writer);
    let mut theirs = Vec::new();
    for server in [rustls_config(CertKind::Ecdsa, &[], &[]), rustls_config_tls12(CertKind::Ecdsa, &[], &[])] {
        theirs.extend(server_side(&config, server));
    }
    assert!(writer.take_error().is_none());
    drop(writer);
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let mut expected: Vec<String> = theirs.iter().map(|(l, r, s)| format!("{l} {} {}", hex(r), hex(s))).collect();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.remove(0), "# an earlier line stays", "appended, not truncated");
    let mut lines: Vec<String> = lines.into_iter().map(String::from).collect();
    lines.sort();
    expected.sort();
    assert_eq!(lines.len(), 6, "5 TLS 1.3 lines and 1 TLS 1.2 line:\n{text}");
    assert_eq!(lines, expected);
}
