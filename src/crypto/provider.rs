//! The crypto provider seam; documented at [`crate::provider`].

use rand_core::CryptoRng;
use zeroize::{Zeroize, Zeroizing};

use super::aead::{AeadAlg, AeadError, TAG_LEN};
use super::hash::{Digest, HashAlg, MAX_HASH_LEN};
use super::kx::{MAX_KEYGEN_TRIES, MAX_PUBLIC_KEY_LEN, MAX_SHARED_SECRET_LEN};
use super::sig::{PeerKey, SigAlg, SignatureError};
use crate::error::Error;
use crate::msgs::enums::NamedGroup;

/// The primitives of one connection (see [`crate::provider`]).
///
/// Implementations must be constant time in secret data as far as their
/// hardware allows, and must wipe secret state they keep (AEAD key
/// schedules, private keys) when it is dropped.
pub trait CryptoProvider {
    /// A running SHA-256 or SHA-384 computation. Cloned to read the
    /// transcript hash while it goes on (RFC 8446 §4.4.1).
    type Hash: Clone;
    /// Starts a hash computation.
    fn hash_start(&mut self, alg: HashAlg) -> Self::Hash;
    /// Adds `data`.
    fn hash_update(&mut self, hash: &mut Self::Hash, data: &[u8]);
    /// The digest of everything added.
    fn hash_finish(&mut self, hash: Self::Hash) -> Digest;

    /// HMAC(key, parts concatenated) (RFC 2104) into `out`; returns the
    /// hash length. The default runs RFC 2104 on this provider's hash.
    fn hmac(&mut self, alg: HashAlg, key: &[u8], parts: &[&[u8]], out: &mut [u8; MAX_HASH_LEN]) -> usize {
        hmac_on_hash(self, alg, key, parts, out)
    }

    /// HKDF-Expand(PRK, info parts concatenated, `out.len()`) (RFC 5869
    /// §2.3), `out.len()` at most 255 hash lengths. The default runs RFC 5869
    /// on [`hmac`](Self::hmac).
    fn hkdf_expand(&mut self, alg: HashAlg, prk: &[u8], info: &[&[u8]], out: &mut [u8]) {
        hkdf_expand_on_hmac(self, alg, prk, info, out)
    }

    /// HKDF-Expand of several outputs from one PRK (RFC 5869 §2.3): each
    /// `(info, out)` of `outputs` as [`hkdf_expand`](Self::hkdf_expand).
    /// The default calls it once per output; a provider whose HMAC key
    /// setup is worth keeping keys `prk` once for all of them (the engine
    /// derives a traffic key and IV, or a stage's secrets, this way).
    fn hkdf_expand_each(&mut self, alg: HashAlg, prk: &[u8], outputs: &mut [(&[&[u8]], &mut [u8])]) {
        for (info, out) in outputs.iter_mut() {
            self.hkdf_expand(alg, prk, info, out);
        }
    }

    /// The TLS 1.2 PRF, P_hash(secret, label || seed) (RFC 5246 §5), into
    /// `out`. The default runs it on [`hmac`](Self::hmac); a provider whose
    /// HMAC key setup is worth keeping keys `secret` once.
    fn tls12_prf(&mut self, alg: HashAlg, secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
        tls12_prf_on_hmac(self, alg, secret, label, seed, out)
    }

    /// A keyed AEAD. Dropping it wipes the key and its schedule.
    type AeadKey;
    /// Keys `alg` with `key` (`alg.key_len()` bytes).
    fn aead_key(&mut self, alg: AeadAlg, key: &[u8]) -> Self::AeadKey;
    /// Encrypts `buf` in place; returns the tag.
    fn aead_seal(
        &mut self,
        key: &Self::AeadKey,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN], AeadError>;
    /// Decrypts `buf` in place if `tag` is valid. (On failure the engine
    /// wipes `buf` itself: no unauthenticated plaintext is released.)
    fn aead_open(
        &mut self,
        key: &Self::AeadKey,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), AeadError>;

    /// An ephemeral private key. Dropping it wipes it.
    type KxPrivate;
    /// A private key for `group` from `private` (32 bytes for X25519 and
    /// P-256, 48 for P-384) and its public key written into `public`
    /// (RFC 8446 §4.2.8.2 encoding); returns the public key length. `None`
    /// if the bytes are not a usable key (a scalar of zero or not below
    /// the group order), or if the provider cannot import private keys.
    fn kx_from_private(
        &mut self,
        group: NamedGroup,
        private: &[u8],
        public: &mut [u8; MAX_PUBLIC_KEY_LEN],
    ) -> Option<(Self::KxPrivate, usize)>;

    /// A fresh private key for `group`, drawn from `rng`. The default draws
    /// bytes and calls [`kx_from_private`](Self::kx_from_private), drawing
    /// again for an unusable value, at most [`MAX_KEYGEN_TRIES`] times
    /// ([`Error::RandomFailed`] then). A provider with its own generator
    /// may ignore `rng` (and must say so).
    fn kx_generate<R: CryptoRng + ?Sized>(
        &mut self,
        group: NamedGroup,
        rng: &mut R,
        public: &mut [u8; MAX_PUBLIC_KEY_LEN],
    ) -> Result<(Self::KxPrivate, usize), Error> {
        let n = match group {
            NamedGroup::X25519 | NamedGroup::Secp256r1 => 32,
            NamedGroup::Secp384r1 => 48,
            _ => return Err(Error::Config("key shares exist only for x25519, secp256r1 and secp384r1")),
        };
        let mut seed = Zeroizing::new([0u8; 48]);
        for _ in 0..MAX_KEYGEN_TRIES {
            rng.fill_bytes(&mut seed[..n]);
            if seed[..n].iter().all(|&b| b == 0) {
                continue;
            }
            if let Some(k) = self.kx_from_private(group, &seed[..n], public) {
                return Ok(k);
            }
        }
        Err(Error::RandomFailed { tries: MAX_KEYGEN_TRIES })
    }

    /// The shared secret of `private` (of `group`) with the peer's public
    /// key `peer`, written into `out`; returns its length (the
    /// x-coordinate for ECDH, RFC 8446 §7.4.2). Called at most once per
    /// key (ephemeral: RFC 8446 §4.2.8). `None` for a malformed
    /// peer key (only the uncompressed point form is legal, RFC 8446
    /// §4.2.8.2) or an all-zero X25519 result (RFC 8446 §7.4.2).
    fn kx_agree(
        &mut self,
        group: NamedGroup,
        private: &Self::KxPrivate,
        peer: &[u8],
        out: &mut [u8; MAX_SHARED_SECRET_LEN],
    ) -> Option<usize>;

    /// Verifies `sig` over `msg` (hashed here with `alg`'s hash) by `key`.
    fn verify_signature(&mut self, key: &PeerKey, alg: SigAlg, msg: &[u8], sig: &[u8]) -> Result<(), SignatureError>;
}

impl HashAlg {
    /// The hash's block length (RFC 2104 "B").
    pub const fn block_len(self) -> usize {
        match self {
            HashAlg::Sha256 => 64,
            HashAlg::Sha384 => 128,
        }
    }
}

/// HMAC (RFC 2104 §2) on the provider's hash: the default of
/// [`CryptoProvider::hmac`].
pub fn hmac_on_hash<P: CryptoProvider + ?Sized>(
    p: &mut P,
    alg: HashAlg,
    key: &[u8],
    parts: &[&[u8]],
    out: &mut [u8; MAX_HASH_LEN],
) -> usize {
    let b = alg.block_len();
    let mut pad = Zeroizing::new([0u8; 128]);
    if key.len() > b {
        let mut h = p.hash_start(alg);
        p.hash_update(&mut h, key);
        let d = p.hash_finish(h);
        pad[..d.as_bytes().len()].copy_from_slice(d.as_bytes());
    } else {
        pad[..key.len()].copy_from_slice(key);
    }
    pad[..b].iter_mut().for_each(|x| *x ^= 0x36);
    let mut inner = p.hash_start(alg);
    p.hash_update(&mut inner, &pad[..b]);
    for part in parts {
        p.hash_update(&mut inner, part);
    }
    let inner = p.hash_finish(inner);
    pad[..b].iter_mut().for_each(|x| *x ^= 0x36 ^ 0x5c);
    let mut outer = p.hash_start(alg);
    p.hash_update(&mut outer, &pad[..b]);
    p.hash_update(&mut outer, inner.as_bytes());
    let tag = p.hash_finish(outer);
    let n = tag.as_bytes().len();
    out[..n].copy_from_slice(tag.as_bytes());
    n
}

/// The TLS 1.2 PRF (RFC 5246 §5) on the provider's HMAC: the default of
/// [`CryptoProvider::tls12_prf`] ([`tls12_prf_on_mac`], keyed at each HMAC).
pub fn tls12_prf_on_hmac<P: CryptoProvider + ?Sized>(
    p: &mut P,
    alg: HashAlg,
    secret: &[u8],
    label: &[u8],
    seed: &[u8],
    out: &mut [u8],
) {
    tls12_prf_on_mac(alg, label, seed, out, |parts, tag| {
        p.hmac(alg, secret, parts, tag);
    })
}

/// The TLS 1.2 PRF (RFC 5246 §5) on `mac`, which writes HMAC(secret,
/// parts concatenated) into its second argument: for a provider that keys
/// `secret` once. A(0) = label || seed, A(i) = HMAC(secret, A(i-1)),
/// P_hash = HMAC(secret, A(1) || label || seed) || HMAC(secret, A(2) || label || seed) || ...
pub fn tls12_prf_on_mac(
    alg: HashAlg,
    label: &[u8],
    seed: &[u8],
    out: &mut [u8],
    mut mac: impl FnMut(&[&[u8]], &mut [u8; MAX_HASH_LEN]),
) {
    let len = alg.len();
    let mut a = Zeroizing::new([0u8; MAX_HASH_LEN]);
    let mut block = Zeroizing::new([0u8; MAX_HASH_LEN]);
    mac(&[label, seed], &mut a);
    for (i, chunk) in out.chunks_mut(len).enumerate() {
        // A(i+1) only when a block follows: the last one would go unused.
        if i > 0 {
            let prev = Zeroizing::new(*a);
            mac(&[&prev[..len]], &mut a);
        }
        mac(&[&a[..len], label, seed], &mut block);
        chunk.copy_from_slice(&block[..chunk.len()]);
    }
}

/// HKDF-Expand (RFC 5869 §2.3) on the provider's HMAC: the default of
/// [`CryptoProvider::hkdf_expand`] ([`hkdf_expand_on_mac`], keyed at each HMAC).
pub fn hkdf_expand_on_hmac<P: CryptoProvider + ?Sized>(
    p: &mut P,
    alg: HashAlg,
    prk: &[u8],
    info: &[&[u8]],
    out: &mut [u8],
) {
    hkdf_expand_on_mac(alg, info, out, |parts, tag| {
        p.hmac(alg, prk, parts, tag);
    })
}

/// HKDF-Expand (RFC 5869 §2.3) on `mac`, which writes HMAC(PRK, parts
/// concatenated) into its second argument: for a provider that keys the
/// PRK once. An `out` longer than 255 hash lengths (the RFC's limit), or
/// an `info` of more than six parts, is zeroed instead.
pub fn hkdf_expand_on_mac(
    alg: HashAlg,
    info: &[&[u8]],
    out: &mut [u8],
    mut mac: impl FnMut(&[&[u8]], &mut [u8; MAX_HASH_LEN]),
) {
    let len = alg.len();
    const MAX_INFO_PARTS: usize = 6;
    if out.len() > 255 * len || info.len() > MAX_INFO_PARTS {
        out.zeroize();
        return;
    }
    let mut t = Zeroizing::new([0u8; MAX_HASH_LEN]);
    for (i, chunk) in out.chunks_mut(len).enumerate() {
        let counter = [i as u8 + 1];
        let mut next = Zeroizing::new([0u8; MAX_HASH_LEN]);
        {
            let mut parts: [&[u8]; MAX_INFO_PARTS + 2] = [&[]; MAX_INFO_PARTS + 2];
            parts[0] = if i == 0 { &[] } else { &t[..len] };
            parts[1..=info.len()].copy_from_slice(info);
            parts[info.len() + 1] = &counter;
            mac(&parts[..info.len() + 2], &mut next);
        }
        t.copy_from_slice(&next[..]);
        chunk.copy_from_slice(&t[..chunk.len()]);
    }
}

/// Signature verification alone, object safe: what the X.509 verifier
/// (chosen at run time, [`crate::ServerVerifier`]) is handed to check
/// certificate signatures with the connection's provider. Every
/// [`CryptoProvider`] is one.
pub trait SignatureVerifier {
    /// As [`CryptoProvider::verify_signature`].
    fn verify_signature(&mut self, key: &PeerKey, alg: SigAlg, msg: &[u8], sig: &[u8]) -> Result<(), SignatureError>;
}

impl<P: CryptoProvider> SignatureVerifier for P {
    fn verify_signature(&mut self, key: &PeerKey, alg: SigAlg, msg: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        CryptoProvider::verify_signature(self, key, alg, msg, sig)
    }
}
