//! The default provider: the RustCrypto crates (sha2, hmac, hkdf, aes-gcm,
//! chacha20poly1305, x25519-dalek, p256, p384, rsa).

use aes_gcm::aead::consts::{U12, U16};
use aes_gcm::aead::{AeadCore, AeadInOut, KeyInit};
use aes_gcm::{Aes128Gcm, Aes256Gcm};
use chacha20poly1305::ChaCha20Poly1305;
use hmac::Mac;
use sha2::{Digest as _, Sha256, Sha384, Sha512};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::aead::{AeadAlg, AeadError, TAG_LEN};
use super::hash::{Digest, HashAlg, MAX_HASH_LEN};
use super::kx::{MAX_PUBLIC_KEY_LEN, MAX_SHARED_SECRET_LEN};
use super::provider::CryptoProvider;
use super::sig::{PeerKey, SigAlg, SigHash, SignatureError};
use crate::msgs::enums::NamedGroup;

/// The RustCrypto crates, in software: the default provider. A zero-sized
/// value; every connection can make its own (`RustCrypto`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RustCrypto;

/// A running SHA-2 hash of [`RustCrypto`].
#[derive(Clone)]
pub enum RustCryptoHash {
    /// SHA-256.
    Sha256(Sha256),
    /// SHA-384.
    Sha384(Sha384),
}

/// A keyed AEAD of [`RustCrypto`]; wipes its key schedule on drop.
pub enum RustCryptoAead {
    /// AES-128-GCM.
    Aes128Gcm(Aes128Gcm),
    /// AES-256-GCM.
    Aes256Gcm(Aes256Gcm),
    /// ChaCha20-Poly1305.
    Chacha20Poly1305(ChaCha20Poly1305),
}

// The ciphers wipe their key schedules on drop only with the crates'
// `zeroize` features (Cargo.toml; tests/zeroize_features.sh checks the
// feature graph): without them this does not compile.
const _: () = {
    const fn wiped<T: ZeroizeOnDrop>() {}
    wiped::<Aes128Gcm>();
    wiped::<Aes256Gcm>();
    wiped::<ChaCha20Poly1305>();
    wiped::<x25519_dalek::StaticSecret>();
};

/// Every variant wipes its key schedule on drop (see above).
impl ZeroizeOnDrop for RustCryptoAead {}

/// An ephemeral private key of [`RustCrypto`]; wiped on drop.
pub enum RustCryptoKx {
    /// Wipes itself (x25519-dalek's `zeroize` feature, checked above).
    X25519(x25519_dalek::StaticSecret),
    /// `NonZeroScalar` is `Zeroize` but not wiped on drop: see `Drop`.
    Secp256r1(p256::NonZeroScalar),
    /// As above.
    Secp384r1(p384::NonZeroScalar),
}

impl Drop for RustCryptoKx {
    fn drop(&mut self) {
        match self {
            RustCryptoKx::X25519(_) => {}
            RustCryptoKx::Secp256r1(s) => s.zeroize(),
            RustCryptoKx::Secp384r1(s) => s.zeroize(),
        }
    }
}

/// The private key is wiped on drop.
impl ZeroizeOnDrop for RustCryptoKx {}

impl CryptoProvider for RustCrypto {
    type Hash = RustCryptoHash;

    fn hash_start(&mut self, alg: HashAlg) -> RustCryptoHash {
        match alg {
            HashAlg::Sha256 => RustCryptoHash::Sha256(Sha256::new()),
            HashAlg::Sha384 => RustCryptoHash::Sha384(Sha384::new()),
        }
    }

    fn hash_update(&mut self, hash: &mut RustCryptoHash, data: &[u8]) {
        match hash {
            RustCryptoHash::Sha256(h) => h.update(data),
            RustCryptoHash::Sha384(h) => h.update(data),
        }
    }

    fn hash_finish(&mut self, hash: RustCryptoHash) -> Digest {
        match hash {
            RustCryptoHash::Sha256(h) => Digest::from_slice(&h.finalize()),
            RustCryptoHash::Sha384(h) => Digest::from_slice(&h.finalize()),
        }
    }

    fn hmac(&mut self, alg: HashAlg, key: &[u8], parts: &[&[u8]], out: &mut [u8; MAX_HASH_LEN]) -> usize {
        // One frame per hash: inlined, both MAC states would share the caller's frame (stack, issue 12).
        #[inline(never)]
        fn run<M: Mac + hmac::KeyInit>(key: &[u8], parts: &[&[u8]], out: &mut [u8]) -> usize {
            // HMAC takes keys of any length: new_from_slice cannot fail.
            let Ok(mut m) = <M as hmac::KeyInit>::new_from_slice(key) else {
                return 0;
            };
            for p in parts {
                m.update(p);
            }
            let tag = m.finalize().into_bytes();
            out[..tag.len()].copy_from_slice(&tag);
            tag.len()
        }
        match alg {
            HashAlg::Sha256 => run::<hmac::Hmac<Sha256>>(key, parts, out),
            HashAlg::Sha384 => run::<hmac::Hmac<Sha384>>(key, parts, out),
        }
    }

    type AeadKey = RustCryptoAead;

    fn aead_key(&mut self, alg: AeadAlg, key: &[u8]) -> RustCryptoAead {
        let mut k = [0u8; 32];
        let n = key.len().min(32);
        k[..n].copy_from_slice(&key[..n]);
        let mut k16 = [0u8; 16];
        k16.copy_from_slice(&k[..16]);
        let c = match alg {
            AeadAlg::Aes128Gcm => RustCryptoAead::Aes128Gcm(Aes128Gcm::new(&k16.into())),
            AeadAlg::Aes256Gcm => RustCryptoAead::Aes256Gcm(Aes256Gcm::new(&k.into())),
            AeadAlg::Chacha20Poly1305 => RustCryptoAead::Chacha20Poly1305(ChaCha20Poly1305::new(&k.into())),
        };
        k.zeroize();
        k16.zeroize();
        c
    }

    fn aead_seal(
        &mut self,
        key: &RustCryptoAead,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN], AeadError> {
        match key {
            RustCryptoAead::Aes128Gcm(c) => seal(c, nonce, aad, buf),
            RustCryptoAead::Aes256Gcm(c) => seal(c, nonce, aad, buf),
            RustCryptoAead::Chacha20Poly1305(c) => seal(c, nonce, aad, buf),
        }
    }

    fn aead_open(
        &mut self,
        key: &RustCryptoAead,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), AeadError> {
        match key {
            RustCryptoAead::Aes128Gcm(c) => open(c, nonce, aad, buf, tag),
            RustCryptoAead::Aes256Gcm(c) => open(c, nonce, aad, buf, tag),
            RustCryptoAead::Chacha20Poly1305(c) => open(c, nonce, aad, buf, tag),
        }
    }

    type KxPrivate = RustCryptoKx;

    fn kx_from_private(
        &mut self,
        group: NamedGroup,
        bytes: &[u8],
        public: &mut [u8; MAX_PUBLIC_KEY_LEN],
    ) -> Option<(RustCryptoKx, usize)> {
        // One frame per group: the P-256/P-384 arithmetic's is larger, and
        // an X25519 key is not made below it (issue 12: stack).
        match group {
            NamedGroup::X25519 => x25519_from_private(bytes, public),
            NamedGroup::Secp256r1 => p256_from_private(bytes, public),
            NamedGroup::Secp384r1 => p384_from_private(bytes, public),
            _ => None,
        }
    }

    fn kx_agree(
        &mut self,
        _group: NamedGroup,
        private: &RustCryptoKx,
        peer: &[u8],
        out: &mut [u8; MAX_SHARED_SECRET_LEN],
    ) -> Option<usize> {
        match private {
            RustCryptoKx::X25519(s) => {
                let p: [u8; 32] = peer.try_into().ok()?;
                let ss = s.diffie_hellman(&x25519_dalek::PublicKey::from(p));
                // RFC 8446 §7.4.2, RFC 8422 §5.11: abort on the all-zero value.
                if !ss.was_contributory() {
                    return None;
                }
                out[..32].copy_from_slice(ss.as_bytes());
                Some(32)
            }
            RustCryptoKx::Secp256r1(s) => {
                // RFC 8446 §4.2.8.2, RFC 8422 §5.1.2: only the uncompressed form is legal.
                if peer.len() != 65 || peer[0] != 4 {
                    return None;
                }
                let pk = p256::PublicKey::from_sec1_bytes(peer).ok()?;
                let ss = p256::ecdh::diffie_hellman(s, pk.as_affine());
                out[..32].copy_from_slice(ss.raw_secret_bytes());
                Some(32)
            }
            RustCryptoKx::Secp384r1(s) => {
                if peer.len() != 97 || peer[0] != 4 {
                    return None;
                }
                let pk = p384::PublicKey::from_sec1_bytes(peer).ok()?;
                let ss = p384::ecdh::diffie_hellman(s, pk.as_affine());
                out[..48].copy_from_slice(ss.raw_secret_bytes());
                Some(48)
            }
        }
    }

    fn verify_signature(&mut self, key: &PeerKey, alg: SigAlg, msg: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        let hash = match alg {
            SigAlg::Ecdsa(h) | SigAlg::RsaPkcs1(h) | SigAlg::RsaPss(h) => h,
        };
        let (digest, len) = prehash(hash, msg);
        let d = &digest[..len];
        match (key, alg) {
            (PeerKey::P256(k), SigAlg::Ecdsa(_)) => ecdsa_verify::p256_small_stack(k, d, sig),
            #[cfg(not(feature = "ec-tables"))]
            (PeerKey::P384(k), SigAlg::Ecdsa(_)) => ecdsa_verify::p384_small_stack(k, d, sig),
            #[cfg(feature = "ec-tables")]
            (PeerKey::P384(k), SigAlg::Ecdsa(_)) => ecdsa_verify::p384_fast(k, d, sig),
            #[cfg(feature = "alloc")]
            (PeerKey::Rsa { der, .. }, SigAlg::RsaPkcs1(h)) => rsa_verify::pkcs1(der, h, d, sig),
            #[cfg(feature = "alloc")]
            (PeerKey::Rsa { der, .. }, SigAlg::RsaPss(h)) => rsa_verify::pss(der, h, d, sig),
            _ => Err(SignatureError::WrongAlgorithmForKey),
        }
    }
}

/// The message digest a signature covers, in a frame of its own: the hash
/// state is gone before the (deep) verification runs (issue 12: stack).
#[inline(never)]
fn prehash(hash: SigHash, msg: &[u8]) -> ([u8; 64], usize) {
    let mut digest = [0u8; 64];
    let len = match hash {
        SigHash::Sha256 => {
            digest[..32].copy_from_slice(&Sha256::digest(msg));
            32
        }
        SigHash::Sha384 => {
            digest[..48].copy_from_slice(&Sha384::digest(msg));
            48
        }
        SigHash::Sha512 => {
            digest.copy_from_slice(&Sha512::digest(msg));
            64
        }
    };
    (digest, len)
}

// One frame per cipher, not inlined into `aead_seal`/`aead_open`: otherwise
// whichever cipher LLVM inlines there charges its frame to the others'
// records (issue 12: stack; it moved by 350 bytes with unrelated changes).
/// The three ciphers' shape: 96-bit nonce, 128-bit tag (RFC 8446 §5.3, RFC 5288 §3).
trait Aead12: AeadInOut + AeadCore<NonceSize = U12, TagSize = U16> {}
impl<C: AeadInOut + AeadCore<NonceSize = U12, TagSize = U16>> Aead12 for C {}

#[inline(never)]
fn seal<C: Aead12>(c: &C, nonce: &[u8; 12], aad: &[u8], buf: &mut [u8]) -> Result<[u8; TAG_LEN], AeadError> {
    let tag = c.encrypt_inout_detached(nonce.into(), aad, buf.into()).map_err(|_| AeadError)?;
    Ok(tag.into())
}

#[inline(never)]
fn open<C: Aead12>(c: &C, nonce: &[u8; 12], aad: &[u8], buf: &mut [u8], tag: &[u8; TAG_LEN]) -> Result<(), AeadError> {
    c.decrypt_inout_detached(nonce.into(), aad, buf.into(), tag.into()).map_err(|_| AeadError)
}

/// ECDSA verification (FIPS 186-5 §6.4.2) of a SEC1 public key, a digest
/// and a DER signature (RFC 8446 §4.2.3, RFC 5246 §7.4.3).
///
/// `p256`/`p384` 0.14 verify with a variable-time w-NAF linear combination
/// that needs 9.4 KB (P-256) and 13.7 KB (P-384) of stack on x86_64, where
/// 0.13's constant-time radix-16 one needs 4.2 KB and 6.2 KB (issue 12; the
/// `p256stack` figures in FOOTPRINT.md). P-256 takes the same time either
/// way, so it always uses 0.13; P-384 is about 30 % faster with 0.14, which
/// the host build (`ec-tables`) keeps. The 0.13 crates are used for nothing
/// else.
mod ecdsa_verify {
    use super::SignatureError;

    fn bad<E>(_: E) -> SignatureError {
        SignatureError::BadSignature
    }

    /// A verifier on curve crate `$curve` (0.13: `ecdsa` 0.16) with curve
    /// `$c`, in a frame of its own under `verify_signature`. It calls the
    /// hazmat verification itself, as `VerifyingKey::verify_prehash` does
    /// through two wrappers: their frames are not on the stack (issue 12).
    macro_rules! verifier {
        ($(#[$attr:meta])* $name:ident, $curve:ident, $c:ident) => {
            $(#[$attr])*
            #[inline(never)]
            pub fn $name(key: &[u8], digest: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
                use ecdsa_verify::hazmat::{bits2field, verify_prehashed};
                let k = $curve::PublicKey::from_sec1_bytes(key).map_err(|_| SignatureError::MalformedKey)?;
                let s = $curve::ecdsa::Signature::from_der(sig).map_err(bad)?;
                let z = bits2field::<$curve::$c>(digest).map_err(bad)?;
                verify_prehashed(&k.to_projective(), &z, &s).map_err(bad)
            }
        };
    }

    verifier!(p256_small_stack, p256_verify, NistP256);
    verifier!(
        #[cfg(any(not(feature = "ec-tables"), test))]
        p384_small_stack,
        p384_verify,
        NistP384
    );

    /// The P-384 verifier on `p384` 0.14 (`ec-tables`, hosts).
    #[cfg(any(feature = "ec-tables", test))]
    #[inline(never)]
    pub fn p384_fast(key: &[u8], digest: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        use p384::ecdsa::signature::hazmat::PrehashVerifier;
        use p384::ecdsa::{DerSignature, VerifyingKey};
        let k = VerifyingKey::from_sec1_bytes(key).map_err(|_| SignatureError::MalformedKey)?;
        let s = DerSignature::try_from(sig).map_err(bad)?;
        k.verify_prehash(digest, &s).map_err(bad)
    }
}

#[cfg(feature = "alloc")]
mod rsa_verify {
    use super::{SigHash, SignatureError};
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::{pkcs1v15, pss, PublicKey};
    use sha2::{Sha256, Sha384, Sha512};
    use signature::hazmat::PrehashVerifier;

    fn key(der: &[u8]) -> Result<PublicKey, SignatureError> {
        PublicKey::from_pkcs1_der(der).map_err(|_| SignatureError::MalformedKey)
    }

    #[inline(never)]
    pub fn pkcs1(der: &[u8], h: SigHash, digest: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        let k = key(der)?;
        let s = pkcs1v15::Signature::try_from(sig).map_err(|_| SignatureError::BadSignature)?;
        let r = match h {
            SigHash::Sha256 => pkcs1v15::VerifyingKey::<Sha256>::new(k).verify_prehash(digest, &s),
            SigHash::Sha384 => pkcs1v15::VerifyingKey::<Sha384>::new(k).verify_prehash(digest, &s),
            SigHash::Sha512 => pkcs1v15::VerifyingKey::<Sha512>::new(k).verify_prehash(digest, &s),
        };
        r.map_err(|_| SignatureError::BadSignature)
    }

    #[inline(never)]
    pub fn pss(der: &[u8], h: SigHash, digest: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        let k = key(der)?;
        let s = pss::Signature::try_from(sig).map_err(|_| SignatureError::BadSignature)?;
        let r = match h {
            SigHash::Sha256 => pss::VerifyingKey::<Sha256>::new(k).verify_prehash(digest, &s),
            SigHash::Sha384 => pss::VerifyingKey::<Sha384>::new(k).verify_prehash(digest, &s),
            SigHash::Sha512 => pss::VerifyingKey::<Sha512>::new(k).verify_prehash(digest, &s),
        };
        r.map_err(|_| SignatureError::BadSignature)
    }
}

/// An X25519 key from its private bytes; the public key is X25519(k, 9)
/// (RFC 7748 §6.1). With `ec-tables`, by curve25519-dalek's static
/// base-point table (fast); without (a device), by the Montgomery ladder
/// (constant time, as fast as a multiplication without the table, which
/// would build a 2 KB lookup table on the stack; issue 12).
#[inline(never)]
fn x25519_from_private(bytes: &[u8], public: &mut [u8; MAX_PUBLIC_KEY_LEN]) -> Option<(RustCryptoKx, usize)> {
    let mut b: [u8; 32] = bytes.try_into().ok()?;
    #[cfg(not(feature = "ec-tables"))]
    public[..32].copy_from_slice(&x25519_dalek::x25519(b, x25519_dalek::X25519_BASEPOINT_BYTES));
    let s = x25519_dalek::StaticSecret::from(b);
    b.zeroize();
    #[cfg(feature = "ec-tables")]
    public[..32].copy_from_slice(x25519_dalek::PublicKey::from(&s).as_bytes());
    Some((RustCryptoKx::X25519(s), 32))
}

/// A P-256 key from its private scalar (SEC 1 uncompressed public point).
#[inline(never)]
fn p256_from_private(bytes: &[u8], public: &mut [u8; MAX_PUBLIC_KEY_LEN]) -> Option<(RustCryptoKx, usize)> {
    use p256::elliptic_curve::sec1::ToSec1Point;
    let s = p256::SecretKey::from_slice(bytes).ok()?;
    let pt = s.public_key().to_sec1_point(false);
    public[..65].copy_from_slice(pt.as_bytes());
    Some((RustCryptoKx::Secp256r1(s.to_nonzero_scalar()), 65))
}

/// A P-384 key from its private scalar (SEC 1 uncompressed public point).
#[inline(never)]
fn p384_from_private(bytes: &[u8], public: &mut [u8; MAX_PUBLIC_KEY_LEN]) -> Option<(RustCryptoKx, usize)> {
    use p384::elliptic_curve::sec1::ToSec1Point;
    let s = p384::SecretKey::from_slice(bytes).ok()?;
    let pt = s.public_key().to_sec1_point(false);
    public[..97].copy_from_slice(pt.as_bytes());
    Some((RustCryptoKx::Secp384r1(s.to_nonzero_scalar()), 97))
}

#[cfg(test)]
mod tests {
    use super::ecdsa_verify::{p256_small_stack, p384_fast, p384_small_stack};
    use super::SignatureError;
    use p256::elliptic_curve::sec1::ToSec1Point;
    use signature::hazmat::PrehashSigner;

    type Verify = fn(&[u8], &[u8], &[u8]) -> Result<(), SignatureError>;

    /// Every verifier accepts what `p256`/`p384` 0.14 signed and refuses a
    /// changed digest, another key, a malformed key and a malformed or zero
    /// signature, for digests of 32, 48 and 64 bytes (RFC 8446 §4.2.3 pairs
    /// either curve with SHA-256/384/512 in TLS 1.2).
    #[test]
    fn ecdsa_verifiers_agree_with_the_signer() {
        let k256 = p256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
        let k384 = p384::ecdsa::SigningKey::from_slice(&[7; 48]).unwrap();
        let other256 = p256::ecdsa::SigningKey::from_slice(&[8; 32]).unwrap();
        let other384 = p384::ecdsa::SigningKey::from_slice(&[8; 48]).unwrap();
        for len in [32, 48, 64] {
            let digest: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
            let mut changed = digest.clone();
            changed[0] ^= 1; // the leftmost bits: a longer digest is truncated (FIPS 186-5 §6.4.2)
            let s256: p256::ecdsa::Signature = k256.sign_prehash(&digest).unwrap();
            let s384: p384::ecdsa::Signature = k384.sign_prehash(&digest).unwrap();
            let p256 =
                |k: &p256::ecdsa::SigningKey| k.verifying_key().as_affine().to_sec1_point(false).as_bytes().to_vec();
            let p384 =
                |k: &p384::ecdsa::SigningKey| k.verifying_key().as_affine().to_sec1_point(false).as_bytes().to_vec();
            let (der256, der384) = (s256.to_der().as_bytes().to_vec(), s384.to_der().as_bytes().to_vec());
            let cases = [
                ("P-256", p256_small_stack as Verify, p256(&k256), p256(&other256), der256),
                ("P-384 small stack", p384_small_stack, p384(&k384), p384(&other384), der384.clone()),
                ("P-384 fast", p384_fast, p384(&k384), p384(&other384), der384),
            ];
            for (what, verify, key, other, sig) in cases {
                let what = format!("{what}, {len}-byte digest");
                assert_eq!(verify(&key, &digest, &sig), Ok(()), "{what}");
                assert_eq!(verify(&key, &changed, &sig), Err(SignatureError::BadSignature), "{what}: changed digest");
                assert_eq!(verify(&other, &digest, &sig), Err(SignatureError::BadSignature), "{what}: other key");
                let mut flipped = sig.clone();
                let last = flipped.len() - 1;
                flipped[last] ^= 1;
                assert_eq!(verify(&key, &digest, &flipped), Err(SignatureError::BadSignature), "{what}: changed s");
                assert_eq!(verify(&key, &digest, &sig[..last]), Err(SignatureError::BadSignature), "{what}: short DER");
                // SEQUENCE { INTEGER 0, INTEGER 0 }
                let zero = [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00];
                assert_eq!(verify(&key, &digest, &zero), Err(SignatureError::BadSignature), "{what}: r = s = 0");
                let mut off_curve = key.clone();
                off_curve[10] ^= 1;
                assert_eq!(
                    verify(&off_curve, &digest, &sig),
                    Err(SignatureError::MalformedKey),
                    "{what}: off the curve"
                );
                assert_eq!(verify(&key[..key.len() - 1], &digest, &sig), Err(SignatureError::MalformedKey), "{what}");
            }
        }
    }
}
