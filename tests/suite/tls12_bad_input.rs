//! TLS 1.2 failure paths: a real rustls server whose records are rewritten
//! on the way to the client (tampered suite, group, signature, extensions,
//! version, Finished, ...). Each must end in the right typed error and alert,
//! with the connection dead afterwards: never a panic, never unauthenticated data.
#![allow(clippy::result_large_err)]

use crate::common;

use common::engine::{assert_dead, assert_flood, assert_msg, insecure};
use common::peer::{records, rustls_config_tls12, CertKind, MemPeer, TestClient};
use embertls::msgs::server_hello::{DOWNGRADE_TLS11, DOWNGRADE_TLS12};
use embertls::{
    AlertDescription, CipherSuite, ClientConfig, Error, Event, Flood, Incompatibility, Misbehavior, NamedGroup,
    ProtocolVersion, Received, SessionTicket,
};

fn tls12_only() -> ClientConfig<'static> {
    insecure().with_versions(&[ProtocolVersion::Tls12]).unwrap()
}

const ECDSA_AES128: CipherSuite = CipherSuite::EcdheEcdsaWithAes128GcmSha256;

fn server() -> rustls::ServerConfig {
    rustls_config_tls12(CertKind::Ecdsa, &[], &[])
}

/// Applies `f` to the body of every handshake message of type `typ` in a
/// plaintext handshake record, fixing the message and record lengths.
fn rewrite(rec: &mut Vec<u8>, typ: u8, mut f: impl FnMut(&mut Vec<u8>)) {
    if rec[0] != 22 {
        return;
    }
    let mut out = Vec::new();
    let mut p = 5;
    while p + 4 <= rec.len() {
        let len = u32::from_be_bytes([0, rec[p + 1], rec[p + 2], rec[p + 3]]) as usize;
        if p + 4 + len > rec.len() {
            return; // not a plaintext handshake record (e.g. an encrypted Finished)
        }
        let mut body = rec[p + 4..p + 4 + len].to_vec();
        if rec[p] == typ {
            f(&mut body);
        }
        out.push(rec[p]);
        out.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        out.extend_from_slice(&body);
        p += 4 + len;
    }
    let mut new = rec[..5].to_vec();
    new[3..5].copy_from_slice(&(out.len() as u16).to_be_bytes());
    new.extend_from_slice(&out);
    *rec = new;
}

/// A ServerHello body split into its fields, with its extensions as a list.
struct Hello {
    version: [u8; 2],
    random: [u8; 32],
    session_id: Vec<u8>,
    suite: u16,
    compression: u8,
    extensions: Vec<(u16, Vec<u8>)>,
}

impl Hello {
    fn parse(b: &[u8]) -> Hello {
        let sid_len = b[34] as usize;
        let mut p = 35 + sid_len;
        let suite = u16::from_be_bytes([b[p], b[p + 1]]);
        let compression = b[p + 2];
        p += 3;
        let mut extensions = Vec::new();
        if p < b.len() {
            let end = p + 2 + u16::from_be_bytes([b[p], b[p + 1]]) as usize;
            p += 2;
            while p < end {
                let t = u16::from_be_bytes([b[p], b[p + 1]]);
                let l = u16::from_be_bytes([b[p + 2], b[p + 3]]) as usize;
                extensions.push((t, b[p + 4..p + 4 + l].to_vec()));
                p += 4 + l;
            }
        }
        Hello {
            version: [b[0], b[1]],
            random: b[2..34].try_into().unwrap(),
            session_id: b[35..35 + sid_len].to_vec(),
            suite,
            compression,
            extensions,
        }
    }

    fn encode(&self) -> Vec<u8> {
        let mut v = self.version.to_vec();
        v.extend_from_slice(&self.random);
        v.push(self.session_id.len() as u8);
        v.extend_from_slice(&self.session_id);
        v.extend_from_slice(&self.suite.to_be_bytes());
        v.push(self.compression);
        let mut exts = Vec::new();
        for (t, d) in &self.extensions {
            exts.extend_from_slice(&t.to_be_bytes());
            exts.extend_from_slice(&(d.len() as u16).to_be_bytes());
            exts.extend_from_slice(d);
        }
        v.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        v.extend_from_slice(&exts);
        v
    }
}

/// A tamper hook that edits the ServerHello.
fn edit_hello(mut f: impl FnMut(&mut Hello) + 'static) -> common::peer::Tamper {
    Box::new(move |_, rec| {
        rewrite(rec, 2, |body| {
            let mut h = Hello::parse(body);
            f(&mut h);
            *body = h.encode();
        })
    })
}

/// Runs the handshake with `tamper`; returns the error and the client.
fn fail_with<'a>(
    config: &'a ClientConfig<'a>,
    server: rustls::ServerConfig,
    tamper: common::peer::Tamper,
) -> (Error, MemPeer<'a>) {
    let mut p = MemPeer::new(config, server);
    p.tamper = Some(tamper);
    let err = p.try_handshake().expect_err("the tampered handshake must fail");
    (err, p)
}

/// The error's alert is the last record queued: in clear before the
/// client's ChangeCipherSpec, else protected (8 + 2 + 16 bytes with AES-GCM).
fn assert_alert(client: &TestClient<'_>, err: &Error, alert: AlertDescription) {
    assert_eq!(err.alert(), Some(alert), "{err:?}");
    let recs = records(client.outgoing());
    match recs.last() {
        Some((21, body)) if body.len() == 2 => assert_eq!(body, &vec![2u8, alert.to_wire()], "{recs:02x?}"),
        Some((21, body)) => assert_eq!(body.len(), 2 + 8 + 16, "an encrypted alert: {recs:02x?}"),
        other => panic!("no alert queued: {other:02x?}"),
    }
}

#[test]
fn a_suite_that_was_not_offered() {
    let config = tls12_only().with_cipher_suites(&[ECDSA_AES128]).unwrap();
    let (err, mut p) = fail_with(&config, server(), edit_hello(|h| h.suite = 0xc030));
    assert_eq!(err, Error::PeerMisbehaved(Misbehavior::UnofferedCipherSuite(CipherSuite::EcdheRsaWithAes256GcmSha384)));
    assert_alert(&p.client, &err, AlertDescription::IllegalParameter);
    assert_msg(&err, &["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "not offered"]);
    assert_dead(&mut p.client, &err);
    // A TLS 1.3 suite in a TLS 1.2 ServerHello is just as wrong.
    let (err, _) = fail_with(&config, server(), edit_hello(|h| h.suite = 0x1301));
    assert_eq!(err, Error::PeerMisbehaved(Misbehavior::UnofferedCipherSuite(CipherSuite::Tls13Aes128GcmSha256)));
}

#[test]
fn a_group_that_was_not_offered() {
    let config = tls12_only().with_groups(&[NamedGroup::X25519]).unwrap();
    // ServerECDHParams: curve_type(1) namedcurve(2): rewrite x25519 to secp384r1.
    let tamper: common::peer::Tamper = Box::new(|_, rec| rewrite(rec, 12, |b| b[1..3].copy_from_slice(&[0, 0x18])));
    let (err, mut p) = fail_with(&config, server(), tamper);
    assert_eq!(err, Error::PeerMisbehaved(Misbehavior::UnofferedGroup(NamedGroup::Secp384r1)));
    assert_alert(&p.client, &err, AlertDescription::IllegalParameter);
    assert_msg(&err, &["secp384r1", "not offered", "RFC 8422"]);
    assert_dead(&mut p.client, &err);
}

#[test]
fn a_bad_server_key_exchange_signature() {
    for cert in CertKind::ALL {
        let config = tls12_only();
        // Flip the last byte of the signature (the end of the message).
        let tamper: common::peer::Tamper = Box::new(|_, rec| {
            rewrite(rec, 12, |b| {
                let n = b.len();
                b[n - 1] ^= 0x01;
            })
        });
        let (err, mut p) = fail_with(&config, rustls_config_tls12(cert, &[], &[]), tamper);
        let Error::BadSignature { key, .. } = &err else { panic!("{cert:?}: {err:?}") };
        assert_eq!(*key, if cert == CertKind::Ecdsa { "ECDSA P-256" } else { "RSA" });
        assert_alert(&p.client, &err, AlertDescription::DecryptError);
        assert_dead(&mut p.client, &err);
        // The same for the ECDH point: the signature covers it.
        let tamper: common::peer::Tamper = Box::new(|_, rec| rewrite(rec, 12, |b| b[10] ^= 0x40));
        let (err, _) = fail_with(&config, rustls_config_tls12(cert, &[], &[]), tamper);
        assert!(matches!(err, Error::BadSignature { .. }), "{cert:?}: {err:?}");
    }
}

#[test]
fn a_server_without_extended_master_secret() {
    let drop_ems = || edit_hello(|h| h.extensions.retain(|e| e.0 != 23));
    let config = tls12_only();
    let (err, mut p) = fail_with(&config, server(), drop_ems());
    assert_eq!(err, Error::Incompatible(Incompatibility::ExtendedMasterSecret));
    assert_alert(&p.client, &err, AlertDescription::HandshakeFailure);
    assert_msg(&err, &["extended master secret", "RFC 7627", "danger_allow_tls12_without_extended_master_secret"]);
    assert_dead(&mut p.client, &err);
    // With the named opt-out the client goes on (and here fails later, since
    // the real server did use the extended master secret: the keys differ).
    let lax = tls12_only().danger_allow_tls12_without_extended_master_secret();
    let (err, _) = fail_with(&lax, server(), drop_ems());
    assert_ne!(err, Error::Incompatible(Incompatibility::ExtendedMasterSecret));
}

#[test]
fn renegotiation_info_is_required_and_must_be_empty() {
    let config = tls12_only();
    let (err, mut p) = fail_with(&config, server(), edit_hello(|h| h.extensions.retain(|e| e.0 != 0xff01)));
    assert_eq!(err, Error::Incompatible(Incompatibility::SecureRenegotiation));
    assert_alert(&p.client, &err, AlertDescription::HandshakeFailure);
    assert_msg(&err, &["RFC 5746"]);
    assert_dead(&mut p.client, &err);
    let tamper = edit_hello(|h| {
        for e in h.extensions.iter_mut().filter(|e| e.0 == 0xff01) {
            e.1 = vec![12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        }
    });
    let (err, p) = fail_with(&config, server(), tamper);
    assert_eq!(err, Error::PeerMisbehaved(Misbehavior::BadRenegotiationInfo));
    assert_alert(&p.client, &err, AlertDescription::HandshakeFailure);
}

#[test]
fn an_extension_that_was_not_offered() {
    let config = tls12_only();
    // status_request (5) was never offered.
    let (err, p) = fail_with(&config, server(), edit_hello(|h| h.extensions.push((5, vec![]))));
    assert_eq!(err, Error::PeerMisbehaved(Misbehavior::UnsolicitedExtension(5)));
    assert_alert(&p.client, &err, AlertDescription::UnsupportedExtension);
    // key_share was not offered in a TLS 1.2-only hello.
    let (err, _) = fail_with(&config, server(), edit_hello(|h| h.extensions.push((51, vec![0, 0x1d, 0, 0]))));
    assert_eq!(err, Error::PeerMisbehaved(Misbehavior::UnsolicitedExtension(51)));
    // supported_versions from a server we offered only TLS 1.2.
    let (err, _) = fail_with(&config, server(), edit_hello(|h| h.extensions.push((43, vec![3, 4]))));
    assert_eq!(err, Error::PeerMisbehaved(Misbehavior::UnsolicitedExtension(43)));
}

#[test]
fn the_downgrade_sentinel_is_checked_when_tls13_was_offered() {
    for tail in [DOWNGRADE_TLS12, DOWNGRADE_TLS11] {
        let config = insecure();
        let (err, p) = fail_with(&config, server(), edit_hello(move |h| h.random[24..].copy_from_slice(&tail)));
        assert_eq!(err, Error::PeerMisbehaved(Misbehavior::DowngradeSentinel));
        assert_alert(&p.client, &err, AlertDescription::IllegalParameter);
        assert_msg(&err, &["downgrade", "RFC 8446 §4.1.3"]);
    }
    // A TLS 1.2-only client may meet a TLS 1.3 server that marks its random
    // (it must, §4.1.3): no sentinel error (the rewritten random then breaks
    // the ServerKeyExchange signature, which covers it).
    let config = tls12_only();
    let (err, _) = fail_with(&config, server(), edit_hello(|h| h.random[24..].copy_from_slice(&DOWNGRADE_TLS12)));
    assert!(matches!(err, Error::BadSignature { .. }), "{err:?}");
}

#[test]
fn obsolete_versions_are_refused_by_name() {
    for (wire, v, name) in [
        ([3, 0], ProtocolVersion::Ssl3, "SSLv3"),
        ([3, 1], ProtocolVersion::Tls10, "TLSv1.0"),
        ([3, 2], ProtocolVersion::Tls11, "TLSv1.1"),
    ] {
        let config = insecure();
        let (err, mut p) = fail_with(&config, server(), edit_hello(move |h| h.version = wire));
        assert_eq!(err, Error::Incompatible(Incompatibility::Version(v)));
        assert_alert(&p.client, &err, AlertDescription::ProtocolVersion);
        assert_msg(&err, &[name, "obsolete", "TLS 1.2 or 1.3"]);
        assert_dead(&mut p.client, &err);
    }
    // TLS 1.3 only against a TLS 1.2-only server: the server refuses first
    // (bad_input.rs covers a client that receives the TLS 1.2 ServerHello).
    let config = insecure().with_versions(&[ProtocolVersion::Tls13]).unwrap();
    let (err, _) = fail_with(&config, server(), Box::new(|_, _| {}));
    assert_eq!(err, Error::AlertReceived(AlertDescription::ProtocolVersion));
    assert_msg(&err, &["protocol_version", "does not accept the offered TLS version"]);
}

#[test]
fn a_change_cipher_spec_out_of_order() {
    let config = tls12_only();
    // A CCS record right after the ServerHello, before the key exchange.
    let tamper: common::peer::Tamper = Box::new(|i, rec| {
        if i == 0 {
            rec.extend_from_slice(&[20, 3, 3, 0, 1, 1]);
        }
    });
    let (err, mut p) = fail_with(&config, server(), tamper);
    assert!(
        matches!(
            err,
            Error::UnexpectedMessage {
                got: Received::Record(embertls::msgs::enums::ContentType::ChangeCipherSpec),
                ..
            }
        ),
        "{err:?}"
    );
    assert_alert(&p.client, &err, AlertDescription::UnexpectedMessage);
    assert_dead(&mut p.client, &err);
}

#[test]
fn hello_request_during_the_handshake_is_ignored() {
    let config = tls12_only();
    // RFC 5246 §7.4.1.1: a HelloRequest while negotiating is ignored (and
    // is not part of the transcript, so Finished still verifies).
    let tamper: common::peer::Tamper = Box::new(|i, rec| {
        if i == 1 {
            let mut hr = vec![22, 3, 3, 0, 4, 0, 0, 0, 0];
            hr.extend_from_slice(rec);
            *rec = hr;
        }
    });
    let mut p = MemPeer::new(&config, server());
    p.tamper = Some(tamper);
    let s = p.handshake();
    assert_eq!(s.version, ProtocolVersion::Tls12);
    p.client_write(b"still fine");
    assert_eq!(p.server_read(), b"still fine");
}

#[test]
fn corrupted_and_truncated_records() {
    // A flipped bit in any protected record from the server: bad_record_mac.
    let config = tls12_only();
    let mut p = MemPeer::new(&config, server());
    p.handshake();
    p.tamper = Some(Box::new(|_, rec| {
        let n = rec.len();
        rec[n - 3] ^= 0x10;
    }));
    p.server_write(b"secret data");
    let err = loop {
        match p.next_event() {
            Ok(Event::ApplicationData(_)) => panic!("tampered data was released"),
            Ok(Event::NeedData) => panic!("stalled"),
            Ok(_) => {}
            Err(e) => break e,
        }
    };
    assert_eq!(err, Error::BadRecordMac);
    assert_alert(&p.client, &err, AlertDescription::BadRecordMac);
    assert_eq!(p.client.read(&mut [0u8; 64]), 0);
    // Cut in the middle of the server's flight: the transport's end is truncation.
    let mut p = MemPeer::new(&config, server());
    p.tamper = Some(Box::new(|i, rec| {
        if i == 1 {
            rec.truncate(rec.len() / 2);
        }
    }));
    p.pump();
    while p.deliver(usize::MAX) > 0 {}
    let err = loop {
        match p.client.process() {
            Ok(Event::NeedData) => p.client.received(0),
            Ok(ev) => panic!("{ev:?}"),
            Err(e) => break e,
        }
    };
    assert!(matches!(err, Error::Truncated | Error::Decode { .. }), "{err:?}");
}

/// A rustls server that issues RFC 5077 tickets, and the serialized ticket
/// of one full handshake with it (announced before the server's Finished).
fn ticketing_server_and_ticket(config: &ClientConfig<'_>) -> (rustls::ServerConfig, Vec<u8>) {
    let mut base = server();
    base.ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
    let mut p = MemPeer::new(config, base.clone());
    loop {
        match p.next_event().expect("first handshake") {
            Event::SessionTicket => {
                let mut buf = vec![0u8; 2048];
                let n = p.client.session_ticket(&mut buf).unwrap();
                buf.truncate(n);
                return (base, buf);
            }
            Event::HandshakeComplete(_) => panic!("no ticket"),
            _ => {}
        }
    }
}

/// In a resumed handshake the server's Finished comes first: a ServerHello
/// altered in a way the client accepts (extensions reordered) changes the
/// transcript, so the Finished does not match.
#[test]
fn a_finished_that_does_not_match() {
    let config = tls12_only();
    let (base, ticket) = ticketing_server_and_ticket(&config);
    let t = SessionTicket::decode(&ticket).unwrap();
    let mut p2 = MemPeer::resuming(&config, base, None, t.with_age(1));
    p2.tamper = Some(edit_hello(|h| h.extensions.reverse()));
    let err = p2.try_handshake().expect_err("altered transcript");
    assert_eq!(err, Error::BadFinished);
    assert_alert(&p2.client, &err, AlertDescription::DecryptError);
    assert_msg(&err, &["Finished"]);
    assert_dead(&mut p2.client, &err);
}

// ---------------------------------------------------------------------------
// Renegotiation (RFC 5746 §4.2): the server's keys come from rustls's key log
// ---------------------------------------------------------------------------

/// Keeps rustls's TLS 1.2 master secret (NSS key log "CLIENT_RANDOM" line).
#[derive(Debug, Default)]
struct MasterLog(std::sync::Mutex<Vec<u8>>);

impl rustls::KeyLog for MasterLog {
    fn log(&self, label: &str, _client_random: &[u8], secret: &[u8]) {
        if label == "CLIENT_RANDOM" {
            *self.0.lock().unwrap() = secret.to_vec();
        }
    }
}

/// A connected client, and the server's and client's record protection
/// (AES-128-GCM) positioned after the handshake.
fn connected_with_keys(
    config: &ClientConfig<'static>,
) -> (
    MemPeer<'static>,
    embertls::record::Protection<embertls::crypto::RustCrypto>,
    embertls::record::Protection<embertls::crypto::RustCrypto>,
) {
    use embertls::crypto::{AeadAlg, HashAlg};
    use embertls::key_schedule::tls12::MasterSecret12;
    let log = std::sync::Arc::new(MasterLog::default());
    let mut cfg = server();
    cfg.key_log = log.clone();
    let config: &'static ClientConfig<'static> = Box::leak(Box::new(config.clone()));
    let mut p = MemPeer::new(config, cfg);
    let randoms = std::sync::Arc::new(std::sync::Mutex::new([0u8; 64]));
    let r = randoms.clone();
    let client_random: [u8; 32] = records(p.client.outgoing())[0].1[6..38].try_into().unwrap();
    r.lock().unwrap()[32..].copy_from_slice(&client_random);
    // The server's first record starts with its ServerHello (RFC 5246 §7.3);
    // its encrypted Finished may start with a 2 as well.
    p.tamper = Some(Box::new(move |i, rec| {
        if i == 0 && rec[0] == 22 && rec[5] == 2 {
            r.lock().unwrap()[..32].copy_from_slice(&rec[5 + 6..5 + 38]); // server_random
        }
    }));
    let s = p.handshake();
    assert_eq!(s.cipher_suite, ECDSA_AES128);
    p.tamper = None;
    // rustls gave a session ID: the client announces it once after the handshake.
    assert_eq!(p.client.process(), Ok(Event::SessionTicket));
    assert_eq!(p.client.process(), Ok(Event::NeedData));
    let master = MasterSecret12::from_bytes(HashAlg::Sha256, &log.0.lock().unwrap()).expect("master secret");
    let sc = *randoms.lock().unwrap();
    let kb = master.key_block(&mut embertls::crypto::RustCrypto, &sc, 16, 4);
    let (sk, siv) = kb.server();
    let (ck, civ) = kb.client();
    let mut server_write =
        embertls::record::Protection::tls12(&mut embertls::crypto::RustCrypto, AeadAlg::Aes128Gcm, sk, siv);
    let mut client_read =
        embertls::record::Protection::tls12(&mut embertls::crypto::RustCrypto, AeadAlg::Aes128Gcm, ck, civ);
    // Sequence number 0 was each side's Finished: step both past it.
    let mut scratch = [0u8; 64];
    let n = server_write
        .seal(&mut embertls::crypto::RustCrypto, embertls::msgs::enums::ContentType::Handshake, &mut scratch, 0)
        .unwrap();
    let mut client_write =
        embertls::record::Protection::tls12(&mut embertls::crypto::RustCrypto, AeadAlg::Aes128Gcm, ck, civ);
    let m = client_write
        .seal(&mut embertls::crypto::RustCrypto, embertls::msgs::enums::ContentType::Handshake, &mut scratch[n..], 0)
        .unwrap();
    client_read.open(&mut embertls::crypto::RustCrypto, &mut scratch[n..n + m]).unwrap();
    (p, server_write, client_read)
}

fn inject(
    p: &mut MemPeer<'_>,
    prot: &mut embertls::record::Protection<embertls::crypto::RustCrypto>,
    typ: u8,
    body: &[u8],
) {
    let mut rec = vec![0u8; 5 + body.len() + 24];
    rec[5..5 + body.len()].copy_from_slice(body);
    let n = prot
        .seal(
            &mut embertls::crypto::RustCrypto,
            embertls::msgs::enums::ContentType::from_wire(typ),
            &mut rec,
            body.len(),
        )
        .unwrap();
    rec.truncate(n);
    p.to_client.extend(rec);
}

#[test]
fn hello_request_after_the_handshake_gets_no_renegotiation() {
    let (mut p, mut server_write, mut client_read) =
        connected_with_keys(&tls12_only().with_cipher_suites(&[ECDSA_AES128]).unwrap());
    inject(&mut p, &mut server_write, 22, &[0, 0, 0, 0]);
    p.deliver(usize::MAX);
    assert_eq!(p.client.process(), Ok(Event::NeedData), "a HelloRequest is not an error");
    // The answer: one protected warning alert, no_renegotiation (RFC 5746 §4.2).
    let out = records(p.client.outgoing());
    assert_eq!(out.len(), 1, "{out:02x?}");
    let (typ, body) = &out[0];
    assert_eq!(*typ, 21);
    let mut rec = [&[21u8, 3, 3][..], &(body.len() as u16).to_be_bytes(), body].concat();
    let (t, n) =
        client_read.open(&mut embertls::crypto::RustCrypto, &mut rec).expect("the alert opens with the client's key");
    assert_eq!((t.to_wire(), &rec[5..5 + n]), (21, &[1u8, AlertDescription::NoRenegotiation.to_wire()][..]));
    let k = p.client.outgoing().len();
    p.client.sent(k);
    // The connection goes on.
    inject(&mut p, &mut server_write, 23, b"still connected");
    p.deliver(usize::MAX);
    assert_eq!(p.client.process(), Ok(Event::ApplicationData(15)));
    let mut buf = [0u8; 32];
    let n = p.client.read(&mut buf);
    assert_eq!(&buf[..n], b"still connected");
    assert!(p.client.write(b"x").is_ok());
}

/// Nothing is sent after our close_notify (RFC 5246 §7.2.1): a HelloRequest
/// that arrives then gets no no_renegotiation answer, and data can still be read.
#[test]
fn hello_request_after_our_close_notify_is_not_answered() {
    let (mut p, mut server_write, mut client_read) =
        connected_with_keys(&tls12_only().with_cipher_suites(&[ECDSA_AES128]).unwrap());
    p.client.close();
    let out = records(p.client.outgoing());
    assert_eq!(out.len(), 1, "the close_notify: {out:02x?}");
    let mut rec = [&[21u8, 3, 3][..], &(out[0].1.len() as u16).to_be_bytes(), &out[0].1].concat();
    let (t, n) =
        client_read.open(&mut embertls::crypto::RustCrypto, &mut rec).expect("the alert opens with the client's key");
    assert_eq!((t.to_wire(), &rec[5..5 + n]), (21, &[1u8, AlertDescription::CloseNotify.to_wire()][..]));
    let k = p.client.outgoing().len();
    p.client.sent(k);
    inject(&mut p, &mut server_write, 22, &[0, 0, 0, 0]);
    inject(&mut p, &mut server_write, 23, b"late data");
    p.deliver(usize::MAX);
    assert_eq!(p.client.process(), Ok(Event::ApplicationData(9)));
    assert!(p.client.outgoing().is_empty(), "sent after close_notify: {:02x?}", records(p.client.outgoing()));
}

#[test]
fn renegotiation_without_hello_request_and_bad_hello_requests_are_refused() {
    let config = tls12_only().with_cipher_suites(&[ECDSA_AES128]).unwrap();
    // A ServerHello on an established connection: no renegotiation, ever.
    let (mut p, mut server_write, _) = connected_with_keys(&config);
    let mut sh = vec![2, 0, 0, 38, 3, 3];
    sh.extend_from_slice(&[7; 32]);
    sh.extend_from_slice(&[0, 0xc0, 0x2b, 0]);
    inject(&mut p, &mut server_write, 22, &sh);
    p.deliver(usize::MAX);
    let err = p.client.process().expect_err("renegotiation refused");
    assert!(matches!(err, Error::UnexpectedMessage { .. }), "{err:?}");
    assert_eq!(err.alert(), Some(AlertDescription::UnexpectedMessage));
    assert_msg(&err, &["ServerHello"]);
    assert_dead(&mut p.client, &err);
    // A HelloRequest with a body.
    let (mut p, mut server_write, _) = connected_with_keys(&config);
    inject(&mut p, &mut server_write, 22, &[0, 0, 0, 1, 0]);
    p.deliver(usize::MAX);
    let err = p.client.process().expect_err("malformed HelloRequest");
    assert_eq!(err, Error::Decode { what: "HelloRequest (must be empty)" });
    assert_eq!(err.alert(), Some(AlertDescription::DecodeError));
}

// ---------------------------------------------------------------------------
// Floods (issue 13.2): warning alerts, HelloRequests and empty records are
// counted; past a small limit the connection fails with unexpected_message.
// ---------------------------------------------------------------------------

/// During the handshake: 2 000 warning alerts, or 2 000 HelloRequests
/// (each ignored while negotiating, RFC 5246 §7.4.1.1), before the
/// server's Certificate.
#[test]
fn floods_during_the_handshake() {
    for (kind, rec) in [
        (Flood::WarningAlert, vec![21u8, 3, 3, 0, 2, 1, AlertDescription::UnrecognizedName.to_wire()]),
        (Flood::HelloRequest, vec![22u8, 3, 3, 0, 4, 0, 0, 0, 0]),
    ] {
        let config = tls12_only();
        let r = rec.clone();
        let tamper: common::peer::Tamper = Box::new(move |i, rec| {
            if i == 1 {
                *rec = [r.repeat(2000), std::mem::take(rec)].concat();
            }
        });
        let (err, mut p) = fail_with(&config, server(), tamper);
        assert_flood(&err, kind);
        assert_alert(&p.client, &err, AlertDescription::UnexpectedMessage);
        assert_dead(&mut p.client, &err);
        // Up to the limit the handshake completes.
        let r = rec.clone();
        let n = usize::from(kind.limit());
        let mut p = MemPeer::new(&config, server());
        p.tamper = Some(Box::new(move |i, rec| {
            if i == 1 {
                *rec = [r.repeat(n), std::mem::take(rec)].concat();
            }
        }));
        p.handshake();
    }
}

/// After the handshake: 2 000 warning alerts, empty application data
/// records or HelloRequests (each answered with no_renegotiation) fail;
/// runs up to the limit with application data between them do not.
#[test]
fn floods_after_the_handshake() {
    let config = tls12_only().with_cipher_suites(&[ECDSA_AES128]).unwrap();
    for (kind, typ, body) in [
        (Flood::WarningAlert, 21u8, vec![1u8, AlertDescription::UnrecognizedName.to_wire()]),
        (Flood::EmptyRecord, 23, vec![]),
        (Flood::HelloRequest, 22, vec![0, 0, 0, 0]),
    ] {
        let (mut p, mut server_write, _) = connected_with_keys(&config);
        for round in 0..2 {
            for _ in 0..kind.limit() {
                inject(&mut p, &mut server_write, typ, &body);
            }
            inject(&mut p, &mut server_write, 23, b"progress");
            p.deliver(usize::MAX);
            assert_eq!(p.client.process(), Ok(Event::ApplicationData(8)), "{kind:?}, round {round}");
            assert_eq!(p.client.read(&mut [0u8; 16]), 8);
            let k = p.client.outgoing().len();
            p.client.sent(k);
        }
        for _ in 0..2000 {
            inject(&mut p, &mut server_write, typ, &body);
        }
        let err = loop {
            p.deliver(usize::MAX);
            match p.client.process() {
                Ok(Event::NeedData) if p.to_client.is_empty() => panic!("{kind:?}: 2 000 accepted"),
                Ok(_) => {}
                Err(e) => break e,
            }
        };
        assert_flood(&err, kind);
        assert_dead(&mut p.client, &err);
    }
}

#[test]
fn a_resumption_that_was_not_offered_or_changes_the_session() {
    // The default configuration (TLS 1.3 offered too) sends a random 32-byte
    // session ID; a TLS 1.2 server echoing it claims to resume a session we never had.
    let config = insecure();
    let mut p = MemPeer::new(&config, server());
    let ch = records(p.client.outgoing())[0].1.clone();
    let sid = ch[4 + 2 + 32 + 1..4 + 2 + 32 + 1 + usize::from(ch[4 + 2 + 32])].to_vec();
    assert_eq!(sid.len(), 32);
    p.tamper = Some(edit_hello(move |h| h.session_id = sid.clone()));
    let err = p.try_handshake().expect_err("unoffered resumption");
    assert_eq!(err, Error::PeerMisbehaved(Misbehavior::UnofferedResumption));
    assert_alert(&p.client, &err, AlertDescription::IllegalParameter);
    assert_msg(&err, &["resumes a session", "RFC 5246 §7.4.1.3"]);

    // A resumed session must keep its cipher suite (and the extended master secret).
    let config = tls12_only();
    let (base, ticket) = ticketing_server_and_ticket(&config);
    let t = SessionTicket::decode(&ticket).unwrap();
    assert_eq!(t.cipher_suite, ECDSA_AES128);
    for (what, edit) in [
        ("another suite", Box::new(|h: &mut Hello| h.suite = 0xcca9) as Box<dyn Fn(&mut Hello)>),
        ("no extended master secret", Box::new(|h: &mut Hello| h.extensions.retain(|e| e.0 != 23))),
    ] {
        let mut again = MemPeer::resuming(&config, base.clone(), None, t.with_age(1));
        again.tamper = Some(edit_hello(edit));
        let err = again.try_handshake().expect_err(what);
        assert_eq!(err, Error::PeerMisbehaved(Misbehavior::ResumedSessionChanged), "{what}");
        assert_alert(&again.client, &err, AlertDescription::IllegalParameter);
        assert_msg(&err, &["resumed the session", "RFC 7627 §5.3"]);
    }
}

#[test]
fn ec_point_formats_without_uncompressed() {
    let config = tls12_only();
    let tamper = edit_hello(|h| {
        h.extensions.retain(|e| e.0 != 11);
        h.extensions.push((11, vec![1, 1])); // ansiX962_compressed_prime only
    });
    let (err, p) = fail_with(&config, server(), tamper);
    assert_eq!(err, Error::PeerMisbehaved(Misbehavior::BadEcPointFormats));
    assert_alert(&p.client, &err, AlertDescription::IllegalParameter);
    assert_msg(&err, &["uncompressed", "RFC 8422"]);
}
