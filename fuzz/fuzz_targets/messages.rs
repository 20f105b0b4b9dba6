//! (c) Every `embertls::msgs` decoder on the input; what decodes must
//! re-encode to the same bytes.
//! The harness is in common.rs (shared with tests/components/fuzz_regressions.rs).
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::messages(data);
});
