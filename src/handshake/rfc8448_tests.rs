//! The engine replays RFC 8448's traces: fed the server's records after a
//! ClientHello whose transcript bytes are the trace's, it must emit the
//! trace's client records byte for byte. Once per provider (`per_provider!`
//! below): ring cannot import the traces' fixed private keys, so its run
//! imports them with RustCrypto (`RingTrace`, tests/common/provider.rs).

#[path = "../../tests/common/vectors.rs"]
mod vectors;

use vectors::{Vectors, SECTION3, SECTION4, SECTION5, SECTION6, SECTION7};

#[cfg(feature = "ring")]
#[path = "../../tests/common/provider.rs"]
mod provider;

use crate::crypto::{CryptoProvider, KeyShare};
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

/// A provider that can import the traces' fixed private keys.
trait Trace: CryptoProvider + Default {}
impl<P: CryptoProvider + Default> Trace for P {}

/// A client of the traces with provider `P`.
type TraceClient<'a, P> = Client<'a, FixedRng, Vec<u8>, Vec<u8>, P>;

/// Runs each named trace test (a function generic over the provider) with
/// RustCrypto, and with ring when the feature is on.
macro_rules! per_provider {
    ($($name:ident),* $(,)?) => {
        mod rustcrypto {
            $( #[test] fn $name() { super::$name::<crate::crypto::RustCrypto>() } )*
        }
        #[cfg(feature = "ring")]
        mod ring {
            $( #[test] fn $name() { super::$name::<super::provider::ring_trace::RingTrace>() } )*
        }
    };
}

per_provider!(
    section3_simple_1rtt,
    section5_hello_retry_request,
    section7_compatibility_mode,
    altered_client_hello_transcript_is_refused,
    section4_binder_over_the_truncated_client_hello,
    section6_client_authentication,
);

fn key<P: Trace>(v: &Vectors, label: &str, group: NamedGroup) -> KeyShare<P> {
    let k: [u8; 32] = v.get(label).try_into().unwrap();
    KeyShare::from_private_bytes(&mut P::default(), group, &k).unwrap()
}

fn feed<P: Trace>(c: &mut TraceClient<'_, P>, bytes: &[u8]) {
    let buf = c.receive_buffer();
    buf[..bytes.len()].copy_from_slice(bytes);
    c.received(bytes.len());
}

fn drain<P: Trace>(c: &mut TraceClient<'_, P>) -> Vec<u8> {
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

/// A client for the traces' server name "server", with a fixed generator.
fn trace_client<'a, P: Trace>(config: &'a ClientConfig<'a>, provider: P) -> TraceClient<'a, P> {
    let options = crate::ConnectOptions::new(config, ServerName::parse("server")).with_provider(provider);
    Client::new(options, FixedRng(0), vec![0u8; 16709], vec![0u8; 4096]).expect("Client::new")
}

fn section3_simple_1rtt<P: Trace>() {
    let v = Vectors::load(SECTION3);
    let config = config(false);
    let mut c = trace_client(&config, P::default());
    drain(&mut c); // our own ClientHello; the trace's replaces it
    c.replace_client_hello(v.get("client_hello"), key(&v, "client_x25519_private_key", NamedGroup::X25519));
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

fn section5_hello_retry_request<P: Trace>() {
    let v = Vectors::load(SECTION5);
    let config = config(false);
    let mut c = trace_client(&config, P::default());
    drain(&mut c);
    c.replace_client_hello(v.get("client_hello_1"), key(&v, "client_x25519_private_key", NamedGroup::X25519));
    feed(&mut c, v.get("hello_retry_request_record"));
    assert_eq!(c.process(), Ok(Event::NeedData));
    drain(&mut c); // our own second ClientHello
    c.replace_client_hellos_after_retry(
        v.get("client_hello_1"),
        v.get("hello_retry_request"),
        v.get("client_hello_2"),
        key(&v, "client_p256_private_key", NamedGroup::Secp256r1),
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

fn section7_compatibility_mode<P: Trace>() {
    let v = Vectors::load(SECTION7);
    let config = config(true);
    let mut c = trace_client(&config, P::default());
    drain(&mut c);
    c.replace_client_hello(v.get("client_hello"), key(&v, "client_x25519_private_key", NamedGroup::X25519));
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

fn altered_client_hello_transcript_is_refused<P: Trace>() {
    let v = Vectors::load(SECTION3);
    let config = config(false);
    let mut c = trace_client(&config, P::default());
    drain(&mut c);
    // A different ClientHello transcript: the server's Finished no longer matches.
    let mut ch = v.get("client_hello").to_vec();
    let last = ch.len() - 1;
    ch[last] ^= 1;
    c.replace_client_hello(&ch, key(&v, "client_x25519_private_key", NamedGroup::X25519));
    feed(&mut c, v.get("server_hello_record"));
    feed(&mut c, v.get("server_flight_record"));
    let err = c.process().unwrap_err();
    // The handshake keys depend on the transcript too, so the flight fails to decrypt.
    assert_eq!(err, crate::Error::BadRecordMac);
    assert!(!c.outgoing().is_empty(), "an alert is queued");
    assert_eq!(c.process(), Err(crate::Error::BadRecordMac), "errors are sticky");
}

fn section4_binder_over_the_truncated_client_hello<P: Trace>() {
    let v = Vectors::load(SECTION4);
    let hash = crate::crypto::HashAlg::Sha256.hash(&mut P::default(), v.get("client_hello_prefix"));
    let binder =
        crate::key_schedule::psk_binder(&mut P::default(), crate::crypto::HashAlg::Sha256, v.get("psk"), true, &hash);
    assert_eq!(binder.as_bytes(), v.get("psk_binder"));
    // The full ClientHello ends with that binder.
    assert!(v.get("client_hello").ends_with(binder.as_bytes()));
}

/// ring's RSA floor is 2048 bits: RFC 8448's RSA-1024 server key, which
/// `with_min_rsa_bits(1024)` lets through, is refused as a key the provider
/// cannot use (`Error::ServerKey`), not as a bad signature.
#[cfg(feature = "ring")]
#[test]
fn ring_refuses_the_rsa_1024_server_key_as_unsupported() {
    let v = Vectors::load(SECTION3);
    let config = config(false);
    let mut c = trace_client(&config, provider::ring_trace::RingTrace { ring_rsa_only: true });
    drain(&mut c);
    c.replace_client_hello(v.get("client_hello"), key(&v, "client_x25519_private_key", NamedGroup::X25519));
    feed(&mut c, v.get("server_hello_record"));
    feed(&mut c, v.get("server_flight_record"));
    let err = c.process().unwrap_err();
    assert!(
        matches!(&err, crate::Error::ServerKey(crate::crypto::SignatureError::UnsupportedKey(what)) if what.contains("2048")),
        "{err:?}"
    );
    assert!(err.to_string().contains("under 2048 bits"), "{err}");
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

fn section6_client_authentication<P: Trace>() {
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
    let mut c = trace_client(&config, P::default());
    drain(&mut c);
    c.replace_client_hello(v.get("client_hello"), key(&v, "client_x25519_private_key", NamedGroup::X25519));
    feed(&mut c, v.get("server_hello_record"));
    feed(&mut c, v.get("server_flight_record"));
    assert!(matches!(c.process(), Ok(Event::HandshakeComplete(_))));
    assert_eq!(
        drain(&mut c),
        v.get("client_flight_record"),
        "client Certificate + CertificateVerify + Finished record"
    );
}
