//! Certification path building and validation (RFC 5280 §6.1, RFC 4158).
//!
//! From the leaf, issuers are looked for among the trust anchors first and
//! then among the certificates the server sent (in any order; duplicates and
//! unrelated extras are tolerated). When several candidates have the issuer's
//! name, those whose subjectKeyIdentifier equals the child's
//! authorityKeyIdentifier are tried first, and the others after. The search
//! is depth-first with backtracking, bounded by a maximum path depth and a
//! maximum number of signature checks. If every path fails, the most useful
//! failure is reported (see `CertError::rank`), not the last one.

use alloc::string::String;
use alloc::vec::Vec;

use crate::crypto::SignatureVerifier;
use crate::msgs::certificate::CertificateChain;
use crate::verify::{ServerName, UnixTime};
use crate::x509::anchors::TrustAnchor;
use crate::x509::cert::{ParsedCert, OID_ANY_EKU, OID_KP_SERVER_AUTH};
use crate::x509::constraints;
use crate::x509::error::CertError;
use crate::x509::name::check_server_name;
use crate::x509::profile::Profile;
use crate::x509::rules;
use crate::x509::sigalg::{check_signed_by, parse_key, RsaLimits};

/// At most this many certificates of the server's chain are considered.
const MAX_POOL: usize = 32;

/// Limits and switches of path validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Options {
    /// Maximum certificates in a path, leaf included, anchor excluded.
    pub max_depth: usize,
    /// Maximum signature checks per verification.
    pub max_sig_checks: u32,
    /// RSA modulus limits.
    pub rsa: RsaLimits,
    /// Check validity dates (needs the caller's time).
    pub check_time: bool,
    /// Which certificate rules apply.
    pub profile: Profile,
    /// Maximum name-constraint comparisons per verification.
    pub max_name_checks: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_depth: 8,
            max_sig_checks: 100,
            rsa: RsaLimits { min_bits: 2048, max_bits: 8192 },
            check_time: true,
            profile: Profile::Strict,
            max_name_checks: constraints::DEFAULT_MAX_NAME_CHECKS,
        }
    }
}

impl Options {
    /// Adds every option to a verifier's [`TrustId`](crate::TrustId).
    pub(crate) fn add_to(&self, h: &mut crate::verify::TrustIdHasher) {
        h.part(&(self.max_depth as u64).to_be_bytes())
            .part(&self.max_sig_checks.to_be_bytes())
            .part(&self.rsa.min_bits.to_be_bytes())
            .part(&self.rsa.max_bits.to_be_bytes())
            .part(&[u8::from(self.check_time)])
            .part(self.profile.name().as_bytes())
            .part(&self.max_name_checks.to_be_bytes());
    }
}

/// RFC 5280 §6.1.3 (a)(2): notBefore <= now <= notAfter.
fn check_validity(c: &ParsedCert<'_>, now: u64) -> Result<(), CertError> {
    let (not_before, not_after) = (c.not_before, c.not_after);
    if now < not_before {
        return Err(CertError::NotYetValid { cert: c.id(), not_before, not_after, now });
    }
    if now > not_after {
        return Err(CertError::Expired { cert: c.id(), not_before, not_after, now });
    }
    Ok(())
}

fn eku_strings(c: &ParsedCert<'_>) -> Vec<String> {
    c.eku.iter().flatten().map(|o| alloc::format!("{o}")).collect()
}

/// Rules for the end-entity certificate (RFC 5280 §4.2.1.3, §4.2.1.12, §4.2).
fn check_leaf(leaf: &ParsedCert<'_>, profile: Profile) -> Result<(), CertError> {
    leaf.check_consistency()?;
    leaf.check_critical()?;
    if leaf.key_usage.is_some_and(|k| !k.digital_signature()) {
        return Err(CertError::MissingKeyUsage { cert: leaf.id(), needed: "digitalSignature" });
    }
    // anyExtendedKeyUsage alone is not enough for a TLS server (RFC 5280 §4.2.1.12 allows refusing it).
    if let Some(eku) = &leaf.eku {
        if !eku.contains(&OID_KP_SERVER_AUTH) {
            return Err(CertError::NoServerAuth { cert: leaf.id(), usages: eku_strings(leaf) });
        }
    }
    rules::check_any(leaf, profile)?;
    rules::check_leaf(leaf, profile)
}

/// Intermediate CAs below position `path.len()`, self-issued ones not counted (RFC 5280 §6.1.4 (l)).
fn intermediates_below(path: &[&ParsedCert<'_>]) -> usize {
    path.iter().skip(1).filter(|c| !c.self_issued()).count()
}

/// Rules for a certificate used as an issuer (RFC 5280 §6.1.4 (k), (l), (m), (n)).
fn check_ca(c: &ParsedCert<'_>, path: &[&ParsedCert<'_>], now: Option<u64>, profile: Profile) -> Result<(), CertError> {
    c.check_consistency()?;
    c.check_critical()?;
    if let Some(t) = now {
        check_validity(c, t)?;
    }
    if !c.is_ca() {
        return Err(CertError::NotCa { cert: c.id() });
    }
    if c.key_usage.is_some_and(|k| !k.key_cert_sign()) {
        return Err(CertError::MissingKeyUsage { cert: c.id(), needed: "keyCertSign" });
    }
    // An EKU on a CA restricts what it may issue for (common practice, as in the CA/Browser Forum rules).
    if let Some(eku) = &c.eku {
        if !eku.contains(&OID_KP_SERVER_AUTH) && !eku.contains(&OID_ANY_EKU) {
            return Err(CertError::NoServerAuth { cert: c.id(), usages: eku_strings(c) });
        }
    }
    if let Some(pl) = c.basic.as_ref().and_then(|b| b.path_len_constraint) {
        let below = intermediates_below(path);
        if below > usize::from(pl) {
            return Err(CertError::PathLenExceeded { cert: c.id(), path_len: pl, below });
        }
    }
    rules::check_any(c, profile)?;
    rules::check_ca_shape(c, profile)
}

/// Applies a CA's name constraints to every certificate below it, within the name-check budget.
fn check_constraints(
    nc: Option<&x509_cert::ext::pkix::NameConstraints>,
    by: &str,
    path: &[&ParsedCert<'_>],
    budget: &mut u32,
    limit: u32,
) -> Result<(), CertError> {
    let Some(nc) = nc else { return Ok(()) };
    for (i, c) in path.iter().enumerate() {
        if i == 0 || !c.self_issued() {
            constraints::check(nc, by, c, budget, limit)?;
        }
    }
    Ok(())
}

/// Order of trying candidate issuers: key identifiers equal, unknown, different.
fn key_id_order(child_aki: Option<&[u8]>, ski: Option<&[u8]>) -> u8 {
    match (child_aki, ski) {
        (Some(a), Some(s)) if a == s => 0,
        (Some(_), Some(_)) => 2,
        _ => 1,
    }
}

struct Search<'s, 'a> {
    crypto: &'s mut dyn SignatureVerifier,
    anchors: &'s [TrustAnchor],
    pool: &'s [ParsedCert<'a>],
    opts: &'s Options,
    now: Option<u64>,
    budget: u32,
    name_budget: u32,
    exhausted: bool,
    best: Option<CertError>,
}

impl<'s, 'a> Search<'s, 'a> {
    /// Keeps `e` if it explains the failure best so far. Out of line: a
    /// refusal's error is not in the frames under a signature (issue 12: stack).
    #[cold]
    #[inline(never)]
    fn record(&mut self, e: CertError) {
        // Running out of name-check work ends the search: the bound is per verification.
        if matches!(e, CertError::NameConstraintBudget { .. }) {
            self.exhausted = true;
        }
        if self.best.as_ref().is_none_or(|b| e.rank() > b.rank()) {
            self.best = Some(e);
        }
    }

    fn spend(&mut self) -> Result<(), CertError> {
        if self.budget == 0 {
            self.exhausted = true;
            return Err(CertError::TooManySignatureChecks { limit: self.opts.max_sig_checks });
        }
        self.budget -= 1;
        Ok(())
    }

    /// Whether anchor `a` issued `top`, the last certificate of `path`
    /// (signature, pathLenConstraint, name constraints); a refusal is
    /// recorded. The checks before and after the signature run in frames of
    /// their own, so this frame, under which the signature is checked,
    /// holds little more than its result (issue 12: stack).
    #[inline(never)]
    fn anchor_issued(&mut self, a: &TrustAnchor, top: &ParsedCert<'a>, path: &[&ParsedCert<'a>]) -> bool {
        if !self.may_sign(|s| a.check_as_issuer(s.opts.profile, s.now)) {
            return false;
        }
        match check_signed_by(self.crypto, top, &a.spki_der, || a.id(), self.opts.rsa) {
            Ok(()) => self.anchor_constraints(a, path),
            Err(e) => {
                self.anchor_refused(e, a, top);
                false
            }
        }
    }

    /// After `a`'s signature on the last certificate of `path`: its
    /// pathLenConstraint and name constraints; a refusal is recorded.
    #[inline(never)]
    fn anchor_constraints(&mut self, a: &TrustAnchor, path: &[&ParsedCert<'a>]) -> bool {
        if let Some(pl) = a.path_len {
            let below = intermediates_below(path);
            if below > usize::from(pl) {
                self.record(CertError::PathLenExceeded { cert: a.id(), path_len: pl, below });
                return false;
            }
        }
        let limit = self.opts.max_name_checks;
        let r = check_constraints(a.name_constraints.as_ref(), &a.subject, path, &mut self.name_budget, limit);
        self.accepted(r)
    }

    /// Records why anchor `a`'s signature on `top` was refused.
    #[cold]
    #[inline(never)]
    fn anchor_refused(&mut self, e: CertError, a: &TrustAnchor, top: &ParsedCert<'a>) {
        self.record(match e {
            // Same name, and no key identifier says it is the same key:
            // another CA (or a re-keyed one), not the intermediates' fault.
            CertError::BadSignature { cert, .. } if key_id_order(top.aki, a.ski.as_deref()) != 0 => {
                CertError::AnchorKeyMismatch { cert, anchor: a.subject.clone() }
            }
            e => e,
        });
    }

    /// Whether the server's certificate `c` may issue and issued `top`, the
    /// last certificate of `path` (RFC 5280 §6.1.3-4); a refusal is
    /// recorded. Split like [`Self::anchor_issued`].
    #[inline(never)]
    fn issued_by(&mut self, c: &ParsedCert<'a>, top: &ParsedCert<'a>, path: &[&ParsedCert<'a>]) -> bool {
        if !self.may_sign(|s| check_ca(c, path, s.now, s.opts.profile)) {
            return false;
        }
        let signed = check_signed_by(self.crypto, top, c.spki_raw, || c.id(), self.opts.rsa);
        self.accepted(signed) && self.issuer_constraints(c, path)
    }

    /// After `c`'s signature on the last certificate of `path`: its name constraints.
    #[inline(never)]
    fn issuer_constraints(&mut self, c: &ParsedCert<'a>, path: &[&ParsedCert<'a>]) -> bool {
        let Some(nc) = c.name_constraints.as_ref() else { return true };
        let limit = self.opts.max_name_checks;
        let r = check_constraints(Some(nc), &c.subject_string(), path, &mut self.name_budget, limit);
        self.accepted(r)
    }

    /// The checks before a signature (`issuer`) pass and one signature check
    /// is left in the budget (spent here); else the refusal is recorded.
    #[inline(never)]
    fn may_sign(&mut self, issuer: impl FnOnce(&Self) -> Result<(), CertError>) -> bool {
        let r = issuer(self).and_then(|()| self.spend());
        self.accepted(r)
    }

    /// Whether `r` is `Ok`; an error is recorded.
    fn accepted(&mut self, r: Result<(), CertError>) -> bool {
        match r {
            Ok(()) => true,
            Err(e) => {
                self.record(e);
                false
            }
        }
    }

    /// Tries to complete `path` (leaf first) up to an anchor. It recurses
    /// once per certificate added (at most `max_depth`), so its own frame
    /// holds only the candidate list: the anchors, the candidates and every
    /// refusal are handled in frames of their own (issue 12: stack).
    fn extend(&mut self, path: &mut Vec<&'s ParsedCert<'a>>) -> bool {
        let Some(&top) = path.last() else { return false };
        // 1. An anchor issued `top`.
        let mut tried_any = match self.via_anchor(top, path) {
            Via::Anchor => return true,
            Via::Exhausted => return false,
            Via::NoAnchor { tried_any } => tried_any,
        };
        // 2. A certificate the server sent issued `top`.
        for c in self.candidates(top, path) {
            if self.exhausted {
                return false;
            }
            tried_any = true;
            if path.len() >= self.opts.max_depth {
                self.record_path_too_long();
                break;
            }
            if !self.issued_by(c, top, path) {
                continue;
            }
            path.push(c);
            if self.extend(path) {
                return true;
            }
            path.pop();
        }
        if !tried_any {
            self.record_unknown_issuer(top);
        }
        false
    }

    /// Step 1 of [`Self::extend`]: the anchors named as `top`'s issuer, best
    /// key identifier match first.
    #[inline(never)]
    fn via_anchor(&mut self, top: &ParsedCert<'a>, path: &[&ParsedCert<'a>]) -> Via {
        let mut anchors: Vec<&TrustAnchor> =
            self.anchors.iter().filter(|a| a.subject_der.as_slice() == top.issuer_raw).collect();
        anchors.sort_by_key(|a| key_id_order(top.aki, a.ski.as_deref()));
        let mut tried_any = false;
        for a in anchors {
            if self.exhausted {
                return Via::Exhausted;
            }
            tried_any = true;
            if self.anchor_issued(a, top, path) {
                return Via::Anchor;
            }
        }
        Via::NoAnchor { tried_any }
    }

    /// The certificates the server sent that may have issued `top`: named as
    /// its issuer, not already on `path`, not an anchor (tried as one).
    #[inline(never)]
    fn candidates(&self, top: &ParsedCert<'a>, path: &[&ParsedCert<'a>]) -> Vec<&'s ParsedCert<'a>> {
        let mut cands: Vec<&'s ParsedCert<'a>> = self
            .pool
            .iter()
            .filter(|c| c.subject_raw == top.issuer_raw)
            .filter(|c| !path.iter().any(|p| p.subject_raw == c.subject_raw && p.spki_raw == c.spki_raw))
            .filter(|c| !self.anchors.iter().any(|a| a.is(c)))
            .collect();
        cands.sort_by_key(|c| key_id_order(top.aki, c.ski));
        cands
    }

    #[cold]
    #[inline(never)]
    fn record_path_too_long(&mut self) {
        self.record(CertError::PathTooLong { max_depth: self.opts.max_depth });
    }

    #[cold]
    #[inline(never)]
    fn record_unknown_issuer(&mut self, top: &ParsedCert<'a>) {
        self.record(CertError::UnknownIssuer { cert: top.id(), anchors: self.anchors.len() });
    }
}

/// What [`Search::via_anchor`] found.
enum Via {
    /// An anchor issued the certificate: the path is complete.
    Anchor,
    /// The search ran out of its budget.
    Exhausted,
    /// No anchor issued it; whether any was tried.
    NoAnchor { tried_any: bool },
}

/// Verifies `chain` against `anchors` for `name` (when given) at `now`.
pub(crate) fn verify_chain(
    anchors: &[TrustAnchor],
    chain: &CertificateChain<'_>,
    name: Option<&ServerName<'_>>,
    now: Option<UnixTime>,
    opts: &Options,
    crypto: &mut dyn SignatureVerifier,
) -> Result<(), CertError> {
    let Some(parsed) = parse_chain(anchors, chain, name, now, opts)? else { return Ok(()) };
    search_path(anchors, &parsed.certs, parsed.now, opts, crypto)
}

/// The path search from the leaf, `parsed[0]`, through the other
/// certificates to an anchor; its own frame, not beside [`parse_chain`]'s
/// result (issue 12: stack).
#[inline(never)]
fn search_path(
    anchors: &[TrustAnchor],
    parsed: &[ParsedCert<'_>],
    now: Option<u64>,
    opts: &Options,
    crypto: &mut dyn SignatureVerifier,
) -> Result<(), CertError> {
    let Some((leaf, pool)) = parsed.split_first() else { return Err(CertError::NoCertificate) };
    let mut search = Search {
        crypto,
        anchors,
        pool,
        opts,
        now,
        budget: opts.max_sig_checks,
        name_budget: opts.max_name_checks,
        exhausted: false,
        best: None,
    };
    let mut path = alloc::vec![leaf];
    if search.extend(&mut path) {
        return Ok(());
    }
    Err(match search.best {
        Some(e) => e,
        None => CertError::UnknownIssuer { cert: leaf.id(), anchors: anchors.len() },
    })
}

/// The chain parsed, the leaf first and checked (name, validity, profile,
/// key), and the time to check the others at; `None` when the leaf is
/// itself an anchor (trusted as it is). Out
/// of line: its temporaries are not in the frame under the path search
/// (issue 12: stack).
#[inline(never)]
fn parse_chain<'c>(
    anchors: &[TrustAnchor],
    chain: &CertificateChain<'c>,
    name: Option<&ServerName<'_>>,
    now: Option<UnixTime>,
    opts: &Options,
) -> Result<Option<ParsedChain<'c>>, CertError> {
    let mut certs = chain.iter();
    let leaf_der = certs.next().ok_or(CertError::NoCertificate)?;
    let now = match (opts.check_time, now) {
        (false, _) => None,
        (true, Some(t)) => Some(t.0),
        (true, None) => return Err(CertError::NoClock),
    };
    // The leaf first, then the other certificates: one vector, on the heap.
    let mut parsed: Vec<ParsedCert<'_>> = Vec::new();
    ParsedCert::parse_into(&mut parsed, leaf_der, 0).map_err(|detail| CertError::Malformed { position: 0, detail })?;
    let Some(leaf) = parsed.first() else { return Err(CertError::NoCertificate) };
    if let Some(n) = name {
        check_server_name(leaf, n)?;
    }
    if let Some(t) = now {
        check_validity(leaf, t)?;
    }
    check_leaf(leaf, opts.profile)?;
    parse_key(leaf.spki_raw, || leaf.id(), opts.rsa)?;
    // A server certificate configured as an anchor itself (self-signed home broker).
    if anchors.iter().any(|a| a.is(leaf)) {
        return Ok(None);
    }
    leaf.check_sig_alg()?;

    for (i, der) in certs.enumerate().take(MAX_POOL) {
        if parsed.iter().any(|c| c.der == der) {
            continue;
        }
        // Unparseable extras are ignored: a path through them could not be checked anyway.
        let _ = ParsedCert::parse_into(&mut parsed, der, i + 1);
    }
    Ok(Some(ParsedChain { certs: parsed, now }))
}

/// What [`parse_chain`] gives the path search.
struct ParsedChain<'c> {
    /// The leaf first, then the other certificates that parsed.
    certs: Vec<ParsedCert<'c>>,
    /// The time to check validity at (`None`: not checked).
    now: Option<u64>,
}
