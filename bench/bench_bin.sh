# Sourced by bench/instructions.sh and bench/attribution.sh.
# bench_bin NAME: builds bench target NAME of embertls-bench and prints its executable.
bench_bin() {
  cargo bench -p embertls-bench --bench "$1" --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["kind"] == ["bench"]:
        print(m["executable"])' | tail -1
}
