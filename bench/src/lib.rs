//! Benchmarks of embertls: the targets are in `benches/` (README.md here).
//! This library is empty; cargo needs one target besides the benches.
