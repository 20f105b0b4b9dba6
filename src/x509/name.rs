//! Server identity: the name the client asked for against the leaf's
//! subjectAltName (RFC 6125 §6, RFC 9525 §6.3).
//!
//! Rules:
//! - a DNS reference name matches only `dNSName` entries, compared
//!   ASCII-case-insensitively, one trailing dot ignored on either side;
//! - an IP reference (v4 or v6) matches only `iPAddress` entries, byte for byte;
//! - the subject common name is never used (RFC 9525 §6.3: no CN fallback);
//! - a wildcard is accepted only as the whole leftmost label (`*.example.com`),
//!   matches exactly one non-empty label, and needs at least two labels after
//!   it: `*.com` or `*` never match. (Without a public suffix list,
//!   `*.co.uk` is accepted; CAs are forbidden to issue it.) Partial wildcards
//!   (`f*.example.com`, `*x.example.com`, `a.*.example.com`) never match;
//! - a wildcard never matches an IP address written as a DNS name;
//! - internationalized names are compared as A-labels (`xn--...`); a
//!   reference name that is not ASCII is refused with a hint to convert it.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::net::IpAddr;

use x509_cert::ext::pkix::name::GeneralName;

use crate::verify::ServerName;
use crate::x509::cert::ParsedCert;
use crate::x509::error::CertError;

/// Strips one trailing dot (an absolute DNS name).
pub(crate) fn trim_dot(s: &str) -> &str {
    s.strip_suffix('.').unwrap_or(s)
}

/// True for a syntactically valid host name: 1 to 253 characters, labels of
/// 1 to 63 letters, digits, `-` or `_` (RFC 1123 §2.1, lenient about `_`).
pub(crate) fn valid_dns_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Matches one presented `dNSName` against a reference DNS name, with the
/// rules of this module's documentation.
///
/// ```
/// use embertls::x509::dns_name_matches;
/// assert!(dns_name_matches("Example.COM", "example.com."));
/// assert!(dns_name_matches("*.example.com", "www.example.com"));
/// assert!(!dns_name_matches("*.example.com", "a.b.example.com"));
/// assert!(!dns_name_matches("*.com", "example.com"));
/// assert!(!dns_name_matches("f*.example.com", "foo.example.com"));
/// ```
pub fn dns_name_matches(presented: &str, reference: &str) -> bool {
    let p = trim_dot(presented);
    let r = trim_dot(reference);
    if !valid_dns_name(r) || r.parse::<IpAddr>().is_ok() {
        return false;
    }
    if let Some(rest) = p.strip_prefix("*.") {
        if !valid_dns_name(rest) || !rest.contains('.') {
            return false;
        }
        return match r.split_once('.') {
            Some((first, r_rest)) => !first.is_empty() && r_rest.eq_ignore_ascii_case(rest),
            None => false,
        };
    }
    valid_dns_name(p) && p.eq_ignore_ascii_case(r)
}

/// The leaf's names as `DNS:...` / `IP:...` strings, for errors and summaries.
pub(crate) fn presented_names(cert: &ParsedCert<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for n in cert.san.as_deref().unwrap_or(&[]) {
        match n {
            GeneralName::DnsName(d) => out.push(alloc::format!("DNS:{}", d.as_str())),
            GeneralName::IpAddress(o) => out.push(alloc::format!("IP:{}", ip_string(o.as_bytes()))),
            _ => {}
        }
    }
    out
}

/// An iPAddress SAN's bytes as text.
pub(crate) fn ip_string(b: &[u8]) -> String {
    if let Ok(a) = <[u8; 4]>::try_from(b) {
        IpAddr::from(a).to_string()
    } else if let Ok(a) = <[u8; 16]>::try_from(b) {
        IpAddr::from(a).to_string()
    } else {
        alloc::format!("<{} bytes>", b.len())
    }
}

fn ip_matches(presented: &[u8], ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => presented == v4.octets(),
        IpAddr::V6(v6) => presented == v6.octets(),
    }
}

/// Checks that the leaf is valid for `name` (RFC 9525 §6.3).
pub(crate) fn check_server_name(leaf: &ParsedCert<'_>, name: &ServerName<'_>) -> Result<(), CertError> {
    let sans = leaf.san.as_deref().unwrap_or(&[]);
    let ip = match name {
        ServerName::Ip(ip) => Some(*ip),
        ServerName::Dns(d) => d.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().ok(),
    };
    let ok = match (ip, name) {
        (Some(ip), _) => sans.iter().any(|n| matches!(n, GeneralName::IpAddress(o) if ip_matches(o.as_bytes(), ip))),
        (None, ServerName::Dns(d)) => {
            if !d.is_ascii() {
                return Err(CertError::InvalidServerName {
                    name: d.to_string(),
                    reason: "it is not ASCII; convert an internationalized name to its A-label (xn--...) form first \
                             (RFC 5890), as certificates hold A-labels",
                });
            }
            if !valid_dns_name(trim_dot(d)) {
                return Err(CertError::InvalidServerName {
                    name: d.to_string(),
                    reason: "it is not a valid DNS host name (labels of letters, digits and '-', separated by dots)",
                });
            }
            sans.iter().any(|n| matches!(n, GeneralName::DnsName(p) if dns_name_matches(p.as_str(), d)))
        }
        (None, ServerName::Ip(_)) => false,
    };
    if ok {
        Ok(())
    } else {
        Err(CertError::NameMismatch { cert: leaf.id(), expected: name.to_string(), presented: presented_names(leaf) })
    }
}
