#!/usr/bin/env bash
# Regenerates the X.509 test vectors of embertls (see README.md next to this file).
#
# Needs the `openssl` command line tool (made with OpenSSL 3.0). Every run makes
# new keys and certificates; the tests only depend on the names, structure and
# validity windows, and read expected SPKI pins from the `*.pin` files written
# here by openssl itself.
#
# Usage: bash vectors/x509/generate.sh
set -euo pipefail

cd "$(dirname "$0")"
rm -f ./*.pem ./*.der ./*.pin
rm -rf keys
mkdir -p keys

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/new"

# Validity windows (GeneralizedTime-style, as `openssl ca -startdate` takes).
# Tests verify at 2030-01-01T00:00:00Z.
START=20250101000000Z
END=20450101000000Z
PAST_START=20200101000000Z
PAST_END=20210101000000Z
FUTURE_START=20400101000000Z

cat >"$TMP/ca.cnf" <<EOF
[ca]
default_ca = d

[d]
database = $TMP/index.txt
new_certs_dir = $TMP/new
policy = pol
unique_subject = no
email_in_dn = no
copy_extensions = none
preserve = yes
rand_serial = yes

[pol]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied

[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused

# ---- CA profiles ----
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash

[int]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[int_pathlen0]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[int_notca]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[int_nobc]
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[int_noksign]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[int_nc_dns]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
nameConstraints = critical,permitted;DNS:allowed.test,excluded;DNS:bad.allowed.test

[int_nc_ip]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
nameConstraints = critical,permitted;IP:10.0.0.0/255.0.0.0

[root_nc]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
nameConstraints = critical,permitted;DNS:allowed.test

# ---- end-entity profiles (SAN from the environment) ----
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = \${ENV::SAN}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[leaf_nosan]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid:always

[leaf_noeku]
basicConstraints = critical,CA:FALSE
subjectAltName = \${ENV::SAN}
authorityKeyIdentifier = keyid:always

[leaf_clientauth]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = \${ENV::SAN}
authorityKeyIdentifier = keyid:always

[leaf_keyenc]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = \${ENV::SAN}
authorityKeyIdentifier = keyid:always

[leaf_crit]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
subjectAltName = \${ENV::SAN}
1.3.6.1.4.1.55555.1 = critical,ASN1:NULL

[leaf_noncrit]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
subjectAltName = \${ENV::SAN}
1.3.6.1.4.1.55555.1 = ASN1:NULL

[selfsigned]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = \${ENV::SAN}
subjectKeyIdentifier = hash
EOF

export SAN="DNS:unused.test"

key() { # key NAME TYPE
    case "$2" in
        p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "keys/$1.key" ;;
        p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "keys/$1.key" ;;
        rsa*) openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2#rsa}" -out "keys/$1.key" 2>/dev/null ;;
    esac
}

# issue NAME "SUBJECT" KEY ISSUER PROFILE [MD] [START] [END] [extra `openssl ca` args...]
# ISSUER is the name of an already issued certificate, or "self".
issue() {
    local name=$1 subj=$2 k=$3 issuer=$4 profile=$5 md=${6:-sha256} start=${7:-$START} end=${8:-$END}
    shift 8 2>/dev/null || shift $#
    : >"$TMP/index.txt"
    openssl req -config "$TMP/ca.cnf" -new -key "keys/$k.key" -subj "$subj" -out "$TMP/$name.csr"
    if [ "$issuer" = self ]; then
        openssl ca -batch -config "$TMP/ca.cnf" -selfsign -keyfile "keys/$k.key" -in "$TMP/$name.csr" \
            -out "$TMP/$name.crt" -extensions "$profile" -md "$md" -startdate "$start" -enddate "$end" \
            -notext -preserveDN "$@" 2>"$TMP/err" || { cat "$TMP/err"; exit 1; }
    else
        openssl ca -batch -config "$TMP/ca.cnf" -cert "$issuer.pem" -keyfile "keys/$(cat "$TMP/$issuer.key")" \
            -in "$TMP/$name.csr" -out "$TMP/$name.crt" -extensions "$profile" -md "$md" \
            -startdate "$start" -enddate "$end" -notext -preserveDN "$@" 2>"$TMP/err" || { cat "$TMP/err"; exit 1; }
    fi
    echo "$k.key" >"$TMP/$name.key"
    openssl x509 -in "$TMP/$name.crt" -out "$name.pem"
    openssl x509 -in "$name.pem" -outform der -out "$name.der"
    # The HPKP-style SPKI pin, computed by openssl (tests compare embertls' own computation to it).
    printf 'sha256/%s\n' "$(openssl x509 -in "$name.pem" -pubkey -noout | openssl pkey -pubin -outform der |
        openssl dgst -sha256 -binary | openssl base64 -A)" >"$name.pin"
}

# ---- keys ----
for k in ec256-root ec256-int ec256-int2 ec256-leaf evil xroot-a xroot-b xint misc-leaf selfsigned nc-int nc-root; do
    key "$k" p256
done
for k in ec384-root ec384-int ec384-leaf; do key "$k" p384; done
for k in rsa2048-root rsa2048-int rsa2048-leaf; do key "$k" rsa2048; done
for k in rsa4096-root rsa4096-int; do key "$k" rsa4096; done
key rsa1024-int rsa1024

# ---- ECDSA P-256: root -> intermediate -> leaf ----
issue ec256-root "/CN=EC256 Root/O=embertls tests" ec256-root self root
issue ec256-int "/CN=EC256 Intermediate/O=embertls tests" ec256-int ec256-root int
SAN="DNS:ec256.test,DNS:*.wild.test,DNS:xn--bcher-kva.test,IP:127.0.0.1,IP:::1" \
    issue ec256-leaf "/CN=ec256.test" ec256-leaf ec256-int leaf

# ---- ECDSA P-384 with SHA-384 ----
issue ec384-root "/CN=EC384 Root/O=embertls tests" ec384-root self root sha384
issue ec384-int "/CN=EC384 Intermediate/O=embertls tests" ec384-int ec384-root int sha384
SAN="DNS:ec384.test" issue ec384-leaf "/CN=ec384.test" ec384-leaf ec384-int leaf sha384

# ---- mixed curves and hashes: P-384 root signs a P-256 CA with SHA-256; it signs a P-384 leaf with SHA-384 ----
issue mix-int "/CN=Mixed P-256 Intermediate" ec256-int2 ec384-root int sha256
SAN="DNS:mix.test" issue mix-leaf "/CN=mix.test" ec384-leaf mix-int leaf sha384

# ---- RSA-2048 (SHA-256), with leaves signed with other RSA schemes ----
issue rsa2048-root "/CN=RSA2048 Root/O=embertls tests" rsa2048-root self root
issue rsa2048-int "/CN=RSA2048 Intermediate/O=embertls tests" rsa2048-int rsa2048-root int
SAN="DNS:rsa2048.test" issue rsa2048-leaf "/CN=rsa2048.test" rsa2048-leaf rsa2048-int leaf
SAN="DNS:rsa2048.test" issue rsa2048-leaf-sha384 "/CN=rsa2048.test" rsa2048-leaf rsa2048-int leaf sha384
SAN="DNS:rsa2048.test" issue rsa2048-leaf-sha512 "/CN=rsa2048.test" rsa2048-leaf rsa2048-int leaf sha512
SAN="DNS:rsa2048.test" issue rsa2048-leaf-pss "/CN=rsa2048.test" rsa2048-leaf rsa2048-int leaf sha256 \
    "$START" "$END" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-1
SAN="DNS:rsa2048.test" issue rsa2048-leaf-pss384 "/CN=rsa2048.test" rsa2048-leaf rsa2048-int leaf sha384 \
    "$START" "$END" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-1
SAN="DNS:rsa2048.test" issue sha1-leaf "/CN=rsa2048.test" rsa2048-leaf rsa2048-int leaf sha1

# ---- RSA-4096, and a mixed RSA -> ECDSA chain ----
issue rsa4096-root "/CN=RSA4096 Root/O=embertls tests" rsa4096-root self root sha512
issue rsa4096-int "/CN=RSA4096 Intermediate/O=embertls tests" rsa4096-int rsa4096-root int sha384
SAN="DNS:rsa4096.test" issue rsa4096-leaf "/CN=rsa4096.test" rsa2048-leaf rsa4096-int leaf
issue mixed-int "/CN=Mixed ECDSA Intermediate" ec384-int rsa4096-root int sha384
SAN="DNS:mixed.test" issue mixed-leaf "/CN=mixed.test" ec256-leaf mixed-int leaf sha256

# ---- two intermediates ----
issue two-int1 "/CN=Two Intermediate 1" ec256-int ec256-root int
issue two-int2 "/CN=Two Intermediate 2" ec256-int2 two-int1 int
SAN="DNS:two.test" issue two-leaf "/CN=two.test" ec256-leaf two-int2 leaf

# ---- cross-signed intermediate: same subject and key, issued by two roots ----
issue xroot-a "/CN=Cross Root A" xroot-a self root
issue xroot-b "/CN=Cross Root B" xroot-b self root
issue xint-by-a "/CN=Cross Intermediate" xint xroot-a int
issue xint-by-b "/CN=Cross Intermediate" xint xroot-b int
issue xint-by-a-expired "/CN=Cross Intermediate" xint xroot-a int sha256 "$PAST_START" "$PAST_END"
SAN="DNS:cross.test" issue xleaf "/CN=cross.test" misc-leaf xint-by-b leaf

# ---- same issuer name, different key (key identifiers choose); and a bad signature ----
issue dup-int-wrongkey "/CN=EC256 Intermediate/O=embertls tests" evil ec256-root int
SAN="DNS:ec256.test" issue badsig-leaf "/CN=ec256.test" misc-leaf dup-int-wrongkey leaf

# ---- validity ----
SAN="DNS:ec256.test" issue expired-leaf "/CN=expired.ec256.test" misc-leaf ec256-int leaf sha256 "$PAST_START" "$PAST_END"
SAN="DNS:ec256.test" issue future-leaf "/CN=future.ec256.test" misc-leaf ec256-int leaf sha256 "$FUTURE_START" "$END"
issue expired-int "/CN=EC256 Intermediate/O=embertls tests" ec256-int ec256-root int sha256 "$PAST_START" "$PAST_END"

# ---- names ----
issue nosan-leaf "/CN=ec256.test" misc-leaf ec256-int leaf_nosan
SAN="DNS:*.test" issue wildtld-leaf "/CN=wildtld" misc-leaf ec256-int leaf

# ---- basicConstraints / pathLen / keyUsage / EKU / critical extensions ----
issue notca-int "/CN=NotCA Intermediate" ec256-int2 ec256-root int_notca
SAN="DNS:notca.test" issue notca-leaf "/CN=notca.test" misc-leaf notca-int leaf
issue nobc-int "/CN=NoBC Intermediate" ec256-int2 ec256-root int_nobc
SAN="DNS:nobc.test" issue nobc-leaf "/CN=nobc.test" misc-leaf nobc-int leaf
issue pl0-int1 "/CN=PathLen0 Intermediate" ec256-int ec256-root int_pathlen0
issue pl0-int2 "/CN=Below PathLen0 Intermediate" ec256-int2 pl0-int1 int
SAN="DNS:pathlen.test" issue pl0-leaf "/CN=pathlen.test" misc-leaf pl0-int2 leaf
SAN="DNS:pathlen.test" issue pl0-leaf-direct "/CN=pathlen-direct.test" misc-leaf pl0-int1 leaf
issue noksign-int "/CN=NoKeyCertSign Intermediate" ec256-int2 ec256-root int_noksign
SAN="DNS:noksign.test" issue noksign-leaf "/CN=noksign.test" misc-leaf noksign-int leaf
SAN="DNS:ec256.test" issue keyenc-leaf "/CN=keyenc.ec256.test" misc-leaf ec256-int leaf_keyenc
SAN="DNS:ec256.test" issue noeku-leaf "/CN=noeku.ec256.test" misc-leaf ec256-int leaf_noeku
SAN="DNS:ec256.test" issue clientauth-leaf "/CN=clientauth.ec256.test" misc-leaf ec256-int leaf_clientauth
SAN="DNS:ec256.test" issue crit-leaf "/CN=crit.ec256.test" misc-leaf ec256-int leaf_crit
SAN="DNS:ec256.test" issue noncrit-leaf "/CN=noncrit.ec256.test" misc-leaf ec256-int leaf_noncrit

# ---- name constraints ----
issue ncdns-int "/CN=NC DNS Intermediate" nc-int ec256-root int_nc_dns
SAN="DNS:a.allowed.test" issue ncdns-leaf-ok "/CN=a.allowed.test" misc-leaf ncdns-int leaf
SAN="DNS:a.other.test" issue ncdns-leaf-outside "/CN=a.other.test" misc-leaf ncdns-int leaf
SAN="DNS:x.bad.allowed.test" issue ncdns-leaf-excluded "/CN=x.bad.allowed.test" misc-leaf ncdns-int leaf
issue ncip-int "/CN=NC IP Intermediate" nc-int ec256-root int_nc_ip
SAN="IP:10.1.2.3" issue ncip-leaf-ok "/CN=10.1.2.3" misc-leaf ncip-int leaf
SAN="IP:192.168.1.1" issue ncip-leaf-bad "/CN=192.168.1.1" misc-leaf ncip-int leaf
issue ncroot "/CN=NC Root" nc-root self root_nc
SAN="DNS:b.allowed.test" issue ncroot-leaf-ok "/CN=b.allowed.test" misc-leaf ncroot leaf
SAN="DNS:evil.test" issue ncroot-leaf-bad "/CN=evil.test" misc-leaf ncroot leaf

# ---- key size ----
issue rsa1024-int "/CN=RSA1024 Intermediate" rsa1024-int rsa2048-root int
SAN="DNS:rsa1024.test" issue rsa1024-leaf "/CN=rsa1024.test" rsa2048-leaf rsa1024-int leaf

# ---- a self-signed server certificate (home broker style) ----
SAN="DNS:selfsigned.test,IP:192.168.1.10" issue selfsigned "/CN=selfsigned.test" selfsigned self selfsigned

# A PEM bundle with several roots, for TrustAnchors::from_pem.
cat ec256-root.pem ec384-root.pem rsa2048-root.pem >roots-bundle.pem

echo "generated $(ls ./*.der | wc -l) certificates in $(pwd)"
