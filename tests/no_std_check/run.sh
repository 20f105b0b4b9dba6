#!/usr/bin/env bash
# no_std proof (issue 7, part 2; issue 17 item 1): builds the two
# `#![no_std]` + `#![no_main]` binaries against embertls with no `std` and no
# `alloc` feature, checks that std is not linked, and runs them:
#   no_std_check  the `Client` engine driven by hand (a PSK handshake against
#                 a scripted server, plus two expected refusals);
#   async_psk     the no_std example of `AsyncTlsStream` over an in-memory
#                 embedded-io-async socket pair (handshake, data, close, and
#                 a refused key), driven by a no-op-waker poll loop.
# Exits non-zero on any failure.
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

# 1. No normal dependency has its `std` (or `alloc`) feature enabled.
#    (Build-dependencies such as semver may use std: they run on the host.)
feats="$(cargo tree -e normal,features --prefix none)"
if grep -E 'feature "(std|alloc)"' <<<"$feats"; then
    fail "a dependency enables std/alloc (above)"
fi
grep -q '^embertls feature "default"' <<<"$feats" && fail "embertls built with its default features"

# 2. The binaries hold no std code and need only libc.
for name in no_std_check async_psk; do
    bin="$CARGO_TARGET_DIR/release/$name"
    if command -v nm >/dev/null; then
        if nm -C "$bin" | grep -E ' std::|std_detect|__rust_probestack_std'; then
            fail "std symbols in $name (above)"
        fi
    else
        echo "no_std check: nm not found, symbol check skipped"
    fi
    if command -v readelf >/dev/null; then
        needed="$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
        echo "no_std check: $name needs dynamic libraries: $needed"
        [[ "$needed" == "libc.so.6 " ]] || fail "$name needs more than libc: $needed"
    else
        echo "no_std check: readelf not found, library check skipped"
    fi
    echo "no_std check: $name binary size $(stat -c %s "$bin") bytes"
    command -v size >/dev/null && size "$bin"
done

# 3. Run them.
"$CARGO_TARGET_DIR/release/no_std_check" || fail "no_std_check exited with status $?"
"$CARGO_TARGET_DIR/release/async_psk" || fail "the async example (async_psk) exited with status $?"
