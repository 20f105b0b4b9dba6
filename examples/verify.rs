//! Offline certificate chain checker: runs embertls' own verifier
//! ([`CaVerifier`] through the [`ServerVerifier`] trait, exactly what a
//! connection runs) on certificate files, so a server's chain can be checked
//! on the desk before a device is flashed.
//!
//! ```text
//! cargo run --release --example verify -- [--ca FILE]... [--intermediates FILE]
//!     (--name DNS_NAME | --ip ADDRESS) [--time RFC3339 | --no-time-check] [--profile strict|rfc5280]
//!     [--show-chain]
//!     LEAF_OR_CHAIN.pem
//!
//!   --ca FILE            trust anchor(s), PEM (several blocks allowed) or DER (repeatable; at least one)
//!   --intermediates FILE more certificates the server sends after its leaf (PEM or DER)
//!   --name DNS_NAME      the host name the device connects to
//!   --ip ADDRESS         or the IP address it connects to (IPv4 or IPv6)
//!   --time RFC3339       verify at this time, e.g. 2030-01-01T00:00:00Z or 2030-01-01T02:00:00+02:00
//!                        (default: this computer's clock)
//!   --no-time-check      do not check validity dates (as CaVerifier::skip_time_checks())
//!   --profile P          certificate rules: `strict` (default: RFC 5280 + CA/Browser Forum, for public
//!                        servers) or `rfc5280` (for a private CA; as CaVerifier::profile(Profile::Rfc5280))
//!   --show-chain         print the chain's summary and SPKI pins (as the client example does)
//!   LEAF_OR_CHAIN.pem    the server's leaf certificate, optionally followed by its chain
//! ```
//!
//! Exit status: 0 and `verified: <leaf subject> -> ... -> <anchor subject>`
//! when the chain verifies; 1 and `embertls: error: <message>` (the message a
//! connection would give) when it is refused; 2 with its own message when the
//! input is unusable (unreadable file, no certificate in it, bad time, bad
//! arguments).
//!
//! How the printed path is found: the verifier does not expose the path it
//! built, so after a success the tool asks the same verifier again with one
//! anchor at a time (the first that verifies is named) and with one
//! intermediate left out at a time (those still needed form the path, ordered
//! by issuer name). Every step is a verification by the engine.

use std::net::IpAddr;
use std::process::ExitCode;

use embertls::x509::{CaVerifier, ChainSummary, Profile, TrustAnchor, TrustAnchors};
use embertls::{CertError, CertificateChain, Error, ServerName, ServerVerifier, Trust, UnixTime};

const USAGE: &str = "usage: verify [--ca FILE]... [--intermediates FILE] (--name DNS_NAME | --ip ADDRESS) \
                     [--time RFC3339 | --no-time-check] [--profile strict|rfc5280] [--show-chain] LEAF_OR_CHAIN.pem";

/// Unusable input: exit status 2.
struct Unusable(String);

impl From<&str> for Unusable {
    fn from(s: &str) -> Self {
        Unusable(s.into())
    }
}

impl From<String> for Unusable {
    fn from(s: String) -> Self {
        Unusable(s)
    }
}

#[derive(Default)]
struct Options {
    ca: Vec<String>,
    intermediates: Option<String>,
    name: Option<String>,
    ip: Option<String>,
    time: Option<String>,
    no_time_check: bool,
    profile: Profile,
    show_chain: bool,
    chain: Option<String>,
}

fn parse_args() -> Result<Options, Unusable> {
    let mut o = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| Unusable(format!("{name} needs a value; {USAGE}")));
        match a.as_str() {
            "--ca" => o.ca.push(value("--ca")?),
            "--intermediates" => {
                if o.intermediates.replace(value("--intermediates")?).is_some() {
                    return Err("--intermediates may be given once (put several certificates in one PEM file)".into());
                }
            }
            "--name" => o.name = Some(value("--name")?),
            "--ip" => o.ip = Some(value("--ip")?),
            "--time" => o.time = Some(value("--time")?),
            "--no-time-check" => o.no_time_check = true,
            "--profile" => {
                let p = value("--profile")?;
                o.profile = Profile::from_name(&p)
                    .ok_or_else(|| Unusable(format!("--profile {p}: give strict or rfc5280; {USAGE}")))?;
            }
            "--show-chain" => o.show_chain = true,
            "-h" | "--help" => return Err(USAGE.into()),
            s if s.starts_with("--") => return Err(format!("unknown option {s}; {USAGE}").into()),
            s => {
                if o.chain.replace(s.to_string()).is_some() {
                    return Err(format!("only one LEAF_OR_CHAIN file may be given; {USAGE}").into());
                }
            }
        }
    }
    if o.chain.is_none() {
        return Err(format!("no LEAF_OR_CHAIN file given; {USAGE}").into());
    }
    if o.name.is_some() == o.ip.is_some() {
        return Err(format!("give exactly one of --name DNS_NAME or --ip ADDRESS; {USAGE}").into());
    }
    if o.time.is_some() && o.no_time_check {
        return Err("--time and --no-time-check exclude each other".into());
    }
    if o.ca.is_empty() {
        return Err("no trust anchor: give the root CA certificate with --ca FILE (or the server's own self-signed \
                    certificate)"
            .into());
    }
    Ok(o)
}

fn read(what: &str, path: &str) -> Result<Vec<u8>, Unusable> {
    std::fs::read(path).map_err(|e| Unusable(format!("{what} {path}: cannot read it: {e}")))
}

/// The DER certificates of a PEM (any number of CERTIFICATE blocks) or DER file.
fn certificates(what: &str, path: &str) -> Result<Vec<Vec<u8>>, Unusable> {
    let bytes = read(what, path)?;
    embertls::pem::certificates(&bytes).map_err(|e| match e {
        Error::Config(s) => Unusable(format!("{what} {path}: not a PEM or DER certificate file: {s}")),
        other => Unusable(format!("{what} {path}: {other}")),
    })
}

/// A TLS 1.3 certificate_list: per certificate a 24-bit length, the DER and
/// an empty (16-bit length 0) extensions block (RFC 8446 §4.4.2).
fn tls13_list(certs: &[Vec<u8>]) -> Result<Vec<u8>, Unusable> {
    let mut out = Vec::new();
    for c in certs {
        let n = u32::try_from(c.len()).ok().filter(|n| *n < 1 << 24).ok_or("a certificate is larger than 16 MiB")?;
        out.extend_from_slice(&n.to_be_bytes()[1..]);
        out.extend_from_slice(c);
        out.extend_from_slice(&[0, 0]);
    }
    Ok(out)
}

/// Parses an RFC 3339 date-time (`2030-01-01T00:00:00Z`, `...T02:00:00.5+02:00`)
/// into seconds since 1970 (UTC). Fractions of seconds are dropped; a leap
/// second `:60` counts as `:59`.
fn parse_rfc3339(s: &str) -> Result<u64, String> {
    let bad = |why: &str| {
        format!("--time {s}: {why}; expected RFC 3339, e.g. 2030-01-01T00:00:00Z or 2030-01-01T02:00:00+02:00")
    };
    let b = s.as_bytes();
    let digits = |from: usize, len: usize| -> Result<i64, String> {
        let part = b.get(from..from + len).ok_or_else(|| bad("too short"))?;
        if !part.iter().all(u8::is_ascii_digit) {
            return Err(bad("a digit is expected"));
        }
        Ok(part.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
    };
    let expect = |at: usize, chars: &[u8]| -> Result<(), String> {
        match b.get(at) {
            Some(c) if chars.contains(c) => Ok(()),
            _ => Err(bad(&format!("'{}' expected at position {}", chars[0] as char, at + 1))),
        }
    };
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    expect(4, b"-")?;
    expect(7, b"-")?;
    expect(10, b"Tt ")?;
    let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    expect(13, b":")?;
    expect(16, b":")?;
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return Err(bad("digits are expected after '.'"));
        }
    }
    let offset = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() => {
            expect(i + 3, b":")?;
            let (oh, om) = (digits(i + 1, 2)?, digits(i + 4, 2)?);
            if oh > 23 || om > 59 {
                return Err(bad("the UTC offset is out of range"));
            }
            let off = oh * 3600 + om * 60;
            if *sign == b'+' {
                off
            } else {
                -off
            }
        }
        _ => return Err(bad("a time zone (Z or +hh:mm / -hh:mm) must end the time")),
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&month) {
        return Err(bad("the month must be 01 to 12"));
    }
    if day < 1 || day > month_days[(month - 1) as usize] {
        return Err(bad("no such day in that month"));
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err(bad("the time of day is out of range"));
    }
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset;
    u64::try_from(secs).map_err(|_| bad("times before 1970-01-01T00:00:00Z cannot be used"))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn verify(v: &CaVerifier, certs: &[Vec<u8>], name: &ServerName<'_>, now: Option<UnixTime>) -> Result<Trust, CertError> {
    let list = tls13_list(certs).map_err(|_| CertError::NotTrusted { reason: "a certificate is too large" })?;
    let chain = CertificateChain::from_tls13_list(&list)
        .map_err(|_| CertError::NotTrusted { reason: "a certificate is empty" })?;
    let verifier: &(dyn ServerVerifier + Sync) = v;
    verifier.verify_server(&chain, name, now)
}

/// Subjects from the leaf to the anchor of a path the engine verified (see the module docs).
fn verified_path(
    full: &CaVerifier,
    certs: &[Vec<u8>],
    summary: &ChainSummary,
    name: &ServerName<'_>,
    now: Option<UnixTime>,
    no_time_check: bool,
) -> Vec<String> {
    let with = |anchor: &TrustAnchor| {
        let mut one = TrustAnchors::new();
        one.push(anchor.clone());
        let v = CaVerifier::new(one).profile(full.current_profile());
        if no_time_check {
            v.skip_time_checks()
        } else {
            v
        }
    };
    let leaf_subject = summary.certs.first().map(|c| c.subject.clone()).unwrap_or_default();
    let Some((anchor, v)) =
        full.anchors().iter().map(|a| (a, with(a))).find(|(_, v)| verify(v, certs, name, now).is_ok())
    else {
        // Only a combination of anchors verifies (not expected): name none.
        return vec![leaf_subject, "(one of the trust anchors)".into()];
    };
    // Leave out each intermediate that the path does not need.
    let mut kept: Vec<usize> = (1..certs.len()).collect();
    for i in (1..certs.len()).rev() {
        let trial: Vec<Vec<u8>> =
            std::iter::once(0).chain(kept.iter().copied().filter(|k| *k != i)).map(|k| certs[k].clone()).collect();
        if verify(&v, &trial, name, now).is_ok() {
            kept.retain(|k| *k != i);
        }
    }
    // Order the needed intermediates from the leaf up, by issuer name.
    let mut path = vec![leaf_subject];
    let mut issuer = summary.certs.first().map(|c| c.issuer.clone()).unwrap_or_default();
    while let Some(pos) = kept.iter().position(|k| summary.certs.get(*k).is_some_and(|c| c.subject == issuer)) {
        let c = &summary.certs[kept.remove(pos)];
        path.push(c.subject.clone());
        issuer = c.issuer.clone();
    }
    path.extend(kept.iter().filter_map(|k| summary.certs.get(*k)).map(|c| c.subject.clone()));
    path.push(anchor.subject().to_string());
    path
}

fn run() -> Result<ExitCode, Unusable> {
    let o = parse_args()?;
    let mut anchors = TrustAnchors::new();
    for f in &o.ca {
        for der in certificates("--ca", f)? {
            anchors.add_der(&der).map_err(|e| Unusable(format!("--ca {f}: {e}")))?;
        }
    }
    let chain_file = o.chain.as_deref().unwrap_or_default();
    let mut certs = certificates("certificate file", chain_file)?;
    if let Some(f) = &o.intermediates {
        certs.extend(certificates("--intermediates", f)?);
    }
    let name = match (&o.name, &o.ip) {
        (Some(n), _) => ServerName::Dns(n),
        (None, Some(ip)) => ServerName::Ip(
            ip.trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
                .map_err(|e| Unusable(format!("--ip {ip}: not an IPv4 or IPv6 address ({e})")))?,
        ),
        (None, None) => return Err(USAGE.into()),
    };
    let now = match (&o.time, o.no_time_check) {
        (Some(t), _) => Some(UnixTime(parse_rfc3339(t)?)),
        (None, true) => None,
        (None, false) => Some(UnixTime(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(|_| "this computer's clock is before 1970; give --time")?
                .as_secs(),
        )),
    };
    let list = tls13_list(&certs)?;
    let chain = CertificateChain::from_tls13_list(&list).map_err(|e| Unusable(format!("{chain_file}: {e:?}")))?;
    let summary = ChainSummary::from_chain(&chain);
    // A file that holds something that is not an X.509 certificate is unusable input, not a refusal.
    if let Some(c) = summary.certs.iter().find(|c| c.parse_error.is_some()) {
        return Err(Unusable(format!(
            "certificate #{} of the input is not a valid X.509 certificate: {}",
            c.position,
            c.parse_error.as_deref().unwrap_or_default()
        )));
    }
    if o.show_chain {
        println!("{summary}");
    }
    let verifier = CaVerifier::new(anchors).profile(o.profile);
    let verifier = if o.no_time_check { verifier.skip_time_checks() } else { verifier };
    match verify(&verifier, &certs, &name, now) {
        Ok(_) => {
            let path = verified_path(&verifier, &certs, &summary, &name, now, o.no_time_check);
            println!("verified: {}", path.join(" -> "));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("embertls: error: {}", Error::from(e));
            Ok(ExitCode::from(1))
        }
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(Unusable(msg)) => {
            eprintln!("verify: {msg}");
            ExitCode::from(2)
        }
    }
}
