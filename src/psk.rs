//! External pre-shared keys (RFC 8446 §2.2, §4.2.11), as mosquitto's
//! `psk_file` and Arduino's `setPreSharedKey(identity, hexKey)` use them.

use zeroize::Zeroize;

use crate::crypto::HashAlg;
use crate::error::Error;

/// Which PSK key exchange mode to offer (RFC 8446 §4.2.9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PskMode {
    /// psk_dhe_ke (default): the PSK plus an ephemeral (EC)DHE exchange,
    /// so recorded traffic stays safe even if the PSK leaks later.
    DheKe,
    /// psk_ke: the PSK alone, no (EC)DHE. The cheapest handshake (no
    /// public-key operation at all), but **no forward secrecy**: whoever
    /// learns the PSK can decrypt every recorded session.
    Ke,
}

/// Longest identity accepted, in bytes.
pub const MAX_PSK_IDENTITY: usize = 128;
/// Longest key accepted, in bytes.
pub const MAX_PSK_KEY: usize = 64;

/// An external PSK: an identity the server looks up and the shared key.
///
/// A handshake that uses a PSK has no server certificate: the server is
/// authenticated by knowing the key, and the certificate verifier of the
/// [`ClientConfig`](crate::ClientConfig) is not consulted. When a PSK is
/// configured the client requires the server to accept it; a server that
/// ignores it and sends a certificate instead is refused.
///
/// The key is zeroized when dropped and never printed.
///
/// ```
/// use embertls::{ClientConfig, ExternalPsk, PskMode, ServerVerification};
///
/// // mosquitto psk_file line: "device-17:00112233445566778899aabbccddeeff"
/// let psk = ExternalPsk::from_hex("device-17", "00112233445566778899aabbccddeeff")?;
/// let config = ClientConfig::new(ServerVerification::danger_accept_any()).with_psk(&psk);
/// let cheapest = ExternalPsk::from_hex("device-17", "00112233445566778899aabbccddeeff")?
///     .with_mode(PskMode::Ke); // no forward secrecy
/// # Ok::<(), embertls::Error>(())
/// ```
#[derive(Clone)]
pub struct ExternalPsk {
    identity: heapless::Vec<u8, MAX_PSK_IDENTITY>,
    key: [u8; MAX_PSK_KEY],
    key_len: u8,
    hash: HashAlg,
    mode: PskMode,
}

impl Drop for ExternalPsk {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

impl core::fmt::Debug for ExternalPsk {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ExternalPsk")
            .field("identity", &core::str::from_utf8(&self.identity).unwrap_or("(binary)"))
            .field("key", &"(secret)")
            .field("hash", &self.hash)
            .field("mode", &self.mode)
            .finish()
    }
}

impl ExternalPsk {
    /// A PSK from its identity and key bytes (1 to 64 bytes; 16 or 32 are usual).
    /// The hash is SHA-256 and the mode [`PskMode::DheKe`].
    pub fn new(identity: &[u8], key: &[u8]) -> Result<Self, Error> {
        if identity.is_empty() || identity.len() > MAX_PSK_IDENTITY {
            return Err(Error::Config("the PSK identity must be 1 to 128 bytes"));
        }
        if key.is_empty() || key.len() > MAX_PSK_KEY {
            return Err(Error::Config("the PSK key must be 1 to 64 bytes (16 or 32 are usual)"));
        }
        let mut k = [0u8; MAX_PSK_KEY];
        k[..key.len()].copy_from_slice(key);
        Ok(ExternalPsk {
            identity: heapless::Vec::from_slice(identity).map_err(|_| Error::Config("PSK identity too long"))?,
            key: k,
            key_len: key.len() as u8,
            hash: HashAlg::Sha256,
            mode: PskMode::DheKe,
        })
    }

    /// A PSK from a text identity and a hex key, as in mosquitto's `psk_file`
    /// and `mosquitto_pub --psk`.
    pub fn from_hex(identity: &str, hex_key: &str) -> Result<Self, Error> {
        const BAD: Error = Error::Config("the PSK key must be hex digits (two per byte), 1 to 64 bytes");
        let h = hex_key.trim().as_bytes();
        if !h.len().is_multiple_of(2) || h.len() / 2 > MAX_PSK_KEY {
            return Err(BAD);
        }
        // Constant time: the key's digits do not steer branches or table lookups.
        let mut k = [0u8; MAX_PSK_KEY];
        let r = match base16ct::mixed::decode(h, &mut k[..h.len() / 2]) {
            Ok(key) => Self::new(identity.as_bytes(), key),
            Err(_) => Err(BAD),
        };
        k.zeroize();
        r
    }

    /// Associates the PSK with SHA-384 (cipher suite TLS_AES_256_GCM_SHA384)
    /// instead of SHA-256 (RFC 8446 §4.2.11).
    pub fn with_sha384(mut self) -> Self {
        self.hash = HashAlg::Sha384;
        self
    }

    /// Chooses the key exchange mode; see [`PskMode`].
    pub fn with_mode(mut self, mode: PskMode) -> Self {
        self.mode = mode;
        self
    }

    /// The identity.
    pub fn identity(&self) -> &[u8] {
        &self.identity
    }

    /// The mode.
    pub fn mode(&self) -> PskMode {
        self.mode
    }

    /// The [`TrustId`](crate::TrustId) of sessions this PSK authenticated: a
    /// digest of the identity and the key, so a session resumes only where
    /// the same PSK is configured.
    pub(crate) fn trust_id(&self) -> crate::TrustId {
        crate::TrustId::hasher("embertls ExternalPsk").part(&self.identity).part(self.key()).finish()
    }

    pub(crate) fn key(&self) -> &[u8] {
        &self.key[..self.key_len as usize]
    }

    pub(crate) fn hash(&self) -> HashAlg {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_keys_and_limits() {
        let p = ExternalPsk::from_hex("id", "00ff10").unwrap();
        assert_eq!(p.key(), &[0, 0xff, 0x10]);
        assert!(ExternalPsk::from_hex("id", "0g").is_err());
        assert!(ExternalPsk::from_hex("id", "0x").is_err());
        let upper = ExternalPsk::from_hex("id", "ABcdEF").unwrap();
        assert_eq!(upper.key(), [0xab, 0xcd, 0xef]);
        assert!(ExternalPsk::from_hex("id", "abc").is_err());
        assert!(ExternalPsk::from_hex("id", "").is_err());
        assert!(ExternalPsk::from_hex("", "00").is_err());
        assert!(ExternalPsk::new(b"id", &[1; 65]).is_err());
        let dbg = std::format!("{p:?}");
        assert!(!dbg.contains("ff") && dbg.contains("(secret)"), "{dbg}");
    }
}
