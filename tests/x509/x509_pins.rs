//! Pins, trust on first use, chain summaries and PEM anchors.

use crate::common;

use common::engine::assert_msg;
use common::x509::*;
use embertls::x509::{CaVerifier, ChainRecorder, ChainSummary, Pin, PinVerifier, TrustAnchors, TrustOnFirstUse};
use embertls::{CertError, CertificateChain, DangerAcceptAnyServer, Trust};

#[test]
fn spki_pins_match_openssl() {
    for name in ["ec256-leaf", "ec384-root", "rsa2048-leaf", "rsa4096-root", "selfsigned"] {
        let pin = Pin::spki_of_certificate(&der(name)).unwrap();
        assert_eq!(pin.to_string(), openssl_pin(name), "{name}");
        assert_eq!(Pin::parse(&openssl_pin(name)).unwrap(), pin);
    }
}

#[test]
fn pin_text_forms() {
    let b64 = openssl_pin("ec256-leaf");
    let p = Pin::parse(&b64).unwrap();
    let hex = p.hex().to_string();
    assert_eq!(hex.len(), 64);
    assert_eq!(Pin::parse(&hex).unwrap(), p);
    assert_eq!(Pin::parse(&hex.to_uppercase()).unwrap(), p);
    let colons: Vec<String> = hex.as_bytes().chunks(2).map(|c| String::from_utf8(c.to_vec()).unwrap()).collect();
    assert_eq!(Pin::parse(&colons.join(":")).unwrap(), p);
    let cert = Pin::of_certificate(&der("ec256-leaf"));
    assert!(matches!(cert, Pin::Cert(_)));
    assert_eq!(Pin::parse(&cert.to_string()).unwrap(), cert);
    assert_eq!(Pin::parse(&format!("cert-sha256/{}", cert.hex())).unwrap(), cert);
    for bad in ["", "sha256/", "sha256/abc", "sha256/!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!=", &hex[..62]] {
        let e = Pin::parse(bad).unwrap_err();
        assert!(matches!(e, CertError::BadPin { .. }), "{bad:?}");
        assert!(e.to_string().contains("sha256/"));
    }
}

#[test]
fn leaf_pin_with_or_without_chain() {
    let pins = [Pin::parse(&openssl_pin("ec256-leaf")).unwrap()];
    let v = PinVerifier::new(&pins);
    assert_eq!(verify_with(&v, &["ec256-leaf"], "ec256.test", Some(NOW)), Ok(Trust::Verified));
    assert_eq!(verify_with(&v, &["ec256-leaf", "ec256-int"], "ec256.test", Some(NOW)), Ok(Trust::Verified));
    // A leaf pin needs no clock.
    assert_eq!(verify_with(&v, &["ec256-leaf"], "ec256.test", None), Ok(Trust::Verified));
    let e = verify_with(&v, &["ec384-leaf", "ec384-int"], "ec384.test", Some(NOW)).unwrap_err();
    assert!(matches!(&e, CertError::PinMismatch { configured: 1, leaf: Some(_) }), "{e:?}");
    assert_msg(&e, &[&openssl_pin("ec384-leaf"), "none of the 1 configured pin"]);
    assert_eq!(e.alert(), embertls::msgs::enums::AlertDescription::UnknownCa);
}

#[test]
fn self_signed_broker_pinned() {
    let pins = [
        Pin::parse("sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").unwrap(),
        Pin::parse(&openssl_pin("selfsigned")).unwrap(),
    ];
    let v = PinVerifier::new(&pins);
    assert_eq!(verify_with(&v, &["selfsigned"], "192.168.1.10", Some(NOW)), Ok(Trust::Verified));
}

#[test]
fn certificate_pin() {
    let pins = [Pin::of_certificate(&der("rsa2048-leaf"))];
    let v = PinVerifier::new(&pins);
    assert_eq!(verify_with(&v, &["rsa2048-leaf"], "rsa2048.test", Some(NOW)), Ok(Trust::Verified));
    // Same key, different certificate: a certificate pin does not match.
    assert!(verify_with(&v, &["rsa2048-leaf-sha384"], "rsa2048.test", Some(NOW)).is_err());
}

#[test]
fn ca_pin_verifies_the_chain_below_it() {
    let pins = [Pin::parse(&openssl_pin("ec256-int")).unwrap()];
    let v = PinVerifier::new(&pins);
    assert_eq!(verify_with(&v, &["ec256-leaf", "ec256-int"], "ec256.test", Some(NOW)), Ok(Trust::Verified));
    // An attacker cannot append the pinned CA to its own leaf (signed by
    // dup-int-wrongkey: same name as the pinned CA, another key).
    let e = verify_with(&v, &["badsig-leaf", "ec256-int"], "ec256.test", Some(NOW)).unwrap_err();
    assert!(matches!(e, CertError::AnchorKeyMismatch { .. }), "{e:?}");
    // Name and dates are checked below a CA pin.
    let e = verify_with(&v, &["ec256-leaf", "ec256-int"], "evil.test", Some(NOW)).unwrap_err();
    assert!(matches!(e, CertError::NameMismatch { .. }), "{e:?}");
    let e = verify_with(&v, &["expired-leaf", "ec256-int"], "ec256.test", Some(NOW)).unwrap_err();
    assert!(matches!(e, CertError::Expired { .. }), "{e:?}");
    let e = verify_with(&v, &["ec256-leaf", "ec256-int"], "ec256.test", None).unwrap_err();
    assert_eq!(e, CertError::NoClock);
    let v = PinVerifier::new(&pins).skip_time_checks();
    assert_eq!(verify_with(&v, &["ec256-leaf", "ec256-int"], "ec256.test", None), Ok(Trust::Verified));
}

#[test]
fn trust_on_first_use_records_the_pin_and_is_not_verified() {
    let first = TrustOnFirstUse::record();
    assert!(first.recorded().is_none());
    assert_eq!(verify_with(&first, &["rsa2048-leaf", "rsa2048-int"], "anything", None), Ok(Trust::NotVerified));
    let seen = first.recorded().unwrap();
    assert_eq!(seen.pin.to_string(), openssl_pin("rsa2048-leaf"));
    assert_eq!(seen.chain.certs.len(), 2);
    // The stored pin then verifies later connections, and only that server.
    let pins = [Pin::parse(&seen.pin.to_string()).unwrap()];
    let later = PinVerifier::new(&pins);
    assert_eq!(verify_with(&later, &["rsa2048-leaf", "rsa2048-int"], "rsa2048.test", Some(NOW)), Ok(Trust::Verified));
    assert!(verify_with(&later, &["ec256-leaf", "ec256-int"], "ec256.test", Some(NOW)).is_err());
}

#[test]
fn chain_summary_contents() {
    let list = list_of(&["ec256-leaf", "ec256-int"]);
    let chain = CertificateChain::from_tls13_list(&list).unwrap();
    let s = ChainSummary::from_chain(&chain);
    assert_eq!(s.certs.len(), 2);
    let leaf = &s.certs[0];
    assert_eq!(leaf.subject, "CN=ec256.test");
    assert_eq!(leaf.issuer, "O=embertls tests,CN=EC256 Intermediate");
    assert_eq!(leaf.key, "ECDSA P-256");
    assert_eq!(leaf.signature, "ECDSA with SHA-256");
    assert_eq!(leaf.not_before, "2025-01-01T00:00:00Z");
    assert_eq!(leaf.not_after, "2045-01-01T00:00:00Z");
    assert!(leaf.names.contains(&"DNS:*.wild.test".to_string()));
    assert!(!leaf.is_ca && s.certs[1].is_ca);
    assert_eq!(s.leaf_pin().unwrap().to_string(), openssl_pin("ec256-leaf"));
    let text = s.to_string();
    for needle in ["#0 subject: CN=ec256.test", "#1 subject", &openssl_pin("ec256-int"), "2045-01-01"] {
        assert!(text.contains(needle), "{text}");
    }
    let list = list_of(&["rsa4096-root"]);
    let s = ChainSummary::from_chain(&CertificateChain::from_tls13_list(&list).unwrap());
    assert_eq!(s.certs[0].key, "RSA 4096");
    assert_eq!(s.certs[0].signature, "RSA PKCS#1 v1.5 with SHA-512");
}

#[test]
fn recorder_keeps_the_chain_after_success_and_failure() {
    let ca = CaVerifier::new(anchors(&["ec256-root"]));
    let rec = ChainRecorder::new(&ca);
    assert!(rec.last_chain().is_none());
    assert_eq!(verify_with(&rec, &["ec256-leaf", "ec256-int"], "ec256.test", Some(NOW)), Ok(Trust::Verified));
    assert_eq!(rec.last_chain().unwrap().certs.len(), 2);
    assert!(rec.last_error().is_none());
    assert!(verify_with(&rec, &["ec384-leaf"], "ec384.test", Some(NOW)).is_err());
    assert_eq!(rec.last_chain().unwrap().certs[0].subject, "CN=ec384.test");
    assert!(matches!(rec.last_error(), Some(CertError::UnknownIssuer { .. })));
    let any = ChainRecorder::new(&DangerAcceptAnyServer);
    assert_eq!(verify_with(&any, &["selfsigned"], "x", None), Ok(Trust::NotVerified));
    assert!(any.last_chain().is_some());
}

#[test]
fn pem_anchor_parsing() {
    // Text around and between blocks is ignored; CRLF line endings work.
    let mut pem = b"Bag Attributes\nsubject=whatever\n".to_vec();
    pem.extend(pem_of("ec256-root"));
    pem.extend(b"\n# comment\n");
    pem.extend(String::from_utf8(pem_of("ec384-root")).unwrap().replace('\n', "\r\n").into_bytes());
    let a = TrustAnchors::from_pem(&pem).unwrap();
    assert_eq!(a.len(), 2);
    assert_eq!(a.as_slice()[0].subject(), "O=embertls tests,CN=EC256 Root");
    assert_eq!(a.as_slice()[1].spki_pin().to_string(), openssl_pin("ec384-root"));

    let e = TrustAnchors::from_pem(b"hello").unwrap_err();
    assert!(matches!(e, CertError::BadAnchor { .. }));
    assert!(e.to_string().contains("BEGIN CERTIFICATE"));
    let e = TrustAnchors::from_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").unwrap_err();
    assert!(matches!(e, CertError::BadAnchor { index: 0, .. }), "{e:?}");
    let mut two = pem_of("ec256-root");
    two.extend(b"-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n");
    let e = TrustAnchors::from_pem(&two).unwrap_err();
    assert!(matches!(e, CertError::BadAnchor { index: 1, .. }), "{e:?}");
    assert!(TrustAnchors::from_der(&der("ec256-root")).is_ok());
    assert!(TrustAnchors::from_der(b"\x30\x03\x02\x01\x00").is_err());
}

fn pem_of(name: &str) -> Vec<u8> {
    pem(name)
}
