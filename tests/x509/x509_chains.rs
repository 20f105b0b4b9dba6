//! Path building: algorithms, chain shapes, alternatives and error ranking.

use crate::common;
use crate::common::provider::VerifyWithTestProvider as _;

use common::engine::assert_msg;
use common::x509::*;
use embertls::x509::{CaVerifier, TrustAnchors};
use embertls::{CertError, Trust};

#[test]
fn ecdsa_p256_chain() {
    assert_eq!(verify(&["ec256-root"], &["ec256-leaf", "ec256-int"], "ec256.test"), Ok(Trust::Verified));
}

#[test]
fn ecdsa_p384_sha384_chain() {
    assert_eq!(verify(&["ec384-root"], &["ec384-leaf", "ec384-int"], "ec384.test"), Ok(Trust::Verified));
}

#[test]
fn mixed_curves_and_hashes() {
    // P-384 root signs a P-256 CA with SHA-256; the P-256 CA signs with SHA-384.
    assert_eq!(verify(&["ec384-root"], &["mix-leaf", "mix-int"], "mix.test"), Ok(Trust::Verified));
}

#[test]
fn rsa2048_chain_and_schemes() {
    for leaf in
        ["rsa2048-leaf", "rsa2048-leaf-sha384", "rsa2048-leaf-sha512", "rsa2048-leaf-pss", "rsa2048-leaf-pss384"]
    {
        assert_eq!(verify(&["rsa2048-root"], &[leaf, "rsa2048-int"], "rsa2048.test"), Ok(Trust::Verified), "{leaf}");
    }
}

#[test]
fn rsa4096_chain() {
    assert_eq!(verify(&["rsa4096-root"], &["rsa4096-leaf", "rsa4096-int"], "rsa4096.test"), Ok(Trust::Verified));
}

#[test]
fn rsa_root_ecdsa_leaf() {
    assert_eq!(verify(&["rsa4096-root"], &["mixed-leaf", "mixed-int"], "mixed.test"), Ok(Trust::Verified));
}

#[test]
fn two_intermediates_in_any_order_with_extras_and_duplicates() {
    let roots = &["ec256-root"];
    assert_eq!(verify(roots, &["two-leaf", "two-int2", "two-int1"], "two.test"), Ok(Trust::Verified));
    assert_eq!(verify(roots, &["two-leaf", "two-int1", "two-int2"], "two.test"), Ok(Trust::Verified));
    assert_eq!(
        verify(
            roots,
            &["two-leaf", "ec384-int", "two-int1", "rsa2048-int", "two-int1", "two-int2", "two-int2"],
            "two.test"
        ),
        Ok(Trust::Verified)
    );
    // The server also sends the root.
    assert_eq!(verify(roots, &["two-leaf", "two-int2", "two-int1", "ec256-root"], "two.test"), Ok(Trust::Verified));
}

#[test]
fn missing_intermediate_is_unknown_issuer() {
    let e = verify(&["ec256-root"], &["two-leaf", "two-int2"], "two.test").unwrap_err();
    assert!(matches!(e, CertError::UnknownIssuer { .. }), "{e:?}");
    assert_msg(&e, &["Two Intermediate 1", "Two Intermediate 2", "add its root"]);
}

#[test]
fn wrong_root_names_the_missing_issuer() {
    let e = verify(&["ec384-root"], &["ec256-leaf", "ec256-int"], "ec256.test").unwrap_err();
    assert!(matches!(&e, CertError::UnknownIssuer { cert, anchors: 1 } if cert.position() == Some(1)), "{e:?}");
    assert_msg(
        &e,
        &["no trust anchor matched issuer \"O=embertls tests,CN=EC256 Root\"", "EC256 Intermediate", "--ca"],
    );
    assert_eq!(e.alert(), embertls::msgs::enums::AlertDescription::UnknownCa);
}

#[test]
fn intermediate_configured_as_anchor() {
    assert_eq!(verify(&["ec256-int"], &["ec256-leaf"], "ec256.test"), Ok(Trust::Verified));
}

#[test]
fn several_anchors_from_one_pem_bundle() {
    let v = CaVerifier::new(TrustAnchors::from_pem(&std::fs::read(path("roots-bundle.pem")).unwrap()).unwrap());
    assert_eq!(v.anchors().len(), 3);
    for (chain, host) in [
        (&["ec256-leaf", "ec256-int"][..], "ec256.test"),
        (&["ec384-leaf", "ec384-int"][..], "ec384.test"),
        (&["rsa2048-leaf", "rsa2048-int"][..], "rsa2048.test"),
    ] {
        assert_eq!(verify_with(&v, chain, host, Some(NOW)), Ok(Trust::Verified), "{host}");
    }
}

#[test]
fn cross_signed_alternative_paths() {
    let chain = &["xleaf", "xint-by-a", "xint-by-b"];
    assert_eq!(verify(&["xroot-a"], chain, "cross.test"), Ok(Trust::Verified));
    assert_eq!(verify(&["xroot-b"], chain, "cross.test"), Ok(Trust::Verified));
    assert_eq!(verify(&["xroot-b"], &["xleaf", "xint-by-b", "xint-by-a"], "cross.test"), Ok(Trust::Verified));
    // The expired cross-certificate is skipped when another path exists.
    assert_eq!(
        verify(&["xroot-a", "xroot-b"], &["xleaf", "xint-by-a-expired", "xint-by-b"], "cross.test"),
        Ok(Trust::Verified)
    );
}

#[test]
fn most_useful_error_wins_over_unknown_issuer() {
    // Only root A is trusted; its path goes through the expired cross-certificate,
    // the other path ends at unknown root B. Report the expiry.
    // Both orders: neither the first nor the last failure is simply kept.
    for chain in [["xleaf", "xint-by-b", "xint-by-a-expired"], ["xleaf", "xint-by-a-expired", "xint-by-b"]] {
        let e = verify(&["xroot-a"], &chain, "cross.test").unwrap_err();
        assert!(matches!(e, CertError::Expired { .. }), "{e:?}");
        assert_msg(&e, &["Cross Intermediate", "Cross Root A", "2021-01-01", "2030-01-01"]);
    }
}

#[test]
fn same_issuer_name_different_key_is_backtracked() {
    // dup-int-wrongkey has the intermediate's name but another key; key identifiers
    // put it last and the search tries the real one.
    let roots = &["ec256-root"];
    assert_eq!(verify(roots, &["ec256-leaf", "dup-int-wrongkey", "ec256-int"], "ec256.test"), Ok(Trust::Verified));
    assert_eq!(verify(roots, &["ec256-leaf", "ec256-int", "dup-int-wrongkey"], "ec256.test"), Ok(Trust::Verified));
}

#[test]
fn bad_signature() {
    // badsig-leaf claims "EC256 Intermediate" as issuer but was signed by another key.
    let e = verify(&["ec256-root"], &["badsig-leaf", "ec256-int"], "ec256.test").unwrap_err();
    assert!(matches!(&e, CertError::BadSignature { cert, .. } if cert.position() == Some(0)), "{e:?}");
    assert_msg(&e, &["signature on the server's certificate \"CN=ec256.test\"", "EC256 Intermediate"]);
}

#[test]
fn self_signed_server_as_anchor() {
    assert_eq!(verify(&["selfsigned"], &["selfsigned"], "selfsigned.test"), Ok(Trust::Verified));
    assert_eq!(verify(&["selfsigned"], &["selfsigned"], "192.168.1.10"), Ok(Trust::Verified));
    let e = verify(&["ec256-root"], &["selfsigned"], "selfsigned.test").unwrap_err();
    assert!(matches!(e, CertError::UnknownIssuer { .. }), "{e:?}");
    assert_msg(&e, &["selfsigned.test", "self-signed", "add it as a trust anchor"]);
    // Even as an anchor, the name must match.
    let e = verify(&["selfsigned"], &["selfsigned"], "other.test").unwrap_err();
    assert!(matches!(e, CertError::NameMismatch { .. }), "{e:?}");
}

#[test]
fn depth_and_signature_check_bounds() {
    let v = CaVerifier::new(anchors(&["ec256-root"])).max_depth(2);
    let e = verify_with(&v, &["two-leaf", "two-int2", "two-int1"], "two.test", Some(NOW)).unwrap_err();
    assert!(matches!(e, CertError::PathTooLong { max_depth: 2 }), "{e:?}");
    assert_msg(&e, &["at most 2 certificates"]);
    let v = CaVerifier::new(anchors(&["ec256-root"])).max_depth(3);
    assert_eq!(verify_with(&v, &["two-leaf", "two-int2", "two-int1"], "two.test", Some(NOW)), Ok(Trust::Verified));

    let v = CaVerifier::new(anchors(&["ec256-root"])).max_signature_checks(1);
    let e = verify_with(&v, &["two-leaf", "two-int2", "two-int1"], "two.test", Some(NOW)).unwrap_err();
    assert!(matches!(e, CertError::TooManySignatureChecks { limit: 1 }), "{e:?}");
}

#[test]
fn key_identifiers_choose_among_same_named_decoys() {
    // 30 distinct same-named CAs with a wrong key (serial numbers changed), then the real one.
    let mut certs = vec![der("ec256-leaf")];
    for i in 0..30u8 {
        let mut decoy = der("dup-int-wrongkey");
        decoy[20] = i; // a byte of the serial number: still valid DER, a different certificate
        certs.push(decoy);
    }
    certs.push(der("ec256-int"));
    let list = tls13_list(&certs);
    let chain = embertls::CertificateChain::from_tls13_list(&list).unwrap();
    // Two checks suffice (leaf by intermediate, intermediate by root) only if the
    // authorityKeyIdentifier puts the real intermediate first.
    let v = CaVerifier::new(anchors(&["ec256-root"])).max_signature_checks(2);
    assert_eq!(
        v.verify_with_test_provider(&chain, &embertls::ServerName::parse("ec256.test"), Some(NOW)),
        Ok(Trust::Verified)
    );
}

#[test]
fn empty_chain() {
    let chain = embertls::CertificateChain::from_tls13_list(&[]).unwrap();
    let v = CaVerifier::new(anchors(&["ec256-root"]));
    let e = v.verify_with_test_provider(&chain, &embertls::ServerName::parse("x.test"), Some(NOW)).unwrap_err();
    assert_eq!(e, CertError::NoCertificate);
}
