#!/usr/bin/env bash
# Instruction counts (valgrind callgrind) beside the criterion timings: the
# engine's own work over its primitives, independent of machine load and of
# cache effects (issue 14 item 4). Deterministic for a given build.
#
# Usage: bench/instructions.sh       (needs valgrind; builds the benches)
#
# - records: instructions per `Protection::seal_in_place` / `open_in_place` of
#   a 1 KB AES-128-GCM record against the raw AEAD call of the same bench;
# - handshakes: instructions per client handshake (`Client::new` + every
#   `Client::process`, what criterion times) against the timed part of the
#   replay of its own recorded primitive calls (`replay` minus its setup).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "bench/instructions.sh: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
. bench/bench_bin.sh
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() { # name bench filter
  valgrind --tool=callgrind --callgrind-out-file="$out/$1" "$2" --bench "$3" --profile-time 3 >/dev/null 2>&1
  callgrind_annotate --inclusive=yes --tree=caller --threshold=100 "$out/$1" >"$out/$1.txt" 2>/dev/null
}
records=$(bench_bin records)
handshake=$(bench_bin handshake)
run seal "$records" 'record_aes128gcm/(embertls_seal|raw_aead_seal)/1024'
run open "$records" 'record_aes128gcm/(embertls_open|raw_aead_open)/1024'
for cert in ecdsa_p256 rsa2048; do
  for v in tls13 tls12; do
    run "$v-$cert-client" "$handshake" "^${v}_full_handshake_x25519_${cert}/embertls\$"
    run "$v-$cert-prim" "$handshake" "^${v}_full_handshake_x25519_${cert}/embertls_primitives\$"
  done
done
OUT="$out" python3 - <<'PY'
import os, re
out = os.environ["OUT"]
line = re.compile(r"^\s*([\d,]+) \([^)]*\)\s+([<*>])\s+\S*?:(.*?)(?: \((\d[\d,]*)x\))? \[")

def edges(name):
    """(caller, callee) -> (Ir, calls) from callgrind_annotate --tree=caller."""
    e, own, pending = {}, {}, []
    for l in open(os.path.join(out, name + ".txt")):
        m = line.match(l)
        if not m:
            pending = [] if not l.strip() else pending
            continue
        ir, kind, fn, calls = int(m[1].replace(",", "")), m[2], m[3], m[4]
        if kind == "<":
            pending.append((fn, ir, int(calls.replace(",", "")) if calls else 0))
        elif kind == "*":
            own[fn] = ir
            for caller, cir, n in pending:
                e[(caller, fn)] = (cir, n)
            pending = []
    return e, own

def per_call(e, caller_pat, callee_pat):
    ir = n = 0
    for (a, b), (c, k) in e.items():
        if re.search(caller_pat, a) and re.search(callee_pat, b):
            ir, n = ir + c, n + k
    return ir / n if n else float("nan")

print("| record, 1 KB AES-128-GCM | embertls (instructions) | raw AEAD | embertls / raw |")
print("|---|---|---|---|")
# (row, embertls's caller, embertls's call, the raw AEAD's caller, its call): the open rows run
# their timed loops in open_records / open_raw, after sealing the batch untimed.
for op, ours_by, ours, raw_by, raw in [
        ("seal", r"Bencher<M>::iter$", r"Protection<P>::seal_in_place$", r"Bencher<M>::iter$", r"CryptoProvider>::aead_seal$"),
        ("open", r"records::open_records$", r"Protection<P>::open$", r"records::open_raw$", r"CryptoProvider>::aead_open$")]:
    e, _ = edges(op)
    a, b = per_call(e, ours_by, ours), per_call(e, raw_by, raw)
    print(f"| {op} | {a:,.0f} | {b:,.0f} | {a/b:.3f} |")

print("\n| handshake, X25519 | client (instructions) | its own primitives, replayed | client / primitives |")
print("|---|---|---|---|")
for v, label in [("tls13", "TLS 1.3"), ("tls12", "TLS 1.2")]:
    for cert in ["ecdsa_p256", "rsa2048"]:
        e, _ = edges(f"{v}-{cert}-client")
        calls = lambda f: [(c, k) for (a, b), (c, k) in e.items() if a.endswith("embertls_once") and b.endswith(f)]
        n = sum(k for _, k in calls("Client<R,Rx,Tx,P>::new"))
        client = sum(c for f in ["Client<R,Rx,Tx,P>::new", "Client<R,Rx,Tx,P>::process"] for c, _ in calls(f)) / n
        e, own = edges(f"{v}-{cert}-prim")
        total = next(ir for f, ir in own.items() if f.endswith("handshake::replay_with"))
        n = sum(k for (a, b), (c, k) in e.items() if b.endswith("handshake::replay_with"))
        # Setup outside the timed loop: the private keys and ciphertext copies
        # (collected through from_iter), the zeroed work buffer, their drops.
        setup = sum(c for (a, b), (c, k) in e.items() if a.endswith("handshake::replay_with")
                    and re.search(r"from_iter$|__rust_alloc_zeroed$|Vec<T,A> as core::ops::drop::Drop>::drop$", b))
        prim = (total - setup) / n
        print(f"| {label}, {cert} leaf | {client:,.0f} | {prim:,.0f} | {client/prim:.3f} |")
PY
