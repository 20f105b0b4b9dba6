//! Stack the engine needs, measured by painting (issue 12) and held to
//! budgets: every handshake kind and the record path, through the sans-I/O
//! [`Client`] and through each adapter. Only the client's own calls are
//! measured (`Client::new`, `process`, `write`, `read`, `session_ticket`, an
//! adapter's `connect`/`read`/`write`); the server is another process
//! (`openssl s_server` on loopback) or rustls driven between those calls.
//!
//! Measured as a device runs: optimized, without the `ec-tables` feature
//! (a `no_std` build has no tables) and with every crypto crate's portable
//! code (`--cfg aes_backend="soft"`, `polyval_backend`, `poly1305_backend`,
//! `chacha20_backend`, `sha2_backend` "soft", `curve25519_dalek_backend="serial"`:
//! an MCU has no AES-NI, VAES, AVX2 or SHA-NI, whose x86_64 code takes more
//! stack, up to 16 KB per call for AES). So
//! this file is compiled only in that configuration; `tests/stack.sh` builds
//! and runs it at opt-level 3, "s" and "z" and prints the tables that
//! FOOTPRINT.md gives (CI runs it).
//!
//! Each row has the goal and an enforced ceiling: the goal where it
//! is met, else the figure measured when the row was last improved (so a
//! regression fails CI) until restructuring brings it under the goal.
#![cfg(all(
    not(debug_assertions),
    aes_backend = "soft",
    polyval_backend = "soft",
    poly1305_backend = "soft",
    chacha20_backend = "soft",
    sha2_backend = "soft",
    curve25519_dalek_backend = "serial",
    not(feature = "ec-tables"),
    target_arch = "x86_64",
    target_os = "linux"
))]

#[path = "common/accel.rs"]
mod accel;
mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use common::drive::{get_page, Meter};
use common::peer::{peer_file, rng, x509_file, CertKind, MemPeer, OpensslServer};
use common::stack::{deepest, on_big_stack, HighWater};
use embertls::{
    CaVerifier, Client, ClientConfig, ClientIdentity, CryptoProvider, Event, ExternalPsk, ProtocolVersion, PskMode,
    RustCrypto, ServerName, ServerVerification, SessionTicket, SoftwareSigner, TlsStream, UnixTime,
};

/// The x509 vectors are valid around 2030-01-01.
const VECTOR_TIME: UnixTime = UnixTime(1_893_456_000);
const KB: usize = 1024;
/// Issue 12: PSK and resumption handshakes, and the record path.
const PSK_BUDGET: usize = 6 * KB;
/// Issue 12: a handshake that verifies a chain or signs with a client key.
const CERT_BUDGET: usize = 10 * KB;
const PSK_KEY: &str = "00112233445566778899aabbccddeeff";
const PSK_ID: &str = "stack";
const TLS12: &[ProtocolVersion] = &[ProtocolVersion::Tls12];

struct Row {
    name: String,
    stack: usize,
    budget: usize,
}

/// The opt-level `tests/stack.sh` built this binary with.
const OPT_LEVEL: &str = match option_env!("STACK_OPT_LEVEL") {
    Some(l) => l,
    None => "3",
};

/// The enforced ceiling of a row whose goal is not met yet: the figure
/// measured at the last change (2026-12-05), rounded up to 256 bytes, per
/// opt-level. `None`: the goal itself is enforced (as it is at an opt-level
/// whose ceiling equals the goal: a row that meets it there only).
fn ceiling(name: &str) -> Option<usize> {
    let table: &[(&str, [usize; 3])] = &CEILINGS;
    let i = match OPT_LEVEL {
        "s" => 1,
        "z" => 2,
        _ => 0,
    };
    table.iter().find(|(n, _)| *n == name).map(|(_, c)| c[i])
}

/// The deepest client call, by painting; remembers it when the handshake completes.
#[derive(Default)]
struct StackMeter {
    deepest: HighWater,
    handshake: usize,
}

impl Meter for StackMeter {
    fn call<T>(&mut self, what: &'static str, f: impl FnOnce() -> T) -> T {
        self.deepest.named(what, f)
    }

    fn handshake_done(&mut self) {
        self.handshake = self.deepest.0;
    }
}

/// A handshake and one `-www` page through the sans-I/O client over TCP,
/// every client call measured; returns the deepest call of the handshake,
/// the serialized session the server gave, if any, and whether it resumed.
fn sans_io(
    server: &OpensslServer,
    config: &ClientConfig<'_>,
    host: &str,
    resume: Option<&[u8]>,
) -> (usize, Option<Vec<u8>>, bool) {
    sans_io_on(server, config, host, resume, RustCrypto::default())
}

/// [`sans_io`] with the connection's crypto provider given.
fn sans_io_on<P: CryptoProvider>(
    server: &OpensslServer,
    config: &ClientConfig<'_>,
    host: &str,
    resume: Option<&[u8]>,
    provider: P,
) -> (usize, Option<Vec<u8>>, bool) {
    let mut sock = server.connect();
    let mut meter = StackMeter::default();
    let (mut rx, mut tx) = ([0u8; 8192], [0u8; 4096]);
    let name = ServerName::parse(host);
    let ticket = resume.map(|b| SessionTicket::decode(b).expect("stored ticket"));
    let mut c = meter
        .call("Client::new", || {
            let options = embertls::ConnectOptions::new(config, name).now(Some(VECTOR_TIME)).with_provider(provider);
            let options = match ticket {
                Some(t) => options.resuming(t),
                None => options,
            };
            Client::new(options, rng(), &mut rx[..], &mut tx[..])
        })
        .expect("Client::new");
    let driven = get_page(&server.args, &mut sock, &mut c, &mut meter);
    (meter.handshake, driven.session, driven.summary.resumed)
}

fn psk_server(extra: &[&str]) -> OpensslServer {
    let base = ["-www", "-nocert", "-psk", PSK_KEY, "-psk_identity", PSK_ID];
    OpensslServer::start_args(&[&base[..], extra].concat())
}

fn x509_server(tls12: bool, leaf: &str, key: &str, int: &str, extra: &[&str]) -> OpensslServer {
    let leaf = x509_file(&format!("{leaf}.pem")).display().to_string();
    let key = x509_file(&format!("keys/{key}.key")).display().to_string();
    let int = x509_file(&format!("{int}.pem")).display().to_string();
    let version = if tls12 { "-tls1_2" } else { "-tls1_3" };
    let base = [version, "-www", "-cert", &leaf, "-key", &key, "-cert_chain", &int];
    OpensslServer::start_args(&[&base[..], extra].concat())
}

fn roots(name: &str) -> CaVerifier {
    CaVerifier::from_pem(&std::fs::read(x509_file(&format!("{name}.pem"))).unwrap()).unwrap()
}

fn handshake_rows(rows: &mut Vec<Row>) {
    let mut row = |name: &str, stack: usize, budget: usize| rows.push(Row { name: name.into(), stack, budget });
    let insecure = ServerVerification::danger_accept_any();

    // TLS 1.3 external PSK, both modes (RFC 8446 §4.2.9).
    let psk = ExternalPsk::from_hex(PSK_ID, PSK_KEY).unwrap();
    let cfg = ClientConfig::new(insecure).with_psk(&psk);
    row("TLS 1.3 external PSK, psk_dhe_ke", sans_io(&psk_server(&["-tls1_3"]), &cfg, "localhost", None).0, PSK_BUDGET);
    let psk_ke = ExternalPsk::from_hex(PSK_ID, PSK_KEY).unwrap().with_mode(PskMode::Ke);
    let cfg = ClientConfig::new(insecure).with_psk(&psk_ke);
    let server = psk_server(&["-tls1_3", "-allow_no_dhe_kex"]);
    row("TLS 1.3 external PSK, psk_ke", sans_io(&server, &cfg, "localhost", None).0, PSK_BUDGET);

    // Certificates (TLS 1.3).
    let cfg = ClientConfig::new(insecure);
    let server = x509_server(false, "ec256-leaf", "ec256-leaf", "ec256-int", &[]);
    let (full, ticket, _) = sans_io(&server, &cfg, "ec256.test", None);
    row("TLS 1.3 insecure, ECDSA P-256 leaf", full, CERT_BUDGET);
    let (resumed_stack, _, resumed) = sans_io(&server, &cfg, "ec256.test", ticket.as_deref());
    assert!(resumed, "the ticket was not accepted");
    row("TLS 1.3 ticket resumption", resumed_stack, PSK_BUDGET);

    for (what, root, leaf, key, int, host) in [
        ("ECDSA P-256", "ec256-root", "ec256-leaf", "ec256-leaf", "ec256-int", "ec256.test"),
        ("ECDSA P-384", "ec384-root", "ec384-leaf", "ec384-leaf", "ec384-int", "ec384.test"),
        ("RSA-2048", "rsa2048-root", "rsa2048-leaf", "rsa2048-leaf", "rsa2048-int", "rsa2048.test"),
        (
            "RSA-4096 (root and intermediate)",
            "rsa4096-root",
            "rsa4096-leaf",
            "rsa2048-leaf",
            "rsa4096-int",
            "rsa4096.test",
        ),
    ] {
        let ca = roots(root);
        for tls12 in [false, true] {
            if tls12 && what.starts_with("RSA-4096") {
                continue;
            }
            let cfg = ClientConfig::new(&ca);
            let cfg = if tls12 { cfg.with_versions(TLS12).unwrap() } else { cfg };
            let server = x509_server(tls12, leaf, key, int, &[]);
            let version = if tls12 { "TLS 1.2" } else { "TLS 1.3" };
            row(&format!("{version} CA-verified {what} chain"), sans_io(&server, &cfg, host, None).0, CERT_BUDGET);
        }
    }

    // The RSA-4096 chain again, its RSA on a big-number engine as on an ESP32
    // (RSA accelerator up to 4096 bits): the accelerator-shaped test provider,
    // whose emulated peripheral computes off the task's stack as the hardware
    // does. Its other engines (SHA, AES, ECC) are emulated on the task's stack.
    let ca = roots("rsa4096-root");
    let cfg = ClientConfig::new(&ca);
    let server = x509_server(false, "rsa4096-leaf", "rsa2048-leaf", "rsa4096-int", &[]);
    let mut engines = accel::Engines::new();
    let (stack, _, _) = sans_io_on(&server, &cfg, "rsa4096.test", None, accel::AccelProvider::new(&mut engines));
    // The intermediate's and the leaf's certificate signatures and the CertificateVerify.
    assert_eq!(engines.counts().mod_exps, 3, "the RSA checks did not run on the engine");
    row("TLS 1.3 CA-verified RSA-4096 chain, RSA engine behind the provider", stack, CERT_BUDGET);

    // Client certificates (ECDSA P-256, RSA-2048), both versions.
    let client_ca = peer_file("client-ca.pem").display().to_string();
    for (what, name) in [("ECDSA P-256", "client-p256"), ("RSA-2048", "client-rsa2048")] {
        let certs = embertls::pem::certificates(&std::fs::read(peer_file(&format!("{name}.pem"))).unwrap()).unwrap();
        let key = std::fs::read(peer_file(&format!("{name}.key"))).unwrap();
        let signer = SoftwareSigner::from_pem_with_rng(&key, rng()).unwrap();
        let chain: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
        let identity = [ClientIdentity::new(&chain, &signer).unwrap()];
        for tls12 in [false, true] {
            let cfg = ClientConfig::new(insecure).with_client_identities(&identity);
            let cfg = if tls12 { cfg.with_versions(TLS12).unwrap() } else { cfg };
            let args = ["-Verify", "1", "-CAfile", client_ca.as_str()];
            let server = x509_server(tls12, "ec256-leaf", "ec256-leaf", "ec256-int", &args);
            let version = if tls12 { "TLS 1.2" } else { "TLS 1.3" };
            let (stack, _, _) = sans_io(&server, &cfg, "ec256.test", None);
            row(&format!("{version} client certificate, {what}"), stack, CERT_BUDGET);
        }
    }

    // TLS 1.2 PSK suites and session resumption.
    let cfg = ClientConfig::new(insecure).with_versions(TLS12).unwrap().with_psk(&psk);
    let server = psk_server(&["-tls1_2", "-cipher", "PSK-AES128-GCM-SHA256"]);
    row("TLS 1.2 PSK", sans_io(&server, &cfg, "localhost", None).0, PSK_BUDGET);
    let server = psk_server(&["-tls1_2", "-cipher", "ECDHE-PSK-CHACHA20-POLY1305"]);
    row("TLS 1.2 ECDHE-PSK", sans_io(&server, &cfg, "localhost", None).0, PSK_BUDGET);
    let cfg = ClientConfig::new(insecure).with_versions(TLS12).unwrap();
    let server = x509_server(true, "ec256-leaf", "ec256-leaf", "ec256-int", &[]);
    let (_, ticket, _) = sans_io(&server, &cfg, "ec256.test", None);
    let (stack, _, resumed) = sans_io(&server, &cfg, "ec256.test", ticket.as_deref());
    assert!(resumed, "the TLS 1.2 session was not resumed");
    row("TLS 1.2 ticket resumption", stack, PSK_BUDGET);
}

/// The record path after the handshake, against rustls in memory: 16 KB
/// each way, and (TLS 1.3) a server KeyUpdate the client answers.
fn record_rows(rows: &mut Vec<Row>) {
    let cfg = ClientConfig::new(ServerVerification::danger_accept_any());
    for tls12 in [false, true] {
        let server = if tls12 {
            common::peer::rustls_config_tls12(CertKind::Ecdsa, &[], &[])
        } else {
            common::peer::rustls_config(CertKind::Ecdsa, &[], &[])
        };
        let cfg12;
        let cfg = if tls12 {
            cfg12 = ClientConfig::new(ServerVerification::danger_accept_any()).with_versions(TLS12).unwrap();
            &cfg12
        } else {
            &cfg
        };
        let mut peer = MemPeer::new(cfg, server);
        peer.handshake();
        let mut hw = HighWater::default();
        let data = vec![0x5a; 16 * KB];
        for round in 0..3 {
            let mut off = 0;
            while off < data.len() {
                off += hw.call(|| peer.client.write(&data[off..])).expect("write");
                peer.client_to_server();
            }
            let got = peer.server_read().len();
            assert_eq!(got, data.len(), "round {round}, TLS 1.2 {tls12}: server error {:?}", peer.server_error);
            if !tls12 && round == 1 {
                peer.server.refresh_traffic_keys().expect("rustls KeyUpdate");
            }
            peer.server_write(&data);
            let mut got = 0;
            let mut buf = [0u8; 1024];
            while got < data.len() {
                let n = hw.call(|| peer.client.read(&mut buf));
                if n > 0 {
                    got += n;
                    continue;
                }
                peer.pump();
                peer.deliver(usize::MAX);
                match hw.call(|| peer.client.process()).expect("process") {
                    Event::ApplicationData(_) | Event::SessionTicket | Event::NeedData => {}
                    other => panic!("{other:?}"),
                }
            }
        }
        peer.pump();
        assert!(peer.server_error.is_none(), "{:?}", peer.server_error);
        let name = if tls12 { "TLS 1.2 records: write, read" } else { "TLS 1.3 records: write, read, KeyUpdate" };
        rows.push(Row { name: name.into(), stack: hw.0, budget: PSK_BUDGET });
    }
}

/// The adapters: the deepest of the handshake and one write and read, the
/// blocking streams built in place (`new`, then `complete_handshake`, as the
/// README tells a device to); `connect`, which returns the stream by value
/// and so runs the handshake on a copy of it, is printed beside.
fn adapter_rows(rows: &mut Vec<Row>) {
    let ca = roots("ec256-root");
    let cfg = ClientConfig::new(&ca);
    // s_server serves one connection at a time: one server per adapter.
    let server = || x509_server(false, "ec256-leaf", "ec256-leaf", "ec256-int", &[]);
    let name = ServerName::parse("ec256.test");
    let options = || embertls::ConnectOptions::new(&cfg, name).now(Some(VECTOR_TIME));
    let mut page = [0u8; 256];

    let mut hw = HighWater::default();
    let (s_std, s_embedded, s_async) = (server(), server(), server());
    let tcp = s_std.connect();
    let mut tls = hw.call(|| TlsStream::new(options(), rng(), tcp)).expect("TlsStream::new");
    hw.call(|| tls.complete_handshake()).expect("TlsStream::complete_handshake");
    hw.call(|| tls.write_all(b"GET / HTTP/1.0\r\n\r\n")).unwrap();
    hw.call(|| tls.read(&mut page)).unwrap();
    drop(tls);
    rows.push(Row { name: "TlsStream (std), CA-verified ECDSA P-256".into(), stack: hw.0, budget: CERT_BUDGET });
    let tcp = s_std.connect();
    let (tls, by_value) = deepest(|| TlsStream::connect(options(), rng(), tcp));
    tls.expect("TlsStream::connect");
    println!("TlsStream::connect, the stream returned by value: {by_value} bytes");

    #[cfg(feature = "embedded-io")]
    {
        use embedded_io::{Read as _, Write as _};
        let mut hw = HighWater::default();
        let (mut rx, mut tx) = ([0u8; 8192], [0u8; 4096]);
        let io = embedded_io_adapters::std::FromStd::new(s_embedded.connect());
        let mut tls = hw
            .call(|| embertls::EmbeddedTlsStream::new(options(), rng(), io, &mut rx[..], &mut tx[..], None))
            .expect("EmbeddedTlsStream::new");
        hw.call(|| tls.complete_handshake()).expect("EmbeddedTlsStream::complete_handshake");
        hw.call(|| tls.write_all(b"GET / HTTP/1.0\r\n\r\n")).unwrap();
        hw.call(|| tls.read(&mut page)).unwrap();
        drop(tls);
        rows.push(Row { name: "EmbeddedTlsStream, CA-verified ECDSA P-256".into(), stack: hw.0, budget: CERT_BUDGET });
        let io = embedded_io_adapters::std::FromStd::new(s_embedded.connect());
        let (tls, by_value) =
            deepest(|| embertls::EmbeddedTlsStream::connect(options(), rng(), io, &mut rx[..], &mut tx[..], None));
        tls.expect("EmbeddedTlsStream::connect");
        println!("EmbeddedTlsStream::connect, the stream returned by value: {by_value} bytes");
    }

    #[cfg(feature = "embedded-io-async")]
    {
        let (mut rx, mut tx) = ([0u8; 8192], [0u8; 4096]);
        let io = BlockingAsync(s_async.connect());
        let connect = embertls::AsyncTlsStream::connect(options(), rng(), io, &mut rx[..], &mut tx[..], None);
        let future_size = std::mem::size_of_val(&connect);
        let mut hw = HighWater::default();
        let mut tls = poll_measured(&mut hw, connect).expect("AsyncTlsStream::connect");
        poll_measured(&mut hw, embedded_io_async::Write::write_all(&mut tls, b"GET / HTTP/1.0\r\n\r\n")).unwrap();
        poll_measured(&mut hw, embedded_io_async::Read::read(&mut tls, &mut page)).unwrap();
        println!("AsyncTlsStream::connect future: {future_size} bytes (held by the task, not on the stack)");
        rows.push(Row {
            name: "AsyncTlsStream, CA-verified ECDSA P-256 (per poll)".into(),
            stack: hw.0,
            budget: CERT_BUDGET,
        });
    }
}

/// An `embedded_io_async` transport over a blocking socket: every future is
/// ready at its first poll, so a poll runs the whole operation.
#[cfg(feature = "embedded-io-async")]
struct BlockingAsync(TcpStream);

#[cfg(feature = "embedded-io-async")]
impl embedded_io_async::ErrorType for BlockingAsync {
    type Error = std::io::Error;
}

#[cfg(feature = "embedded-io-async")]
impl embedded_io_async::Read for BlockingAsync {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.0.read(buf)
    }
}

#[cfg(feature = "embedded-io-async")]
impl embedded_io_async::Write for BlockingAsync {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.0.write(buf)
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        self.0.flush()
    }
}

/// Polls `fut` (pinned on the heap, as an executor's task arena holds it)
/// until ready, measuring each poll: the executor's own frames are not counted.
#[cfg(feature = "embedded-io-async")]
fn poll_measured<F: std::future::Future>(hw: &mut HighWater, fut: F) -> F::Output {
    let mut fut = Box::pin(fut);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = hw.call(|| fut.as_mut().poll(&mut cx)) {
            return v;
        }
    }
}

#[test]
fn painting_measures_a_known_array() {
    on_big_stack(|| {
        let (_, small) = deepest(|| std::hint::black_box([0u8; 64]));
        let (_, big) = deepest(|| {
            let a = std::hint::black_box([7u8; 10_000]);
            std::hint::black_box(&a);
        });
        assert!(small <= 512, "{small}");
        assert!((10_000..10_600).contains(&big), "{big}");
    });
}

#[test]
fn stack_budgets() {
    let rows = on_big_stack(|| {
        let mut rows = Vec::new();
        #[cfg(feature = "ec-tables")]
        {
            // The curve crates build their base-point tables at first use, once.
            let (_, first) = deepest(|| {
                let mut r = rng();
                embertls::crypto::KeyShare::generate(
                    &mut embertls::crypto::RustCrypto,
                    embertls::NamedGroup::Secp256r1,
                    &mut r,
                );
                embertls::crypto::KeyShare::generate(
                    &mut embertls::crypto::RustCrypto,
                    embertls::NamedGroup::Secp384r1,
                    &mut r,
                );
            });
            println!(
                "ec-tables: first P-256/P-384 use builds the tables with {first} bytes of stack (once per process)"
            );
        }
        handshake_rows(&mut rows);
        record_rows(&mut rows);
        adapter_rows(&mut rows);
        rows
    });
    println!(
        "\n| x86_64, opt-level {OPT_LEVEL}, above the caller's frame | stack | goal | enforced |\n|---|---|---|---|"
    );
    let mut over = Vec::new();
    for r in &rows {
        let enforced = ceiling(&r.name).unwrap_or(r.budget);
        let mark = if r.stack <= r.budget { "met" } else { "not yet" };
        println!("| {} | {} | {} ({mark}) | {} |", r.name, r.stack, r.budget, enforced);
        if r.stack > enforced {
            over.push(format!("{}: {} bytes > {enforced}", r.name, r.stack));
        }
        if r.stack <= r.budget && ceiling(&r.name).is_some_and(|c| c > r.budget) {
            over.push(format!("{}: meets its goal now ({} <= {}): remove its ceiling", r.name, r.stack, r.budget));
        }
    }
    assert!(over.is_empty(), "stack over the enforced ceiling:\n{}", over.join("\n"));
}

/// Ceilings of the rows over their goal (see [`ceiling`]): opt-level 3, s, z.
const CEILINGS: [(&str, [usize; 3]); 1] =
    [("TLS 1.3 CA-verified RSA-4096 (root and intermediate) chain", [13568, 16640, 14848])];
