//! One passing and one failing case per RFC 5280 rule; each failure checks the
//! error variant and that the message names the offending certificate or name.

use crate::common;
use crate::common::provider::VerifyWithTestProvider as _;

use common::engine::assert_msg;
use common::x509::*;
use embertls::msgs::enums::AlertDescription;
use embertls::x509::{CaVerifier, Profile, Rule};
use embertls::{CertError, Trust, UnixTime};

const EC: &[&str] = &["ec256-root"];

#[test]
fn validity_leaf_expired() {
    let e = verify(EC, &["expired-leaf", "ec256-int"], "ec256.test").unwrap_err();
    assert!(matches!(&e, CertError::Expired { cert, .. } if cert.position() == Some(0)), "{e:?}");
    assert_msg(
        &e,
        &["CN=expired.ec256.test", "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z", "2030-01-01T00:00:00Z", "renew"],
    );
    assert_eq!(e.alert(), AlertDescription::CertificateExpired);
    // At a time inside the leaf's window, the intermediate and root (valid from 2025) are refused:
    // a trust anchor's own dates are checked too (issue #16). (Rfc5280 profile: this vector's CN is
    // not one of its SAN entries, which the strict profile refuses before the issuer is looked at.)
    let v = CaVerifier::new(anchors(EC)).profile(Profile::Rfc5280);
    let v2 = CaVerifier::new(anchors(&["ec256-int"])).profile(Profile::Rfc5280);
    let e = verify_with(&v2, &["expired-leaf"], "ec256.test", Some(UnixTime(1_593_561_600))).unwrap_err();
    assert!(matches!(&e, CertError::NotYetValid { cert, .. } if cert.position().is_none()), "{e:?}");
    assert_msg(&e, &["trust anchor", "CN=EC256 Intermediate"]);
    assert!(verify_with(&v, &["expired-leaf", "ec256-int"], "ec256.test", Some(UnixTime(1_593_561_600))).is_err());
}

#[test]
fn validity_leaf_not_yet_valid() {
    let e = verify(EC, &["future-leaf", "ec256-int"], "ec256.test").unwrap_err();
    assert!(matches!(e, CertError::NotYetValid { .. }), "{e:?}");
    assert_msg(&e, &["CN=future.ec256.test", "2040-01-01T00:00:00Z", "clock"]);
    // Rfc5280 profile: this vector's CN is not one of its SAN entries (a strict-profile rule).
    let v = CaVerifier::new(anchors(EC)).profile(Profile::Rfc5280);
    assert_eq!(
        verify_with(&v, &["future-leaf", "ec256-int"], "ec256.test", Some(UnixTime(2_240_611_200))),
        Ok(Trust::Verified)
    );
}

#[test]
fn validity_intermediate_expired() {
    let e = verify(EC, &["ec256-leaf", "expired-int"], "ec256.test").unwrap_err();
    assert!(matches!(&e, CertError::Expired { cert, .. } if cert.position() == Some(1)), "{e:?}");
    assert_msg(&e, &["certificate #1", "CN=EC256 Intermediate", "2021-01-01"]);
    assert_eq!(verify(EC, &["ec256-leaf", "expired-int", "ec256-int"], "ec256.test"), Ok(Trust::Verified));
}

#[test]
fn missing_clock_needs_explicit_choice() {
    let v = CaVerifier::new(anchors(EC));
    let e = verify_with(&v, &["ec256-leaf", "ec256-int"], "ec256.test", None).unwrap_err();
    assert_eq!(e, CertError::NoClock);
    assert_msg(&e, &["no current time", "skip_time_checks()"]);
    let v = CaVerifier::new(anchors(EC)).skip_time_checks();
    assert_eq!(verify_with(&v, &["ec256-leaf", "ec256-int"], "ec256.test", None), Ok(Trust::Verified));
    // Skipping time checks accepts an expired leaf even when a time is given.
    // (Rfc5280 profile: this vector's CN is not one of its SAN entries, a strict-profile rule.)
    let v = v.profile(Profile::Rfc5280);
    assert_eq!(verify_with(&v, &["expired-leaf", "ec256-int"], "ec256.test", Some(NOW)), Ok(Trust::Verified));
}

#[test]
fn name_mismatch_lists_the_names() {
    let e = verify(EC, &["ec256-leaf", "ec256-int"], "other.test").unwrap_err();
    assert!(matches!(e, CertError::NameMismatch { .. }), "{e:?}");
    assert_msg(&e, &["\"other.test\"", "CN=ec256.test", "DNS:ec256.test", "DNS:*.wild.test", "IP:127.0.0.1", "IP:::1"]);
    assert_eq!(e.alert(), AlertDescription::BadCertificate);
}

#[test]
fn name_checked_before_issuer() {
    // Wrong root AND wrong name: the name is the more useful error.
    let e = verify(&["ec384-root"], &["ec256-leaf", "ec256-int"], "other.test").unwrap_err();
    assert!(matches!(e, CertError::NameMismatch { .. }), "{e:?}");
}

#[test]
fn no_common_name_fallback() {
    let e = verify(EC, &["nosan-leaf", "ec256-int"], "ec256.test").unwrap_err();
    assert!(matches!(&e, CertError::NameMismatch { presented, .. } if presented.is_empty()), "{e:?}");
    assert_msg(&e, &["no subjectAltName", "common name is not used"]);
}

#[test]
fn wildcard_for_a_bare_suffix_is_refused() {
    let e = verify(EC, &["wildtld-leaf", "ec256-int"], "anything.test").unwrap_err();
    assert!(matches!(e, CertError::NameMismatch { .. }), "{e:?}");
    assert_msg(&e, &["DNS:*.test"]);
    assert_eq!(verify(EC, &["ec256-leaf", "ec256-int"], "www.wild.test"), Ok(Trust::Verified));
}

#[test]
fn basic_constraints_ca_required() {
    let e = verify(EC, &["notca-leaf", "notca-int"], "notca.test").unwrap_err();
    assert!(matches!(e, CertError::NotCa { .. }), "{e:?}");
    assert_msg(&e, &["CN=NotCA Intermediate", "not a CA"]);
    let e = verify(EC, &["nobc-leaf", "nobc-int"], "nobc.test").unwrap_err();
    assert!(matches!(e, CertError::NotCa { .. }), "{e:?}");
    assert_msg(&e, &["CN=NoBC Intermediate"]);
}

#[test]
fn path_len_constraint() {
    // Rfc5280 profile: this vector's CN is not one of its SAN entries (a strict-profile rule).
    let relaxed = CaVerifier::new(anchors(EC)).profile(Profile::Rfc5280);
    assert_eq!(verify_with(&relaxed, &["pl0-leaf-direct", "pl0-int1"], "pathlen.test", Some(NOW)), Ok(Trust::Verified));
    let e = verify(EC, &["pl0-leaf", "pl0-int2", "pl0-int1"], "pathlen.test").unwrap_err();
    assert!(matches!(e, CertError::PathLenExceeded { path_len: 0, below: 1, .. }), "{e:?}");
    assert_msg(&e, &["CN=PathLen0 Intermediate", "allows 0 intermediate"]);
}

#[test]
fn issuer_key_usage_needs_key_cert_sign() {
    let e = verify(EC, &["noksign-leaf", "noksign-int"], "noksign.test").unwrap_err();
    assert!(matches!(e, CertError::MissingKeyUsage { needed: "keyCertSign", .. }), "{e:?}");
    assert_msg(&e, &["CN=NoKeyCertSign Intermediate", "keyCertSign"]);
}

#[test]
fn leaf_key_usage_needs_digital_signature_when_present() {
    let e = verify(EC, &["keyenc-leaf", "ec256-int"], "ec256.test").unwrap_err();
    assert!(matches!(e, CertError::MissingKeyUsage { needed: "digitalSignature", .. }), "{e:?}");
    assert_msg(&e, &["CN=keyenc.ec256.test", "digitalSignature"]);
    // No keyUsage and no EKU: fine for RFC 5280; the strict profile requires the EKU (CABF BR §7.1.2.7.10).
    let relaxed = CaVerifier::new(anchors(EC)).profile(Profile::Rfc5280);
    assert_eq!(verify_with(&relaxed, &["noeku-leaf", "ec256-int"], "ec256.test", Some(NOW)), Ok(Trust::Verified));
    let e = verify(EC, &["noeku-leaf", "ec256-int"], "ec256.test").unwrap_err();
    assert!(matches!(e, CertError::Violation { rule: Rule::ExtendedKeyUsageMissing, .. }), "{e:?}");
    assert_msg(&e, &["CN=noeku.ec256.test", "Profile::Rfc5280 relaxes it"]);
}

#[test]
fn extended_key_usage_must_allow_server_auth() {
    let e = verify(EC, &["clientauth-leaf", "ec256-int"], "ec256.test").unwrap_err();
    assert!(matches!(e, CertError::NoServerAuth { .. }), "{e:?}");
    assert_msg(&e, &["CN=clientauth.ec256.test", "1.3.6.1.5.5.7.3.2", "serverAuth"]);
    assert_eq!(verify(EC, &["ec256-leaf", "ec256-int"], "ec256.test"), Ok(Trust::Verified));
}

#[test]
fn unknown_critical_extension_refused() {
    let e = verify(EC, &["crit-leaf", "ec256-int"], "ec256.test").unwrap_err();
    assert!(matches!(&e, CertError::UnknownCriticalExtension { oid, .. } if oid == "1.3.6.1.4.1.55555.1"), "{e:?}");
    assert_msg(&e, &["CN=crit.ec256.test", "1.3.6.1.4.1.55555.1", "critical"]);
    // The same extension non-critical is ignored. (Rfc5280 profile: this vector has no EKU, no
    // authorityKeyIdentifier and a CN that is not a SAN entry, which the strict profile refuses.)
    let relaxed = CaVerifier::new(anchors(EC)).profile(Profile::Rfc5280);
    assert_eq!(verify_with(&relaxed, &["noncrit-leaf", "ec256-int"], "ec256.test", Some(NOW)), Ok(Trust::Verified));
}

#[test]
fn dns_name_constraints() {
    assert_eq!(verify(EC, &["ncdns-leaf-ok", "ncdns-int"], "a.allowed.test"), Ok(Trust::Verified));
    let e = verify(EC, &["ncdns-leaf-outside", "ncdns-int"], "a.other.test").unwrap_err();
    assert!(matches!(e, CertError::NameConstraintViolated { .. }), "{e:?}");
    assert_msg(&e, &["CN=a.other.test", "DNS:a.other.test", "outside the permitted", "CN=NC DNS Intermediate"]);
    let e = verify(EC, &["ncdns-leaf-excluded", "ncdns-int"], "x.bad.allowed.test").unwrap_err();
    assert!(matches!(e, CertError::NameConstraintViolated { .. }), "{e:?}");
    assert_msg(&e, &["DNS:x.bad.allowed.test", "excluded"]);
}

#[test]
fn ip_name_constraints() {
    assert_eq!(verify(EC, &["ncip-leaf-ok", "ncip-int"], "10.1.2.3"), Ok(Trust::Verified));
    let e = verify(EC, &["ncip-leaf-bad", "ncip-int"], "192.168.1.1").unwrap_err();
    assert!(matches!(e, CertError::NameConstraintViolated { .. }), "{e:?}");
    assert_msg(&e, &["IP:192.168.1.1", "CN=NC IP Intermediate"]);
}

#[test]
fn anchor_name_constraints_apply() {
    assert_eq!(verify(&["ncroot"], &["ncroot-leaf-ok"], "b.allowed.test"), Ok(Trust::Verified));
    let e = verify(&["ncroot"], &["ncroot-leaf-bad"], "evil.test").unwrap_err();
    assert!(matches!(e, CertError::NameConstraintViolated { .. }), "{e:?}");
    assert_msg(&e, &["DNS:evil.test", "CN=NC Root"]);
}

#[test]
fn sha1_signed_certificate_refused() {
    let e = verify(&["rsa2048-root"], &["sha1-leaf", "rsa2048-int"], "rsa2048.test").unwrap_err();
    assert!(matches!(e, CertError::WeakSignatureAlgorithm { algorithm: "sha1WithRSAEncryption", .. }), "{e:?}");
    assert_msg(&e, &["CN=rsa2048.test", "sha1WithRSAEncryption", "SHA-256"]);
    assert_eq!(e.alert(), AlertDescription::UnsupportedCertificate);
}

#[test]
fn small_rsa_key_refused_by_default() {
    let e = verify(&["rsa2048-root"], &["rsa1024-leaf", "rsa1024-int"], "rsa1024.test").unwrap_err();
    assert!(matches!(e, CertError::KeySize { bits: 1024, min: 2048, max: 8192, .. }), "{e:?}");
    assert_msg(&e, &["CN=RSA1024 Intermediate", "1024-bit"]);
    let v = CaVerifier::new(anchors(&["rsa2048-root"])).min_rsa_bits(1024);
    let lowered = verify_with(&v, &["rsa1024-leaf", "rsa1024-int"], "rsa1024.test", Some(NOW));
    if common::provider::WITH_RING {
        // The profile allows it; ring's own floor (2048 bits) still refuses, and says so.
        let e = lowered.expect_err("ring verified an RSA-1024 signature");
        assert!(matches!(&e, CertError::UnsupportedKey { detail, .. } if detail.contains("under 2048 bits")), "{e:?}");
    } else {
        assert_eq!(lowered, Ok(Trust::Verified));
    }
}

#[test]
fn corrupt_leaf_is_malformed() {
    let mut leaf = der("ec256-leaf");
    leaf.truncate(leaf.len() - 10);
    let list = tls13_list(&[leaf]);
    let chain = embertls::CertificateChain::from_tls13_list(&list).unwrap();
    let v = CaVerifier::new(anchors(EC));
    let e = v.verify_with_test_provider(&chain, &embertls::ServerName::parse("ec256.test"), Some(NOW)).unwrap_err();
    assert!(matches!(e, CertError::Malformed { position: 0, .. }), "{e:?}");
    assert_msg(&e, &["certificate #0", "could not be parsed"]);
}

#[test]
fn inconsistent_signature_algorithms_refused() {
    // Change the inner (tbsCertificate) signature algorithm of the leaf from
    // ecdsa-with-SHA256 (…04 03 02) to ecdsa-with-SHA384 (…04 03 03): it no longer
    // equals the outer one (RFC 5280 §4.1.1.2).
    let mut leaf = der("ec256-leaf");
    let oid = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
    let at = leaf.windows(oid.len()).position(|w| w == oid).unwrap();
    leaf[at + oid.len() - 1] = 0x03;
    let list = tls13_list(&[leaf, der("ec256-int")]);
    let chain = embertls::CertificateChain::from_tls13_list(&list).unwrap();
    let v = CaVerifier::new(anchors(EC));
    let e = v.verify_with_test_provider(&chain, &embertls::ServerName::parse("ec256.test"), Some(NOW)).unwrap_err();
    assert!(matches!(e, CertError::Inconsistent { .. }), "{e:?}");
    assert_msg(&e, &["CN=ec256.test", "differs"]);
}
