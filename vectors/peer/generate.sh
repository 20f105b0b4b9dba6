#!/usr/bin/env bash
# Test server identities for the real-peer tests (openssl s_server, the in-process
# rustls server of the demo). Made with the OpenSSL 3 CLI; run from this folder.
# Each is a self-signed CA plus a leaf for "localhost" / 127.0.0.1, valid 20 years from the day they are made (OpenSSL 3.0 cannot back-date).
set -euo pipefail
cd "$(dirname "$0")"
days=7300
mk() { # name keyalg-args...
  local name=$1; shift
  openssl req -x509 -new -newkey "$@" -nodes -keyout "$name-ca.key" -out "$name-ca.pem" \
    -subj "/CN=embertls test CA ($name)" -days $days \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
  openssl req -new -newkey "$@" -nodes -keyout "$name-leaf.key" -out "$name-leaf.csr" -subj "/CN=localhost"
  cat > "$name-leaf.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EXT
  openssl x509 -req -in "$name-leaf.csr" -CA "$name-ca.pem" -CAkey "$name-ca.key" -CAcreateserial \
    -out "$name-leaf.pem" -days $days -extfile "$name-leaf.ext"
  rm -f "$name-leaf.csr" "$name-leaf.ext" "$name-ca.srl"
}
mk ecdsa ec -pkeyopt ec_paramgen_curve:P-256
mk rsa rsa:2048
