//! The engine replays RFC 8448's traces: fed the server's records after a
//! ClientHello whose transcript bytes are the trace's, it must emit the
//! trace's client records byte for byte. Each trace runs with the default
//! provider, (the `accel_` tests) with the accelerator-shaped provider
//! of `tests/common/accel.rs` (issue 14 item 2) and (`ring_runs`, feature
//! `ring`) with ring: ring cannot import the traces' fixed private keys, so
//! that run imports them with RustCrypto (`RingTrace`, tests/common/provider.rs).

#[path = "../../tests/common/vectors.rs"]
mod vectors;

// The accelerator-shaped test provider; it names the crate `embertls`
// (`extern crate self` in lib.rs, with `std`).
#[cfg(feature = "std")]
#[path = "../../tests/common/accel.rs"]
mod accel;

#[cfg(feature = "ring")]
#[path = "../../tests/common/provider.rs"]
mod provider;

use vectors::{Vectors, SECTION3, SECTION4, SECTION5, SECTION6, SECTION7};

use crate::crypto::{CryptoProvider, RustCrypto};
use crate::msgs::enums::NamedGroup;
use crate::{Client, ClientConfig, Event, ServerName, ServerVerification, SessionTicket};

/// A generator that is never meant to matter: the trace's key shares replace its output.
struct FixedRng(u8);

impl rand_core::TryRng for FixedRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(u32::from(self.0))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(u64::from(self.0))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.0 = self.0.wrapping_add(1);
        dst.fill(self.0);
        Ok(())
    }
}
impl rand_core::TryCryptoRng for FixedRng {}

/// A client of the traces, with provider `P`.
type TraceClient<'a, P> = Client<'a, FixedRng, Vec<u8>, Vec<u8>, P>;

fn feed<P: CryptoProvider>(c: &mut TraceClient<'_, P>, bytes: &[u8]) {
    let buf = c.receive_buffer();
    buf[..bytes.len()].copy_from_slice(bytes);
    c.received(bytes.len());
}

fn drain<P: CryptoProvider>(c: &mut TraceClient<'_, P>) -> Vec<u8> {
    let out = c.outgoing().to_vec();
    c.sent(out.len());
    out
}

fn config(compat: bool) -> ClientConfig<'static> {
    ClientConfig::new(ServerVerification::danger_accept_any())
        .with_min_rsa_bits(1024) // RFC 8448's server key is RSA-1024
        .expect("1024 is the floor")
        .with_middlebox_compat(compat)
}

/// A client for the traces' server name "server", with a fixed generator
/// and the crypto provider `provider`.
fn trace_client<'a, P: CryptoProvider>(config: &'a ClientConfig<'a>, provider: P) -> TraceClient<'a, P> {
    let options = crate::ConnectOptions::new(config, ServerName::parse("server")).with_provider(provider);
    Client::new(options, FixedRng(0), vec![0u8; 16709], vec![0u8; 4096]).expect("Client::new")
}

/// The trace's X25519 private key of the client.
fn x25519_key(v: &Vectors) -> &[u8] {
    v.get("client_x25519_private_key")
}

#[test]
fn section3_simple_1rtt() {
    section3(RustCrypto);
}

fn section3<P: CryptoProvider>(provider: P) {
    let v = Vectors::load(SECTION3);
    let config = config(false);
    let mut c = trace_client(&config, provider);
    drain(&mut c); // our own ClientHello; the trace's replaces it
    c.replace_client_hello(v.get("client_hello"), NamedGroup::X25519, x25519_key(&v));
    feed(&mut c, v.get("server_hello_record"));
    feed(&mut c, v.get("server_flight_record"));
    let Ok(Event::HandshakeComplete(summary)) = c.process() else { panic!("handshake did not complete") };
    assert_eq!(summary.cipher_suite, crate::CipherSuite::Tls13Aes128GcmSha256);
    assert_eq!(drain(&mut c), v.get("client_finished_record"), "client Finished record");

    // NewSessionTicket: the stored ticket carries the trace's resumption PSK.
    feed(&mut c, v.get("new_session_ticket_record"));
    assert_eq!(c.process(), Ok(Event::SessionTicket));
    let mut stored = [0u8; 512];
    let n = c.session_ticket(&mut stored).unwrap();
    let ticket = SessionTicket::decode(&stored[..n]).unwrap();
    assert_eq!(ticket.psk(), v.get("resumption_psk"));
    assert_eq!(ticket.server_name, b"server");

    // Application data both ways, then close_notify both ways.
    feed(&mut c, v.get("server_application_data_record"));
    let payload = v.get("server_application_data_record_payload");
    assert_eq!(c.process(), Ok(Event::ApplicationData(payload.len())));
    let mut buf = [0u8; 64];
    let n = c.read(&mut buf);
    assert_eq!(&buf[..n], payload);
    let client_data = v.get("client_application_data_record_payload");
    assert_eq!(c.write(client_data), Ok(client_data.len()));
    assert_eq!(drain(&mut c), v.get("client_application_data_record"));
    c.close();
    assert_eq!(drain(&mut c), v.get("client_alert_record"));
    feed(&mut c, v.get("server_alert_record"));
    assert_eq!(c.process(), Ok(Event::PeerClosed));
}

#[test]
fn section5_hello_retry_request() {
    section5(RustCrypto);
}

fn section5<P: CryptoProvider>(provider: P) {
    let v = Vectors::load(SECTION5);
    let config = config(false);
    let mut c = trace_client(&config, provider);
    drain(&mut c);
    c.replace_client_hello(v.get("client_hello_1"), NamedGroup::X25519, x25519_key(&v));
    feed(&mut c, v.get("hello_retry_request_record"));
    assert_eq!(c.process(), Ok(Event::NeedData));
    drain(&mut c); // our own second ClientHello
    c.replace_client_hellos_after_retry(
        v.get("client_hello_1"),
        v.get("hello_retry_request"),
        v.get("client_hello_2"),
        NamedGroup::Secp256r1,
        v.get("client_p256_private_key"),
    );
    feed(&mut c, v.get("server_hello_record"));
    feed(&mut c, v.get("server_flight_record"));
    let Ok(Event::HandshakeComplete(summary)) = c.process() else { panic!("handshake did not complete") };
    assert!(summary.hello_retry);
    assert_eq!(summary.group, Some(NamedGroup::Secp256r1));
    assert_eq!(drain(&mut c), v.get("client_finished_record"), "client Finished record");
    c.close();
    assert_eq!(drain(&mut c), v.get("client_alert_record"));
}

#[test]
fn section7_compatibility_mode() {
    section7(RustCrypto);
}

fn section7<P: CryptoProvider>(provider: P) {
    let v = Vectors::load(SECTION7);
    let config = config(true);
    let mut c = trace_client(&config, provider);
    drain(&mut c);
    c.replace_client_hello(v.get("client_hello"), NamedGroup::X25519, x25519_key(&v));
    feed(&mut c, v.get("server_hello_record"));
    feed(&mut c, v.get("server_change_cipher_spec_record"));
    feed(&mut c, v.get("server_flight_record"));
    assert!(matches!(c.process(), Ok(Event::HandshakeComplete(_))));
    let mut expected = v.get("client_change_cipher_spec_record").to_vec();
    expected.extend_from_slice(v.get("client_finished_record"));
    assert_eq!(drain(&mut c), expected, "client change_cipher_spec + Finished records");
    c.close();
    assert_eq!(drain(&mut c), v.get("client_alert_record"));
    feed(&mut c, v.get("server_alert_record"));
    assert_eq!(c.process(), Ok(Event::PeerClosed));
}

#[test]
fn altered_client_hello_transcript_is_refused() {
    let v = Vectors::load(SECTION3);
    let config = config(false);
    let mut c = trace_client(&config, RustCrypto);
    drain(&mut c);
    // A different ClientHello transcript: the server's Finished no longer matches.
    let mut ch = v.get("client_hello").to_vec();
    let last = ch.len() - 1;
    ch[last] ^= 1;
    c.replace_client_hello(&ch, NamedGroup::X25519, x25519_key(&v));
    feed(&mut c, v.get("server_hello_record"));
    feed(&mut c, v.get("server_flight_record"));
    let err = c.process().unwrap_err();
    // The handshake keys depend on the transcript too, so the flight fails to decrypt.
    assert_eq!(err, crate::Error::BadRecordMac);
    assert!(!c.outgoing().is_empty(), "an alert is queued");
    assert_eq!(c.process(), Err(crate::Error::BadRecordMac), "errors are sticky");
}

#[test]
fn section4_binder_over_the_truncated_client_hello() {
    section4_binder(&mut RustCrypto);
}

fn section4_binder<P: CryptoProvider>(p: &mut P) {
    let v = Vectors::load(SECTION4);
    let hash = crate::crypto::HashAlg::Sha256.hash(p, v.get("client_hello_prefix"));
    let binder = crate::key_schedule::psk_binder(p, crate::crypto::HashAlg::Sha256, v.get("psk"), true, &hash);
    assert_eq!(binder.as_bytes(), v.get("psk_binder"));
    // The full ClientHello ends with that binder.
    assert!(v.get("client_hello").ends_with(binder.as_bytes()));
}

/// Returns the RFC's own client signature: RFC 8448 §6 does not publish the
/// client's private key, but if our transcript is the trace's, the trace's
/// signature is the right one, and the records must then match byte for byte.
struct ReplaySigner {
    spki: Vec<u8>,
    signature: Vec<u8>,
    scheme: crate::SignatureScheme,
}

impl crate::Signer for ReplaySigner {
    fn schemes(&self) -> &[crate::SignatureScheme] {
        core::slice::from_ref(&self.scheme)
    }
    fn public_key(&self) -> &[u8] {
        &self.spki
    }
    fn sign(&self, scheme: crate::SignatureScheme, _: &[u8], out: &mut [u8]) -> Result<usize, crate::SignError> {
        assert_eq!(scheme, self.scheme);
        out[..self.signature.len()].copy_from_slice(&self.signature);
        Ok(self.signature.len())
    }
}

#[test]
fn section6_client_authentication() {
    section6(RustCrypto);
}

fn section6<P: CryptoProvider>(provider: P) {
    use crate::msgs::certificate::Certificate;
    use crate::msgs::certificate_verify::CertificateVerify;
    let v = Vectors::load(SECTION6);
    let client_cert = Certificate::decode(&v.get("client_certificate")[4..]).unwrap();
    let leaf = client_cert.chain.leaf().unwrap();
    let cv = CertificateVerify::decode(&v.get("client_certificate_verify")[4..]).unwrap();
    let signer = ReplaySigner {
        spki: crate::crypto::certificate_spki(leaf).unwrap().to_vec(),
        signature: cv.signature.to_vec(),
        scheme: cv.scheme,
    };
    let chain = [leaf];
    let identity = crate::ClientIdentity::new(&chain, &signer).unwrap();
    let config = config(false).with_client_identity(&identity);
    let mut c = trace_client(&config, provider);
    drain(&mut c);
    c.replace_client_hello(v.get("client_hello"), NamedGroup::X25519, x25519_key(&v));
    feed(&mut c, v.get("server_hello_record"));
    feed(&mut c, v.get("server_flight_record"));
    assert!(matches!(c.process(), Ok(Event::HandshakeComplete(_))));
    assert_eq!(
        drain(&mut c),
        v.get("client_flight_record"),
        "client Certificate + CertificateVerify + Finished record"
    );
}

/// The traces through the accelerator-shaped provider: byte for byte the
/// same records, with the engines doing the work (the server's RSA-1024
/// CertificateVerify (RSA-PSS) on the modular-exponentiation engine, §6's
/// ECDSA P-256 one and §5's P-256 key share and agreement on the ECC engine).
#[cfg(feature = "std")]
mod accel_traces {
    use super::accel::{AccelProvider, Counts, Engines};
    use super::*;

    /// Runs `trace` on fresh engines; returns what they did.
    fn on_engines(trace: impl FnOnce(AccelProvider<'_>)) -> Counts {
        let mut engines = Engines::new();
        trace(AccelProvider::new(&mut engines));
        let c = engines.counts();
        assert!(c.sha_blocks > 0 && c.aes_blocks > 0, "{c:?}");
        c
    }

    #[test]
    fn accel_section3_simple_1rtt() {
        let c = on_engines(|p| section3(p));
        assert_eq!((c.mod_exps, c.point_muls), (1, 0), "{c:?}");
    }

    #[test]
    fn accel_section4_binder() {
        let mut engines = Engines::new();
        section4_binder(&mut AccelProvider::new(&mut engines));
        assert!(engines.counts().sha_blocks > 0);
    }

    #[test]
    fn accel_section5_hello_retry_request() {
        let c = on_engines(|p| section5(p));
        // P-256 (k × G) for the client's own second key share, which the
        // trace's replaces, then the trace's: k × G, and k × the server's
        // point for the shared secret.
        assert_eq!((c.mod_exps, c.point_muls), (1, 3), "{c:?}");
    }

    #[test]
    fn accel_section6_client_authentication() {
        let c = on_engines(|p| section6(p));
        // §6's server signs with ECDSA P-256: u1·G and u2·Q on the engine.
        assert_eq!((c.mod_exps, c.point_muls), (0, 2), "{c:?}");
    }

    #[test]
    fn accel_section7_compatibility_mode() {
        let c = on_engines(|p| section7(p));
        assert_eq!((c.mod_exps, c.point_muls), (1, 0), "{c:?}");
    }
}

/// The traces once more with ring (its keys imported by RustCrypto).
#[cfg(feature = "ring")]
mod ring_runs {
    use super::provider::ring_trace::RingTrace;

    #[test]
    fn section3_simple_1rtt() {
        super::section3(RingTrace::default());
    }

    #[test]
    fn section5_hello_retry_request() {
        super::section5(RingTrace::default());
    }

    #[test]
    fn section7_compatibility_mode() {
        super::section7(RingTrace::default());
    }

    #[test]
    fn section4_binder_over_the_truncated_client_hello() {
        super::section4_binder(&mut RingTrace::default());
    }

    #[test]
    fn section6_client_authentication() {
        super::section6(RingTrace::default());
    }

    /// ring's RSA floor is 2048 bits: RFC 8448's RSA-1024 server key, which
    /// `with_min_rsa_bits(1024)` lets through, is refused as a key the provider
    /// cannot use (`Error::ServerKey`), not as a bad signature.
    #[test]
    fn ring_refuses_the_rsa_1024_server_key_as_unsupported() {
        use super::*;
        let v = Vectors::load(SECTION3);
        let config = config(false);
        let mut c = trace_client(&config, RingTrace { ring_rsa_only: true });
        drain(&mut c);
        c.replace_client_hello(v.get("client_hello"), NamedGroup::X25519, x25519_key(&v));
        feed(&mut c, v.get("server_hello_record"));
        feed(&mut c, v.get("server_flight_record"));
        let err = c.process().unwrap_err();
        assert!(
            matches!(&err, crate::Error::ServerKey(crate::crypto::SignatureError::UnsupportedKey(what)) if what.contains("2048")),
            "{err:?}"
        );
        assert!(err.to_string().contains("under 2048 bits"), "{err}");
    }
}

/// The key log (feature `danger-keylog`) carries the traces' secrets (RFC
/// 8448 §3 and §5, the latter after a HelloRetryRequest), each named by the
/// trace's ClientHello.random.
#[cfg(feature = "danger-keylog")]
#[test]
fn key_log_carries_the_traces_secrets() {
    type Line = (String, [u8; 32], Vec<u8>);
    struct Lines(std::sync::Mutex<Vec<Line>>);
    impl crate::keylog::KeyLog for Lines {
        fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]) {
            self.0.lock().unwrap().push((label.into(), *client_random, secret.to_vec()));
        }
    }
    for section in [SECTION3, SECTION5] {
        let v = Vectors::load(section);
        let lines = Lines(Default::default());
        let config = config(false).danger_with_key_log(&lines);
        let mut c = trace_client(&config, RustCrypto);
        drain(&mut c);
        let hello = if section == SECTION3 {
            c.replace_client_hello(v.get("client_hello"), NamedGroup::X25519, x25519_key(&v));
            v.get("client_hello")
        } else {
            c.replace_client_hello(v.get("client_hello_1"), NamedGroup::X25519, x25519_key(&v));
            feed(&mut c, v.get("hello_retry_request_record"));
            assert_eq!(c.process(), Ok(Event::NeedData));
            drain(&mut c);
            let (ch1, hrr, ch2) = (v.get("client_hello_1"), v.get("hello_retry_request"), v.get("client_hello_2"));
            c.replace_client_hellos_after_retry(ch1, hrr, ch2, NamedGroup::Secp256r1, v.get("client_p256_private_key"));
            ch2
        };
        feed(&mut c, v.get("server_hello_record"));
        feed(&mut c, v.get("server_flight_record"));
        assert!(matches!(c.process(), Ok(Event::HandshakeComplete(_))), "{section}");
        // ClientHello: type (1), length (3), legacy_version (2), random (32).
        let random: [u8; 32] = hello[6..38].try_into().unwrap();
        let expected = [
            ("CLIENT_HANDSHAKE_TRAFFIC_SECRET", "client_handshake_traffic_secret"),
            ("SERVER_HANDSHAKE_TRAFFIC_SECRET", "server_handshake_traffic_secret"),
            ("CLIENT_TRAFFIC_SECRET_0", "client_application_traffic_secret_0"),
            ("SERVER_TRAFFIC_SECRET_0", "server_application_traffic_secret_0"),
            ("EXPORTER_SECRET", "exporter_master_secret"),
        ]
        .map(|(label, vector)| (label.to_string(), random, v.get(vector).to_vec()));
        assert_eq!(lines.0.into_inner().unwrap(), expected, "{section}");
    }
}
