//! The X.509 verifier's tests again, with the `ring` provider checking the
//! certificate signatures (issue 14 item 3; feature `ring`): the modules of
//! tests/x509/ compiled into this binary, whose name makes
//! `common::provider::TestProvider` ring (tests/common/provider.rs). Every
//! module verifies through `VerifyWithTestProvider`, that is
//! `ServerVerifier::verify_server_with` and this binary's provider, as the
//! engine does in a handshake.
#![cfg(feature = "ring")]

mod common;

#[path = "x509/roots.rs"]
mod roots;
#[path = "x509/x509_budget.rs"]
mod x509_budget;
#[path = "x509/x509_chains.rs"]
mod x509_chains;
#[path = "x509/x509_differential.rs"]
mod x509_differential;
#[path = "x509/x509_flips.rs"]
mod x509_flips;
#[path = "x509/x509_names.rs"]
mod x509_names;
#[path = "x509/x509_pins.rs"]
mod x509_pins;
#[path = "x509/x509_profile.rs"]
mod x509_profile;
#[path = "x509/x509_rules.rs"]
mod x509_rules;

/// The binary's name is what selects ring.
#[test]
fn this_binary_runs_with_ring() {
    const _: () = assert!(common::provider::WITH_RING);
    assert_eq!(
        std::any::type_name::<common::provider::TestProvider>(),
        std::any::type_name::<embertls::provider::Ring>()
    );
}

/// This twin runs every module of tests/x509/, and those modules verify
/// with the test provider: a bare `verify_server(` checks with RustCrypto
/// whatever the binary.
#[test]
fn lists_every_x509_module_and_verifies_with_the_test_provider() {
    common::provider::assert_twin(
        include_str!("x509_ring.rs"),
        include_str!("x509/main.rs"),
        "tests/x509",
        &["common"],
    );
    let offenders = common::provider::lines_matching("tests/x509", |line| line.contains(".verify_server("));
    assert!(offenders.is_empty(), "verified with RustCrypto whatever the binary:\n{}", offenders.join("\n"));
}
