//! The debugging features: the handshake trace through `log`, `defmt::Format`
//! of the public types, and the NSS key log (features `log`, `defmt`,
//! `danger-keylog`). Issue 15 item 5: one test binary, each former test file a
//! module (`cargo test --all-features --test debugging trace_log::`).
//!
//! A binary of its own because its tests change process-wide state that
//! would reach every other test in a shared binary: a `log` logger at trace
//! level (every handshake elsewhere would format and capture its trace), the
//! `defmt` global logger, and the SSLKEYLOGFILE variable.

#[path = "../common/mod.rs"]
mod common;

mod defmt_format;
mod keylog;
mod trace_log;
