//! The certificate-profile rules (issue #16): one crafted chain per rule that
//! the rule refuses, and the conforming control chain that passes. Chains are
//! built in test code (tests/common/x509/build.rs) so each breaks one rule only.
//! Strict-only rules are also shown to pass under `Profile::Rfc5280`.

use crate::common;
use crate::common::provider::VerifyWithTestProvider as _;

use common::engine::assert_msg;
use common::x509::build::*;
use common::x509::NOW;
use embertls::x509::{Profile, Rule};
use embertls::{CertError, Trust};

const OK: Result<Trust, CertError> = Ok(Trust::Verified);

/// Asserts `r` is a Violation of `rule` on the certificate at `position`.
#[track_caller]
fn refused(r: Result<Trust, CertError>, rule: Rule, position: Option<usize>) -> CertError {
    let e = r.expect_err("should be refused");
    match &e {
        CertError::Violation { cert, rule: got, .. } => {
            assert_eq!(*got, rule, "{e}");
            assert_eq!(cert.position(), position, "{e}");
        }
        other => panic!("expected Violation({rule:?}), got {other:?}: {other}"),
    }
    let msg = e.to_string();
    assert!(msg.contains(&format!("{rule:?}")), "message names the rule: {msg}");
    if rule.strict_only() {
        assert_msg(&e, &["strict", "Profile::Rfc5280 relaxes it"]);
    } else {
        assert!(!msg.contains("Rfc5280 relaxes"), "{msg}");
    }
    e
}

/// Refused by the strict profile only: the relaxed profile verifies the same chain.
#[track_caller]
fn strict_only(b: &Built, rule: Rule, position: Option<usize>) {
    assert!(rule.strict_only());
    refused(b.strict(), rule, position);
    assert_eq!(b.rfc5280(), OK, "Rfc5280 relaxes {rule:?}");
}

/// Refused by both profiles.
#[track_caller]
fn both(b: &Built, rule: Rule, position: Option<usize>) {
    assert!(!rule.strict_only());
    refused(b.strict(), rule, position);
    refused(b.rfc5280(), rule, position);
}

#[test]
fn control_chain_passes_both_profiles() {
    let b = chain(|_| {}, |_| {}, |_| {});
    assert_eq!(b.strict(), OK);
    assert_eq!(b.rfc5280(), OK);
}

// ---- 1. trust anchors given as certificates ----

#[test]
fn anchor_validity_is_checked() {
    let b = root_chain(|r| r.not_after = "290101000000Z".into());
    let e = b.strict().unwrap_err();
    assert!(matches!(&e, CertError::Expired { cert, .. } if cert.position().is_none()), "{e:?}");
    assert_msg(&e, &["trust anchor", "CN=Built Root", "2029-01-01"]);
    assert!(matches!(b.rfc5280(), Err(CertError::Expired { .. })));
    let b = root_chain(|r| r.not_before = "310101000000Z".into());
    assert!(matches!(b.strict(), Err(CertError::NotYetValid { cert, .. }) if cert.position().is_none()));
    // Same clock policy: without time checks the anchor's dates are not checked either.
    let mut a = embertls::x509::TrustAnchors::new();
    a.add_der(&b.root).unwrap();
    let v = embertls::x509::CaVerifier::new(a).skip_time_checks();
    let list = common::x509::tls13_list(&[b.leaf.clone(), b.int.clone()]);
    let c = embertls::CertificateChain::from_tls13_list(&list).unwrap();
    assert_eq!(v.verify_with_test_provider(&c, &embertls::ServerName::parse(HOST), Some(NOW)), OK);
}

#[test]
fn anchor_needs_basic_constraints_ca() {
    let b = root_chain(|r| {
        r.remove(OID_BC);
    });
    assert!(matches!(b.strict(), Err(CertError::NotCa { cert }) if cert.position().is_none()));
    assert!(matches!(b.rfc5280(), Err(CertError::NotCa { .. })));
    let b = root_chain(|r| {
        r.set(OID_BC, true, basic_constraints(false, None));
    });
    assert!(matches!(b.strict(), Err(CertError::NotCa { .. })));
}

#[test]
fn anchor_basic_constraints_must_be_critical() {
    both(
        &root_chain(|r| {
            r.critical(OID_BC, false);
        }),
        Rule::BasicConstraintsNotCritical,
        None,
    );
}

#[test]
fn intermediate_basic_constraints_must_be_critical() {
    both(
        &int_chain(|i| {
            i.critical(OID_BC, false);
        }),
        Rule::BasicConstraintsNotCritical,
        Some(1),
    );
}

#[test]
fn anchor_key_usage_needs_key_cert_sign() {
    let b = root_chain(|r| {
        r.set(OID_KU, true, key_usage(KU_CRL_SIGN));
    });
    let e = b.strict().unwrap_err();
    assert!(matches!(&e, CertError::MissingKeyUsage { cert, needed: "keyCertSign" } if cert.position().is_none()));
    // keyUsage absent is allowed.
    assert_eq!(
        root_chain(|r| {
            r.remove(OID_KU);
        })
        .strict(),
        OK
    );
}

#[test]
fn anchor_unknown_critical_extension() {
    let b = root_chain(|r| {
        r.set("1.3.6.1.4.1.55555.9", true, vec![0x05, 0x00]);
    });
    assert!(matches!(b.strict(), Err(CertError::UnknownCriticalExtension { cert, .. }) if cert.position().is_none()));
    assert_eq!(
        root_chain(|r| {
            r.set("1.3.6.1.4.1.55555.9", false, vec![0x05, 0x00]);
        })
        .strict(),
        OK
    );
}

#[test]
fn root_has_no_extended_key_usage() {
    both(
        &root_chain(|r| {
            r.set(OID_EKU, false, eku(&[KP_SERVER_AUTH]));
        }),
        Rule::RootHasExtendedKeyUsage,
        None,
    );
}

#[test]
fn root_authority_key_id_must_be_its_own() {
    // Its own key identifier: fine.
    assert_eq!(
        root_chain(|r| {
            r.set(OID_AKI, false, aki(&key_id(ROOT_KEY)));
        })
        .strict(),
        OK
    );
    strict_only(
        &root_chain(|r| {
            r.set(OID_AKI, false, aki(&key_id(9)));
        }),
        Rule::AnchorAuthorityKeyIdMismatch,
        None,
    );
}

// ---- 2. key identifiers ----

#[test]
fn authority_key_id_required_unless_self_signed() {
    strict_only(
        &leaf_chain(|l| {
            l.remove(OID_AKI);
        }),
        Rule::AuthorityKeyIdMissing,
        Some(0),
    );
    strict_only(
        &int_chain(|i| {
            i.remove(OID_AKI);
        }),
        Rule::AuthorityKeyIdMissing,
        Some(1),
    );
}

#[test]
fn key_identifiers_never_critical() {
    both(
        &leaf_chain(|l| {
            l.critical(OID_AKI, true);
        }),
        Rule::KeyIdCritical,
        Some(0),
    );
    both(
        &int_chain(|i| {
            i.critical(OID_SKI, true);
        }),
        Rule::KeyIdCritical,
        Some(1),
    );
    both(
        &root_chain(|r| {
            r.critical(OID_SKI, true);
        }),
        Rule::KeyIdCritical,
        None,
    );
}

#[test]
fn subject_key_id_required_in_cas() {
    strict_only(
        &int_chain(|i| {
            i.remove(OID_SKI);
        }),
        Rule::SubjectKeyIdMissing,
        Some(1),
    );
    strict_only(
        &root_chain(|r| {
            r.remove(OID_SKI);
        }),
        Rule::SubjectKeyIdMissing,
        None,
    );
}

// ---- 3. end-entity rules ----

#[test]
fn leaf_is_not_a_ca() {
    strict_only(
        &leaf_chain(|l| {
            l.set(OID_BC, true, basic_constraints(true, None));
        }),
        Rule::LeafIsCa,
        Some(0),
    );
}

#[test]
fn ca_leaf_under_path_len_zero_is_not_counted_by_rfc5280() {
    // RFC 5280 §6.1.4 (l): pathLenConstraint counts intermediates, not the end entity.
    let b = chain(
        |_| {},
        |i| {
            i.set(OID_BC, true, basic_constraints(true, Some(0)));
        },
        |l| {
            l.set(OID_BC, true, basic_constraints(true, None));
        },
    );
    strict_only(&b, Rule::LeafIsCa, Some(0));
}

#[test]
fn leaf_key_cert_sign_needs_ca() {
    both(
        &leaf_chain(|l| {
            l.set(OID_KU, true, key_usage(KU_DIGITAL_SIGNATURE | KU_KEY_CERT_SIGN));
        }),
        Rule::KeyCertSignWithoutCa,
        Some(0),
    );
}

#[test]
fn leaf_has_no_name_constraints() {
    both(
        &leaf_chain(|l| {
            l.set(OID_NC, true, name_constraints(Some(&[Gn::Dns("leaf.test")]), None));
        }),
        Rule::NameConstraintsInLeaf,
        Some(0),
    );
}

#[test]
fn leaf_extended_key_usage_required() {
    strict_only(
        &leaf_chain(|l| {
            l.remove(OID_EKU);
        }),
        Rule::ExtendedKeyUsageMissing,
        Some(0),
    );
}

#[test]
fn leaf_extended_key_usage_not_critical() {
    strict_only(
        &leaf_chain(|l| {
            l.critical(OID_EKU, true);
        }),
        Rule::ExtendedKeyUsageCritical,
        Some(0),
    );
}

#[test]
fn leaf_any_extended_key_usage_alone_is_not_enough() {
    for p in [Profile::Strict, Profile::Rfc5280] {
        let b = leaf_chain(|l| {
            l.set(OID_EKU, false, eku(&["2.5.29.37.0"]));
        });
        assert!(matches!(b.verify(p), Err(CertError::NoServerAuth { .. })), "{p:?}");
        let b = leaf_chain(|l| {
            l.set(OID_EKU, false, eku(&[KP_CLIENT_AUTH, KP_SERVER_AUTH]));
        });
        assert_eq!(b.verify(p), OK);
    }
}

#[test]
fn serial_positive_and_non_zero() {
    both(&leaf_chain(|l| l.serial = vec![0x00]), Rule::SerialNotPositive, Some(0));
    both(&leaf_chain(|l| l.serial = vec![0xff, 0x01]), Rule::SerialNotPositive, Some(0));
    both(&int_chain(|i| i.serial = vec![0x80]), Rule::SerialNotPositive, Some(1));
}

#[test]
fn serial_at_most_20_octets() {
    assert_eq!(leaf_chain(|l| l.serial = vec![0x7f; 20]).strict(), OK);
    strict_only(&leaf_chain(|l| l.serial = [vec![0x00], vec![0x80; 20]].concat()), Rule::SerialTooLong, Some(0));
}

#[test]
fn empty_subject_needs_critical_san() {
    let mut_subject = |l: &mut Spec| l.subject = cn_name("");
    assert_eq!(
        leaf_chain(|l| {
            mut_subject(l);
            l.critical(OID_SAN, true);
        })
        .strict(),
        OK
    );
    both(&leaf_chain(mut_subject), Rule::EmptySubjectNeedsCriticalSan, Some(0));
}

#[test]
fn subject_needs_non_critical_san() {
    both(
        &leaf_chain(|l| {
            l.critical(OID_SAN, true);
        }),
        Rule::SanCriticalOrMissing,
        Some(0),
    );
}

#[test]
fn common_name_must_be_a_san_entry() {
    let b = leaf_chain(|l| l.subject = cn_name("other.test"));
    strict_only(&b, Rule::CommonNameNotInSan, Some(0));
    // Character for character: a case difference is refused too.
    strict_only(&leaf_chain(|l| l.subject = cn_name("LEAF.test")), Rule::CommonNameNotInSan, Some(0));
    // An IP address CN equal to an iPAddress SAN in its text form.
    let ip = leaf_chain(|l| {
        l.subject = cn_name("10.1.2.3");
        l.set(OID_SAN, false, san(&[Gn::Dns(HOST), Gn::Ip(&[10, 1, 2, 3])]));
    });
    assert_eq!(ip.strict(), OK);
    // No commonName at all is fine.
    assert_eq!(leaf_chain(|l| l.subject = org_name("Org")).strict(), OK);
}

#[test]
fn authority_info_access_well_formed() {
    assert_eq!(
        leaf_chain(|l| {
            l.set(OID_AIA, false, aia("http://ca.test/int.der"));
        })
        .strict(),
        OK
    );
    both(
        &leaf_chain(|l| {
            l.set(OID_AIA, false, seq(&[]));
        }),
        Rule::MalformedAuthorityInfoAccess,
        Some(0),
    );
    both(
        &leaf_chain(|l| {
            l.set(OID_AIA, true, aia("http://ca.test/int.der"));
        }),
        Rule::MalformedAuthorityInfoAccess,
        Some(0),
    );
    both(
        &leaf_chain(|l| {
            l.set(OID_AIA, false, vec![0x04, 0x00]);
        }),
        Rule::MalformedAuthorityInfoAccess,
        Some(0),
    );
}

/// An RSA SubjectPublicKeyInfo with a `bits`-bit modulus (not a real key: the leaf's key is only parsed).
fn rsa_spki(bits: usize) -> Vec<u8> {
    let bytes = bits.div_ceil(8);
    let mut n = vec![0xc5u8; bytes];
    n[0] = 1u8.checked_shl(((bits - 1) % 8) as u32).unwrap_or(0x80) | 1;
    let mut int = if n[0] & 0x80 != 0 { vec![0u8] } else { vec![] };
    int.extend_from_slice(&n);
    let key = seq(&[tlv(0x02, &int), tlv(0x02, &[0x01, 0x00, 0x01])]);
    let mut bs = vec![0u8];
    bs.extend_from_slice(&key);
    seq(&[seq(&[oid("1.2.840.113549.1.1.1"), vec![0x05, 0x00]]), tlv(0x03, &bs)])
}

#[test]
fn rsa_modulus_whole_bytes() {
    assert_eq!(leaf_chain(|l| l.spki = Some(rsa_spki(2048))).strict(), OK);
    let e = refused(leaf_chain(|l| l.spki = Some(rsa_spki(2049))).strict(), Rule::RsaModulusNotWholeBytes, Some(0));
    assert_msg(&e, &["2049 bits"]);
    refused(leaf_chain(|l| l.spki = Some(rsa_spki(2049))).rfc5280(), Rule::RsaModulusNotWholeBytes, Some(0));
    // In a CA: the key is refused before it is used to check the leaf's signature.
    both(&int_chain(|i| i.spki = Some(rsa_spki(3071))), Rule::RsaModulusNotWholeBytes, Some(1));
}

// ---- 4. names ----

#[test]
fn san_dns_names_must_be_host_names() {
    for bad in ["under_score.test", "a..leaf.test", ".leaf.test", "f*.leaf.test", "leaf.test.", "-a.leaf.test"] {
        let b = leaf_chain(|l| {
            l.set(OID_SAN, false, san(&[Gn::Dns(HOST), Gn::Dns(bad)]));
        });
        let e = refused(b.strict(), Rule::InvalidDnsName, Some(0));
        assert_msg(&e, &[bad]);
        refused(b.rfc5280(), Rule::InvalidDnsName, Some(0));
    }
    let ok = leaf_chain(|l| {
        l.set(OID_SAN, false, san(&[Gn::Dns(HOST), Gn::Dns("*.wild.leaf.test")]));
    });
    assert_eq!(ok.strict(), OK);
}

#[cfg(feature = "psl")]
#[test]
fn wildcard_on_a_public_suffix() {
    for bad in ["*.co.uk", "*.github.io"] {
        let b = leaf_chain(|l| {
            l.set(OID_SAN, false, san(&[Gn::Dns(HOST), Gn::Dns(bad)]));
        });
        let e = refused(b.strict(), Rule::WildcardOnPublicSuffix, Some(0));
        assert_msg(&e, &[bad]);
        refused(b.rfc5280(), Rule::WildcardOnPublicSuffix, Some(0));
    }
    let ok = leaf_chain(|l| {
        l.set(OID_SAN, false, san(&[Gn::Dns(HOST), Gn::Dns("*.example.co.uk")]));
    });
    assert_eq!(ok.strict(), OK);
}

fn nc_int(nc: Vec<u8>) -> Built {
    int_chain(move |i| {
        i.set(OID_NC, true, nc);
    })
}

#[test]
fn name_constraints_well_formed() {
    assert_eq!(nc_int(name_constraints(Some(&[Gn::Dns("leaf.test")]), None)).strict(), OK);
    assert_eq!(nc_int(name_constraints(Some(&[Gn::Dns(".test")]), None)).strict(), OK);
    assert_eq!(nc_int(name_constraints(None, Some(&[Gn::Dns("bad.test")]))).strict(), OK);
    // Both subtrees absent, or one present but empty.
    both(&nc_int(name_constraints(None, None)), Rule::MalformedNameConstraints, Some(1));
    both(&nc_int(name_constraints(Some(&[]), Some(&[Gn::Dns("bad.test")]))), Rule::MalformedNameConstraints, Some(1));
    // Bases that only invalid names could match.
    for base in ["*.test", "under_score.test", "a..test"] {
        let b = nc_int(name_constraints(Some(&[Gn::Dns(base)]), None));
        let e = refused(b.strict(), Rule::MalformedNameConstraints, Some(1));
        assert_msg(&e, &[base]);
    }
    // An IP mask that is not contiguous, or of the wrong length.
    both(
        &nc_int(name_constraints(Some(&[Gn::Ip(&[10, 0, 0, 0, 255, 0, 255, 0])]), None)),
        Rule::MalformedNameConstraints,
        Some(1),
    );
    both(&nc_int(name_constraints(Some(&[Gn::Ip(&[10, 0, 0, 0])]), None)), Rule::MalformedNameConstraints, Some(1));
    assert_eq!(
        nc_int(name_constraints(Some(&[Gn::Dns(HOST), Gn::Ip(&[10, 0, 0, 0, 255, 0, 0, 0])]), None)).strict(),
        OK
    );
}

#[test]
fn anchor_name_constraints_well_formed() {
    both(
        &root_chain(|r| {
            r.set(OID_NC, true, name_constraints(None, None));
        }),
        Rule::MalformedNameConstraints,
        None,
    );
    assert_eq!(
        root_chain(|r| {
            r.set(OID_NC, true, name_constraints(Some(&[Gn::Dns("test")]), None));
        })
        .strict(),
        OK
    );
}

// ---- 5. profiles ----

#[test]
fn profile_names_and_default() {
    assert_eq!(Profile::default(), Profile::Strict);
    assert_eq!(Profile::from_name("rfc5280"), Some(Profile::Rfc5280));
    assert_eq!(Profile::from_name("strict"), Some(Profile::Strict));
    assert_eq!(Profile::from_name("x"), None);
    let v = embertls::x509::CaVerifier::new(embertls::x509::TrustAnchors::new());
    assert_eq!(v.current_profile(), Profile::Strict);
}

#[test]
fn profile_changes_the_trust_id() {
    use embertls::ServerVerifier;
    let v = || embertls::x509::CaVerifier::new(embertls::x509::TrustAnchors::new());
    assert_ne!(v().trust_id(), v().profile(Profile::Rfc5280).trust_id());
}

/// A home-made CA as `openssl req -x509` makes it (a CA certificate as the
/// server's certificate, no EKU, no AKI, CN not in the SAN): the strict
/// profile explains, the relaxed one verifies.
#[test]
fn home_made_ca_needs_rfc5280_and_says_so() {
    let b = leaf_chain(|l| {
        l.set(OID_BC, true, basic_constraints(true, None)).remove(OID_EKU).remove(OID_AKI).remove(OID_KU);
        l.subject = cn_name("Home Broker");
    });
    let e = b.strict().unwrap_err();
    assert_msg(&e, &["strict", "Profile::Rfc5280 relaxes it", "--profile rfc5280"]);
    assert_eq!(b.rfc5280(), OK);
}
