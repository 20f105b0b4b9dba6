//! Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)-(c)).
//!
//! Processed name forms: dNSName, iPAddress and directoryName. When a
//! constraint uses another form (rfc822Name, URI, ...) and the certificate
//! has a name of that form, the certificate is refused, as RFC 5280
//! §4.2.1.10 requires of an application that does not process that form.
//! Constraints of each CA (and of a trust anchor that has them) apply to all
//! certificates below it; self-issued intermediates are exempt (§6.1.3 (b)).
//!
//! The work is bounded, for microcontrollers: at most
//! [`DEFAULT_MAX_NAME_CHECKS`] subtree comparisons per verification (by
//! default; `CaVerifier::max_name_constraint_checks`) and at most
//! [`MAX_NAMES`] names (subject plus subjectAltName entries) in a
//! certificate under constraints. Beyond either, the chain is refused with
//! `CertError::NameConstraintBudget`. Real chains need a few hundred
//! comparisons; a hostile one multiplying thousands of subtrees by
//! thousands of names would otherwise need millions.

use alloc::string::{String, ToString};

use der::Decode;

use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::NameConstraints;
use x509_cert::name::Name;

use crate::x509::cert::ParsedCert;
use crate::x509::error::CertError;
use crate::x509::name::{ip_string, trim_dot};

/// Default bound on subtree comparisons per verification.
pub(crate) const DEFAULT_MAX_NAME_CHECKS: u32 = 16_384;

/// Most names (subject + subjectAltName entries) of one certificate that is checked against constraints.
pub(crate) const MAX_NAMES: usize = 1_024;

/// One name of a certificate, borrowed.
#[derive(Clone, Copy)]
enum CertName<'c> {
    Dns(&'c str),
    Ip(&'c [u8]),
    Dir(&'c Name),
    /// Another GeneralName form, with its CHOICE tag number.
    Other(u8),
}

impl CertName<'_> {
    fn form(&self) -> u8 {
        match self {
            CertName::Dns(_) => 2,
            CertName::Ip(_) => 7,
            CertName::Dir(_) => 4,
            CertName::Other(t) => *t,
        }
    }

    fn describe(&self) -> String {
        match self {
            CertName::Dns(d) => alloc::format!("DNS:{d}"),
            CertName::Ip(b) => alloc::format!("IP:{}", ip_string(b)),
            CertName::Dir(n) => alloc::format!("DirName:{n}"),
            CertName::Other(t) => alloc::format!("GeneralName [{t}]"),
        }
    }
}

fn form_of(g: &GeneralName) -> u8 {
    match g {
        GeneralName::OtherName(_) => 0,
        GeneralName::Rfc822Name(_) => 1,
        GeneralName::DnsName(_) => 2,
        GeneralName::DirectoryName(_) => 4,
        GeneralName::EdiPartyName(_) => 5,
        GeneralName::UniformResourceIdentifier(_) => 6,
        GeneralName::IpAddress(_) => 7,
        GeneralName::RegisteredId(_) => 8,
    }
}

fn as_cert_name(g: &GeneralName) -> CertName<'_> {
    match g {
        GeneralName::DnsName(d) => CertName::Dns(d.as_str()),
        GeneralName::IpAddress(o) => CertName::Ip(o.as_bytes()),
        GeneralName::DirectoryName(n) => CertName::Dir(n),
        other => CertName::Other(form_of(other)),
    }
}

/// True when `name` is `base` or a subdomain of it (`strict`: a subdomain only).
fn dns_under(name: &str, base: &str, strict: bool) -> bool {
    let (n, b) = (name.as_bytes(), base.as_bytes());
    if n.len() == b.len() {
        return !strict && n.eq_ignore_ascii_case(b);
    }
    let Some(split) = n.len().checked_sub(b.len() + 1) else { return false };
    n.get(split) == Some(&b'.') && n.get(split + 1..).is_some_and(|tail| tail.eq_ignore_ascii_case(b))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Permitted,
    Excluded,
}

/// Is the dNSName `name` (maybe a wildcard) inside the subtree `base`?
/// For a permitted subtree every name the wildcard covers must be inside;
/// for an excluded one, any covered name inside is enough.
fn dns_within(name: &str, base: &str, mode: Mode) -> bool {
    let name = trim_dot(name);
    let (b, strict) = match base.strip_prefix('.') {
        Some(b) => (trim_dot(b), true),
        None => (trim_dot(base), false),
    };
    if b.is_empty() {
        return true;
    }
    match name.strip_prefix("*.") {
        Some(rest) => {
            // Every `x.rest` is a subdomain of `rest`, hence inside `b` when rest is `b` or below it.
            let all = dns_under(rest, b, false);
            match mode {
                Mode::Permitted => all,
                // `b` itself is one label more than `rest`: the wildcard covers it.
                Mode::Excluded => all || (!strict && dns_under(b, rest, true) && one_label_more(b, rest)),
            }
        }
        None => dns_under(name, b, strict),
    }
}

/// True when `longer` has exactly one label in front of `shorter` (`a.` + shorter).
fn one_label_more(longer: &str, shorter: &str) -> bool {
    longer.len().checked_sub(shorter.len() + 1).and_then(|n| longer.get(..n)).is_some_and(|label| !label.contains('.'))
}

/// Is the address inside `base` (address followed by mask)? `None` if the constraint is malformed.
fn ip_within(ip: &[u8], base: &[u8]) -> Option<bool> {
    if base.len() != 8 && base.len() != 32 {
        return None;
    }
    if base.len() != 2 * ip.len() {
        return Some(false); // other address family
    }
    let (addr, mask) = base.split_at(ip.len());
    Some(ip.iter().zip(addr).zip(mask).all(|((i, a), m)| i & m == a & m))
}

/// Is the distinguished name inside `base` (its RDNs start with base's RDNs)?
fn dir_within(name: &Name, base: &Name) -> bool {
    base.len() <= name.len() && base.iter_rdn().zip(name.iter_rdn()).all(|(b, n)| b == n)
}

/// `Some(inside)`, or `None` when this form is not processed or the constraint is malformed.
fn within(name: CertName<'_>, st: &GeneralSubtree, mode: Mode) -> Option<bool> {
    if st.minimum != 0 || st.maximum.is_some() {
        return None; // RFC 5280 §4.2.1.10: minimum MUST be 0, maximum MUST be absent
    }
    match (name, &st.base) {
        (CertName::Dns(n), GeneralName::DnsName(b)) => Some(dns_within(n, b.as_str(), mode)),
        (CertName::Ip(n), GeneralName::IpAddress(b)) => ip_within(n, b.as_bytes()),
        (CertName::Dir(n), GeneralName::DirectoryName(b)) => Some(dir_within(n, b)),
        _ => None,
    }
}

/// Counts one comparison against the budget.
fn spend(budget: &mut u32, limit: u32) -> Result<(), CertError> {
    if *budget == 0 {
        return Err(CertError::NameConstraintBudget { what: "name comparisons", limit });
    }
    *budget -= 1;
    Ok(())
}

/// Checks the names of `cert` against the constraints `nc` of the CA named
/// `by`, spending one unit of `budget` (of `limit`) per comparison.
pub(crate) fn check(
    nc: &NameConstraints,
    by: &str,
    cert: &ParsedCert<'_>,
    budget: &mut u32,
    limit: u32,
) -> Result<(), CertError> {
    let has_subject = !cert.subject_is_empty();
    let san_list = cert.san.as_deref().unwrap_or(&[]);
    if san_list.len() + usize::from(has_subject) > MAX_NAMES {
        return Err(CertError::NameConstraintBudget { what: "names in one certificate", limit: MAX_NAMES as u32 });
    }
    let sans = san_list.iter().map(as_cert_name);
    let permitted = nc.permitted_subtrees.as_deref().unwrap_or(&[]);
    let excluded = nc.excluded_subtrees.as_deref().unwrap_or(&[]);
    // The subject is compared with directoryName subtrees only: decoded when there are some.
    let dir_subtrees = permitted.iter().chain(excluded).any(|s| form_of(&s.base) == 4);
    let subject = if has_subject && dir_subtrees {
        Some(Name::from_der(cert.subject_raw).map_err(|e| CertError::Malformed {
            position: cert.position.unwrap_or(0),
            detail: alloc::format!("not a valid X.509 certificate: {e}"),
        })?)
    } else {
        None
    };
    let subject_name = subject.as_ref().map(CertName::Dir);
    for name in subject_name.into_iter().chain(sans) {
        let form = name.form();
        let fail = |detail| CertError::NameConstraintViolated {
            cert: cert.id(),
            name: name.describe(),
            constrained_by: by.to_string(),
            detail,
        };
        for st in excluded.iter().filter(|s| form_of(&s.base) == form) {
            spend(budget, limit)?;
            match within(name, st, Mode::Excluded) {
                Some(false) => {}
                Some(true) => return Err(fail("is inside an excluded subtree")),
                None => return Err(fail("uses a name form (or constraint syntax) that cannot be checked against one")),
            }
        }
        let mut same_form = permitted.iter().filter(|s| form_of(&s.base) == form).peekable();
        if same_form.peek().is_none() {
            continue;
        }
        let mut inside = false;
        for st in same_form {
            spend(budget, limit)?;
            match within(name, st, Mode::Permitted) {
                Some(true) => {
                    inside = true;
                    break;
                }
                Some(false) => {}
                None => return Err(fail("uses a name form (or constraint syntax) that cannot be checked against one")),
            }
        }
        if !inside {
            return Err(fail("is outside the permitted subtrees"));
        }
    }
    Ok(())
}
