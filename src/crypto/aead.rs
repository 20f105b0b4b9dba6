//! AEAD ciphers of the TLS cipher suites: AES-GCM (RFC 5116) and
//! ChaCha20-Poly1305 (RFC 8439).

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

/// The AEAD refused the input (bad tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AeadError;
