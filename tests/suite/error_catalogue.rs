//! The error catalogue (issue 8): every public variant of `embertls::Error`,
//! `Misbehavior`, `Incompatibility` and `CertError`, triggered through the
//! public API or the wire where that is possible from outside the crate, and
//! checked for a message that names the failing item and says what to do.
//!
//! Triggers, cheapest first:
//! - the public API alone (configuration, buffers, misuse, the verifiers);
//! - plaintext server bytes fed to a `Client` (ServerHello, HelloRetryRequest,
//!   alerts and malformed records need no keys);
//! - the in-process rustls server of `tests/common/peer.rs` (`MemPeer`) for
//!   what needs a real handshake (tampering, tickets, client auth).
//!
//! Variants that only arise under the handshake keys from a server that
//! misbehaves in ways rustls and OpenSSL never do (a bad Finished, a bad
//! CertificateVerify, ...) are marked "Display only" here: their message is
//! checked directly, and the comment names the test elsewhere that triggers
//! them on the wire, if any.

#![allow(clippy::result_large_err)] // helpers return embertls::Error as the engine does

use crate::common;

use common::engine::{assert_msg, feed, insecure};
use common::peer::{peer_file, record, rng, rustls_client_auth_config, rustls_config, CertKind, MemPeer, TestClient};
use common::provider::options;
use common::x509::{anchors, der, tls13_list, verify, verify_with, NOW};
use embertls::msgs::server_hello::HRR_RANDOM;
use embertls::x509::{CaVerifier, Pin, PinVerifier, TrustAnchors, TrustOnFirstUse};
use embertls::{
    AlertDescription, CertError, CertificateChain, CipherSuite, Client, ClientConfig, ClientIdentity, Error, Event,
    ExternalPsk, Incompatibility, Misbehavior, NamedGroup, ProtocolVersion, Received, ServerName, ServerVerifier,
    SessionTicket, SignError, SignatureScheme, Signer, SoftwareSigner, Trust, MAX_RECORD,
};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// A client for "localhost" whose first flight was taken off the wire; also
/// returns the legacy_session_id it sent (32 bytes in compatibility mode).
fn fresh<'a>(config: &'a ClientConfig<'a>) -> (TestClient<'a>, Vec<u8>) {
    let mut c =
        Client::new(options(config, ServerName::parse("localhost")), rng(), vec![0; MAX_RECORD], vec![0; MAX_RECORD])
            .expect("Client::new");
    let sid = client_hello_session_id(c.outgoing());
    let n = c.outgoing().len();
    c.sent(n);
    (c, sid)
}

/// The legacy_session_id of the ClientHello at the start of `out`:
/// record header (5), handshake header (4), legacy_version (2), random (32), then the id.
fn client_hello_session_id(out: &[u8]) -> Vec<u8> {
    assert_eq!(out[0], 22, "a handshake record first");
    let len = out[43] as usize;
    out[44..44 + len].to_vec()
}

fn handshake(typ: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![typ];
    m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    m.extend_from_slice(body);
    m
}

const SUPPORTED_VERSIONS: u16 = 43;
const KEY_SHARE: u16 = 51;
const PRE_SHARED_KEY: u16 = 41;
const TLS13: [u8; 2] = [3, 4];
/// The X25519 base point: a valid public key.
const X25519_PUB: [u8; 32] = {
    let mut k = [0u8; 32];
    k[0] = 9;
    k
};

fn x25519_share(key: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 29];
    v.extend_from_slice(&(key.len() as u16).to_be_bytes());
    v.extend_from_slice(key);
    v
}

/// A ServerHello (or HelloRetryRequest, with `HRR_RANDOM`) handshake message.
fn server_hello(random: [u8; 32], sid: &[u8], suite: u16, compression: u8, exts: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let mut b = vec![3, 3];
    b.extend_from_slice(&random);
    b.push(sid.len() as u8);
    b.extend_from_slice(sid);
    b.extend_from_slice(&suite.to_be_bytes());
    b.push(compression);
    let mut e = Vec::new();
    for (typ, data) in exts {
        e.extend_from_slice(&typ.to_be_bytes());
        e.extend_from_slice(&(data.len() as u16).to_be_bytes());
        e.extend_from_slice(data);
    }
    b.extend_from_slice(&(e.len() as u16).to_be_bytes());
    b.extend_from_slice(&e);
    handshake(2, &b)
}

/// A correct TLS 1.3 ServerHello for `sid` with an X25519 share, plus `more` extensions.
fn good_sh(sid: &[u8], suite: u16, more: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let mut exts = vec![(SUPPORTED_VERSIONS, TLS13.to_vec()), (KEY_SHARE, x25519_share(&X25519_PUB))];
    exts.extend_from_slice(more);
    server_hello([7; 32], sid, suite, 0, &exts)
}

/// Feeds one plaintext handshake record and expects an error.
fn plaintext_err(config: &ClientConfig<'_>, build: impl FnOnce(&[u8]) -> Vec<u8>) -> Error {
    let (mut client, sid) = fresh(config);
    feed(&mut client, &build(&sid)).expect_err("the server's bytes must be refused")
}

fn misbehavior(err: &Error) -> Misbehavior {
    match err {
        Error::PeerMisbehaved(m) => *m,
        other => panic!("expected Error::PeerMisbehaved, got {other:?}: {other}"),
    }
}

/// Display-only check for a variant: the text names the item and its RFC rule.
fn display_only(err: Error, needles: &[&str]) {
    assert_msg(&err, needles);
    assert!(err.to_string().len() > 40, "too terse: {err}");
}

// ---------------------------------------------------------------------------
// Error: configuration, buffers and API misuse (public API only)
// ---------------------------------------------------------------------------

#[test]
fn error_config() {
    let e = insecure().with_cipher_suites(&[]).expect_err("no suites");
    assert!(matches!(e, Error::Config(_)));
    assert_msg(&e, &["invalid configuration", "cipher suites", "TLS_AES_128_GCM_SHA256"]);
    // Suites that cannot be offered: TLS 1.2 PSK suites without a PSK, TLS 1.3 suites with TLS 1.2 only.
    let psk_only = insecure().with_cipher_suites(&[embertls::CipherSuite::PskWithAes128GcmSha256]).unwrap();
    let tls12_13suite = insecure()
        .with_versions(&[ProtocolVersion::Tls12])
        .unwrap()
        .with_cipher_suites(&[embertls::CipherSuite::Tls13Aes128GcmSha256])
        .unwrap();
    for cfg in [&psk_only, &tls12_13suite] {
        let e = Client::new(options(cfg, ServerName::parse("localhost")), rng(), vec![0; 4096], vec![0; 4096])
            .err()
            .expect("no suite to offer");
        assert!(matches!(e, Error::Config(_)), "{e:?}");
        assert_msg(&e, &["no configured cipher suite can be offered", "TLS_PSK_*", "with_psk", "TLS 1.3 enabled"]);
    }
    let e = insecure().with_versions(&[ProtocolVersion::Tls11]).expect_err("TLS 1.1 is never offered");
    assert_msg(&e, &["versions must be", "1.1 are not supported"]);
    let e = insecure().with_groups(&[NamedGroup::from_wire(25)]).expect_err("secp521r1 is not supported");
    assert_msg(&e, &["groups must be", "x25519, secp256r1, secp384r1"]);
    let e = insecure().with_alpn(&[b""]).expect_err("empty ALPN");
    assert_msg(&e, &["ALPN protocols must be 1 to 255 bytes"]);
    let config = insecure();
    let e = Client::new(options(&config, ServerName::parse("localhost")), rng(), vec![0; 100], vec![0; 4096])
        .err()
        .expect("rx too small");
    assert_msg(&e, &["receive buffer must be at least 512 bytes"]);
    assert_eq!(e.alert(), Some(AlertDescription::InternalError));
}

#[test]
fn error_send_buffer_too_small() {
    let config = insecure();
    let e = Client::new(options(&config, ServerName::parse("localhost")), rng(), vec![0; MAX_RECORD], vec![0; 64])
        .err()
        .expect("the ClientHello does not fit 64 bytes");
    let Error::SendBufferTooSmall { needed, capacity } = e else { panic!("{e:?}") };
    assert!(needed > capacity && capacity <= 64, "{e:?}");
    assert_msg(&e, &[&format!("needs {needed} bytes"), &format!("has {capacity}"), "larger send buffer"]);
}

#[test]
fn error_receive_buffer_too_small() {
    let config = insecure();
    let mut client = Client::new(options(&config, ServerName::parse("localhost")), rng(), vec![0; 600], vec![0; 4096])
        .expect("Client::new");
    let n = client.outgoing().len();
    client.sent(n);
    let big = record(22, &handshake(2, &[0; 3000]));
    let e = feed(&mut client, &big).expect_err("a 3 kB record does not fit 600 bytes");
    let Error::ReceiveBufferTooSmall { needed, capacity } = e else { panic!("{e:?}") };
    assert!(needed >= 3000 && capacity == 600, "{e:?}");
    assert_msg(&e, &["needs", "600", "larger receive buffer", "16 645"]);
}

#[test]
fn error_api_misuse() {
    let config = insecure();
    let (mut client, _) = fresh(&config);
    let e = client.write(b"too early").expect_err("write before the handshake");
    assert!(matches!(e, Error::Api(_)));
    assert_msg(&e, &["API misuse", "write() before the handshake completed", "Event::HandshakeComplete"]);
    let e = client.session_ticket(&mut [0u8; 100]).expect_err("no ticket announced");
    assert_msg(&e, &["session_ticket()", "Event::SessionTicket"]);
    assert_eq!(e.alert(), None);
}

#[test]
fn error_closed() {
    let config = insecure();
    let mut peer = MemPeer::new(&config, rustls_config(CertKind::Ecdsa, &[], &[]));
    peer.handshake();
    peer.client.close();
    let e = peer.client.write(b"after close").expect_err("closed");
    assert_eq!(e, Error::Closed);
    assert_msg(&e, &["connection is closed", "open a new one"]);
}

#[test]
fn error_truncated() {
    let config = insecure();
    let (mut client, _) = fresh(&config);
    client.received(0); // the transport closed during the handshake
    let e = client.process().expect_err("EOF without close_notify");
    assert_eq!(e, Error::Truncated);
    assert_msg(&e, &["closed without a TLS close_notify", "truncation"]);
}

// ---------------------------------------------------------------------------
// Error: from the wire
// ---------------------------------------------------------------------------

#[test]
fn error_certificate_over_the_wire() {
    // rustls presents vectors/peer's ECDSA leaf (issued by ecdsa-ca); the client trusts another root.
    let ca = CaVerifier::new(anchors(&["ec256-root"]));
    let config = ClientConfig::new(&ca);
    let mut peer = MemPeer::new(&config, rustls_config(CertKind::Ecdsa, &[], &[]));
    // Nothing was exchanged yet: a client with a clock replaces the one MemPeer made.
    peer.client = Client::new(
        options(&config, ServerName::parse("localhost")).now(Some(NOW)),
        rng(),
        vec![0; MAX_RECORD],
        vec![0; MAX_RECORD],
    )
    .expect("Client::new");
    let e = peer.try_handshake().expect_err("unknown issuer");
    assert_eq!(e.alert(), Some(AlertDescription::UnknownCa));
    let Error::Certificate(c) = &e else { panic!("{e:?}") };
    let CertError::UnknownIssuer { .. } = &**c else { panic!("{e:?}") };
    assert_msg(&e, &["server certificate refused", "no trust anchor matched issuer", "add its root CA certificate"]);
}

#[test]
fn error_server_key() {
    // An RSA-2048 server key with a client that requires 3072 bits.
    let config = insecure().with_min_rsa_bits(3072).unwrap();
    let mut peer = MemPeer::new(&config, rustls_config(CertKind::Rsa, &[], &[]));
    let e = peer.try_handshake().expect_err("RSA key too small");
    assert!(matches!(e, Error::ServerKey(_)), "{e:?}");
    assert_eq!(e.alert(), Some(AlertDescription::UnsupportedCertificate));
    assert_msg(&e, &["public key cannot be used", "2048", "3072"]);
}

#[test]
fn error_bad_record_mac() {
    let config = insecure();
    let mut peer = MemPeer::new(&config, rustls_config(CertKind::Ecdsa, &[], &[]));
    peer.handshake();
    peer.tamper = Some(Box::new(|_, rec: &mut Vec<u8>| {
        let last = rec.len() - 1;
        rec[last] ^= 1;
    }));
    peer.server_write(b"tampered");
    let e = loop {
        match peer.next_event() {
            Ok(Event::NeedData) => panic!("the tampered record was not refused"),
            Ok(_) => {}
            Err(e) => break e,
        }
    };
    assert_eq!(e, Error::BadRecordMac);
    assert_msg(&e, &["failed authentication (bad_record_mac)", "tampered", "no data from it was released"]);
}

#[test]
fn error_record_overflow() {
    let config = insecure();
    let (mut client, _) = fresh(&config);
    // A plaintext handshake record of 16 400 bytes: more than 2^14.
    let e = feed(&mut client, &record(22, &[0u8; 16_400])).expect_err("record_overflow");
    assert_eq!(e, Error::RecordOverflow { size: 16_400, limit: 16_384 });
    assert_eq!(e.alert(), Some(AlertDescription::RecordOverflow));
    assert_msg(&e, &["16400 bytes", "16384 bytes allowed", "RFC 8446 §5.1"]);
}

#[test]
fn error_decode() {
    let config = insecure();
    let e = plaintext_err(&config, |_| record(22, &handshake(2, &[3, 3, 1, 2, 3])));
    assert!(matches!(e, Error::Decode { what } if what.contains("ServerHello")), "{e:?}");
    assert_eq!(e.alert(), Some(AlertDescription::DecodeError));
    assert_msg(&e, &["malformed ServerHello", "server bug or data corrupted"]);
}

#[test]
fn error_unexpected_message() {
    let config = insecure();
    let e = plaintext_err(&config, |_| record(22, &handshake(20, &[0xab; 32])));
    assert_eq!(
        e,
        Error::UnexpectedMessage {
            expected: "ServerHello",
            got: Received::Handshake(embertls::msgs::enums::HandshakeType::Finished)
        }
    );
    assert_msg(&e, &["Finished", "expected ServerHello", "TLS 1.2/1.3"]);
}

#[test]
fn error_alert_received() {
    let config = insecure();
    let e = plaintext_err(&config, |_| record(21, &[2, 40]));
    assert_eq!(e, Error::AlertReceived(AlertDescription::HandshakeFailure));
    assert_eq!(e.alert(), None, "no alert is answered to an alert");
    assert_msg(&e, &["fatal alert: handshake_failure", "no cipher suite, group or signature scheme in common"]);
    let e = plaintext_err(&config, |_| record(21, &[2, 112]));
    assert_msg(&e, &["unrecognized_name", "check the host name"]);
}

#[test]
fn error_incompatible_version() {
    let config = insecure().with_versions(&[ProtocolVersion::Tls13]).unwrap();
    // A TLS 1.2 ServerHello (no supported_versions, no downgrade sentinel).
    let e = plaintext_err(&config, |sid| record(22, &server_hello([1; 32], sid, 0xc02f, 0, &[])));
    assert_eq!(e, Error::Incompatible(Incompatibility::Version(ProtocolVersion::Tls12)));
    assert_eq!(e.alert(), Some(AlertDescription::ProtocolVersion));
    assert_msg(&e, &["TLSv1.2", "with_versions"]);
}

#[test]
fn error_psk_refused() {
    let psk = ExternalPsk::new(b"device-7", &[0x11; 32]).expect("psk");
    let config = insecure().with_psk(&psk);
    // ServerHello without pre_shared_key: the server did a certificate handshake instead.
    let e = plaintext_err(&config, |sid| record(22, &good_sh(sid, 0x1301, &[])));
    assert_eq!(e, Error::PskRefused { alert: None });
    assert_msg(&e, &["did not accept the pre-shared key", "identity and key match", "psk_file"]);
    // Or it answers with an alert.
    let e = plaintext_err(&config, |_| record(21, &[2, 115]));
    assert_eq!(e, Error::PskRefused { alert: Some(AlertDescription::UnknownPskIdentity) });
    assert_msg(&e, &["(it answered with alert unknown_psk_identity)", "identity and key match"]);
}

/// A ticket from a rustls server (TLS_AES_128_GCM_SHA256) for "localhost".
fn ticket_bytes() -> Vec<u8> {
    let config = insecure();
    let mut peer = MemPeer::new(
        &config,
        rustls_config(CertKind::Ecdsa, &[CipherSuite::Tls13Aes128GcmSha256], &[NamedGroup::X25519]),
    );
    peer.handshake();
    peer.take_tickets().expect("rustls sends tickets")
}

fn resuming<'a>(config: &'a ClientConfig<'a>, ticket: &'a [u8]) -> (TestClient<'a>, Vec<u8>) {
    let t = SessionTicket::decode(ticket).expect("ticket").with_age(1);
    let mut c = Client::new(
        options(config, ServerName::parse("localhost")).resuming(t),
        rng(),
        vec![0; MAX_RECORD],
        vec![0; MAX_RECORD],
    )
    .expect("Client::new, resuming");
    let sid = client_hello_session_id(c.outgoing());
    let n = c.outgoing().len();
    c.sent(n);
    (c, sid)
}

#[test]
fn error_ticket_refused_and_psk_suite_mismatch() {
    let ticket = ticket_bytes();
    let config = insecure();
    let (mut client, _) = resuming(&config, &ticket);
    let e = feed(&mut client, &record(21, &[2, 47])).expect_err("alert to the resumption attempt");
    assert_eq!(e, Error::TicketRefused(AlertDescription::IllegalParameter));
    assert_msg(&e, &["refused the resumption attempt", "illegal_parameter", "discard it", "full handshake"]);

    // Misbehavior::PskSuiteMismatch: the SHA-256 ticket accepted with a SHA-384 suite.
    let (mut client, sid) = resuming(&config, &ticket);
    let sh = good_sh(&sid, 0x1302, &[(PRE_SHARED_KEY, vec![0, 0])]);
    let e = feed(&mut client, &record(22, &sh)).expect_err("suite of another hash");
    assert_eq!(misbehavior(&e), Misbehavior::PskSuiteMismatch);
    assert_msg(&e, &["accepted the PSK with a cipher suite of a different hash", "RFC 8446 §4.2.11"]);
}

/// A signer that always fails, like a secure element that does not answer.
struct DeadSigner(SoftwareSigner);

impl Signer for DeadSigner {
    fn schemes(&self) -> &[SignatureScheme] {
        self.0.schemes()
    }
    fn public_key(&self) -> &[u8] {
        self.0.public_key()
    }
    fn sign(&self, _: SignatureScheme, _: &[u8], _: &mut [u8]) -> Result<usize, SignError> {
        Err(SignError::Device("secure element did not answer"))
    }
}

#[test]
fn error_client_auth_rejected_and_signer() {
    // No client certificate configured, the server requires one.
    let config = insecure();
    let mut peer = MemPeer::new(&config, rustls_client_auth_config(CertKind::Ecdsa, "client-ca.pem", true));
    peer.try_handshake().expect("the client's side of the handshake completes");
    let e = loop {
        match peer.next_event() {
            Err(e) => break e,
            Ok(Event::NeedData) => panic!("the server's alert did not arrive ({:?})", peer.server_error),
            Ok(_) => {}
        }
    };
    let Error::ClientAuthRejected { sent_identity: None, configured: false, .. } = &e else { panic!("{e:?}") };
    assert_msg(&e, &["rejected the client authentication", "requires a client certificate", "with_client_identities"]);

    // Error::Signer: the configured signer fails.
    let cert = std::fs::read(peer_file("client-p256.pem")).unwrap();
    let certs = embertls::pem::certificates(&cert).unwrap();
    let refs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
    let signer = DeadSigner(SoftwareSigner::from_pem(&std::fs::read(peer_file("client-p256.key")).unwrap()).unwrap());
    let identity = [ClientIdentity::new(&refs, &signer).expect("identity")];
    let config = insecure().with_client_identities(&identity);
    let mut peer = MemPeer::new(&config, rustls_client_auth_config(CertKind::Ecdsa, "client-ca.pem", true));
    let e = peer.try_handshake().expect_err("the signer fails");
    assert_eq!(e, Error::Signer(SignError::Device("secure element did not answer")));
    assert_msg(&e, &["signing the client CertificateVerify failed", "secure element did not answer"]);
}

/// Display only: needs a server whose CertificateVerify does not verify;
/// triggered on the wire by `tests/bad_input.rs::bad_certificate_verify_signature`.
#[test]
fn error_bad_signature_display_only() {
    display_only(
        Error::BadSignature { scheme: SignatureScheme::EcdsaSecp256r1Sha256, key: "ECDSA P-256" },
        &["CertificateVerify", "ecdsa_secp256r1_sha256", "ECDSA P-256", "does not hold that certificate's private key"],
    );
}

/// Display only: triggered on the wire by `tests/bad_input.rs::bad_finished`.
#[test]
fn error_bad_finished_display_only() {
    display_only(Error::BadFinished, &["Finished", "RFC 8446 §4.4.4", "tampered"]);
}

/// Display only: only a CertificateRequest without signature_algorithms
/// (under the handshake keys) gives it; no test server sends one.
#[test]
fn error_missing_extension_display_only() {
    display_only(Error::MissingExtension("signature_algorithms"), &["signature_algorithms", "RFC 8446 §4.2"]);
}

/// Display only: `Internal` marks states the engine rules out, so nothing
/// outside the crate can reach it. The walk over every variant with an
/// exhaustive match (a new variant does not compile until it has a sample)
/// is `error::catalogue` inside the crate: `Error` and `CertError` are
/// `#[non_exhaustive]`, so a match here would need a catch-all arm.
#[test]
fn error_internal_display_only() {
    let e = Error::Internal("no TLS 1.2 master secret after the client key exchange");
    assert_eq!(e.alert(), Some(AlertDescription::InternalError));
    assert_msg(&e, &["internal error in embertls", "master secret", "a bug", "report it"]);
}

/// Display only: 2^64 records under one key cannot be reached in a test.
#[test]
fn error_sequence_exhausted_display_only() {
    let e = Error::SequenceExhausted;
    assert_eq!(e.alert(), Some(AlertDescription::InternalError));
    assert_msg(&e, &["2^64 records", "re-established"]);
}

// ---------------------------------------------------------------------------
// Misbehavior: plaintext ServerHello / HelloRetryRequest / records
// ---------------------------------------------------------------------------

fn check_misbehavior(e: Error, want: Misbehavior, alert: AlertDescription, needles: &[&str]) {
    assert_eq!(misbehavior(&e), want, "{e}");
    assert_eq!(e.alert(), Some(alert), "{e}");
    assert_msg(&e, &["the server broke a protocol rule"]);
    assert_msg(&e, needles);
}

#[test]
fn misbehavior_server_hello_fields() {
    use AlertDescription::IllegalParameter as IP;
    let config = insecure();
    let mut random = [1u8; 32];
    random[24..].copy_from_slice(b"DOWNGRD\x01");
    let e = plaintext_err(&config, |sid| record(22, &server_hello(random, sid, 0xc02f, 0, &[])));
    check_misbehavior(e, Misbehavior::DowngradeSentinel, IP, &["downgrade sentinel", "forcing an older version"]);

    let e = plaintext_err(&config, |_| record(22, &good_sh(&[9; 32], 0x1301, &[])));
    check_misbehavior(e, Misbehavior::SessionIdMismatch, IP, &["legacy_session_id_echo", "§4.1.3"]);

    let e = plaintext_err(&config, |sid| record(22, &good_sh(sid, 0x1304, &[])));
    check_misbehavior(e, Misbehavior::UnofferedCipherSuite(CipherSuite::from_wire(0x1304)), IP, &["not offered"]);

    let e = plaintext_err(&config, |sid| {
        let exts = [(SUPPORTED_VERSIONS, TLS13.to_vec()), (KEY_SHARE, x25519_share(&X25519_PUB))];
        record(22, &server_hello([7; 32], sid, 0x1301, 1, &exts))
    });
    check_misbehavior(e, Misbehavior::CompressionNotNull, IP, &["legacy_compression_method"]);

    let e = plaintext_err(&config, |sid| {
        record(22, &server_hello([7; 32], sid, 0x1301, 0, &[(SUPPORTED_VERSIONS, vec![3, 3])]))
    });
    check_misbehavior(
        e,
        Misbehavior::BadSelectedVersion(ProtocolVersion::Tls12),
        IP,
        &["supported_versions selected TLSv1.2"],
    );

    let e = plaintext_err(&config, |sid| {
        let mut p256 = vec![0, 23, 0, 65, 4];
        p256.extend_from_slice(&[1; 64]);
        let exts = [(SUPPORTED_VERSIONS, TLS13.to_vec()), (KEY_SHARE, p256)];
        record(22, &server_hello([7; 32], sid, 0x1301, 0, &exts))
    });
    check_misbehavior(e, Misbehavior::KeyShareGroupMismatch, IP, &["key share", "§4.2.8"]);

    let e = plaintext_err(&config, |sid| {
        let exts = [(SUPPORTED_VERSIONS, TLS13.to_vec()), (KEY_SHARE, x25519_share(&[0; 32]))];
        record(22, &server_hello([7; 32], sid, 0x1301, 0, &exts))
    });
    check_misbehavior(e, Misbehavior::InvalidKeyShare, IP, &["not a valid public key"]);
}

#[test]
fn misbehavior_extensions() {
    let config = insecure();
    // ALPN (16) was not offered.
    let e =
        plaintext_err(&config, |sid| record(22, &good_sh(sid, 0x1301, &[(16, vec![0, 5, 4, b'm', b'q', b't', b't'])])));
    check_misbehavior(
        e,
        Misbehavior::UnsolicitedExtension(16),
        AlertDescription::UnsupportedExtension,
        &["did not offer", "§4.2"],
    );
    // server_name (0) was offered (SNI) but does not belong in ServerHello.
    let e = plaintext_err(&config, |sid| record(22, &good_sh(sid, 0x1301, &[(0, vec![])])));
    check_misbehavior(e, Misbehavior::ExtensionNotAllowedHere(0), AlertDescription::IllegalParameter, &["not allowed"]);
    let e = plaintext_err(&config, |sid| {
        let exts = [
            (SUPPORTED_VERSIONS, TLS13.to_vec()),
            (SUPPORTED_VERSIONS, TLS13.to_vec()),
            (KEY_SHARE, x25519_share(&X25519_PUB)),
        ];
        record(22, &server_hello([7; 32], sid, 0x1301, 0, &exts))
    });
    check_misbehavior(e, Misbehavior::DuplicateExtension(43), AlertDescription::DecodeError, &["appears twice"]);
}

#[test]
fn misbehavior_hello_retry() {
    use AlertDescription::IllegalParameter as IP;
    let config = insecure();
    let hrr = |sid: &[u8], suite: u16, group: u16| {
        let exts = [(SUPPORTED_VERSIONS, TLS13.to_vec()), (KEY_SHARE, group.to_be_bytes().to_vec())];
        server_hello(HRR_RANDOM, sid, suite, 0, &exts)
    };
    // secp521r1 (25) is never offered.
    let e = plaintext_err(&config, |sid| record(22, &hrr(sid, 0x1301, 25)));
    check_misbehavior(e, Misbehavior::RetryGroupNotOffered(NamedGroup::from_wire(25)), IP, &["was not offered"]);
    let e = plaintext_err(&config, |sid| record(22, &hrr(sid, 0x1301, 29)));
    check_misbehavior(e, Misbehavior::UselessHelloRetry, IP, &["would not change the ClientHello"]);

    // A good HRR (secp256r1), then a second one / a ServerHello with another suite.
    for (second, want, alert, needle) in [
        (true, Misbehavior::SecondHelloRetry, AlertDescription::UnexpectedMessage, "second HelloRetryRequest"),
        (false, Misbehavior::SuiteChangedAfterRetry, IP, "differs from HelloRetryRequest"),
    ] {
        let (mut client, sid) = fresh(&config);
        assert!(feed(&mut client, &record(22, &hrr(&sid, 0x1301, 23))).expect("good HRR").is_empty());
        assert!(!client.outgoing().is_empty(), "the second ClientHello is queued");
        let next = if second { hrr(&sid, 0x1301, 29) } else { good_sh(&sid, 0x1302, &[]) };
        let e = feed(&mut client, &record(22, &next)).expect_err(needle);
        check_misbehavior(e, want, alert, &[needle]);
    }
}

#[test]
fn misbehavior_psk_identity_out_of_range() {
    let psk = ExternalPsk::new(b"device-7", &[0x11; 32]).expect("psk");
    let config = insecure().with_psk(&psk);
    let e = plaintext_err(&config, |sid| record(22, &good_sh(sid, 0x1301, &[(PRE_SHARED_KEY, vec![0, 3])])));
    check_misbehavior(e, Misbehavior::PskIdentityOutOfRange(3), AlertDescription::IllegalParameter, &["identity 3"]);
}

#[test]
fn misbehavior_records() {
    use AlertDescription::UnexpectedMessage as UM;
    let config = insecure();
    let e = plaintext_err(&config, |_| record(22, &[]));
    check_misbehavior(e, Misbehavior::EmptyHandshakeRecord, UM, &["empty handshake record", "§5.1"]);
    let e = plaintext_err(&config, |_| record(20, &[2]));
    check_misbehavior(e, Misbehavior::BadChangeCipherSpec, UM, &["change_cipher_spec"]);
    let e = plaintext_err(&config, |_| record(21, &[2, 40, 0]));
    check_misbehavior(e, Misbehavior::BadRecord, UM, &["malformed record", "§5.1"]);
    // The ServerHello and the start of the next message in one record: the
    // message would span the key change.
    let e = plaintext_err(&config, |sid| {
        let mut body = good_sh(sid, 0x1301, &[]);
        body.extend_from_slice(&[8, 0, 0, 2]);
        record(22, &body)
    });
    check_misbehavior(e, Misbehavior::DataBeforeKeyChange, UM, &["split across a key change"]);
    // After a good ServerHello, a plaintext handshake record.
    let e = plaintext_err(&config, |sid| {
        let mut bytes = record(22, &good_sh(sid, 0x1301, &[]));
        bytes.extend(record(22, &handshake(8, &[0, 0])));
        bytes
    });
    check_misbehavior(e, Misbehavior::UnprotectedRecord, UM, &["unprotected record after encryption started"]);
}

/// Display only: these arise only under the handshake or application keys.
/// On the wire: NoContentType, BadKeyUpdate and BadSignatureScheme in
/// `tests/bad_input.rs` (`after_handshake_bad_records_and_messages`,
/// `certificate_verify_scheme_refused`); BadAlpn and NonEmptyCertificateContext
/// in `tests/bad_input.rs` too (`alpn_not_offered`, `certificate_with_context`;
/// MissingExtension: `certificate_request_without_signature_algorithms`).
#[test]
fn misbehavior_under_encryption_display_only() {
    let cases: [(Misbehavior, &[&str]); 5] = [
        (Misbehavior::NoContentType, &["no content type", "§5.4"]),
        (Misbehavior::BadKeyUpdate, &["KeyUpdate", "§4.6.3"]),
        (Misbehavior::BadSignatureScheme(SignatureScheme::RsaPkcs1Sha256), &["CertificateVerify", "§4.4.3"]),
        (Misbehavior::BadAlpn, &["ALPN", "RFC 7301"]),
        (Misbehavior::NonEmptyCertificateContext, &["certificate_request_context", "§4.4.2"]),
    ];
    for (m, needles) in cases {
        let e = Error::PeerMisbehaved(m);
        assert_msg(&e, &["the server broke a protocol rule"]);
        assert_msg(&e, needles);
        assert!(e.alert().is_some());
    }
}

// ---------------------------------------------------------------------------
// CertError: through the verifiers (the same code a handshake runs)
// ---------------------------------------------------------------------------

fn cert_err(r: Result<Trust, CertError>) -> CertError {
    r.expect_err("must be refused")
}

#[test]
fn cert_no_certificate_and_malformed() {
    let empty = CertificateChain::from_tls13_list(&[]).unwrap();
    let v = CaVerifier::new(anchors(&["ec256-root"]));
    let e = v.verify_server(&empty, &ServerName::parse("a.test"), Some(NOW)).unwrap_err();
    assert_eq!(e, CertError::NoCertificate);
    assert_msg(&e, &["empty Certificate message", "must authenticate"]);

    let garbage = tls13_list(&[vec![0x30, 0x03, 0x02, 0x01, 0x05]]);
    let chain = CertificateChain::from_tls13_list(&garbage).unwrap();
    let e = v.verify_server(&chain, &ServerName::parse("a.test"), Some(NOW)).unwrap_err();
    assert!(matches!(e, CertError::Malformed { position: 0, .. }), "{e:?}");
    assert_msg(&e, &["certificate #0", "could not be parsed", "fix its certificate file"]);

    // CertError::NotTrusted: trust on first use of a chain whose leaf has no readable key.
    let e = TrustOnFirstUse::record().verify_server(&chain, &ServerName::parse("a.test"), None).unwrap_err();
    assert!(matches!(e, CertError::NotTrusted { .. }), "{e:?}");
    assert_msg(&e, &["not accepted", "no readable public key"]);
}

#[test]
fn cert_time_errors() {
    let e = cert_err(verify_with(
        &CaVerifier::new(anchors(&["ec256-root"])),
        &["ec256-leaf", "ec256-int"],
        "ec256.test",
        None,
    ));
    assert_eq!(e, CertError::NoClock);
    assert_msg(&e, &["no current time", "skip_time_checks()"]);
    let e = cert_err(verify(&["ec256-root"], &["expired-leaf", "ec256-int"], "ec256.test"));
    assert!(matches!(e, CertError::Expired { .. }));
    assert_msg(&e, &["expired.ec256.test", "2021-01-01T00:00:00Z", "2030-01-01T00:00:00Z", "renew"]);
    let e = cert_err(verify(&["ec256-root"], &["future-leaf", "ec256-int"], "ec256.test"));
    assert!(matches!(e, CertError::NotYetValid { .. }));
    assert_msg(&e, &["future.ec256.test", "not valid yet", "2040-01-01T00:00:00Z", "SNTP"]);
}

#[test]
fn cert_name_errors() {
    let e = cert_err(verify(&["ec256-root"], &["ec256-leaf", "ec256-int"], "other.test"));
    assert!(matches!(e, CertError::NameMismatch { .. }));
    assert_msg(&e, &["\"other.test\"", "ec256.test", "reissue the certificate"]);
    let e = cert_err(verify(&["ec256-root"], &["ec256-leaf", "ec256-int"], "bad..name"));
    assert!(matches!(e, CertError::InvalidServerName { .. }), "{e:?}");
    assert_msg(&e, &["\"bad..name\"", "not a valid DNS host name"]);
    let e = cert_err(verify(&["ec256-root"], &["ncdns-leaf-outside", "ncdns-int"], "a.other.test"));
    assert!(matches!(e, CertError::NameConstraintViolated { .. }), "{e:?}");
    assert_msg(&e, &["a.other.test", "NC DNS Intermediate", "may not issue"]);
}

#[test]
fn cert_issuer_and_signature_errors() {
    let e = cert_err(verify(&["ec384-root"], &["ec256-leaf", "ec256-int"], "ec256.test"));
    assert!(matches!(e, CertError::UnknownIssuer { .. }));
    assert_msg(&e, &["EC256 Root", "add its root CA certificate", "--ca FILE"]);
    let e = cert_err(verify(&["ec256-root"], &["badsig-leaf", "ec256-int"], "ec256.test"));
    assert!(matches!(e, CertError::BadSignature { .. }), "{e:?}");
    assert_msg(&e, &["signature on", "EC256 Intermediate", "wrong intermediate"]);
    let e = cert_err(verify(&["rsa2048-root"], &["sha1-leaf", "rsa2048-int"], "rsa2048.test"));
    assert!(matches!(e, CertError::WeakSignatureAlgorithm { .. }), "{e:?}");
    assert_msg(&e, &["sha1", "reissue it with SHA-256"]);
    let e = cert_err(verify(&["rsa2048-root"], &["rsa1024-leaf", "rsa1024-int"], "rsa1024.test"));
    assert!(matches!(e, CertError::KeySize { bits: 1024, .. }), "{e:?}");
    assert_msg(&e, &["RSA1024 Intermediate", "1024-bit RSA key", "2048"]);
}

/// Replaces the first occurrence of `from` in `der` by `to` (same length).
fn patched(der: &[u8], from: &[u8], to: &[u8], all: bool) -> Vec<u8> {
    let mut out = der.to_vec();
    let mut i = 0;
    let mut n = 0;
    while i + from.len() <= out.len() {
        if &out[i..i + from.len()] == from {
            out[i..i + from.len()].copy_from_slice(to);
            n += 1;
            if !all {
                break;
            }
        }
        i += 1;
    }
    assert!(n > 0, "pattern not found");
    out
}

const ECDSA_SHA256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const ECDSA_SHA224: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x01];
const ECDSA_SHA384: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
const PRIME256V1: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const PRIME239V3: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x06];

fn verify_ders(root: &[u8], chain: &[Vec<u8>]) -> CertError {
    let mut a = TrustAnchors::new();
    a.add_der(root).expect("anchor");
    let list = tls13_list(chain);
    let chain = CertificateChain::from_tls13_list(&list).unwrap();
    CaVerifier::new(a).verify_server(&chain, &ServerName::parse("ec256.test"), Some(NOW)).expect_err("refused")
}

#[test]
fn cert_algorithm_and_key_errors() {
    let (root, int, leaf) = (der("ec256-root"), der("ec256-int"), der("ec256-leaf"));
    // Inner (signed) algorithm differs from the outer one.
    let e = verify_ders(&root, &[patched(&leaf, ECDSA_SHA256, ECDSA_SHA384, false), int.clone()]);
    assert!(matches!(e, CertError::Inconsistent { .. }), "{e:?}");
    assert_msg(&e, &["ec256.test", "signature algorithm inside the signed part differs", "must reissue"]);
    // Both say ecdsa-with-SHA224, which is not supported.
    let e = verify_ders(&root, &[patched(&leaf, ECDSA_SHA256, ECDSA_SHA224, true), int.clone()]);
    assert!(matches!(e, CertError::UnsupportedSignatureAlgorithm { .. }), "{e:?}");
    assert_msg(&e, &["unsupported algorithm", "ECDSA P-256/P-384"]);
    // The anchor's key is on an unsupported curve (prime239v3).
    let e = verify_ders(&patched(&root, PRIME256V1, PRIME239V3, true), &[leaf.clone(), int.clone()]);
    assert!(matches!(e, CertError::UnsupportedKey { .. }), "{e:?}");
    assert_msg(&e, &["unsupported public key", "ECDSA P-256/P-384 or RSA"]);
}

#[test]
fn cert_ca_rules() {
    let e = cert_err(verify(&["ec256-root"], &["notca-leaf", "notca-int"], "notca.test"));
    assert!(matches!(e, CertError::NotCa { .. }), "{e:?}");
    assert_msg(&e, &["NotCA Intermediate", "not a CA", "wrong chain"]);
    let e = cert_err(verify(&["ec256-root"], &["pl0-leaf", "pl0-int2", "pl0-int1"], "pathlen.test"));
    assert!(matches!(e, CertError::PathLenExceeded { .. }), "{e:?}");
    assert_msg(&e, &["PathLen0 Intermediate", "pathLenConstraint"]);
    let e = cert_err(verify(&["ec256-root"], &["noksign-leaf", "noksign-int"], "noksign.test"));
    assert!(matches!(e, CertError::MissingKeyUsage { needed: "keyCertSign", .. }), "{e:?}");
    assert_msg(&e, &["NoKeyCertSign Intermediate", "keyCertSign", "reissue"]);
    let e = cert_err(verify(&["ec256-root"], &["clientauth-leaf", "ec256-int"], "ec256.test"));
    assert!(matches!(e, CertError::NoServerAuth { .. }), "{e:?}");
    assert_msg(&e, &["clientauth.ec256.test", "serverAuth", "reissue"]);
    let e = cert_err(verify(&["ec256-root"], &["crit-leaf", "ec256-int"], "ec256.test"));
    assert!(matches!(e, CertError::UnknownCriticalExtension { .. }), "{e:?}");
    assert_msg(&e, &["crit.ec256.test", "1.3.6.1.4.1.55555.1", "non-critical"]);
}

#[test]
fn cert_path_bounds() {
    let chain = ["two-leaf", "two-int2", "two-int1"];
    let v = CaVerifier::new(anchors(&["ec256-root"])).max_depth(2);
    let e = cert_err(verify_with(&v, &chain, "two.test", Some(NOW)));
    assert!(matches!(e, CertError::PathTooLong { max_depth: 2 }), "{e:?}");
    assert_msg(&e, &["no path of at most 2 certificates", "maximum depth"]);
    let v = CaVerifier::new(anchors(&["ec256-root"])).max_signature_checks(1);
    let e = cert_err(verify_with(&v, &chain, "two.test", Some(NOW)));
    assert!(matches!(e, CertError::TooManySignatureChecks { limit: 1 }), "{e:?}");
    assert_msg(&e, &["gave up after 1 signature checks", "fix its chain file"]);
}

#[test]
fn cert_pins_and_anchors() {
    let pins = [Pin::parse(&common::x509::openssl_pin("ec384-leaf")).unwrap()];
    let e = cert_err(verify_with(&PinVerifier::new(&pins), &["ec256-leaf"], "ec256.test", Some(NOW)));
    assert!(matches!(e, CertError::PinMismatch { .. }));
    assert_msg(&e, &[&common::x509::openssl_pin("ec256-leaf"), "add the new pin"]);
    let e = Pin::parse("sha256/short").unwrap_err();
    assert!(matches!(e, CertError::BadPin { .. }));
    assert_msg(&e, &["invalid pin", "sha256/<base64"]);
    let e = TrustAnchors::from_pem(b"not a certificate").unwrap_err();
    assert!(matches!(e, CertError::BadAnchor { index: 0, .. }));
    assert_msg(&e, &["trust anchor #0", "-----BEGIN CERTIFICATE-----"]);
}

/// The uncompressed P-256 SubjectPublicKeyInfo in `der` (91 bytes).
fn p256_spki(der: &[u8]) -> &[u8] {
    const PREFIX: &[u8] = &[0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    let at = der.windows(PREFIX.len()).position(|w| w == PREFIX).expect("a P-256 SPKI");
    &der[at..at + 91]
}

/// The subjectKeyIdentifier extension (OID 2.5.29.14, 20-byte value) of `der`, whole.
fn ski(der: &[u8]) -> Vec<u8> {
    const OID: &[u8] = &[0x06, 0x03, 0x55, 0x1d, 0x0e];
    let at = der.windows(OID.len()).position(|w| w == OID).expect("subjectKeyIdentifier");
    der[at..at + OID.len() + 4 + 20].to_vec()
}

/// An anchor with the issuer's name but another key (the CA re-keyed, or
/// the anchor file is outdated): the message blames the anchor, not the
/// intermediates (issue 13 item 8).
#[test]
fn cert_anchor_with_same_name_and_another_key() {
    let (root, int, leaf) = (der("ec256-root"), der("ec256-int"), der("ec256-leaf"));
    // "EC256 Root" with another key (the intermediate's) and so another
    // subjectKeyIdentifier: the intermediate's authorityKeyIdentifier no longer matches.
    let stale_root = patched(&root, p256_spki(&root), p256_spki(&int), false);
    let stale_root = patched(&stale_root, &ski(&root), &ski(&int), false);
    let e = verify_ders(&stale_root, &[leaf, int]);
    assert!(matches!(&e, CertError::AnchorKeyMismatch { anchor, .. } if anchor.contains("EC256 Root")), "{e:?}");
    assert_eq!(e.alert(), AlertDescription::UnknownCa);
    assert_msg(
        &e,
        &["EC256 Intermediate", "EC256 Root", "different CA with the same name", "re-keyed", "outdated or wrong"],
    );
    assert!(!e.to_string().contains("wrong intermediate"), "{e}");
}
