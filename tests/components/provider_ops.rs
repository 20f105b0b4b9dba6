//! Issue 14 item 5: how many public-key operations the client performs per
//! handshake kind (key generations, (EC)DHE agreements, signature
//! verifications, client signatures), counted by a provider that wraps
//! RustCrypto (tests/common/counting.rs) and a signer that wraps the
//! software one. Each row asserts the count the protocol calls for, so
//! a saving (resumption, psk_ke, TLS 1.2 reuse of the TLS 1.3 key share)
//! that stops working, or an operation done twice, fails here.
//! `cargo test --all-features --test components provider_ops -- --nocapture` prints the table.

use crate::common;
use crate::counting;

use std::cell::Cell;
use std::io::Write;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};

use common::drive::{get_page, Meter};
use common::engine::now;
use common::peer::{
    peer_file, rng, rustls_client_auth_config, rustls_config, rustls_config_tls12, CertKind, MemPeer, OpensslServer,
};
use counting::{Counting, Ops};
use embertls::{
    CaVerifier, CipherSuite, Client, ClientConfig, ClientIdentity, ConnectOptions, ExternalPsk, NamedGroup,
    ProtocolVersion, PskMode, RustCrypto, ServerName, ServerVerification, SessionTicket, SignError, SignatureScheme,
    Signer, SoftwareSigner, MAX_RECORD,
};

/// Operations of one handshake, as the table prints them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Row {
    keygen: u32,
    agree: u32,
    verify: u32,
    sign: u32,
}

impl Row {
    fn of(ops: Ops, sign: u32) -> Self {
        Row { keygen: ops.keygen, agree: ops.agree, verify: ops.verify, sign }
    }
}

fn ca() -> CaVerifier {
    CaVerifier::from_pem(&std::fs::read(peer_file("ecdsa-ca.pem")).expect("ecdsa-ca.pem")).expect("CA")
}

/// A signer that counts its signatures.
struct CountingSigner<'a>(&'a SoftwareSigner, AtomicU32);

impl Signer for CountingSigner<'_> {
    fn schemes(&self) -> &[SignatureScheme] {
        self.0.schemes()
    }
    fn public_key(&self) -> &[u8] {
        self.0.public_key()
    }
    fn sign(&self, scheme: SignatureScheme, message: &[u8], out: &mut [u8]) -> Result<usize, SignError> {
        self.1.fetch_add(1, Ordering::Relaxed);
        self.0.sign(scheme, message, out)
    }
    fn sign_digest(&self, scheme: SignatureScheme, digest: &[u8], out: &mut [u8]) -> Result<usize, SignError> {
        self.1.fetch_add(1, Ordering::Relaxed);
        self.0.sign_digest(scheme, digest, out)
    }
}

/// A client with the counting provider.
type CountedClient<'a> = Client<'a, common::peer::Rng, Vec<u8>, Vec<u8>, Counting<RustCrypto>>;

/// Hashes started by a counted client: SHA-256, SHA-384.
type HashCounts = Rc<Cell<[u32; 2]>>;

/// A client with the counting provider, its public-key operation counts
/// and its hashes started.
fn counted<'a>(options: ConnectOptions<'a>) -> (CountedClient<'a>, Rc<Cell<Ops>>, HashCounts) {
    let (provider, ops) = Counting::new(RustCrypto);
    let hashes = provider.hashes.clone();
    let client = Client::new(options.with_provider(provider), rng(), vec![0; MAX_RECORD], vec![0; MAX_RECORD])
        .expect("Client::new");
    (client, ops, hashes)
}

/// One handshake against rustls in memory; its operations and the session it left.
fn rustls_row(
    config: &ClientConfig<'_>,
    server: rustls::ServerConfig,
    resume: Option<&[u8]>,
) -> (Ops, Option<Vec<u8>>) {
    let mut options = ConnectOptions::new(config, ServerName::parse("localhost")).now(now());
    if let Some(t) = resume {
        options = options.resuming(SessionTicket::decode(t).expect("stored session"));
    }
    let (client, ops, _) = counted(options);
    let mut peer = MemPeer::with_client(client, server);
    let summary = peer.handshake();
    assert_eq!(summary.resumed, resume.is_some(), "resumed");
    let at_handshake = ops.get();
    let mut session = None;
    if resume.is_none() {
        peer.server_write(b"x");
        loop {
            match peer.next_event().expect("after the handshake") {
                embertls::Event::SessionTicket => {
                    let mut buf = vec![0u8; peer.client.session_ticket_max_len()];
                    let n = peer.client.session_ticket(&mut buf).expect("session_ticket");
                    buf.truncate(n);
                    session = Some(buf);
                }
                embertls::Event::ApplicationData(_) => {
                    let mut b = [0u8; 16];
                    peer.client.read(&mut b);
                }
                embertls::Event::NeedData => break,
                other => panic!("{other:?}"),
            }
        }
    }
    assert_eq!(ops.get(), at_handshake, "no public-key operation after the handshake");
    (at_handshake, session)
}

struct NoMeter;
impl Meter for NoMeter {
    fn call<T>(&mut self, _: &'static str, f: impl FnOnce() -> T) -> T {
        f()
    }
}

/// One handshake against `openssl s_server -www`.
fn openssl_row(server: &OpensslServer, config: &ClientConfig<'_>) -> Ops {
    let (mut client, ops, _) = counted(ConnectOptions::new(config, ServerName::parse("localhost")));
    let mut sock = server.connect();
    get_page("openssl", &mut sock, &mut client, &mut NoMeter);
    let _ = sock.flush();
    ops.get()
}

const PSK_KEY: &str = "00112233445566778899aabbccddeeff";

#[test]
fn public_key_operations_per_handshake_kind() {
    let mut table: Vec<(&str, Row, Row)> = Vec::new();
    let mut check = |name: &'static str, got: Row, want: Row| table.push((name, got, want));
    let ca = ca();

    // TLS 1.3, X25519 share, CA-verified ECDSA chain: the chain's one
    // signature (leaf by its CA) and CertificateVerify.
    let full = ClientConfig::new(&ca);
    let server13 = rustls_config(CertKind::Ecdsa, &[], &[]);
    let (ops, session) = rustls_row(&full, server13.clone(), None);
    check(
        "TLS 1.3 full, X25519, CA-verified ECDSA chain",
        Row::of(ops, 0),
        Row { keygen: 1, agree: 1, verify: 2, sign: 0 },
    );

    // Insecure: CertificateVerify only (it still proves the key, RFC 8446 §4.4.3).
    let insecure = ClientConfig::new(ServerVerification::danger_accept_any());
    let (ops, _) = rustls_row(&insecure, rustls_config(CertKind::Ecdsa, &[], &[]), None);
    check("TLS 1.3 full, insecure", Row::of(ops, 0), Row { keygen: 1, agree: 1, verify: 1, sign: 0 });

    // HelloRetryRequest for secp256r1: a second key share, one agreement.
    let hrr_server = rustls_config(CertKind::Ecdsa, &[], &[NamedGroup::Secp256r1]);
    let (ops, _) = rustls_row(&full, hrr_server, None);
    check(
        "TLS 1.3 after HelloRetryRequest (secp256r1)",
        Row::of(ops, 0),
        Row { keygen: 2, agree: 1, verify: 2, sign: 0 },
    );

    // Resumption (psk_dhe_ke) with the first row's session, same server: no
    // certificate, no signature.
    let session = session.expect("rustls sends TLS 1.3 tickets");
    let (ops, _) = rustls_row(&full, server13, Some(&session));
    check("TLS 1.3 ticket resumption (psk_dhe_ke)", Row::of(ops, 0), Row { keygen: 1, agree: 1, verify: 0, sign: 0 });

    // Client certificate: one signature more.
    let pem = std::fs::read(peer_file("client-p256.pem")).expect("client-p256.pem");
    let chain = embertls::pem::certificates(&pem).expect("PEM");
    let chain_refs: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
    let key = SoftwareSigner::from_pem_with_rng(&std::fs::read(peer_file("client-p256.key")).unwrap(), rng()).unwrap();
    let signer = CountingSigner(&key, AtomicU32::new(0));
    let ids = [ClientIdentity::new(&chain_refs, &signer).expect("identity")];
    let auth = ClientConfig::new(&ca).with_client_identities(&ids);
    let (ops, _) = rustls_row(&auth, rustls_client_auth_config(CertKind::Ecdsa, "client-ca.pem", true), None);
    let signs = signer.1.swap(0, Ordering::Relaxed);
    check(
        "TLS 1.3 full with a client certificate",
        Row::of(ops, signs),
        Row { keygen: 1, agree: 1, verify: 2, sign: 1 },
    );

    // TLS 1.2 answering a hello that offered TLS 1.3 too: the X25519 share
    // of the TLS 1.3 offer is reused for ECDHE; chain + ServerKeyExchange.
    let both = ClientConfig::new(&ca);
    let server12 = rustls_config_tls12(CertKind::Ecdsa, &[], &[]);
    let (ops, session12) = rustls_row(&both, server12.clone(), None);
    check(
        "TLS 1.2 ECDHE X25519 (TLS 1.3 key share reused)",
        Row::of(ops, 0),
        Row { keygen: 1, agree: 1, verify: 2, sign: 0 },
    );

    // The server picks another group: a fresh key for it.
    let (ops, _) = rustls_row(&both, rustls_config_tls12(CertKind::Ecdsa, &[], &[NamedGroup::Secp256r1]), None);
    check(
        "TLS 1.2 ECDHE secp256r1 (share of another group offered)",
        Row::of(ops, 0),
        Row { keygen: 2, agree: 1, verify: 2, sign: 0 },
    );

    // TLS 1.2 only: no TLS 1.3 share is made at all.
    let only12 = ClientConfig::new(&ca).with_versions(&[ProtocolVersion::Tls12]).unwrap();
    let (ops, _) = rustls_row(&only12, rustls_config_tls12(CertKind::Ecdsa, &[], &[]), None);
    check("TLS 1.2 only, ECDHE X25519", Row::of(ops, 0), Row { keygen: 1, agree: 1, verify: 2, sign: 0 });

    // TLS 1.2 resumption (RFC 5077 ticket): the abbreviated handshake has no
    // exchange; the hello still carries the TLS 1.3 offer's share.
    let session12 = session12.expect("rustls issues TLS 1.2 tickets");
    let (ops, _) = rustls_row(&both, server12, Some(&session12));
    check(
        "TLS 1.2 ticket resumption (hello also offers TLS 1.3)",
        Row::of(ops, 0),
        Row { keygen: 1, agree: 0, verify: 0, sign: 0 },
    );

    // External PSK against openssl.
    let psk = ExternalPsk::from_hex("device-1", PSK_KEY).unwrap();
    let server =
        OpensslServer::start_args(&["-tls1_3", "-nocert", "-psk", PSK_KEY, "-psk_identity", "device-1", "-www"]);
    // OpenSSL's external PSK is SHA-256 only (tests/psk.rs).
    let sha256 = [CipherSuite::Tls13Aes128GcmSha256];
    let dhe =
        ClientConfig::new(ServerVerification::danger_accept_any()).with_psk(&psk).with_cipher_suites(&sha256).unwrap();
    check(
        "TLS 1.3 external PSK, psk_dhe_ke",
        Row::of(openssl_row(&server, &dhe), 0),
        Row { keygen: 1, agree: 1, verify: 0, sign: 0 },
    );
    let ke_server = OpensslServer::start_args(&[
        "-tls1_3",
        "-nocert",
        "-psk",
        PSK_KEY,
        "-psk_identity",
        "device-1",
        "-allow_no_dhe_kex",
        "-www",
    ]);
    let ke_psk = ExternalPsk::from_hex("device-1", PSK_KEY).unwrap().with_mode(PskMode::Ke);
    let ke = ClientConfig::new(ServerVerification::danger_accept_any())
        .with_psk(&ke_psk)
        .with_cipher_suites(&sha256)
        .unwrap();
    check(
        "TLS 1.3 external PSK, psk_ke",
        Row::of(openssl_row(&ke_server, &ke), 0),
        Row { keygen: 0, agree: 0, verify: 0, sign: 0 },
    );

    let psk_server12 = OpensslServer::start_args(&[
        "-tls1_2",
        "-nocert",
        "-psk",
        PSK_KEY,
        "-psk_identity",
        "device-1",
        "-psk_hint",
        "h",
        "-www",
    ]);
    let psk12 = |suite| {
        ClientConfig::new(ServerVerification::danger_accept_any())
            .with_versions(&[ProtocolVersion::Tls12])
            .unwrap()
            .with_psk(&psk)
            .with_cipher_suites(&[suite])
            .unwrap()
    };
    let plain = psk12(CipherSuite::PskWithAes128GcmSha256);
    check(
        "TLS 1.2 PSK",
        Row::of(openssl_row(&psk_server12, &plain), 0),
        Row { keygen: 0, agree: 0, verify: 0, sign: 0 },
    );
    let ecdhe = psk12(CipherSuite::EcdhePskWithChacha20Poly1305Sha256);
    check(
        "TLS 1.2 ECDHE-PSK",
        Row::of(openssl_row(&psk_server12, &ecdhe), 0),
        Row { keygen: 1, agree: 1, verify: 0, sign: 0 },
    );

    println!("| handshake | key generations | agreements | verifications | client signatures |");
    println!("|---|---|---|---|---|");
    for (name, got, _) in &table {
        println!("| {name} | {} | {} | {} | {} |", got.keygen, got.agree, got.verify, got.sign);
    }
    let wrong: Vec<_> = table.iter().filter(|(_, got, want)| got != want).collect();
    assert!(wrong.is_empty(), "operation counts differ from the protocol's: {wrong:#?}");
}

/// The ClientHello offers SHA-256 and SHA-384 suites; it is kept as bytes
/// and hashed once, with the negotiated suite's hash, when it fits the
/// room the two hashes would take. A hello too large for it (here, a
/// 244-byte server name) runs both hashes until the ServerHello.
#[test]
fn the_hello_is_hashed_with_the_negotiated_hash_only() {
    let insecure = ClientConfig::new(ServerVerification::danger_accept_any());
    let long_name = ["a".repeat(60), "b".repeat(60), "c".repeat(60), "d".repeat(60), "example".into()].join(".");
    let tls13_sha384 = [CipherSuite::Tls13Aes256GcmSha384];
    let cases: [(&str, &str, rustls::ServerConfig, [u32; 2]); 4] = [
        ("TLS 1.3, SHA-256 suite", "localhost", rustls_config(CertKind::Ecdsa, &[], &[]), [1, 0]),
        ("TLS 1.3, SHA-384 suite", "localhost", rustls_config(CertKind::Ecdsa, &tls13_sha384, &[]), [0, 1]),
        ("TLS 1.2, SHA-256 suite", "localhost", rustls_config_tls12(CertKind::Ecdsa, &[], &[]), [1, 0]),
        ("TLS 1.2, hello too large to keep", &long_name, rustls_config_tls12(CertKind::Ecdsa, &[], &[]), [1, 1]),
    ];
    for (name, host, server, want) in cases {
        let (client, _, hashes) = counted(ConnectOptions::new(&insecure, ServerName::parse(host)).now(now()));
        MemPeer::with_client(client, server).handshake();
        // Hashes started: the transcript's, once (a running transcript is
        // copied, not restarted, for each hash of it taken; the key
        // schedule's hash of nothing is a constant).
        assert_eq!(hashes.get(), want, "{name}: SHA-256 and SHA-384 hashes started");
    }
}
