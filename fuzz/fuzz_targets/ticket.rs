//! (d) `SessionTicket::decode` on the input; accepted tickets start a resuming client.
//! The harness is in common.rs (shared with tests/components/fuzz_regressions.rs).
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::ticket(data);
});
