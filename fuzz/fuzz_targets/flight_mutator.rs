//! (e) Structure-aware: recorded server flights (fuzz/seeds/flights/) with the
//! protected parts stored as plaintext and encrypted by the harness.
//! The harness is in common.rs (shared with tests/components/fuzz_regressions.rs).
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = common::flight(data);
});
