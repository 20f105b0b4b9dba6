//! A provider for hosts on the `ring` crate (feature `ring`): SHA-2, HMAC,
//! HKDF, AES-GCM, ChaCha20-Poly1305, X25519, ECDH and ECDSA on P-256/P-384
//! and RSA verification, in ring's assembly where the CPU has it.

use core::cell::Cell;

use ::ring::{aead, agreement, digest, hkdf, hmac, rand, signature};
use rand_core::CryptoRng;
use zeroize::Zeroize;

use super::aead::{AeadAlg, AeadError, TAG_LEN};
use super::hash::{Digest, HashAlg, MAX_HASH_LEN};
use super::kx::{MAX_PUBLIC_KEY_LEN, MAX_SHARED_SECRET_LEN};
use super::provider::{tls12_prf_on_mac, CryptoProvider};
use super::rustcrypto::RustCrypto;
use super::sig::{PeerKey, SigAlg, SigHash, SignatureError};
use crate::error::Error;
use crate::msgs::enums::NamedGroup;

/// The `ring` crate as a [`CryptoProvider`] (feature `ring`, hosts with
/// `std`): pick it with
/// [`ConnectOptions::with_provider(Ring)`](crate::ConnectOptions::with_provider).
///
/// What ring cannot do, and what this provider does instead:
/// - **It cannot take the caller's random generator for key generation.**
///   Ephemeral (EC)DHE keys come from ring's own `SystemRandom` (the
///   operating system's generator); the generator given to
///   [`Client::new`](crate::Client::new) still makes the hello randoms and
///   everything else. [`CryptoProvider::kx_generate`] ignores its `rng`.
/// - It cannot import a private key: [`CryptoProvider::kx_from_private`]
///   returns `None` (only tests with fixed keys need it).
/// - It verifies RSA signatures of 2048- to 8192-bit keys only. A smaller key
///   that [`ClientConfig::with_min_rsa_bits`](crate::ClientConfig::with_min_rsa_bits)
///   lets through is refused with [`SignatureError::UnsupportedKey`]
///   (reported as [`Error::ServerKey`] for the server's key, as an
///   unsupported key for a CA's).
/// - It has no ECDSA verifier with SHA-512 (`ecdsa-with-SHA512`, seen only
///   in certificate signatures): that one case is checked with
///   [`RustCrypto`].
/// - It does not tell an EC public key that is not on its curve from a bad
///   signature: both are [`SignatureError::BadSignature`].
/// - ring does not wipe its own key schedules, HMAC keys and ephemeral
///   private keys when they are dropped (the engine's own copies of secrets
///   are wiped as with any provider).
/// - It needs `std` and a target ring supports: it is not for microcontrollers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ring;

/// A running SHA-256 or SHA-384 hash of [`Ring`].
#[derive(Clone)]
pub struct RingHash(digest::Context);

/// A keyed AEAD of [`Ring`]. `None` for a key of the wrong length (which
/// the engine never makes): sealing and opening then fail.
pub struct RingAead(Option<aead::LessSafeKey>);

/// An ephemeral private key of [`Ring`]. ring's key is used up by the one
/// agreement it allows (RFC 8446 §4.2.8: ephemeral), so it is taken out of
/// the cell then; a second agreement with the same key fails.
pub struct RingKx(Cell<Option<agreement::EphemeralPrivateKey>>);

fn digest_alg(alg: HashAlg) -> &'static digest::Algorithm {
    match alg {
        HashAlg::Sha256 => &digest::SHA256,
        HashAlg::Sha384 => &digest::SHA384,
    }
}

fn hmac_alg(alg: HashAlg) -> hmac::Algorithm {
    match alg {
        HashAlg::Sha256 => hmac::HMAC_SHA256,
        HashAlg::Sha384 => hmac::HMAC_SHA384,
    }
}

fn hkdf_alg(alg: HashAlg) -> hkdf::Algorithm {
    match alg {
        HashAlg::Sha256 => hkdf::HKDF_SHA256,
        HashAlg::Sha384 => hkdf::HKDF_SHA384,
    }
}

/// HKDF-Expand of `prk` into `out`; zeroed if ring refuses the length
/// (over 255 hash lengths, RFC 5869 §2.3).
fn expand(prk: &hkdf::Prk, info: &[&[u8]], out: &mut [u8]) {
    if prk.expand(info, OkmLen(out.len())).and_then(|okm| okm.fill(out)).is_err() {
        out.zeroize();
    }
}

/// The output length asked of ring's HKDF-Expand.
struct OkmLen(usize);

impl hkdf::KeyType for OkmLen {
    fn len(&self) -> usize {
        self.0
    }
}

/// The key exchange of `group`, with the length of its public keys
/// (RFC 8446 §4.2.8.2: 32 bytes for X25519, uncompressed points for ECDH).
fn kx_alg(group: NamedGroup) -> Option<(&'static agreement::Algorithm, usize)> {
    match group {
        NamedGroup::X25519 => Some((&agreement::X25519, 32)),
        NamedGroup::Secp256r1 => Some((&agreement::ECDH_P256, 65)),
        NamedGroup::Secp384r1 => Some((&agreement::ECDH_P384, 97)),
        _ => None,
    }
}

/// ring's RSA verifiers take keys of 2048 to 8192 bits.
const RING_RSA_BITS: core::ops::RangeInclusive<u32> = 2048..=8192;

impl CryptoProvider for Ring {
    type Hash = RingHash;

    fn hash_start(&mut self, alg: HashAlg) -> RingHash {
        RingHash(digest::Context::new(digest_alg(alg)))
    }

    fn hash_update(&mut self, hash: &mut RingHash, data: &[u8]) {
        hash.0.update(data);
    }

    fn hash_finish(&mut self, hash: RingHash) -> Digest {
        Digest::from_slice(hash.0.finish().as_ref())
    }

    fn hmac(&mut self, alg: HashAlg, key: &[u8], parts: &[&[u8]], out: &mut [u8; MAX_HASH_LEN]) -> usize {
        let mut ctx = hmac::Context::with_key(&hmac::Key::new(hmac_alg(alg), key));
        for p in parts {
            ctx.update(p);
        }
        let tag = ctx.sign();
        let n = tag.as_ref().len();
        out[..n].copy_from_slice(tag.as_ref());
        n
    }

    /// ring's HKDF-Expand (RFC 5869 §2.3), which takes the info in parts;
    /// an `out` longer than 255 hash lengths is zeroed instead.
    fn hkdf_expand(&mut self, alg: HashAlg, prk: &[u8], info: &[&[u8]], out: &mut [u8]) {
        expand(&hkdf::Prk::new_less_safe(hkdf_alg(alg), prk), info, out);
    }

    /// As [`hkdf_expand`](Self::hkdf_expand), the PRK keyed once (ring's
    /// key setup hashes the padded key; once per output would repeat it).
    fn hkdf_expand_each(&mut self, alg: HashAlg, prk: &[u8], outputs: &mut [(&[&[u8]], &mut [u8])]) {
        let prk = hkdf::Prk::new_less_safe(hkdf_alg(alg), prk);
        for (info, out) in outputs.iter_mut() {
            expand(&prk, info, out);
        }
    }

    /// The TLS 1.2 PRF (RFC 5246 §5) with `secret` keyed once for all its
    /// HMACs (ring's key setup hashes the padded key; the default would
    /// repeat it for each of them).
    fn tls12_prf(&mut self, alg: HashAlg, secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
        let key = hmac::Key::new(hmac_alg(alg), secret);
        tls12_prf_on_mac(alg, label, seed, out, |parts, tag| {
            let mut ctx = hmac::Context::with_key(&key);
            for p in parts {
                ctx.update(p);
            }
            let t = ctx.sign();
            tag[..t.as_ref().len()].copy_from_slice(t.as_ref());
        });
    }

    type AeadKey = RingAead;

    fn aead_key(&mut self, alg: AeadAlg, key: &[u8]) -> RingAead {
        let alg = match alg {
            AeadAlg::Aes128Gcm => &aead::AES_128_GCM,
            AeadAlg::Aes256Gcm => &aead::AES_256_GCM,
            AeadAlg::Chacha20Poly1305 => &aead::CHACHA20_POLY1305,
        };
        RingAead(aead::UnboundKey::new(alg, key).ok().map(aead::LessSafeKey::new))
    }

    fn aead_seal(
        &mut self,
        key: &RingAead,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN], AeadError> {
        let key = key.0.as_ref().ok_or(AeadError)?;
        let nonce = aead::Nonce::assume_unique_for_key(*nonce);
        let tag = key.seal_in_place_separate_tag(nonce, aead::Aad::from(aad), buf).map_err(|_| AeadError)?;
        tag.as_ref().try_into().map_err(|_| AeadError)
    }

    fn aead_open(
        &mut self,
        key: &RingAead,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), AeadError> {
        let key = key.0.as_ref().ok_or(AeadError)?;
        let nonce = aead::Nonce::assume_unique_for_key(*nonce);
        let tag = aead::Tag::from(*tag);
        key.open_in_place_separate_tag(nonce, aead::Aad::from(aad), tag, buf, 0..).map(|_| ()).map_err(|_| AeadError)
    }

    type KxPrivate = RingKx;

    /// ring cannot import a private key: always `None`.
    fn kx_from_private(
        &mut self,
        _group: NamedGroup,
        _private: &[u8],
        _public: &mut [u8; MAX_PUBLIC_KEY_LEN],
    ) -> Option<(RingKx, usize)> {
        None
    }

    /// A key from ring's `SystemRandom`: **`rng` is not used** (ring takes
    /// no other generator). [`Error::RandomFailed`] if the system generator
    /// fails.
    fn kx_generate<R: CryptoRng + ?Sized>(
        &mut self,
        group: NamedGroup,
        _rng: &mut R,
        public: &mut [u8; MAX_PUBLIC_KEY_LEN],
    ) -> Result<(RingKx, usize), Error> {
        let (alg, len) =
            kx_alg(group).ok_or(Error::Config("key shares exist only for x25519, secp256r1 and secp384r1"))?;
        let private = agreement::EphemeralPrivateKey::generate(alg, &rand::SystemRandom::new())
            .map_err(|_| Error::RandomFailed { tries: 1 })?;
        let pk = private.compute_public_key().map_err(|_| Error::Internal("ring computed no public key"))?;
        let pk = pk.as_ref();
        if pk.len() != len {
            return Err(Error::Internal("ring's public key has an unexpected length"));
        }
        public[..len].copy_from_slice(pk);
        Ok((RingKx(Cell::new(Some(private))), len))
    }

    fn kx_agree(
        &mut self,
        group: NamedGroup,
        private: &RingKx,
        peer: &[u8],
        out: &mut [u8; MAX_SHARED_SECRET_LEN],
    ) -> Option<usize> {
        let (alg, len) = kx_alg(group)?;
        // RFC 8446 §4.2.8.2: exactly the group's length; for ECDH only the
        // uncompressed form (0x04). ring checks the point is on the curve and
        // refuses an all-zero X25519 result (RFC 8446 §7.4.2).
        if peer.len() != len || (group != NamedGroup::X25519 && peer[0] != 4) {
            return None;
        }
        let private = private.0.take()?;
        let peer = agreement::UnparsedPublicKey::new(alg, peer);
        agreement::agree_ephemeral(private, &peer, |secret| {
            let n = secret.len().min(MAX_SHARED_SECRET_LEN);
            out[..n].copy_from_slice(&secret[..n]);
            n
        })
        .ok()
    }

    fn verify_signature(&mut self, key: &PeerKey, alg: SigAlg, msg: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        use signature as s;
        let (verifier, public): (&'static dyn s::VerificationAlgorithm, &[u8]) = match (key, alg) {
            (PeerKey::P256(k), SigAlg::Ecdsa(SigHash::Sha256)) => (&s::ECDSA_P256_SHA256_ASN1, k),
            (PeerKey::P256(k), SigAlg::Ecdsa(SigHash::Sha384)) => (&s::ECDSA_P256_SHA384_ASN1, k),
            (PeerKey::P384(k), SigAlg::Ecdsa(SigHash::Sha256)) => (&s::ECDSA_P384_SHA256_ASN1, k),
            (PeerKey::P384(k), SigAlg::Ecdsa(SigHash::Sha384)) => (&s::ECDSA_P384_SHA384_ASN1, k),
            // ring has no ECDSA verifier with SHA-512.
            (PeerKey::P256(_) | PeerKey::P384(_), SigAlg::Ecdsa(SigHash::Sha512)) => {
                return RustCrypto.verify_signature(key, alg, msg, sig)
            }
            (PeerKey::Rsa { der, bits }, SigAlg::RsaPkcs1(h) | SigAlg::RsaPss(h)) => {
                if !RING_RSA_BITS.contains(bits) {
                    return Err(SignatureError::UnsupportedKey(if *bits < 2048 {
                        "RSA (under 2048 bits, the ring provider's floor)"
                    } else {
                        "RSA (over 8192 bits, the ring provider's limit)"
                    }));
                }
                let pss = matches!(alg, SigAlg::RsaPss(_));
                let verifier: &'static dyn s::VerificationAlgorithm = match (pss, h) {
                    (false, SigHash::Sha256) => &s::RSA_PKCS1_2048_8192_SHA256,
                    (false, SigHash::Sha384) => &s::RSA_PKCS1_2048_8192_SHA384,
                    (false, SigHash::Sha512) => &s::RSA_PKCS1_2048_8192_SHA512,
                    (true, SigHash::Sha256) => &s::RSA_PSS_2048_8192_SHA256,
                    (true, SigHash::Sha384) => &s::RSA_PSS_2048_8192_SHA384,
                    (true, SigHash::Sha512) => &s::RSA_PSS_2048_8192_SHA512,
                };
                // ring takes the DER RSAPublicKey (RFC 8017 Appendix A.1.1) as is.
                (verifier, der)
            }
            _ => return Err(SignatureError::WrongAlgorithmForKey),
        };
        s::UnparsedPublicKey::new(verifier, public).verify(msg, sig).map_err(|_| SignatureError::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::*;
    use crate::auth::Signer;
    use crate::suite::SchemeAlg;

    const HASHES: [HashAlg; 2] = [HashAlg::Sha256, HashAlg::Sha384];
    const AEADS: [AeadAlg; 3] = [AeadAlg::Aes128Gcm, AeadAlg::Aes256Gcm, AeadAlg::Chacha20Poly1305];
    const GROUPS: [NamedGroup; 3] = [NamedGroup::X25519, NamedGroup::Secp256r1, NamedGroup::Secp384r1];

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    /// A generator that always gives zeros: RustCrypto can make no key from
    /// it, so a key made with it shows that the generator was not used.
    struct Zeros;

    impl rand_core::TryRng for Zeros {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(0)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(0)
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            dst.fill(0);
            Ok(())
        }
    }
    impl rand_core::TryCryptoRng for Zeros {}

    #[test]
    fn hash_hmac_and_hkdf_match_rustcrypto() {
        let data: Vec<u8> = (0..300u16).map(|i| i as u8).collect();
        for alg in HASHES {
            let (mut r, mut c) = (Ring.hash_start(alg), RustCrypto.hash_start(alg));
            for part in data.chunks(37) {
                Ring.hash_update(&mut r, part);
                RustCrypto.hash_update(&mut c, part);
            }
            let snapshot = r.clone();
            assert_eq!(Ring.hash_finish(r).as_bytes(), RustCrypto.hash_finish(c).as_bytes(), "{alg:?}");
            assert_eq!(Ring.hash_finish(snapshot).as_bytes().len(), alg.len());

            // Keys shorter than, equal to and longer than the block (RFC 2104 §2).
            for key_len in [0, 20, alg.block_len(), 200] {
                let key = &data[..key_len];
                let (mut a, mut b) = ([0u8; MAX_HASH_LEN], [0u8; MAX_HASH_LEN]);
                let n = Ring.hmac(alg, key, &[&data[..10], &data[10..100]], &mut a);
                assert_eq!(n, RustCrypto.hmac(alg, key, &[&data[..100]], &mut b));
                assert_eq!(a[..n], b[..n], "{alg:?} HMAC, key of {key_len}");
            }

            let prk = &data[..alg.len()];
            for len in [0, 1, 16, alg.len(), 100, 255 * alg.len(), 255 * alg.len() + 1] {
                let (mut a, mut b) = (vec![0xaa; len], vec![0xaa; len]);
                Ring.hkdf_expand(alg, prk, &[b"tls13 ", &data[..5], &[]], &mut a);
                RustCrypto.hkdf_expand(alg, prk, &[b"tls13 ", &data[..5], &[]], &mut b);
                assert_eq!(a, b, "{alg:?} HKDF-Expand of {len}");
            }
            // Several outputs from one keyed PRK: each as its own expansion.
            let (mut k, mut iv, mut long) = ([0u8; 16], [0u8; 12], vec![0u8; 3 * alg.len() + 1]);
            Ring.hkdf_expand_each(alg, prk, &mut [(&[b"key"], &mut k), (&[b"iv", b""], &mut iv), (&[], &mut long)]);
            for (info, got) in [(&[&b"key"[..]][..], &k[..]), (&[b"iv", b""], &iv), (&[], &long)] {
                let mut want = vec![0u8; got.len()];
                RustCrypto.hkdf_expand(alg, prk, info, &mut want);
                assert_eq!(got, &want[..], "{alg:?} HKDF-Expand of {} bytes, keyed once", got.len());
            }
            // Over the RFC 5869 limit: zeros, not a panic.
            let mut long = vec![0xaa; 255 * alg.len() + 1];
            Ring.hkdf_expand(alg, prk, &[b"x"], &mut long);
            assert!(long.iter().all(|&b| b == 0));
        }
        // RFC 5869 A.1.
        let mut okm = [0u8; 42];
        let prk = hex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
        Ring.hkdf_expand(HashAlg::Sha256, &prk, &[&hex("f0f1f2f3f4"), &hex("f5f6f7f8f9")], &mut okm);
        assert_eq!(
            okm[..],
            hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")[..]
        );
    }

    #[test]
    fn aead_matches_rustcrypto_and_refuses_any_change() {
        let nonce = [9u8; 12];
        for alg in AEADS {
            let key: Vec<u8> = (0..alg.key_len() as u8).collect();
            let (r, c) = (Ring.aead_key(alg, &key), RustCrypto.aead_key(alg, &key));
            let plain: Vec<u8> = (0..1000u16).map(|i| (i * 7) as u8).collect();
            let (mut a, mut b) = (plain.clone(), plain.clone());
            let tag = Ring.aead_seal(&r, &nonce, b"aad", &mut a).unwrap();
            assert_eq!(tag, RustCrypto.aead_seal(&c, &nonce, b"aad", &mut b).unwrap(), "{alg:?} tag");
            assert_eq!(a, b, "{alg:?} ciphertext");

            let mut opened = a.clone();
            Ring.aead_open(&r, &nonce, b"aad", &mut opened, &tag).unwrap();
            assert_eq!(opened, plain);

            let mut bad_tag = tag;
            bad_tag[15] ^= 1;
            let mut bad_text = a.clone();
            bad_text[500] ^= 1;
            for (buf, aad, tag, what) in [
                (a.clone(), &b"aad"[..], bad_tag, "tag"),
                (bad_text, &b"aad"[..], tag, "ciphertext"),
                (a.clone(), &b"aae"[..], tag, "aad"),
            ] {
                let mut buf = buf;
                assert_eq!(Ring.aead_open(&r, &nonce, aad, &mut buf, &tag), Err(AeadError), "{alg:?}: {what}");
            }
            let mut other_nonce = nonce;
            other_nonce[0] ^= 1;
            assert_eq!(Ring.aead_open(&r, &other_nonce, b"aad", &mut a.clone(), &tag), Err(AeadError));

            // A key of the wrong length: every use fails.
            let short = Ring.aead_key(alg, &key[..10]);
            assert_eq!(Ring.aead_seal(&short, &nonce, b"", &mut [0u8; 4]), Err(AeadError));
            assert_eq!(Ring.aead_open(&short, &nonce, b"", &mut [0u8; 4], &tag), Err(AeadError));
        }
    }

    /// ring's keys agree with RustCrypto's, both ways; the caller's generator
    /// is not used; a key agrees once.
    #[test]
    fn key_exchange_agrees_with_rustcrypto_and_ignores_the_callers_generator() {
        for group in GROUPS {
            let mut ring_public = [0u8; MAX_PUBLIC_KEY_LEN];
            let (ring_key, n) = Ring.kx_generate(group, &mut Zeros, &mut ring_public).expect("ring makes its own key");
            assert_eq!(
                RustCrypto.kx_generate(group, &mut Zeros, &mut [0u8; MAX_PUBLIC_KEY_LEN]).err(),
                Some(Error::RandomFailed { tries: crate::crypto::MAX_KEYGEN_TRIES }),
                "the generator is unusable"
            );
            let mut rc_public = [0u8; MAX_PUBLIC_KEY_LEN];
            let private_len = if group == NamedGroup::Secp384r1 { 48 } else { 32 };
            let (rc_key, m) = RustCrypto.kx_from_private(group, &[5u8; 48][..private_len], &mut rc_public).unwrap();
            assert_eq!(n, m);

            let (mut a, mut b) = ([0u8; MAX_SHARED_SECRET_LEN], [0u8; MAX_SHARED_SECRET_LEN]);
            let la = Ring.kx_agree(group, &ring_key, &rc_public[..m], &mut a).expect("ring agrees");
            let lb = RustCrypto.kx_agree(group, &rc_key, &ring_public[..n], &mut b).expect("RustCrypto agrees");
            assert_eq!(a[..la], b[..lb], "{group}");
            assert_eq!(Ring.kx_agree(group, &ring_key, &rc_public[..m], &mut a), None, "{group}: a second agreement");

            // A second key is a different key.
            let mut again = [0u8; MAX_PUBLIC_KEY_LEN];
            Ring.kx_generate(group, &mut Zeros, &mut again).unwrap();
            assert_ne!(again[..n], ring_public[..n]);
        }
    }

    #[test]
    fn key_exchange_refuses_malformed_peer_keys() {
        let fresh = |group| Ring.kx_generate(group, &mut Zeros, &mut [0u8; MAX_PUBLIC_KEY_LEN]).unwrap().0;
        let mut out = [0u8; MAX_SHARED_SECRET_LEN];
        for (group, len) in [(NamedGroup::Secp256r1, 65), (NamedGroup::Secp384r1, 97)] {
            let mut public = [0u8; MAX_PUBLIC_KEY_LEN];
            RustCrypto.kx_from_private(group, &[3u8; 48][..len / 2], &mut public).unwrap();
            let point = &public[..len];
            // RFC 8446 §4.2.8.2: the compressed form (0x02/0x03 and x) is not legal.
            let mut compressed = point[..1 + len / 2].to_vec();
            compressed[0] = 2 | (point[len - 1] & 1);
            let mut tagged = point.to_vec();
            tagged[0] = 6; // hybrid form
            let mut off_curve = point.to_vec();
            off_curve[len - 1] ^= 1;
            for (bad, what) in [
                (&compressed[..], "compressed"),
                (&tagged[..], "hybrid"),
                (&off_curve[..], "not on the curve"),
                (&point[..len - 1], "short"),
                (&[][..], "empty"),
            ] {
                assert_eq!(Ring.kx_agree(group, &fresh(group), bad, &mut out), None, "{group}: {what}");
            }
            assert!(Ring.kx_agree(group, &fresh(group), point, &mut out).is_some());
        }
        // X25519: a point of small order gives the all-zero secret (RFC 8446 §7.4.2).
        assert_eq!(Ring.kx_agree(NamedGroup::X25519, &fresh(NamedGroup::X25519), &[0u8; 32], &mut out), None);
        let mut one = [0u8; 32];
        one[0] = 1;
        assert_eq!(Ring.kx_agree(NamedGroup::X25519, &fresh(NamedGroup::X25519), &one, &mut out), None);
        assert_eq!(Ring.kx_agree(NamedGroup::X25519, &fresh(NamedGroup::X25519), &[9u8; 31], &mut out), None);
        // The wrong group for the key.
        let mut p256 = [0u8; MAX_PUBLIC_KEY_LEN];
        RustCrypto.kx_from_private(NamedGroup::Secp256r1, &[3u8; 32], &mut p256).unwrap();
        assert_eq!(Ring.kx_agree(NamedGroup::Secp256r1, &fresh(NamedGroup::Secp384r1), &p256[..65], &mut out), None);
        // ring imports no private key.
        assert!(Ring.kx_from_private(NamedGroup::X25519, &[7u8; 32], &mut p256).is_none());
    }

    fn signer(file: &str) -> crate::SoftwareSigner {
        let pem = std::fs::read(std::format!("{}/vectors/peer/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        crate::SoftwareSigner::from_pem_with_rng(&pem, rand_core::UnwrapErr(getrandom::SysRng)).unwrap()
    }

    /// Every scheme of ECDSA P-256/P-384 and RSA-2048/4096 keys: what
    /// RustCrypto accepts ring accepts, what it refuses ring refuses.
    #[test]
    fn signatures_verify_as_with_rustcrypto() {
        let msg = b"the signed content of a CertificateVerify";
        let mut checked = 0;
        for file in ["client-p256.key", "client-p384.key", "client-rsa2048.key", "rsa4096.key"] {
            let s = signer(file);
            let key = PeerKey::from_spki(s.public_key(), 2048).unwrap();
            for &scheme in s.schemes() {
                let alg = scheme.tls12_alg().unwrap();
                let mut sig = [0u8; 1024];
                let n = s.sign(scheme, msg, &mut sig).unwrap();
                let sig = &sig[..n];
                assert_eq!(RustCrypto.verify_signature(&key, alg, msg, sig), Ok(()), "{file} {scheme}");
                assert_eq!(Ring.verify_signature(&key, alg, msg, sig), Ok(()), "{file} {scheme}");
                let mut altered = *msg;
                altered[3] ^= 1;
                for r in [
                    Ring.verify_signature(&key, alg, &altered, sig),
                    RustCrypto.verify_signature(&key, alg, &altered, sig),
                ] {
                    assert_eq!(r, Err(SignatureError::BadSignature), "{file} {scheme}: altered message");
                }
                let mut bad = sig.to_vec();
                bad[n / 2] ^= 0x10;
                assert_eq!(Ring.verify_signature(&key, alg, msg, &bad), Err(SignatureError::BadSignature));
                checked += 1;
            }
            let wrong =
                if key.rsa_bits().is_some() { SigAlg::Ecdsa(SigHash::Sha256) } else { SigAlg::RsaPss(SigHash::Sha256) };
            assert_eq!(Ring.verify_signature(&key, wrong, msg, &[0; 64]), Err(SignatureError::WrongAlgorithmForKey));
        }
        assert_eq!(checked, 2 + 12, "ECDSA: one scheme per key; RSA: six per key");
    }

    /// ring verifies RSA keys of 2048 to 8192 bits: others are refused as
    /// unsupported (not as a bad signature), before ring sees them.
    #[test]
    fn rsa_keys_outside_2048_to_8192_bits_are_unsupported() {
        for bits in [1024u32, 2040, 8200] {
            // RSAPublicKey { modulus with its top bit set, 65537 } (RFC 8017 A.1.1).
            let bytes = bits.div_ceil(8) as usize;
            let mut der = vec![0x30, 0x82, 0, 0, 0x02, 0x82, ((bytes + 1) >> 8) as u8, (bytes + 1) as u8, 0, 0x80];
            der.resize(der.len() + bytes - 1, 0x11);
            der.extend_from_slice(&[0x02, 0x03, 1, 0, 1]);
            let body = der.len() - 4;
            der[2..4].copy_from_slice(&(body as u16).to_be_bytes());
            let key = PeerKey::Rsa { der, bits };
            for alg in [SigAlg::RsaPss(SigHash::Sha256), SigAlg::RsaPkcs1(SigHash::Sha256)] {
                let e = Ring.verify_signature(&key, alg, b"m", &[1u8; 1025]).unwrap_err();
                assert!(matches!(e, SignatureError::UnsupportedKey(what) if what.contains("ring")), "{bits}: {e:?}");
            }
        }
    }

    /// A chain with an RSA-1024 CA, which `min_rsa_bits(1024)` allows:
    /// RustCrypto verifies it, ring says the CA's key is unsupported (not
    /// that its signature is bad).
    #[test]
    fn an_rsa_1024_ca_is_an_unsupported_key_with_ring() {
        use crate::ServerVerifier;
        let read =
            |n: &str| std::fs::read(std::format!("{}/vectors/x509/{n}.der", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let mut anchors = crate::x509::TrustAnchors::new();
        anchors.add_der(&read("rsa2048-root")).unwrap();
        let v = crate::x509::CaVerifier::new(anchors).min_rsa_bits(1024);
        let mut list = Vec::new();
        for der in [read("rsa1024-leaf"), read("rsa1024-int")] {
            list.extend_from_slice(&(der.len() as u32).to_be_bytes()[1..]);
            list.extend_from_slice(&der);
            list.extend_from_slice(&[0, 0]);
        }
        let chain = crate::CertificateChain::from_tls13_list(&list).unwrap();
        let (name, now) = (crate::ServerName::parse("rsa1024.test"), Some(crate::UnixTime(1_893_456_000)));
        assert_eq!(v.verify_server_with(&chain, &name, now, &mut RustCrypto), Ok(crate::Trust::Verified));
        let e = v.verify_server_with(&chain, &name, now, &mut Ring).unwrap_err();
        assert!(
            matches!(&e, crate::CertError::UnsupportedKey { detail, .. } if detail.contains("under 2048 bits")),
            "{e:?}"
        );
        assert!(e.to_string().contains("RSA1024 Intermediate"), "{e}");
    }

    /// A connection with ring moves between threads as one with RustCrypto
    /// does (tests/suite/hal_api.rs); checked when this compiles.
    #[test]
    fn connections_with_ring_are_send() {
        fn send<T: Send>() {}
        type Rng = rand_core::UnwrapErr<getrandom::SysRng>;
        send::<crate::Client<'static, Rng, [u8; 4096], [u8; 4096], Ring>>();
        send::<crate::TlsStream<'static, std::net::TcpStream, Rng, Ring>>();
    }

    /// ring has no ECDSA with SHA-512: [`RustCrypto`] checks it.
    #[test]
    fn ecdsa_with_sha512_is_checked() {
        use ::signature::hazmat::PrehashSigner;
        use p256::elliptic_curve::sec1::ToSec1Point;
        use sha2::Digest as _;
        let sk = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let msg = b"tbsCertificate";
        let sig: p256::ecdsa::Signature = sk.sign_prehash(&sha2::Sha512::digest(msg)).unwrap();
        let mut point = [0u8; 65];
        point.copy_from_slice(sk.verifying_key().as_affine().to_sec1_point(false).as_bytes());
        let key = PeerKey::P256(point);
        let alg = SigAlg::Ecdsa(SigHash::Sha512);
        assert_eq!(Ring.verify_signature(&key, alg, msg, sig.to_der().as_bytes()), Ok(()));
        assert_eq!(
            Ring.verify_signature(&key, alg, b"other", sig.to_der().as_bytes()),
            Err(SignatureError::BadSignature)
        );
    }
}
