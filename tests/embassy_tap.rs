//! embassy-net end to end (issue 17 item 1): `examples/embassy_tap.rs` runs
//! `AsyncTlsStream` over an embassy-net `TcpSocket` on a Linux TAP device,
//! against `openssl s_server` and mosquitto listening on the kernel's side of
//! that TAP link, with 4 KiB records (max_fragment_length) both ways.
//!
//! Each test makes its own network namespace (`embertls-tap-PID-N`), with a
//! TAP device `tap0` at 10.88.0.1/24 (the servers) for embassy-net at
//! 10.88.0.2; nothing leaves the namespace (it has no other link), and it is
//! deleted when the test ends, passed or failed. The servers and the example
//! run inside it through `ip netns exec`.
//!
//! Needs root, `ip` (iproute2) and /dev/net/tun. Without them the tests fail
//! and say why; outside CI (`CI` not `true`), `EMBERTLS_SKIP_TAP=1` turns
//! that failure into a printed skip for developers without root.
//!
//! The example binary is built by the test (`common::peer::example_binary`:
//! `cargo build --example embassy_tap` with this test's features, so it is
//! never stale and shares the library build).
//!
//! A test binary of its own (not a module of `suite`, issue 15 item 5): it
//! needs root and builds the embassy_tap example, and `bash tests/run.sh
//! --test embassy_tap` runs it alone where root is at hand.
#![cfg(all(target_os = "linux", feature = "embedded-io-async", feature = "alloc"))]

mod common;

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::mosquitto::{Broker, PUB_ID, PUB_KEY};
use common::peer::{command_in, example_binary, peer_file, CertKind, OpensslServer, Proc};

/// The kernel's side of the TAP link, where the servers listen.
const HOST: &str = "10.88.0.1";
/// embassy-net's side.
const DEVICE_IP: &str = "10.88.0.2/24";
/// The TAP device's name inside each namespace.
const TAP: &str = "tap0";
/// The namespace name prefix; the test's process id and a counter follow.
const PREFIX: &str = "embertls-tap-";
/// The longest the example's build may take (a first build on two cores).
const BUILD_WITHIN: Duration = Duration::from_secs(900);

// ---------------------------------------------------------------------------
// The network namespace
// ---------------------------------------------------------------------------

/// Why this machine cannot run the test, if it cannot.
fn missing_preconditions() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let euid = status.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|u| u.split_whitespace().nth(1));
    if euid != Some("0") {
        return Some("must run as root (it creates a network namespace and a TAP device)".into());
    }
    if Command::new("ip").arg("-V").output().is_err() {
        return Some("`ip` is not installed (apt-get install -y iproute2)".into());
    }
    if !std::path::Path::new("/dev/net/tun").exists() {
        return Some("/dev/net/tun is missing (no TUN/TAP support in this kernel or container)".into());
    }
    None
}

/// A fresh namespace, or `None` when the test is skipped (see the module doc).
fn namespace() -> Option<Netns> {
    if let Some(why) = missing_preconditions() {
        let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
        if !in_ci && std::env::var_os("EMBERTLS_SKIP_TAP").is_some() {
            eprintln!("SKIPPED (EMBERTLS_SKIP_TAP is set): the embassy-net TAP test {why}");
            return None;
        }
        panic!("the embassy-net TAP test {why}; outside CI, EMBERTLS_SKIP_TAP=1 skips it");
    }
    // Built first, so that no server or subscriber times out during the build.
    example_binary("embassy_tap", BUILD_WITHIN);
    Some(Netns::create())
}

/// A network namespace with the TAP link up, deleted on drop.
struct Netns {
    name: String,
}

/// Runs `ip ARGS`, panicking with its error output if it fails.
fn ip(args: &[&str]) -> String {
    let out = Command::new("ip").args(args).output().unwrap_or_else(|e| panic!("ip {}: {e}", args.join(" ")));
    assert!(out.status.success(), "ip {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Netns {
    fn create() -> Netns {
        static SEQ: AtomicUsize = AtomicUsize::new(0);
        remove_stale_namespaces();
        let name = format!("{PREFIX}{}-{}", std::process::id(), SEQ.fetch_add(1, Ordering::Relaxed));
        ip(&["netns", "add", &name]);
        let ns = Netns { name }; // deleted on drop from here on, even if a step below fails
        let host = format!("{HOST}/24");
        for step in [
            &["link", "set", "lo", "up"][..],
            &["tuntap", "add", "dev", TAP, "mode", "tap"],
            &["addr", "add", &host, "dev", TAP],
            &["link", "set", TAP, "up"],
        ] {
            ip(&[&["-n", ns.name.as_str()][..], step].concat());
        }
        ns
    }

    /// Runs the example inside the namespace with `args` after its TAP and
    /// address options; waits (at most 30 s) for it to exit.
    fn run_example(&self, args: &[&str]) -> Run {
        let exe = example_binary("embassy_tap", BUILD_WITHIN);
        let started = Instant::now();
        let proc =
            Proc::spawn_split(command_in(Some(&self.name), exe).args(["--tap", TAP, "--ip", DEVICE_IP]).args(args));
        assert!(proc.wait_exit(Duration::from_secs(30)), "the example did not finish within 30 s:\n{}", proc.output());
        let ok = proc.exit_status().is_some_and(|s| s.success());
        Run { ok, stdout: proc.stdout(), output: proc.output(), took: started.elapsed() }
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        // The servers were killed by their own drops; anything left is ours.
        kill_pids_in(&self.name);
        let out = Command::new("ip").args(["netns", "delete", &self.name]).output();
        if !out.as_ref().is_ok_and(|o| o.status.success()) {
            eprintln!("warning: could not delete network namespace {}: {out:?}", self.name);
        }
    }
}

/// Kills (by id) the processes left in namespace `name`: only this test's
/// children ever run there.
fn kill_pids_in(name: &str) {
    let Ok(out) = Command::new("ip").args(["netns", "pids", name]).output() else { return };
    for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
        let _ = Command::new("kill").args(["-9", pid]).status();
    }
}

/// Deletes namespaces an earlier run of this test left behind when it was
/// killed (named after a process id that no longer exists).
fn remove_stale_namespaces() {
    let Ok(out) = Command::new("ip").args(["netns", "list"]).output() else { return };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Some(name) = line.split_whitespace().next() else { continue };
        let Some(pid) = name.strip_prefix(PREFIX).and_then(|rest| rest.split('-').next()) else { continue };
        if !std::path::Path::new("/proc").join(pid).exists() {
            kill_pids_in(name);
            let _ = Command::new("ip").args(["netns", "delete", name]).status();
        }
    }
}

// ---------------------------------------------------------------------------
// The example
// ---------------------------------------------------------------------------

/// What one run of the example did.
struct Run {
    ok: bool,
    stdout: String,
    /// Standard output, then standard error.
    output: String,
    took: Duration,
}

/// The CA certificate of a `vectors/peer/` server identity.
fn ca_file(kind: CertKind) -> String {
    peer_file(if kind == CertKind::Ecdsa { "ecdsa-ca.pem" } else { "rsa-ca.pem" }).display().to_string()
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

/// HTTPS GET to `openssl s_server -www`, the server verified with its CA:
/// a 6 KB request (OpenSSL refuses any record over the negotiated 4 KiB, so
/// the answer proves the client cut its writes) and a response of more than
/// one record. Then the same server with the wrong CA and the wrong name:
/// both must fail with the verifier's reason.
#[test]
fn https_to_openssl_over_embassy_net_verified_by_ca() {
    let Some(ns) = namespace() else { return };
    let (cert, key) = (CertKind::Ecdsa.cert_path(), CertKind::Ecdsa.key_path());
    let server = OpensslServer::start_in_netns(
        &ns.name,
        HOST,
        4433,
        &["-cert", &cert.display().to_string(), "-key", &key.display().to_string(), "-www"],
    );
    let addr = format!("{HOST}:4433");
    let ca = ca_file(CertKind::Ecdsa);
    let path = format!("/{}", "a".repeat(6000));

    let run = ns.run_example(&[&addr, "--ca", &ca, "https", "--path", &path]);
    assert!(run.ok, "the example failed:\n{}\n--- server ---\n{}", run.output, server.log());
    assert!(run.stdout.starts_with("HTTP/1.0 200 ok"), "{}", run.output);
    assert!(run.output.contains("trust=Verified max_fragment=Some(4096)"), "{}", run.output);
    assert!(run.stdout.len() > 4096, "the response fits one record; make it longer:\n{}", run.output);
    eprintln!("https over embassy-net: {} ms", run.took.as_millis());

    let wrong_ca = ca_file(CertKind::Rsa);
    let run = ns.run_example(&[&addr, "--ca", &wrong_ca, "https"]);
    assert!(!run.ok && run.output.contains("no trust anchor matched issuer"), "{}", run.output);

    let run = ns.run_example(&[&addr, "--ca", &ca, "--name", "device.example", "https"]);
    assert!(!run.ok && run.output.contains("device.example"), "{}", run.output);
}

/// A broker with a PSK and a certificate listener, a subscriber on the PSK
/// one, and the example publishing a 5 KB message (more than one 4 KiB
/// record) over the PSK listener (`psk`) or, verifying the broker's
/// certificate with its CA, over the certificate listener.
fn publish_through_mosquitto(psk: bool) {
    let Some(ns) = namespace() else { return };
    let broker = Broker::start_in_netns(&ns.name, HOST, 8883, 8884, CertKind::Ecdsa);
    let topic = if psk { "embassy/psk" } else { "embassy/ca" };
    let message = format!("{topic} over embassy-net {}", "m".repeat(5000));
    let sub = broker.subscribe(topic);
    let ca = ca_file(CertKind::Ecdsa);
    let (addr, trust, expect) = if psk {
        (broker.addr(), vec!["--psk-identity", PUB_ID, "--psk", PUB_KEY], "trust=PreSharedKey max_fragment=Some(4096)")
    } else {
        let port = broker.cert_port.expect("a certificate listener");
        (format!("{HOST}:{port}"), vec!["--ca", ca.as_str()], "trust=Verified max_fragment=Some(4096)")
    };
    let job = ["mqtt", "--topic", topic, "--message", message.as_str()];
    let run = ns.run_example(&[&[addr.as_str()][..], &trust, &job].concat());
    assert!(run.ok, "the example failed:\n{}\n--- broker ---\n{}", run.output, broker.proc.output());
    assert!(run.output.contains(expect), "{}", run.output);
    assert!(sub.wait_exit(Duration::from_secs(10)), "the subscriber got nothing\n{}", sub.output());
    assert_eq!(sub.stdout().trim_end(), message, "{}", sub.output());
    let log = broker.proc.output();
    assert!(log.contains("New connection from 10.88.0.2"), "{log}");
    if psk {
        assert!(log.contains(&format!("as embertls-embassy (p2, c1, k60, u'{PUB_ID}')")), "{log}");
    }
    eprintln!("MQTT ({}) over embassy-net: {} ms", if psk { "PSK" } else { "CA" }, run.took.as_millis());
}

#[test]
fn mqtt_psk_to_mosquitto_over_embassy_net() {
    publish_through_mosquitto(true);
}

#[test]
fn mqtt_to_mosquitto_over_embassy_net_verified_by_ca() {
    publish_through_mosquitto(false);
}
