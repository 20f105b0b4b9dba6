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

# Client identities for client-certificate tests: a client CA, leaves with
# extendedKeyUsage clientAuth, and a CA the servers do not trust.
mkca() { # name keyalg-args...
  local name=$1; shift
  openssl req -x509 -new -newkey "$@" -nodes -keyout "$name.key" -out "$name.pem" \
    -subj "/CN=embertls $name" -days $days \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}
mkclient() { # name ca keyalg-args...
  local name=$1 ca=$2; shift 2
  openssl req -new -newkey "$@" -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=embertls device $name"
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca.key" -CAcreateserial -out "$name.pem" -days $days -extfile "$name.ext"
  rm -f "$name.csr" "$name.ext" "$ca.srl"
}
mkca client-ca ec -pkeyopt ec_paramgen_curve:P-256
mkca other-ca ec -pkeyopt ec_paramgen_curve:P-256
mkclient client-p256 client-ca ec -pkeyopt ec_paramgen_curve:P-256
mkclient client-p384 client-ca ec -pkeyopt ec_paramgen_curve:P-384
mkclient client-rsa2048 client-ca rsa:2048
mkclient client-other other-ca ec -pkeyopt ec_paramgen_curve:P-256

# The same client keys in their other encodings (SEC1 "EC PRIVATE KEY", PKCS#1
# "RSA PRIVATE KEY"), and RSA keys of other sizes for the signer's size checks:
# 1024 (refused), 4096 (accepted), 4160 (refused, over the 4096 limit).
openssl ec -in client-p256.key -out client-p256.sec1.key
openssl ec -in client-p384.key -out client-p384.sec1.key
openssl rsa -in client-rsa2048.key -traditional -out client-rsa2048.pkcs1.key
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.key
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out rsa4096.key
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4160 -out rsa4160.key
