//! The fuzz harnesses of `fuzz/` (shared source: fuzz/fuzz_targets/common.rs)
//! run in a normal `cargo test`: every committed seed of `fuzz/seeds/`, and
//! every input that once crashed a target (none so far; add each as a test
//! here, named after what it found).
//!
//! The seeds are recorded from real handshakes with `openssl s_server` by
//! the ignored test `record_fuzz_seeds`:
//! `cargo test --all-features --test components -- --ignored fuzz_regressions::record_fuzz_seeds`.

use crate::common;
#[path = "../../fuzz/fuzz_targets/common.rs"]
mod fuzz;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use common::peer::{CertKind, OpensslServer};
use embertls::crypto::Secret;
use embertls::key_schedule::TrafficKeys;
use embertls::record::{Protection, HEADER_LEN};
use embertls::{Client, Event, ServerName, MAX_RECORD};
use fuzz::{frame, CounterRng, FlightKeys, Progress, Setup};

fn seeds_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds").join(target)
}

/// The committed seeds of `target`; a missing or empty folder fails the test
/// (a regression run over nothing would pass vacuously).
fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    seeds_in(&seeds_dir(target))
}

/// The files of `dir`, sorted by name; panics if there are none.
fn seeds_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("seed folder {}: {e}", dir.display()));
    let mut out: Vec<(String, Vec<u8>)> = entries
        .map(|e| e.unwrap_or_else(|e| panic!("seed folder {}: {e}", dir.display())))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    assert!(!out.is_empty(), "seed folder {} is empty", dir.display());
    out.sort();
    out
}

/// The folders of fuzz/seeds/ that [`seeds_run_through_every_harness`] replays.
const REPLAYED: [&str; 5] = ["client_server_bytes", "flights", "deframer", "messages", "ticket"];

/// Seed folders not replayed here, and why.
const NOT_REPLAYED: [(&str, &str); 1] =
    [("x509_differential", "certificates signed at fuzz time; tests/x509/x509_differential.rs covers the vectors")];

#[test]
fn seeds_run_through_every_harness() {
    for target in REPLAYED {
        let seeds = seeds(target);
        for (name, data) in seeds {
            match target {
                "client_server_bytes" => {
                    // Replayed to the same deterministic client, a recorded flight completes the handshake.
                    let p = fuzz::client_server_bytes(&data);
                    assert_eq!(p, Progress::Closed, "{target}/{name} (stale seed? re-record: see the file header)");
                }
                "flights" => {
                    let p = fuzz::flight(&data);
                    assert_eq!(p, Progress::Closed, "{target}/{name} (stale seed? re-record: see the file header)");
                }
                "deframer" => fuzz::deframer(&data),
                "messages" => fuzz::messages(&data),
                "ticket" => {
                    // A seed in an old serialized format would only exercise the refusal.
                    embertls::SessionTicket::decode(&data)
                        .unwrap_or_else(|e| panic!("ticket seed {name} does not decode: {e}"));
                    fuzz::ticket(&data);
                }
                other => panic!("no harness for seed folder {other}"),
            }
        }
    }
}

/// The `der_walk` harness on the seeds `fuzz/run.sh` gives it (the
/// certificates of vectors/x509/): the handshake's walk finds every field of
/// every certificate and the parts of every SPKI, agreeing with the `der`
/// crate's walk, and the SPKI it finds is the one x509-cert decodes.
#[test]
fn der_walk_reads_every_vector_certificate() {
    use der::{Decode, Encode};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors/x509");
    let certs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "der"))
        .collect();
    assert!(certs.len() >= 20, "{} certificates in {}", certs.len(), dir.display());
    for path in certs {
        let (name, der) = (path.display(), std::fs::read(&path).unwrap());
        let found = fuzz::der_walk(&der);
        assert_eq!(found.fields, [true; 3], "{name}");
        let spki = embertls::crypto::certificate_spki(&der).unwrap();
        assert!(fuzz::der_walk(spki).spki, "{name}: SPKI");
        let decoded = x509_cert::Certificate::from_der(&der).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(spki, decoded.tbs_certificate().subject_public_key_info().to_der().unwrap(), "{name}");
    }
}

/// Every folder of fuzz/seeds/ is replayed above or named in [`NOT_REPLAYED`]:
/// a new corpus cannot be skipped by the regression run without saying so.
#[test]
fn every_seed_folder_is_replayed_or_excused() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let mut found: Vec<String> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let mut known: Vec<String> =
        REPLAYED.iter().chain(NOT_REPLAYED.iter().map(|(n, _)| n)).map(|n| n.to_string()).collect();
    known.sort();
    assert_eq!(found, known, "fuzz/seeds/ against REPLAYED and NOT_REPLAYED");
}

/// The guard of [`seeds`]: a missing folder and an empty one fail.
#[test]
fn a_missing_or_empty_seed_folder_fails() {
    let missing = std::env::temp_dir().join(format!("embertls-no-seeds-{}", std::process::id()));
    let panic = std::panic::catch_unwind(|| seeds_in(&missing)).expect_err("a missing folder fails");
    assert!(panic_text(&panic).starts_with("seed folder"), "{}", panic_text(&panic));
    std::fs::create_dir_all(&missing).unwrap();
    let panic = std::panic::catch_unwind(|| seeds_in(&missing)).expect_err("an empty folder fails");
    std::fs::remove_dir(&missing).unwrap();
    assert!(panic_text(&panic).ends_with("is empty"), "{}", panic_text(&panic));
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default()
}

/// Bytes of each recorded flight flipped, one at a time, through the
/// structure-aware harness: a quick, deterministic slice of what the
/// fuzzer does (no panic allowed).
#[test]
fn flipped_flights_do_not_panic() {
    for (_, data) in seeds("flights") {
        // The first 400 bytes (header, ServerHello, first protected records), then a sample.
        for i in (0..data.len().min(400)).step_by(13).chain((400..data.len()).step_by(997)) {
            let mut d = data.clone();
            d[i] ^= 0x41;
            fuzz::flight(&d);
        }
    }
}

/// Known non-identical round trip found by the `messages` target: a
/// ServerHello without an extensions block decodes (as an empty block)
/// and re-encodes with `00 00` appended. Harmless (TLS 1.3 needs
/// supported_versions, so such a hello is refused later), and accepted by
/// the harness as the only exception; this pins the behaviour.
#[test]
fn hello_without_extensions_round_trips_with_an_empty_block() {
    let mut sh = vec![3, 3];
    sh.extend_from_slice(&[7; 32]);
    sh.extend_from_slice(&[0, 0x13, 0x01, 0]); // empty session id, suite, compression
    fuzz::messages(&sh);
    let m = embertls::msgs::server_hello::ServerHello::decode(&sh).unwrap();
    assert!(m.extensions.raw().is_empty());
}

// ---------------------------------------------------------------------------
// Seed recording (needs openssl; run by hand, commits small files)
// ---------------------------------------------------------------------------

/// The recorded connection: raw server bytes, tickets, the key log.
struct Recording {
    server_bytes: Vec<u8>,
    tickets: Vec<Vec<u8>>,
    client_hello: Vec<u8>,
    keys: FlightKeys,
}

fn keylog_secret(log: &str, label: &str) -> Vec<u8> {
    let line = log.lines().find(|l| l.starts_with(label)).unwrap_or_else(|| panic!("{label} in key log:\n{log}"));
    let hex = line.split_whitespace().nth(2).unwrap();
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

fn record(name: &str, cert: CertKind, extra: &[&str], variant: u8) -> Recording {
    let keylog = std::env::temp_dir().join(format!("embertls-seed-{}-{name}.keylog", std::process::id()));
    let _ = std::fs::remove_file(&keylog);
    let mut args = vec!["-www", "-keylogfile", keylog.to_str().unwrap()];
    args.extend_from_slice(extra);
    let server = if extra.contains(&"-tls1_2") {
        let (c, k) = (cert.cert_path().display().to_string(), cert.key_path().display().to_string());
        OpensslServer::start_args(&[&["-cert", c.as_str(), "-key", k.as_str()][..], &args[..]].concat())
    } else {
        OpensslServer::start(cert, &args)
    };
    let mut tcp = server.connect();
    let mut c = Client::new(
        embertls::ConnectOptions::new(fuzz::config(variant), ServerName::parse(fuzz::SERVER_NAME)),
        CounterRng(fuzz::RNG_SEED),
        vec![0u8; 2 * MAX_RECORD],
        vec![0u8; 4096],
    )
    .unwrap();
    let client_hello = c.outgoing()[HEADER_LEN + 4..].to_vec();
    let (mut server_bytes, mut tickets) = (Vec::new(), Vec::new());
    loop {
        let ev = c.process();
        let out = c.outgoing().to_vec();
        tcp.write_all(&out).unwrap();
        c.sent(out.len());
        match ev {
            Ok(Event::NeedData) => {
                let buf = c.receive_buffer();
                let n = tcp.read(buf).unwrap();
                server_bytes.extend_from_slice(&buf[..n]);
                c.received(n);
            }
            Ok(Event::HandshakeComplete(_)) => {
                c.write(b"GET / HTTP/1.0\r\n\r\n").unwrap();
            }
            Ok(Event::ApplicationData(n)) => {
                c.read(&mut vec![0; n]);
            }
            Ok(Event::SessionTicket) => {
                let mut t = vec![0u8; 4096];
                let n = c.session_ticket(&mut t).unwrap();
                tickets.push(t[..n].to_vec());
            }
            Ok(Event::PeerClosed) => break,
            Ok(_) => {}
            Err(e) => panic!("{name}: {e}\n{}", server.log()),
        }
    }
    drop(server);
    let log = std::fs::read_to_string(&keylog).unwrap();
    let _ = std::fs::remove_file(&keylog);
    let suite = fuzz_suite(&server_bytes);
    // TLS 1.2 logs only CLIENT_RANDOM lines; its flights are not re-encrypted.
    let tls13 = log.contains("SERVER_TRAFFIC_SECRET_0");
    let secret = |label| if tls13 { keylog_secret(&log, label) } else { Vec::new() };
    let keys = FlightKeys {
        suite,
        handshake: secret("SERVER_HANDSHAKE_TRAFFIC_SECRET"),
        application: secret("SERVER_TRAFFIC_SECRET_0"),
    };
    Recording { server_bytes, tickets, client_hello, keys }
}

/// The handshake messages (headers included) of the plaintext records
/// before the server's first change_cipher_spec (TLS 1.2).
fn plaintext_messages(stream: &[u8]) -> Vec<Vec<u8>> {
    let mut hs = Vec::new();
    for (typ, body) in common::peer::records(stream) {
        match typ {
            22 => hs.extend_from_slice(&body),
            20 => break,
            _ => {}
        }
    }
    let mut out = Vec::new();
    let mut p = 0;
    while p + 4 <= hs.len() {
        let len = u32::from_be_bytes([0, hs[p + 1], hs[p + 2], hs[p + 3]]) as usize;
        out.push(hs[p..p + 4 + len].to_vec());
        p += 4 + len;
    }
    out
}

/// The cipher suite of the last ServerHello (the HelloRetryRequest names it too).
fn fuzz_suite(stream: &[u8]) -> u16 {
    let mut suite = 0;
    for (typ, body) in common::peer::records(stream) {
        if typ == 22 && body.first() == Some(&2) {
            let sid_len = usize::from(body[4 + 34]);
            let at = 4 + 35 + sid_len;
            suite = u16::from_be_bytes([body[at], body[at + 1]]);
        }
    }
    suite
}

fn protection(suite: u16, secret: &[u8]) -> Protection<embertls::crypto::RustCrypto> {
    use embertls::crypto::{AeadAlg, HashAlg};
    let (h, a) = match suite {
        0x1301 => (HashAlg::Sha256, AeadAlg::Aes128Gcm),
        0x1302 => (HashAlg::Sha384, AeadAlg::Aes256Gcm),
        0x1303 => (HashAlg::Sha256, AeadAlg::Chacha20Poly1305),
        s => panic!("suite {s:#x}"),
    };
    Protection::new(TrafficKeys::derive(&mut embertls::crypto::RustCrypto, h, a, &Secret::from_slice(secret)))
}

/// `(kind, bytes)` frames of a flight file.
type Frames = Vec<(u8, Vec<u8>)>;

/// Splits a recording into flight frames, decrypting the protected records;
/// also returns the plaintext handshake messages.
fn frames(rec: &Recording) -> (Frames, Vec<Vec<u8>>) {
    let mut hs = protection(rec.keys.suite, &rec.keys.handshake);
    let mut app = protection(rec.keys.suite, &rec.keys.application);
    let (mut frames, mut messages, mut hs_stream) = (Vec::new(), Vec::new(), Vec::new());
    let mut finished = false;
    let mut rest = &rec.server_bytes[..];
    while !rest.is_empty() {
        let len = HEADER_LEN + usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        let (raw, tail) = rest.split_at(len);
        rest = tail;
        if raw[0] != 23 {
            if raw[0] == 22 {
                messages.push(raw[HEADER_LEN..].to_vec());
            }
            frames.push((frame::RAW, raw.to_vec()));
            continue;
        }
        let mut buf = raw.to_vec();
        let (kind, p) = if finished { (frame::APPLICATION_KEYS, &mut app) } else { (frame::HANDSHAKE_KEYS, &mut hs) };
        let (typ, n) =
            p.open(&mut embertls::crypto::RustCrypto, &mut buf).expect("recorded record opens with the logged secret");
        let plain = &buf[HEADER_LEN..HEADER_LEN + n];
        let mut f = vec![typ.to_wire()];
        f.extend_from_slice(plain);
        frames.push((kind, f));
        if typ.to_wire() == 22 {
            hs_stream.extend_from_slice(plain);
            while hs_stream.len() >= 4 {
                let mlen = 4 + (u32::from_be_bytes([0, hs_stream[1], hs_stream[2], hs_stream[3]]) as usize);
                if hs_stream.len() < mlen {
                    break;
                }
                let msg: Vec<u8> = hs_stream.drain(..mlen).collect();
                finished |= msg[0] == 20;
                messages.push(msg);
            }
        }
    }
    (frames, messages)
}

fn write_seed(target: &str, name: &str, bytes: &[u8]) {
    let dir = seeds_dir(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.bin")), bytes).unwrap();
}

/// Records real `openssl s_server` flights for the fuzz corpora. The client
/// is the harnesses' deterministic client, so replaying a recording to it
/// reproduces the connection (the server's key log gives the secrets that
/// let the flight be stored decrypted for the structure-aware target).
#[test]
#[ignore = "writes fuzz/seeds/; run by hand when the ClientHello changes"]
fn record_fuzz_seeds() {
    let psk = ["-psk", fuzz::PSK_KEY_HEX, "-psk_identity", fuzz::PSK_IDENTITY];
    let scenarios: Vec<(&str, CertKind, Vec<&str>, u8)> = vec![
        ("ecdsa-aes128", CertKind::Ecdsa, vec!["-ciphersuites", "TLS_AES_128_GCM_SHA256"], 0),
        ("rsa-aes256", CertKind::Rsa, vec!["-ciphersuites", "TLS_AES_256_GCM_SHA384"], 0),
        (
            "ecdsa-chacha-hrr",
            CertKind::Ecdsa,
            vec!["-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256", "-groups", "P-256"],
            0,
        ),
        ("rsa-frag512-alpn", CertKind::Rsa, vec!["-max_send_frag", "512", "-alpn", "mqtt"], 1),
        ("psk-dhe", CertKind::Ecdsa, psk.to_vec(), 2),
        ("psk-ke", CertKind::Ecdsa, [&psk[..], &["-allow_no_dhe_kex"]].concat(), 3),
        ("tls12-ecdsa-aes128", CertKind::Ecdsa, vec!["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"], 0),
        ("tls12-rsa-chacha", CertKind::Rsa, vec!["-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305"], 1),
        (
            "tls12-rsa-aes256-p256",
            CertKind::Rsa,
            vec!["-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384", "-groups", "P-256"],
            0,
        ),
        (
            "tls12-psk-hint",
            CertKind::Ecdsa,
            [&psk[..], &["-tls1_2", "-nocert", "-psk_hint", "fuzz-hint", "-cipher", "PSK-AES128-GCM-SHA256"]].concat(),
            2,
        ),
        (
            "tls12-ecdhe-psk",
            CertKind::Ecdsa,
            [&psk[..], &["-tls1_2", "-nocert", "-cipher", "ECDHE-PSK-CHACHA20-POLY1305"]].concat(),
            2,
        ),
    ];
    for (name, cert, extra, variant) in scenarios {
        let rec = record(name, cert, &extra, variant);
        if extra.contains(&"-tls1_2") {
            // TLS 1.2: the raw byte stream replays (same client random and
            // key share); the flight mutator re-encrypts TLS 1.3 flights only.
            let flags = variant << 6;
            let raw = [&[flags][..], &rec.server_bytes].concat();
            assert_eq!(fuzz::client_server_bytes(&raw), Progress::Closed, "{name}: the raw bytes replay");
            write_seed("client_server_bytes", name, &raw);
            write_seed("deframer", name, &[&[0xff, 0x20][..], &rec.server_bytes].concat());
            for (i, m) in plaintext_messages(&rec.server_bytes).iter().enumerate() {
                write_seed("messages", &format!("{name}-{i}-type{}", m[0]), &m[4..]);
            }
            for (i, t) in rec.tickets.iter().enumerate() {
                write_seed("ticket", &format!("{name}-{i}"), t);
            }
            eprintln!("{name}: {} server bytes, {} tickets", rec.server_bytes.len(), rec.tickets.len());
            continue;
        }
        let flags = variant << 6; // everything at once, 2 × MAX_RECORD receive buffer
        let (frames, messages) = frames(&rec);
        let flight = fuzz::write_flight(flags, &rec.keys, &frames);
        assert_eq!(fuzz::flight(&flight), Progress::Closed, "{name}: the stored flight replays");
        write_seed("flights", name, &flight);
        let raw = [&[flags][..], &rec.server_bytes].concat();
        assert_eq!(fuzz::client_server_bytes(&raw), Progress::Closed, "{name}: the raw bytes replay");
        write_seed("client_server_bytes", name, &raw);
        write_seed("deframer", name, &[&[0xff, 0x20][..], &rec.server_bytes].concat());
        write_seed("messages", &format!("{name}-client-hello"), &rec.client_hello);
        for (i, m) in messages.iter().enumerate() {
            write_seed("messages", &format!("{name}-{i}-type{}", m[0]), &m[4..]);
        }
        for (i, t) in rec.tickets.iter().enumerate() {
            write_seed("ticket", &format!("{name}-{i}"), t);
        }
        let s = Setup::from_flags(flags);
        eprintln!(
            "{name}: {} server bytes, {} frames, {} tickets, rx {}",
            rec.server_bytes.len(),
            frames.len(),
            rec.tickets.len(),
            s.rx
        );
    }
}
