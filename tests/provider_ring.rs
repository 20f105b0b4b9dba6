//! The provider-dependent suites again, with the `ring` provider (issue 14
//! item 3; feature `ring`): the same test files as their own binaries, here
//! compiled as modules of this binary, whose name makes
//! `common::provider::TestProvider` ring (tests/common/provider.rs). Test
//! names carry the file: `openssl_peer::tls13_every_suite_and_group`, ...
//!
//! RFC 8448's traces need fixed private keys, which ring cannot import: they
//! run with `TraceProvider`, ring for all but key import (and the traces'
//! RSA-1024 signature, under ring's 2048-bit floor).
#![cfg(feature = "ring")]
#![allow(clippy::duplicate_mod)] // each file brings its own `mod common`

mod common;

#[path = "bad_input.rs"]
mod bad_input;
#[path = "mosquitto.rs"]
mod mosquitto;
#[path = "openssl_peer.rs"]
mod openssl_peer;
#[path = "rfc8448_key_schedule.rs"]
mod rfc8448_key_schedule;
#[path = "rfc8448_records.rs"]
mod rfc8448_records;
#[path = "rustls_peer.rs"]
mod rustls_peer;
#[path = "tls12_bad_input.rs"]
mod tls12_bad_input;
#[path = "tls12_peers.rs"]
mod tls12_peers;
#[path = "tls12_rustls.rs"]
mod tls12_rustls;

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
