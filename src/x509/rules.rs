//! The certificate-profile rules of [`Rule`]: what a trust anchor, a CA and
//! the server's certificate must look like, per [`Profile`].
//!
//! RFC 5280 path validation (signatures, dates, basicConstraints, keyUsage,
//! name constraints) is in `path.rs`; these checks are about how each
//! certificate is built (RFC 5280 §4.1-4.2, CA/Browser Forum Baseline
//! Requirements §7.1).

use alloc::string::{String, ToString};

use const_oid::ObjectIdentifier;
use der::asn1::AnyRef;
use der::{Tag, Tagged};
use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::NameConstraints;

use crate::x509::cert::{visit_name, ParsedCert};
use crate::x509::error::{CertError, CertId};
use crate::x509::name::ip_string;
use crate::x509::profile::{Profile, Rule};

const OID_COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

/// The error for `rule` on `cert`.
pub(crate) fn violation(cert: CertId, rule: Rule, name: Option<String>) -> CertError {
    CertError::Violation { cert, rule, name }
}

/// Fails with `rule` when `broken` and `profile` applies the rule.
fn require(c: &ParsedCert<'_>, profile: Profile, rule: Rule, broken: bool) -> Result<(), CertError> {
    if broken && profile.applies(rule) {
        return Err(violation(c.id(), rule, None));
    }
    Ok(())
}

/// Rules for every certificate of the path the server sent, leaf and
/// intermediates: serial number (RFC 5280 §4.1.2.2), key identifiers
/// (§4.2.1.1-2), authorityInfoAccess (§4.2.2.1).
pub(crate) fn check_any(c: &ParsedCert<'_>, profile: Profile) -> Result<(), CertError> {
    let serial = c.serial;
    let negative = serial.first().is_some_and(|b| b & 0x80 != 0);
    require(c, profile, Rule::SerialNotPositive, negative || serial.iter().all(|b| *b == 0))?;
    require(c, profile, Rule::SerialTooLong, serial.len() > 20)?;
    require(c, profile, Rule::KeyIdCritical, c.key_id_critical)?;
    require(c, profile, Rule::AuthorityKeyIdMissing, !c.aki_present && !c.self_issued())?;
    require(c, profile, Rule::MalformedAuthorityInfoAccess, c.aia_bad)?;
    Ok(())
}

/// Rules for a certificate used as a CA, intermediate or anchor
/// (RFC 5280 §4.2.1.2, §4.2.1.9, §4.2.1.10).
pub(crate) fn check_ca_shape(c: &ParsedCert<'_>, profile: Profile) -> Result<(), CertError> {
    require(c, profile, Rule::BasicConstraintsNotCritical, c.basic.is_some() && !c.basic_critical)?;
    require(c, profile, Rule::SubjectKeyIdMissing, c.ski.is_none())?;
    if let Some(nc) = &c.name_constraints {
        check_name_constraints_shape(nc).map_err(|name| violation(c.id(), Rule::MalformedNameConstraints, name))?;
    }
    Ok(())
}

/// Rules for a trust anchor given as a certificate, used as an issuer
/// (RFC 5280 §4.2.1.1, §4.2.1.3, §4.2.1.9, §4.2; BR §7.1.2.1). Validity is
/// checked at verification time (it needs the clock).
pub(crate) fn check_anchor(c: &ParsedCert<'_>, profile: Profile) -> Result<(), CertError> {
    c.check_critical()?;
    if !c.is_ca() {
        return Err(CertError::NotCa { cert: c.id() });
    }
    if c.key_usage.is_some_and(|k| !k.key_cert_sign()) {
        return Err(CertError::MissingKeyUsage { cert: c.id(), needed: "keyCertSign" });
    }
    require(c, profile, Rule::KeyIdCritical, c.key_id_critical)?;
    check_ca_shape(c, profile)?;
    if c.self_issued() {
        require(c, profile, Rule::RootHasExtendedKeyUsage, c.eku.is_some())?;
        let aki_ok = !c.aki_present || (c.aki_key_id_only && c.aki.is_some() && c.aki == c.ski);
        require(c, profile, Rule::AnchorAuthorityKeyIdMismatch, !aki_ok)?;
    }
    Ok(())
}

/// Rules for the server's certificate (RFC 5280 §4.2.1.3, §4.2.1.6,
/// §4.2.1.10, §4.2.1.12; BR §7.1.2.7, §7.1.4).
pub(crate) fn check_leaf(c: &ParsedCert<'_>, profile: Profile) -> Result<(), CertError> {
    require(c, profile, Rule::LeafIsCa, c.is_ca())?;
    require(c, profile, Rule::KeyCertSignWithoutCa, !c.is_ca() && c.key_usage.is_some_and(|k| k.key_cert_sign()))?;
    require(c, profile, Rule::NameConstraintsInLeaf, !c.is_ca() && c.name_constraints.is_some())?;
    require(c, profile, Rule::ExtendedKeyUsageMissing, c.eku.is_none())?;
    require(c, profile, Rule::ExtendedKeyUsageCritical, c.eku_critical)?;
    if c.subject_is_empty() {
        require(c, profile, Rule::EmptySubjectNeedsCriticalSan, c.san.is_none() || !c.san_critical)?;
    } else {
        require(c, profile, Rule::SanCriticalOrMissing, c.san.is_none() || c.san_critical)?;
    }
    for n in c.san.as_deref().unwrap_or(&[]) {
        if let GeneralName::DnsName(d) = n {
            let d = d.as_str();
            if !valid_presented_dns(d) {
                return Err(violation(c.id(), Rule::InvalidDnsName, Some(d.to_string())));
            }
            if let Some(rest) = d.strip_prefix("*.") {
                if is_public_suffix(rest) {
                    return Err(violation(c.id(), Rule::WildcardOnPublicSuffix, Some(d.to_string())));
                }
            }
        }
    }
    if profile.applies(Rule::CommonNameNotInSan) {
        // The first commonName that is not a subjectAltName entry, if any.
        let mut missing = None;
        let read = visit_name(c.subject_raw, |oid, value| {
            if oid != OID_COMMON_NAME {
                return false;
            }
            let cn = directory_string(value);
            let in_san = cn.is_some_and(|cn| {
                c.san.as_deref().unwrap_or(&[]).iter().any(|n| match n {
                    GeneralName::DnsName(d) => d.as_str() == cn,
                    GeneralName::IpAddress(ip) => ip_string(ip.as_bytes()) == cn,
                    _ => false,
                })
            });
            if !in_san {
                missing = Some(cn.map_or_else(|| "(not a readable string)".to_string(), ToString::to_string));
            }
            !in_san
        });
        // The subject was read when the certificate was parsed; a failure here would be a bug, and refuses.
        if read.is_err() {
            return Err(violation(c.id(), Rule::CommonNameNotInSan, None));
        }
        if let Some(shown) = missing {
            return Err(violation(c.id(), Rule::CommonNameNotInSan, Some(shown)));
        }
    }
    Ok(())
}

/// The text of a UTF8String, PrintableString or IA5String attribute value.
fn directory_string(v: AnyRef<'_>) -> Option<&str> {
    match v.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String => core::str::from_utf8(v.value()).ok(),
        _ => None,
    }
}

/// One host-name label: 1 to 63 letters, digits or `-`, not starting or
/// ending with `-` (RFC 1034 §3.5, RFC 1123 §2.1). No `_`.
fn valid_label(l: &str) -> bool {
    !l.is_empty()
        && l.len() <= 63
        && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !l.starts_with('-')
        && !l.ends_with('-')
}

/// A host name of 1 to 253 characters made of [`valid_label`]s.
fn valid_host(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(valid_label)
}

/// A subjectAltName dNSName: a host name, or `*.` followed by one
/// (RFC 5280 §4.2.1.6 "preferred name syntax", BR §7.1.4.2). No leading or
/// trailing dot, no empty label, no underscore, no partial wildcard.
pub(crate) fn valid_presented_dns(s: &str) -> bool {
    valid_host(s.strip_prefix("*.").unwrap_or(s))
}

/// A dNSName constraint base: empty (every name), or a host name with an
/// optional leading dot (RFC 5280 §4.2.1.10). A wildcard or an underscore
/// can only match invalid names.
fn valid_constraint_dns(s: &str) -> bool {
    s.is_empty() || valid_host(s.strip_prefix('.').unwrap_or(s))
}

/// An iPAddress constraint: address and mask of 4 or 16 bytes each, the mask
/// contiguous ones then zeros (RFC 5280 §4.2.1.10, RFC 4632 §3.1).
fn valid_constraint_ip(b: &[u8]) -> bool {
    if b.len() != 8 && b.len() != 32 {
        return false;
    }
    let mask = &b[b.len() / 2..];
    let mut zeros = false;
    for byte in mask {
        for bit in (0..8).rev() {
            let one = byte >> bit & 1 == 1;
            if one && zeros {
                return false;
            }
            zeros |= !one;
        }
    }
    true
}

/// `Err(offending base)` when a nameConstraints extension is malformed
/// (RFC 5280 §4.2.1.10): both subtrees absent or empty, minimum not 0,
/// maximum present, or a dNSName / iPAddress base no valid name can match.
pub(crate) fn check_name_constraints_shape(nc: &NameConstraints) -> Result<(), Option<String>> {
    let permitted = nc.permitted_subtrees.as_deref();
    let excluded = nc.excluded_subtrees.as_deref();
    if permitted.is_some_and(<[_]>::is_empty) || excluded.is_some_and(<[_]>::is_empty) {
        return Err(None); // GeneralSubtrees ::= SEQUENCE SIZE (1..MAX)
    }
    if permitted.is_none() && excluded.is_none() {
        return Err(None);
    }
    let all = permitted.unwrap_or(&[]).iter().chain(excluded.unwrap_or(&[]));
    for st in all {
        check_subtree(st)?;
    }
    Ok(())
}

fn check_subtree(st: &GeneralSubtree) -> Result<(), Option<String>> {
    if st.minimum != 0 || st.maximum.is_some() {
        return Err(None);
    }
    match &st.base {
        GeneralName::DnsName(d) if !valid_constraint_dns(d.as_str()) => Err(Some(alloc::format!("DNS:{}", d.as_str()))),
        GeneralName::IpAddress(ip) if !valid_constraint_ip(ip.as_bytes()) => {
            Err(Some(alloc::format!("IP constraint of {} bytes", ip.as_bytes().len())))
        }
        _ => Ok(()),
    }
}

/// True when `name` is, as a whole, an entry of the public suffix list
/// (`co.uk`, `github.io`), from the `psl` crate's built-in, versioned list.
#[cfg(feature = "psl")]
pub(crate) fn is_public_suffix(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    use psl::Psl as _;
    psl::List.suffix(lower.as_bytes()).is_some_and(|s| s.is_known() && s.as_bytes().len() == lower.len())
}

/// Without the `psl` feature there is no public suffix list: only
/// single-label remainders (`*.com`) are caught, by name matching, which
/// refuses them. `*.co.uk` is then not refused here.
#[cfg(not(feature = "psl"))]
pub(crate) fn is_public_suffix(_name: &str) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names() {
        for ok in ["a.test", "*.a.test", "xn--bcher-kva.test", "a-b.c", "A.TEST"] {
            assert!(valid_presented_dns(ok), "{ok}");
        }
        for bad in ["", ".a.test", "a..test", "a.test.", "a_b.test", "f*.a.test", "a.*.test", "-a.test", "a-.test", "*"]
        {
            assert!(!valid_presented_dns(bad), "{bad}");
        }
        assert!(valid_constraint_dns(".a.test") && valid_constraint_dns("") && !valid_constraint_dns("*.a.test"));
    }

    #[test]
    fn ip_masks() {
        assert!(valid_constraint_ip(&[10, 0, 0, 0, 255, 0, 0, 0]));
        assert!(valid_constraint_ip(&[0; 8]));
        assert!(!valid_constraint_ip(&[10, 0, 0, 0, 255, 0, 255, 0]));
        assert!(!valid_constraint_ip(&[10, 0, 0, 0, 255]));
    }

    #[cfg(feature = "psl")]
    #[test]
    fn public_suffixes() {
        assert!(is_public_suffix("co.uk") && is_public_suffix("github.io") && is_public_suffix("CO.UK"));
        assert!(!is_public_suffix("example.co.uk") && !is_public_suffix("wild.test"));
    }
}
