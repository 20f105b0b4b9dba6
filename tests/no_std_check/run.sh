#!/usr/bin/env bash
# no_std proof (issue 7, part 2): builds the `#![no_std]` + `#![no_main]`
# check binary against embertls with no `std` and no `alloc` feature, checks
# that std is not linked, and runs it (a PSK handshake against a scripted
# server, plus two expected refusals). Exits non-zero on any failure.
#
# Usage: tests/no_std_check/run.sh   (from anywhere; CI calls it from .ci/run)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"
export CARGO_TARGET_DIR="$here/target"

# Same dependency versions as the main crate: start from its lock file
# (cargo prunes what this crate does not use). The copy is not committed.
cp "$root/Cargo.lock" "$here/Cargo.lock"

fail() { echo "no_std check FAILED: $*" >&2; exit 1; }

start=$(date +%s)
cargo build --release
echo "no_std check: build took $(( $(date +%s) - start )) s"
bin="$CARGO_TARGET_DIR/release/no_std_check"

# 1. No normal dependency has its `std` (or `alloc`) feature enabled.
#    (Build-dependencies such as semver may use std: they run on the host.)
feats="$(cargo tree -e normal,features --prefix none)"
if grep -E 'feature "(std|alloc)"' <<<"$feats"; then
    fail "a dependency enables std/alloc (above)"
fi
grep -q '^embertls feature "default"' <<<"$feats" && fail "embertls built with its default features"

# 2. The binary holds no std code and needs only libc.
if command -v nm >/dev/null; then
    if nm -C "$bin" | grep -E ' std::|std_detect|__rust_probestack_std'; then
        fail "std symbols in the binary (above)"
    fi
else
    echo "no_std check: nm not found, symbol check skipped"
fi
if command -v readelf >/dev/null; then
    needed="$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
    echo "no_std check: dynamic libraries needed: $needed"
    [[ "$needed" == "libc.so.6 " ]] || fail "the binary needs more than libc: $needed"
else
    echo "no_std check: readelf not found, library check skipped"
fi
echo "no_std check: binary size $(stat -c %s "$bin") bytes"
command -v size >/dev/null && size "$bin"

# 3. Run it.
"$bin" || fail "the check binary exited with status $?"
