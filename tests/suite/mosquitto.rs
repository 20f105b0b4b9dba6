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

use crate::common;

use crate::mqtt_psk;

use std::time::Duration;

use common::mosquitto::{Broker, MOSQUITTO, PUB_ID, PUB_KEY, SUB_KEY};
use common::peer::require;
use common::provider::provider;
use embertls::{AlertDescription, CipherSuite, Error, ExternalPsk, NamedGroup, PskMode, Trust};
use mqtt_psk::{Failure, Publish};

fn publish(
    broker: &Broker,
    psk: &ExternalPsk,
    suites: &[CipherSuite],
    topic: &str,
    message: &str,
) -> Result<mqtt_psk::Negotiated, Failure> {
    let addr = broker.addr();
    let p = Publish { addr: &addr, psk, client_id: "embertls-test", topic, message: message.as_bytes(), suites };
    mqtt_psk::publish(&p, provider())
}

#[test]
fn mosquitto_is_installed() {
    require("mosquitto", MOSQUITTO);
    require("mosquitto_sub", MOSQUITTO);
}

/// The example publishes with each SHA-256 suite; the subscriber prints it.
#[test]
fn publish_over_tls13_psk_reaches_the_subscriber() {
    for (suite, name) in
        [(CipherSuite::Tls13Aes128GcmSha256, "aes128"), (CipherSuite::Tls13Chacha20Poly1305Sha256, "chacha20")]
    {
        let broker = Broker::start();
        let topic = format!("test/embertls/{name}");
        let message = format!("hello from embertls over {name}");
        let sub = broker.subscribe(&topic);
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
    let broker = Broker::start();
    let sub = broker.subscribe("test/topic");
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
