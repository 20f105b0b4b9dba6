//! The accelerator-shaped provider of `tests/common/accel.rs` (issue 14
//! item 2): known-answer tests of what it builds around its engines (SHA-2
//! padding, GCM, the seam's default HMAC and HKDF on its hash, RSA and ECDSA
//! verification), comparisons with the default provider, and real handshakes
//! (rustls in memory, TLS 1.3 and 1.2, ECDSA P-256 and RSA-2048 chains
//! verified by `CaVerifier`, secp256r1; openssl s_server) with the engines'
//! operation counts. The RFC 8448 traces run through it in the lib tests
//! (`src/handshake/rfc8448_tests.rs`, the `accel_` tests).
#![allow(clippy::result_large_err)]

#[path = "../common/accel.rs"]
mod accel;
use crate::common;

use std::path::PathBuf;

use accel::{AccelProvider, BigNumEngine, Counts, Engines};
use common::peer::{peer_file, rng, rustls_config, rustls_config_tls12, CertKind, MemPeer, OpensslServer};
use embertls::crypto::{hkdf_expand, hkdf_extract, hmac};
use embertls::provider::{
    AeadAlg, AeadError, CryptoProvider, HashAlg, NamedGroup, PeerKey, RustCrypto, SigAlg, SigHash, SignatureError,
    MAX_PUBLIC_KEY_LEN, MAX_SHARED_SECRET_LEN,
};
use embertls::{CipherSuite, Client, ClientConfig, ConnectOptions, ProtocolVersion, ServerName, Trust, UnixTime};
use sha2::Digest as _;

/// A time inside the validity of `vectors/peer/` (2026 to 2046).
const NOW: UnixTime = UnixTime(1_800_000_000);

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    common::vectors::hex(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// One `[name]` section of a `NAME = value` vector file.
struct Case {
    name: String,
    fields: Vec<(String, String)>,
}

impl Case {
    fn text(&self, k: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{}: no {k}", self.name))
    }
    fn bytes(&self, k: &str) -> Vec<u8> {
        unhex(self.text(k))
    }
}

/// The sections of `vectors/<path>` (lines `[name]`, `KEY = hex`; `#` comments).
fn cases(path: &str) -> Vec<Case> {
    let file: PathBuf = [env!("CARGO_MANIFEST_DIR"), "vectors", path].iter().collect();
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut out: Vec<Case> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            out.push(Case { name: name.to_string(), fields: Vec::new() });
        } else {
            let (k, v) = line.split_once('=').unwrap_or_else(|| panic!("{path}: {line}"));
            out.last_mut().expect("a section first").fields.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

/// What `f` made the engines do.
fn counted(f: impl FnOnce(&mut AccelProvider<'_>)) -> Counts {
    let mut engines = Engines::new();
    f(&mut AccelProvider::new(&mut engines));
    engines.counts()
}

// ------------------------------------------------------------------- SHA-2

/// The provider's padding around the block engine gives FIPS 180-4 digests:
/// the "abc" examples, then every length over three blocks, fed in pieces
/// of several sizes, compared with the `sha2` crate; each digest costs
/// exactly the blocks FIPS 180-4 §5.1 makes of the message.
#[test]
fn sha2_on_the_block_engine() {
    // FIPS 180-2 Appendix B.1 and D.1 (one-block messages).
    let mut e = Engines::new();
    let mut p = AccelProvider::new(&mut e);
    assert_eq!(
        hex(HashAlg::Sha256.hash(&mut p, b"abc").as_bytes()),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        hex(HashAlg::Sha384.hash(&mut p, b"abc").as_bytes()),
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"
    );
    let data: Vec<u8> = (0..400u32).map(|i| (i * 7 + 3) as u8).collect();
    for (alg, block, len_field) in [(HashAlg::Sha256, 64, 8), (HashAlg::Sha384, 128, 16)] {
        for len in 0..=3 * block + 1 {
            let msg = &data[..len];
            let want = match alg {
                HashAlg::Sha256 => sha2::Sha256::digest(msg).to_vec(),
                HashAlg::Sha384 => sha2::Sha384::digest(msg).to_vec(),
            };
            for piece in [1, 13, block - 1, block, 1000] {
                let counts = counted(|p| {
                    let mut h = p.hash_start(alg);
                    for chunk in msg.chunks(piece) {
                        p.hash_update(&mut h, chunk);
                    }
                    let d = p.hash_finish(h);
                    assert_eq!(hex(d.as_bytes()), hex(&want), "{alg:?}, {len} bytes in pieces of {piece}");
                });
                // The message, a 1 bit and the length field, in whole blocks.
                let blocks = (len + 1 + len_field).div_ceil(block) as u64;
                assert_eq!(counts.sha_blocks, blocks, "{alg:?}, {len} bytes");
                assert_eq!(counts.sha_starts, 1);
            }
        }
    }
}

/// Two transcripts taking turns on the one engine (as a transcript and an
/// HMAC do): each keeps its chaining value, and the engine reloads it.
#[test]
fn interleaved_hashes_share_the_engine() {
    let a: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
    let b: Vec<u8> = (0..1700u32).map(|i| (i * 31) as u8).collect();
    let counts = counted(|p| {
        let (mut ha, mut hb) = (p.hash_start(HashAlg::Sha256), p.hash_start(HashAlg::Sha384));
        for (ca, cb) in a.chunks(100).zip(b.chunks(170)) {
            p.hash_update(&mut ha, ca);
            p.hash_update(&mut hb, cb);
        }
        // A clone reads the digest while the hash goes on (RFC 8446 §4.4.1).
        let early = p.hash_finish(ha.clone());
        assert_eq!(early.as_bytes(), &sha2::Sha256::digest(&a)[..]);
        p.hash_update(&mut ha, b"more");
        let mut all = a.clone();
        all.extend_from_slice(b"more");
        assert_eq!(p.hash_finish(ha).as_bytes(), &sha2::Sha256::digest(&all)[..]);
        assert_eq!(p.hash_finish(hb).as_bytes(), &sha2::Sha384::digest(&b)[..]);
    });
    assert!(counts.sha_state_loads > 10, "{counts:?}");
}

// -------------------------------------------------------------- HMAC, HKDF

/// The seam's default HMAC (RFC 2104 on the provider's hash; the provider
/// does not override it) gives RFC 4231's values, including keys longer
/// than a block (test cases 6 and 7, hashed first), and the `hmac` crate's
/// for every key length around both block sizes with the data in parts.
#[test]
fn default_hmac_on_the_engine_is_rfc4231() {
    let vectors = cases("rfc4231/hmac_sha2.txt");
    assert_eq!(vectors.len(), 6);
    let counts = counted(|p| {
        for c in &vectors {
            let (key, data) = (c.bytes("Key"), c.bytes("Data"));
            assert_eq!(hex(hmac(p, HashAlg::Sha256, &key, &data).as_bytes()), c.text("HMAC-SHA-256"), "{}", c.name);
            assert_eq!(hex(hmac(p, HashAlg::Sha384, &key, &data).as_bytes()), c.text("HMAC-SHA-384"), "{}", c.name);
        }
        let data: Vec<u8> = (0..300u32).map(|i| (i ^ 0x5c) as u8).collect();
        for key_len in (0..=200).step_by(7).chain([63, 64, 65, 127, 128, 129]) {
            let key = &data[..key_len];
            for alg in [HashAlg::Sha256, HashAlg::Sha384] {
                let (mut ours, mut theirs) = ([0u8; 48], [0u8; 48]);
                let n = p.hmac(alg, key, &[&data[..10], &data[10..200], &[]], &mut ours);
                let m = RustCrypto.hmac(alg, key, &[&data[..200]], &mut theirs);
                assert_eq!((n, hex(&ours[..n])), (m, hex(&theirs[..m])), "{alg:?}, {key_len}-byte key");
            }
        }
    });
    assert!(counts.sha_blocks > 0);
}

/// The seam's default HKDF-Expand (RFC 5869 on the default HMAC) and
/// HKDF-Extract on the engine give RFC 5869 A.1 to A.3 (A.2: three blocks
/// of output and 80 bytes of info, here in two parts).
#[test]
fn default_hkdf_on_the_engine_is_rfc5869() {
    let vectors = cases("rfc5869/hkdf_sha256.txt");
    assert_eq!(vectors.len(), 3);
    let mut e = Engines::new();
    let mut p = AccelProvider::new(&mut e);
    for c in &vectors {
        let prk = hkdf_extract(&mut p, HashAlg::Sha256, &c.bytes("salt"), &c.bytes("IKM"));
        assert_eq!(hex(prk.as_bytes()), c.text("PRK"), "{}", c.name);
        let info = c.bytes("info");
        let len: usize = c.text("L").parse().expect("L");
        let mut okm = vec![0u8; len];
        let (i1, i2) = info.split_at(info.len() / 3);
        hkdf_expand(&mut p, HashAlg::Sha256, &prk, &[i1, i2], &mut okm);
        assert_eq!(hex(&okm), c.text("OKM"), "{}", c.name);
    }
}

// ------------------------------------------------------------------ AEADs

fn gcm_alg(key: &[u8]) -> AeadAlg {
    if key.len() == 16 {
        AeadAlg::Aes128Gcm
    } else {
        AeadAlg::Aes256Gcm
    }
}

/// GCM around the single-block engine gives the GCM specification's test
/// cases (AES-128 and AES-256, with and without additional data, whole and
/// partial last blocks), opens them, and refuses any changed bit without
/// touching the buffer. Each record costs one AES block per 16 bytes plus
/// one for the tag.
#[test]
fn gcm_on_the_block_engine_is_the_gcm_specification() {
    let vectors = cases("gcm/gcm_spec_96bit_iv.txt");
    assert_eq!(vectors.len(), 8);
    for c in &vectors {
        let (key, p_text, iv, aad, c_text, tag) =
            (c.bytes("K"), c.bytes("P"), c.bytes("IV"), c.bytes("A"), c.bytes("C"), c.bytes("T"));
        let nonce: [u8; 12] = iv.try_into().expect("96-bit IV");
        let mut engines = Engines::new();
        let mut p = AccelProvider::new(&mut engines);
        let k = p.aead_key(gcm_alg(&key), &key);
        let mut buf = p_text.clone();
        let t = p.aead_seal(&k, &nonce, &aad, &mut buf).unwrap();
        assert_eq!((hex(&buf), hex(&t)), (hex(&c_text), hex(&tag)), "{}", c.name);
        let t: [u8; 16] = tag.clone().try_into().unwrap();
        p.aead_open(&k, &nonce, &aad, &mut buf, &t).unwrap_or_else(|_| panic!("{}: open", c.name));
        assert_eq!(buf, p_text, "{}: opened", c.name);

        // Every single-bit change of tag, ciphertext or additional data is refused.
        let mut flips = 0;
        for i in 0..(t.len() + c_text.len() + aad.len()) * 8 {
            let (mut t2, mut ct2, mut aad2) = (t, c_text.clone(), aad.clone());
            let byte = i / 8;
            let bit = 1 << (i % 8);
            if byte < 16 {
                t2[byte] ^= bit;
            } else if byte < 16 + ct2.len() {
                ct2[byte - 16] ^= bit;
            } else {
                aad2[byte - 16 - c_text.len()] ^= bit;
            }
            let before = ct2.clone();
            assert_eq!(p.aead_open(&k, &nonce, &aad2, &mut ct2, &t2), Err(AeadError), "{}: bit {i}", c.name);
            assert_eq!(ct2, before, "{}: nothing decrypted on failure", c.name);
            flips += 1;
        }
        assert!(flips >= 128);
        let blocks = engines.counts().aes_blocks;
        // H, then per seal or good open ceil(len / 16) + 1, per refused open 1.
        let per_record = p_text.len().div_ceil(16) as u64 + 1;
        assert_eq!(blocks, 1 + 2 * per_record + flips, "{}", c.name);
    }
}

/// AES-GCM on the engine and ChaCha20-Poly1305 (delegated to the
/// `chacha20poly1305` crate) seal exactly as the default provider does,
/// for lengths around the block size, and open each other's records.
#[test]
fn aeads_agree_with_the_default_provider() {
    let data: Vec<u8> = (0..200u32).map(|i| (i * 13) as u8).collect();
    for alg in [AeadAlg::Aes128Gcm, AeadAlg::Aes256Gcm, AeadAlg::Chacha20Poly1305] {
        let key = &data[5..5 + alg.key_len()];
        let mut engines = Engines::new();
        let mut p = AccelProvider::new(&mut engines);
        let (ours, theirs) = (p.aead_key(alg, key), RustCrypto.aead_key(alg, key));
        for len in (0..=70).chain([200]) {
            for aad_len in [0, 1, 13, 16, 17, 40] {
                let nonce: [u8; 12] = data[len % 50..len % 50 + 12].try_into().unwrap();
                let (aad, msg) = (&data[100..100 + aad_len], &data[..len]);
                let (mut a, mut b) = (msg.to_vec(), msg.to_vec());
                let ta = p.aead_seal(&ours, &nonce, aad, &mut a).unwrap();
                let tb = RustCrypto.aead_seal(&theirs, &nonce, aad, &mut b).unwrap();
                assert_eq!((hex(&a), hex(&ta)), (hex(&b), hex(&tb)), "{alg:?}, {len} bytes, {aad_len} of aad");
                p.aead_open(&ours, &nonce, aad, &mut b, &tb).unwrap();
                assert_eq!(b, msg);
            }
        }
        let c = engines.counts();
        match alg {
            AeadAlg::Chacha20Poly1305 => assert_eq!(c.aes_blocks, 0, "no ChaCha20 engine: software"),
            _ => assert!(c.aes_blocks > 1000, "{c:?}"),
        }
    }
}

// -------------------------------------------------------------- key exchange

/// P-256 and P-384 on the ECC engine, X25519 in software: the same public
/// keys and shared secrets as the default provider, and the same refusals
/// (scalars out of range, peer points not on the curve, compressed or
/// truncated, the X25519 all-zero result).
#[test]
fn key_exchange_agrees_with_the_default_provider() {
    let d = |b: u8, n: usize| -> Vec<u8> { (0..n).map(|i| b.wrapping_add(i as u8 * 3)).collect() };
    for (group, len, muls) in
        [(NamedGroup::Secp256r1, 32, 2), (NamedGroup::Secp384r1, 48, 2), (NamedGroup::X25519, 32, 0)]
    {
        let (ours_priv, theirs_priv) = (d(1, len), d(77, len));
        let counts = counted(|p| {
            let mut pub_a = [0u8; MAX_PUBLIC_KEY_LEN];
            let mut pub_b = [0u8; MAX_PUBLIC_KEY_LEN];
            let (a, n) = p.kx_from_private(group, &ours_priv, &mut pub_a).expect("usable key");
            let (b, m) = RustCrypto.kx_from_private(group, &theirs_priv, &mut pub_b).expect("usable key");
            let mut pub_a_rc = [0u8; MAX_PUBLIC_KEY_LEN];
            let (_, n_rc) = RustCrypto.kx_from_private(group, &ours_priv, &mut pub_a_rc).unwrap();
            assert_eq!(hex(&pub_a[..n]), hex(&pub_a_rc[..n_rc]), "{group}: public key");
            let (mut s1, mut s2) = ([0u8; MAX_SHARED_SECRET_LEN], [0u8; MAX_SHARED_SECRET_LEN]);
            let k1 = p.kx_agree(group, &a, &pub_b[..m], &mut s1).expect("agree");
            let k2 = RustCrypto.kx_agree(group, &b, &pub_a[..n], &mut s2).expect("agree");
            assert_eq!(hex(&s1[..k1]), hex(&s2[..k2]), "{group}: shared secret");

            let mut off_curve = pub_b[..m].to_vec();
            *off_curve.last_mut().unwrap() ^= 1;
            let mut compressed = pub_b[..m.div_ceil(2)].to_vec();
            compressed[0] = 2 + (pub_b[m - 1] & 1);
            let zero = vec![0u8; m];
            for (what, peer) in
                [("off the curve", &off_curve[..]), ("compressed", &compressed), ("short", &pub_b[..m - 1])]
            {
                if group == NamedGroup::X25519 && what == "off the curve" {
                    continue; // every 32-byte string is an X25519 public key
                }
                assert_eq!(p.kx_agree(group, &a, peer, &mut s1), None, "{group}: peer key {what}");
                assert_eq!(RustCrypto.kx_agree(group, &b, peer, &mut s2), None, "{group}: peer key {what}");
            }
            // X25519: the all-zero point gives the all-zero secret (RFC 8446 §7.4.2).
            assert_eq!(p.kx_agree(group, &a, &zero, &mut s1), None, "{group}: zero peer");
        });
        assert_eq!(counts.point_muls, muls, "{group}: key generation and agreement on the engine");
    }
    // Scalars 0 and n (P-256's order) are not keys.
    let n = unhex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    let mut e = Engines::new();
    let mut p = AccelProvider::new(&mut e);
    let mut public = [0u8; MAX_PUBLIC_KEY_LEN];
    assert!(p.kx_from_private(NamedGroup::Secp256r1, &[0u8; 32], &mut public).is_none());
    assert!(p.kx_from_private(NamedGroup::Secp256r1, &n, &mut public).is_none());
    assert_eq!(e.counts().point_muls, 0, "refused in software, before the engine");
}

// ------------------------------------------------------------------ ECDSA

fn sig_hash_digest(h: SigHash, msg: &[u8]) -> Vec<u8> {
    match h {
        SigHash::Sha256 => sha2::Sha256::digest(msg).to_vec(),
        SigHash::Sha384 => sha2::Sha384::digest(msg).to_vec(),
        SigHash::Sha512 => sha2::Sha512::digest(msg).to_vec(),
    }
}

/// Both providers' verdicts on one signature, which must agree.
fn verdicts(key: &PeerKey, alg: SigAlg, msg: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
    let mut e = Engines::new();
    let ours = AccelProvider::new(&mut e).verify_signature(key, alg, msg, sig);
    let theirs = RustCrypto.verify_signature(key, alg, msg, sig);
    assert_eq!(ours.is_ok(), theirs.is_ok(), "{alg:?}: accel {ours:?}, default {theirs:?}");
    ours
}

/// ECDSA verification with u1·G and u2·Q on the ECC engine accepts what the
/// `p256`/`p384` crates sign (every hash, so the hash is truncated or
/// widened to the curve), also with s replaced by n - s, and refuses a
/// changed message, changed signature bits, r or s of zero, and a key off
/// the curve; the default provider agrees every time.
#[test]
fn ecdsa_verification_on_the_engine() {
    use p256::elliptic_curve::PrimeField;
    use signature::hazmat::PrehashSigner;
    let msg = b"the server's signed content";
    for h in [SigHash::Sha256, SigHash::Sha384, SigHash::Sha512] {
        let digest = sig_hash_digest(h, msg);
        let sk256 = p256::ecdsa::SigningKey::from_slice(&[0x42; 32]).unwrap();
        let sk384 = p384::ecdsa::SigningKey::from_slice(&[0x43; 48]).unwrap();
        let pk256: [u8; 65] = sk256.verifying_key().to_sec1_point(false).as_bytes().try_into().unwrap();
        let pk384: [u8; 97] = sk384.verifying_key().to_sec1_point(false).as_bytes().try_into().unwrap();
        let s256: p256::ecdsa::Signature = sk256.sign_prehash(&digest).unwrap();
        let s384: p384::ecdsa::Signature = sk384.sign_prehash(&digest).unwrap();
        let high256 = p256::ecdsa::Signature::from_scalars(s256.r().to_repr(), (-*s256.s()).to_repr()).unwrap();
        let high384 = p384::ecdsa::Signature::from_scalars(s384.r().to_repr(), (-*s384.s()).to_repr()).unwrap();
        let cases: [(PeerKey, Vec<u8>, Vec<u8>); 2] = [
            (PeerKey::P256(pk256), s256.to_der().as_bytes().to_vec(), high256.to_der().as_bytes().to_vec()),
            (PeerKey::P384(pk384), s384.to_der().as_bytes().to_vec(), high384.to_der().as_bytes().to_vec()),
        ];
        for (key, der, high) in cases {
            let alg = SigAlg::Ecdsa(h);
            let what = format!("{} {h:?}", key.describe());
            let counts =
                counted(|p| p.verify_signature(&key, alg, msg, &der).unwrap_or_else(|e| panic!("{what}: {e}")));
            assert_eq!(counts.point_muls, 2, "{what}: u1·G and u2·Q on the engine");
            assert!(counts.sha_blocks > 0, "{what}: the message hashed on the engine");
            assert_eq!(verdicts(&key, alg, msg, &der), Ok(()), "{what}");
            assert_eq!(verdicts(&key, alg, msg, &high), Ok(()), "{what}: s and n - s");
            assert_eq!(verdicts(&key, alg, b"another message", &der), Err(SignatureError::BadSignature), "{what}");
            for i in (0..der.len() * 8).step_by(29) {
                let mut bad = der.clone();
                bad[i / 8] ^= 1 << (i % 8);
                assert!(verdicts(&key, alg, msg, &bad).is_err(), "{what}: bit {i} of the signature");
            }
            // r = 0, s = 0: DER SEQUENCE { INTEGER 0, INTEGER 1 } and the reverse.
            for zero in [[0x30, 6, 2, 1, 0, 2, 1, 1], [0x30, 6, 2, 1, 1, 2, 1, 0]] {
                assert_eq!(verdicts(&key, alg, msg, &zero), Err(SignatureError::BadSignature), "{what}");
            }
        }
    }
    let mut off_curve = [0u8; 65];
    off_curve[0] = 4;
    off_curve[64] = 1;
    let der = [0x30, 6, 2, 1, 1, 2, 1, 1];
    let mut e = Engines::new();
    let r = AccelProvider::new(&mut e).verify_signature(
        &PeerKey::P256(off_curve),
        SigAlg::Ecdsa(SigHash::Sha256),
        b"m",
        &der,
    );
    assert_eq!(r, Err(SignatureError::MalformedKey));
    assert_eq!(e.counts().point_muls, 0, "checked in software before the engine");
    assert_eq!(
        verdicts(&PeerKey::P256(off_curve), SigAlg::RsaPss(SigHash::Sha256), b"m", &der),
        Err(SignatureError::WrongAlgorithmForKey)
    );
}

// -------------------------------------------------------------------- RSA

fn rsa_key(pem_file: &str) -> rsa::PrivateKey {
    use rsa::pkcs8::DecodePrivateKey;
    let pem = std::fs::read_to_string(peer_file(pem_file)).expect("key file");
    rsa::PrivateKey::from_pkcs8_pem(&pem).expect("PKCS#8 RSA key")
}

fn rsa_peer_key(key: &rsa::PrivateKey) -> PeerKey {
    use rsa::pkcs8::EncodePublicKey;
    let spki = key.to_public_key().to_public_key_der().expect("SPKI");
    PeerKey::from_spki(spki.as_bytes(), 1024).expect("RSA key")
}

/// PKCS#1 v1.5 and PSS signatures, one per hash.
fn rsa_signatures(key: &rsa::PrivateKey, msg: &[u8], pss_salt: Option<usize>) -> Vec<(SigAlg, Vec<u8>)> {
    use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
    use rsa::traits::PublicKeyParts;
    use rsa::{pkcs1v15, pss};
    use sha2::{Sha256, Sha384, Sha512};
    let k = key.clone();
    let pss_sign = |h: SigHash| -> Vec<u8> {
        macro_rules! sign {
            ($d:ty) => {{
                let sk = match pss_salt {
                    None => pss::SigningKey::<$d>::new(k.clone()),
                    Some(s) => pss::SigningKey::<$d>::new_with_salt_len(k.clone(), s),
                };
                sk.sign_with_rng(&mut rng(), msg).to_vec()
            }};
        }
        match h {
            SigHash::Sha256 => sign!(Sha256),
            SigHash::Sha384 => sign!(Sha384),
            SigHash::Sha512 => sign!(Sha512),
        }
    };
    let mut sigs = vec![
        (SigAlg::RsaPkcs1(SigHash::Sha256), pkcs1v15::SigningKey::<Sha256>::new(k.clone()).sign(msg).to_vec()),
        (SigAlg::RsaPkcs1(SigHash::Sha384), pkcs1v15::SigningKey::<Sha384>::new(k.clone()).sign(msg).to_vec()),
        (SigAlg::RsaPkcs1(SigHash::Sha512), pkcs1v15::SigningKey::<Sha512>::new(k.clone()).sign(msg).to_vec()),
        (SigAlg::RsaPss(SigHash::Sha256), pss_sign(SigHash::Sha256)),
        (SigAlg::RsaPss(SigHash::Sha384), pss_sign(SigHash::Sha384)),
    ];
    // PSS with SHA-512 and a 64-byte salt needs emLen >= 130 (RFC 8017 §9.1.1 step 3): not with RSA-1024.
    if key.size() >= 131 {
        sigs.push((SigAlg::RsaPss(SigHash::Sha512), pss_sign(SigHash::Sha512)));
    }
    sigs
}

/// RSA verification through the modular-exponentiation engine (RSAVP1,
/// then EMSA-PKCS1-v1_5 or EMSA-PSS with MGF1 on the SHA engine) accepts
/// what the `rsa` crate signs with RSA-1024, -2048 and -4096 keys and
/// every hash, and refuses changed messages and bits, the other padding,
/// another hash, PSS salts other than the hash length (RFC 8446 §4.2.3),
/// s ≥ n and signatures of the wrong length; the default provider agrees.
#[test]
fn rsa_verification_on_the_modexp_engine() {
    let msg = b"TLS 1.3, server CertificateVerify";
    for file in ["rsa1024.key", "rsa-leaf.key", "rsa4096.key"] {
        let key = rsa_key(file);
        let peer = rsa_peer_key(&key);
        let bits = peer.rsa_bits().unwrap();
        for (alg, sig) in rsa_signatures(&key, msg, None) {
            let what = format!("{file} ({bits} bits) {alg:?}");
            let counts =
                counted(|p| p.verify_signature(&peer, alg, msg, &sig).unwrap_or_else(|e| panic!("{what}: {e}")));
            assert_eq!(counts.mod_exps, 1, "{what}");
            assert!(counts.sha_blocks > 0, "{what}");
            assert_eq!(verdicts(&peer, alg, msg, &sig), Ok(()), "{what}");
            assert_eq!(verdicts(&peer, alg, b"other", &sig), Err(SignatureError::BadSignature), "{what}");
            let other = match alg {
                SigAlg::RsaPkcs1(h) => SigAlg::RsaPss(h),
                SigAlg::RsaPss(h) => SigAlg::RsaPkcs1(h),
                SigAlg::Ecdsa(_) => unreachable!(),
            };
            assert_eq!(verdicts(&peer, other, msg, &sig), Err(SignatureError::BadSignature), "{what}: as {other:?}");
            let other_hash = match alg {
                SigAlg::RsaPkcs1(SigHash::Sha256) => SigAlg::RsaPkcs1(SigHash::Sha384),
                SigAlg::RsaPkcs1(_) => SigAlg::RsaPkcs1(SigHash::Sha256),
                SigAlg::RsaPss(SigHash::Sha256) => SigAlg::RsaPss(SigHash::Sha384),
                _ => SigAlg::RsaPss(SigHash::Sha256),
            };
            assert!(verdicts(&peer, other_hash, msg, &sig).is_err(), "{what}: as {other_hash:?}");
            for i in (0..sig.len() * 8).step_by(97) {
                let mut bad = sig.clone();
                bad[i / 8] ^= 1 << (i % 8);
                assert!(verdicts(&peer, alg, msg, &bad).is_err(), "{what}: bit {i}");
            }
            assert!(verdicts(&peer, alg, msg, &sig[1..]).is_err(), "{what}: one byte short");
            let mut long = sig.clone();
            long.insert(0, 0);
            assert!(verdicts(&peer, alg, msg, &long).is_err(), "{what}: one byte long");
            assert!(verdicts(&peer, alg, msg, &vec![0xff; sig.len()]).is_err(), "{what}: s ≥ n");
        }
        // PSS with a salt of 0 or 20 bytes: valid RSASSA-PSS, but not TLS's.
        for salt in [0, 20] {
            for (alg, sig) in
                rsa_signatures(&key, msg, Some(salt)).into_iter().filter(|(a, _)| matches!(a, SigAlg::RsaPss(_)))
            {
                assert_eq!(
                    verdicts(&peer, alg, msg, &sig),
                    Err(SignatureError::BadSignature),
                    "{file} {alg:?} salt {salt}"
                );
            }
        }
    }
}

/// A modulus of 8k + 1 bits: EMSA-PSS's encoded message is one byte
/// shorter than the modulus (RFC 8017 §8.1.2 step 2c, emLen < k), the
/// branch no usual key size reaches.
#[test]
fn rsa_pss_with_a_modulus_of_8k_plus_1_bits() {
    let key = rsa::PrivateKey::new(&mut rng(), 1025).expect("RSA key generation");
    let peer = rsa_peer_key(&key);
    assert_eq!(peer.rsa_bits(), Some(1025));
    let msg = b"odd modulus";
    for (alg, sig) in rsa_signatures(&key, msg, None) {
        assert_eq!(verdicts(&peer, alg, msg, &sig), Ok(()), "{alg:?}");
        assert_eq!(verdicts(&peer, alg, b"other", &sig), Err(SignatureError::BadSignature), "{alg:?}");
    }
}

/// A modulus longer than the engine's operands (an ESP32-C3 stops at 3072
/// bits) is a typed refusal, not a wrong answer.
#[test]
fn rsa_modulus_beyond_the_engine_is_unsupported() {
    let key = rsa_key("rsa4096.key");
    let peer = rsa_peer_key(&key);
    let (alg, sig) = rsa_signatures(&key, b"m", None).remove(0);
    let mut engines = Engines { bignum: BigNumEngine::with_max_bits(3072), ..Engines::new() };
    let r = AccelProvider::new(&mut engines).verify_signature(&peer, alg, b"m", &sig);
    assert!(matches!(r, Err(SignatureError::UnsupportedKey(_))), "{r:?}");
}

// ------------------------------------------------------- real handshakes

/// A full handshake with the in-memory rustls server through
/// [`AccelProvider`], secp256r1 and a verified chain, then `payload` bytes
/// each way; returns what the engines did.
fn rustls_handshake(version: ProtocolVersion, cert: CertKind, suite: CipherSuite, payload: u32) -> Counts {
    let v = cert.ca_verifier();
    let config = ClientConfig::new(&v)
        .with_versions(&[version])
        .and_then(|c| c.with_groups(&[NamedGroup::Secp256r1]))
        .and_then(|c| c.with_cipher_suites(&[suite]))
        .expect("config");
    let server = match version {
        ProtocolVersion::Tls13 => rustls_config(cert, &[suite], &[NamedGroup::Secp256r1]),
        _ => rustls_config_tls12(cert, &[suite], &[NamedGroup::Secp256r1]),
    };
    let mut engines = Engines::new();
    {
        let options = ConnectOptions::new(&config, ServerName::parse("localhost"))
            .now(NOW)
            .with_provider(AccelProvider::new(&mut engines));
        let client = Client::new(options, rng(), vec![0; embertls::MAX_RECORD], vec![0; embertls::MAX_RECORD])
            .expect("Client::new");
        let mut peer = MemPeer::with_client(client, server);
        let s = peer.handshake();
        assert_eq!((s.version, s.cipher_suite, s.group), (version, suite, Some(NamedGroup::Secp256r1)));
        assert_eq!(s.trust, Trust::Verified);
        if payload > 0 {
            let big: Vec<u8> = (0..payload).map(|i| i as u8).collect();
            peer.client_write(&big);
            assert_eq!(peer.server_read(), big);
            peer.server_write(&big);
            assert_eq!(peer.client_read(big.len()), big);
        }
    }
    engines.counts()
}

/// TLS 1.3 and 1.2 against rustls with the ECDSA P-256 and the RSA-2048
/// chains: the handshake, then 80 KB of records, run on the engines. Per
/// handshake the ECC engine does the key generation and the agreement, plus
/// two multiplications per ECDSA signature (the leaf's certificate and the
/// CertificateVerify or ServerKeyExchange); the RSA engine one
/// exponentiation per RSA signature. Prints the counts (`--nocapture`).
#[test]
fn rustls_handshakes_run_on_the_engines() {
    use CipherSuite::*;
    let runs = [
        (ProtocolVersion::Tls13, CertKind::Ecdsa, Tls13Aes128GcmSha256, 6, 0),
        (ProtocolVersion::Tls13, CertKind::Rsa, Tls13Aes256GcmSha384, 2, 2),
        (ProtocolVersion::Tls12, CertKind::Ecdsa, EcdheEcdsaWithAes128GcmSha256, 6, 0),
        (ProtocolVersion::Tls12, CertKind::Rsa, EcdheRsaWithAes256GcmSha384, 2, 2),
    ];
    for (version, cert, suite, point_muls, mod_exps) in runs {
        let what = format!("{version:?} {cert:?} {suite}");
        let handshake = rustls_handshake(version, cert, suite, 0);
        println!("{what}, handshake: {handshake:?}");
        assert_eq!(handshake.point_muls, point_muls, "{what}: {handshake:?}");
        assert_eq!(handshake.mod_exps, mod_exps, "{what}: {handshake:?}");
        // The transcript and the key schedule ran on the SHA engine: at least
        // the transcript's ~3 KB (TLS 1.2 with SHA-256 and the key block made
        // once: 82 blocks in all).
        assert!(handshake.sha_blocks > 50 && handshake.aes_blocks > 0, "{what}: {handshake:?}");
        let with_data = rustls_handshake(version, cert, suite, 40_000);
        println!("{what}, then 40 KB each way: {with_data:?}");
        // 80 KB of application data alone is 5 000 AES blocks.
        assert!(with_data.aes_blocks > handshake.aes_blocks + 5_000, "{what}: {with_data:?}");
        assert_eq!((with_data.point_muls, with_data.mod_exps), (point_muls, mod_exps), "{what}");
    }
}

/// The same provider against `openssl s_server` over TCP, TLS 1.3 and 1.2,
/// both chains, a GET and the page.
#[test]
fn openssl_s_server_through_the_engines() {
    struct NoMeter;
    impl common::drive::Meter for NoMeter {
        fn call<T>(&mut self, _: &'static str, f: impl FnOnce() -> T) -> T {
            f()
        }
    }
    for cert in CertKind::ALL {
        for version in [ProtocolVersion::Tls13, ProtocolVersion::Tls12] {
            let server = match version {
                ProtocolVersion::Tls13 => OpensslServer::start(cert, &["-www", "-groups", "P-256"]),
                _ => OpensslServer::start_tls12(cert, &["-www", "-groups", "P-256"]),
            };
            let v = cert.ca_verifier();
            let config = ClientConfig::new(&v)
                .with_versions(&[version])
                .and_then(|c| c.with_groups(&[NamedGroup::Secp256r1]))
                .expect("config");
            let mut engines = Engines::new();
            {
                let options = ConnectOptions::new(&config, ServerName::parse("localhost"))
                    .now(NOW)
                    .with_provider(AccelProvider::new(&mut engines));
                let mut client =
                    Client::new(options, rng(), vec![0; embertls::MAX_RECORD], vec![0; embertls::MAX_RECORD])
                        .expect("Client::new");
                let what = format!("openssl {version:?} {cert:?}");
                let driven = common::drive::get_page(&what, &mut server.connect(), &mut client, &mut NoMeter);
                assert_eq!(driven.summary.version, version, "{what}");
                assert_eq!(driven.summary.trust, Trust::Verified, "{what}");
            }
            let c = engines.counts();
            println!("openssl {version:?} {cert:?}: {c:?}");
            assert!(c.sha_blocks > 0 && c.aes_blocks > 0 && c.point_muls >= 2, "{c:?}");
            assert_eq!(c.mod_exps > 0, cert == CertKind::Rsa, "{c:?}");
        }
    }
}
