//! (a) A deterministic client fed arbitrary server bytes after its ClientHello:
//! flags byte (arrival size, receive buffer, configuration), then the bytes.
//! The harness is in common.rs (shared with tests/components/fuzz_regressions.rs).
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = common::client_server_bytes(data);
});
