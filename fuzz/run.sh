#!/usr/bin/env bash
# Runs every cargo-fuzz target of embertls for SECONDS each (default 20),
# seeded from fuzz/seeds/ where a corpus exists; exits non-zero if any
# target crashes (the input is left in fuzz/artifacts/<target>/).
#
#   fuzz/run.sh [SECONDS]            all targets
#   TARGETS="messages ticket" fuzz/run.sh 60
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
set -euo pipefail
cd "$(dirname "$0")"

secs="${1:-20}"
targets="${TARGETS:-client_server_bytes deframer messages ticket flight_mutator x509_verify x509_differential der_walk}"
toolchain="${FUZZ_TOOLCHAIN:-nightly}"

command -v cargo-fuzz >/dev/null 2>&1 || { echo "cargo-fuzz missing: cargo install cargo-fuzz" >&2; exit 2; }

# Seed corpora per target (read-only inputs; new finds go to corpus/<target>/, git-ignored).
seeds_for() {
  case "$1" in
    flight_mutator) echo seeds/flights ;;
    x509_verify | der_walk) echo ../vectors/x509 ;;
    *) echo "seeds/$1" ;;
  esac
}

t0=$(date +%s)
cargo "+$toolchain" fuzz build >/dev/null 2>&1 || cargo "+$toolchain" fuzz build
echo "build: $(( $(date +%s) - t0 )) s"

failed=()
for t in $targets; do
  mkdir -p "corpus/$t"
  dirs=("corpus/$t")
  s=$(seeds_for "$t")
  [ -d "$s" ] && dirs+=("$s")
  log="$(mktemp)"
  t1=$(date +%s)
  if cargo "+$toolchain" fuzz run "$t" "${dirs[@]}" -- \
      -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}' || true)
    cov=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | grep -o 'cov: [0-9]*' | tail -1 || true)
    echo "$t: ok, ${execs:-?} runs, ${cov:-cov: ?} ($(( $(date +%s) - t1 )) s)"
  else
    echo "$t: CRASH (log below; input in fuzz/artifacts/$t/)"
    grep -v '^#' "$log" | tail -40
    failed+=("$t")
  fi
  rm -f "$log"
done

echo "total: $(( $(date +%s) - t0 )) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "crashed: ${failed[*]}" >&2
  exit 1
fi
