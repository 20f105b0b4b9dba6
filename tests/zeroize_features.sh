#!/usr/bin/env bash
# Issue 13 item 3: the crates that hold key material must wipe it on drop.
# Fails unless their `zeroize` features are on in the resolved feature graph
# of the default build (no dev-dependencies: a dev-dependency can turn a
# feature on for `cargo test` only, e.g. x25519-dalek's default features).
#
# Usage: bash tests/zeroize_features.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# crate:feature. The AEAD and X25519 crates, and the crates they pass the feature to
# (AES and GHASH key schedules, ChaCha20 state, the X25519 scalar).
required=(
  aes-gcm:zeroize aes:zeroize ghash:zeroize
  chacha20poly1305:zeroize chacha20:zeroize
  x25519-dalek:zeroize curve25519-dalek:zeroize
)

# One "name vX.Y.Z|feature,feature" line per package of the graph.
graph=$(cargo tree -e features,no-dev -f '{p}|{f}' --prefix none | grep -E '^[A-Za-z0-9_-]+ v[0-9]' | sed 's/ (\*)$//' | sort -u)

fail=0
for r in "${required[@]}"; do
  crate=${r%%:*}
  feature=${r#*:}
  lines=$(grep -E "^${crate} v[0-9]" <<<"$graph" || true)
  if [ -z "$lines" ]; then
    echo "zeroize check: crate ${crate} is not in the default build's dependency graph" >&2
    fail=1
    continue
  fi
  while IFS= read -r line; do
    features=",${line#*|},"
    if [[ "$features" != *",${feature},"* ]]; then
      echo "zeroize check: ${line%%|*} is built without feature \"${feature}\" (features: ${line#*|});" \
        "enable it in Cargo.toml so its key material is wiped on drop" >&2
      fail=1
    fi
  done <<<"$lines"
done

if [ "$fail" -ne 0 ]; then
  exit 1
fi
echo "zeroize check: ${required[*]} enabled"
