#!/usr/bin/env bash
# Test chains shaped like Azure IoT Hub's before and after its root move
# (Baltimore CyberTrust Root -> DigiCert Global Root G2) and like AWS IoT
# Core's (Amazon Root CA 1). Every certificate and key here is made by this
# script; the names only imitate the real ones ("Test ..."), for the tests
# and README recipes of issue 17 item 3. Tests verify at 2030-01-01.
#
# Usage: bash vectors/roots/generate.sh   (needs the openssl command line tool)
set -euo pipefail
cd "$(dirname "$0")"
rm -f ./*.der ./*.pem
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cat >"$TMP/ext.cnf" <<CNF
[req]
distinguished_name = dn
[dn]
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[int]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = \${ENV::SAN}
authorityKeyIdentifier = keyid:always
CNF
days=7300 # 2025..2045
export SAN=DNS:unused.test # read whenever the config is loaded
root() { # name subject
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/$1.key" -subj "$2" -days $days \
        -config "$TMP/ext.cnf" -extensions root -out "$1.pem"
}
issue() { # name subject issuer profile [san]
    openssl req -new -newkey rsa:2048 -nodes -keyout "$TMP/$1.key" -subj "$2" -out "$TMP/$1.csr"
    SAN="${5:-DNS:unused.test}" openssl x509 -req -in "$TMP/$1.csr" -CA "$3.pem" -CAkey "$TMP/$3.key" \
        -CAcreateserial -days $days -extfile "$TMP/ext.cnf" -extensions "$4" -out "$1.pem"
}
root baltimore-root "/C=IE/O=Baltimore/OU=CyberTrust/CN=Test Baltimore CyberTrust Root"
root digicert-g2-root "/C=US/O=DigiCert Inc/OU=www.digicert.com/CN=Test DigiCert Global Root G2"
issue azure-int "/C=US/O=Microsoft Corporation/CN=Test Microsoft Azure RSA TLS Issuing CA 03" digicert-g2-root int
issue azure-leaf "/CN=*.azure-devices.net" azure-int leaf "DNS:*.azure-devices.net"
root amazon-root "/C=US/O=Amazon/CN=Test Amazon Root CA 1"
issue aws-int "/C=US/O=Amazon/CN=Test Amazon RSA 2048 M01" amazon-root int
issue aws-leaf "/CN=*.iot.us-east-1.amazonaws.com" aws-int leaf "DNS:*.iot.us-east-1.amazonaws.com"
for f in ./*.pem; do openssl x509 -in "$f" -outform der -out "${f%.pem}.der"; done
# Subject Name and SubjectPublicKeyInfo of each root, for StaticAnchor::new:
# the 6th and 7th elements of tbsCertificate (after version, serial,
# signature, issuer, validity), cut out at the offsets asn1parse prints.
part() { # cert.der index(0-based among tbsCertificate's elements) out
    read -r off hl len < <(openssl asn1parse -inform der -in "$1" |
        sed -nE 's/^ *([0-9]+):d=2 +hl= *([0-9]+) +l= *([0-9]+).*/\1 \2 \3/p' | sed -n "$(($2 + 1))p")
    dd if="$1" of="$3" bs=1 skip="$off" count=$((hl + len)) status=none
}
for r in baltimore-root digicert-g2-root amazon-root; do
    part "$r.der" 5 "$r.subject.der"
    part "$r.der" 6 "$r.spki.der"
done
rm -f ./*.srl
