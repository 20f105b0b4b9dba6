//! Differential tests (issue #16 item 6): embertls' `CaVerifier` (strict
//! profile) against rustls-webpki on every chain of `vectors/x509` and on the
//! crafted variants of tests/x509_profile.rs. Each disagreement must be listed
//! in `KNOWN` with the rule that justifies it; a new one, or a listed one that
//! went away, fails the test. embertls accepting what webpki refuses is only
//! allowed where `KNOWN` says why.

use crate::common;
use crate::common::provider::VerifyWithTestProvider as _;

use std::time::Duration;

use common::x509::build::*;
use common::x509::{der, tls13_list, NOW};
use embertls::x509::{CaVerifier, Profile, TrustAnchors};
use embertls::{CertificateChain, ServerName};
use rustls::pki_types::{CertificateDer, ServerName as WName, UnixTime as WTime};

struct Case {
    label: String,
    roots: Vec<Vec<u8>>,
    chain: Vec<Vec<u8>>,
    host: String,
}

fn embertls_accepts(c: &Case, profile: Profile) -> Result<(), String> {
    let mut a = TrustAnchors::new();
    for r in &c.roots {
        a.add_der(r).map_err(|e| e.to_string())?;
    }
    let list = tls13_list(&c.chain);
    let chain = CertificateChain::from_tls13_list(&list).unwrap();
    CaVerifier::new(a)
        .profile(profile)
        .verify_with_test_provider(&chain, &ServerName::parse(&c.host), Some(NOW))
        .map(|_| ())
        .map_err(|e| format!("{e:?}").chars().take(90).collect())
}

fn webpki_accepts(c: &Case) -> Result<(), String> {
    let roots: Vec<CertificateDer<'_>> = c.roots.iter().map(|r| CertificateDer::from(r.as_slice())).collect();
    let anchors = roots
        .iter()
        .map(|r| webpki::anchor_from_trusted_cert(r).map(|a| a.to_owned()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("anchor: {e:?}"))?;
    let leaf = CertificateDer::from(c.chain[0].as_slice());
    let ee = webpki::EndEntityCert::try_from(&leaf).map_err(|e| format!("{e:?}"))?;
    let inter: Vec<CertificateDer<'_>> = c.chain[1..].iter().map(|d| CertificateDer::from(d.as_slice())).collect();
    let time = WTime::since_unix_epoch(Duration::from_secs(NOW.0));
    ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &anchors,
        &inter,
        time,
        webpki::KeyUsage::server_auth(),
        None,
        None,
    )
    .map_err(|e| format!("{e:?}"))?;
    let name = WName::try_from(c.host.as_str()).map_err(|e| format!("{e:?}"))?;
    ee.verify_is_valid_for_subject_name(&name).map_err(|e| format!("{e:?}"))
}

const ROOTS: &[&str] = &["ec256-root", "ec384-root", "rsa2048-root", "rsa4096-root", "xroot-a", "xroot-b", "ncroot"];
const INTERMEDIATES: &[&str] = &[
    "ec256-int",
    "ec384-int",
    "mix-int",
    "rsa2048-int",
    "rsa4096-int",
    "mixed-int",
    "two-int1",
    "two-int2",
    "xint-by-a",
    "xint-by-b",
    "xint-by-a-expired",
    "dup-int-wrongkey",
    "expired-int",
    "notca-int",
    "nobc-int",
    "pl0-int1",
    "pl0-int2",
    "noksign-int",
    "ncdns-int",
    "ncip-int",
    "rsa1024-int",
];
/// Every server certificate of vectors/x509 with the name a client would ask for.
const LEAVES: &[(&str, &str)] = &[
    ("ec256-leaf", "ec256.test"),
    ("ec256-leaf", "www.wild.test"),
    ("ec256-leaf", "127.0.0.1"),
    ("ec256-leaf", "other.test"),
    ("ec384-leaf", "ec384.test"),
    ("mix-leaf", "mix.test"),
    ("rsa2048-leaf", "rsa2048.test"),
    ("rsa2048-leaf-sha384", "rsa2048.test"),
    ("rsa2048-leaf-sha512", "rsa2048.test"),
    ("rsa2048-leaf-pss", "rsa2048.test"),
    ("rsa2048-leaf-pss384", "rsa2048.test"),
    ("rsa4096-leaf", "rsa4096.test"),
    ("mixed-leaf", "mixed.test"),
    ("two-leaf", "two.test"),
    ("xleaf", "cross.test"),
    ("badsig-leaf", "ec256.test"),
    ("expired-leaf", "ec256.test"),
    ("future-leaf", "ec256.test"),
    ("nosan-leaf", "ec256.test"),
    ("wildtld-leaf", "anything.test"),
    ("notca-leaf", "notca.test"),
    ("nobc-leaf", "nobc.test"),
    ("pl0-leaf", "pathlen.test"),
    ("pl0-leaf-direct", "pathlen.test"),
    ("noksign-leaf", "noksign.test"),
    ("keyenc-leaf", "ec256.test"),
    ("noeku-leaf", "ec256.test"),
    ("clientauth-leaf", "ec256.test"),
    ("crit-leaf", "ec256.test"),
    ("noncrit-leaf", "ec256.test"),
    ("ncdns-leaf-ok", "a.allowed.test"),
    ("ncdns-leaf-outside", "a.other.test"),
    ("ncdns-leaf-excluded", "x.bad.allowed.test"),
    ("ncip-leaf-ok", "10.1.2.3"),
    ("ncip-leaf-bad", "192.168.1.1"),
    ("ncroot-leaf-ok", "b.allowed.test"),
    ("ncroot-leaf-bad", "evil.test"),
    ("sha1-leaf", "rsa2048.test"),
    ("rsa1024-leaf", "rsa1024.test"),
];

fn vector_cases() -> Vec<Case> {
    let roots: Vec<Vec<u8>> = ROOTS.iter().map(|r| der(r)).collect();
    let mut cases: Vec<Case> = LEAVES
        .iter()
        .map(|(leaf, host)| Case {
            label: format!("vectors: {leaf} for {host}"),
            roots: roots.clone(),
            chain: std::iter::once(der(leaf)).chain(INTERMEDIATES.iter().map(|i| der(i))).collect(),
            host: host.to_string(),
        })
        .collect();
    cases.push(Case {
        label: "vectors: selfsigned as its own anchor".into(),
        roots: vec![der("selfsigned")],
        chain: vec![der("selfsigned")],
        host: "selfsigned.test".into(),
    });
    cases
}

fn built(label: &str, b: Built) -> Case {
    Case { label: format!("built: {label}"), roots: vec![b.root], chain: vec![b.leaf, b.int], host: HOST.into() }
}

/// The crafted chains of tests/x509_profile.rs, one per rule, and the control.
fn built_cases() -> Vec<Case> {
    let nc = |v: Vec<u8>| {
        int_chain(move |i| {
            i.set(OID_NC, true, v);
        })
    };
    vec![
        built("control", leaf_chain(|_| {})),
        built("root expired", root_chain(|r| r.not_after = "290101000000Z".into())),
        built(
            "root without basicConstraints",
            root_chain(|r| {
                r.remove(OID_BC);
            }),
        ),
        built(
            "root basicConstraints not critical",
            root_chain(|r| {
                r.critical(OID_BC, false);
            }),
        ),
        built(
            "int basicConstraints not critical",
            int_chain(|i| {
                i.critical(OID_BC, false);
            }),
        ),
        built(
            "root keyUsage without keyCertSign",
            root_chain(|r| {
                r.set(OID_KU, true, key_usage(KU_CRL_SIGN));
            }),
        ),
        built(
            "root unknown critical extension",
            root_chain(|r| {
                r.set("1.3.6.1.4.1.55555.9", true, vec![0x05, 0x00]);
            }),
        ),
        built(
            "root with EKU",
            root_chain(|r| {
                r.set(OID_EKU, false, eku(&[KP_SERVER_AUTH]));
            }),
        ),
        built(
            "root AKI of another key",
            root_chain(|r| {
                r.set(OID_AKI, false, aki(&key_id(9)));
            }),
        ),
        built(
            "leaf without AKI",
            leaf_chain(|l| {
                l.remove(OID_AKI);
            }),
        ),
        built(
            "int without AKI",
            int_chain(|i| {
                i.remove(OID_AKI);
            }),
        ),
        built(
            "leaf AKI critical",
            leaf_chain(|l| {
                l.critical(OID_AKI, true);
            }),
        ),
        built(
            "int SKI critical",
            int_chain(|i| {
                i.critical(OID_SKI, true);
            }),
        ),
        built(
            "int without SKI",
            int_chain(|i| {
                i.remove(OID_SKI);
            }),
        ),
        built(
            "leaf cA=TRUE",
            leaf_chain(|l| {
                l.set(OID_BC, true, basic_constraints(true, None));
            }),
        ),
        built(
            "leaf keyCertSign without cA",
            leaf_chain(|l| {
                l.set(OID_KU, true, key_usage(KU_DIGITAL_SIGNATURE | KU_KEY_CERT_SIGN));
            }),
        ),
        built(
            "leaf nameConstraints",
            leaf_chain(|l| {
                l.set(OID_NC, true, name_constraints(Some(&[Gn::Dns(HOST)]), None));
            }),
        ),
        built(
            "leaf without EKU",
            leaf_chain(|l| {
                l.remove(OID_EKU);
            }),
        ),
        built(
            "leaf EKU critical",
            leaf_chain(|l| {
                l.critical(OID_EKU, true);
            }),
        ),
        built(
            "leaf anyEKU only",
            leaf_chain(|l| {
                l.set(OID_EKU, false, eku(&["2.5.29.37.0"]));
            }),
        ),
        built("leaf serial zero", leaf_chain(|l| l.serial = vec![0])),
        built("leaf serial negative", leaf_chain(|l| l.serial = vec![0xff, 1])),
        built("leaf serial 21 octets", leaf_chain(|l| l.serial = [vec![0], vec![0x80; 20]].concat())),
        built("leaf empty subject, SAN not critical", leaf_chain(|l| l.subject = cn_name(""))),
        built(
            "leaf SAN critical",
            leaf_chain(|l| {
                l.critical(OID_SAN, true);
            }),
        ),
        built("leaf CN not in SAN", leaf_chain(|l| l.subject = cn_name("other.test"))),
        built(
            "leaf AIA empty",
            leaf_chain(|l| {
                l.set(OID_AIA, false, seq(&[]));
            }),
        ),
        built(
            "leaf AIA critical",
            leaf_chain(|l| {
                l.set(OID_AIA, true, aia("http://ca.test/i.der"));
            }),
        ),
        built(
            "leaf SAN with underscore",
            leaf_chain(|l| {
                l.set(OID_SAN, false, san(&[Gn::Dns(HOST), Gn::Dns("a_b.leaf.test")]));
            }),
        ),
        built(
            "leaf SAN *.co.uk",
            leaf_chain(|l| {
                l.set(OID_SAN, false, san(&[Gn::Dns(HOST), Gn::Dns("*.co.uk")]));
            }),
        ),
        built("int nameConstraints empty", nc(name_constraints(None, None))),
        built("int nameConstraints wildcard base", nc(name_constraints(Some(&[Gn::Dns("*.test")]), None))),
        built(
            "int nameConstraints non-contiguous mask",
            nc(name_constraints(Some(&[Gn::Ip(&[10, 0, 0, 0, 255, 0, 255, 0])]), None)),
        ),
        built("int nameConstraints permitted", nc(name_constraints(Some(&[Gn::Dns("test")]), None))),
        built("int nameConstraints excluded host", nc(name_constraints(None, Some(&[Gn::Dns(HOST)])))),
    ]
}

/// Disagreements, with the rule that justifies each. `true`: embertls
/// (strict) refuses what webpki accepts, as allowed by the rule named.
const KNOWN: &[(&str, bool, &str)] = &[
    ("vectors: pl0-leaf-direct for pathlen.test", true, "strict profile: CommonNameNotInSan, CN pathlen-direct.test is not a SAN entry (CABF BR §7.1.4.3)"),
    ("vectors: noksign-leaf for noksign.test", true, "keyUsage without keyCertSign on the issuing CA (RFC 5280 §6.1.4 (n)); webpki does not read keyUsage"),
    ("vectors: keyenc-leaf for ec256.test", true, "leaf keyUsage without digitalSignature (RFC 5280 §4.2.1.3, RFC 8446 §4.4.2.2); webpki does not read keyUsage"),
    ("vectors: noeku-leaf for ec256.test", true, "strict profile: ExtendedKeyUsageMissing (CABF BR §7.1.2.7.10); webpki treats an absent EKU as any"),
    ("vectors: noncrit-leaf for ec256.test", true, "strict profile: no EKU, no authorityKeyIdentifier, CN not a SAN entry (BR §7.1.2.7.10, RFC 5280 §4.2.1.1, BR §7.1.4.3)"),
    ("built: root expired", true, "an anchor given as a certificate is checked for validity (issue #16 item 1); webpki keeps only name, key and constraints"),
    ("built: root without basicConstraints", true, "anchor must be a CA (RFC 5280 §4.2.1.9, issue #16 item 1)"),
    ("built: root basicConstraints not critical", true, "RFC 5280 §4.2.1.9: CAs MUST mark basicConstraints critical"),
    ("built: int basicConstraints not critical", true, "RFC 5280 §4.2.1.9: CAs MUST mark basicConstraints critical"),
    ("built: root keyUsage without keyCertSign", true, "anchor keyUsage must allow keyCertSign (RFC 5280 §4.2.1.3)"),
    ("built: root unknown critical extension", true, "anchor\"s unknown critical extension (RFC 5280 §4.2)"),
    ("built: root with EKU", true, "CABF BR §7.1.2.1.2: no extendedKeyUsage in a root"),
    ("built: root AKI of another key", true, "strict profile: root AKI must be its own SKI (CABF BR §7.1.2.1.3)"),
    ("built: leaf without AKI", true, "strict profile: AuthorityKeyIdMissing (RFC 5280 §4.2.1.1)"),
    ("built: int without AKI", true, "strict profile: AuthorityKeyIdMissing (RFC 5280 §4.2.1.1)"),
    ("built: int without SKI", true, "strict profile: SubjectKeyIdMissing in a CA (RFC 5280 §4.2.1.2)"),
    ("built: leaf keyCertSign without cA", true, "RFC 5280 §4.2.1.3: keyCertSign requires cA=TRUE"),
    ("built: leaf nameConstraints", true, "RFC 5280 §4.2.1.10: nameConstraints only in CA certificates"),
    ("built: leaf without EKU", true, "strict profile: ExtendedKeyUsageMissing (CABF BR §7.1.2.7.10)"),
    ("built: leaf EKU critical", true, "strict profile: ExtendedKeyUsageCritical (CABF BR §7.1.2.7.10)"),
    ("built: leaf serial zero", true, "RFC 5280 §4.1.2.2: serial MUST be positive"),
    ("built: leaf serial negative", true, "RFC 5280 §4.1.2.2: serial MUST be positive"),
    ("built: leaf serial 21 octets", true, "strict profile: SerialTooLong, at most 20 octets (RFC 5280 §4.1.2.2)"),
    ("built: leaf empty subject, SAN not critical", true, "RFC 5280 §4.2.1.6: empty subject needs a critical SAN"),
    ("built: leaf SAN critical", true, "RFC 5280 §4.2.1.6 / BR §7.1.2.7.12: SAN non-critical when the subject is not empty"),
    ("built: leaf CN not in SAN", true, "strict profile: CommonNameNotInSan (CABF BR §7.1.4.3)"),
    ("built: leaf AIA empty", true, "RFC 5280 §4.2.2.1: AuthorityInfoAccessSyntax SIZE (1..MAX)"),
    ("built: leaf SAN with underscore", true, "InvalidDnsName: not a host name (RFC 5280 §4.2.1.6, RFC 1034 §3.5); webpki tolerates underscores"),
    ("built: leaf SAN *.co.uk", true, "WildcardOnPublicSuffix (CABF BR §3.2.2.6), with the psl feature"),
    ("built: int nameConstraints empty", true, "RFC 5280 §4.2.1.10: one of the subtrees MUST be present"),
    ("built: int nameConstraints non-contiguous mask", true, "RFC 5280 §4.2.1.10 / RFC 4632: an IP constraint is a prefix (contiguous mask)"),
];

#[test]
fn embertls_and_webpki_agree_or_the_difference_is_justified() {
    let mut found: Vec<(String, bool)> = vec![];
    let mut report = String::new();
    for c in vector_cases().into_iter().chain(built_cases()) {
        let ours = embertls_accepts(&c, Profile::Strict);
        let theirs = webpki_accepts(&c);
        if ours.is_ok() != theirs.is_ok() {
            let stricter = ours.is_err();
            report += &format!("\n{} | embertls {:?} | webpki {:?}", c.label, ours, theirs);
            found.push((c.label.clone(), stricter));
        }
    }
    let known: Vec<(String, bool)> = KNOWN.iter().map(|(l, s, _)| (l.to_string(), *s)).collect();
    assert_eq!(found, known, "disagreements changed:{report}");
}
