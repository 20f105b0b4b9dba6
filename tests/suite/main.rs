//! The engine end to end, with this binary's crypto provider: the RFC 8448
//! traces, real peers (openssl, gnutls-serv, mosquitto, rustls in process),
//! servers played with raw bytes (bad input, the error catalogue), client
//! authentication, PSK, resumption, the X.509 verifier in handshakes, small
//! buffers and the stream adapters. Issue 15 item 5: one test binary, each
//! former test file a module, so a failure reads `psk::tls13_psk_ke_...`;
//! run one file with `cargo test --all-features --test suite psk::`.
//!
//! Issue 14 item 3: the same modules run again with ring in `suite_ring`
//! (tests/suite_ring.rs, which must list exactly these modules; checked by
//! `suite_ring::lists_every_suite_module`). Provider-dependent tests use
//! `common::provider::TestProvider`, never a provider by name.

#[path = "../common/mod.rs"]
mod common;

#[allow(dead_code)] // the example's `main` and helpers not called here
#[path = "../../examples/mqtt_psk.rs"]
mod mqtt_psk;

mod bad_input;
mod client_auth;
mod embedded_io;
mod error_catalogue;
mod hal_api;
mod mosquitto;
mod openssl_peer;
mod psk;
mod resumption;
mod rfc8448_key_schedule;
mod rfc8448_records;
mod rustls_peer;
mod small_buffers;
mod tls12_bad_input;
mod tls12_peers;
mod tls12_rustls;
mod x509_peer;

/// Only the ring twin of this binary runs with ring.
#[test]
fn this_binary_runs_with_rustcrypto() {
    const _: () = assert!(!common::provider::WITH_RING);
    assert_eq!(
        std::any::type_name::<common::provider::TestProvider>(),
        std::any::type_name::<embertls::provider::RustCrypto>()
    );
}
