//! X.509 verification against a real peer: `openssl s_server -tls1_3 -www`
//! on loopback presents the chains of `vectors/x509/` (ECDSA P-256, P-384,
//! RSA-2048, mixed RSA/ECDSA and mixed curves; one and two intermediates;
//! intermediates out of order, duplicated and with an unrelated extra), and
//! `TlsStream` connects with the right root, the wrong root, a wrong name, an
//! expired leaf at a fixed time, no clock, pins and trust on first use.
//!
//! Every refusal is checked for its typed error, its alert (sent to the
//! server before the connection closes) and a message that names the
//! offending certificate or name and says what to do. The `client` example
//! is run once end to end (`--ca`, `--show-chain`, `--trust-on-first-use`).

#![allow(clippy::result_large_err)] // helpers return embertls::Error as the engine does

use crate::common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::engine::assert_msg;
use common::peer::{rng, run_example, tls_error, x509_file, OpensslServer};
use common::provider::options;
use embertls::x509::{CaVerifier, ChainRecorder, Pin, PinVerifier, Profile, TrustAnchors, TrustOnFirstUse};
use embertls::{
    AlertDescription, CertError, ClientConfig, Error, HandshakeSummary, ServerName, ServerVerifier, TlsStream, Trust,
    UnixTime,
};

/// 2030-01-01T00:00:00Z, the verification time of `vectors/x509/README.md`.
const NOW: UnixTime = UnixTime(1_893_456_000);

fn pem(name: &str) -> Vec<u8> {
    std::fs::read(x509_file(&format!("{name}.pem"))).unwrap_or_else(|e| panic!("{name}.pem: {e}"))
}

/// The SPKI pin openssl computed for a vector (`NAME.pin`).
fn openssl_pin(name: &str) -> String {
    std::fs::read_to_string(x509_file(&format!("{name}.pin"))).expect("pin file").trim().to_string()
}

fn ca(roots: &[&str]) -> CaVerifier {
    let mut anchors = TrustAnchors::new();
    for r in roots {
        anchors.add_pem(&pem(r)).expect("anchor PEM");
    }
    CaVerifier::new(anchors)
}

/// What a successful connection reported.
#[derive(Debug)]
struct Connected {
    trust: Trust,
    verified: bool,
}

/// Connects to `server` as `name` at `now` through `verifier`; on success
/// sends a GET and checks that the `-www` page arrives.
fn connect(
    server: &OpensslServer,
    verifier: &(dyn ServerVerifier + Sync),
    name: &str,
    now: Option<UnixTime>,
) -> Result<Connected, Error> {
    let config = ClientConfig::new(verifier);
    let tcp = server.connect();
    match TlsStream::connect(options(&config, ServerName::parse(name)).now(now), rng(), tcp) {
        Ok(mut tls) => {
            let s: HandshakeSummary<'_> = tls.summary().expect("summary after connect");
            tls.write_all(b"GET / HTTP/1.0\r\n\r\n").expect("write GET");
            let mut page = Vec::new();
            tls.read_to_end(&mut page).expect("read the page");
            let page = String::from_utf8_lossy(&page);
            assert!(page.starts_with("HTTP/1.0 200 ok"), "unexpected page: {page:.200}");
            Ok(Connected { trust: s.trust, verified: s.is_verified() })
        }
        Err(e) => Err(tls_error(&e).unwrap_or_else(|| panic!("not an embertls error: {e}")).clone()),
    }
}

/// The certificate error inside `err`, after checking the alert the engine sent.
fn cert_error(err: Error, alert: AlertDescription) -> CertError {
    assert_eq!(err.alert(), Some(alert), "alert for {err}");
    match err {
        Error::Certificate(c) => c.into_inner(),
        other => panic!("expected Error::Certificate, got {other:?}: {other}"),
    }
}

/// s_server logs the alert it received ("... alert number N" / "SSL alert
/// number N"): proof that the client's alert went out before it closed.
fn assert_server_got_alert(server: &OpensslServer, alert: AlertDescription) {
    let needle = format!("alert number {}", alert.to_wire());
    let deadline = Instant::now() + Duration::from_secs(5);
    while !server.log().contains(&needle) {
        assert!(Instant::now() < deadline, "s_server did not log {needle:?}:\n{}", server.log());
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn assert_verified(s: &Connected) {
    assert_eq!(s.trust, Trust::Verified, "{s:?}");
    assert!(s.verified);
}

/// Subjects of the chain the server sent, as the recorder saw it.
fn sent_subjects(r: &ChainRecorder<'_>) -> Vec<String> {
    r.last_chain().expect("a chain was recorded").certs.iter().map(|c| c.subject.clone()).collect()
}

fn check_chain(leaf: &str, key: &str, chain: &[&str], root: &str, name: &str) {
    let server = OpensslServer::start_x509(leaf, key, chain);
    let v = ca(&[root]);
    let recorder = ChainRecorder::new(&v);
    let s = connect(&server, &recorder, name, Some(NOW)).unwrap_or_else(|e| panic!("{leaf}: {e}"));
    assert_verified(&s);
    assert_eq!(sent_subjects(&recorder).len(), 1 + chain.len(), "{leaf}: the server sent leaf + chain");
    assert_eq!(recorder.last_error(), None);
}

#[test]
fn ecdsa_p256_chain_verified() {
    check_chain("ec256-leaf", "ec256-leaf", &["ec256-int"], "ec256-root", "ec256.test");
}

#[test]
fn ecdsa_p384_chain_verified() {
    check_chain("ec384-leaf", "ec384-leaf", &["ec384-int"], "ec384-root", "ec384.test");
}

#[test]
fn rsa2048_chain_verified() {
    check_chain("rsa2048-leaf", "rsa2048-leaf", &["rsa2048-int"], "rsa2048-root", "rsa2048.test");
}

/// RSA-4096 root, ECDSA intermediate and leaf; and P-384/P-256 mixed with SHA-256/384.
#[test]
fn mixed_chains_verified() {
    check_chain("mixed-leaf", "ec256-leaf", &["mixed-int"], "rsa4096-root", "mixed.test");
    check_chain("mix-leaf", "ec384-leaf", &["mix-int"], "ec384-root", "mix.test");
}

#[test]
fn two_intermediates_verified() {
    check_chain("two-leaf", "ec256-leaf", &["two-int2", "two-int1"], "ec256-root", "two.test");
}

/// Intermediates in reverse order, one duplicated, plus an unrelated CA and a
/// decoy with the intermediate's name but another key: still verified, and
/// the recorder shows exactly what was sent, in that order.
#[test]
fn out_of_order_duplicate_and_extra_intermediates() {
    let chain = ["two-int1", "ec384-int", "dup-int-wrongkey", "two-int2", "two-int1"];
    let server = OpensslServer::start_x509("two-leaf", "ec256-leaf", &chain);
    let v = ca(&["ec256-root"]);
    let recorder = ChainRecorder::new(&v);
    let s = connect(&server, &recorder, "two.test", Some(NOW)).expect("verified despite the order and extras");
    assert_verified(&s);
    let subjects = sent_subjects(&recorder);
    assert_eq!(subjects.len(), 6, "{subjects:?}");
    assert!(subjects[0].contains("two.test") && subjects[1].contains("Two Intermediate 1"), "{subjects:?}");
    assert!(subjects[2].contains("EC384 Intermediate") && subjects[4].contains("Two Intermediate 2"), "{subjects:?}");
}

/// The wrong root: unknown_ca, the message names the missing issuer and says
/// to add its root; the recorder still shows the chain after the failure.
#[test]
fn wrong_root_is_unknown_ca() {
    let server = OpensslServer::start_x509("ec256-leaf", "ec256-leaf", &["ec256-int"]);
    let v = ca(&["ec384-root", "rsa2048-root"]);
    let recorder = ChainRecorder::new(&v);
    let err = connect(&server, &recorder, "ec256.test", Some(NOW)).expect_err("wrong root must fail");
    assert_msg(&err, &["server certificate refused", "EC256 Root", "add its root", "--ca", "2 anchor(s)"]);
    let c = cert_error(err, AlertDescription::UnknownCa);
    assert!(matches!(&c, CertError::UnknownIssuer { anchors: 2, .. }), "{c:?}");
    assert_server_got_alert(&server, AlertDescription::UnknownCa);
    // What the server sent stays visible after the failure.
    let chain = recorder.last_chain().expect("chain recorded on failure");
    assert_eq!(chain.certs.len(), 2);
    assert!(chain.certs[0].subject.contains("ec256.test") && chain.certs[1].subject.contains("EC256 Intermediate"));
    assert_eq!(chain.leaf_pin().map(|p| p.to_string()), Some(openssl_pin("ec256-leaf")));
    assert_eq!(recorder.last_error(), Some(c));
    // The summary's Display is what `--show-chain` prints.
    assert_msg(&chain, &["EC256 Intermediate", "sha256/", "ECDSA P-256"]);
}

/// A self-signed server certificate that is not an anchor: the message says
/// to add it as an anchor or pin it.
#[test]
fn self_signed_server_not_trusted_then_trusted() {
    let server = OpensslServer::start_x509("selfsigned", "selfsigned", &[]);
    let err = connect(&server, &ca(&["ec256-root"]), "selfsigned.test", Some(NOW)).expect_err("not an anchor");
    assert_msg(&err, &["self-signed", "selfsigned.test", "trust anchor", "--pin"]);
    assert!(matches!(cert_error(err, AlertDescription::UnknownCa), CertError::UnknownIssuer { .. }));
    // Configured as an anchor it is accepted, by DNS name and by IP SAN.
    assert_verified(&connect(&server, &ca(&["selfsigned"]), "selfsigned.test", Some(NOW)).unwrap());
    assert_verified(&connect(&server, &ca(&["selfsigned"]), "192.168.1.10", Some(NOW)).unwrap());
}

/// A name the certificate does not have: bad_certificate, and the message
/// lists the names it has. Its IP SAN works with an IP server name.
#[test]
fn wrong_name_lists_the_certificates_names() {
    let server = OpensslServer::start_x509("ec256-leaf", "ec256-leaf", &["ec256-int"]);
    let v = ca(&["ec256-root"]);
    let err = connect(&server, &v, "other.test", Some(NOW)).expect_err("wrong name must fail");
    assert_msg(&err, &["\"other.test\"", "ec256.test", "*.wild.test", "127.0.0.1", "connect using one of those names"]);
    let c = cert_error(err, AlertDescription::BadCertificate);
    assert!(matches!(&c, CertError::NameMismatch { expected, .. } if expected == "other.test"), "{c:?}");
    assert_server_got_alert(&server, AlertDescription::BadCertificate);

    let err = connect(&server, &v, "10.9.9.9", Some(NOW)).expect_err("wrong IP must fail");
    assert_msg(&err, &["\"10.9.9.9\"", "127.0.0.1"]);
    assert!(matches!(cert_error(err, AlertDescription::BadCertificate), CertError::NameMismatch { .. }));

    assert_verified(&connect(&server, &v, "127.0.0.1", Some(NOW)).expect("IP SAN 127.0.0.1"));
    assert_verified(&connect(&server, &v, "EC256.TEST", Some(NOW)).expect("case-insensitive"));
    assert_verified(&connect(&server, &v, "a.wild.test", Some(NOW)).expect("wildcard"));
}

/// An expired leaf at the fixed time 2030-01-01: certificate_expired, and the
/// message gives the window and the time used. A leaf valid only from 2040 is
/// "not valid yet" and blames the clock.
#[test]
fn expired_and_future_leaf() {
    let server = OpensslServer::start_x509("expired-leaf", "misc-leaf", &["ec256-int"]);
    let v = ca(&["ec256-root"]);
    let err = connect(&server, &v, "ec256.test", Some(NOW)).expect_err("expired leaf must fail");
    assert_msg(&err, &["expired.ec256.test", "expired", "2020-01-01", "2021-01-01", "2030-01-01", "renew"]);
    let c = cert_error(err, AlertDescription::CertificateExpired);
    assert!(matches!(&c, CertError::Expired { now, .. } if *now == NOW.0), "{c:?}");
    assert_server_got_alert(&server, AlertDescription::CertificateExpired);
    // At 2020-06-01, inside the leaf's window, the intermediate (valid from 2025) is the one refused.
    // (Rfc5280 profile: this vector's CN is not one of its SAN entries, which the strict profile refuses first.)
    let relaxed = ca(&["ec256-root"]).profile(Profile::Rfc5280);
    let err = connect(&server, &relaxed, "ec256.test", Some(UnixTime(1_590_969_600)))
        .expect_err("intermediate not valid yet");
    assert_msg(&err, &["EC256 Intermediate", "not valid yet", "2025-01-01", "2020-06-01"]);

    let server = OpensslServer::start_x509("future-leaf", "misc-leaf", &["ec256-int"]);
    let err = connect(&server, &v, "ec256.test", Some(NOW)).expect_err("future leaf must fail");
    assert_msg(&err, &["future.ec256.test", "not valid yet", "2040-01-01", "2030-01-01", "clock"]);
    assert!(matches!(cert_error(err, AlertDescription::CertificateExpired), CertError::NotYetValid { .. }));
}

/// No clock: `CaVerifier` refuses and says to pass a time or choose
/// `skip_time_checks()`; with `skip_time_checks()` the chain is verified
/// (and an expired leaf is then accepted, as documented).
#[test]
fn no_clock_needs_a_time_or_skip_time_checks() {
    let server = OpensslServer::start_x509("ec256-leaf", "ec256-leaf", &["ec256-int"]);
    let err = connect(&server, &ca(&["ec256-root"]), "ec256.test", None).expect_err("no clock must fail");
    assert_msg(&err, &["no current time", "pass the time", "skip_time_checks()"]);
    assert_eq!(cert_error(err, AlertDescription::CertificateUnknown), CertError::NoClock);
    assert_server_got_alert(&server, AlertDescription::CertificateUnknown);

    let skip = ca(&["ec256-root"]).skip_time_checks();
    assert_verified(&connect(&server, &skip, "ec256.test", None).expect("skip_time_checks with no clock"));
    // Everything but the dates is still checked.
    let err = connect(&server, &skip, "other.test", None).expect_err("the name is still checked");
    assert!(matches!(cert_error(err, AlertDescription::BadCertificate), CertError::NameMismatch { .. }));

    // (Rfc5280 profile: this vector's CN is not one of its SAN entries, a strict-profile rule.)
    let expired = OpensslServer::start_x509("expired-leaf", "misc-leaf", &["ec256-int"]);
    let skip = skip.profile(Profile::Rfc5280);
    assert_verified(&connect(&expired, &skip, "ec256.test", None).expect("dates are not checked"));
}

/// Pins: the leaf's SPKI pin (no chain check, no clock needed), a wrong pin
/// (unknown_ca, the message gives the server's pin), and pins of the
/// intermediate or of a root the server sends (the chain below is verified,
/// name and dates included).
#[test]
fn pins() {
    let server = OpensslServer::start_x509("ec256-leaf", "ec256-leaf", &["ec256-int", "ec256-root"]);
    let leaf = [Pin::parse(&openssl_pin("ec256-leaf")).unwrap()];
    assert_verified(&connect(&server, &PinVerifier::new(&leaf), "anything.test", None).expect("leaf pin"));

    let wrong = [Pin::parse(&openssl_pin("ec384-leaf")).unwrap(), Pin::parse(&openssl_pin("rsa2048-root")).unwrap()];
    let err = connect(&server, &PinVerifier::new(&wrong), "ec256.test", Some(NOW)).expect_err("wrong pins");
    assert_msg(&err, &["none of the 2 configured pin(s)", &openssl_pin("ec256-leaf"), "add the new pin"]);
    assert!(matches!(cert_error(err, AlertDescription::UnknownCa), CertError::PinMismatch { configured: 2, .. }));
    assert_server_got_alert(&server, AlertDescription::UnknownCa);

    for ca_name in ["ec256-int", "ec256-root"] {
        let pins = [Pin::parse(&openssl_pin(ca_name)).unwrap()];
        let v = PinVerifier::new(&pins);
        assert_verified(&connect(&server, &v, "ec256.test", Some(NOW)).unwrap_or_else(|e| panic!("{ca_name}: {e}")));
        // The chain to the pinned CA is checked: the name ...
        let err = connect(&server, &v, "other.test", Some(NOW)).expect_err("CA pin checks the name");
        assert!(matches!(cert_error(err, AlertDescription::BadCertificate), CertError::NameMismatch { .. }));
        // ... and the dates (so a clock is needed, unless skipped).
        let err = connect(&server, &v, "ec256.test", None).expect_err("CA pin needs a time");
        assert_eq!(cert_error(err, AlertDescription::CertificateUnknown), CertError::NoClock);
        let skip = PinVerifier::new(&pins).skip_time_checks();
        assert_verified(&connect(&server, &skip, "ec256.test", None).expect("CA pin, no time check"));
    }
}

/// Trust on first use: NOT verified the first time, hands back the leaf's pin
/// (the one openssl computes) and the chain; the pin then verifies the
/// server on a second connection, and another server is refused with it.
#[test]
fn trust_on_first_use_then_pin() {
    let server = OpensslServer::start_x509("rsa2048-leaf", "rsa2048-leaf", &["rsa2048-int"]);
    let first = TrustOnFirstUse::record();
    let s = connect(&server, &first, "rsa2048.test", None).expect("first use accepts");
    assert_eq!(s.trust, Trust::NotVerified);
    assert!(!s.verified);
    let seen = first.recorded().expect("first use recorded");
    assert_eq!(seen.pin.to_string(), openssl_pin("rsa2048-leaf"));
    assert_eq!(seen.chain.certs.len(), 2);
    assert!(seen.chain.certs[1].subject.contains("RSA2048 Intermediate"), "{:?}", seen.chain.certs[1]);

    let stored = seen.pin.to_string();
    let pins = [Pin::parse(&stored).unwrap()];
    let later = PinVerifier::new(&pins);
    assert_verified(&connect(&server, &later, "rsa2048.test", None).expect("stored pin verifies"));

    let other = OpensslServer::start_x509("ec256-leaf", "ec256-leaf", &["ec256-int"]);
    let err = connect(&other, &later, "rsa2048.test", None).expect_err("another server is refused");
    assert!(matches!(cert_error(err, AlertDescription::UnknownCa), CertError::PinMismatch { .. }));
}

/// The `client` example end to end (built once by cargo): `--ca` gives
/// `verified=yes`, `--show-chain` prints subjects and `sha256/` pins,
/// `--trust-on-first-use` prints the `--pin` to store, and a wrong root fails
/// with the engine's message and exit code 1. With this binary's provider
/// (`--provider`; the summary line ends in `provider=ring` with ring).
#[test]
fn client_example_end_to_end() {
    let server = OpensslServer::start_x509("ec256-leaf", "ec256-leaf", &["ec256-int"]);
    let addr = format!("127.0.0.1:{}", server.port);
    let root = x509_file("ec256-root.pem").display().to_string();
    let other_root = x509_file("ec384-root.pem").display().to_string();
    let get = "GET / HTTP/1.0\r\n\r\n";
    let base = ["--server-name", "ec256.test", "--request", get, "--provider", common::provider::NAME];

    // The first run may build the example.
    let run =
        run_example("client", &[&base[..], &["--ca", &root, "--show-chain", &addr]].concat(), Duration::from_secs(300));
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stderr.contains("verified=yes"), "{run:?}");
    assert_eq!(run.stderr.contains("provider=ring"), common::provider::WITH_RING, "{run:?}");
    assert!(run.stdout.starts_with("HTTP/1.0 200 ok"), "{run:?}");
    for needle in
        ["subject: CN=ec256.test", "EC256 Intermediate", &openssl_pin("ec256-leaf"), &openssl_pin("ec256-int")]
    {
        assert!(run.stderr.contains(needle), "--show-chain lacks {needle:?}: {}", run.stderr);
    }

    let run = run_example("client", &[&base[..], &["--trust-on-first-use", &addr]].concat(), Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stderr.contains("verified=no"), "{run:?}");
    let hint = format!("--pin {}", openssl_pin("ec256-leaf"));
    assert!(run.stderr.contains(&hint), "no {hint:?} in {}", run.stderr);

    let run = run_example("client", &[&base[..], &["--ca", &other_root, &addr]].concat(), Duration::from_secs(60));
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("embertls: error: server certificate refused"), "{run:?}");
    assert!(run.stderr.contains("EC256 Root") && run.stderr.contains("add its root"), "{run:?}");
}
