#!/usr/bin/env bash
# Stack budgets (issue 12): builds tests/stack.rs as a device runs the engine
# (release, no ec-tables, portable AES/GHASH) at opt-level 3, "s" and "z",
# runs it against openssl s_server and rustls, and prints the tables.
# Needs `openssl` on PATH. Exits non-zero if a row is over its ceiling.
#
# Usage: tests/stack.sh [3|s|z ...]   (default: all three, then the ec-tables one-time cost)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
target_root="${CARGO_TARGET_DIR:-$PWD/target}"
# Every crypto crate's portable code, as on a microcontroller (no AES-NI, AVX2, SHA-NI on the device).
export RUSTFLAGS='--cfg aes_backend="soft" --cfg polyval_backend="soft" --cfg poly1305_backend="soft" --cfg chacha20_backend="soft" --cfg sha2_backend="soft" --cfg curve25519_dalek_backend="serial"'
levels=("$@")
[ ${#levels[@]} -gt 0 ] || levels=(3 s z)
failed=()
for level in "${levels[@]}"; do
  echo "=== stack, opt-level $level"
  CARGO_TARGET_DIR="$target_root/stack-$level" STACK_OPT_LEVEL="$level" CARGO_PROFILE_RELEASE_OPT_LEVEL="$level" \
    cargo test --release --no-default-features --features std,embedded-io,embedded-io-async \
    --test stack -- --nocapture --test-threads 1 || failed+=("$level")
done
if [ $# -eq 0 ]; then
  echo "=== ec-tables one-time cost (default features, opt-level 3)"
  CARGO_TARGET_DIR="$target_root/stack-ec-tables" \
    cargo test --release --no-default-features --features std,ec-tables --test stack_ec_tables -- --nocapture \
    || failed+=(ec-tables)
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "stack budgets FAILED at opt-level: ${failed[*]}" >&2
  exit 1
fi
