//! Interoperability with an in-process rustls 0.23 server over an in-memory
//! transport (no sockets): handshakes for every suite and group, echo in
//! both directions up to 100 KB, a server-initiated KeyUpdate, session
//! tickets, ALPN, and close_notify both ways.

use crate::common;

use std::io::Read as _;

use common::engine::insecure;
use common::peer::{rustls_config, CertKind, MemPeer, GROUPS, SUITES};
use embertls::{CipherSuite, Error, Event, NamedGroup, ProtocolVersion, Trust};

/// One round trip: `ping` to the server, `pong` back.
fn echo(peer: &mut MemPeer<'_>, what: &str) {
    let ping = format!("ping ({what})");
    peer.client_write(ping.as_bytes());
    assert_eq!(String::from_utf8(peer.server_read()).unwrap(), ping, "{what}: client → server");
    let pong = format!("pong ({what})");
    peer.server_write(pong.as_bytes());
    assert_eq!(String::from_utf8(peer.client_read(pong.len())).unwrap(), pong, "{what}: server → client");
}

/// Every suite × group × certificate type; the client's first group is the
/// server's, so no HelloRetryRequest. Then data both ways.
#[test]
fn every_suite_group_and_certificate() {
    for cert in CertKind::ALL {
        for (suite, suite_name) in SUITES {
            for (group, group_name) in GROUPS {
                let what = format!("{cert:?} cert, {suite_name}, {group_name}");
                let other = GROUPS.iter().map(|g| g.0).find(|g| *g != group).unwrap();
                let config = insecure().with_groups(&[group, other]).unwrap();
                let mut peer = MemPeer::new(&config, rustls_config(cert, &[suite], &[group]));
                assert_eq!(peer.client.handshake_summary(), None);
                let s = peer.try_handshake().unwrap_or_else(|e| panic!("{what}: {e}"));
                // Produced again on demand from the connected state: the event's.
                assert_eq!(peer.client.handshake_summary(), Some(s));
                assert_eq!(s.version, ProtocolVersion::Tls13, "{what}");
                assert_eq!(s.cipher_suite, suite, "{what}");
                assert_eq!(s.group, Some(group), "{what}");
                assert!(!s.hello_retry, "{what}");
                assert_eq!(s.trust, Trust::NotVerified, "{what}");
                assert_eq!(s.alpn, None, "{what}");
                assert_eq!(peer.server.negotiated_cipher_suite().map(|c| u16::from(c.suite())), Some(suite.to_wire()));
                echo(&mut peer, &what);
            }
        }
    }
}

/// rustls answers a key share for a group it does not allow with a
/// HelloRetryRequest; the client retries with the other group.
#[test]
fn hello_retry_request() {
    for (client_groups, server_group) in [
        ([NamedGroup::X25519, NamedGroup::Secp256r1], NamedGroup::Secp256r1),
        ([NamedGroup::Secp256r1, NamedGroup::X25519], NamedGroup::X25519),
    ] {
        let config = insecure().with_groups(&client_groups).unwrap();
        let mut peer = MemPeer::new(&config, rustls_config(CertKind::Ecdsa, &[], &[server_group]));
        let s = peer.handshake();
        assert!(s.hello_retry, "{client_groups:?} vs {server_group}");
        assert_eq!(s.group, Some(server_group));
        echo(&mut peer, "after HRR");
    }
}

/// The server's bytes handed over one at a time, and in 7-byte pieces.
#[test]
fn small_transport_reads() {
    for chunk in [1, 7] {
        let config = insecure();
        let mut peer = MemPeer::new(&config, rustls_config(CertKind::Rsa, &[], &[]));
        peer.chunk = chunk;
        peer.handshake();
        echo(&mut peer, &format!("{chunk}-byte reads"));
    }
}

/// 100 KB each way: the client splits into full records (2^14 bytes), rustls too.
#[test]
fn large_messages_both_ways() {
    let config = insecure().with_cipher_suites(&[CipherSuite::Tls13Chacha20Poly1305Sha256]).unwrap();
    let mut peer = MemPeer::new(&config, rustls_config(CertKind::Ecdsa, &[], &[]));
    peer.handshake();
    let up: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let before = peer.records_to_server;
    peer.client_write(&up);
    assert!(peer.records_to_server - before >= 7, "100 KB takes at least 7 records");
    let got = peer.server_read();
    assert!(got == up, "client → server 100 KB differs");

    let down: Vec<u8> = (0..100_000u32).map(|i| (i * 13 % 241) as u8).collect();
    let before = peer.records_to_client;
    peer.server_write(&down);
    assert!(peer.records_to_client - before >= 7, "100 KB takes at least 7 records");
    let got = peer.client_read(down.len());
    assert!(got == down, "server → client 100 KB differs");
}

/// rustls `refresh_traffic_keys` sends KeyUpdate(update_requested): the
/// client must switch its read keys, answer with its own KeyUpdate and switch
/// its write keys; data flows both ways afterwards, repeatedly.
#[test]
fn server_key_update() {
    let config = insecure().with_cipher_suites(&[CipherSuite::Tls13Aes256GcmSha384]).unwrap();
    let mut peer = MemPeer::new(&config, rustls_config(CertKind::Ecdsa, &[], &[]));
    peer.handshake();
    echo(&mut peer, "before KeyUpdate");
    for round in 1..=3 {
        peer.server.refresh_traffic_keys().expect("rustls KeyUpdate");
        peer.server_write(format!("after server KeyUpdate {round}").as_bytes());
        let n = format!("after server KeyUpdate {round}").len();
        let got = peer.client_read(n);
        assert_eq!(String::from_utf8(got).unwrap(), format!("after server KeyUpdate {round}"));
        // The client's KeyUpdate answer reaches the server before this data.
        echo(&mut peer, &format!("after KeyUpdate round {round}"));
        assert!(peer.server_error.is_none(), "{:?}", peer.server_error);
    }
}

/// rustls sends two NewSessionTickets after the client's Finished; each is
/// an `Event::SessionTicket`, and data around them is unaffected.
#[test]
fn session_tickets_are_events() {
    let config = insecure();
    let mut peer = MemPeer::new(&config, rustls_config(CertKind::Ecdsa, &[], &[]));
    peer.handshake();
    loop {
        match peer.next_event().unwrap() {
            Event::SessionTicket => {}
            Event::NeedData => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(peer.tickets, 2, "rustls' default send_tls13_tickets is 2");
    echo(&mut peer, "after tickets");
}

#[test]
fn alpn() {
    let mut server = rustls_config(CertKind::Ecdsa, &[], &[]);
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let config = insecure().with_alpn(&[b"mqtt", b"http/1.1"]).unwrap();
    let mut peer = MemPeer::new(&config, server);
    assert_eq!(peer.handshake().alpn, Some(&b"http/1.1"[..]));
    assert_eq!(peer.server.alpn_protocol(), Some(&b"http/1.1"[..]));
}

/// Server close_notify: data sent before it is still read, then
/// `Event::PeerClosed` (and again on every later `process`); `read` gives 0.
#[test]
fn server_close_notify() {
    let config = insecure();
    let mut peer = MemPeer::new(&config, rustls_config(CertKind::Ecdsa, &[], &[]));
    peer.handshake();
    peer.server_write(b"last words");
    peer.server.send_close_notify();
    peer.server_to_client();
    assert_eq!(peer.client_read(10), b"last words");
    let ev = loop {
        match peer.next_event().unwrap() {
            Event::SessionTicket => {}
            ev => break ev,
        }
    };
    assert_eq!(ev, Event::PeerClosed);
    assert_eq!(peer.client.process(), Ok(Event::PeerClosed));
    assert_eq!(peer.client.read(&mut [0u8; 8]), 0);
    // A transport EOF after close_notify is a clean end, not truncation.
    peer.client.received(0);
    assert_eq!(peer.client.process(), Ok(Event::PeerClosed));
}

/// Client close_notify: rustls sees a clean close; the client can no longer
/// write but still reads what the server sends afterwards.
#[test]
fn client_close_notify() {
    let config = insecure();
    let mut peer = MemPeer::new(&config, rustls_config(CertKind::Rsa, &[], &[]));
    peer.handshake();
    peer.client_write(b"bye");
    peer.client.close();
    peer.client_to_server();
    assert!(peer.server_error.is_none(), "{:?}", peer.server_error);
    assert_eq!(peer.server_read(), b"bye");
    let mut buf = [0u8; 8];
    assert_eq!(peer.server.reader().read(&mut buf).ok(), Some(0), "rustls reports a clean close_notify EOF");
    assert_eq!(peer.client.write(b"more"), Err(Error::Closed));
    assert!(Error::Closed.to_string().contains("closed"));
    peer.client.close(); // idempotent: nothing more is queued
    assert!(peer.client.outgoing().is_empty());
    // Half-close: the server may still answer.
    peer.server_write(b"answer after your close");
    assert_eq!(peer.client_read(23), b"answer after your close");
    peer.server.send_close_notify();
    peer.server_to_client();
    assert_eq!(peer.next_event(), Ok(Event::PeerClosed));
}
