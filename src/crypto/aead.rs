//! AEAD ciphers of the TLS cipher suites: AES-GCM (RFC 5116) and
//! ChaCha20-Poly1305 (RFC 8439).

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes128Gcm, Aes256Gcm};
use chacha20poly1305::ChaCha20Poly1305;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Length of the authentication tag of every supported AEAD.
pub const TAG_LEN: usize = 16;

/// An AEAD algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AeadAlg {
    /// AES-128-GCM.
    Aes128Gcm,
    /// AES-256-GCM.
    Aes256Gcm,
    /// ChaCha20-Poly1305.
    Chacha20Poly1305,
}

impl AeadAlg {
    /// Key length in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            AeadAlg::Aes128Gcm => 16,
            AeadAlg::Aes256Gcm | AeadAlg::Chacha20Poly1305 => 32,
        }
    }
}

/// A keyed AEAD, ready to seal or open records.
pub enum AeadKey {
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
};

/// Every variant wipes its key schedule on drop (see above).
impl ZeroizeOnDrop for AeadKey {}

/// The AEAD refused the input (bad tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AeadError;

impl AeadKey {
    /// Keys `alg` with the first `alg.key_len()` bytes of `key`.
    pub fn new(alg: AeadAlg, key: &[u8; 32]) -> Self {
        let mut k16 = [0u8; 16];
        k16.copy_from_slice(&key[..16]);
        let k = match alg {
            AeadAlg::Aes128Gcm => AeadKey::Aes128Gcm(Aes128Gcm::new(&k16.into())),
            AeadAlg::Aes256Gcm => AeadKey::Aes256Gcm(Aes256Gcm::new(&(*key).into())),
            AeadAlg::Chacha20Poly1305 => AeadKey::Chacha20Poly1305(ChaCha20Poly1305::new(&(*key).into())),
        };
        k16.zeroize();
        k
    }

    /// Encrypts `buf` in place and returns the tag. Fails only for inputs
    /// longer than 2^36 bytes, which records never are.
    pub fn seal(&self, nonce: &[u8; 12], aad: &[u8], buf: &mut [u8]) -> Result<[u8; TAG_LEN], AeadError> {
        let tag = match self {
            AeadKey::Aes128Gcm(c) => c.encrypt_inout_detached(nonce.into(), aad, buf.into()),
            AeadKey::Aes256Gcm(c) => c.encrypt_inout_detached(nonce.into(), aad, buf.into()),
            AeadKey::Chacha20Poly1305(c) => c.encrypt_inout_detached(nonce.into(), aad, buf.into()),
        };
        tag.map(|t| t.into()).map_err(|_| AeadError)
    }

    /// Decrypts `buf` in place if `tag` is valid. On failure `buf` is zeroed,
    /// so no unauthenticated plaintext can leak (RUSTSEC-2023-0096).
    pub fn open(&self, nonce: &[u8; 12], aad: &[u8], buf: &mut [u8], tag: &[u8; TAG_LEN]) -> Result<(), AeadError> {
        let r = match self {
            AeadKey::Aes128Gcm(c) => c.decrypt_inout_detached(nonce.into(), aad, buf.into(), tag.into()),
            AeadKey::Aes256Gcm(c) => c.decrypt_inout_detached(nonce.into(), aad, buf.into(), tag.into()),
            AeadKey::Chacha20Poly1305(c) => c.decrypt_inout_detached(nonce.into(), aad, buf.into(), tag.into()),
        };
        r.map_err(|_| {
            buf.iter_mut().for_each(|b| *b = 0);
            AeadError
        })
    }
}
