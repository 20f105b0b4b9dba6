//! TLS 1.2 interoperability with real peers on loopback: `openssl s_server
//! -tls1_2` (OpenSSL 3.0), `gnutls-serv` (GnuTLS 3.7) and the mosquitto
//! broker (2.0, OpenSSL 3), with the sans-I/O [`Client`] driven by hand over
//! a TCP socket (so the tests see every event, the PSK hint and what the
//! client queues before it is sent).
//!
//! - every ECDHE suite × group × certificate, the server verified against
//!   its CA, and each ServerKeyExchange signature scheme;
//! - the PSK suites (plain and ECDHE_PSK) with and without a
//!   psk_identity_hint, wrong keys and identities;
//! - client certificates; resumption by RFC 5077 ticket and by session ID;
//! - HelloRequest answered with a warning no_renegotiation alert;
//! - the extended master secret and secure renegotiation required;
//! - version negotiation between TLS 1.3 and 1.2, and TLS 1.1 servers;
//! - MQTT over a mosquitto TLS 1.2 PSK listener.
//!
//! Where the outcome depends on what the peer does, the test says what the
//! peer was seen doing with its own reference client (openssl s_client,
//! gnutls-cli, mosquitto_pub / mosquitto_sub) on the same command line.
//!
//! Needs `openssl`, `gnutls-bin` (gnutls-serv) and `mosquitto` +
//! `mosquitto-clients`; a missing one fails its tests with the command that
//! installs it. Every test starts its own servers on free ports and kills
//! them on drop; every socket read is bounded by [`TIMEOUT`].

#![allow(clippy::result_large_err)] // helpers return embertls::Error as the engine does

use crate::common;

use crate::mqtt_psk;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::engine::{now, tcp_event_sequence};
use common::gnutls::{gnutls_priority, GnutlsServer};
use common::mosquitto::{Broker, PUB_ID, PUB_KEY, SUB_KEY};
use common::peer::{peer_file, rng, CertKind, OpensslServer, TempFile, TestClient, GROUPS, TIMEOUT};
use common::provider::{options, WITH_RING};
use embertls::provider::SignatureError;
use embertls::{
    AlertDescription, CaVerifier, CipherSuite, Client, ClientConfig, ClientIdentity, Error, Event, ExternalPsk,
    HandshakeSummary, Incompatibility, NamedGroup, ProtocolVersion, ServerName, ServerVerification, ServerVerifier,
    SessionTicket, SoftwareSigner, Trust, MAX_RECORD,
};

const ID: &str = "embertls-device-17";
const KEY: &str = "00112233445566778899aabbccddeeff";
const OTHER_KEY: &str = "00112233445566778899aabbccddee00";
const HINT: &str = "embertls-hint";
const GET: &[u8] = b"GET / HTTP/1.0\r\n\r\n";

/// The TLS 1.2 ECDHE suites: OpenSSL name, GnuTLS key exchange and cipher,
/// and the certificate the suite needs.
const ECDHE_SUITES: [(CipherSuite, &str, &str, &str, CertKind); 6] = [
    (
        CipherSuite::EcdheEcdsaWithAes128GcmSha256,
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA",
        "AES-128-GCM",
        CertKind::Ecdsa,
    ),
    (
        CipherSuite::EcdheEcdsaWithAes256GcmSha384,
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA",
        "AES-256-GCM",
        CertKind::Ecdsa,
    ),
    (
        CipherSuite::EcdheEcdsaWithChacha20Poly1305Sha256,
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-ECDSA",
        "CHACHA20-POLY1305",
        CertKind::Ecdsa,
    ),
    (
        CipherSuite::EcdheRsaWithAes128GcmSha256,
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA",
        "AES-128-GCM",
        CertKind::Rsa,
    ),
    (
        CipherSuite::EcdheRsaWithAes256GcmSha384,
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA",
        "AES-256-GCM",
        CertKind::Rsa,
    ),
    (
        CipherSuite::EcdheRsaWithChacha20Poly1305Sha256,
        "ECDHE-RSA-CHACHA20-POLY1305",
        "ECDHE-RSA",
        "CHACHA20-POLY1305",
        CertKind::Rsa,
    ),
];

/// The TLS 1.2 PSK suites: OpenSSL name, GnuTLS key exchange and cipher.
const PSK_SUITES: [(CipherSuite, &str, &str, &str); 4] = [
    (CipherSuite::PskWithAes128GcmSha256, "PSK-AES128-GCM-SHA256", "PSK", "AES-128-GCM"),
    (CipherSuite::PskWithAes256GcmSha384, "PSK-AES256-GCM-SHA384", "PSK", "AES-256-GCM"),
    (CipherSuite::PskWithChacha20Poly1305Sha256, "PSK-CHACHA20-POLY1305", "PSK", "CHACHA20-POLY1305"),
    (CipherSuite::EcdhePskWithChacha20Poly1305Sha256, "ECDHE-PSK-CHACHA20-POLY1305", "ECDHE-PSK", "CHACHA20-POLY1305"),
];

/// The CA of `vectors/peer/` that issued `cert`'s leaf.
fn ca(cert: CertKind) -> CaVerifier {
    let file = match cert {
        CertKind::Ecdsa => "ecdsa-ca.pem",
        CertKind::Rsa => "rsa-ca.pem",
    };
    let pem = std::fs::read(peer_file(file)).unwrap_or_else(|e| panic!("read vectors/peer/{file}: {e}"));
    CaVerifier::from_pem(&pem).unwrap_or_else(|e| panic!("vectors/peer/{file}: {e}"))
}

/// TLS 1.2 only, the server checked by `verifier`.
fn tls12(verifier: &(dyn ServerVerifier + Sync)) -> ClientConfig<'_> {
    ClientConfig::new(verifier).with_versions(&[ProtocolVersion::Tls12]).expect("with_versions([Tls12])")
}

/// TLS 1.2 only with the external PSK, offering `suites` (empty: the
/// defaults). The verifier is never consulted with a PSK.
fn psk_config<'a>(psk: &'a ExternalPsk, suites: &[CipherSuite]) -> ClientConfig<'a> {
    let config = tls12(ServerVerification::danger_accept_any()).with_psk(psk);
    if suites.is_empty() {
        config
    } else {
        config.with_cipher_suites(suites).expect("TLS 1.2 PSK suites")
    }
}

/// TLS 1.2 only, the server checked by `verifier`, offering both groups
/// with `group` first.
fn tls12_group_first(verifier: &(dyn ServerVerifier + Sync), group: NamedGroup) -> ClientConfig<'_> {
    let other = GROUPS.iter().map(|x| x.0).find(|x| *x != group).expect("two groups");
    tls12(verifier).with_groups(&[group, other]).expect("groups")
}

// ---------------------------------------------------------------------------
// The client over a TCP socket
// ---------------------------------------------------------------------------

/// Our [`Client`] joined to a loopback TCP connection, driven by hand.
struct Conn<'a> {
    client: TestClient<'a>,
    tcp: TcpStream,
    /// Serialized tickets from `Client::session_ticket`, one per `Event::SessionTicket`.
    tickets: Vec<Vec<u8>>,
    /// Application data received and not yet taken.
    plain: Vec<u8>,
    /// The server's close_notify arrived.
    peer_closed: bool,
    /// The transport reported its end (read 0 or reset).
    eof: bool,
    /// Keep what the client queues instead of sending it (see [`Conn::event`]).
    hold: bool,
    /// Return `Event::NeedData` as soon as something is queued (see [`Conn::wait_queued`]).
    yield_queued: bool,
}

impl<'a> Conn<'a> {
    /// A client for "localhost" with 16 709-byte buffers, connected to `port`.
    fn open(config: &'a ClientConfig<'a>, port: u16) -> Self {
        Self::open_with(config, port, None, MAX_RECORD)
    }

    /// As [`Conn::open`], offering `ticket` for resumption.
    fn resume(config: &'a ClientConfig<'a>, port: u16, ticket: SessionTicket<'a>) -> Self {
        Self::open_with(config, port, Some(ticket), MAX_RECORD)
    }

    fn open_with(config: &'a ClientConfig<'a>, port: u16, ticket: Option<SessionTicket<'a>>, buffers: usize) -> Self {
        let tcp =
            TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("connect to 127.0.0.1:{port}: {e}"));
        tcp.set_read_timeout(Some(TIMEOUT)).expect("set_read_timeout");
        tcp.set_write_timeout(Some(TIMEOUT)).expect("set_write_timeout");
        tcp.set_nodelay(true).expect("set_nodelay");
        let name = ServerName::parse("localhost");
        let (rx, tx) = (vec![0u8; buffers], vec![0u8; buffers]);
        let client = match ticket {
            Some(t) => Client::new(options(config, name).now(Some(now())).resuming(t), rng(), rx, tx),
            None => Client::new(options(config, name).now(Some(now())), rng(), rx, tx),
        };
        let client = client.unwrap_or_else(|e| panic!("Client::new: {e}"));
        Conn {
            client,
            tcp,
            tickets: Vec::new(),
            plain: Vec::new(),
            peer_closed: false,
            eof: false,
            hold: false,
            yield_queued: false,
        }
    }

    /// Sends everything the client queued. A server that already closed
    /// may refuse the bytes; the engine then reports what it had sent before.
    fn flush(&mut self) {
        loop {
            let out = self.client.outgoing();
            if out.is_empty() {
                return;
            }
            let n = out.len();
            if let Err(e) = self.tcp.write_all(out) {
                let gone = matches!(
                    e.kind(),
                    ErrorKind::BrokenPipe | ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
                );
                assert!(gone, "socket write: {e}");
            }
            self.client.sent(n);
        }
    }

    /// The next event other than `NeedData`: sends what the client queued
    /// (unless `hold`), reads from the socket when it needs data, keeps
    /// tickets and application data. The socket's end is handed to the engine
    /// as `received(0)`, so it decides between a clean close and truncation.
    fn event(&mut self) -> Result<Event<'a>, Error> {
        loop {
            if !self.hold {
                self.flush();
            }
            match self.client.process()? {
                Event::NeedData if self.yield_queued && !self.client.outgoing().is_empty() => {
                    return Ok(Event::NeedData);
                }
                Event::NeedData => {
                    // What `process` just queued (in TLS 1.2 the client's
                    // flight, with NeedData) must go out before we wait.
                    if !self.hold {
                        self.flush();
                    }
                    assert!(!self.eof, "the engine asked for data after the transport closed");
                    let buf = self.client.receive_buffer();
                    assert!(!buf.is_empty(), "Event::NeedData with a full receive buffer");
                    let n = match self.tcp.read(buf) {
                        Ok(n) => n,
                        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                            panic!("the server sent nothing for {TIMEOUT:?} (plaintext so far: {:?})", self.text())
                        }
                        Err(_) => 0, // reset by the server: the transport is gone
                    };
                    self.eof = n == 0;
                    self.client.received(n);
                }
                ev @ Event::ApplicationData(_) => {
                    let mut buf = [0u8; 4096];
                    loop {
                        let k = self.client.read(&mut buf);
                        if k == 0 {
                            break;
                        }
                        self.plain.extend_from_slice(&buf[..k]);
                    }
                    return Ok(ev);
                }
                Event::SessionTicket => {
                    let mut buf = vec![0u8; 70_000];
                    let n = self.client.session_ticket(&mut buf).expect("Client::session_ticket after the event");
                    buf.truncate(n);
                    self.tickets.push(buf);
                    return Ok(Event::SessionTicket);
                }
                Event::PeerClosed => {
                    self.peer_closed = true;
                    return Ok(Event::PeerClosed);
                }
                ev => return Ok(ev),
            }
        }
    }

    /// Runs the handshake (a TLS 1.2 NewSessionTicket comes before the
    /// server's Finished: its event is kept and passed over).
    fn handshake(&mut self) -> Result<HandshakeSummary<'a>, Error> {
        loop {
            match self.event()? {
                Event::HandshakeComplete(s) => {
                    if !self.hold {
                        self.flush(); // our Finished, when the server's came first (resumption)
                    }
                    return Ok(s);
                }
                Event::SessionTicket => {}
                other => panic!("unexpected event during the handshake: {other:?}"),
            }
        }
    }

    /// Writes all of `data` and sends it (held bytes included).
    fn write_all(&mut self, data: &[u8]) -> Result<(), Error> {
        let (mut off, mut idle) = (0, 0);
        while off < data.len() {
            let n = self.client.write(&data[off..])?;
            self.flush();
            idle = if n == 0 { idle + 1 } else { 0 };
            assert!(idle < 2, "Client::write takes nothing even with an empty send buffer");
            off += n;
        }
        Ok(())
    }

    /// Reads until the received plaintext contains `needle`; returns it up to
    /// and including `needle`, and keeps the rest.
    fn read_until(&mut self, needle: &[u8]) -> Result<Vec<u8>, Error> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(i) = self.plain.windows(needle.len()).position(|w| w == needle) {
                return Ok(self.plain.drain(..i + needle.len()).collect());
            }
            assert!(
                !self.peer_closed && Instant::now() < deadline,
                "no {:?} from the server; got {:?}",
                String::from_utf8_lossy(needle),
                self.text()
            );
            match self.event()? {
                Event::ApplicationData(_) | Event::SessionTicket | Event::PeerClosed => {}
                other => panic!("unexpected event while reading: {other:?}"),
            }
        }
    }

    /// Reads exactly `n` bytes.
    fn read_exact(&mut self, n: usize) -> Result<Vec<u8>, Error> {
        while self.plain.len() < n {
            assert!(!self.peer_closed, "the server closed after {} of {n} bytes", self.plain.len());
            match self.event()? {
                Event::ApplicationData(_) | Event::SessionTicket | Event::PeerClosed => {}
                other => panic!("unexpected event while reading: {other:?}"),
            }
        }
        Ok(self.plain.drain(..n).collect())
    }

    /// Reads until the server's close_notify.
    fn read_to_end(&mut self) -> Result<Vec<u8>, Error> {
        while !self.peer_closed {
            match self.event()? {
                Event::ApplicationData(_) | Event::SessionTicket | Event::PeerClosed => {}
                other => panic!("unexpected event while reading: {other:?}"),
            }
        }
        Ok(std::mem::take(&mut self.plain))
    }

    /// Holds what the client queues from now on, and runs it until it has
    /// queued something (its answer to what the server sent); returns that.
    fn wait_queued(&mut self) -> Result<Vec<u8>, Error> {
        self.hold = true;
        self.yield_queued = true;
        let r = loop {
            match self.event() {
                Ok(Event::NeedData) => break Ok(self.client.outgoing().to_vec()),
                Ok(Event::ApplicationData(_) | Event::SessionTicket) => {}
                Ok(other) => panic!("unexpected event while waiting for the client to answer: {other:?}"),
                Err(e) => break Err(e),
            }
        };
        self.yield_queued = false;
        r
    }

    /// Sends our close_notify.
    fn close(&mut self) {
        self.client.close();
        self.flush();
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.plain).into_owned()
    }
}

/// The handshake error of a connection the server must refuse.
fn refused(config: &ClientConfig<'_>, port: u16) -> Error {
    match Conn::open(config, port).handshake() {
        Ok(s) => panic!("the handshake succeeded: {s:?}"),
        Err(e) => e,
    }
}

/// What a successful full TLS 1.2 handshake must report; the error lists
/// every difference.
fn check_summary(
    s: &HandshakeSummary<'_>,
    suite: CipherSuite,
    group: Option<NamedGroup>,
    trust: Trust,
) -> Result<(), String> {
    let mut problems = Vec::new();
    if s.version != ProtocolVersion::Tls12 {
        problems.push(format!("version {} (not TLSv1.2)", s.version));
    }
    if s.cipher_suite != suite {
        problems.push(format!("suite {} (expected {suite})", s.cipher_suite));
    }
    if s.group != group {
        problems.push(format!("group {:?} (expected {group:?})", s.group));
    }
    if s.trust != trust {
        problems.push(format!("trust {:?} (expected {trust:?})", s.trust));
    }
    if !s.is_verified() {
        problems.push("is_verified() is false".into());
    }
    if s.resumed || s.hello_retry || s.alpn.is_some() {
        problems.push(format!("resumed {}, hello_retry {}, alpn {:?}", s.resumed, s.hello_retry, s.alpn));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// How the server answers a line.
#[derive(Clone, Copy)]
enum Echo {
    /// `openssl s_server -rev`: the line reversed, then a newline.
    Reversed,
    /// `gnutls-serv --echo`: the same line.
    Same,
}

/// Two lines, a short one and one of 4 800 bytes, each answered by the server.
fn echo(conn: &mut Conn<'_>, style: Echo) -> Result<(), String> {
    for line in ["embertls speaks TLS 1.2".to_string(), "0123456789abcdef".repeat(300)] {
        conn.write_all(format!("{line}\n").as_bytes()).map_err(|e| format!("write: {e}"))?;
        let got = conn.read_until(b"\n").map_err(|e| format!("reading the echo: {e}"))?;
        let want = match style {
            Echo::Reversed => line.chars().rev().collect::<String>(),
            Echo::Same => line.clone(),
        } + "\n";
        if got != want.as_bytes() {
            return Err(format!("echo of {} bytes: got {:?}", line.len(), String::from_utf8_lossy(&got)));
        }
    }
    Ok(())
}

/// Connects to `port` with `config`, runs the handshake, `check`s its
/// summary, echoes two lines in `style`, runs `after` (e.g. checks of the
/// server's log) and closes; the error says which step failed.
fn exchange(
    config: &ClientConfig<'_>,
    port: u16,
    style: Echo,
    check: impl FnOnce(&HandshakeSummary<'_>) -> Result<(), String>,
    after: impl FnOnce() -> Result<(), String>,
) -> Result<(), String> {
    let mut conn = Conn::open(config, port);
    let r = conn
        .handshake()
        .map_err(|e| format!("handshake: {e}"))
        .and_then(|s| check(&s))
        .and_then(|()| echo(&mut conn, style))
        .and_then(|()| after());
    conn.close();
    r
}

/// Joins test threads; each failure message names its combination.
fn join_all(jobs: Vec<(String, JoinHandle<Result<(), String>>)>) {
    let total = jobs.len();
    let failures: Vec<String> = jobs
        .into_iter()
        .filter_map(|(name, job)| match job.join() {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(format!("{name}: {e}")),
            Err(panic) => Some(format!(
                "{name}: panicked: {}",
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            )),
        })
        .collect();
    assert!(failures.is_empty(), "{} of {total} combinations failed:\n{}", failures.len(), failures.join("\n\n"));
}

// ---------------------------------------------------------------------------
// 1. openssl s_server -tls1_2: ECDHE suites, groups, certificates
// ---------------------------------------------------------------------------

/// Every ECDHE suite × {X25519, P-256} with the certificate its suite needs,
/// verified against the CA; 12 servers in parallel. The client offers every
/// suite and both groups (the server's group first); the server allows one
/// of each. Its own log must report TLSv1.2 and the suite.
///
/// Both groups are always offered because in TLS 1.2 supported_groups also
/// limits the curve of an ECDSA certificate (RFC 8422 §5.1): observed with
/// s_client, `-groups X25519` alone against the P-256 certificate ends in
/// "no shared cipher" (handshake_failure).
#[test]
fn openssl_every_ecdhe_suite_group_and_certificate() {
    let mut jobs = Vec::new();
    for (suite, name, _, _, cert) in ECDHE_SUITES {
        for (group, group_name) in GROUPS {
            let job = std::thread::spawn(move || {
                let server = OpensslServer::start_tls12(cert, &["-rev", "-cipher", name, "-groups", group_name]);
                let verifier = ca(cert);
                let config = tls12_group_first(&verifier, group);
                let check = |s: &HandshakeSummary<'_>| check_summary(s, suite, Some(group), Trust::Verified);
                exchange(&config, server.port, Echo::Reversed, check, || {
                    let seen = server.wait_log("Protocol version: TLSv1.2", Duration::from_secs(5))
                        && server.wait_log(&format!("Ciphersuite: {name}"), Duration::from_secs(5));
                    seen.then_some(()).ok_or_else(|| "s_server did not log TLSv1.2 with this suite".to_string())
                })
                .map_err(|e| format!("{e}\n  server: {}\n  server output:\n{}", server.args, server.log()))
            });
            jobs.push((format!("{cert:?} certificate, {name}, {group_name}"), job));
        }
    }
    join_all(jobs);
}

/// Each signature scheme the client offers for the ServerKeyExchange,
/// forced with s_server `-sigalgs`: RSA PKCS#1 v1.5 and PSS with SHA-256,
/// -384 and -512 (PKCS#1 v1.5 is legitimate in TLS 1.2, unlike a TLS 1.3
/// CertificateVerify), and ECDSA with SHA-256 and SHA-384. In TLS 1.2
/// `ecdsa_secp384r1_sha384` names ECDSA with SHA-384 on any curve (RFC 8446
/// §4.2.3 binds the curve for TLS 1.3 only): OpenSSL signs with it using the
/// P-256 key, and s_client accepts that.
#[test]
fn openssl_server_key_exchange_signature_schemes() {
    let cases = [
        (CertKind::Rsa, "RSA+SHA256"),
        (CertKind::Rsa, "RSA+SHA384"),
        (CertKind::Rsa, "RSA+SHA512"),
        (CertKind::Rsa, "rsa_pss_rsae_sha256"),
        (CertKind::Rsa, "rsa_pss_rsae_sha384"),
        (CertKind::Rsa, "rsa_pss_rsae_sha512"),
        (CertKind::Ecdsa, "ECDSA+SHA256"),
        (CertKind::Ecdsa, "ECDSA+SHA384"),
    ];
    let mut jobs = Vec::new();
    for (cert, sigalg) in cases {
        let job = std::thread::spawn(move || {
            let server = OpensslServer::start_tls12(cert, &["-rev", "-sigalgs", sigalg]);
            let verifier = ca(cert);
            let check = |s: &HandshakeSummary<'_>| {
                let want = ECDHE_SUITES.iter().filter(|x| x.4 == cert).map(|x| x.0).collect::<Vec<_>>();
                let ok = s.version == ProtocolVersion::Tls12 && want.contains(&s.cipher_suite);
                ok.then_some(()).ok_or_else(|| format!("negotiated {} {}", s.version, s.cipher_suite))
            };
            exchange(&tls12(&verifier), server.port, Echo::Reversed, check, || Ok(()))
                .map_err(|e| format!("{e}\n  server: {}\n  server output:\n{}", server.args, server.log()))
        });
        jobs.push((format!("{cert:?} certificate, -sigalgs {sigalg}"), job));
    }
    join_all(jobs);
}

/// `-max_send_frag 512`: the RSA Certificate message spans several records;
/// client buffers of 4 KiB are enough for records this small.
#[test]
fn openssl_tiny_records_and_small_buffers() {
    let server = OpensslServer::start_tls12(CertKind::Rsa, &["-www", "-max_send_frag", "512"]);
    let verifier = ca(CertKind::Rsa);
    let config = tls12(&verifier);
    let mut conn = Conn::open_with(&config, server.port, None, 4096);
    let s = conn.handshake().unwrap_or_else(|e| panic!("handshake with 512-byte records: {e}"));
    assert_eq!((s.version, s.trust), (ProtocolVersion::Tls12, Trust::Verified), "{s:?}");
    conn.write_all(GET).unwrap();
    let page = String::from_utf8(conn.read_to_end().unwrap()).unwrap();
    assert!(page.starts_with("HTTP/1.0 200 ok\r\n") && page.len() > 512, "{page}");
    assert!(page.contains("New, TLSv1.2, Cipher is ECDHE-RSA-"), "{page}");
}

// ---------------------------------------------------------------------------
// 2. PSK suites
// ---------------------------------------------------------------------------

/// `openssl s_server -tls1_2 -nocert` with only the PSK [`ID`] / [`KEY`],
/// then `extra`.
fn openssl_psk_server(extra: &[&str]) -> OpensslServer {
    OpensslServer::start_args(&[&["-tls1_2", "-nocert", "-psk", KEY, "-psk_identity", ID][..], extra].concat())
}

/// Each PSK suite against `s_server -nocert -psk -psk_hint`: the hint is
/// reported, the server is trusted through the key, ECDHE_PSK adds an
/// (EC)DHE exchange (X25519, the client's first group).
///
/// OpenSSL uses the same PSK with the SHA-384 suite (TLS 1.2's PRF takes the
/// suite's hash, the PSK is only bytes), so the default SHA-256
/// `ExternalPsk` is expected to work with PSK-AES256-GCM-SHA384 too.
#[test]
fn openssl_psk_suites_with_hint() {
    for (suite, name, _, _) in PSK_SUITES {
        let server = openssl_psk_server(&["-psk_hint", HINT, "-cipher", name, "-rev"]);
        let psk = ExternalPsk::from_hex(ID, KEY).unwrap();
        let config = psk_config(&psk, &[suite]);
        let mut conn = Conn::open(&config, server.port);
        let s = conn.handshake().unwrap_or_else(|e| panic!("{name}: {e}"));
        let group = (suite == CipherSuite::EcdhePskWithChacha20Poly1305Sha256).then_some(NamedGroup::X25519);
        check_summary(&s, suite, group, Trust::PreSharedKey).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(conn.client.psk_identity_hint(), Some(HINT.as_bytes()), "{name}");
        echo(&mut conn, Echo::Reversed).unwrap_or_else(|e| panic!("{name}: {e}"));
        conn.close();
        assert!(server.wait_log(&format!("Ciphersuite: {name}"), Duration::from_secs(5)), "{name}:\n{}", server.log());
    }
}

/// Without `-psk_hint`, s_server sends no ServerKeyExchange at all for
/// plain PSK (RFC 4279 §2 lets it omit the message) and an empty hint with
/// ECDHE_PSK (seen with s_client -msg): both mean no hint.
#[test]
fn openssl_psk_without_hint() {
    for (suite, name) in [
        (CipherSuite::PskWithAes128GcmSha256, "PSK-AES128-GCM-SHA256"),
        (CipherSuite::EcdhePskWithChacha20Poly1305Sha256, "ECDHE-PSK-CHACHA20-POLY1305"),
    ] {
        let server = openssl_psk_server(&["-cipher", name, "-rev"]);
        let psk = ExternalPsk::from_hex(ID, KEY).unwrap();
        let config = psk_config(&psk, &[suite]);
        let mut conn = Conn::open(&config, server.port);
        let s = conn.handshake().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((s.cipher_suite, s.trust), (suite, Trust::PreSharedKey), "{name}");
        assert_eq!(conn.client.psk_identity_hint(), None, "{name}");
        echo(&mut conn, Echo::Reversed).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// A wrong key: the server cannot decrypt our Finished and answers
/// bad_record_mac (s_client sees the same), which the client reports as the
/// PSK refused, without the key in the message.
///
/// A wrong identity is not tested against s_server: in TLS 1.2 its PSK
/// callback only prints "PSK warning: client identity not what we expected"
/// and uses its key anyway (seen with s_client), so the handshake succeeds.
#[test]
fn openssl_psk_wrong_key_is_refused() {
    let server = openssl_psk_server(&["-rev"]);
    let psk = ExternalPsk::from_hex(ID, OTHER_KEY).unwrap();
    let config = psk_config(&psk, &[CipherSuite::PskWithAes128GcmSha256]);
    let e = refused(&config, server.port);
    assert_eq!(e, Error::PskRefused { alert: Some(AlertDescription::BadRecordMac) }, "{e}");
    let msg = e.to_string();
    assert!(msg.contains("did not accept the pre-shared key"), "{msg}");
    assert!(!msg.to_lowercase().contains(KEY) && !msg.contains(OTHER_KEY), "the key leaked into: {msg}");
    assert!(server.wait_log("bad record mac", Duration::from_secs(5)), "{}", server.log());
}

// ---------------------------------------------------------------------------
// 3. Client certificates
// ---------------------------------------------------------------------------

/// Runs `f` with a TLS 1.2 configuration that verifies the server against
/// the ECDSA CA and holds the client identity `vectors/peer/<name>.pem`
/// (certificate chain, leaf first) with its key `<name>.key`.
fn with_client_identity<R>(name: &str, f: impl FnOnce(&ClientConfig<'_>) -> R) -> R {
    let read =
        |file: String| std::fs::read(peer_file(&file)).unwrap_or_else(|e| panic!("read vectors/peer/{file}: {e}"));
    let certs = embertls::pem::certificates(&read(format!("{name}.pem"))).expect("certificate PEM");
    let signer = SoftwareSigner::from_pem_with_rng(&read(format!("{name}.key")), rng()).expect("key PEM");
    let refs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
    let identity = ClientIdentity::new(&refs, &signer).expect("identity");
    let verifier = ca(CertKind::Ecdsa);
    f(&tls12(&verifier).with_client_identity(&identity))
}

/// `s_server -tls1_2 -Verify 1 -CAfile client-ca.pem -rev` (ECDSA identity).
fn client_auth_server() -> OpensslServer {
    let client_ca = peer_file("client-ca.pem").display().to_string();
    OpensslServer::start_tls12(CertKind::Ecdsa, &["-rev", "-Verify", "1", "-CAfile", &client_ca])
}

/// Whether `e` is the server's handshake_failure after the client sent no
/// certificate, with a client identity `configured` or not.
fn refused_without_certificate(e: &Error, configured: bool) -> bool {
    matches!(
        e,
        Error::ClientAuthRejected {
            alert: AlertDescription::HandshakeFailure,
            sent_identity: None,
            configured: c,
        } if *c == configured
    )
}

/// P-256 and RSA-2048 client certificates, each verified by s_server up to
/// client-ca.
///
/// Not P-384: in TLS 1.2 OpenSSL also checks the curve of an ECDSA client
/// certificate against the client's supported_groups (tls12_check_peer_sigalg
/// "wrong curve", illegal_parameter, seen with s_client `-groups X25519:P-256`
/// and the client-p384 identity), and the client offers x25519 and secp256r1
/// only.
#[test]
fn openssl_client_certificates() {
    for name in ["client-p256", "client-rsa2048"] {
        let server = client_auth_server();
        with_client_identity(name, |config| {
            let mut conn = Conn::open(config, server.port);
            let s = conn.handshake().unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!((s.version, s.trust), (ProtocolVersion::Tls12, Trust::Verified), "{name}");
            echo(&mut conn, Echo::Reversed).unwrap_or_else(|e| panic!("{name}: {e}"));
            let leaf = format!("depth=0 CN = embertls device {name}\nverify return:1");
            assert!(
                server.wait_log(&leaf, Duration::from_secs(5)),
                "{name}: s_server log lacks {leaf:?}:\n{}",
                server.log()
            );
            let log = server.log();
            assert!(
                log.contains("depth=1 CN = embertls client-ca\nverify return:1") && !log.contains("verify error"),
                "{log}"
            );
        });
    }
}

/// No identity configured and the server requires one: in TLS 1.2 the
/// client sends an empty Certificate and OpenSSL answers handshake_failure
/// ("peer did not return a certificate"), before its Finished.
#[test]
fn openssl_client_certificate_required_but_none_configured() {
    let server = client_auth_server();
    let verifier = ca(CertKind::Ecdsa);
    let config = tls12(&verifier);
    let e = refused(&config, server.port);
    assert!(refused_without_certificate(&e, false), "{e:?}");
    assert!(e.to_string().contains("requires a client certificate"), "{e}");
    assert!(server.wait_log("peer did not return a certificate", Duration::from_secs(5)), "{}", server.log());
}

/// The only identity was issued by other-ca while the CertificateRequest
/// lists client-ca: nothing fits, so nothing is sent, and the error says so.
#[test]
fn openssl_client_certificate_from_an_unlisted_ca_is_not_sent() {
    let server = client_auth_server();
    let e = with_client_identity("client-other", |config| refused(config, server.port));
    assert!(refused_without_certificate(&e, true), "{e:?}");
    assert!(e.to_string().contains("certificate_authorities"), "{e}");
    assert!(!server.log().contains("embertls device"), "{}", server.log());
}

// ---------------------------------------------------------------------------
// 4. Resumption
// ---------------------------------------------------------------------------

/// One `-www` exchange, fresh or resuming: (summary, page, serialized tickets).
fn www<'a>(
    port: u16,
    config: &'a ClientConfig<'a>,
    ticket: Option<SessionTicket<'a>>,
) -> (HandshakeSummary<'a>, String, Vec<Vec<u8>>) {
    let mut conn = Conn::open_with(config, port, ticket, MAX_RECORD);
    let s = conn.handshake().unwrap_or_else(|e| panic!("handshake (resuming: {}): {e}", ticket.is_some()));
    conn.write_all(GET).expect("write GET");
    let page = conn.read_to_end().expect("read the page");
    (s, String::from_utf8_lossy(&page).into_owned(), std::mem::take(&mut conn.tickets))
}

fn openssl_suite_name(suite: CipherSuite) -> &'static str {
    ECDHE_SUITES.iter().find(|x| x.0 == suite).map(|x| x.1).unwrap_or_else(|| panic!("not an ECDHE suite: {suite}"))
}

/// s_server keeps its session cache and ticket key for its lifetime: the
/// second connection resumes, by RFC 5077 ticket (default) and by session
/// ID (`-no_ticket`; the client then announces the session after the
/// handshake). The `-www` page says "Reused"; the resumed connection keeps
/// the suite and inherits the verified trust.
#[test]
fn openssl_resumption_by_ticket_and_by_session_id() {
    for (mode, extra) in [("ticket", None), ("session ID", Some("-no_ticket"))] {
        let mut args = vec!["-www"];
        args.extend(extra);
        let server = OpensslServer::start_tls12(CertKind::Ecdsa, &args);
        let verifier = ca(CertKind::Ecdsa);
        let config = tls12(&verifier);
        let (s1, page1, tickets) = www(server.port, &config, None);
        let first = format!("{mode}: {s1:?}");
        assert_eq!((s1.version, s1.trust, s1.resumed), (ProtocolVersion::Tls12, Trust::Verified, false), "{first}");
        let name = openssl_suite_name(s1.cipher_suite);
        assert!(page1.contains(&format!("New, TLSv1.2, Cipher is {name}")), "{first}\n{page1}");
        let bytes = tickets.last().unwrap_or_else(|| panic!("{mode}: no Event::SessionTicket"));
        let t = SessionTicket::decode(bytes).unwrap_or_else(|e| panic!("{mode}: decode: {e}"));
        assert_eq!((t.version, t.cipher_suite), (ProtocolVersion::Tls12, s1.cipher_suite), "{mode}: {t:?}");
        assert_eq!(t.server_name, b"localhost", "{mode}");
        assert_eq!(t.trust, Trust::Verified, "{mode}: issued over a verified connection");
        match extra {
            None => assert!(!t.ticket.is_empty(), "{mode}: the RFC 5077 ticket is kept: {t:?}"),
            Some(_) => assert!(t.ticket.is_empty() && !t.session_id.is_empty(), "{mode}: only the session ID: {t:?}"),
        }

        let (s2, page2, _) = www(server.port, &config, Some(t));
        let second = format!("{mode}: {s2:?}\n{page2}");
        assert!(s2.resumed, "{second}");
        assert_eq!((s2.version, s2.cipher_suite, s2.trust), (ProtocolVersion::Tls12, s1.cipher_suite, Trust::Verified));
        assert!(page2.contains(&format!("Reused, TLSv1.2, Cipher is {name}")), "{second}");
    }
}

/// A new s_server process knows neither the session ID nor the ticket key:
/// the offer is declined and a full handshake follows.
#[test]
fn openssl_unknown_session_means_a_full_handshake() {
    for (mode, extra) in [("ticket", None), ("session ID", Some("-no_ticket"))] {
        let mut args = vec!["-www"];
        args.extend(extra);
        let verifier = ca(CertKind::Ecdsa);
        let config = tls12(&verifier);
        let first = OpensslServer::start_tls12(CertKind::Ecdsa, &args);
        let (_, _, tickets) = www(first.port, &config, None);
        drop(first);
        let bytes = tickets.last().unwrap_or_else(|| panic!("{mode}: no Event::SessionTicket"));
        let second = OpensslServer::start_tls12(CertKind::Ecdsa, &args);
        let (s, page, tickets) = www(second.port, &config, Some(SessionTicket::decode(bytes).unwrap()));
        assert!(!s.resumed && s.trust == Trust::Verified, "{mode}: {s:?}");
        assert!(page.contains("New, TLSv1.2"), "{mode}: {page}");
        assert!(!tickets.is_empty(), "{mode}: the full handshake brings a new session");
    }
}

// ---------------------------------------------------------------------------
// Renegotiation refused
// ---------------------------------------------------------------------------

/// Bytes of a TLS 1.2 AES-GCM record holding a 2-byte alert: header, 8-byte
/// explicit nonce, alert, 16-byte tag.
const GCM_ALERT_RECORD: usize = 5 + 8 + 2 + 16;

/// `R` on s_server's input makes it send a HelloRequest. The client keeps
/// the connection: it queues a warning no_renegotiation alert (one protected
/// alert record, checked before it is sent) and still delivers the data the
/// server sent after the HelloRequest.
///
/// What OpenSSL 3.0 then does (seen with `s_client -no_renegotiation`): a
/// server that asked for renegotiation treats the refusal as fatal
/// (rec_layer_s3.c: "if application tried to renegotiate it presumably had a
/// good reason") and answers with a fatal handshake_failure alert, logging
/// "no renegotiation". So the connection ends there, with that alert.
#[test]
fn openssl_hello_request_is_refused_with_no_renegotiation() {
    let mut server = OpensslServer::start_tls12(CertKind::Ecdsa, &["-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"]);
    let verifier = ca(CertKind::Ecdsa);
    let config = tls12(&verifier);
    let mut conn = Conn::open(&config, server.port);
    let s = conn.handshake().unwrap_or_else(|e| panic!("handshake: {e}"));
    assert_eq!(s.cipher_suite, CipherSuite::EcdheEcdsaWithAes128GcmSha256);

    conn.write_all(b"ping 1\n").unwrap();
    assert!(server.wait_log("ping 1", Duration::from_secs(5)), "{}", server.log());
    server.send_stdin("pong 1\n");
    assert_eq!(conn.read_until(b"\n").unwrap(), b"pong 1\n");

    // s_server logs its HelloRequest with printf (buffered in a file), so the
    // client's answer is what shows that it arrived; only then is the next
    // line written, which s_server would otherwise read together with `R`.
    server.send_stdin("R\n");
    let out = conn.wait_queued().unwrap_or_else(|e| panic!("on the HelloRequest: {e}"));
    assert_eq!(out.len(), GCM_ALERT_RECORD, "one protected alert record queued: {out:02x?}");
    assert_eq!(&out[..5], &[21, 3, 3, 0, (GCM_ALERT_RECORD - 5) as u8], "an alert record: {out:02x?}");
    server.send_stdin("pong 2\n");
    let got = conn.read_until(b"\n").unwrap_or_else(|e| panic!("after the HelloRequest: {e}"));
    assert_eq!(got, b"pong 2\n", "data after the HelloRequest");
    assert_eq!(conn.client.outgoing(), &out[..], "nothing more queued");
    // Nothing more is written: s_server stops reading at our alert, and
    // closing a socket with unread data sends a reset that could overtake
    // its alert. (The gnutls test below writes after the HelloRequest.)

    conn.hold = false;
    let e = conn.read_until(b"never sent").expect_err("s_server ends the connection");
    assert_eq!(e, Error::AlertReceived(AlertDescription::HandshakeFailure), "{e}");
    assert!(server.wait_log("no renegotiation", Duration::from_secs(5)), "{}", server.log());
}

/// `**REHANDSHAKE**` makes gnutls-serv send a HelloRequest, then the line
/// "Successfully executed command". The client answers no_renegotiation
/// (checked before it is sent), delivers that line, and still takes data to
/// write.
///
/// What gnutls-serv then does (seen with `s_client -no_renegotiation`): the
/// warning alert makes its receive fail ("A TLS warning alert has been
/// received"), and it closes the TCP connection without a close_notify, so
/// the client ends with `Error::Truncated`.
#[test]
fn gnutls_hello_request_is_refused_with_no_renegotiation() {
    let prio = gnutls_priority("ECDHE-ECDSA", "AES-128-GCM", None);
    let server = GnutlsServer::with_cert(CertKind::Ecdsa, &prio, &["-a"]);
    let verifier = ca(CertKind::Ecdsa);
    let config = tls12(&verifier);
    let mut conn = Conn::open(&config, server.port);
    let s = conn.handshake().unwrap_or_else(|e| panic!("handshake: {e}"));
    assert_eq!(s.cipher_suite, CipherSuite::EcdheEcdsaWithAes128GcmSha256);
    echo(&mut conn, Echo::Same).unwrap();

    conn.write_all(b"**REHANDSHAKE**\n").unwrap();
    let out = conn.wait_queued().unwrap_or_else(|e| panic!("on the HelloRequest: {e}"));
    assert_eq!(out.len(), GCM_ALERT_RECORD, "one protected alert record queued: {out:02x?}");
    assert_eq!(&out[..5], &[21, 3, 3, 0, (GCM_ALERT_RECORD - 5) as u8], "an alert record: {out:02x?}");
    let got =
        conn.read_until(b"Successfully executed command").unwrap_or_else(|e| panic!("after the HelloRequest: {e}"));
    assert!(got.ends_with(b"Successfully executed command"), "{:?}", String::from_utf8_lossy(&got));
    assert_eq!(conn.client.write(b"still here\n"), Ok(11), "the connection is still writable");

    conn.hold = false;
    let e = conn.read_to_end().expect_err("gnutls-serv drops the connection");
    assert_eq!(e, Error::Truncated, "{e}");
    assert!(server.wait_log("A TLS warning alert has been received", Duration::from_secs(5)), "{}", server.log());
}

// ---------------------------------------------------------------------------
// 5. gnutls-serv
// ---------------------------------------------------------------------------

/// Every ECDHE suite × group against gnutls-serv (12 in parallel), verified
/// against the CA, with the line echoed back.
#[test]
fn gnutls_every_ecdhe_suite_and_group() {
    let mut jobs = Vec::new();
    for (suite, name, kx, cipher, cert) in ECDHE_SUITES {
        for (group, gnutls_group) in [(NamedGroup::X25519, "X25519"), (NamedGroup::Secp256r1, "SECP256R1")] {
            let job = std::thread::spawn(move || {
                let prio = gnutls_priority(kx, cipher, Some(gnutls_group));
                let server = GnutlsServer::with_cert(cert, &prio, &["-a"]);
                let verifier = ca(cert);
                let config = tls12_group_first(&verifier, group);
                let check = |s: &HandshakeSummary<'_>| check_summary(s, suite, Some(group), Trust::Verified);
                exchange(&config, server.port, Echo::Same, check, || Ok(()))
                    .map_err(|e| format!("{e}\n  server: {}\n  server output:\n{}", server.args, server.log()))
            });
            jobs.push((format!("{name}, {gnutls_group}"), job));
        }
    }
    join_all(jobs);
}

/// Each PSK suite against `gnutls-serv --pskpasswd --pskhint`.
#[test]
fn gnutls_psk_suites_with_hint() {
    for (suite, name, kx, cipher) in PSK_SUITES {
        let server = GnutlsServer::with_psk(ID, KEY, &gnutls_priority(kx, cipher, None), "gnutls-hint");
        let psk = ExternalPsk::from_hex(ID, KEY).unwrap();
        let config = psk_config(&psk, &[suite]);
        let mut conn = Conn::open(&config, server.port);
        let s = conn.handshake().unwrap_or_else(|e| panic!("{name}: {e}"));
        let what = format!("{name}: {s:?}");
        assert_eq!(
            (s.version, s.cipher_suite, s.trust),
            (ProtocolVersion::Tls12, suite, Trust::PreSharedKey),
            "{what}"
        );
        assert_eq!(s.group.is_some(), kx == "ECDHE-PSK", "{what}");
        assert_eq!(conn.client.psk_identity_hint(), Some(&b"gnutls-hint"[..]), "{name}");
        echo(&mut conn, Echo::Same).unwrap_or_else(|e| panic!("{name}: {e}"));
        conn.close();
        assert!(server.wait_log(&format!("Connected as '{ID}'"), Duration::from_secs(5)), "{name}:\n{}", server.log());
    }
}

/// GnuTLS answers both a wrong key and an unknown identity with
/// bad_record_mac: for an unknown identity it derives a random key rather
/// than reveal which identities exist (seen with s_client: "Decryption has
/// failed" in both cases).
#[test]
fn gnutls_psk_wrong_key_and_unknown_identity_are_refused() {
    let server =
        GnutlsServer::with_psk(ID, KEY, "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+PSK:+ECDHE-PSK", "gnutls-hint");
    for (identity, key) in [(ID, OTHER_KEY), ("somebody-else", KEY)] {
        let psk = ExternalPsk::from_hex(identity, key).unwrap();
        let config = psk_config(&psk, &[]);
        let e = refused(&config, server.port);
        assert_eq!(e, Error::PskRefused { alert: Some(AlertDescription::BadRecordMac) }, "{identity}: {e}");
    }
}

/// gnutls-serv asks for a client certificate by default (optional, no CA
/// list): without an identity the client answers with an empty Certificate
/// and the connection goes on.
#[test]
fn gnutls_optional_client_certificate_request_without_identity() {
    let server = GnutlsServer::with_cert(CertKind::Rsa, "NORMAL:-VERS-ALL:+VERS-TLS1.2", &[]);
    let verifier = ca(CertKind::Rsa);
    let config = tls12(&verifier);
    let mut conn = Conn::open(&config, server.port);
    let s = conn.handshake().unwrap_or_else(|e| panic!("handshake: {e}"));
    assert_eq!((s.version, s.trust), (ProtocolVersion::Tls12, Trust::Verified), "{s:?}");
    echo(&mut conn, Echo::Same).unwrap();
}

/// gnutls-serv requiring (`-r`) and verifying a client certificate from
/// client-ca: it logs the certificate as trusted.
#[test]
fn gnutls_client_certificate_required_and_verified() {
    let client_ca = peer_file("client-ca.pem").display().to_string();
    let server = GnutlsServer::with_cert(
        CertKind::Ecdsa,
        "NORMAL:-VERS-ALL:+VERS-TLS1.2",
        &["-r", "--verify-client-cert", "--x509cafile", &client_ca],
    );
    with_client_identity("client-p256", |config| {
        let mut conn = Conn::open(config, server.port);
        conn.handshake().unwrap_or_else(|e| panic!("handshake: {e}"));
        echo(&mut conn, Echo::Same).unwrap();
        assert!(server.wait_log("Subject: CN=embertls device client-p256", Duration::from_secs(5)), "{}", server.log());
        assert!(server.log().contains("The certificate is trusted"), "{}", server.log());
    });
}

/// Resumption against GnuTLS: by ticket (default) and by session ID
/// (`--noticket`); it logs "This is a resumed session".
#[test]
fn gnutls_resumption_by_ticket_and_by_session_id() {
    for (mode, extra) in [("ticket", None), ("session ID", Some("--noticket"))] {
        let mut args = vec!["-a"];
        args.extend(extra);
        let server = GnutlsServer::with_cert(CertKind::Ecdsa, "NORMAL:-VERS-ALL:+VERS-TLS1.2", &args);
        let verifier = ca(CertKind::Ecdsa);
        let config = tls12(&verifier);
        let mut first = Conn::open(&config, server.port);
        let s1 = first.handshake().unwrap_or_else(|e| panic!("{mode}: {e}"));
        echo(&mut first, Echo::Same).unwrap_or_else(|e| panic!("{mode}: {e}"));
        first.close();
        let bytes = first.tickets.last().unwrap_or_else(|| panic!("{mode}: no Event::SessionTicket")).clone();
        let ticket = SessionTicket::decode(&bytes).unwrap_or_else(|e| panic!("{mode}: {e}"));
        assert_eq!(ticket.ticket.is_empty(), extra.is_some(), "{mode}: {ticket:?}");

        let mut second = Conn::resume(&config, server.port, ticket);
        let s2 = second.handshake().unwrap_or_else(|e| panic!("{mode}: resuming: {e}"));
        assert!(s2.resumed, "{mode}: {s2:?}");
        assert_eq!((s2.cipher_suite, s2.trust), (s1.cipher_suite, Trust::Verified), "{mode}");
        echo(&mut second, Echo::Same).unwrap_or_else(|e| panic!("{mode}: {e}"));
        assert!(server.wait_log("This is a resumed session", Duration::from_secs(5)), "{mode}:\n{}", server.log());
    }
}

/// GnuTLS with `%NO_SESSION_HASH` does not do the extended master secret
/// (s_client: "Extended master secret: no"). The client refuses it by
/// default, with a message naming the escape hatch, and connects once that
/// is used.
#[test]
fn gnutls_without_extended_master_secret_is_refused_unless_allowed() {
    let server = GnutlsServer::with_cert(CertKind::Ecdsa, "NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_SESSION_HASH", &["-a"]);
    let verifier = ca(CertKind::Ecdsa);
    for config in [tls12(&verifier), ClientConfig::new(&verifier)] {
        let e = refused(&config, server.port);
        assert_eq!(e, Error::Incompatible(Incompatibility::ExtendedMasterSecret), "{e}");
        assert_eq!(e.alert(), Some(AlertDescription::HandshakeFailure), "{e}");
        assert!(e.to_string().contains("danger_allow_tls12_without_extended_master_secret"), "{e}");
    }

    let config = tls12(&verifier).danger_allow_tls12_without_extended_master_secret();
    let mut conn = Conn::open(&config, server.port);
    let s = conn.handshake().unwrap_or_else(|e| panic!("with the danger option: {e}"));
    assert_eq!((s.version, s.trust), (ProtocolVersion::Tls12, Trust::Verified), "{s:?}");
    echo(&mut conn, Echo::Same).unwrap();
    assert!(server.wait_log("- Options: safe renegotiation,", Duration::from_secs(5)), "{}", server.log());
    assert!(!server.log().contains("extended master secret"), "{}", server.log());
    // RFC 7627 §5.4: no exporter without the extended master secret.
    let e =
        conn.client.export_keying_material(b"EXPORTER-test", b"", &mut [0u8; 32]).expect_err("exporter without EMS");
    assert!(matches!(e, Error::Api(_)), "{e:?}");
    assert!(e.to_string().contains("extended master secret") && e.to_string().contains("RFC 7627"), "{e}");
}

/// GnuTLS with `%DISABLE_SAFE_RENEGOTIATION` sends no renegotiation_info
/// (s_client: "Secure Renegotiation IS NOT supported", connecting only with
/// -legacy_server_connect): the client refuses such a server.
#[test]
fn gnutls_without_secure_renegotiation_is_refused() {
    let server =
        GnutlsServer::with_cert(CertKind::Ecdsa, "NORMAL:-VERS-ALL:+VERS-TLS1.2:%DISABLE_SAFE_RENEGOTIATION", &["-a"]);
    let verifier = ca(CertKind::Ecdsa);
    let config = tls12(&verifier);
    let e = refused(&config, server.port);
    assert_eq!(e, Error::Incompatible(Incompatibility::SecureRenegotiation), "{e}");
}

// ---------------------------------------------------------------------------
// 6. mosquitto with a TLS 1.2 PSK listener
// ---------------------------------------------------------------------------

/// One MQTT packet from the connection: (first byte, body).
fn mqtt_read(conn: &mut Conn<'_>) -> Result<(u8, Vec<u8>), Error> {
    let first = conn.read_exact(1)?[0];
    let (mut len, mut shift) = (0usize, 0);
    loop {
        let b = conn.read_exact(1)?[0];
        len |= usize::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            break;
        }
        assert!(shift < 28, "bad MQTT remaining length");
    }
    Ok((first, conn.read_exact(len)?))
}

/// CONNECT (MQTT 3.1.1, clean session), SUBSCRIBE to `topic`, PUBLISH
/// `message` to it and read it back from the broker, DISCONNECT; the
/// packets are those of `examples/mqtt_psk.rs`.
fn mqtt_round_trip(conn: &mut Conn<'_>, client_id: &str, topic: &str, message: &[u8]) -> Result<(), String> {
    let tls = |e: Error| format!("TLS: {e}");
    conn.write_all(&mqtt_psk::connect_packet(client_id)).map_err(tls)?;
    let connack = mqtt_read(conn).map_err(tls)?;
    if connack != (0x20, vec![0, 0]) {
        return Err(format!("expected CONNACK accepted, got {connack:02x?}"));
    }
    // SUBSCRIBE (§3.8): packet identifier 1, the topic at QoS 0.
    let mut subscribe = vec![0, 1];
    mqtt_psk::string(&mut subscribe, topic.as_bytes());
    subscribe.push(0);
    conn.write_all(&mqtt_psk::packet(0x82, &subscribe)).map_err(tls)?;
    let suback = mqtt_read(conn).map_err(tls)?;
    if suback != (0x90, vec![0, 1, 0]) {
        return Err(format!("expected SUBACK for packet 1 with QoS 0, got {suback:02x?}"));
    }
    let publish = mqtt_psk::publish_packet(topic, message);
    conn.write_all(&publish).map_err(tls)?;
    let back = mqtt_read(conn).map_err(tls)?;
    if mqtt_psk::packet(back.0, &back.1) != publish {
        return Err(format!("expected our PUBLISH back, got {back:02x?}"));
    }
    conn.write_all(&mqtt_psk::DISCONNECT).map_err(tls)?;
    conn.close();
    Ok(())
}

/// The default configuration (TLS 1.3 and 1.2 offered) with the PSK gets
/// TLS 1.2 from the broker, sees its psk_hint, and an MQTT round trip works;
/// the reference `mosquitto_sub` (TLS 1.2, its own PSK) receives what we
/// publish. Then each PSK suite on its own.
#[test]
fn mosquitto_tls12_psk_round_trip() {
    let broker = Broker::start_tls12();
    let psk = ExternalPsk::from_hex(PUB_ID, PUB_KEY).unwrap();
    let config = ClientConfig::new(ServerVerification::danger_accept_any()).with_psk(&psk);
    let sub = broker.subscribe("test/embertls/default");
    let mut conn = Conn::open(&config, broker.port);
    let s = conn.handshake().unwrap_or_else(|e| panic!("default versions: {e}"));
    assert_eq!((s.version, s.trust), (ProtocolVersion::Tls12, Trust::PreSharedKey), "{s:?}");
    assert!(PSK_SUITES.iter().any(|x| x.0 == s.cipher_suite), "{s:?}");
    assert_eq!(conn.client.psk_identity_hint(), Some(&b"embertls-test"[..]));
    mqtt_round_trip(&mut conn, "embertls-default", "test/embertls/default", b"hello over TLS 1.2")
        .unwrap_or_else(|e| panic!("default versions: {e}"));
    assert!(sub.wait_for(Duration::from_secs(10), |out| out.contains("hello over TLS 1.2")), "{}", sub.output());
    assert!(broker.proc.output().contains(&format!("u'{PUB_ID}'")), "{}", broker.proc.output());

    for (suite, name, _, _) in PSK_SUITES {
        let config = psk_config(&psk, &[suite]);
        let mut conn = Conn::open(&config, broker.port);
        let s = conn.handshake().unwrap_or_else(|e| panic!("{name}: {e}"));
        let group = (suite == CipherSuite::EcdhePskWithChacha20Poly1305Sha256).then_some(NamedGroup::X25519);
        check_summary(&s, suite, group, Trust::PreSharedKey).unwrap_or_else(|e| panic!("{name}: {e}"));
        let topic = format!("test/embertls/{name}");
        mqtt_round_trip(&mut conn, name, &topic, name.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// mosquitto (OpenSSL) answers a wrong key with bad_record_mac and an
/// unknown identity with unknown_psk_identity (both seen with s_client).
#[test]
fn mosquitto_tls12_psk_wrong_key_and_unknown_identity() {
    let broker = Broker::start_tls12();
    for (identity, key, alert) in
        [(PUB_ID, SUB_KEY, AlertDescription::BadRecordMac), ("nobody", PUB_KEY, AlertDescription::UnknownPskIdentity)]
    {
        let psk = ExternalPsk::from_hex(identity, key).unwrap();
        let config = psk_config(&psk, &[]);
        let e = refused(&config, broker.port);
        assert_eq!(e, Error::PskRefused { alert: Some(alert) }, "{identity}: {e}");
    }
}

// ---------------------------------------------------------------------------
// 7. Version negotiation
// ---------------------------------------------------------------------------

/// The default configuration offers TLS 1.3 and 1.2 in one ClientHello:
/// s_server -tls1_2 gets TLS 1.2 (OpenSSL sets no downgrade sentinel when
/// TLS 1.3 is disabled), s_server with both enabled gets TLS 1.3.
#[test]
fn default_versions_follow_the_server() {
    let verifier = ca(CertKind::Ecdsa);
    let config = ClientConfig::new(&verifier);

    let only12 = OpensslServer::start_tls12(CertKind::Ecdsa, &["-rev"]);
    let mut conn = Conn::open(&config, only12.port);
    let s = conn.handshake().unwrap_or_else(|e| panic!("against s_server -tls1_2: {e}"));
    assert_eq!((s.version, s.trust), (ProtocolVersion::Tls12, Trust::Verified), "{s:?}");
    assert!(ECDHE_SUITES.iter().any(|x| x.0 == s.cipher_suite && x.4 == CertKind::Ecdsa), "{s:?}");
    echo(&mut conn, Echo::Reversed).unwrap();

    let both = OpensslServer::start_cert(CertKind::Ecdsa, &["-rev"]);
    let mut conn = Conn::open(&config, both.port);
    let s = conn.handshake().unwrap_or_else(|e| panic!("against s_server (1.2 and 1.3): {e}"));
    assert_eq!((s.version, s.trust), (ProtocolVersion::Tls13, Trust::Verified), "{s:?}");
    echo(&mut conn, Echo::Reversed).unwrap();
    assert!(both.wait_log("Protocol version: TLSv1.3", Duration::from_secs(5)), "{}", both.log());
}

/// One version on each side, not the same: OpenSSL finds no common version
/// in supported_versions / legacy_version and answers protocol_version
/// ("unsupported protocol"), as it does for s_client -tls1_3 / -tls1_2.
#[test]
fn no_common_version_gets_protocol_version() {
    let verifier = ca(CertKind::Ecdsa);
    for (client, server_flag) in [(ProtocolVersion::Tls13, "-tls1_2"), (ProtocolVersion::Tls12, "-tls1_3")] {
        let server = OpensslServer::start_cert(CertKind::Ecdsa, &[server_flag, "-rev"]);
        let config = ClientConfig::new(&verifier).with_versions(&[client]).unwrap();
        let e = refused(&config, server.port);
        assert_eq!(
            e,
            Error::AlertReceived(AlertDescription::ProtocolVersion),
            "client {client}, s_server {server_flag}: {e}"
        );
        assert!(server.wait_log("unsupported protocol", Duration::from_secs(5)), "{}", server.log());
    }
}

/// `s_server -tls1_1`, at its default security level and at
/// `@SECLEVEL=0`. The default configuration lists only TLS 1.3 and 1.2 in
/// supported_versions, so OpenSSL answers protocol_version ("unsupported
/// protocol"). A TLS 1.2-only configuration sends no supported_versions:
/// OpenSSL would settle on TLS 1.1 but finds none of our suites (all AEAD,
/// TLS 1.2 only) and answers handshake_failure ("no shared cipher"). Both
/// come before any ServerHello, as they do for s_client with `-no_tls1
/// -no_tls1_1` and with `-tls1_2 -cipher <AEAD suites>`.
///
/// Only a client that offers CBC suites gets a TLS 1.1 ServerHello from
/// OpenSSL (s_client `-tls1_2 -cipher DEFAULT@SECLEVEL=0` does, and refuses
/// it with protocol_version), so
/// `Error::Incompatible(Incompatibility::Version(ProtocolVersion::Tls11))`
/// cannot be reached with a real OpenSSL server.
#[test]
fn tls11_server_is_refused() {
    let verifier = ca(CertKind::Ecdsa);
    let cases = [
        (ClientConfig::new(&verifier), AlertDescription::ProtocolVersion, "unsupported protocol"),
        (tls12(&verifier), AlertDescription::HandshakeFailure, "no shared cipher"),
    ];
    for (config, alert, reason) in cases {
        for level in [None, Some("DEFAULT@SECLEVEL=0")] {
            let mut args = vec!["-tls1_1", "-rev"];
            if let Some(cipher) = level {
                args.extend(["-cipher", cipher]);
            }
            let server = OpensslServer::start_cert(CertKind::Ecdsa, &args);
            let e = refused(&config, server.port);
            assert_eq!(e, Error::AlertReceived(alert), "{config:?}, {level:?}: {e}");
            assert!(server.wait_log(reason, Duration::from_secs(5)), "{}", server.log());
        }
    }
}

/// An RSA-1024 server, which `with_min_rsa_bits(1024)` allows, signing the
/// TLS 1.3 CertificateVerify and the TLS 1.2 ServerKeyExchange: RustCrypto
/// connects; ring verifies RSA keys of 2048 bits and more only, and the
/// handshake says the server's key is unusable (`Error::ServerKey`), not
/// that its signature is bad.
#[test]
fn rsa_1024_server_allowed_by_min_rsa_bits() {
    let key = peer_file("rsa1024.key").display().to_string();
    let cert = TempFile::with_contents("rsa1024-cert.pem", b"");
    let made = std::process::Command::new("openssl")
        .args(["req", "-x509", "-key", &key, "-subj", "/CN=localhost", "-days", "30", "-out", &cert.arg()])
        .output()
        .expect("run openssl req");
    assert!(made.status.success(), "openssl req: {}", String::from_utf8_lossy(&made.stderr));
    let verifier = ServerVerification::danger_accept_any();
    for (version, flag) in [(ProtocolVersion::Tls13, "-tls1_3"), (ProtocolVersion::Tls12, "-tls1_2")] {
        // OpenSSL's default security level will not serve an RSA-1024 key.
        let cipher = ["-cipher", "DEFAULT@SECLEVEL=0"];
        let server =
            OpensslServer::start_args(&[flag, "-www", cipher[0], cipher[1], "-cert", &cert.arg(), "-key", &key]);
        let config = ClientConfig::new(verifier).with_versions(&[version]).unwrap().with_min_rsa_bits(1024).unwrap();
        let result = Conn::open(&config, server.port).handshake();
        if WITH_RING {
            let e = result.expect_err("ring verified an RSA-1024 signature");
            let unsupported = matches!(&e, Error::ServerKey(SignatureError::UnsupportedKey(what)) if what.contains("under 2048 bits"));
            assert!(unsupported, "{version}: {e:?}");
        } else {
            assert_eq!(result.map(|s| s.version), Ok(version), "{}", server.log());
        }
    }
}

/// The exact events of TLS 1.2 PSK handshakes (issue 15 item 5), plain PSK
/// and ECDHE_PSK, against `openssl s_server -www`: OpenSSL's RFC 5077 ticket
/// comes before its Finished (§3.3), so before HandshakeComplete; then the
/// page and the close.
#[test]
fn events_of_psk_handshakes() {
    for (suite, name, _, _) in [PSK_SUITES[0], PSK_SUITES[3]] {
        let server = openssl_psk_server(&["-cipher", name, "-www"]);
        let psk = ExternalPsk::from_hex(ID, KEY).unwrap();
        let cfg = psk_config(&psk, &[suite]);
        let options = options(&cfg, ServerName::parse("localhost"));
        let mut client = Client::new(options, rng(), vec![0; MAX_RECORD], vec![0; MAX_RECORD]).unwrap();
        let seen = tcp_event_sequence(&mut client, &mut server.connect());
        let expected = ["SessionTicket", "HandshakeComplete(resumed=false)", "ApplicationData", "PeerClosed"];
        assert_eq!(seen, expected, "{name}\n{}", server.log());
    }
}
