#!/usr/bin/env bash
# Runs the criterion benches and prints the ratios the README reports.
# Usage: bench/report.sh [--no-run]   (--no-run: only print from the last run)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--no-run" ]; then
  cargo bench -p embertls-bench --bench handshake --bench records --bench x509 --bench psk -- --noplot >/dev/null
fi
python3 - <<'PY'
import json, os
root = "target/criterion"
def est(group, name):
    p = os.path.join(root, group, name, "new", "estimates.json")
    try:
        with open(p) as f:
            return json.load(f)["median"]["point_estimate"] / 1000.0  # ns -> us
    except FileNotFoundError:
        return None
def alternated(group, file="alternated.json"):
    p = os.path.join(root, group, file)
    try:
        with open(p) as f:
            return json.load(f)
    except FileNotFoundError:
        return None
def us(v):
    return "-" if v is None else f"{v:,.1f} µs"
print("| handshake (client CPU only) | embertls (RustCrypto) | its own primitives, replayed | embertls / primitives | the same, alternated (pairs) | rustls+RustCrypto | embertls / rustls+RustCrypto | embertls (ring) | its own primitives, ring | embertls-ring / primitives | rustls+ring | embertls-ring / rustls-ring | the same, alternated (pairs) | the same, embertls offering rustls's one version, alternated (pairs) |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for version, label in [("tls13", "TLS 1.3"), ("tls12", "TLS 1.2")]:
    for cert in ["ecdsa_p256", "rsa2048"]:
        g = f"{version}_full_handshake_x25519_{cert}"
        e, prim, rc = est(g, "embertls"), est(g, "embertls_primitives"), est(g, "rustls_rustcrypto")
        er, ri, rp = est(g, "embertls_ring"), est(g, "rustls_ring"), est(g, "embertls_ring_primitives")
        r = lambda a, b: f"{a/b:.2f}" if a and b else "-"
        fmt = lambda a: f"{a['ratio']:.3f} ({a['pairs']:,})" if a else "-"
        alt, palt = fmt(alternated(g)), fmt(alternated(g, "primitives_alternated.json"))
        same = fmt(alternated(g, "same_versions_alternated.json"))
        print(f"| {label} full, X25519, {cert} leaf | {us(e)} | {us(prim)} | {r(e, prim)} | {palt} | {us(rc)} | {r(e, rc)} | {us(er)} | {us(rp)} | {r(er, rp)} | {us(ri)} | {r(er, ri)} | {alt} | {same} |")
def ratio_table(title, columns):
    """One row per handshake, one column per (heading, file) of paired or alternated ratios."""
    print(f"\n| {title} | " + " | ".join(h for h, _ in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for version, label in [("tls13", "TLS 1.3"), ("tls12", "TLS 1.2")]:
        for cert in ["ecdsa_p256", "rsa2048"]:
            g = f"{version}_full_handshake_x25519_{cert}"
            print(f"| {label} full, X25519, {cert} leaf | " + " | ".join(fmt(alternated(g, f)) for _, f in columns) + " |")
ratio_table("handshake, RustCrypto, alternated (pairs)", [
    ("client alone / its own primitives (server recorded, random bytes from a tape)", "canned_primitives_alternated.json"),
    ("client with the live server / alone (the same tape)", "live_canned_alternated.json"),
    ("client with the live server / its own primitives", "primitives_alternated.json")])
ratio_table("handshake, live server, primitives timed in place (handshakes; pairs)", [
    ("RustCrypto: client / its primitives", "inplace_primitives.json"),
    ("ring: client / its primitives", "ring_inplace_primitives.json"),
    ("ring: its primitives alone / rustls + ring, both offering one version, alternated (the floor of the ring comparison)", "ring_floor_alternated.json")])
for cert in ["ecdsa_p256", "rsa2048"]:
    e13 = est(f"tls13_full_handshake_x25519_{cert}", "embertls")
    e12 = est(f"tls12_full_handshake_x25519_{cert}", "embertls")
    if e13 and e12:
        print(f"\nTLS 1.2 / TLS 1.3 full handshake, {cert}: {us(e12)} / {us(e13)} = {e12/e13:.2f}", end="")
r12 = est("tls12_resumption_x25519_ecdsa_p256", "embertls")
if r12:
    print(f"\nTLS 1.2 resumption (ticket, abbreviated handshake): {us(r12)}")
full = est("tls13_full_handshake_x25519_ecdsa_p256", "embertls")
kx = est("primitives", "x25519_keygen_and_agree")
ver = est("primitives", "ecdsa_p256_verify")
if full and kx and ver:
    print(f"\nprimitive sum (X25519 keygen+agree {us(kx)} + ECDSA P-256 verify {us(ver)}) = {us(kx+ver)}; "
          f"embertls full handshake / primitive sum = {full/(kx+ver):.2f}")
res = est("tls13_resumption_x25519_ecdsa_p256", "embertls")
auth = est("tls13_client_auth_x25519_ecdsa_p256", "embertls")
if full and res:
    print(f"resumption (psk_dhe_ke with a ticket): {us(res)} = {res/full:.2f} x full")
if full and auth:
    print(f"client auth (ECDSA P-256 client cert): {us(auth)} = {auth/full:.2f} x full")
g = "tls13_vs_openssl_loopback"
f0 = est(g, "full_x25519_ecdsa_p256")
if f0:
    print("\n| against openssl s_server on loopback (client CPU only) | time | × full |")
    print("|---|---|---|")
    for n in ["full_x25519_ecdsa_p256", "psk_dhe_ke", "psk_ke", "resumption"]:
        v = est(g, n)
        print(f"| {n} | {us(v)} | {v/f0:.2f} |" if v else f"| {n} | - | - |")
print("\n| record | size | embertls seal | raw AEAD seal | ratio | embertls open | raw AEAD open | ratio | seal, alternated (batches) | open, alternated (batches) |")
print("|---|---|---|---|---|---|---|---|---|---|")
for suite in ["aes128gcm", "aes256gcm", "chacha20poly1305"]:
    for size in ["1024", "16384"]:
        g = f"record_{suite}"
        es, rs = est(g, f"embertls_seal/{size}"), est(g, f"raw_aead_seal/{size}")
        eo, ro = est(g, f"embertls_open/{size}"), est(g, f"raw_aead_open/{size}")
        f = lambda a, b: f"{b/a:.2f}" if a and b else "-"
        alt = lambda kind: (lambda a: f"{a['ratio']:.3f} ({a['batches']:,})" if a else "-")(alternated(g, f"{kind}_alternated_{size}.json"))
        print(f"| {suite} | {size} | {us(es)} | {us(rs)} | {f(es, rs)} | {us(eo)} | {us(ro)} | {f(eo, ro)} | {alt('seal')} | {alt('open')} |")
        es, eo = est(g, f"embertls12_seal/{size}"), est(g, f"embertls12_open/{size}")
        print(f"| {suite} TLS 1.2 | {size} | {us(es)} | {us(rs)} | {f(es, rs)} | {us(eo)} | {us(ro)} | {f(eo, ro)} | | |")
print("\n(ratios in the record table are raw/embertls throughput: 1.00 = no overhead)")
print()
for name in sorted(os.listdir(root)) if os.path.isdir(root) else []:
    if name.startswith("verify "):
        p = os.path.join(root, name, "new", "estimates.json")
        if os.path.exists(p):
            with open(p) as f:
                print(f"{name}: {json.load(f)['median']['point_estimate'] / 1000.0:,.1f} µs")
PY
