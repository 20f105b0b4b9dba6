//! Ephemeral key exchange: X25519 (RFC 7748) and ECDH over secp256r1 and
//! secp384r1 (SEC 1, uncompressed points, RFC 8446 §4.2.8.2, RFC 8422 §5.4).

use rand_core::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::Error;
use crate::msgs::enums::NamedGroup;

/// Longest public key on the wire: an uncompressed P-384 point.
pub const MAX_PUBLIC_KEY_LEN: usize = 97;

/// Draws of the random generator [`KeyShare::generate`] makes before it
/// gives up. A good generator fails a draw with probability below 2^-32
/// (a P-256 scalar at least the group order), so four failures in a row
/// (below 2^-128) mean a broken or unseeded generator, not bad luck.
pub const MAX_KEYGEN_TRIES: u8 = 4;

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
    /// A fresh private key for `group`.
    ///
    /// A draw that gives no usable key (all zero, or a P-256/P-384 scalar of
    /// zero or at least the group order) is drawn again, at most
    /// [`MAX_KEYGEN_TRIES`] times in all; then the generator is taken as broken
    /// ([`Error::RandomFailed`]). An unsupported group is [`Error::Config`].
    pub fn generate(group: NamedGroup, rng: &mut impl CryptoRng) -> Result<Self, Error> {
        let mut seed = Zeroizing::new([0u8; 48]);
        let n = match group {
            NamedGroup::X25519 | NamedGroup::Secp256r1 => 32,
            NamedGroup::Secp384r1 => 48,
            _ => return Err(Error::Config("key shares exist only for x25519, secp256r1 and secp384r1")),
        };
        for _ in 0..MAX_KEYGEN_TRIES {
            rng.fill_bytes(&mut seed[..n]);
            if seed[..n].iter().all(|&b| b == 0) {
                continue;
            }
            if let Some(k) = Self::from_private_bytes(group, &seed[..n]) {
                return Ok(k);
            }
        }
        Err(Error::RandomFailed { tries: MAX_KEYGEN_TRIES })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A broken generator: always the same byte.
    struct Stuck(u8);

    impl rand_core::TryRng for Stuck {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(u32::from_ne_bytes([self.0; 4]))
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(u64::from_ne_bytes([self.0; 8]))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            dst.fill(self.0);
            Ok(())
        }
    }
    impl rand_core::TryCryptoRng for Stuck {}

    /// Runs `f` on a thread and waits at most 10 s for it (a loop that never
    /// ends fails the test instead of hanging it).
    fn within_10s<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(std::time::Duration::from_secs(10)).expect("key generation did not return")
    }

    #[test]
    fn a_failing_generator_is_an_error_after_a_bounded_number_of_tries() {
        // All zeros: no group has a usable key; all 0xff: P-256 and P-384
        // scalars out of range (X25519 takes any non-zero bytes).
        for (byte, groups) in [
            (0u8, &[NamedGroup::X25519, NamedGroup::Secp256r1, NamedGroup::Secp384r1][..]),
            (0xff, &[NamedGroup::Secp256r1, NamedGroup::Secp384r1][..]),
        ] {
            for &group in groups {
                let r = within_10s(move || KeyShare::generate(group, &mut Stuck(byte)).map(|k| k.group()));
                assert_eq!(r, Err(crate::Error::RandomFailed { tries: MAX_KEYGEN_TRIES }), "{group} from {byte:#x}");
            }
        }
        assert_eq!(KeyShare::generate(NamedGroup::X25519, &mut Stuck(0xff)).map(|k| k.group()), Ok(NamedGroup::X25519));
        let msg = crate::Error::RandomFailed { tries: MAX_KEYGEN_TRIES }.to_string();
        assert!(msg.contains("random generator") && msg.contains("Client::new"), "{msg}");
    }

    #[test]
    fn client_new_with_a_failing_generator_is_an_error() {
        for group in [NamedGroup::X25519, NamedGroup::Secp256r1, NamedGroup::Secp384r1] {
            let r = within_10s(move || {
                let config = crate::ClientConfig::new(crate::ServerVerification::danger_accept_any())
                    .with_groups(&[group])
                    .unwrap();
                let name = crate::ServerName::parse("localhost");
                crate::Client::new(
                    crate::ConnectOptions::new(&config, name),
                    Stuck(0),
                    std::vec![0u8; 4096],
                    std::vec![0u8; 4096],
                )
                .err()
            });
            assert_eq!(r, Some(crate::Error::RandomFailed { tries: MAX_KEYGEN_TRIES }), "{group}");
        }
    }
}
