//! Ephemeral key exchange: X25519 (RFC 7748) and ECDH over secp256r1 and
//! secp384r1 (SEC 1, uncompressed points, RFC 8446 §4.2.8.2, RFC 8422 §5.4).

use rand_core::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::msgs::enums::NamedGroup;

/// Longest public key on the wire: an uncompressed P-384 point.
pub const MAX_PUBLIC_KEY_LEN: usize = 97;

/// The private half of an ephemeral key, by group; wiped on drop.
enum Private {
    /// Wipes itself (x25519-dalek's `zeroize` feature, checked below).
    X25519(x25519_dalek::StaticSecret),
    /// `NonZeroScalar` is `Zeroize` but not wiped on drop: see `Drop`.
    Secp256r1(p256::NonZeroScalar),
    Secp384r1(p384::NonZeroScalar),
}

// Without x25519-dalek's `zeroize` feature this does not compile.
const _: () = {
    const fn wiped<T: ZeroizeOnDrop>() {}
    wiped::<x25519_dalek::StaticSecret>();
};

impl Drop for Private {
    fn drop(&mut self) {
        match self {
            Private::X25519(_) => {}
            Private::Secp256r1(s) => s.zeroize(),
            Private::Secp384r1(s) => s.zeroize(),
        }
    }
}

/// The private key is wiped on drop (`Private`).
impl ZeroizeOnDrop for KeyShare {}

/// Our half of an ephemeral key exchange: the private key for one group
/// and its public key, computed once when the key is made.
pub struct KeyShare {
    private: Private,
    public: [u8; MAX_PUBLIC_KEY_LEN],
    public_len: u8,
}

/// The (EC)DHE shared secret, zeroized on drop.
pub struct SharedSecret {
    buf: [u8; 48],
    len: u8,
}

impl Drop for SharedSecret {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

impl ZeroizeOnDrop for SharedSecret {}

impl SharedSecret {
    /// The secret bytes (x-coordinate for ECDH, RFC 8446 §7.4.2).
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }
}

impl KeyShare {
    /// A fresh private key for `group`, or `None` if the group is not supported.
    pub fn generate(group: NamedGroup, rng: &mut impl CryptoRng) -> Option<Self> {
        let mut seed = Zeroizing::new([0u8; 48]);
        let n = match group {
            NamedGroup::X25519 | NamedGroup::Secp256r1 => 32,
            NamedGroup::Secp384r1 => 48,
            _ => return None,
        };
        loop {
            rng.fill_bytes(&mut seed[..n]);
            if let Some(k) = Self::from_private_bytes(group, &seed[..n]) {
                return Some(k);
            }
            if group == NamedGroup::X25519 {
                return None;
            }
            // A NIST scalar of zero or >= n: draw again (probability < 2^-32).
        }
    }

    /// A key from fixed private bytes (32 for X25519 and P-256, 48 for
    /// P-384; tests use it with RFC 8448's keys).
    pub fn from_private_bytes(group: NamedGroup, bytes: &[u8]) -> Option<Self> {
        let mut public = [0u8; MAX_PUBLIC_KEY_LEN];
        let (private, len) = match group {
            NamedGroup::X25519 => {
                let mut b: [u8; 32] = bytes.try_into().ok()?;
                let s = x25519_dalek::StaticSecret::from(b);
                b.zeroize();
                public[..32].copy_from_slice(x25519_dalek::PublicKey::from(&s).as_bytes());
                (Private::X25519(s), 32)
            }
            NamedGroup::Secp256r1 => {
                use p256::elliptic_curve::sec1::ToSec1Point;
                let s = p256::SecretKey::from_slice(bytes).ok()?;
                let pt = s.public_key().to_sec1_point(false);
                public[..65].copy_from_slice(pt.as_bytes());
                (Private::Secp256r1(s.to_nonzero_scalar()), 65)
            }
            NamedGroup::Secp384r1 => {
                use p384::elliptic_curve::sec1::ToSec1Point;
                let s = p384::SecretKey::from_slice(bytes).ok()?;
                let pt = s.public_key().to_sec1_point(false);
                public[..97].copy_from_slice(pt.as_bytes());
                (Private::Secp384r1(s.to_nonzero_scalar()), 97)
            }
            _ => return None,
        };
        Some(KeyShare { private, public, public_len: len })
    }

    /// The group of this key.
    pub fn group(&self) -> NamedGroup {
        match self.private {
            Private::X25519(_) => NamedGroup::X25519,
            Private::Secp256r1(_) => NamedGroup::Secp256r1,
            Private::Secp384r1(_) => NamedGroup::Secp384r1,
        }
    }

    /// The public key as sent in a key_share entry (RFC 8446 §4.2.8.2) or
    /// ClientKeyExchange (RFC 8422 §5.7): 32 bytes for X25519, an
    /// uncompressed point (65 or 97 bytes) for P-256 and P-384.
    pub fn public(&self) -> &[u8] {
        &self.public[..usize::from(self.public_len)]
    }

    /// Completes the exchange with the server's public key; `None` if that
    /// key is malformed or yields a low-order (all-zero) result.
    pub fn agree(&self, peer: &[u8]) -> Option<SharedSecret> {
        let mut out = SharedSecret { buf: [0u8; 48], len: 0 };
        match &self.private {
            Private::X25519(s) => {
                let p: [u8; 32] = peer.try_into().ok()?;
                let ss = s.diffie_hellman(&x25519_dalek::PublicKey::from(p));
                // RFC 8446 §7.4.2, RFC 8422 §5.11: abort on the all-zero value.
                if !ss.was_contributory() {
                    return None;
                }
                out.buf[..32].copy_from_slice(ss.as_bytes());
                out.len = 32;
            }
            Private::Secp256r1(s) => {
                // RFC 8446 §4.2.8.2, RFC 8422 §5.1.2: only the uncompressed form is legal.
                if peer.len() != 65 || peer[0] != 4 {
                    return None;
                }
                let pk = p256::PublicKey::from_sec1_bytes(peer).ok()?;
                let ss = p256::ecdh::diffie_hellman(s, pk.as_affine());
                out.buf[..32].copy_from_slice(ss.raw_secret_bytes());
                out.len = 32;
            }
            Private::Secp384r1(s) => {
                if peer.len() != 97 || peer[0] != 4 {
                    return None;
                }
                let pk = p384::PublicKey::from_sec1_bytes(peer).ok()?;
                let ss = p384::ecdh::diffie_hellman(s, pk.as_affine());
                out.buf.copy_from_slice(ss.raw_secret_bytes());
                out.len = 48;
            }
        }
        Some(out)
    }
}
