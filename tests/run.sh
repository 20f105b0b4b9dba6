#!/usr/bin/env bash
# The test suite on any Debian-like machine, from nothing (issue 17 item 7):
# installs the real peers the tests drive when they are missing, then runs
# `cargo test --all-features` (extra arguments go to cargo test).
#
#   bash tests/run.sh                      everything (README's test command)
#   bash tests/run.sh --test suite mosquitto::   one former test file (a module of the binary `suite`)
#   bash tests/run.sh --peers-only         install the peers, run nothing
#
# Peers (each test names the package when its program is missing):
#   openssl            openssl s_server, s_client, req (tests/common/peer.rs, tests/suite/client_auth.rs)
#   gnutls-bin         gnutls-serv (tests/common/gnutls.rs)
#   mosquitto          the broker, in /usr/sbin on Debian (tests/common/mosquitto.rs)
#   mosquitto-clients  mosquitto_sub (tests/common/mosquitto.rs)
#   iproute2           ip netns / ip tuntap (tests/embassy_tap.rs, as root)
# Installing needs root or sudo and apt-get; elsewhere it prints what to install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# program package: one line per peer program.
peers="openssl openssl
gnutls-serv gnutls-bin
mosquitto mosquitto
mosquitto_sub mosquitto-clients
ip iproute2"

# On PATH or in /usr/sbin, /usr/local/sbin (as `require` in tests/common/peer.rs looks).
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/local/sbin/$1" ] || [ -x "/sbin/$1" ]; }

missing=()
while read -r program package; do
  have "$program" || missing+=("$package")
done <<<"$peers"

if [ ${#missing[@]} -gt 0 ]; then
  echo "tests/run.sh: installing the test peers: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "tests/run.sh: not root and no sudo; install them with: apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "tests/run.sh: no apt-get; install the packages providing: ${missing[*]}" >&2
    exit 2
  fi
  start=$(date +%s)
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  echo "tests/run.sh: peers installed in $(( $(date +%s) - start )) s"
  while read -r program package; do
    have "$program" || { echo "tests/run.sh: $program still missing after installing $package" >&2; exit 2; }
  done <<<"$peers"
fi

openssl version
gnutls-serv --version 2>&1 | sed -n 1p
echo "mosquitto: $(command -v mosquitto || echo /usr/sbin/mosquitto)"

if [ "${1:-}" = "--peers-only" ]; then
  exit 0
fi
exec cargo test --all-features "$@"
