//! Bad input from the server: each failure gives its typed error, queues the
//! right alert (RFC 8446 §6), says what happened in its message, and releases
//! no application data.
//!
//! Three kinds of peer:
//! - the in-process rustls server with a hook that tampers with its records
//!   (corrupted ciphertext, truncation);
//! - raw bytes (an unexpected message instead of ServerHello);
//! - a record-level fake server written here with embertls' public
//!   `key_schedule`, `record`, `crypto` and `msgs` modules, which can send a
//!   bad Finished, a bad CertificateVerify, a ServerHello with an unoffered
//!   suite, a wrong session id or the downgrade sentinel, bad
//!   EncryptedExtensions and a second HelloRetryRequest.

#![allow(clippy::result_large_err)] // helpers return embertls::Error as the engine does

use crate::common;

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use common::engine::{assert_dead, assert_flood, assert_msg, feed, feed_data, insecure, take_client_hello};
use common::peer::{record, records, rng, rustls_config, CertKind, MemPeer, TestClient};
use common::provider::options;
use embertls::codec::{WriteError, Writer};
use embertls::crypto::{AeadAlg, HashAlg, KeyShare, Secret, Transcript};
use embertls::key_schedule::{finished_verify_data, next_traffic_secret, EarlySecret, TrafficKeys};
use embertls::msgs::certificate_verify::signed_content;
use embertls::msgs::client_hello::ClientHello;
use embertls::msgs::enums::{ContentType, HandshakeType};
use embertls::msgs::extensions::write_extension;
use embertls::msgs::handshake::write_handshake;
use embertls::msgs::server_hello::{DOWNGRADE_TLS11, DOWNGRADE_TLS12, HRR_RANDOM};
use embertls::record::Protection;
use embertls::{
    AlertDescription, CipherSuite, Client, ClientConfig, Error, Event, Flood, HandshakeSummary, Incompatibility,
    Misbehavior, NamedGroup, ProtocolVersion, Received, ServerName, SignatureScheme, TlsStream, MAX_RECORD,
};

/// Checks the error's alert and that an alert record is the last the client
/// queued. Before ServerHello it is in clear (`21 03 03 00 02 02 <description>`);
/// after it, alerts are protected with the client handshake key (RFC 8446 §6),
/// so the record is application_data-typed and 2 + 1 + 16 bytes long.
fn assert_alert_queued(client: &TestClient<'_>, err: &Error, alert: AlertDescription) {
    assert_eq!(err.alert(), Some(alert), "{err:?}");
    let recs = records(client.outgoing());
    match recs.last() {
        Some((21, body)) => assert_eq!(body, &vec![2u8, alert.to_wire()], "queued: {recs:02x?}"),
        Some((23, body)) => assert_eq!(body.len(), 2 + 1 + 16, "an encrypted alert; queued: {recs:02x?}"),
        other => panic!("no alert queued: {other:02x?}"),
    }
}

// ---------------------------------------------------------------------------
// Tampering with a rustls server's records
// ---------------------------------------------------------------------------

/// One byte of the server's encrypted flight (EncryptedExtensions onwards)
/// flipped: bad_record_mac. The client's alert reaches rustls, which reports
/// it as received.
#[test]
fn corrupted_handshake_ciphertext() {
    for offset in [5usize, 40, usize::MAX] {
        let config = insecure();
        let mut peer = MemPeer::new(&config, rustls_config(CertKind::Ecdsa, &[], &[]));
        let mut done = false;
        peer.tamper = Some(Box::new(move |_, rec: &mut Vec<u8>| {
            if rec[0] == 23 && !done {
                let i = offset.min(rec.len() - 1); // MAX: the last byte of the tag
                rec[i] ^= 0x01;
                done = true;
            }
        }));
        let err = peer.try_handshake().expect_err("tampered handshake must fail");
        assert_eq!(err, Error::BadRecordMac, "offset {offset}");
        assert_alert_queued(&peer.client, &err, AlertDescription::BadRecordMac);
        assert_msg(&err, &["bad_record_mac", "tampered"]);
        assert_dead(&mut peer.client, &err);
        peer.client_to_server();
        assert_eq!(
            peer.server_error,
            Some(rustls::Error::AlertReceived(rustls::AlertDescription::BadRecordMac)),
            "rustls receives our alert"
        );
    }
}

/// Application data records after the handshake, corrupted in the
/// ciphertext, in the tag, or in the header (the AEAD's additional data):
/// bad_record_mac, sent encrypted; the record's data is never released.
#[test]
fn corrupted_application_data() {
    for (what, pos) in [("header version", 2usize), ("ciphertext", 7), ("tag", usize::MAX)] {
        let config = insecure();
        let mut peer = MemPeer::new(&config, rustls_config(CertKind::Ecdsa, &[], &[]));
        peer.handshake();
        peer.server_write(b"first record is fine");
        assert_eq!(peer.client_read(20), b"first record is fine");
        peer.tamper = Some(Box::new(move |_, rec: &mut Vec<u8>| {
            let i = pos.min(rec.len() - 1);
            rec[i] ^= 0x02; // header: 0x0303 -> 0x0301, still a valid header
        }));
        peer.server_write(b"secret: must never be released");
        let mut events = Vec::new();
        let err = loop {
            match peer.next_event() {
                Ok(Event::SessionTicket) => {}
                Ok(ev) => events.push(format!("{ev:?}")),
                Err(e) => break e,
            }
            assert!(events.len() < 10, "no error: {events:?}");
        };
        assert_eq!(err, Error::BadRecordMac, "{what}");
        assert!(events.is_empty(), "{what}: events before the error: {events:?}");
        assert_eq!(err.alert(), Some(AlertDescription::BadRecordMac));
        // After the handshake the alert is protected: one application_data record.
        let recs = records(peer.client.outgoing());
        assert_eq!(recs.len(), 1, "{what}: {recs:02x?}");
        assert_eq!((recs[0].0, recs[0].1.len()), (23, 2 + 1 + 16), "{what}: an encrypted 2-byte alert");
        assert_dead(&mut peer.client, &err);
        peer.client_to_server();
        assert_eq!(peer.server_error, Some(rustls::Error::AlertReceived(rustls::AlertDescription::BadRecordMac)));
    }
}

/// Transport EOF in the middle of a record after the handshake: truncation,
/// and the partial record's data is not released.
#[test]
fn eof_mid_record_is_truncation() {
    let config = insecure();
    let mut peer = MemPeer::new(&config, rustls_config(CertKind::Ecdsa, &[], &[]));
    peer.handshake();
    while !matches!(peer.next_event(), Ok(Event::NeedData)) {} // the tickets
    peer.server_write(&[b'x'; 1000]);
    let n = peer.to_client.len();
    assert_eq!(peer.deliver(n - 10), n - 10);
    peer.client.received(0);
    let err = peer.client.process().expect_err("EOF inside a record");
    assert_eq!(err, Error::Truncated);
    assert_eq!(err.alert(), None, "nothing to send on a closed transport");
    assert!(peer.client.outgoing().is_empty());
    assert_msg(&err, &["close_notify", "truncation"]);
    assert_dead(&mut peer.client, &err);
}

/// EOF right after complete records but without close_notify: the data of
/// the complete records is released, then truncation (not a clean end).
#[test]
fn eof_between_records_without_close_notify_is_truncation() {
    let config = insecure();
    let mut peer = MemPeer::new(&config, rustls_config(CertKind::Rsa, &[], &[]));
    peer.handshake();
    peer.server_write(b"complete record");
    assert_eq!(peer.client_read(15), b"complete record");
    while !matches!(peer.next_event(), Ok(Event::NeedData)) {}
    peer.client.received(0);
    assert_eq!(peer.client.process(), Err(Error::Truncated));
}

/// EOF during the handshake, inside the ServerHello record and at a record
/// boundary: truncation.
#[test]
fn eof_mid_handshake_is_truncation() {
    for keep in [3usize, 20, 0] {
        let config = insecure();
        let mut peer = MemPeer::new(&config, rustls_config(CertKind::Ecdsa, &[], &[]));
        peer.pump();
        let sh_len = 5 + u16::from_be_bytes([peer.to_client[3], peer.to_client[4]]) as usize;
        let keep = if keep == 0 { sh_len } else { keep };
        assert_eq!(peer.deliver(keep), keep);
        peer.client.received(0);
        let err = loop {
            match peer.client.process() {
                Ok(Event::NeedData) => panic!("NeedData after EOF"),
                Ok(_) => {}
                Err(e) => break e,
            }
        };
        assert_eq!(err, Error::Truncated, "EOF after {keep} bytes");
        assert!(peer.client.outgoing().is_empty());
        assert_dead(&mut peer.client, &err);
    }
}

/// Over real TCP with the blocking adapter: a rustls server answers, then
/// closes the socket without close_notify. The answer is read, then
/// `read_to_end` fails with `UnexpectedEof` wrapping `Error::Truncated`.
#[test]
fn tcp_close_without_close_notify_is_truncation() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server_config = Arc::new(rustls_config(CertKind::Ecdsa, &[], &[]));
    let t = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let conn = rustls::ServerConnection::new(server_config).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let mut req = Vec::new();
        let mut buf = [0u8; 256];
        while !req.ends_with(b"\r\n\r\n") {
            let n = tls.read(&mut buf).unwrap();
            assert!(n > 0, "client closed early");
            req.extend_from_slice(&buf[..n]);
        }
        tls.write_all(b"HTTP/1.0 200 ok\r\n\r\npartial body").unwrap();
        tls.flush().unwrap();
        // No send_close_notify: just close the socket.
        let (_conn, tcp) = tls.into_parts();
        tcp.shutdown(std::net::Shutdown::Both).unwrap();
    });
    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let config = insecure();
    let mut tls = TlsStream::connect(options(&config, ServerName::parse("localhost")), rng(), tcp).unwrap();
    tls.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    let mut page = Vec::new();
    let err = tls.read_to_end(&mut page).expect_err("EOF without close_notify is not a clean end");
    t.join().unwrap();
    assert_eq!(page, b"HTTP/1.0 200 ok\r\n\r\npartial body", "data before the EOF is delivered");
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof, "{err}");
    let inner = err.get_ref().and_then(|e| e.downcast_ref::<Error>()).expect("an embertls::Error inside");
    assert_eq!(inner, &Error::Truncated);
    assert!(err.to_string().contains("close_notify"), "{err}");
}

/// A server that reads the ClientHello, sends three bytes of a record header
/// and closes: `TlsStream::connect` fails with truncation.
#[test]
fn tcp_close_mid_handshake_is_truncation() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut hdr = [0u8; 5];
        s.read_exact(&mut hdr).unwrap();
        let mut body = vec![0u8; u16::from_be_bytes([hdr[3], hdr[4]]) as usize];
        s.read_exact(&mut body).unwrap();
        s.write_all(&[22, 3, 3]).unwrap();
        s.shutdown(std::net::Shutdown::Both).unwrap();
    });
    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let config = insecure();
    let err = TlsStream::connect(options(&config, ServerName::parse("localhost")), rng(), tcp)
        .err()
        .expect("handshake must fail");
    t.join().unwrap();
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof, "{err}");
    let inner = err.get_ref().and_then(|e| e.downcast_ref::<Error>()).expect("an embertls::Error inside");
    assert_eq!(inner, &Error::Truncated);
}

// ---------------------------------------------------------------------------
// Unexpected messages in place of ServerHello (raw bytes)
// ---------------------------------------------------------------------------

fn fresh_client<'a>(config: &'a ClientConfig<'a>) -> TestClient<'a> {
    let mut c =
        Client::new(options(config, ServerName::parse("localhost")), rng(), vec![0; MAX_RECORD], vec![0; MAX_RECORD])
            .unwrap();
    let n = c.outgoing().len();
    c.sent(n); // the ClientHello went out
    c
}

fn handshake_msg(typ: HandshakeType, body: &[u8]) -> Vec<u8> {
    let mut m = vec![typ.to_wire()];
    m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    m.extend_from_slice(body);
    m
}

#[test]
fn unexpected_message_instead_of_server_hello() {
    let cert = CertKind::Ecdsa.cert_der();
    let mut cert_body = vec![0u8]; // empty certificate_request_context
    let list_len = 3 + cert.len() + 2;
    cert_body.extend_from_slice(&(list_len as u32).to_be_bytes()[1..]);
    cert_body.extend_from_slice(&(cert.len() as u32).to_be_bytes()[1..]);
    cert_body.extend_from_slice(&cert);
    cert_body.extend_from_slice(&[0, 0]);
    let cases: [(&str, Vec<u8>, Received); 4] = [
        (
            "Finished",
            record(22, &handshake_msg(HandshakeType::Finished, &[0xab; 32])),
            Received::Handshake(HandshakeType::Finished),
        ),
        (
            "Certificate",
            record(22, &handshake_msg(HandshakeType::Certificate, &cert_body)),
            Received::Handshake(HandshakeType::Certificate),
        ),
        (
            "NewSessionTicket",
            record(22, &handshake_msg(HandshakeType::NewSessionTicket, &[0; 13])),
            Received::Handshake(HandshakeType::NewSessionTicket),
        ),
        ("application_data", record(23, &[0x42; 40]), Received::Record(ContentType::ApplicationData)),
    ];
    for (name, bytes, got) in cases {
        let config = insecure();
        let mut client = fresh_client(&config);
        let err = feed(&mut client, &bytes).expect_err(name);
        match &err {
            Error::UnexpectedMessage { expected, got: g } => {
                assert_eq!(*g, got, "{name}");
                let want = if name == "application_data" { "a handshake record" } else { "ServerHello" };
                assert_eq!(*expected, want, "{name}");
            }
            other => panic!("{name}: {other:?}"),
        }
        assert_alert_queued(&client, &err, AlertDescription::UnexpectedMessage);
        assert_msg(&err, &[name]);
        assert_dead(&mut client, &err);
    }
}

// ---------------------------------------------------------------------------
// A record-level fake TLS 1.3 server
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Cv {
    /// A correct signature: ecdsa_secp256r1_sha256 or rsa_pss_rsae_sha256.
    Good,
    /// A valid signature over the client's context string instead of the server's.
    WrongContent,
    /// RSA PKCS#1 v1.5 with SHA-256 (a correct signature; TLS 1.3 forbids the scheme).
    Pkcs1,
    /// An ECDSA P-256 signature labelled ecdsa_secp384r1_sha384.
    WrongCurveScheme,
}

/// What the fake server does; `Script::default()` is a correct server.
#[derive(Clone, Debug)]
struct Script {
    suite: CipherSuite,
    cert: CertKind,
    /// Send a HelloRetryRequest for this group first.
    hrr: Option<NamedGroup>,
    /// Answer the second ClientHello with another HelloRetryRequest.
    second_hrr: bool,
    /// legacy_session_id_echo; `None` echoes the client's.
    session_id: Option<Vec<u8>>,
    /// The last 8 bytes of ServerHello.random.
    random_tail: Option<[u8; 8]>,
    supported_versions: bool,
    /// The EncryptedExtensions extension block (without its length).
    ee_extensions: Vec<u8>,
    /// Send Certificate where EncryptedExtensions belongs.
    skip_ee: bool,
    cv: Cv,
    corrupt_finished: bool,
    /// certificate_request_context of the server's Certificate (must be empty).
    cert_context: Vec<u8>,
    /// A CertificateRequest body to send before the Certificate.
    certificate_request: Option<Vec<u8>>,
    /// A cookie in the HelloRetryRequest (RFC 8446 §4.2.2), echoed in the second ClientHello.
    cookie: Option<Vec<u8>>,
    /// Plaintext handshake bytes after ServerHello in its record (across the key change).
    after_server_hello: Vec<u8>,
}

impl Default for Script {
    fn default() -> Self {
        Script {
            suite: CipherSuite::Tls13Aes128GcmSha256,
            cert: CertKind::Ecdsa,
            hrr: None,
            second_hrr: false,
            session_id: None,
            random_tail: None,
            supported_versions: true,
            ee_extensions: Vec::new(),
            skip_ee: false,
            cv: Cv::Good,
            corrupt_finished: false,
            cert_context: Vec::new(),
            certificate_request: None,
            cookie: None,
            after_server_hello: Vec::new(),
        }
    }
}

fn suite_algs(s: CipherSuite) -> (HashAlg, AeadAlg) {
    match s {
        CipherSuite::Tls13Aes128GcmSha256 => (HashAlg::Sha256, AeadAlg::Aes128Gcm),
        CipherSuite::Tls13Aes256GcmSha384 => (HashAlg::Sha384, AeadAlg::Aes256Gcm),
        CipherSuite::Tls13Chacha20Poly1305Sha256 => (HashAlg::Sha256, AeadAlg::Chacha20Poly1305),
        other => panic!("no algorithms for {other}"),
    }
}

/// A whole handshake message written with embertls' codec.
fn msg(typ: HandshakeType, body: impl FnOnce(&mut Writer<'_>) -> Result<(), WriteError>) -> Vec<u8> {
    let mut buf = vec![0u8; 1 << 17];
    let mut w = Writer::new(&mut buf);
    write_handshake(&mut w, typ, body).expect("message fits");
    let n = w.len();
    buf.truncate(n);
    buf
}

fn seal(prot: &mut Protection<embertls::crypto::RustCrypto>, typ: ContentType, plain: &[u8]) -> Vec<u8> {
    let mut rec = vec![0u8; 5 + plain.len() + 17];
    rec[5..5 + plain.len()].copy_from_slice(plain);
    let n = prot.seal(&mut embertls::crypto::RustCrypto, typ, &mut rec, plain.len()).expect("seal");
    rec.truncate(n);
    rec
}

/// `body` as records of type `typ` of at most 2^14 bytes each (RFC 8446 §5.1).
fn records_of(typ: u8, body: &[u8]) -> Vec<u8> {
    body.chunks(16_384).flat_map(|c| record(typ, c)).collect()
}

/// The client's key share (group, public key).
fn client_share(ch: &[u8]) -> (NamedGroup, Vec<u8>) {
    let hello = ClientHello::decode(&ch[4..]).expect("ClientHello parses");
    let ks = hello.extensions.get(51).expect("key_share");
    let list = &ks[2..];
    let group = NamedGroup::from_wire(u16::from_be_bytes([list[0], list[1]]));
    let len = u16::from_be_bytes([list[2], list[3]]) as usize;
    (group, list[4..4 + len].to_vec())
}

fn server_hello(
    ch: &[u8],
    sc: &Script,
    random: [u8; 32],
    ext: impl FnOnce(&mut Writer<'_>) -> Result<(), WriteError>,
) -> Vec<u8> {
    let hello = ClientHello::decode(&ch[4..]).expect("ClientHello parses");
    let session_id = sc.session_id.clone().unwrap_or_else(|| hello.session_id.to_vec());
    msg(HandshakeType::ServerHello, |w| {
        w.u16(0x0303)?;
        w.bytes(&random)?;
        w.vec(1, &session_id)?;
        w.u16(sc.suite.to_wire())?;
        w.u8(0)?;
        let m = w.begin(2)?;
        if sc.supported_versions {
            write_extension(w, 43, |w| w.u16(ProtocolVersion::Tls13.to_wire()))?;
        }
        ext(w)?;
        w.end(m)
    })
}

fn hello_retry(ch: &[u8], sc: &Script, group: NamedGroup) -> Vec<u8> {
    server_hello(ch, sc, HRR_RANDOM, |w| {
        write_extension(w, 51, |w| w.u16(group.to_wire()))?;
        match &sc.cookie {
            Some(cookie) => write_extension(w, 44, |w| w.vec(2, cookie)),
            None => Ok(()),
        }
    })
}

/// The 32-byte P-256 private scalar inside the PKCS#8 key (ECPrivateKey ::= SEQUENCE { 1, OCTET STRING (32) ... }).
fn p256_signing_key() -> p256::ecdsa::SigningKey {
    let der = CertKind::Ecdsa.key_der();
    let at = der.windows(5).position(|w| w == [0x02, 0x01, 0x01, 0x04, 0x20]).expect("ECPrivateKey in PKCS#8");
    p256::ecdsa::SigningKey::from_slice(&der[at + 5..at + 37]).expect("P-256 scalar")
}

fn rsa_key() -> rsa::PrivateKey {
    use rsa::pkcs8::DecodePrivateKey;
    rsa::PrivateKey::from_pkcs8_der(&CertKind::Rsa.key_der()).expect("RSA PKCS#8 key")
}

/// (scheme, signature) for the CertificateVerify over `transcript_hash`.
fn certificate_verify(sc: &Script, transcript_hash: &[u8]) -> (SignatureScheme, Vec<u8>) {
    use signature::{RandomizedSigner, SignatureEncoding, Signer};
    let mut content = [0u8; 64 + 34 + 64];
    let n = signed_content(sc.cv != Cv::WrongContent, transcript_hash, &mut content);
    let content = &content[..n];
    match (sc.cert, sc.cv) {
        (CertKind::Ecdsa, Cv::Good | Cv::WrongContent | Cv::WrongCurveScheme) => {
            let sig: p256::ecdsa::Signature = p256_signing_key().sign(content);
            let scheme = if sc.cv == Cv::WrongCurveScheme {
                SignatureScheme::EcdsaSecp384r1Sha384
            } else {
                SignatureScheme::EcdsaSecp256r1Sha256
            };
            (scheme, sig.to_der().as_bytes().to_vec())
        }
        (CertKind::Rsa, Cv::Good | Cv::WrongContent) => {
            let key = rsa::pss::SigningKey::<sha2::Sha256>::new(rsa_key());
            let sig = key.sign_with_rng(&mut rng(), content);
            (SignatureScheme::RsaPssRsaeSha256, sig.to_vec())
        }
        (CertKind::Rsa, Cv::Pkcs1) => {
            let key = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(rsa_key());
            (SignatureScheme::RsaPkcs1Sha256, key.sign(content).to_vec())
        }
        other => panic!("no CertificateVerify for {other:?}"),
    }
}

/// The fake server's application traffic keys after a completed handshake.
struct Session {
    /// Seals server records (server_application_traffic_secret_0, next sequence number).
    server_write: Protection<embertls::crypto::RustCrypto>,
    /// Opens client records (client_application_traffic_secret_0, from sequence 0).
    client_write: Protection<embertls::crypto::RustCrypto>,
    /// The server's application traffic secret behind `server_write` (for KeyUpdate).
    server_secret: Secret,
}

impl Session {
    /// The alerts in the client's outgoing records, decrypted.
    fn client_alerts(&mut self, client: &mut TestClient<'_>) -> Vec<Vec<u8>> {
        let recs = records(client.outgoing());
        let n = client.outgoing().len();
        client.sent(n);
        recs.into_iter()
            .map(|(typ, body)| {
                assert_eq!(typ, 23, "after the handshake every client record is protected");
                let mut rec = record(23, &body);
                let (inner, len) = self
                    .client_write
                    .open(&mut embertls::crypto::RustCrypto, &mut rec)
                    .expect("client record opens with its app key");
                assert_eq!(inner, ContentType::Alert);
                rec[5..5 + len].to_vec()
            })
            .collect()
    }
}

/// A handshake against the fake server playing `sc`. On success the fake
/// server also checks the client's Finished and sends application data,
/// which is returned with the summary.
fn run<'a>(client: &mut TestClient<'a>, sc: &Script) -> Result<(HandshakeSummary<'a>, Vec<u8>, Session), Error> {
    let (hash, aead) = suite_algs(sc.suite);
    let mut ch = take_client_hello(client);
    let mut transcript = Transcript::new(&mut embertls::crypto::RustCrypto, hash);
    if let Some(group) = sc.hrr {
        let hrr = hello_retry(&ch, sc, group);
        // §4.4.1: message_hash(ClientHello1) replaces the first ClientHello.
        transcript
            .update(&mut embertls::crypto::RustCrypto, &[HandshakeType::MessageHash.to_wire(), 0, 0, hash.len() as u8]);
        transcript
            .update(&mut embertls::crypto::RustCrypto, hash.hash(&mut embertls::crypto::RustCrypto, &ch).as_bytes());
        transcript.update(&mut embertls::crypto::RustCrypto, &hrr);
        let events = feed(client, &records_of(22, &hrr))?;
        assert!(events.is_empty(), "{events:?}");
        ch = take_client_hello(client);
        let echoed = ClientHello::decode(&ch[4..]).expect("second ClientHello").extensions.get(44).map(<[u8]>::to_vec);
        let want = sc.cookie.as_ref().map(|c| [&(c.len() as u16).to_be_bytes()[..], c].concat());
        assert_eq!(echoed, want, "the cookie is echoed as sent (§4.2.2)");
        if sc.second_hrr {
            let other = if group == NamedGroup::X25519 { NamedGroup::Secp256r1 } else { NamedGroup::X25519 };
            feed(client, &record(22, &hello_retry(&ch, sc, other)))?;
            panic!("a second HelloRetryRequest was accepted");
        }
    }
    transcript.update(&mut embertls::crypto::RustCrypto, &ch);

    let (group, client_pub) = client_share(&ch);
    let share = KeyShare::generate(&mut embertls::crypto::RustCrypto, group, &mut rng()).expect("server key share");
    let pk = share.public();
    let pk_len = pk.len();
    let shared = share.agree(&mut embertls::crypto::RustCrypto, &client_pub).expect("key agreement");
    let mut random = [0u8; 32];
    rand_core::Rng::fill_bytes(&mut rng(), &mut random);
    if let Some(tail) = sc.random_tail {
        random[24..].copy_from_slice(&tail);
    }
    let sh = server_hello(&ch, sc, random, |w| {
        write_extension(w, 51, |w| {
            w.u16(group.to_wire())?;
            w.vec(2, &pk[..pk_len])
        })
    });
    transcript.update(&mut embertls::crypto::RustCrypto, &sh);
    let hs = EarlySecret::new(&mut embertls::crypto::RustCrypto, hash, None)
        .into_handshake(&mut embertls::crypto::RustCrypto, Some(shared.as_bytes()));
    let hello_hash = transcript.current(&mut embertls::crypto::RustCrypto);
    let server_hs = hs.server_traffic_secret(&mut embertls::crypto::RustCrypto, &hello_hash);
    let client_hs = hs.client_traffic_secret(&mut embertls::crypto::RustCrypto, &hello_hash);
    let mut server_write =
        Protection::new(TrafficKeys::derive(&mut embertls::crypto::RustCrypto, hash, aead, &server_hs));

    let mut flight = Vec::new();
    if !sc.skip_ee {
        let ee = msg(HandshakeType::EncryptedExtensions, |w| w.vec(2, &sc.ee_extensions));
        transcript.update(&mut embertls::crypto::RustCrypto, &ee);
        flight.extend_from_slice(&ee);
    }
    if let Some(cr) = &sc.certificate_request {
        let cr = msg(HandshakeType::CertificateRequest, |w| w.bytes(cr));
        transcript.update(&mut embertls::crypto::RustCrypto, &cr);
        flight.extend_from_slice(&cr);
    }
    let der = sc.cert.cert_der();
    let cert = msg(HandshakeType::Certificate, |w| {
        w.vec(1, &sc.cert_context)?;
        let list = w.begin(3)?;
        w.vec(3, &der)?;
        w.vec(2, &[])?;
        w.end(list)
    });
    transcript.update(&mut embertls::crypto::RustCrypto, &cert);
    flight.extend_from_slice(&cert);
    let (scheme, sig) = certificate_verify(sc, transcript.current(&mut embertls::crypto::RustCrypto).as_bytes());
    let cv = msg(HandshakeType::CertificateVerify, |w| {
        w.u16(scheme.to_wire())?;
        w.vec(2, &sig)
    });
    transcript.update(&mut embertls::crypto::RustCrypto, &cv);
    flight.extend_from_slice(&cv);
    let mut verify_data = finished_verify_data(
        &mut embertls::crypto::RustCrypto,
        hash,
        &server_hs,
        &transcript.current(&mut embertls::crypto::RustCrypto),
    )
    .as_bytes()
    .to_vec();
    if sc.corrupt_finished {
        verify_data[0] ^= 0x80;
    }
    let fin = msg(HandshakeType::Finished, |w| w.bytes(&verify_data));
    transcript.update(&mut embertls::crypto::RustCrypto, &fin);
    flight.extend_from_slice(&fin);

    // ServerHello, a compatibility change_cipher_spec, then the whole
    // encrypted flight coalesced in one record.
    let mut wire = record(22, &[&sh[..], &sc.after_server_hello].concat());
    wire.extend_from_slice(&record(20, &[1]));
    wire.extend_from_slice(&seal(&mut server_write, ContentType::Handshake, &flight));
    let events = feed(client, &wire)?;
    let summary = match events.as_slice() {
        [Event::HandshakeComplete(s)] => *s,
        other => panic!("expected HandshakeComplete, got {other:?}"),
    };

    // The client's Finished (after its change_cipher_spec), checked here.
    let sf_hash = transcript.current(&mut embertls::crypto::RustCrypto);
    let recs = records(client.outgoing());
    let n = client.outgoing().len();
    client.sent(n);
    let protected: Vec<_> = recs.iter().filter(|r| r.0 != 20).collect();
    assert_eq!(protected.len(), 1, "one protected record: the client Finished");
    let mut rec = record(23, &protected[0].1);
    let mut client_read =
        Protection::new(TrafficKeys::derive(&mut embertls::crypto::RustCrypto, hash, aead, &client_hs));
    let (typ, len) =
        client_read.open(&mut embertls::crypto::RustCrypto, &mut rec).expect("client Finished record opens");
    assert_eq!(typ, ContentType::Handshake);
    let expected = finished_verify_data(&mut embertls::crypto::RustCrypto, hash, &client_hs, &sf_hash);
    assert_eq!(&rec[5..5 + len], &msg(HandshakeType::Finished, |w| w.bytes(expected.as_bytes()))[..]);

    // Application data from the server.
    let master = hs.into_master(&mut embertls::crypto::RustCrypto);
    let mut app_write = Protection::new(TrafficKeys::derive(
        &mut embertls::crypto::RustCrypto,
        hash,
        aead,
        &master.server_traffic_secret(&mut embertls::crypto::RustCrypto, &sf_hash),
    ));
    let mut data = Vec::new();
    let record = seal(&mut app_write, ContentType::ApplicationData, b"hello from the fake server");
    let events = feed_data(client, &record, &mut data)?;
    assert!(events.iter().all(|e| matches!(e, Event::ApplicationData(_))), "{events:?}");
    let client_app = Protection::new(TrafficKeys::derive(
        &mut embertls::crypto::RustCrypto,
        hash,
        aead,
        &master.client_traffic_secret(&mut embertls::crypto::RustCrypto, &sf_hash),
    ));
    let server_secret = master.server_traffic_secret(&mut embertls::crypto::RustCrypto, &sf_hash);
    Ok((summary, data, Session { server_write: app_write, client_write: client_app, server_secret }))
}

/// Runs `sc` against a fresh client of `config`; returns the error and the client.
fn run_err<'a>(config: &'a ClientConfig<'a>, sc: &Script) -> (Error, TestClient<'a>) {
    let mut client = fresh_unsent(config);
    match run(&mut client, sc) {
        Ok((s, _, _)) => panic!("the handshake succeeded ({s:?}) although the server played {sc:?}"),
        Err(e) => (e, client),
    }
}

fn fresh_unsent<'a>(config: &'a ClientConfig<'a>) -> TestClient<'a> {
    Client::new(options(config, ServerName::parse("localhost")), rng(), vec![0; MAX_RECORD], vec![0; MAX_RECORD])
        .unwrap()
}

/// Issue 13.4: a HelloRetryRequest cookie larger than a record (the HRR
/// itself spans two records) makes the second ClientHello span records.
/// The fake server reassembles it, checks the echoed cookie, and runs the
/// rest of the handshake on its own transcript, so a wrong transcript on
/// the client would fail its Finished. A send buffer too small for the
/// cookie ends in a typed error naming the size needed.
#[test]
fn a_cookie_larger_than_a_record() {
    let config = insecure();
    let sc = Script { hrr: Some(NamedGroup::Secp256r1), cookie: Some(vec![0x5a; 20_000]), ..Script::default() };
    let big = || vec![0u8; 48 * 1024];
    let mut client = Client::new(options(&config, ServerName::parse("localhost")), rng(), big(), big()).unwrap();
    let (summary, data, _) = run(&mut client, &sc).expect("a handshake with a 20 000-byte cookie");
    assert!(summary.hello_retry, "{summary:?}");
    assert_eq!(data, b"hello from the fake server");

    let mut small = Client::new(options(&config, ServerName::parse("localhost")), rng(), big(), vec![0; 4096]).unwrap();
    let Err(err) = run(&mut small, &sc) else { panic!("a 20 000-byte cookie cannot fit 4 KB") };
    let Error::SendBufferTooSmall { needed, capacity: 4096 } = err else { panic!("{err:?}") };
    assert_msg(&err, &["send buffer"]);
    // The size the error names is enough.
    let mut exact =
        Client::new(options(&config, ServerName::parse("localhost")), rng(), big(), vec![0; needed]).unwrap();
    assert!(run(&mut exact, &sc).is_ok(), "a send buffer of the {needed} bytes the error named");
}

/// The fake server is right: correct scripts complete, the client's
/// Finished checks out and data arrives. (The failure tests below change one
/// thing each.)
#[test]
fn fake_server_control() {
    let cases = [
        Script::default(),
        Script { cert: CertKind::Rsa, suite: CipherSuite::Tls13Chacha20Poly1305Sha256, ..Script::default() },
        Script { suite: CipherSuite::Tls13Aes256GcmSha384, hrr: Some(NamedGroup::Secp256r1), ..Script::default() },
    ];
    for sc in cases {
        let config = insecure();
        let mut client = fresh_unsent(&config);
        let (summary, data, _) = run(&mut client, &sc).unwrap_or_else(|e| panic!("{sc:?}: {e}"));
        assert_eq!(summary.cipher_suite, sc.suite);
        assert_eq!(summary.hello_retry, sc.hrr.is_some());
        assert_eq!(summary.group, Some(sc.hrr.unwrap_or(NamedGroup::X25519)));
        assert_eq!(data, b"hello from the fake server", "{sc:?}");
    }
}

#[test]
fn bad_finished() {
    let config = insecure();
    let (err, mut client) = run_err(&config, &Script { corrupt_finished: true, ..Script::default() });
    assert_eq!(err, Error::BadFinished);
    assert_alert_queued(&client, &err, AlertDescription::DecryptError);
    assert_msg(&err, &["Finished", "tampered"]);
    assert_dead(&mut client, &err);
}

#[test]
fn bad_certificate_verify_signature() {
    for cert in CertKind::ALL {
        let config = insecure();
        let (err, mut client) = run_err(&config, &Script { cert, cv: Cv::WrongContent, ..Script::default() });
        let scheme = match cert {
            CertKind::Ecdsa => SignatureScheme::EcdsaSecp256r1Sha256,
            CertKind::Rsa => SignatureScheme::RsaPssRsaeSha256,
        };
        assert!(matches!(err, Error::BadSignature { scheme: s, .. } if s == scheme), "{cert:?}: {err:?}");
        assert_alert_queued(&client, &err, AlertDescription::DecryptError);
        assert_msg(&err, &["CertificateVerify", scheme.name()]);
        assert_dead(&mut client, &err);
    }
}

/// RFC 8446 §4.4.3: RSA PKCS#1 v1.5 is not allowed in a TLS 1.3
/// CertificateVerify, even with a correct signature; nor is a scheme whose
/// curve does not match the certificate's key.
#[test]
fn certificate_verify_scheme_refused() {
    for (sc, scheme) in [
        (Script { cert: CertKind::Rsa, cv: Cv::Pkcs1, ..Script::default() }, SignatureScheme::RsaPkcs1Sha256),
        (Script { cv: Cv::WrongCurveScheme, ..Script::default() }, SignatureScheme::EcdsaSecp384r1Sha384),
    ] {
        let config = insecure();
        let (err, client) = run_err(&config, &sc);
        assert_eq!(err, Error::PeerMisbehaved(Misbehavior::BadSignatureScheme(scheme)));
        assert_alert_queued(&client, &err, AlertDescription::IllegalParameter);
        assert_msg(&err, &["CertificateVerify", scheme.name()]);
    }
}

#[test]
fn server_hello_unoffered_suite() {
    let config = insecure().with_cipher_suites(&[CipherSuite::Tls13Aes128GcmSha256]).unwrap();
    let (err, client) = run_err(&config, &Script { suite: CipherSuite::Tls13Aes256GcmSha384, ..Script::default() });
    assert_eq!(err, Error::PeerMisbehaved(Misbehavior::UnofferedCipherSuite(CipherSuite::Tls13Aes256GcmSha384)));
    assert_alert_queued(&client, &err, AlertDescription::IllegalParameter);
    assert_msg(&err, &["TLS_AES_256_GCM_SHA384", "not offered"]);
}

#[test]
fn server_hello_wrong_session_id() {
    for sid in [vec![], vec![7u8; 32]] {
        let config = insecure();
        let (err, client) = run_err(&config, &Script { session_id: Some(sid.clone()), ..Script::default() });
        assert_eq!(err, Error::PeerMisbehaved(Misbehavior::SessionIdMismatch), "session id {sid:?}");
        assert_alert_queued(&client, &err, AlertDescription::IllegalParameter);
        assert_msg(&err, &["legacy_session_id"]);
    }
}

/// §4.1.3: a TLS 1.2 (or older) ServerHello whose random ends in the
/// downgrade sentinel means an attacker removed TLS 1.3: illegal_parameter.
/// Without the sentinel it is a plain version mismatch: protocol_version.
#[test]
fn server_hello_downgrade() {
    for tail in [DOWNGRADE_TLS12, DOWNGRADE_TLS11] {
        let config = insecure();
        let sc = Script { supported_versions: false, random_tail: Some(tail), ..Script::default() };
        let (err, client) = run_err(&config, &sc);
        assert_eq!(err, Error::PeerMisbehaved(Misbehavior::DowngradeSentinel));
        assert_alert_queued(&client, &err, AlertDescription::IllegalParameter);
        assert_msg(&err, &["downgrade"]);
    }
    let tls13_only = insecure().with_versions(&[ProtocolVersion::Tls13]).unwrap();
    let (err, client) = run_err(&tls13_only, &Script { supported_versions: false, ..Script::default() });
    assert_eq!(err, Error::Incompatible(Incompatibility::Version(ProtocolVersion::Tls12)));
    assert_alert_queued(&client, &err, AlertDescription::ProtocolVersion);
    assert_msg(&err, &["TLSv1.2", "with_versions"]);
    // With TLS 1.2 offered, a TLS 1.2 ServerHello must carry a TLS 1.2 suite.
    let config = insecure();
    let (err, client) = run_err(&config, &Script { supported_versions: false, ..Script::default() });
    assert_eq!(err, Error::PeerMisbehaved(Misbehavior::UnofferedCipherSuite(CipherSuite::Tls13Aes128GcmSha256)));
    assert_alert_queued(&client, &err, AlertDescription::IllegalParameter);
}

#[test]
fn encrypted_extensions_duplicate() {
    // server_name (0) twice, each empty: offered (SNI "localhost"), allowed in EE.
    let config = insecure();
    let (err, client) = run_err(&config, &Script { ee_extensions: vec![0, 0, 0, 0, 0, 0, 0, 0], ..Script::default() });
    assert_eq!(err, Error::PeerMisbehaved(Misbehavior::DuplicateExtension(0)));
    // A duplicate is a malformed block: decode_error, as the codec bullet says.
    assert_alert_queued(&client, &err, AlertDescription::DecodeError);
    assert_msg(&err, &["server_name", "twice"]);
}

/// §4.2: an extension the client did not offer: unsupported_extension; one it
/// offered but that does not belong in EncryptedExtensions: illegal_parameter.
#[test]
fn encrypted_extensions_unsolicited() {
    for (ext, expected, alert, name) in [
        (
            0x1234u16,
            Misbehavior::UnsolicitedExtension(0x1234),
            AlertDescription::UnsupportedExtension,
            "unknown(0x1234)",
        ),
        (42, Misbehavior::UnsolicitedExtension(42), AlertDescription::UnsupportedExtension, "early_data"),
        (51, Misbehavior::ExtensionNotAllowedHere(51), AlertDescription::IllegalParameter, "key_share"),
    ] {
        let config = insecure();
        let mut block = ext.to_be_bytes().to_vec();
        block.extend_from_slice(&[0, 0]);
        let (err, client) = run_err(&config, &Script { ee_extensions: block, ..Script::default() });
        assert_eq!(err, Error::PeerMisbehaved(expected), "extension {ext:#x}");
        assert_alert_queued(&client, &err, alert);
        assert_msg(&err, &[name]);
    }
}

/// RFC 7301 §3.2: an ALPN answer that is not one of the protocols offered.
#[test]
fn alpn_not_offered() {
    let config = insecure().with_alpn(&[b"mqtt"]).unwrap();
    // application_layer_protocol_negotiation (16): list with "h2".
    let block = vec![0, 16, 0, 5, 0, 3, 2, b'h', b'2'];
    let (err, client) = run_err(&config, &Script { ee_extensions: block, ..Script::default() });
    assert_eq!(err, Error::PeerMisbehaved(Misbehavior::BadAlpn));
    assert_alert_queued(&client, &err, AlertDescription::NoApplicationProtocol);
    assert_msg(&err, &["ALPN", "RFC 7301"]);
}

/// RFC 8449 §5: a server answer with both max_fragment_length and
/// record_size_limit is fatal (illegal_parameter). A client with an 8 KiB
/// receive buffer offers both; the server answers each alone correctly.
#[test]
fn both_record_size_limit_and_max_fragment_length() {
    // record_size_limit (28): 4587, what the client offered; max_fragment_length (1): code 4.
    let rsl = vec![0, 28, 0, 2, 0x11, 0xeb];
    let mfl = vec![0, 1, 0, 1, 4];
    let small = |config: &'static ClientConfig<'static>| {
        Client::new(options(config, ServerName::parse("localhost")), rng(), vec![0; 8192], vec![0; MAX_RECORD]).unwrap()
    };
    let config: &'static ClientConfig<'static> = Box::leak(Box::new(insecure()));
    for alone in [rsl.clone(), mfl.clone()] {
        let mut client = small(config);
        let sc = Script { ee_extensions: alone.clone(), ..Script::default() };
        run(&mut client, &sc).unwrap_or_else(|e| panic!("{alone:02x?} alone: {e}"));
    }
    let mut client = small(config);
    let sc = Script { ee_extensions: [rsl, mfl].concat(), ..Script::default() };
    let err = match run(&mut client, &sc) {
        Ok((s, _, _)) => panic!("both limits accepted: {s:?}"),
        Err(e) => e,
    };
    assert_eq!(err, Error::PeerMisbehaved(Misbehavior::BothRecordSizeLimits));
    assert_alert_queued(&client, &err, AlertDescription::IllegalParameter);
    assert_msg(&err, &["max_fragment_length", "record_size_limit", "RFC 8449"]);
    assert_dead(&mut client, &err);
}

/// RFC 8446 §4.4.2: the server's Certificate has an empty request context.
#[test]
fn certificate_with_context() {
    let config = insecure();
    let (err, client) = run_err(&config, &Script { cert_context: vec![1, 2], ..Script::default() });
    assert_eq!(err, Error::PeerMisbehaved(Misbehavior::NonEmptyCertificateContext));
    assert_alert_queued(&client, &err, AlertDescription::IllegalParameter);
    assert_msg(&err, &["certificate_request_context"]);
}

/// RFC 8446 §4.3.2: a CertificateRequest without signature_algorithms.
#[test]
fn certificate_request_without_signature_algorithms() {
    let config = insecure();
    // Empty context, no extensions.
    let (err, client) = run_err(&config, &Script { certificate_request: Some(vec![0, 0, 0]), ..Script::default() });
    assert_eq!(err, Error::MissingExtension("signature_algorithms"));
    assert_alert_queued(&client, &err, AlertDescription::MissingExtension);
    assert_msg(&err, &["signature_algorithms", "§4.2"]);
}

#[test]
fn certificate_instead_of_encrypted_extensions() {
    let config = insecure();
    let (err, client) = run_err(&config, &Script { skip_ee: true, ..Script::default() });
    assert_eq!(
        err,
        Error::UnexpectedMessage {
            expected: "EncryptedExtensions",
            got: Received::Handshake(HandshakeType::Certificate)
        }
    );
    assert_alert_queued(&client, &err, AlertDescription::UnexpectedMessage);
    assert_msg(&err, &["Certificate", "EncryptedExtensions"]);
}

/// RFC 8446 §5.1: the ServerHello changes the read key, so a record that
/// carries more handshake data after it is refused (the boundary check runs
/// after every handshake message that installed keys, issue 12 item 3).
#[test]
fn handshake_data_after_server_hello_in_its_record() {
    let config = insecure();
    let ee = handshake_msg(HandshakeType::EncryptedExtensions, &[0, 0]);
    for tail in [ee.clone(), ee[..2].to_vec()] {
        let sc = Script { after_server_hello: tail, ..Script::default() };
        let (err, client) = run_err(&config, &sc);
        assert_eq!(err, Error::PeerMisbehaved(Misbehavior::DataBeforeKeyChange));
        assert_alert_queued(&client, &err, AlertDescription::UnexpectedMessage);
    }
}

#[test]
fn second_hello_retry_request() {
    let config = insecure();
    let sc = Script { hrr: Some(NamedGroup::Secp256r1), second_hrr: true, ..Script::default() };
    let (err, client) = run_err(&config, &sc);
    assert_eq!(err, Error::PeerMisbehaved(Misbehavior::SecondHelloRetry));
    // RFC 8446 §4.1.4: "abort the handshake with an unexpected_message alert".
    assert_alert_queued(&client, &err, AlertDescription::UnexpectedMessage);
    assert_msg(&err, &["second HelloRetryRequest"]);
}

// ---------------------------------------------------------------------------
// After the handshake (fake server): bad records and messages; the client's
// alert is protected with its application traffic key and opened here.
// ---------------------------------------------------------------------------

/// Completes a correct handshake and returns the client and the keys.
fn connected<'a>(config: &'a ClientConfig<'a>) -> (TestClient<'a>, Session) {
    let mut client = fresh_unsent(config);
    let (_, _, session) = run(&mut client, &Script::default()).expect("control handshake");
    (client, session)
}

#[test]
fn after_handshake_bad_records_and_messages() {
    let key_update_then_ticket = {
        let mut m = handshake_msg(HandshakeType::KeyUpdate, &[0]);
        m.extend_from_slice(&handshake_msg(HandshakeType::NewSessionTicket, &[0; 13])[..6]);
        m
    };
    /// (what, inner content type, plaintext, error, alert, word in the message)
    type Case = (&'static str, ContentType, Vec<u8>, Error, AlertDescription, &'static str);
    let cases: Vec<Case> = vec![
        (
            "a second Finished",
            ContentType::Handshake,
            handshake_msg(HandshakeType::Finished, &[0; 32]),
            Error::UnexpectedMessage {
                expected: "NewSessionTicket or KeyUpdate",
                got: Received::Handshake(HandshakeType::Finished),
            },
            AlertDescription::UnexpectedMessage,
            "Finished",
        ),
        (
            "KeyUpdate with request_update 2",
            ContentType::Handshake,
            handshake_msg(HandshakeType::KeyUpdate, &[2]),
            Error::PeerMisbehaved(Misbehavior::BadKeyUpdate),
            AlertDescription::IllegalParameter,
            "KeyUpdate",
        ),
        (
            "KeyUpdate not at a record boundary",
            ContentType::Handshake,
            key_update_then_ticket,
            Error::PeerMisbehaved(Misbehavior::DataBeforeKeyChange),
            AlertDescription::UnexpectedMessage,
            "key change",
        ),
        (
            "a protected record of padding only",
            ContentType::Unknown(0),
            vec![0; 10],
            Error::PeerMisbehaved(Misbehavior::NoContentType),
            AlertDescription::UnexpectedMessage,
            "content type",
        ),
        (
            "an empty protected handshake record",
            ContentType::Handshake,
            vec![],
            Error::PeerMisbehaved(Misbehavior::EmptyHandshakeRecord),
            AlertDescription::UnexpectedMessage,
            "empty handshake record",
        ),
    ];
    for (what, typ, plain, expected, alert, needle) in cases {
        let config = insecure();
        let (mut client, mut session) = connected(&config);
        let rec = seal(&mut session.server_write, typ, &plain);
        let err = feed(&mut client, &rec).expect_err(what);
        assert_eq!(err, expected, "{what}");
        assert_eq!(err.alert(), Some(alert), "{what}");
        assert_eq!(session.client_alerts(&mut client), vec![vec![2, alert.to_wire()]], "{what}");
        assert_msg(&err, &[needle]);
        assert_dead(&mut client, &err);
    }
}

/// change_cipher_spec is only tolerated during the handshake (RFC 8446 §5);
/// a corrupted application record gives bad_record_mac under the app key.
#[test]
fn after_handshake_ccs_and_corruption() {
    let config = insecure();
    let (mut client, mut session) = connected(&config);
    let err = feed(&mut client, &record(20, &[1])).expect_err("late change_cipher_spec");
    assert_eq!(err, Error::PeerMisbehaved(Misbehavior::BadChangeCipherSpec));
    assert_eq!(session.client_alerts(&mut client), vec![vec![2, AlertDescription::UnexpectedMessage.to_wire()]]);
    assert_msg(&err, &["change_cipher_spec"]);

    let config = insecure();
    let (mut client, mut session) = connected(&config);
    let mut rec = seal(&mut session.server_write, ContentType::ApplicationData, b"must not be released");
    rec[8] ^= 0x10;
    let err = feed(&mut client, &rec).expect_err("corrupted record");
    assert_eq!(err, Error::BadRecordMac);
    assert_eq!(session.client_alerts(&mut client), vec![vec![2, AlertDescription::BadRecordMac.to_wire()]]);
    assert_dead(&mut client, &err);
}

/// Nothing is sent after our close_notify (RFC 8446 §6.1): a KeyUpdate
/// with update_requested that arrives then is not answered.
#[test]
fn nothing_is_sent_after_close_notify() {
    let config = insecure();
    let (mut client, mut session) = connected(&config);
    client.close();
    assert_eq!(session.client_alerts(&mut client), vec![vec![1, AlertDescription::CloseNotify.to_wire()]]);
    let update =
        seal(&mut session.server_write, ContentType::Handshake, &handshake_msg(HandshakeType::KeyUpdate, &[1]));
    let events = feed(&mut client, &update).expect("a KeyUpdate after our close_notify is no error");
    assert!(events.is_empty(), "{events:?}");
    assert!(client.outgoing().is_empty(), "sent after close_notify: {:02x?}", records(client.outgoing()));
    assert_eq!(client.write(b"x"), Err(Error::Closed));
}

// ---------------------------------------------------------------------------
// Floods (issue 13.2): what a server can send cheaply without progress is
// counted; past a small limit the connection fails with unexpected_message.
// ---------------------------------------------------------------------------

/// RFC 8446 §5: change_cipher_spec records before the server's Finished are
/// dropped, but not without limit: ServerHello then 2 000 of them fails.
#[test]
fn flood_of_change_cipher_spec_after_server_hello() {
    let config = insecure();
    let mut client = fresh_unsent(&config);
    let sc = Script::default();
    let ch = take_client_hello(&mut client);
    let (group, _) = client_share(&ch);
    let share = KeyShare::generate(&mut embertls::crypto::RustCrypto, group, &mut rng()).expect("server key share");
    let pk = share.public().to_vec();
    let sh = server_hello(&ch, &sc, [7; 32], |w| {
        write_extension(w, 51, |w| {
            w.u16(group.to_wire())?;
            w.vec(2, &pk)
        })
    });
    let mut recs = vec![record(22, &sh)];
    recs.extend(std::iter::repeat_n(record(20, &[1]), 2000));
    let err = feed(&mut client, &recs.concat()).expect_err("2 000 change_cipher_spec records");
    assert_flood(&err, Flood::ChangeCipherSpec);
    assert_alert_queued(&client, &err, AlertDescription::UnexpectedMessage);
    assert_dead(&mut client, &err);
}

/// After the handshake: empty application data records, user_canceled
/// warnings, KeyUpdates (with and without update_requested) and
/// NewSessionTickets of lifetime 0, 2 000 of each, all fail; fewer than the
/// limit, with application data between the runs, do not.
#[test]
fn floods_after_the_handshake() {
    // Lifetime 0, age_add, empty nonce, a 4-byte ticket, no extensions.
    let nst0 = handshake_msg(HandshakeType::NewSessionTicket, &[0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 4, 9, 9, 9, 9, 0, 0]);
    type Case = (&'static str, Flood, ContentType, Vec<u8>);
    let cases: Vec<Case> = vec![
        ("empty application data", Flood::EmptyRecord, ContentType::ApplicationData, vec![]),
        ("user_canceled", Flood::WarningAlert, ContentType::Alert, vec![1, 90]),
        ("KeyUpdate", Flood::KeyUpdate, ContentType::Handshake, handshake_msg(HandshakeType::KeyUpdate, &[0])),
        (
            "KeyUpdate requested",
            Flood::KeyUpdate,
            ContentType::Handshake,
            handshake_msg(HandshakeType::KeyUpdate, &[1]),
        ),
        ("lifetime-0 ticket", Flood::DiscardedTicket, ContentType::Handshake, nst0),
    ];
    let (hash, _) = suite_algs(CipherSuite::Tls13Aes128GcmSha256);
    let aead = AeadAlg::Aes128Gcm;
    for (what, kind, typ, plain) in cases {
        let is_key_update = plain.first() == Some(&HandshakeType::KeyUpdate.to_wire());
        // Seals `n` records of the case, ratcheting the server key after each KeyUpdate.
        let burst = |s: &mut Session, n: usize| -> Vec<u8> {
            let mut wire = Vec::new();
            for _ in 0..n {
                wire.extend(seal(&mut s.server_write, typ, &plain));
                if is_key_update {
                    s.server_secret = next_traffic_secret(&mut embertls::crypto::RustCrypto, hash, &s.server_secret);
                    s.server_write = Protection::new(TrafficKeys::derive(
                        &mut embertls::crypto::RustCrypto,
                        hash,
                        aead,
                        &s.server_secret,
                    ));
                }
            }
            wire
        };
        let limit = usize::from(kind.limit());
        let config = insecure();
        let (mut client, mut session) = connected(&config);
        // Up to the limit, then data (progress), then up to the limit again: fine.
        for round in 0..2 {
            let mut wire = burst(&mut session, limit);
            wire.extend(seal(&mut session.server_write, ContentType::ApplicationData, b"progress"));
            let mut data = Vec::new();
            feed_data(&mut client, &wire, &mut data).unwrap_or_else(|e| panic!("{what}, round {round}: {e}"));
            assert_eq!(data, b"progress", "{what}");
            let n = client.outgoing().len();
            client.sent(n);
        }
        let wire = burst(&mut session, 2000);
        let err = feed(&mut client, &wire).expect_err(what);
        assert_flood(&err, kind);
        assert_dead(&mut client, &err);
    }
}

/// A record bigger than the caller's receive buffer is a clear error.
#[test]
fn record_larger_than_receive_buffer() {
    let config = insecure();
    let mut peer = MemPeer::with_buffers(&config, rustls_config(CertKind::Rsa, &[], &[]), 600, 4096);
    let err = peer.try_handshake().expect_err("the RSA flight does not fit 600 bytes");
    match err {
        Error::ReceiveBufferTooSmall { needed, capacity } => {
            assert_eq!(capacity, 600);
            assert!(needed > capacity, "needed {needed}");
        }
        ref other => panic!("{other:?}"),
    }
    assert_eq!(err.alert(), Some(AlertDescription::InternalError));
    assert_msg(&err, &["receive buffer", "600"]);
}
