//! TLS 1.2 against rustls 0.23 over an in-memory transport: every ECDHE suite
//! × group with ECDSA and RSA certificates (verified), data both ways,
//! resumption by ticket and by session ID, and exporters.
#![allow(clippy::result_large_err)]

use crate::common;

use std::sync::Arc;

use common::peer::{peer_file, rustls_config_tls12, tls12_suites, CertKind, MemPeer, GROUPS};
use common::provider::options;
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
        options(config, embertls::ServerName::parse("localhost")).now(Some(NOW)),
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
                assert_eq!(p.client.handshake_summary(), None);
                let s = p.try_handshake().unwrap_or_else(|e| panic!("{cert:?} {suite} {gname}: {e}"));
                // Produced again on demand from the connected state: the event's.
                assert_eq!(p.client.handshake_summary(), Some(s));
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
    assert_eq!(p2.client.handshake_summary(), Some(s));
    p2.client_write(b"resumed");
    assert_eq!(p2.server_read(), b"resumed");
}

/// A TLS 1.2 server with `cert` that requires a client certificate from `client-ca`.
fn client_auth_server(cert: CertKind, suites: &[embertls::CipherSuite]) -> rustls::ServerConfig {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let base = rustls_config_tls12(cert, suites, &[]);
    let provider = base.crypto_provider().clone();
    let mut roots = rustls::RootCertStore::empty();
    for ca in CertificateDer::pem_file_iter(peer_file("client-ca.pem")).unwrap() {
        roots.add(ca.unwrap()).unwrap();
    }
    let verifier =
        rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build().unwrap();
    let certs = CertificateDer::pem_file_iter(cert.cert_path()).unwrap().collect::<Result<Vec<_>, _>>().unwrap();
    let key = PrivateKeyDer::from_pem_file(cert.key_path()).unwrap();
    rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .unwrap()
}

fn identity_files(name: &str) -> (Vec<Vec<u8>>, embertls::SoftwareSigner) {
    let key = std::fs::read(peer_file(&format!("{name}.key"))).unwrap();
    let chain = embertls::pem::certificates(&std::fs::read(peer_file(&format!("{name}.pem"))).unwrap()).unwrap();
    (chain, embertls::SoftwareSigner::from_pem_with_rng(&key, common::peer::rng()).unwrap())
}

#[test]
fn client_certificates() {
    use embertls::{CipherSuite as C, ClientIdentity, Error};
    // (identity, suite, expected to be accepted)
    let cases = [
        ("client-p256", C::EcdheEcdsaWithAes128GcmSha256, true),
        ("client-rsa2048", C::EcdheEcdsaWithAes128GcmSha256, true),
        ("client-rsa2048", C::EcdheEcdsaWithAes256GcmSha384, true),
        ("client-p384", C::EcdheEcdsaWithAes256GcmSha384, true),
        // TLS 1.2 ECDSA code points name the hash only: a P-384 key signs the
        // SHA-256 transcript, a P-256 key the SHA-384 one.
        ("client-p384", C::EcdheEcdsaWithChacha20Poly1305Sha256, true),
        ("client-p256", C::EcdheEcdsaWithAes256GcmSha384, true),
        // Issued by a CA the server does not list: an empty Certificate goes out.
        ("client-other", C::EcdheEcdsaWithAes128GcmSha256, false),
    ];
    for (name, suite, accepted) in cases {
        let (chain, signer) = identity_files(name);
        let refs: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
        let id = ClientIdentity::new(&refs, &signer).unwrap();
        let v = verifier(CertKind::Ecdsa);
        let config = tls12_only(&v).with_cipher_suites(&[suite]).unwrap().with_client_identity(&id);
        let mut p = peer(&config, client_auth_server(CertKind::Ecdsa, &[suite]));
        let r = p.try_handshake();
        if accepted {
            let s = r.unwrap_or_else(|e| panic!("{name} {suite}: {e}"));
            assert_eq!(s.cipher_suite, suite);
            p.client_write(b"authenticated");
            assert_eq!(p.server_read(), b"authenticated", "{name} {suite}");
            assert!(p.server.peer_certificates().is_some_and(|c| c.len() == 1), "{name}: the server has our cert");
            continue;
        }
        // The handshake completes on our side; the server's refusal comes next.
        let err = match r {
            Err(e) => e,
            Ok(_) => loop {
                match p.next_event() {
                    Err(e) => break e,
                    Ok(Event::NeedData) => panic!("{name} {suite}: no refusal; server: {:?}", p.server_error),
                    Ok(_) => {}
                }
            },
        };
        let Error::ClientAuthRejected { sent_identity, configured, .. } = &err else { panic!("{name}: {err:?}") };
        assert!(sent_identity.is_none() && *configured, "{err:?}");
        assert!(err.to_string().contains("no configured client certificate fits"), "{err}");
    }
}

#[test]
fn resumption_by_session_id() {
    let v = verifier(CertKind::Rsa);
    let config = tls12_only(&v);
    let server = rustls_config_tls12(CertKind::Rsa, &[], &[]); // session-ID cache, no tickets
    let mut p = peer(&config, server.clone());
    let s = p.handshake();
    assert!(!s.resumed);
    // The session ID is announced right after HandshakeComplete.
    assert_eq!(p.client.process(), Ok(Event::SessionTicket));
    let mut buf = [0u8; 512];
    let n = p.client.session_ticket(&mut buf).unwrap();
    let t = SessionTicket::decode(&buf[..n]).unwrap();
    assert_eq!((t.version, t.ticket.len(), t.session_id.len()), (ProtocolVersion::Tls12, 0, 32));
    assert_eq!(t.trust, Trust::Verified);
    // Once only.
    assert_eq!(p.client.process(), Ok(Event::NeedData));
    let mut p2 = MemPeer::resuming(&config, server, Some(UnixTime(NOW.0 + 60)), t);
    let s = p2.handshake();
    assert!(s.resumed);
    assert_eq!((s.trust, s.group), (Trust::Verified, None));
    p2.server_write(b"resumed by session ID");
    assert_eq!(p2.client_read(21), b"resumed by session ID");
    // Another server name, or an expired session: not offered, full handshake.
    let t = SessionTicket::decode(&buf[..n]).unwrap();
    let mut p3 =
        MemPeer::resuming(&config, rustls_config_tls12(CertKind::Rsa, &[], &[]), Some(UnixTime(NOW.0 + 7201)), t);
    assert!(!p3.handshake().resumed, "past the 2-hour default lifetime");
}

#[test]
fn exporter_matches_rustls() {
    let v = verifier(CertKind::Ecdsa);
    let config = tls12_only(&v);
    let mut p = peer(&config, rustls_config_tls12(CertKind::Ecdsa, &[], &[]));
    p.handshake();
    let mut ours = [0u8; 48];
    p.client.export_keying_material(b"EXPORTER-test", b"context", &mut ours).unwrap();
    let mut theirs = [0u8; 48];
    p.server.export_keying_material(&mut theirs, b"EXPORTER-test", Some(b"context")).unwrap();
    assert_eq!(ours, theirs, "RFC 5705 exporter");
}

/// The exact events of a TLS 1.2 handshake with a client certificate (issue
/// 15 item 5) against the in-memory rustls server (session-ID cache): the
/// handshake, the session ID announced right after it, the data, the close.
#[test]
fn events_with_a_client_certificate() {
    let (chain, signer) = identity_files("client-p256");
    let refs: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
    let id = embertls::ClientIdentity::new(&refs, &signer).unwrap();
    let v = verifier(CertKind::Ecdsa);
    let config = tls12_only(&v).with_client_identity(&id);
    let mut p = peer(&config, client_auth_server(CertKind::Ecdsa, &[]));
    let (seen, _) = p.event_sequence();
    assert_eq!(seen, ["HandshakeComplete(resumed=false)", "SessionTicket", "ApplicationData(5)", "PeerClosed"]);
    assert!(p.server.peer_certificates().is_some(), "the server has the client's certificate");
}
