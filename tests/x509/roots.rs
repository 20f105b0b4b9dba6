//! Issue 17 item 3: roots declared at compile time (`StaticAnchor`), Mozilla's
//! roots (feature `webpki-roots`), and the chains of AWS IoT Core and Azure
//! IoT Hub as generated in `vectors/roots/generate.sh` (test certificates
//! with imitated names), including a device that still holds only Azure's
//! old root (Baltimore CyberTrust) after the move to DigiCert Global Root G2.
#![cfg(feature = "alloc")]

use crate::common;
use crate::common::provider::VerifyWithTestProvider as _;

use common::engine::assert_msg;
use common::x509::{tls13_list, NOW};
use embertls::x509::{CaVerifier, StaticAnchor, TrustAnchors};
use embertls::{CertError, CertificateChain, ServerName, Trust};

fn der(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/vectors/roots/{name}.der", env!("CARGO_MANIFEST_DIR"))).expect(name)
}

static BALTIMORE: StaticAnchor<'static> = StaticAnchor::new(
    include_bytes!("../../vectors/roots/baltimore-root.subject.der"),
    include_bytes!("../../vectors/roots/baltimore-root.spki.der"),
);
static DIGICERT_G2: StaticAnchor<'static> = StaticAnchor::new(
    include_bytes!("../../vectors/roots/digicert-g2-root.subject.der"),
    include_bytes!("../../vectors/roots/digicert-g2-root.spki.der"),
);
static AMAZON: StaticAnchor<'static> = StaticAnchor::new(
    include_bytes!("../../vectors/roots/amazon-root.subject.der"),
    include_bytes!("../../vectors/roots/amazon-root.spki.der"),
);

fn verify(roots: &[StaticAnchor<'_>], chain: &[&str], host: &str) -> Result<Trust, CertError> {
    let verifier = CaVerifier::new(TrustAnchors::from_static(roots).expect("anchors"));
    let list = tls13_list(&chain.iter().map(|n| der(n)).collect::<Vec<_>>());
    let chain = CertificateChain::from_tls13_list(&list).expect("list");
    verifier.verify_with_test_provider(&chain, &ServerName::parse(host), Some(NOW))
}

#[test]
fn static_anchors_are_the_certificates_subject_and_key() {
    for (a, name) in [(BALTIMORE, "baltimore-root"), (DIGICERT_G2, "digicert-g2-root"), (AMAZON, "amazon-root")] {
        let cert = der(name);
        assert_eq!(StaticAnchor::from_certificate(&cert).expect(name), a, "{name}");
        let from_cert = TrustAnchors::from_der(&cert).expect(name);
        let from_static = TrustAnchors::from_static(&[a]).expect(name);
        assert_eq!(from_static.as_slice()[0].subject(), from_cert.as_slice()[0].subject());
        assert_eq!(a.spki_pin(), from_cert.as_slice()[0].spki_pin());
    }
    let err = TrustAnchors::from_static(&[AMAZON, StaticAnchor::new(b"\x30\x00", b"not a key")]).expect_err("bad");
    assert!(matches!(err, CertError::BadAnchor { index: 1, .. }), "{err:?}");
}

#[test]
fn aws_iot_core_chain_verifies_to_its_root() {
    let chain = ["aws-leaf", "aws-int"];
    assert_eq!(verify(&[AMAZON], &chain, "a1b2c3-ats.iot.us-east-1.amazonaws.com"), Ok(Trust::Verified));
    // A device keeping the roots of both clouds verifies either.
    assert_eq!(verify(&[DIGICERT_G2, AMAZON], &chain, "a1b2c3-ats.iot.us-east-1.amazonaws.com"), Ok(Trust::Verified));
}

#[test]
fn azure_iot_hub_after_the_root_move() {
    let chain = ["azure-leaf", "azure-int"];
    let host = "myhub.azure-devices.net";
    // Holding the new root, or both during the migration: verified.
    assert_eq!(verify(&[DIGICERT_G2], &chain, host), Ok(Trust::Verified));
    assert_eq!(verify(&[BALTIMORE, DIGICERT_G2], &chain, host), Ok(Trust::Verified));
    // Still holding only Baltimore: what the device's log shows.
    let err = verify(&[BALTIMORE], &chain, host).expect_err("the old root does not sign the new chain");
    println!("{err}");
    assert!(matches!(err, CertError::UnknownIssuer { .. }), "{err:?}");
    assert_msg(&err, &["Test DigiCert Global Root G2"]);
}

#[cfg(feature = "webpki-roots")]
#[test]
fn webpki_roots_load_as_anchors() {
    let roots = TrustAnchors::webpki_roots().expect("every Mozilla root converts");
    assert_eq!(roots.len(), webpki_roots::TLS_SERVER_ROOTS.len());
    let g2 = roots.iter().find(|a| a.subject().contains("CN=DigiCert Global Root G2")).expect("G2 is a Mozilla root");
    assert!(g2.subject().contains("O=DigiCert Inc"), "{}", g2.subject());
    // The anchors with name constraints keep them (webpki-roots lists a few).
    let constrained = webpki_roots::TLS_SERVER_ROOTS.iter().filter(|r| r.name_constraints.is_some()).count();
    assert!(constrained > 0);
    assert!(CaVerifier::new(roots).anchors().len() > 100);
}
