//! Client-side CPU of one TLS 1.3 or TLS 1.2 handshake (X25519, in memory,
//! the same rustls server for every client): embertls vs rustls 0.23 with
//! its `ring` provider and with the RustCrypto provider (`rustls-rustcrypto`),
//! plus the raw cost of the primitives such a handshake needs (X25519 key
//! generation and agreement, one signature verification), and ticket resumption.
//! Only time spent inside the client's calls is counted (`iter_custom`), so
//! the server's work does not dilute the ratios. All clients accept the
//! server's certificate without a chain check but verify CertificateVerify.

use std::cell::Cell;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use embertls::provider::Ring;
use embertls::{Client, ClientConfig, Event, ServerName, ServerVerification};
use embertls_bench::{in_turn, median, write_result};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName as RustlsName};

const ECDSA_CERT: &[u8] = include_bytes!("../../vectors/peer/ecdsa-leaf.pem");
const ECDSA_KEY: &[u8] = include_bytes!("../../vectors/peer/ecdsa-leaf.key");
const RSA_CERT: &[u8] = include_bytes!("../../vectors/peer/rsa-leaf.pem");
const RSA_KEY: &[u8] = include_bytes!("../../vectors/peer/rsa-leaf.key");
const CLIENT_CA: &[u8] = include_bytes!("../../vectors/peer/client-ca.pem");
const CLIENT_CERT: &[u8] = include_bytes!("../../vectors/peer/client-p256.pem");
const CLIENT_KEY: &[u8] = include_bytes!("../../vectors/peer/client-p256.key");

/// A serialized ticket from one full handshake with `server` (which must send tickets).
fn ticket_from(server: &Arc<rustls::ServerConfig>, config: &ClientConfig<'_>) -> Vec<u8> {
    let mut srv = rustls::ServerConnection::new(server.clone()).unwrap();
    let rng = rand_core::UnwrapErr(getrandom::SysRng);
    let (mut rx, mut tx) = (vec![0u8; 2 * embertls::MAX_RECORD], vec![0u8; 4096]);
    let mut c = Client::new(
        embertls::ConnectOptions::new(config, ServerName::parse("localhost")),
        rng,
        &mut rx[..],
        &mut tx[..],
    )
    .unwrap();
    let mut wire = Vec::new();
    loop {
        let out = c.outgoing().to_vec();
        c.sent(out.len());
        srv.read_tls(&mut out.as_slice()).unwrap();
        srv.process_new_packets().unwrap();
        wire.clear();
        while srv.wants_write() {
            srv.write_tls(&mut wire).unwrap();
        }
        let buf = c.receive_buffer();
        buf[..wire.len()].copy_from_slice(&wire);
        c.received(wire.len());
        loop {
            match c.process().unwrap() {
                Event::SessionTicket => {
                    let mut out = vec![0u8; 4096];
                    let n = c.session_ticket(&mut out).unwrap();
                    out.truncate(n);
                    return out;
                }
                Event::NeedData => break,
                _ => {}
            }
        }
    }
}

/// A server that requires a client certificate issued by the test client CA.
fn client_auth_server_config(cert: &[u8], key: &[u8]) -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for ca in CertificateDer::pem_slice_iter(CLIENT_CA) {
        roots.add(ca.unwrap()).unwrap();
    }
    let verifier =
        rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build().unwrap();
    let certs = CertificateDer::pem_slice_iter(cert).collect::<Result<Vec<_>, _>>().unwrap();
    let key = PrivateKeyDer::from_pem_slice(key).unwrap();
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .unwrap();
    cfg.send_tls13_tickets = 0;
    Arc::new(cfg)
}

fn server_config(
    cert: &[u8],
    key: &[u8],
    version: &'static rustls::SupportedProtocolVersion,
) -> Arc<rustls::ServerConfig> {
    let certs = CertificateDer::pem_slice_iter(cert).collect::<Result<Vec<_>, _>>().unwrap();
    let key = PrivateKeyDer::from_pem_slice(key).unwrap();
    let mut cfg = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(&[version])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    cfg.send_tls13_tickets = 0;
    Arc::new(cfg)
}

fn resuming_server_config(
    cert: &[u8],
    key: &[u8],
    version: &'static rustls::SupportedProtocolVersion,
) -> Arc<rustls::ServerConfig> {
    let mut cfg = (*server_config(cert, key, version)).clone();
    cfg.send_tls13_tickets = 1;
    cfg.ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
    Arc::new(cfg)
}

/// One embertls handshake (resuming `ticket` if given); returns the time
/// spent in the client.
#[inline(never)]
fn embertls_once(
    server: &Arc<rustls::ServerConfig>,
    config: &ClientConfig<'_>,
    rx: &mut [u8],
    tx: &mut [u8],
    ticket: Option<&[u8]>,
) -> Duration {
    embertls_with(server, config, rx, tx, ticket, RustCrypto).0
}

/// As [`embertls_once`] with crypto provider `provider`, which it hands back.
#[inline(always)]
fn embertls_with<P: CryptoProvider>(
    server: &Arc<rustls::ServerConfig>,
    config: &ClientConfig<'_>,
    rx: &mut [u8],
    tx: &mut [u8],
    ticket: Option<&[u8]>,
    provider: P,
) -> (Duration, P) {
    embertls_live(server, config, (rx, tx), ticket, provider, rand_core::UnwrapErr(getrandom::SysRng), |_| {})
}

/// As [`embertls_with`], the client drawing from `rng`; `on_flight` sees
/// each flight of the server's. Inlined, as `embertls_with`, so that the
/// client's calls of the `embertls` row come from [`embertls_once`], where
/// bench/instructions.sh counts them (the recorders' handshakes come from
/// elsewhere).
#[inline(always)]
fn embertls_live<P: CryptoProvider, R: rand_core::CryptoRng>(
    server: &Arc<rustls::ServerConfig>,
    config: &ClientConfig<'_>,
    (rx, tx): (&mut [u8], &mut [u8]),
    ticket: Option<&[u8]>,
    provider: P,
    rng: R,
    mut on_flight: impl FnMut(&[u8]),
) -> (Duration, P) {
    let mut srv = rustls::ServerConnection::new(server.clone()).unwrap();
    // The name is parsed inside the timed part, as the rustls rows' is.
    let t = Instant::now();
    let name = ServerName::parse("localhost");
    let mut c = match ticket {
        Some(b) => {
            let ticket = embertls::SessionTicket::decode(b).unwrap().with_age(1);
            let options = embertls::ConnectOptions::new(config, name).resuming(ticket).with_provider(provider);
            Client::new(options, rng, rx, tx).unwrap()
        }
        None => Client::new(embertls::ConnectOptions::new(config, name).with_provider(provider), rng, rx, tx).unwrap(),
    };
    let mut spent = t.elapsed();
    let (mut out, mut wire) = (Vec::new(), Vec::new());
    loop {
        spent += take_outgoing(&mut c, &mut out);
        srv.read_tls(&mut out.as_slice()).unwrap();
        srv.process_new_packets().unwrap();
        wire.clear();
        while srv.wants_write() {
            srv.write_tls(&mut wire).unwrap();
        }
        on_flight(&wire);
        let t = Instant::now();
        let buf = c.receive_buffer();
        buf[..wire.len()].copy_from_slice(&wire);
        c.received(wire.len());
        // A TLS 1.2 ticket comes before the server's Finished: not kept here.
        let mut ev = c.process().unwrap();
        while ev == Event::SessionTicket {
            ev = c.process().unwrap();
        }
        spent += t.elapsed();
        if let Event::HandshakeComplete(s) = ev {
            assert_eq!(s.resumed, ticket.is_some());
            spent += take_outgoing(&mut c, &mut out);
            return (spent, c.into_provider());
        }
    }
}

/// Takes the client's pending bytes into `out` (cleared first), as the
/// rustls rows' `write_tls` does into a reused buffer, and returns the time
/// it took: the client's, as rustls's is (its last flight included).
#[inline(always)]
fn take_outgoing<R, P, Rx, Tx>(c: &mut Client<'_, R, Rx, Tx, P>, out: &mut Vec<u8>) -> Duration
where
    R: rand_core::CryptoRng,
    P: CryptoProvider,
    Rx: AsMut<[u8]> + AsRef<[u8]>,
    Tx: AsMut<[u8]> + AsRef<[u8]>,
{
    let t = Instant::now();
    out.clear();
    out.extend_from_slice(c.outgoing());
    c.sent(out.len());
    t.elapsed()
}

/// Random bytes drawn once and handed out in order, from the start in each
/// handshake: the client sends the same ClientHello and key share every
/// time, so a server's recorded answer fits it.
struct Tape(Arc<[u8]>);

impl Tape {
    fn new() -> Self {
        let mut bytes = vec![0u8; 4096];
        getrandom::fill(&mut bytes).unwrap();
        Tape(bytes.into())
    }

    /// A generator handing out the same bytes from the start.
    fn rewound(&self) -> FillRng<impl FnMut(&mut [u8])> {
        let (bytes, mut at) = (self.0.clone(), 0);
        FillRng(move |dst: &mut [u8]| {
            dst.copy_from_slice(&bytes[at..at + dst.len()]);
            at += dst.len();
        })
    }
}

/// A random generator filled by `F`: a [`Tape`], or the system's
/// generator timed on a [`Stopwatch`].
struct FillRng<F>(F);

impl<F: FnMut(&mut [u8])> rand_core::TryRng for FillRng<F> {
    type Error = std::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        (self.0)(dst);
        Ok(())
    }
}
impl<F: FnMut(&mut [u8])> rand_core::TryCryptoRng for FillRng<F> {}

/// The server's flights of one full handshake with `server`, the client
/// drawing from `tape` (rewound), and the provider calls the client made.
fn recorded_server(
    server: &Arc<rustls::ServerConfig>,
    config: &ClientConfig<'_>,
    tape: &Tape,
) -> (Vec<Vec<u8>>, Vec<Call>) {
    let (mut rx, mut tx) = (vec![0u8; 2 * embertls::MAX_RECORD], vec![0u8; 4096]);
    let mut flights = Vec::new();
    let (_, recorder) =
        embertls_live(server, config, (&mut rx, &mut tx), None, Recorder::default(), tape.rewound(), |wire| {
            flights.push(wire.to_vec())
        });
    (flights, recorder.calls)
}

/// One embertls handshake (RustCrypto) against the recorded server
/// `flights`, the client drawing from `tape` rewound: no server runs
/// between the client's calls. Returns the time spent in the client.
fn embertls_canned(
    flights: &[Vec<u8>],
    config: &ClientConfig<'_>,
    rx: &mut [u8],
    tx: &mut [u8],
    tape: &Tape,
) -> Duration {
    let tape = tape.rewound();
    let t = Instant::now();
    let mut c =
        Client::new(embertls::ConnectOptions::new(config, ServerName::parse("localhost")), tape, rx, tx).unwrap();
    let mut spent = t.elapsed();
    let mut out = Vec::new();
    for wire in flights {
        spent += take_outgoing(&mut c, &mut out);
        let t = Instant::now();
        let buf = c.receive_buffer();
        buf[..wire.len()].copy_from_slice(wire);
        c.received(wire.len());
        let ev = c.process().unwrap();
        spent += t.elapsed();
        if let Event::HandshakeComplete(_) = ev {
            return spent + take_outgoing(&mut c, &mut out);
        }
    }
    panic!("the recorded server flights did not complete the handshake")
}

/// Runs row `row` of `g` (group `group`) with `ours` and `theirs`
/// alternated, each first in every other pair; criterion times `ours`.
/// The pairs' medians and ratio go to `file` ([`write_alternated`]).
fn alternated(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    ids: (&str, &str, &str),
    mut ours: impl FnMut() -> Duration,
    mut theirs: impl FnMut() -> Duration,
) {
    let mut ours_first = true;
    paired(g, ids, || {
        ours_first = !ours_first;
        in_turn(!ours_first, &mut ours, &mut theirs)
    });
}

/// Runs row `row` of `g` (group `group`): each call of `pair` gives two
/// times (ours, theirs); criterion times the first, and the pairs' medians
/// and ratio go to `file` ([`write_alternated`]).
fn paired(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    (group, row, file): (&str, &str, &str),
    mut pair: impl FnMut() -> (Duration, Duration),
) {
    let mut pairs = Vec::new();
    g.bench_function(row, |b| {
        b.iter_custom(|n| {
            let mut spent = Duration::ZERO;
            for _ in 0..n {
                let (o, t) = pair();
                pairs.push((o, t));
                spent += o;
            }
            spent
        })
    });
    write_alternated(group, file, &pairs);
}

/// Writes `<target>/criterion/<group>/<file>`: the medians of both sides of
/// an [`alternated`] row and their ratio, which `bench/report.sh` prints.
fn write_alternated(group: &str, file: &str, pairs: &[(Duration, Duration)]) {
    if pairs.is_empty() {
        return; // the row was filtered out
    }
    let ours = median(&mut pairs.iter().map(|p| p.0.as_secs_f64() * 1e6).collect::<Vec<_>>());
    let theirs = median(&mut pairs.iter().map(|p| p.1.as_secs_f64() * 1e6).collect::<Vec<_>>());
    let json = format!(
        "{{\"pairs\": {}, \"ours_median_us\": {ours:.3}, \"theirs_median_us\": {theirs:.3}, \"ratio\": {:.4}}}\n",
        pairs.len(),
        ours / theirs
    );
    write_result(group, file, &json);
}

/// Accepts any server certificate but checks CertificateVerify, like embertls's insecure mode.
#[derive(Debug)]
struct NoVerify(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &RustlsName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn rustls_once(server: &Arc<rustls::ServerConfig>, client: &Arc<rustls::ClientConfig>) -> Duration {
    let mut srv = rustls::ServerConnection::new(server.clone()).unwrap();
    let t = Instant::now();
    let mut c = rustls::ClientConnection::new(client.clone(), RustlsName::try_from("localhost").unwrap()).unwrap();
    let mut spent = t.elapsed();
    let mut wire = Vec::new();
    loop {
        wire.clear();
        let t = Instant::now();
        while c.wants_write() {
            c.write_tls(&mut wire).unwrap();
        }
        spent += t.elapsed();
        if !c.is_handshaking() {
            return spent;
        }
        srv.read_tls(&mut wire.as_slice()).unwrap();
        srv.process_new_packets().unwrap();
        wire.clear();
        while srv.wants_write() {
            srv.write_tls(&mut wire).unwrap();
        }
        let t = Instant::now();
        c.read_tls(&mut wire.as_slice()).unwrap();
        c.process_new_packets().unwrap();
        spent += t.elapsed();
    }
}

/// The rustls client of the comparisons, `provider` cut down to the suites
/// embertls's default configuration puts first (AES-128-GCM with SHA-256,
/// [`SAME_SUITES`]): both clients then run the same key schedule and the
/// same record protection. Left to its default order, rustls + ring picks
/// AES-256-GCM with SHA-384, whose SHA-384 (no SHA extension for it on
/// x86_64) costs more than SHA-256; a ratio against that would flatter
/// embertls. [`assert_same_suite`] checks every pair before it is timed.
fn rustls_client(
    mut provider: rustls::crypto::CryptoProvider,
    version: &'static rustls::SupportedProtocolVersion,
) -> Arc<rustls::ClientConfig> {
    provider.cipher_suites.retain(|s| SAME_SUITES.contains(&u16::from(s.suite())));
    let provider = Arc::new(provider);
    let mut c = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[version])
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(NoVerify(provider)))
        .with_no_client_auth();
    c.resumption = rustls::client::Resumption::disabled();
    Arc::new(c)
}

/// The suites both clients of a comparison may negotiate (RFC 8446 §B.4,
/// RFC 5289 §3): TLS_AES_128_GCM_SHA256,
/// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.
const SAME_SUITES: [u16; 3] = [0x1301, 0xc02b, 0xc02f];

/// Panics unless embertls (`config`) and rustls (`rustls`) negotiate the
/// same cipher suite with `server`, one of [`SAME_SUITES`]: a comparison of
/// two clients is only fair on the same primitives.
fn assert_same_suite(
    server: &Arc<rustls::ServerConfig>,
    config: &ClientConfig<'_>,
    rustls: &Arc<rustls::ClientConfig>,
) {
    let mut srv = rustls::ServerConnection::new(server.clone()).unwrap();
    let mut c = rustls::ClientConnection::new(rustls.clone(), RustlsName::try_from("localhost").unwrap()).unwrap();
    while c.is_handshaking() {
        let mut wire = Vec::new();
        while c.wants_write() {
            c.write_tls(&mut wire).unwrap();
        }
        srv.read_tls(&mut wire.as_slice()).unwrap();
        srv.process_new_packets().unwrap();
        wire.clear();
        while srv.wants_write() {
            srv.write_tls(&mut wire).unwrap();
        }
        c.read_tls(&mut wire.as_slice()).unwrap();
        c.process_new_packets().unwrap();
    }
    let theirs = u16::from(c.negotiated_cipher_suite().unwrap().suite());

    let mut srv = rustls::ServerConnection::new(server.clone()).unwrap();
    let (mut rx, mut tx) = (vec![0u8; 2 * embertls::MAX_RECORD], vec![0u8; 4096]);
    let rng = rand_core::UnwrapErr(getrandom::SysRng);
    let options = embertls::ConnectOptions::new(config, ServerName::parse("localhost"));
    let mut c = Client::new(options, rng, &mut rx[..], &mut tx[..]).unwrap();
    let ours = loop {
        let out = c.outgoing().to_vec();
        c.sent(out.len());
        srv.read_tls(&mut out.as_slice()).unwrap();
        srv.process_new_packets().unwrap();
        let mut wire = Vec::new();
        while srv.wants_write() {
            srv.write_tls(&mut wire).unwrap();
        }
        c.receive_buffer()[..wire.len()].copy_from_slice(&wire);
        c.received(wire.len());
        match c.process().unwrap() {
            Event::HandshakeComplete(s) => break s.cipher_suite.to_wire(),
            Event::NeedData => {}
            other => panic!("unexpected {other:?} before the handshake completed"),
        }
    };
    assert!(
        ours == theirs && SAME_SUITES.contains(&ours),
        "the clients compared negotiated different suites: embertls {ours:#06x}, rustls {theirs:#06x}"
    );
}

/// The primitives a full X25519 handshake with an ECDSA P-256 leaf needs:
/// X25519 key generation and agreement, one ECDSA P-256 verification (the
/// server's CertificateVerify); hashing, HKDF and AEAD on a few hundred
/// bytes are in the "rest" the ratio includes.
fn primitives(cr: &mut Criterion) {
    use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
    let mut g = cr.benchmark_group("primitives");
    g.bench_function("x25519_keygen_and_agree", |b| {
        let peer = x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from([9u8; 32]));
        let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
        b.iter(|| {
            let s = x25519_dalek::StaticSecret::random_from_rng(&mut rng);
            let _ = x25519_dalek::PublicKey::from(&s);
            s.diffie_hellman(&peer)
        })
    });
    let sk = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
    let digest = [5u8; 32];
    let sig: p256::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
    let vk = *sk.verifying_key();
    g.bench_function("ecdsa_p256_verify", |b| b.iter(|| vk.verify_prehash(&digest, &sig).unwrap()));
    g.finish();
}

fn bench(cr: &mut Criterion) {
    // The default configuration (offers TLS 1.3 and 1.2): the server's version decides.
    let ember_config = ClientConfig::new(ServerVerification::danger_accept_any());
    let mut rx = vec![0u8; 2 * embertls::MAX_RECORD];
    let mut tx = vec![0u8; 4096];
    let clock = ClockCost::measure();
    println!("clock: {:?} a reading and its elapsed time, {:?} of it between the readings", clock.pair, clock.inner);
    for (version, vname, ember_version) in [
        (&rustls::version::TLS13, "tls13", embertls::ProtocolVersion::Tls13),
        (&rustls::version::TLS12, "tls12", embertls::ProtocolVersion::Tls12),
    ] {
        // The rustls clients offer this version only; so does this config.
        let same_versions =
            ClientConfig::new(ServerVerification::danger_accept_any()).with_versions(&[ember_version]).unwrap();
        let ring = rustls_client(rustls::crypto::ring::default_provider(), version);
        let rustcrypto = rustls_client(rustls_rustcrypto::provider(), version);
        for (name, cert, key) in [("ecdsa_p256", ECDSA_CERT, ECDSA_KEY), ("rsa2048", RSA_CERT, RSA_KEY)] {
            let server = server_config(cert, key, version);
            for rustls in [&ring, &rustcrypto] {
                assert_same_suite(&server, &ember_config, rustls);
                assert_same_suite(&server, &same_versions, rustls);
            }
            let mut g = cr.benchmark_group(format!("{vname}_full_handshake_x25519_{name}"));
            g.bench_function("embertls", |b| {
                b.iter_custom(|n| (0..n).map(|_| embertls_once(&server, &ember_config, &mut rx, &mut tx, None)).sum())
            });
            g.bench_function("rustls_rustcrypto", |b| {
                b.iter_custom(|n| (0..n).map(|_| rustls_once(&server, &rustcrypto)).sum())
            });
            g.bench_function("rustls_ring", |b| b.iter_custom(|n| (0..n).map(|_| rustls_once(&server, &ring)).sum()));
            g.bench_function("embertls_ring", |b| {
                b.iter_custom(|n| {
                    (0..n).map(|_| embertls_with(&server, &ember_config, &mut rx, &mut tx, None, Ring).0).sum()
                })
            });
            // The same handshake's own primitive operations, recorded once and timed alone.
            let calls = record(&server, &ember_config);
            g.bench_function("embertls_primitives", |b| {
                b.iter_custom(|n| (0..n).map(|_| replay(&calls, RustCrypto)).sum())
            });
            g.bench_function("embertls_ring_primitives", |b| {
                b.iter_custom(|n| (0..n).map(|_| replay(&calls, Ring)).sum())
            });
            // The same comparisons alternated handshake by handshake: the rows
            // above are measured seconds apart, and this VM's speed drifts by
            // up to 15 % between windows; alternated, both sides see the same
            // machine. Criterion times embertls; each pair is kept for the ratio.
            let group = format!("{vname}_full_handshake_x25519_{name}");
            alternated(
                &mut g,
                (&group, "embertls_ring_alternated", "alternated.json"),
                || embertls_with(&server, &ember_config, &mut rx, &mut tx, None, Ring).0,
                || rustls_once(&server, &ring),
            );
            // The same with embertls offering only the version rustls offers
            // (its default offers TLS 1.3 and 1.2: a larger ClientHello, with
            // the other version's extensions and a session ID for middlebox
            // compatibility, RFC 8446 App. D.4).
            alternated(
                &mut g,
                (&group, "embertls_ring_same_versions_alternated", "same_versions_alternated.json"),
                || embertls_with(&server, &same_versions, &mut rx, &mut tx, None, Ring).0,
                || rustls_once(&server, &ring),
            );
            alternated(
                &mut g,
                (&group, "embertls_primitives_alternated", "primitives_alternated.json"),
                || embertls_once(&server, &ember_config, &mut rx, &mut tx, None),
                || replay(&calls, RustCrypto),
            );
            // The same, with no server between the client's calls: the
            // client answers the server's recorded flights, drawing the same
            // random bytes each time, and the replay draws from them too.
            let tape = Tape::new();
            let (flights, canned_calls) = recorded_server(&server, &ember_config, &tape);
            alternated(
                &mut g,
                (&group, "embertls_canned_primitives_alternated", "canned_primitives_alternated.json"),
                || embertls_canned(&flights, &ember_config, &mut rx, &mut tx, &tape),
                || replay_with(&canned_calls, RustCrypto, &mut tape.rewound()),
            );
            // What the live server costs the client: the same client calls
            // with the rustls server running between them, and without.
            let (mut rx2, mut tx2) = (rx.clone(), tx.clone());
            alternated(
                &mut g,
                (&group, "embertls_live_canned_alternated", "live_canned_alternated.json"),
                || {
                    embertls_live(&server, &ember_config, (&mut rx, &mut tx), None, RustCrypto, tape.rewound(), |_| {})
                        .0
                },
                || embertls_canned(&flights, &ember_config, &mut rx2, &mut tx2, &tape),
            );
            // The client's time against its own provider calls timed in
            // place, in the same handshakes: one pair per handshake.
            paired(&mut g, (&group, "embertls_inplace_primitives", "inplace_primitives.json"), || {
                embertls_inplace(&server, &ember_config, (&mut rx, &mut tx), RustCrypto, clock)
            });
            paired(&mut g, (&group, "embertls_ring_inplace_primitives", "ring_inplace_primitives.json"), || {
                embertls_inplace(&server, &ember_config, (&mut rx, &mut tx), Ring, clock)
            });
            // The floor of the ring comparison: embertls's ring calls alone
            // (timed in place, as above) against the whole rustls + ring
            // client, both offering one version: the ratio embertls would
            // reach if its own code took no time at all.
            alternated(
                &mut g,
                (&group, "embertls_ring_primitives_vs_rustls_alternated", "ring_floor_alternated.json"),
                || embertls_inplace(&server, &same_versions, (&mut rx, &mut tx), Ring, clock).1,
                || rustls_once(&server, &ring),
            );
            g.finish();
        }
        let server = resuming_server_config(ECDSA_CERT, ECDSA_KEY, version);
        let ticket = ticket_from(&server, &ember_config);
        let mut g = cr.benchmark_group(format!("{vname}_resumption_x25519_ecdsa_p256"));
        g.bench_function("embertls", |b| {
            b.iter_custom(|n| {
                (0..n).map(|_| embertls_once(&server, &ember_config, &mut rx, &mut tx, Some(&ticket))).sum()
            })
        });
        g.finish();
    }
    // Client authentication with an ECDSA P-256 certificate against the plain handshake.
    let signer = embertls::SoftwareSigner::from_pem(CLIENT_KEY).unwrap();
    let client_chain = embertls::pem::certificates(CLIENT_CERT).unwrap();
    let chain_refs: Vec<&[u8]> = client_chain.iter().map(Vec::as_slice).collect();
    let identity = embertls::ClientIdentity::new(&chain_refs, &signer).unwrap();
    let auth_config = ClientConfig::new(ServerVerification::danger_accept_any()).with_client_identity(&identity);
    let auth_server = client_auth_server_config(ECDSA_CERT, ECDSA_KEY);
    let mut g = cr.benchmark_group("tls13_client_auth_x25519_ecdsa_p256");
    g.bench_function("embertls", |b| {
        b.iter_custom(|n| (0..n).map(|_| embertls_once(&auth_server, &auth_config, &mut rx, &mut tx, None)).sum())
    });
    g.finish();
}

// ---------------------------------------------------------------------------
// The handshake's own primitive operations, recorded and replayed alone
// (issue 14 item 4: handshake CPU against the sum of its primitives).
// ---------------------------------------------------------------------------

use embertls::provider::{
    AeadAlg, AeadError, CryptoProvider, Digest, HashAlg, NamedGroup, PeerKey, SigAlg, SignatureError, MAX_HASH_LEN,
    MAX_PUBLIC_KEY_LEN, MAX_SHARED_SECRET_LEN, TAG_LEN,
};
use embertls::RustCrypto;

/// One call a handshake made to its provider, with what replaying it needs.
enum Call {
    HashStart(HashAlg),
    HashUpdate(HashAlg, Vec<u8>),
    HashFinish(HashAlg),
    Hmac(HashAlg, Vec<u8>, Vec<Vec<u8>>),
    /// PRK, info parts, output length.
    HkdfExpand(HashAlg, Vec<u8>, Vec<Vec<u8>>, usize),
    /// PRK, then each output's info parts and length.
    HkdfExpandEach(HashAlg, Vec<u8>, Vec<(Vec<Vec<u8>>, usize)>),
    /// Secret, label, seed, output length.
    Tls12Prf(HashAlg, Vec<u8>, Vec<u8>, Vec<u8>, usize),
    AeadKey(AeadAlg, Vec<u8>),
    /// Key (index into the keys made), nonce, AAD, plaintext length.
    Seal(usize, [u8; 12], Vec<u8>, usize),
    /// Key, nonce, AAD, ciphertext, tag.
    Open(usize, [u8; 12], Vec<u8>, Vec<u8>, [u8; TAG_LEN]),
    KxGenerate(NamedGroup),
    KxAgree(NamedGroup, Vec<u8>),
    Verify(PeerKey, SigAlg, Vec<u8>, Vec<u8>),
}

/// RustCrypto, recording every call.
#[derive(Default)]
struct Recorder {
    calls: Vec<Call>,
    keys: usize,
}

impl CryptoProvider for Recorder {
    type Hash = (HashAlg, <RustCrypto as CryptoProvider>::Hash);
    fn hash_start(&mut self, alg: HashAlg) -> Self::Hash {
        self.calls.push(Call::HashStart(alg));
        (alg, RustCrypto.hash_start(alg))
    }
    fn hash_update(&mut self, hash: &mut Self::Hash, data: &[u8]) {
        self.calls.push(Call::HashUpdate(hash.0, data.to_vec()));
        RustCrypto.hash_update(&mut hash.1, data)
    }
    fn hash_finish(&mut self, hash: Self::Hash) -> Digest {
        self.calls.push(Call::HashFinish(hash.0));
        RustCrypto.hash_finish(hash.1)
    }
    fn hmac(&mut self, alg: HashAlg, key: &[u8], parts: &[&[u8]], out: &mut [u8; MAX_HASH_LEN]) -> usize {
        self.calls.push(Call::Hmac(alg, key.to_vec(), parts.iter().map(|p| p.to_vec()).collect()));
        RustCrypto.hmac(alg, key, parts, out)
    }
    // Recorded whole: a provider may run them on one HMAC key (ring does).
    fn hkdf_expand(&mut self, alg: HashAlg, prk: &[u8], info: &[&[u8]], out: &mut [u8]) {
        self.calls.push(Call::HkdfExpand(alg, prk.to_vec(), info.iter().map(|p| p.to_vec()).collect(), out.len()));
        RustCrypto.hkdf_expand(alg, prk, info, out)
    }
    fn hkdf_expand_each(&mut self, alg: HashAlg, prk: &[u8], outputs: &mut [(&[&[u8]], &mut [u8])]) {
        let each = outputs.iter().map(|(info, out)| (info.iter().map(|p| p.to_vec()).collect(), out.len())).collect();
        self.calls.push(Call::HkdfExpandEach(alg, prk.to_vec(), each));
        RustCrypto.hkdf_expand_each(alg, prk, outputs)
    }
    fn tls12_prf(&mut self, alg: HashAlg, secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
        self.calls.push(Call::Tls12Prf(alg, secret.to_vec(), label.to_vec(), seed.to_vec(), out.len()));
        RustCrypto.tls12_prf(alg, secret, label, seed, out)
    }
    type AeadKey = (usize, <RustCrypto as CryptoProvider>::AeadKey);
    fn aead_key(&mut self, alg: AeadAlg, key: &[u8]) -> Self::AeadKey {
        self.calls.push(Call::AeadKey(alg, key.to_vec()));
        self.keys += 1;
        (self.keys - 1, RustCrypto.aead_key(alg, key))
    }
    fn aead_seal(
        &mut self,
        key: &Self::AeadKey,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN], AeadError> {
        self.calls.push(Call::Seal(key.0, *nonce, aad.to_vec(), buf.len()));
        RustCrypto.aead_seal(&key.1, nonce, aad, buf)
    }
    fn aead_open(
        &mut self,
        key: &Self::AeadKey,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), AeadError> {
        self.calls.push(Call::Open(key.0, *nonce, aad.to_vec(), buf.to_vec(), *tag));
        RustCrypto.aead_open(&key.1, nonce, aad, buf, tag)
    }
    type KxPrivate = <RustCrypto as CryptoProvider>::KxPrivate;
    fn kx_from_private(
        &mut self,
        group: NamedGroup,
        private: &[u8],
        public: &mut [u8; MAX_PUBLIC_KEY_LEN],
    ) -> Option<(Self::KxPrivate, usize)> {
        RustCrypto.kx_from_private(group, private, public)
    }
    fn kx_generate<R: rand_core::CryptoRng + ?Sized>(
        &mut self,
        group: NamedGroup,
        rng: &mut R,
        public: &mut [u8; MAX_PUBLIC_KEY_LEN],
    ) -> Result<(Self::KxPrivate, usize), embertls::Error> {
        self.calls.push(Call::KxGenerate(group));
        RustCrypto.kx_generate(group, rng, public)
    }
    fn kx_agree(
        &mut self,
        group: NamedGroup,
        private: &Self::KxPrivate,
        peer: &[u8],
        out: &mut [u8; MAX_SHARED_SECRET_LEN],
    ) -> Option<usize> {
        self.calls.push(Call::KxAgree(group, peer.to_vec()));
        RustCrypto.kx_agree(group, private, peer, out)
    }
    fn verify_signature(&mut self, key: &PeerKey, alg: SigAlg, msg: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        self.calls.push(Call::Verify(key.clone(), alg, msg.to_vec(), sig.to_vec()));
        CryptoProvider::verify_signature(&mut RustCrypto, key, alg, msg, sig)
    }
}

/// The time spent in a handshake's primitive operations, timed in place:
/// its provider's calls ([`Timed`]) and its draws from the caller's random
/// generator ([`timed_rng`]; on a host each is a system call, in ring's key
/// generation as in the engine's hello random). The sum sees the caches and
/// branch predictors as the live server leaves them (the replays run their
/// calls back to back). Each call adds two clock reads to the client's time
/// and about one to the sum ([`ClockCost`]).
#[derive(Default)]
struct Stopwatch {
    spent: Cell<Duration>,
    calls: Cell<u32>,
    running: Cell<bool>,
}

impl Stopwatch {
    /// Runs `f`, adding its time to the sum unless the watch is already
    /// running (a provider's key generation drawing from the caller's
    /// generator is timed once).
    #[inline(always)]
    fn time<T>(&self, f: impl FnOnce() -> T) -> T {
        if self.running.replace(true) {
            return f();
        }
        self.calls.set(self.calls.get() + 1);
        let t = Instant::now();
        let out = f();
        self.spent.set(self.spent.get() + t.elapsed());
        self.running.set(false);
        out
    }
}

/// Provider `P`, each call timed on a [`Stopwatch`].
struct Timed<'w, P> {
    inner: P,
    watch: &'w Stopwatch,
}

impl<'w, P> Timed<'w, P> {
    #[inline(always)]
    fn time<T>(&mut self, f: impl FnOnce(&mut P) -> T) -> T {
        let inner = &mut self.inner;
        self.watch.time(|| f(inner))
    }
}

/// The system's random generator, each draw timed on `watch`.
fn timed_rng(watch: &Stopwatch) -> FillRng<impl FnMut(&mut [u8]) + '_> {
    FillRng(move |dst: &mut [u8]| watch.time(|| getrandom::fill(dst).unwrap()))
}

/// One live handshake with `server` on provider `p`, its primitive
/// operations timed in place: the client's time and theirs, without the
/// clock's cost.
fn embertls_inplace<P: CryptoProvider>(
    server: &Arc<rustls::ServerConfig>,
    config: &ClientConfig<'_>,
    bufs: (&mut [u8], &mut [u8]),
    p: P,
    clock: ClockCost,
) -> (Duration, Duration) {
    let watch = Stopwatch::default();
    let provider = Timed { inner: p, watch: &watch };
    let (client, _) = embertls_live(server, config, bufs, None, provider, timed_rng(&watch), |_| {});
    clock.subtract(client, &watch)
}

/// What timing one call costs: `pair`, a clock read and an elapsed time
/// (added to the client's time), and `inner`, the part of it between the
/// two readings (added to the primitives' sum). Measured in a tight loop,
/// where the clock's code is hot: in a handshake a reading costs at least
/// as much, so subtracting these leaves some of the clock in both times,
/// twice as much in the client's as in the sum, which can only raise the
/// ratio.
#[derive(Clone, Copy)]
struct ClockCost {
    pair: Duration,
    inner: Duration,
}

impl ClockCost {
    /// The medians of 200 batches of 10 000 readings.
    fn measure() -> Self {
        const N: u32 = 10_000;
        let (mut pair, mut inner) = (Vec::new(), Vec::new());
        for _ in 0..200 {
            let mut sum = Duration::ZERO;
            let t = Instant::now();
            for _ in 0..N {
                let u = Instant::now();
                sum += std::hint::black_box(u).elapsed();
            }
            pair.push(t.elapsed().as_secs_f64() / f64::from(N));
            inner.push(sum.as_secs_f64() / f64::from(N));
        }
        ClockCost {
            pair: Duration::from_secs_f64(median(&mut pair)),
            inner: Duration::from_secs_f64(median(&mut inner)),
        }
    }

    /// The client's time and its primitives' time, without the clock's cost.
    fn subtract(self, client: Duration, watch: &Stopwatch) -> (Duration, Duration) {
        let n = watch.calls.get();
        (client.saturating_sub(self.pair * n), watch.spent.get().saturating_sub(self.inner * n))
    }
}

impl<P: CryptoProvider> CryptoProvider for Timed<'_, P> {
    type Hash = P::Hash;
    fn hash_start(&mut self, alg: HashAlg) -> Self::Hash {
        self.time(|p| p.hash_start(alg))
    }
    fn hash_update(&mut self, hash: &mut Self::Hash, data: &[u8]) {
        self.time(|p| p.hash_update(hash, data))
    }
    fn hash_finish(&mut self, hash: Self::Hash) -> Digest {
        self.time(|p| p.hash_finish(hash))
    }
    fn hmac(&mut self, alg: HashAlg, key: &[u8], parts: &[&[u8]], out: &mut [u8; MAX_HASH_LEN]) -> usize {
        self.time(|p| p.hmac(alg, key, parts, out))
    }
    fn hkdf_expand(&mut self, alg: HashAlg, prk: &[u8], info: &[&[u8]], out: &mut [u8]) {
        self.time(|p| p.hkdf_expand(alg, prk, info, out))
    }
    fn hkdf_expand_each(&mut self, alg: HashAlg, prk: &[u8], outputs: &mut [(&[&[u8]], &mut [u8])]) {
        self.time(|p| p.hkdf_expand_each(alg, prk, outputs))
    }
    fn tls12_prf(&mut self, alg: HashAlg, secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
        self.time(|p| p.tls12_prf(alg, secret, label, seed, out))
    }
    type AeadKey = P::AeadKey;
    fn aead_key(&mut self, alg: AeadAlg, key: &[u8]) -> Self::AeadKey {
        self.time(|p| p.aead_key(alg, key))
    }
    fn aead_seal(
        &mut self,
        key: &Self::AeadKey,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN], AeadError> {
        self.time(|p| p.aead_seal(key, nonce, aad, buf))
    }
    fn aead_open(
        &mut self,
        key: &Self::AeadKey,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), AeadError> {
        self.time(|p| p.aead_open(key, nonce, aad, buf, tag))
    }
    type KxPrivate = P::KxPrivate;
    fn kx_from_private(
        &mut self,
        group: NamedGroup,
        private: &[u8],
        public: &mut [u8; MAX_PUBLIC_KEY_LEN],
    ) -> Option<(Self::KxPrivate, usize)> {
        self.time(|p| p.kx_from_private(group, private, public))
    }
    fn kx_generate<R: rand_core::CryptoRng + ?Sized>(
        &mut self,
        group: NamedGroup,
        rng: &mut R,
        public: &mut [u8; MAX_PUBLIC_KEY_LEN],
    ) -> Result<(Self::KxPrivate, usize), embertls::Error> {
        self.time(|p| p.kx_generate(group, rng, public))
    }
    fn kx_agree(
        &mut self,
        group: NamedGroup,
        private: &Self::KxPrivate,
        peer: &[u8],
        out: &mut [u8; MAX_SHARED_SECRET_LEN],
    ) -> Option<usize> {
        self.time(|p| p.kx_agree(group, private, peer, out))
    }
    fn verify_signature(&mut self, key: &PeerKey, alg: SigAlg, msg: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        self.time(|p| p.verify_signature(key, alg, msg, sig))
    }
}

/// Runs the recorded calls with provider `p`; returns the time they took.
/// Hashes run on one state per algorithm (a finish takes a copy): the same
/// blocks are compressed as in the handshake, whichever transcript they
/// belonged to. A key agreement uses a private key, and an open a copy of
/// its ciphertext, made before the clock starts.
fn replay<P: CryptoProvider>(calls: &[Call], p: P) -> Duration {
    replay_with(calls, p, &mut rand_core::UnwrapErr(getrandom::SysRng))
}

/// As [`replay`], key generation drawing from `rng`. Not inlined:
/// bench/instructions.sh counts this frame.
#[inline(never)]
fn replay_with<P: CryptoProvider, R: rand_core::CryptoRng>(calls: &[Call], mut p: P, rng: &mut R) -> Duration {
    let mut public = [0u8; MAX_PUBLIC_KEY_LEN];
    let mut privates: Vec<_> = calls
        .iter()
        .filter_map(|c| match c {
            Call::KxAgree(g, _) => Some(p.kx_generate(*g, rng, &mut public).unwrap().0),
            _ => None,
        })
        .collect();
    privates.reverse();
    // Each ciphertext opened in place, as the record layer does: copied before the clock starts.
    let mut opened: Vec<Vec<u8>> = calls
        .iter()
        .filter_map(|c| match c {
            Call::Open(_, _, _, ct, _) => Some(ct.clone()),
            _ => None,
        })
        .collect();
    opened.reverse();
    let mut sha256 = p.hash_start(HashAlg::Sha256);
    let mut sha384 = p.hash_start(HashAlg::Sha384);
    let mut keys = Vec::new();
    let mut out = [0u8; MAX_HASH_LEN];
    let mut shared = [0u8; MAX_SHARED_SECRET_LEN];
    let mut buf = vec![0u8; 20_000];
    let t = Instant::now();
    for c in calls {
        match c {
            Call::HashStart(a) => {
                let _ = std::hint::black_box(p.hash_start(*a));
            }
            Call::HashUpdate(HashAlg::Sha256, d) => p.hash_update(&mut sha256, d),
            Call::HashUpdate(HashAlg::Sha384, d) => p.hash_update(&mut sha384, d),
            Call::HashFinish(HashAlg::Sha256) => {
                std::hint::black_box(p.hash_finish(sha256.clone()));
            }
            Call::HashFinish(HashAlg::Sha384) => {
                std::hint::black_box(p.hash_finish(sha384.clone()));
            }
            Call::Hmac(a, k, parts) => {
                let parts: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
                p.hmac(*a, k, &parts, &mut out);
            }
            Call::HkdfExpand(a, prk, info, len) => {
                let info: Vec<&[u8]> = info.iter().map(Vec::as_slice).collect();
                p.hkdf_expand(*a, prk, &info, &mut buf[..*len]);
            }
            Call::HkdfExpandEach(a, prk, each) => {
                let infos: Vec<Vec<&[u8]>> = each.iter().map(|(i, _)| i.iter().map(Vec::as_slice).collect()).collect();
                let mut rest = &mut buf[..];
                let mut outputs = Vec::with_capacity(each.len());
                for (info, (_, len)) in infos.iter().zip(each) {
                    let (out, tail) = std::mem::take(&mut rest).split_at_mut(*len);
                    outputs.push((info.as_slice(), out));
                    rest = tail;
                }
                p.hkdf_expand_each(*a, prk, &mut outputs);
            }
            Call::Tls12Prf(a, secret, label, seed, len) => p.tls12_prf(*a, secret, label, seed, &mut buf[..*len]),
            Call::AeadKey(a, k) => keys.push(p.aead_key(*a, k)),
            Call::Seal(k, n, aad, len) => {
                std::hint::black_box(p.aead_seal(&keys[*k], n, aad, &mut buf[..*len]).unwrap());
            }
            Call::Open(k, n, aad, _, tag) => {
                let mut ct = opened.pop().unwrap();
                p.aead_open(&keys[*k], n, aad, &mut ct, tag).unwrap();
                std::hint::black_box(ct);
            }
            Call::KxGenerate(g) => {
                std::hint::black_box(p.kx_generate(*g, rng, &mut public).unwrap());
            }
            Call::KxAgree(g, peer) => {
                let private = privates.pop().unwrap();
                p.kx_agree(*g, &private, peer, &mut shared).unwrap();
            }
            Call::Verify(k, a, m, s) => CryptoProvider::verify_signature(&mut p, k, *a, m, s).unwrap(),
        }
    }
    t.elapsed()
}

/// The provider calls of one full handshake with `server`.
fn record(server: &Arc<rustls::ServerConfig>, config: &ClientConfig<'_>) -> Vec<Call> {
    let (mut rx, mut tx) = (vec![0u8; 2 * embertls::MAX_RECORD], vec![0u8; 4096]);
    embertls_with(server, config, &mut rx, &mut tx, None, Recorder::default()).1.calls
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    targets = primitives, bench
}
criterion_main!(benches);
