//! Bounded name-constraint work (issue #16 item 7): a chain multiplying
//! thousands of permitted subtrees by a thousand names is refused quickly
//! with `CertError::NameConstraintBudget`; the same chain verifies when the
//! bound is lifted (so the refusal is the bound, not the names).

use crate::common;
use crate::common::provider::VerifyWithTestProvider as _;

use std::time::Instant;

use common::x509::build::*;
use common::x509::{tls13_list, NOW};
use embertls::x509::{CaVerifier, Profile, TrustAnchors};
use embertls::{CertError, CertificateChain, ServerName, Trust};

/// An intermediate permitting `subtrees` unrelated DNS subtrees and then `test`
/// (which permits everything), and a leaf with `names` DNS names under `test`.
fn hostile(subtrees: usize, names: usize) -> Built {
    let bases: Vec<String> = (0..subtrees).map(|i| format!("x{i}.example")).chain(["test".into()]).collect();
    let sans: Vec<String> = std::iter::once(HOST.to_string()).chain((1..names).map(|j| format!("s{j}.test"))).collect();
    chain(
        |_| {},
        |i| {
            let gs: Vec<Gn<'_>> = bases.iter().map(|b| Gn::Dns(b)).collect();
            i.set(OID_NC, true, name_constraints(Some(&gs), None));
        },
        |l| {
            let gs: Vec<Gn<'_>> = sans.iter().map(|s| Gn::Dns(s)).collect();
            l.set(OID_SAN, false, san(&gs));
        },
    )
}

fn run(b: &Built, v: &CaVerifier) -> Result<Trust, CertError> {
    let list = tls13_list(&[b.leaf.clone(), b.int.clone()]);
    let chain = CertificateChain::from_tls13_list(&list).unwrap();
    v.verify_with_test_provider(&chain, &ServerName::parse(HOST), Some(NOW))
}

fn verifier(b: &Built) -> CaVerifier {
    let mut a = TrustAnchors::new();
    a.add_der(&b.root).unwrap();
    CaVerifier::new(a).profile(Profile::Strict)
}

#[test]
fn hostile_name_constraints_hit_the_budget() {
    let b = hostile(2_000, 1_000);
    let t = Instant::now();
    let e = run(&b, &verifier(&b)).unwrap_err();
    let bounded = t.elapsed();
    assert!(matches!(e, CertError::NameConstraintBudget { what: "name comparisons", limit: 16_384 }), "{e:?}");
    assert!(e.to_string().contains("16384 name comparisons"), "{e}");
    // The same chain, unbounded: it verifies (about 2 million comparisons).
    let t = Instant::now();
    assert_eq!(run(&b, &verifier(&b).max_name_constraint_checks(u32::MAX)), Ok(Trust::Verified));
    let unbounded = t.elapsed();
    println!("bounded: {bounded:?} (refused), unbounded: {unbounded:?} (verified)");
    assert!(bounded < unbounded, "the bound must save work: {bounded:?} vs {unbounded:?}");
}

#[test]
fn small_constrained_chain_is_within_the_budget() {
    let b = hostile(20, 100);
    assert_eq!(run(&b, &verifier(&b)), Ok(Trust::Verified));
    // A budget just below what it needs refuses it.
    let e = run(&b, &verifier(&b).max_name_constraint_checks(100)).unwrap_err();
    assert!(matches!(e, CertError::NameConstraintBudget { limit: 100, .. }), "{e:?}");
}

#[test]
fn too_many_names_under_constraints() {
    let b = hostile(1, 1_100);
    let e = run(&b, &verifier(&b).max_name_constraint_checks(u32::MAX)).unwrap_err();
    assert!(matches!(e, CertError::NameConstraintBudget { what: "names in one certificate", limit: 1_024 }), "{e:?}");
    // The same names without name constraints are fine.
    let many: Vec<String> = std::iter::once(HOST.to_string()).chain((1..1_100).map(|j| format!("s{j}.test"))).collect();
    let b = leaf_chain(|l| {
        let gs: Vec<Gn<'_>> = many.iter().map(|s| Gn::Dns(s)).collect();
        l.set(OID_SAN, false, san(&gs));
    });
    assert_eq!(b.strict(), Ok(Trust::Verified));
}
