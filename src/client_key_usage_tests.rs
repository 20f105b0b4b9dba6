//! Key usage limits (RFC 8446 §5.5, issue 13.6) against rustls in memory.
//! rustls must accept the client's KeyUpdates and keep exchanging data, so
//! the limits are lowered here (records counted from the new key's 0); the
//! trigger at the real limit is checked on the sequence number alone.
#![cfg(all(feature = "std", feature = "alloc"))]

#[path = "../tests/common/peer.rs"]
#[allow(clippy::all, unused)]
mod peer;
// The provider `peer` builds its clients with.
#[path = "../tests/common/provider.rs"]
#[allow(clippy::all, unused)]
mod provider;

use peer::{rustls_config, rustls_config_tls12, CertKind, MemPeer};

use crate::msgs::enums::ContentType;
use crate::record::{KeyUsage, KEY_UPDATE_AT, PEER_KEY_LIMIT};
use crate::{AlertDescription, CipherSuite, ClientConfig, Error, Event, ProtocolVersion, ServerVerification};

fn insecure() -> ClientConfig<'static> {
    ClientConfig::new(ServerVerification::danger_accept_any())
}

fn write_seq(p: &MemPeer<'_>) -> u64 {
    p.client.write_prot.as_ref().map(|w| w.seq()).expect("write keys")
}

fn read_seq(p: &MemPeer<'_>) -> u64 {
    p.client.read_prot.as_ref().map(|r| r.seq()).expect("read keys")
}

/// Sends `n` messages, one record each, and checks rustls got them all.
fn client_sends(p: &mut MemPeer<'_>, n: usize) {
    for i in 0..n {
        p.client_write(format!("c{i:03}").as_bytes());
    }
    let want: String = (0..n).map(|i| format!("c{i:03}")).collect();
    assert_eq!(String::from_utf8(p.server_read()).unwrap(), want);
    assert_eq!(p.server_error, None);
}

/// Has rustls send `n` records and checks the client read them all.
fn server_sends(p: &mut MemPeer<'_>, n: usize) {
    for i in 0..n {
        p.server_write(format!("s{i:03}").as_bytes());
    }
    let want: String = (0..n).map(|i| format!("s{i:03}")).collect();
    assert_eq!(String::from_utf8(p.client_read(4 * n)).unwrap(), want);
}

#[test]
fn the_client_changes_its_key_before_the_limit() {
    for suite in
        [CipherSuite::Tls13Aes128GcmSha256, CipherSuite::Tls13Aes256GcmSha384, CipherSuite::Tls13Chacha20Poly1305Sha256]
    {
        let config = insecure();
        let mut p = MemPeer::new(&config, rustls_config(CertKind::Ecdsa, &[suite], &[]));
        p.handshake();
        p.client.key_usage = KeyUsage { update_at: 5, peer_limit: 1000 };
        // 23 records: KeyUpdates after 4 data records each (the 5th record of a key).
        client_sends(&mut p, 23);
        assert_eq!(write_seq(&p), 3, "{suite}: 5 keys of 5 records, the last with 3");
        // The server's key was not asked to change; data still flows both ways.
        server_sends(&mut p, 3);
        client_sends(&mut p, 2);
    }
}

#[test]
fn update_keys_with_and_without_a_request() {
    let config = insecure();
    let mut p = MemPeer::new(&config, rustls_config(CertKind::Ecdsa, &[], &[]));
    p.handshake();
    server_sends(&mut p, 2);
    p.client.update_keys(false).expect("update_keys(false)");
    assert_eq!(write_seq(&p), 0);
    client_sends(&mut p, 2);
    server_sends(&mut p, 1);
    assert!(read_seq(&p) >= 3, "the server kept its key");
    p.client.update_keys(true).expect("update_keys(true)");
    client_sends(&mut p, 1);
    server_sends(&mut p, 2);
    assert_eq!(read_seq(&p), 2, "rustls answered with its own KeyUpdate (not counted as data)");
    assert_eq!(p.server_error, None);
}

#[test]
fn the_server_is_asked_to_change_its_key_at_the_limit() {
    let config = insecure();
    let mut p = MemPeer::new(&config, rustls_config(CertKind::Ecdsa, &[], &[]));
    p.handshake();
    while !matches!(p.next_event(), Ok(Event::NeedData)) {} // the tickets
    let tickets = read_seq(&p);
    p.client.key_usage = KeyUsage { update_at: tickets + 5, peer_limit: 1000 };
    server_sends(&mut p, 8); // the client asks after the 5th
    client_sends(&mut p, 1); // the request reaches rustls, which answers
    server_sends(&mut p, 4);
    assert_eq!(read_seq(&p), 4, "records under the server's new key");
    assert_eq!(p.server_error, None);
}

#[test]
fn a_server_that_keeps_its_key_past_the_limit_is_refused() {
    let config = insecure();
    let mut p = MemPeer::new(&config, rustls_config(CertKind::Ecdsa, &[], &[]));
    p.handshake();
    while !matches!(p.next_event(), Ok(Event::NeedData)) {}
    let base = read_seq(&p);
    p.client.key_usage = KeyUsage { update_at: base + 5, peer_limit: base + 10 };
    // 20 records sealed before the client's request can reach the server.
    for i in 0..20 {
        p.server_write(format!("s{i:03}").as_bytes());
    }
    let mut got = Vec::new();
    let err = loop {
        p.deliver(usize::MAX);
        match p.client.process() {
            Ok(Event::ApplicationData(n)) => {
                let mut buf = vec![0u8; n];
                p.client.read(&mut buf);
                got.extend(buf);
            }
            Ok(Event::NeedData) => panic!("all 20 accepted"),
            Ok(_) => {}
            Err(e) => break e,
        }
    };
    assert_eq!(err, Error::KeyUsageLimit { by_peer: true });
    assert_eq!(got.len(), 4 * 10, "records up to the limit were read");
    assert_eq!(err.alert(), Some(AlertDescription::CloseNotify));
    assert!(err.to_string().contains("RFC 8446 §5.5"), "{err}");
    p.client_to_server();
    assert_eq!(p.server_error, None, "a close_notify, not a fatal alert");
}

#[test]
fn tls12_ends_the_connection_at_the_limit() {
    let config = insecure().with_versions(&[ProtocolVersion::Tls12]).unwrap();
    let server = || rustls_config_tls12(CertKind::Ecdsa, &[], &[]);
    let mut p = MemPeer::new(&config, server());
    p.handshake();
    assert!(matches!(p.client.update_keys(false), Err(Error::Api(m)) if m.contains("TLS 1.2")));
    let base = write_seq(&p);
    p.client.key_usage = KeyUsage { update_at: base + 5, peer_limit: 1000 };
    client_sends(&mut p, 4);
    let err = p.client.write(b"one too many").expect_err("the limit");
    assert_eq!(err, Error::KeyUsageLimit { by_peer: false });
    assert!(err.to_string().contains("TLS 1.2 cannot change keys"), "{err}");
    p.client_to_server();
    assert_eq!(p.server_error, None);
    assert!(matches!(p.server.process_new_packets(), Ok(st) if st.peer_has_closed()), "close_notify reached rustls");
    // The server's records: refused past the limit.
    let mut p = MemPeer::new(&config, server());
    p.handshake();
    while !matches!(p.next_event(), Ok(Event::NeedData)) {}
    let base = read_seq(&p);
    p.client.key_usage = KeyUsage { update_at: base + 5, peer_limit: base + 6 };
    server_sends(&mut p, 6);
    p.server_write(b"s006");
    assert_eq!(p.next_event(), Err(Error::KeyUsageLimit { by_peer: true }));
}

/// At the real limit: the record before KEY_UPDATE_AT - 1 goes out under
/// the old key, the next write starts with a KeyUpdate (TLS 1.3), or fails (TLS 1.2).
#[test]
fn the_real_limit() {
    assert_eq!(KEY_UPDATE_AT, (2f64.powf(24.5)) as u64);
    assert_eq!(PEER_KEY_LIMIT, 1 << 25);
    let config = insecure();
    let mut p = MemPeer::new(&config, rustls_config(CertKind::Ecdsa, &[], &[]));
    p.handshake();
    assert_eq!(p.client.key_usage, KeyUsage::default());
    p.client.write_prot.as_mut().unwrap().set_seq(KEY_UPDATE_AT - 2);
    p.client.write(b"last").unwrap();
    assert_eq!(write_seq(&p), KEY_UPDATE_AT - 1, "no update yet");
    let before = peer::records(p.client.outgoing()).len();
    p.client.write(b"next").unwrap();
    assert_eq!(write_seq(&p), 1, "KeyUpdate at KEY_UPDATE_AT - 1, then one record under the new key");
    assert_eq!(peer::records(p.client.outgoing()).len(), before + 2);
    assert!(peer::records(p.client.outgoing()).iter().all(|r| r.0 == ContentType::ApplicationData.to_wire()));
    // A server record at PEER_KEY_LIMIT is refused.
    let config = insecure();
    let mut p = MemPeer::new(&config, rustls_config(CertKind::Ecdsa, &[], &[]));
    p.handshake();
    p.client.read_prot.as_mut().unwrap().set_seq(PEER_KEY_LIMIT);
    p.server_write(b"x");
    assert_eq!(p.next_event(), Err(Error::KeyUsageLimit { by_peer: true }));
    // TLS 1.2 at the real limit.
    let config = insecure().with_versions(&[ProtocolVersion::Tls12]).unwrap();
    let mut p = MemPeer::new(&config, rustls_config_tls12(CertKind::Ecdsa, &[], &[]));
    p.handshake();
    p.client.write_prot.as_mut().unwrap().set_seq(KEY_UPDATE_AT - 2);
    p.client.write(b"last").unwrap();
    assert_eq!(p.client.write(b"next"), Err(Error::KeyUsageLimit { by_peer: false }));
}
