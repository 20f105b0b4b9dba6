//! The X.509 verifier on its own (no handshake): chains, names, pins, the
//! certificate profile and its rules, budgets, bit flips, the root stores,
//! and the differential test against rustls-webpki. Issue 15 item 5: one test
//! binary, each former test file a module (`cargo test --all-features --test
//! x509 x509_rules::`). The verifier in real handshakes is `suite::x509_peer`.

#[path = "../common/mod.rs"]
mod common;

mod roots;
mod x509_budget;
mod x509_chains;
mod x509_differential;
mod x509_flips;
mod x509_names;
mod x509_pins;
mod x509_profile;
mod x509_rules;
