//! The offline `verify` example (issue 8): each outcome through the real
//! binary (`cargo run --example verify`, built once): exit 0 with the
//! verified path, exit 1 with exactly the message the engine gives for a
//! refused chain, exit 2 for unusable input. Also runs the `deadline` example
//! against a server that never answers.

use crate::common;

use std::time::Duration;

use common::peer::{run_example, x509_file, ExampleRun, TempFile};
use embertls::x509::{CaVerifier, TrustAnchors};
use embertls::{CertificateChain, Error, ServerName, ServerVerifier, UnixTime};

/// Generous: the first run may build the example (and wait for cargo's lock).
const WITHIN: Duration = Duration::from_secs(300);

fn f(name: &str) -> String {
    x509_file(name).display().to_string()
}

fn verify(args: &[&str]) -> ExampleRun {
    run_example("verify", args, WITHIN)
}

fn assert_exit(run: &ExampleRun, code: i32) {
    assert_eq!(run.code, Some(code), "{run:#?}");
}

/// Leaf + intermediate in one file ("LEAF_OR_CHAIN.pem").
fn ec256_chain_file() -> TempFile {
    TempFile::concat("ec256-chain.pem", &[x509_file("ec256-leaf.pem"), x509_file("ec256-int.pem")])
}

const T2030: &str = "2030-01-01T00:00:00Z";
const EC256_PATH: &str =
    "verified: CN=ec256.test -> O=embertls tests,CN=EC256 Intermediate -> O=embertls tests,CN=EC256 Root";

/// The message the engine itself gives for this chain (same verifier, in
/// process): the tool must print exactly this after `embertls: error: `.
fn engine_message(roots: &[&str], chain: &[&str], name: &str, now: Option<UnixTime>) -> String {
    let mut anchors = TrustAnchors::new();
    for r in roots {
        anchors.add_der(&std::fs::read(x509_file(&format!("{r}.der"))).unwrap()).unwrap();
    }
    let mut list = Vec::new();
    for c in chain {
        let der = std::fs::read(x509_file(&format!("{c}.der"))).unwrap();
        list.extend_from_slice(&(der.len() as u32).to_be_bytes()[1..]);
        list.extend_from_slice(&der);
        list.extend_from_slice(&[0, 0]);
    }
    let chain = CertificateChain::from_tls13_list(&list).unwrap();
    let e = CaVerifier::new(anchors).verify_server(&chain, &ServerName::parse(name), now).unwrap_err();
    Error::from(e).to_string()
}

#[test]
fn verified_outcomes_exit_0() {
    let chain = ec256_chain_file();
    // Leaf and chain in one file.
    let run = verify(&["--ca", &f("ec256-root.pem"), "--name", "ec256.test", "--time", T2030, &chain.arg()]);
    assert_exit(&run, 0);
    assert_eq!(run.stdout.trim(), EC256_PATH);

    // Leaf alone plus --intermediates; an IP name; an offset time.
    let run = verify(&[
        "--ca",
        &f("ec256-root.pem"),
        "--intermediates",
        &f("ec256-int.pem"),
        "--ip",
        "::1",
        "--time",
        "2030-01-01T02:00:00+02:00",
        &f("ec256-leaf.pem"),
    ]);
    assert_exit(&run, 0);
    assert_eq!(run.stdout.trim(), EC256_PATH);

    // Two intermediates out of order with an unrelated extra, several roots in
    // one file: the path shows only what the chain needs, in order.
    let messy = TempFile::concat(
        "messy.pem",
        &[x509_file("two-int1.pem"), x509_file("ec384-int.pem"), x509_file("two-int2.pem")],
    );
    let run = verify(&[
        "--ca",
        &f("roots-bundle.pem"),
        "--intermediates",
        &messy.arg(),
        "--name",
        "two.test",
        "--time",
        T2030,
        &f("two-leaf.pem"),
    ]);
    assert_exit(&run, 0);
    assert_eq!(
        run.stdout.trim(),
        "verified: CN=two.test -> CN=Two Intermediate 2 -> CN=Two Intermediate 1 -> O=embertls tests,CN=EC256 Root"
    );

    // Cross-signed: two roots configured, the intermediate sent is B's.
    let run = verify(&[
        "--ca",
        &f("xroot-a.pem"),
        "--ca",
        &f("xroot-b.der"),
        "--intermediates",
        &f("xint-by-b.pem"),
        "--name",
        "cross.test",
        "--time",
        T2030,
        &f("xleaf.pem"),
    ]);
    assert_exit(&run, 0);
    assert_eq!(run.stdout.trim(), "verified: CN=cross.test -> CN=Cross Intermediate -> CN=Cross Root B");

    // A self-signed server certificate given as its own anchor, DER input.
    let run = verify(&["--ca", &f("selfsigned.pem"), "--ip", "192.168.1.10", "--time", T2030, &f("selfsigned.der")]);
    assert_exit(&run, 0);
    assert_eq!(run.stdout.trim(), "verified: CN=selfsigned.test -> CN=selfsigned.test");
}

#[test]
fn show_chain_prints_summary_and_pins() {
    let chain = ec256_chain_file();
    let run =
        verify(&["--ca", &f("ec256-root.pem"), "--name", "ec256.test", "--time", T2030, "--show-chain", &chain.arg()]);
    assert_exit(&run, 0);
    for needle in [
        "#0 subject: CN=ec256.test",
        "#1 subject: O=embertls tests,CN=EC256 Intermediate",
        "names:   DNS:ec256.test",
        EC256_PATH,
    ] {
        assert!(run.stdout.contains(needle), "stdout lacks {needle:?}:\n{}", run.stdout);
    }
    for pin in ["ec256-leaf.pin", "ec256-int.pin"] {
        let pin = std::fs::read_to_string(x509_file(pin)).unwrap();
        assert!(run.stdout.contains(pin.trim()), "stdout lacks {pin}:\n{}", run.stdout);
    }
    // Also printed when verification fails.
    let run =
        verify(&["--ca", &f("ec384-root.pem"), "--name", "ec256.test", "--time", T2030, "--show-chain", &chain.arg()]);
    assert_exit(&run, 1);
    assert!(run.stdout.contains("#1 subject: O=embertls tests,CN=EC256 Intermediate"), "{run:#?}");
}

/// RFC 3339 offsets are applied with the right sign: 23:30 at -01:00 is
/// 00:30Z on 2025-01-01 (the certificates' first day), 23:30Z is the day before.
#[test]
fn time_zone_offsets() {
    let chain = ec256_chain_file();
    let at = |t: &str| verify(&["--ca", &f("ec256-root.pem"), "--name", "ec256.test", "--time", t, &chain.arg()]);
    assert_exit(&at("2024-12-31T23:30:00-01:00"), 0);
    assert_exit(&at("2025-01-01T00:30:00.123+00:30"), 0);
    let run = at("2024-12-31T23:30:00Z");
    assert_exit(&run, 1);
    assert!(run.stderr.contains("not valid yet") && run.stderr.contains("2024-12-31T23:30:00Z"), "{run:#?}");
    let run = at("2025-01-01T00:30:00+01:00");
    assert_exit(&run, 1);
    assert!(run.stderr.contains("2024-12-31T23:30:00Z"), "{run:#?}");
}

#[test]
fn refused_outcomes_exit_1_with_the_engines_message() {
    let chain = ec256_chain_file();
    /// (roots, server name, --time, the same time in seconds, words the message must hold)
    type Case<'a> = (&'a [&'a str], &'a str, &'a str, Option<UnixTime>, &'a [&'a str]);
    let cases: [Case<'_>; 4] = [
        // Wrong root.
        (&["ec384-root"], "ec256.test", T2030, Some(UnixTime(1_893_456_000)), &["EC256 Root", "add its root"]),
        // Wrong name.
        (&["ec256-root"], "other.test", T2030, Some(UnixTime(1_893_456_000)), &["\"other.test\"", "*.wild.test"]),
        // Not yet valid (2021-06-01).
        (&["ec256-root"], "ec256.test", "2021-06-01T00:00:00Z", Some(UnixTime(1_622_505_600)), &["not valid yet"]),
        // Long after expiry (2046-01-01).
        (
            &["ec256-root"],
            "ec256.test",
            "2046-01-01T00:00:00Z",
            Some(UnixTime(2_398_377_600)),
            &["expired", "2045-01-01"],
        ),
    ];
    for (roots, name, time, now, needles) in cases {
        let ca = f(&format!("{}.pem", roots[0]));
        let run = verify(&["--ca", &ca, "--name", name, "--time", time, &chain.arg()]);
        assert_exit(&run, 1);
        let expected = engine_message(roots, &["ec256-leaf", "ec256-int"], name, now);
        assert_eq!(run.stderr.trim(), format!("embertls: error: {expected}"), "{roots:?} {name} {time}");
        for n in needles {
            assert!(run.stderr.contains(n), "{n:?} not in {}", run.stderr);
        }
        assert!(run.stdout.is_empty(), "{run:#?}");
    }

    // An expired leaf with a fixed time; accepted with --no-time-check.
    let expired = TempFile::concat("expired.pem", &[x509_file("expired-leaf.pem"), x509_file("ec256-int.pem")]);
    let run = verify(&["--ca", &f("ec256-root.pem"), "--name", "ec256.test", "--time", T2030, &expired.arg()]);
    assert_exit(&run, 1);
    for n in ["expired.ec256.test", "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z", "2030-01-01T00:00:00Z", "renew"] {
        assert!(run.stderr.contains(n), "{n:?} not in {}", run.stderr);
    }
    // Without dates, the strict profile still refuses this vector (its CN is not a SAN entry) and
    // names the relaxed profile; `--profile rfc5280` accepts it (issue #16).
    let run = verify(&["--ca", &f("ec256-root.pem"), "--name", "ec256.test", "--no-time-check", &expired.arg()]);
    assert_exit(&run, 1);
    assert!(run.stderr.contains("CommonNameNotInSan") && run.stderr.contains("--profile rfc5280"), "{run:#?}");
    let run = verify(&[
        "--ca",
        &f("ec256-root.pem"),
        "--name",
        "ec256.test",
        "--no-time-check",
        "--profile",
        "rfc5280",
        &expired.arg(),
    ]);
    assert_exit(&run, 0);

    // Missing intermediate.
    let run = verify(&["--ca", &f("ec256-root.pem"), "--name", "ec256.test", "--time", T2030, &f("ec256-leaf.pem")]);
    assert_exit(&run, 1);
    assert!(run.stderr.contains("EC256 Intermediate") && run.stderr.contains("--ca FILE"), "{run:#?}");
}

#[test]
fn unusable_input_exits_2() {
    let chain = ec256_chain_file();
    let garbage_der = TempFile::with_contents("garbage.der", &[0x30, 0x03, 0x02, 0x01, 0x05]);
    let root = f("ec256-root.pem");
    let readme = f("README.md");
    let c = chain.arg();
    let g = garbage_der.arg();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--ca", "/nonexistent/root.pem", "--name", "a", &c], "cannot read"),
        (vec!["--ca", &root, "--name", "a", "/nonexistent/chain.pem"], "cannot read"),
        (vec!["--ca", &readme, "--name", "a", &c], "not a PEM or DER"),
        (vec!["--ca", &root, "--name", "a", &readme], "not a PEM or DER"),
        (vec!["--ca", &root, "--name", "a", &g], "not a valid X.509 certificate"),
        (vec!["--ca", &g, "--name", "a", &c], "trust anchor #0 could not be used"),
        (vec!["--ca", &root, "--name", "a", "--time", "2030-13-01T00:00:00Z", &c], "month"),
        (vec!["--ca", &root, "--name", "a", "--time", "2030-02-30T00:00:00Z", &c], "no such day"),
        (vec!["--ca", &root, "--name", "a", "--time", "2030-01-01T00:00:00", &c], "time zone"),
        (vec!["--ca", &root, "--name", "a", "--time", "2030-01-01", &c], "RFC 3339"),
        (vec!["--ca", &root, "--name", "a", "--time", "1969-12-31T23:59:59Z", &c], "before 1970"),
        (vec!["--ca", &root, "--name", "a", "--time", "2030-01-01T24:00:00Z", &c], "out of range"),
        (vec!["--ca", &root, "--name", "a", "--time", T2030, "--no-time-check", &c], "exclude each other"),
        (vec!["--ca", &root, "--name", "a", "--ip", "127.0.0.1", &c], "exactly one of --name"),
        (vec!["--ca", &root, &c], "exactly one of --name"),
        (vec!["--ca", &root, "--ip", "300.1.1.1", &c], "not an IPv4 or IPv6 address"),
        (vec!["--name", "a", &c], "--ca FILE"),
        (vec!["--ca", &root, "--name", "a"], "no LEAF_OR_CHAIN"),
        (vec!["--ca", &root, "--name", "a", "--bogus", &c], "unknown option --bogus"),
        (vec!["--ca", &root, "--name", "a", "--profile", "lax", &c], "give strict or rfc5280"),
    ];
    for (args, needle) in cases {
        let run = verify(&args);
        assert_exit(&run, 2);
        assert!(run.stderr.starts_with("verify: "), "{args:?}: {run:#?}");
        assert!(run.stderr.contains(needle), "{args:?}: {needle:?} not in {}", run.stderr);
        assert!(!run.stderr.contains("embertls: error"), "unusable input is not a refusal: {run:#?}");
    }
}

/// The `deadline` example against a listener that accepts and never
/// answers: the handshake gives up at the deadline with a message that says so.
#[test]
fn deadline_example_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    // Accept and hold connections without answering, until the test ends.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let started = std::time::Instant::now();
    let run = run_example("deadline", &["--deadline-ms", "700", "--read-timeout-ms", "200", &addr], WITHIN);
    assert_exit(&run, 1);
    assert!(run.stderr.contains("handshake did not finish within 700 ms"), "{run:#?}");
    assert!(started.elapsed() >= Duration::from_millis(700));
}
