#!/usr/bin/env python3
"""Generates records.json: TLS 1.2 AEAD record protection known-answer vectors.

Computed with pyca/cryptography (AESGCM, ChaCha20Poly1305), independently of
embertls, following:
  - RFC 5246 section 6.2.3.3 (GenericAEADCipher, additional_data =
    seq_num(8) || type(1) || version(2) || length(2) of the plaintext);
  - RFC 5288 section 3 (AES-GCM: nonce = salt(4, the key block's write IV) ||
    nonce_explicit(8); nonce_explicit is sent in front of the ciphertext);
    the generated records use the sequence number as nonce_explicit, as
    RFC 5288 section 3 suggests and as most implementations do, and two
    extra "open_only" records use other explicit nonces (a sender may
    choose any unique value);
  - RFC 7905 section 2 (ChaCha20-Poly1305: nonce = 12-byte write IV XOR
    (4 zero bytes || seq_num), nothing explicit in the record).
  - RFC 5246 section 6.3 (key block) for the external vectors below.

The "external" vectors are the TLS 1.2 AEAD records that tlslite-ng's unit
tests expect (tlsfuzzer/tlslite-ng, unit_tests/test_tlslite_recordlayer.py,
test_sendRecord_with_AES128GCM / _AES256GCM / _ChaCha20, read at commit
0837916e52f81ce081da379d560cce131e7c1aff): master secret of 48 zero bytes,
client and server random of 32 zero bytes each, the client write key/IV,
sequence number 0, application_data "test". This script derives the key
block with its own PRF and re-seals "test" with pyca/cryptography, and
refuses to write anything unless the result equals tlslite-ng's bytes.

Usage (CI does not run this; records.json is committed):
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install cryptography
    /tmp/venv/bin/python vectors/tls12-records/generate.py
"""

import hashlib
import hmac
import json
import os
import struct
import sys

import cryptography
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

HERE = os.path.dirname(os.path.abspath(__file__))
TLS12 = b"\x03\x03"

# Fixed keys and write IVs (arbitrary values, chosen once).
GROUPS = [
    {
        "group": "aes128gcm",
        "aead": "AES_128_GCM",
        "key": "83b520325e5abe9786b8f1cf8e394c08",
        "iv": "37314403",
    },
    {
        "group": "aes256gcm",
        "aead": "AES_256_GCM",
        "key": "d19684bf15be88c560c552f05188f73474fd698b4891e3405db1dfe26d7f36c0",
        "iv": "2c1ecab0",
    },
    {
        "group": "chacha20poly1305",
        "aead": "CHACHA20_POLY1305",
        "key": "b09edfb6694dc85a7a772baa81599a6e5d7b74994ba5769edc30dca2164524f3",
        "iv": "c94080d0033613abec885b24",
    },
]

# Per group, in sequence-number order: (content type, plaintext).
FINISHED = bytes.fromhex("1400000c") + bytes.fromhex("cf919626f1360c536aaad73a")
HTTP = (
    b"GET /index.html HTTP/1.1\r\nHost: device.example\r\n"
    b"User-Agent: embertls-vectors/10\r\nAccept: */*;q=1\r\n\r\n"
)
assert len(HTTP) == 100, len(HTTP)
RECORDS = [
    (22, FINISHED),  # seq 0: handshake, Finished (16 bytes)
    (23, b""),  # seq 1: application_data, empty
    (23, HTTP),  # seq 2: application_data, 100 bytes
    (21, bytes.fromhex("0100")),  # seq 3: alert, warning close_notify
]

# AES-GCM records whose sender chose explicit nonces other than the
# sequence number (RFC 5288 section 3 allows any unique value): open only.
OPEN_ONLY = [
    {
        "group": "aes128gcm-explicit",
        "aead": "AES_128_GCM",
        "key": "83b520325e5abe9786b8f1cf8e394c08",
        "iv": "37314403",
        "records": [(23, b"explicit nonce is not the sequence number", "8f090f0fdb1fbdf0"), (21, bytes.fromhex("0100"), "3ca96ef817230d7a")],
    },
    {
        "group": "aes256gcm-explicit",
        "aead": "AES_256_GCM",
        "key": "d19684bf15be88c560c552f05188f73474fd698b4891e3405db1dfe26d7f36c0",
        "iv": "2c1ecab0",
        "records": [(22, FINISHED, "35e78c109f6140b7"), (23, b"x", "90852956b1746dac")],
    },
]

# tlslite-ng's expected records (the Python byte literals of its unit tests).
TLSLITE_NG = [
    {
        "group": "tlslite-ng-aes128gcm",
        "suite": "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "aead": "AES_128_GCM",
        "prf_hash": "SHA256",
        "test": "test_sendRecord_with_AES128GCM",
        "record": b"\x17\x03\x03\x00\x1c"
        + b"\x00\x00\x00\x00\x00\x00\x00\x00Fy\xc0\x91"
        + b"A\x85\x82\xffk\x95\x8a51\x1e\xfb\x93e\xdd\xc1\xc7",
    },
    {
        "group": "tlslite-ng-aes256gcm",
        "suite": "TLS_RSA_WITH_AES_256_GCM_SHA384",
        "aead": "AES_256_GCM",
        "prf_hash": "SHA384",
        "test": "test_sendRecord_with_AES256GCM",
        "record": b"\x17\x03\x03\x00\x1c"
        + b"\x00\x00\x00\x00\x00\x00\x00\x00\xb5c\x15\x8c"
        + b"\xe3\x92H6l\x90\x19\xef\x96\xbfT}\xe8\xbaE\xa3",
    },
    {
        "group": "tlslite-ng-chacha20poly1305",
        "suite": "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "aead": "CHACHA20_POLY1305",
        "prf_hash": "SHA256",
        "test": "test_sendRecord_with_ChaCha20",
        "record": b"\x17\x03\x03\x00\x14" + b"s\x1e\xe8(+h0\x84\xbf\x96,\xbc\xdf\\\x8c\xad=\x95\xa1\x9a",
    },
]
TLSLITE_COMMIT = "0837916e52f81ce081da379d560cce131e7c1aff"

KEY_LEN = {"AES_128_GCM": 16, "AES_256_GCM": 32, "CHACHA20_POLY1305": 32}
IV_LEN = {"AES_128_GCM": 4, "AES_256_GCM": 4, "CHACHA20_POLY1305": 12}


def aad(seq, typ, length):
    """RFC 5246 section 6.2.3.3 additional_data."""
    return struct.pack(">QB2sH", seq, typ, TLS12, length)


def seal(aead, key, iv, seq, typ, plaintext, explicit=None):
    """One TLS 1.2 AEAD record, header included."""
    ad = aad(seq, typ, len(plaintext))
    if aead in ("AES_128_GCM", "AES_256_GCM"):
        assert len(key) == KEY_LEN[aead] and len(iv) == 4
        if explicit is None:
            explicit = struct.pack(">Q", seq)
        assert len(explicit) == 8
        body = explicit + AESGCM(key).encrypt(iv + explicit, plaintext, ad)
    elif aead == "CHACHA20_POLY1305":
        assert len(key) == 32 and len(iv) == 12
        nonce = bytes(a ^ b for a, b in zip(iv, b"\x00" * 4 + struct.pack(">Q", seq)))
        body = ChaCha20Poly1305(key).encrypt(nonce, plaintext, ad)
    else:
        raise ValueError(aead)
    return struct.pack(">B2sH", typ, TLS12, len(body)) + body


def prf(hash_name, secret, label, seed, n):
    """RFC 5246 section 5 PRF (P_hash)."""
    h = getattr(hashlib, hash_name.lower())
    out, a = b"", label + seed
    while len(out) < n:
        a = hmac.new(secret, a, h).digest()
        out += hmac.new(secret, a + label + seed, h).digest()
    return out[:n]


def vector(group, aead, key, iv, seq, typ, plaintext, record, mode, source, extra=None):
    v = {
        "group": group,
        "mode": mode,
        "aead": aead,
        "key": key.hex(),
        "iv": iv.hex(),
        "seq": seq,
        "content_type": typ,
        "plaintext": plaintext.hex(),
        "record": record.hex(),
        "source": source,
    }
    v.update(extra or {})
    return v


def main():
    out = []
    for g in GROUPS:
        key, iv = bytes.fromhex(g["key"]), bytes.fromhex(g["iv"])
        for seq, (typ, pt) in enumerate(RECORDS):
            rec = seal(g["aead"], key, iv, seq, typ, pt)
            out.append(vector(g["group"], g["aead"], key, iv, seq, typ, pt, rec, "seal_and_open", "generate.py"))
    for g in OPEN_ONLY:
        key, iv = bytes.fromhex(g["key"]), bytes.fromhex(g["iv"])
        for seq, (typ, pt, explicit) in enumerate(g["records"]):
            explicit = bytes.fromhex(explicit)
            assert explicit != struct.pack(">Q", seq)
            rec = seal(g["aead"], key, iv, seq, typ, pt, explicit)
            out.append(vector(g["group"], g["aead"], key, iv, seq, typ, pt, rec, "open_only", "generate.py"))

    ms, cr, sr = bytes(48), bytes(32), bytes(32)
    for t in TLSLITE_NG:
        klen, ivlen = KEY_LEN[t["aead"]], IV_LEN[t["aead"]]
        # key_block = client_write_key || server_write_key || client_write_IV || server_write_IV
        # (no MAC keys for AEAD suites), RFC 5246 section 6.3.
        kb = prf(t["prf_hash"], ms, b"key expansion", sr + cr, 2 * (klen + ivlen))
        key, iv = kb[:klen], kb[2 * klen : 2 * klen + ivlen]
        rec = seal(t["aead"], key, iv, 0, 23, b"test")
        if rec != t["record"]:
            sys.exit(f"{t['group']}: pyca/cryptography gives {rec.hex()}, tlslite-ng expects {t['record'].hex()}")
        extra = {
            "suite": t["suite"],
            "prf_hash": t["prf_hash"],
            "master_secret": ms.hex(),
            "client_random": cr.hex(),
            "server_random": sr.hex(),
            "key_block": kb.hex(),
            "reference": f"tlsfuzzer/tlslite-ng@{TLSLITE_COMMIT}:unit_tests/test_tlslite_recordlayer.py:{t['test']}",
        }
        out.append(vector(t["group"], t["aead"], key, iv, 0, 23, b"test", rec, "seal_and_open", "tlslite-ng", extra))

    doc = {
        "source": "TLS 1.2 AEAD records (RFC 5246 6.2.3.3, RFC 5288 3, RFC 7905 2) computed by generate.py "
        f"with pyca/cryptography {cryptography.__version__}; tlslite-ng groups are tlslite-ng's published "
        "unit-test records, re-derived and checked by generate.py; see README.md",
        "encoding": "lowercase hex; key/iv are the write key and write IV of the key block; records of a group "
        "use one key in sequence-number order from 0; record includes the 5-byte header",
        "vectors": out,
    }
    path = os.path.join(HERE, "records.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(out)} vectors to {path} (pyca/cryptography {cryptography.__version__})")


if __name__ == "__main__":
    main()
