//! The provider-dependent suite again, with the `ring` provider (issue 14
//! item 3; feature `ring`), the way rustls runs its suite per provider: the
//! modules of tests/suite/ compiled into this binary, whose name makes
//! `common::provider::TestProvider` ring (tests/common/provider.rs). Test
//! names carry the file: `openssl_peer::tls13_every_suite_and_group`, ...
//!
//! What cannot run under ring stays RustCrypto-only inside its module, with
//! the reason beside it (`#[cfg(not(...))]` on `WITH_RING`-gated code, or a
//! provider named explicitly). RFC 8448's traces need fixed private keys,
//! which ring cannot import: they run with `TraceProvider`, ring for all but
//! key import (and the traces' RSA-1024 signature, under ring's 2048-bit floor).
#![cfg(feature = "ring")]

mod common;

#[allow(dead_code)] // the example's `main` and helpers not called here
#[path = "../examples/mqtt_psk.rs"]
mod mqtt_psk;

#[path = "suite/bad_input.rs"]
mod bad_input;
#[path = "suite/client_auth.rs"]
mod client_auth;
#[path = "suite/embedded_io.rs"]
mod embedded_io;
#[path = "suite/error_catalogue.rs"]
mod error_catalogue;
#[path = "suite/hal_api.rs"]
mod hal_api;
#[path = "suite/mosquitto.rs"]
mod mosquitto;
#[path = "suite/openssl_peer.rs"]
mod openssl_peer;
#[path = "suite/psk.rs"]
mod psk;
#[path = "suite/resumption.rs"]
mod resumption;
#[path = "suite/rfc8448_key_schedule.rs"]
mod rfc8448_key_schedule;
#[path = "suite/rfc8448_records.rs"]
mod rfc8448_records;
#[path = "suite/rustls_peer.rs"]
mod rustls_peer;
#[path = "suite/small_buffers.rs"]
mod small_buffers;
#[path = "suite/tls12_bad_input.rs"]
mod tls12_bad_input;
#[path = "suite/tls12_peers.rs"]
mod tls12_peers;
#[path = "suite/tls12_rustls.rs"]
mod tls12_rustls;
#[path = "suite/x509_peer.rs"]
mod x509_peer;

/// The binary's name is what selects ring: a renamed file would silently
/// run RustCrypto again.
#[test]
fn this_binary_runs_with_ring() {
    const _: () = assert!(common::provider::WITH_RING);
    assert_eq!(
        std::any::type_name::<common::provider::TestProvider>(),
        std::any::type_name::<embertls::provider::Ring>()
    );
}

/// This twin runs every module of tests/suite/ (a module added there and
/// not here would run with RustCrypto only), and every file of that folder
/// is a module.
#[test]
fn lists_every_suite_module() {
    let ours = common::provider::assert_twin(
        include_str!("suite_ring.rs"),
        include_str!("suite/main.rs"),
        "tests/suite",
        &["common", "mqtt_psk"],
    );
    assert!(ours.len() >= 17, "{ours:?}");
}

/// The suite's connections take this binary's provider: `ConnectOptions::new`
/// alone would give RustCrypto here too, so a module builds its options with
/// `common::provider::options` (or names the provider with `with_provider`).
#[test]
fn suite_modules_connect_with_the_test_provider() {
    let offenders = common::provider::lines_matching("tests/suite", |line| {
        line.contains("ConnectOptions::new(") && !line.contains(".with_provider(")
    });
    assert!(offenders.is_empty(), "connections with the default provider:\n{}", offenders.join("\n"));
}
