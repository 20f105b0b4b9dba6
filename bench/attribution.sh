#!/usr/bin/env bash
# Where a client's handshake time goes, by sampling (perf, DWARF call graphs):
# the share of the client's samples inside the crypto library (ring or the
# RustCrypto crates) and the share in everything else (the TLS engine, its
# allocations, copies), for embertls and for rustls on the same bench row
# (issue 14 item 4: why a ratio is what it is). Sampled, so figures move by
# a few percent between runs; bench/instructions.sh is the deterministic
# companion for the RustCrypto rows.
#
# Usage: bench/attribution.sh [GROUP [EMBERTLS_ROW RUSTLS_ROW]]
#   default: tls12_full_handshake_x25519_ecdsa_p256 embertls_ring rustls_ring
# Needs `perf` (linux-perf) and permission to sample (perf_event_paranoid <= 2 for own processes).
set -euo pipefail
cd "$(dirname "$0")/.."
group="${1:-tls12_full_handshake_x25519_ecdsa_p256}"
ember="${2:-embertls_ring}"
theirs="${3:-rustls_ring}"
command -v perf >/dev/null || { echo "bench/attribution.sh: needs perf (apt-get install linux-perf)" >&2; exit 2; }
. bench/bench_bin.sh
bin=$(bench_bin handshake)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for row in "$ember" "$theirs"; do
  perf record -q -F 2000 --call-graph dwarf,16384 -o "$out/$row.data" \
    "$bin" --bench "^${group}/${row}\$" --profile-time 3 >/dev/null 2>&1
  perf script -i "$out/$row.data" -F ip,sym 2>/dev/null >"$out/$row.txt"
done
OUT="$out" EMBER="$ember" THEIRS="$theirs" GROUP="$group" python3 - <<'PY'
import collections, os

def samples(path):
    """Each sample's stack, innermost frame first."""
    stack = []
    for line in open(path):
        line = line.strip()
        if not line:
            if stack:
                yield stack
            stack = []
        else:
            parts = line.split(None, 1)
            stack.append(parts[1] if len(parts) > 1 else "?")
    if stack:
        yield stack

def side(stack):
    """client, server or other: the rustls server runs in the same process."""
    frames = " | ".join(stack)
    if "embertls::" in frames or "rustls::client::" in frames or "ClientConnection" in frames:
        return "client"
    if "rustls::server::" in frames or "ServerConnection" in frames:
        return "server"
    if "rustls_once" in frames:  # rustls's record layer, not attributable to either side
        return "either"
    return "other"

CRYPTO = ("ring_core", "ring::", "__ecp_nistz", "fe4_", "fe_", "x25519", "sha2::", "p256::", "p384::",
          "primeorder::", "elliptic_curve::", "ecdsa::", "aes::", "aes_gcm::", "ghash::", "polyval::",
          "chacha20", "poly1305", "hmac::", "hkdf::", "curve25519_dalek::", "x25519_dalek::",
          "crypto_bigint::", "rsa::", "getrandom", "sys_getrandom", "get_random_bytes")
KINDS = [("X25519", ("x25519", "curve25519")),
         ("ECDSA verification", ("twin_mul", "EcdsaVerification", "verify_prehash", "ecdsa_verify")),
         ("hashing, HMAC, PRF", ("sha256", "sha512", "sha2::", "hmac", "digest", "prf")),
         ("random", ("getrandom", "SystemRandom", "random")),
         ("AEAD", ("aes", "gcm", "chacha", "poly1305"))]

def crypto(stack):
    return any(f.lstrip("<").startswith(CRYPTO) for f in stack)

def kind(stack):
    for name, keys in KINDS:
        if any(k in f for f in stack for k in keys):
            return name
    return "other crypto"

out, group = os.environ["OUT"], os.environ["GROUP"]
rows = {}
for row in (os.environ["EMBER"], os.environ["THEIRS"]):
    c = collections.Counter()
    for stack in samples(os.path.join(out, row + ".txt")):
        s = side(stack)
        if s == "client":
            c["client: " + (kind(stack) if crypto(stack) else "engine")] += 1
        c[s] += 1
    rows[row] = c
# Normalise by the server's samples: the same rustls server in both rows, so
# its samples per handshake are the yardstick (both rows ran for the same time).
print(f"perf samples, {group}, per 1 000 samples of the rustls server (sampled: a few % between runs)\n")
names = list(rows)
keys = ["client"] + sorted({k for c in rows.values() for k in c if k.startswith("client: ")}) + ["either"]
print("| | " + " | ".join(names) + " |")
print("|---|" + "---|" * len(names))
for k in keys:
    cells = [f"{1000 * rows[n][k] / max(rows[n]['server'], 1):,.0f}" for n in names]
    print(f"| {k} | " + " | ".join(cells) + " |")
a, b = (rows[n] for n in names)
ra = a["client"] / max(a["server"], 1)
rb = (b["client"] + b["either"]) / max(b["server"], 1)
print(f"\nclient / client: {ra / rb:.2f} (the rustls record layer's unattributed samples counted as its client's)")
print(f"engine share of the client: {names[0]} {a['client: engine'] / a['client']:.1%}, "
      f"{names[1]} {(b['client: engine'] + b['either']) / (b['client'] + b['either']):.1%}")
PY
