//! Ephemeral key exchange: X25519 (RFC 7748) and ECDH over secp256r1.

use rand_core::CryptoRng;
use zeroize::{Zeroize, Zeroizing};

use crate::msgs::enums::NamedGroup;

/// Our half of an ephemeral key exchange: the private key for one group.
pub enum KeyShare {
    /// X25519 private key.
    X25519(x25519_dalek::StaticSecret),
    /// secp256r1 private scalar.
    Secp256r1(p256::NonZeroScalar),
}

/// The (EC)DHE shared secret, zeroized on drop.
pub struct SharedSecret {
    buf: [u8; 32],
}

impl Drop for SharedSecret {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

impl SharedSecret {
    /// The secret bytes (x-coordinate for ECDH, RFC 8446 §7.4.2).
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }
}

impl KeyShare {
    /// A fresh private key for `group`, or `None` if the group is not supported.
    pub fn generate(group: NamedGroup, rng: &mut impl CryptoRng) -> Option<Self> {
        let mut seed = Zeroizing::new([0u8; 32]);
        loop {
            rng.fill_bytes(&mut seed[..]);
            if let Some(k) = Self::from_private_bytes(group, &seed) {
                return Some(k);
            }
            if !matches!(group, NamedGroup::Secp256r1) {
                return None;
            }
            // A P-256 scalar of zero or >= n: draw again (probability ~2^-32).
        }
    }

    /// A key from fixed private bytes (tests use it with RFC 8448's keys).
    pub fn from_private_bytes(group: NamedGroup, bytes: &[u8; 32]) -> Option<Self> {
        match group {
            NamedGroup::X25519 => Some(KeyShare::X25519(x25519_dalek::StaticSecret::from(*bytes))),
            NamedGroup::Secp256r1 => {
                let s = p256::SecretKey::from_slice(bytes).ok()?;
                Some(KeyShare::Secp256r1(s.to_nonzero_scalar()))
            }
            _ => None,
        }
    }

    /// The group of this key.
    pub fn group(&self) -> NamedGroup {
        match self {
            KeyShare::X25519(_) => NamedGroup::X25519,
            KeyShare::Secp256r1(_) => NamedGroup::Secp256r1,
        }
    }

    /// Writes the public key as sent in a key_share entry (RFC 8446 §4.2.8.2)
    /// into `out` and returns its length (32 for X25519, 65 for P-256).
    pub fn public_key(&self, out: &mut [u8; 65]) -> usize {
        match self {
            KeyShare::X25519(s) => {
                out[..32].copy_from_slice(x25519_dalek::PublicKey::from(s).as_bytes());
                32
            }
            KeyShare::Secp256r1(s) => {
                use p256::elliptic_curve::sec1::ToSec1Point;
                let pk = p256::PublicKey::from_secret_scalar(s);
                let pt = pk.to_sec1_point(false);
                let b = pt.as_bytes();
                out[..b.len()].copy_from_slice(b);
                b.len()
            }
        }
    }

    /// Completes the exchange with the server's public key; `None` if that
    /// key is malformed or yields a low-order (all-zero) result.
    pub fn agree(&self, peer: &[u8]) -> Option<SharedSecret> {
        let mut buf = [0u8; 32];
        match self {
            KeyShare::X25519(s) => {
                let p: [u8; 32] = peer.try_into().ok()?;
                let ss = s.diffie_hellman(&x25519_dalek::PublicKey::from(p));
                // RFC 8446 §7.4.2: abort on the all-zero value.
                if !ss.was_contributory() {
                    return None;
                }
                buf.copy_from_slice(ss.as_bytes());
            }
            KeyShare::Secp256r1(s) => {
                // RFC 8446 §4.2.8.2: only the uncompressed form is legal.
                if peer.len() != 65 || peer[0] != 4 {
                    return None;
                }
                let pk = p256::PublicKey::from_sec1_bytes(peer).ok()?;
                let ss = p256::ecdh::diffie_hellman(s, pk.as_affine());
                buf.copy_from_slice(ss.raw_secret_bytes());
            }
        }
        Some(SharedSecret { buf })
    }
}
