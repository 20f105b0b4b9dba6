//! (b) The record deframer (`embertls::record::Inbound`) against a one-pass
//! reference: capacity byte, chunk byte, then a record stream.
//! The harness is in common.rs (shared with tests/components/fuzz_regressions.rs).
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::deframer(data);
});
