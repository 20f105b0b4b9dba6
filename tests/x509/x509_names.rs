//! Server identity matching table (RFC 6125 §6.4, RFC 9525 §6.3).

use crate::common;

use common::engine::assert_msg;
use common::x509::*;
use embertls::x509::dns_name_matches;
use embertls::{CertError, Trust};

#[test]
fn dns_matching_table() {
    // (presented dNSName, reference name, matches)
    let table: &[(&str, &str, bool)] = &[
        // exact and case
        ("example.com", "example.com", true),
        ("EXAMPLE.com", "example.COM", true),
        ("example.com", "example.org", false),
        ("example.com", "www.example.com", false),
        ("www.example.com", "example.com", false),
        ("example.com", "xexample.com", false),
        // trailing dot on either side
        ("example.com.", "example.com", true),
        ("example.com", "example.com.", true),
        ("example.com", "example.com..", false),
        // wildcards allowed: whole leftmost label, exactly one label
        ("*.example.com", "www.example.com", true),
        ("*.example.com", "WWW.Example.Com", true),
        ("*.example.com", "www.example.com.", true),
        ("*.example.com", "example.com", false),
        ("*.example.com", "a.b.example.com", false),
        ("*.example.com", ".example.com", false),
        ("*.example.com", "xn--bcher-kva.example.com", true),
        // wildcard refused forms
        ("*.com", "example.com", false),
        ("*", "example", false),
        ("*.", "example.", false),
        ("f*.example.com", "foo.example.com", false),
        ("*oo.example.com", "foo.example.com", false),
        ("f*o.example.com", "foo.example.com", false),
        ("www.*.example.com", "www.a.example.com", false),
        ("*.*.example.com", "a.b.example.com", false),
        ("**.example.com", "a.example.com", false),
        ("xn--*.example.com", "xn--bcher-kva.example.com", false),
        // a wildcard never matches an IP address written as a name
        ("*.0.0.1", "127.0.0.1", false),
        ("127.0.0.1", "127.0.0.1", false),
        // IDNA A-labels compare as ASCII
        ("xn--bcher-kva.example", "xn--bcher-kva.example", true),
        ("xn--bcher-kva.example", "XN--BCHER-KVA.example", true),
        ("xn--bcher-kva.example", "bücher.example", false),
        // malformed
        ("", "example.com", false),
        ("example..com", "example..com", false),
        ("exa mple.com", "exa mple.com", false),
    ];
    for (presented, reference, expected) in table {
        assert_eq!(dns_name_matches(presented, reference), *expected, "{presented:?} vs {reference:?}");
    }
}

const EC: &[&str] = &["ec256-root"];
const CHAIN: &[&str] = &["ec256-leaf", "ec256-int"];

#[test]
fn names_against_a_real_certificate() {
    // SAN: DNS:ec256.test, DNS:*.wild.test, DNS:xn--bcher-kva.test, IP:127.0.0.1, IP:::1
    for ok in
        ["ec256.test", "EC256.TEST", "ec256.test.", "a.wild.test", "xn--bcher-kva.test", "127.0.0.1", "::1", "[::1]"]
    {
        assert_eq!(verify(EC, CHAIN, ok), Ok(Trust::Verified), "{ok}");
    }
    for bad in ["wild.test", "a.b.wild.test", "127.0.0.2", "::2", "10.0.0.1", "test"] {
        let e = verify(EC, CHAIN, bad).unwrap_err();
        assert!(matches!(e, CertError::NameMismatch { .. }), "{bad}: {e:?}");
        assert_msg(&e, &[bad.trim_matches(['[', ']'])]);
    }
}

#[test]
fn ip_reference_never_matches_dns_entries() {
    // selfsigned has DNS:selfsigned.test and IP:192.168.1.10; ncdns-leaf-ok has no IP SANs.
    assert_eq!(verify(&["selfsigned"], &["selfsigned"], "192.168.1.10"), Ok(Trust::Verified));
    let e = verify(EC, &["ncip-leaf-ok", "ncip-int"], "10.1.2.4").unwrap_err();
    assert!(matches!(e, CertError::NameMismatch { .. }), "{e:?}");
}

#[test]
fn ipv4_mapped_ipv6_is_not_ipv4() {
    let e = verify(EC, CHAIN, "::ffff:127.0.0.1").unwrap_err();
    assert!(matches!(e, CertError::NameMismatch { .. }), "{e:?}");
}

#[test]
fn non_ascii_reference_names_get_a_hint() {
    let e = verify(EC, CHAIN, "bücher.test").unwrap_err();
    assert!(matches!(e, CertError::InvalidServerName { .. }), "{e:?}");
    assert_msg(&e, &["bücher.test", "A-label", "xn--"]);
    let e = verify(EC, CHAIN, "bad name.test").unwrap_err();
    assert!(matches!(e, CertError::InvalidServerName { .. }), "{e:?}");
}
