//! The Debian mosquitto broker (2.0.11, OpenSSL 3) with a `psk_file`
//! listener: `examples/mqtt_psk.rs` publishes over embertls with an external
//! PSK in TLS 1.3 and a `mosquitto_sub --psk --tls-version tlsv1.3`
//! subscriber receives the message; wrong keys, unknown identities and
//! psk_ke (which mosquitto does not enable) end in `Error::PskRefused`.
//!
//! Needs `mosquitto` and `mosquitto-clients`; without them the tests fail
//! and say how to install them. Every process is killed on drop.
//!
//! The example is compiled into this test as a module (`#[path]`) and its
//! `publish` function is called directly: the test then exercises exactly
//! the example's MQTT code, needs no `cargo run` from inside a test (which
//! would rebuild under another profile and contend for the target lock),
//! and gets typed errors rather than exit codes.

mod common;

#[allow(dead_code)] // the example's `main` and helpers not called here
#[path = "../examples/mqtt_psk.rs"]
mod mqtt_psk;

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::peer::free_port;
use embertls::{AlertDescription, CipherSuite, Error, ExternalPsk, NamedGroup, PskMode, Trust};
use mqtt_psk::{Failure, Publish};

const PUB_ID: &str = "embertls-pub";
const PUB_KEY: &str = "00112233445566778899aabbccddeeff";
const SUB_ID: &str = "mosquitto-sub";
const SUB_KEY: &str = "ffeeddccbbaa99887766554433221100";
const INSTALL: &str = "apt-get install -y mosquitto mosquitto-clients";

/// The path of `bin`: on PATH, else in /usr/sbin (where Debian puts the
/// broker, off a normal user's PATH). Panics with the install command.
fn require(bin: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")])
        .map(|d| d.join(bin))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("`{bin}` is not installed (not on PATH); install it with: {INSTALL}"))
}

/// A child process killed and reaped on drop; its output goes to files.
struct Proc {
    child: Child,
    what: String,
    out: PathBuf,
    err: PathBuf,
}

impl Proc {
    fn spawn(dir: &std::path::Path, name: &str, bin: PathBuf, args: &[&str]) -> Proc {
        let out = dir.join(format!("{name}.out"));
        let err = dir.join(format!("{name}.err"));
        let child = Command::new(&bin)
            .args(args)
            .stdin(Stdio::null())
            .stdout(File::create(&out).expect("create stdout file"))
            .stderr(File::create(&err).expect("create stderr file"))
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()));
        Proc { child, what: format!("{} {}", bin.display(), args.join(" ")), out, err }
    }

    fn stdout(&self) -> String {
        std::fs::read_to_string(&self.out).unwrap_or_default()
    }

    fn output(&self) -> String {
        format!("$ {}\n{}{}", self.what, self.stdout(), std::fs::read_to_string(&self.err).unwrap_or_default())
    }

    /// Waits (bounded) until `cond(output)` or the process exits; true if `cond` held.
    fn wait_for(&mut self, within: Duration, cond: impl Fn(&str) -> bool) -> bool {
        let deadline = Instant::now() + within;
        loop {
            if cond(&self.output()) {
                return true;
            }
            if Instant::now() > deadline || matches!(self.child.try_wait(), Ok(Some(_))) {
                return cond(&self.output());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn wait_exit(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A mosquitto broker with one TLS-PSK listener on a free loopback port.
struct Broker {
    proc: Proc,
    port: u16,
    dir: PathBuf,
}

impl Broker {
    fn start() -> Broker {
        let bin = require("mosquitto");
        require("mosquitto_sub");
        let mut last = String::new();
        for attempt in 0..3 {
            let port = free_port();
            let dir = std::env::temp_dir().join(format!("embertls-mosquitto-{}-{port}-{attempt}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("create broker dir");
            let psk_file = dir.join("psk");
            std::fs::write(&psk_file, format!("{PUB_ID}:{PUB_KEY}\n{SUB_ID}:{SUB_KEY}\n")).expect("psk_file");
            // psk_hint turns TLS-PSK on for the listener; the identity becomes
            // the user name, which is all the authentication needed here.
            let conf = format!(
                "per_listener_settings false\n\
                 listener {port} 127.0.0.1\n\
                 psk_hint embertls-test\n\
                 psk_file {}\n\
                 use_identity_as_username true\n\
                 allow_anonymous false\n\
                 log_dest stderr\n\
                 log_type all\n\
                 user root\n",
                psk_file.display()
            );
            let conf_file = dir.join("mosquitto.conf");
            std::fs::write(&conf_file, conf).expect("mosquitto.conf");
            let mut proc = Proc::spawn(&dir, "broker", bin.clone(), &["-c", &conf_file.display().to_string()]);
            if proc.wait_for(Duration::from_secs(5), |log| log.contains(" running")) {
                return Broker { proc, port, dir };
            }
            last = proc.output();
            drop(proc);
            let _ = std::fs::remove_dir_all(&dir);
        }
        panic!("mosquitto did not start three times; last output:\n{last}");
    }

    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `mosquitto_sub` over TLS 1.3 with its own PSK, waiting for one message
    /// on `topic`; returns once the broker has acknowledged the subscription.
    fn subscribe(&mut self, topic: &str) -> Proc {
        let port = self.port.to_string();
        let args = [
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "--psk",
            SUB_KEY,
            "--psk-identity",
            SUB_ID,
            "--tls-version",
            "tlsv1.3",
            "-t",
            topic,
            "-C",
            "1",
            "-W",
            "10",
        ];
        let sub = Proc::spawn(&self.dir, "sub", require("mosquitto_sub"), &args);
        if !self.proc.wait_for(Duration::from_secs(5), |log| log.contains("Sending SUBACK")) {
            panic!("the subscriber did not subscribe within 5 s\n{}\n{}", sub.output(), self.proc.output());
        }
        sub
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- broker ---\n{}", self.proc.output());
        }
        let _ = self.proc.child.kill();
        let _ = self.proc.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn publish(
    broker: &Broker,
    psk: &ExternalPsk,
    suites: &[CipherSuite],
    topic: &str,
    message: &str,
) -> Result<mqtt_psk::Negotiated, Failure> {
    let addr = broker.addr();
    let p = Publish { addr: &addr, psk, client_id: "embertls-test", topic, message: message.as_bytes(), suites };
    mqtt_psk::publish(&p)
}

#[test]
fn mosquitto_is_installed() {
    require("mosquitto");
    require("mosquitto_sub");
}

/// The example publishes with each SHA-256 suite; the subscriber prints it.
#[test]
fn publish_over_tls13_psk_reaches_the_subscriber() {
    for (suite, name) in
        [(CipherSuite::Tls13Aes128GcmSha256, "aes128"), (CipherSuite::Tls13Chacha20Poly1305Sha256, "chacha20")]
    {
        let mut broker = Broker::start();
        let topic = format!("test/embertls/{name}");
        let message = format!("hello from embertls over {name}");
        let mut sub = broker.subscribe(&topic);
        let psk = ExternalPsk::from_hex(PUB_ID, PUB_KEY).unwrap();
        let n = publish(&broker, &psk, &[suite], &topic, &message)
            .unwrap_or_else(|e| panic!("{name}: {e}\n{}", broker.proc.output()));
        assert_eq!((n.cipher_suite, n.trust), (suite, Trust::PreSharedKey), "{name}");
        assert!(sub.wait_exit(Duration::from_secs(10)), "{name}: the subscriber got nothing\n{}", sub.output());
        assert_eq!(sub.stdout().trim_end(), message, "{name}\n{}", sub.output());
        let log = broker.proc.output();
        assert!(log.contains(&format!("as embertls-test (p2, c1, k60, u'{PUB_ID}')")), "{name}: {log}");
    }
}

/// The example's defaults (every SHA-256 suite offered, psk_dhe_ke).
#[test]
fn example_publish_default_settings() {
    let mut broker = Broker::start();
    let mut sub = broker.subscribe("test/topic");
    let psk = ExternalPsk::from_hex(PUB_ID, PUB_KEY).unwrap();
    let n = publish(&broker, &psk, &[], "test/topic", "hello mosquitto").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n.trust, Trust::PreSharedKey);
    assert_eq!(n.group, Some(NamedGroup::X25519), "psk_dhe_ke");
    assert!(sub.wait_exit(Duration::from_secs(10)), "the subscriber got nothing\n{}", sub.output());
    assert_eq!(sub.stdout().trim_end(), "hello mosquitto", "{}", sub.output());
}

fn refused(psk: &ExternalPsk) -> (Error, String) {
    let broker = Broker::start();
    match publish(&broker, psk, &[], "test/topic", "never delivered") {
        Err(Failure::Tls(e)) => (e, broker.proc.output()),
        Err(other) => panic!("expected a TLS error, got {other}"),
        Ok(n) => panic!("the broker accepted a bad PSK: {n:?}"),
    }
}

#[test]
fn wrong_key_is_refused() {
    let (e, log) = refused(&ExternalPsk::from_hex(PUB_ID, SUB_KEY).unwrap());
    assert_eq!(e, Error::PskRefused { alert: Some(AlertDescription::IllegalParameter) }, "{e}\n{log}");
    assert!(e.to_string().contains("mosquitto's psk_file"), "{e}");
}

#[test]
fn unknown_identity_is_refused() {
    let (e, log) = refused(&ExternalPsk::from_hex("nobody", PUB_KEY).unwrap());
    assert_eq!(e, Error::PskRefused { alert: Some(AlertDescription::HandshakeFailure) }, "{e}\n{log}");
}

/// mosquitto does not set SSL_OP_ALLOW_NO_DHE_KEX, so OpenSSL will not use
/// psk_ke: the cheapest mode cannot reach a stock mosquitto (observed).
#[test]
fn psk_ke_is_refused_by_mosquitto() {
    let (e, log) = refused(&ExternalPsk::from_hex(PUB_ID, PUB_KEY).unwrap().with_mode(PskMode::Ke));
    assert_eq!(e, Error::PskRefused { alert: Some(AlertDescription::HandshakeFailure) }, "{e}\n{log}");
}
