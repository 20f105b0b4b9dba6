//! Pieces beside the engine's end-to-end runs: the wire codecs and the
//! TLS 1.2 PRF and record vectors, the fuzz harnesses over their committed
//! seeds, the module graph of src/, the accelerator-shaped and counting test
//! providers, and the `client` and `verify` examples run as programs. Issue
//! 15 item 5: one test binary, each former test file a module (`cargo test
//! --all-features --test components codec::`).

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/counting.rs"]
mod counting;

mod client_tool_tls12;
mod codec;
mod fuzz_regressions;
mod module_graph;
mod provider_accel;
mod provider_ops;
mod tls12_prf;
mod tls12_records;
mod verify_tool;
