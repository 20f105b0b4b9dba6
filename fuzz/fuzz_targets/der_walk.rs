//! (f) The handshake's DER walk of certificates and SPKIs against the `der` crate's.
//! The harness is in common.rs (shared with tests/components/fuzz_regressions.rs).
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::der_walk(data);
});
