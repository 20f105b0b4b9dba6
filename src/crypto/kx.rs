//! Ephemeral key exchange: X25519 (RFC 7748) and ECDH over secp256r1 and
//! secp384r1 (SEC 1, uncompressed points, RFC 8446 §4.2.8.2, RFC 8422 §5.4).

use rand_core::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::provider::CryptoProvider;

use crate::error::Error;
use crate::msgs::enums::NamedGroup;

/// Longest public key on the wire: an uncompressed P-384 point.
pub const MAX_PUBLIC_KEY_LEN: usize = 97;

/// Draws of the random generator [`KeyShare::generate`] makes before it
/// gives up. A good generator fails a draw with probability below 2^-32
/// (a P-256 scalar at least the group order), so four failures in a row
/// (below 2^-128) mean a broken or unseeded generator, not bad luck.
pub const MAX_KEYGEN_TRIES: u8 = 4;

/// Longest (EC)DHE shared secret: a P-384 x-coordinate.
pub const MAX_SHARED_SECRET_LEN: usize = 48;

/// Our half of an ephemeral key exchange: the private key for one group
/// (the provider's, wiped on drop) and its public key, computed once when
/// the key is made.
pub struct KeyShare<P: CryptoProvider> {
    group: NamedGroup,
    private: P::KxPrivate,
    public: [u8; MAX_PUBLIC_KEY_LEN],
    public_len: u8,
}

/// The (EC)DHE shared secret, zeroized on drop (each clone too).
#[derive(Clone)]
pub struct SharedSecret {
    buf: [u8; MAX_SHARED_SECRET_LEN],
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

impl<P: CryptoProvider> KeyShare<P> {
    /// A fresh private key for `group` ([`CryptoProvider::kx_generate`]):
    /// [`Error::RandomFailed`] for a generator that keeps giving unusable
    /// values, [`Error::Config`] for an unsupported group.
    pub fn generate(p: &mut P, group: NamedGroup, rng: &mut impl CryptoRng) -> Result<Self, Error> {
        let mut public = [0u8; MAX_PUBLIC_KEY_LEN];
        let (private, len) = p.kx_generate(group, rng, &mut public)?;
        Ok(KeyShare { group, private, public, public_len: len as u8 })
    }

    /// A key from fixed private bytes (32 for X25519 and P-256, 48 for
    /// P-384; tests use it with RFC 8448's keys).
    pub fn from_private_bytes(p: &mut P, group: NamedGroup, bytes: &[u8]) -> Option<Self> {
        let mut public = [0u8; MAX_PUBLIC_KEY_LEN];
        let (private, len) = p.kx_from_private(group, bytes, &mut public)?;
        Some(KeyShare { group, private, public, public_len: len as u8 })
    }

    /// The group of this key.
    pub fn group(&self) -> NamedGroup {
        self.group
    }

    /// The public key as sent in a key_share entry (RFC 8446 §4.2.8.2) or
    /// ClientKeyExchange (RFC 8422 §5.7): 32 bytes for X25519, an
    /// uncompressed point (65 or 97 bytes) for P-256 and P-384.
    pub fn public(&self) -> &[u8] {
        &self.public[..usize::from(self.public_len)]
    }

    /// Completes the exchange with the server's public key; `None` if that
    /// key is malformed or yields a low-order (all-zero) result.
    pub fn agree(&self, p: &mut P, peer: &[u8]) -> Option<SharedSecret> {
        let mut out = SharedSecret { buf: [0u8; MAX_SHARED_SECRET_LEN], len: 0 };
        let n = p.kx_agree(self.group, &self.private, peer, &mut out.buf)?;
        out.len = n.min(MAX_SHARED_SECRET_LEN) as u8;
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::RustCrypto;

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
                let r =
                    within_10s(move || KeyShare::generate(&mut RustCrypto, group, &mut Stuck(byte)).map(|k| k.group()));
                assert_eq!(r, Err(crate::Error::RandomFailed { tries: MAX_KEYGEN_TRIES }), "{group} from {byte:#x}");
            }
        }
        assert_eq!(
            KeyShare::<RustCrypto>::generate(&mut RustCrypto, NamedGroup::X25519, &mut Stuck(0xff)).map(|k| k.group()),
            Ok(NamedGroup::X25519)
        );
        let msg = crate::Error::RandomFailed { tries: MAX_KEYGEN_TRIES }.to_string();
        assert!(msg.contains("random generator") && msg.contains("Client::new"), "{msg}");
    }

    #[test]
    fn x25519_keys_match_rfc7748() {
        // RFC 7748 §6.1: Alice's and Bob's keys and their shared secret.
        let hex = |s: &str| -> std::vec::Vec<u8> {
            (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
        };
        let alice_private = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        let bob_private = hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        let alice = KeyShare::from_private_bytes(&mut RustCrypto, NamedGroup::X25519, &alice_private).unwrap();
        let bob = KeyShare::from_private_bytes(&mut RustCrypto, NamedGroup::X25519, &bob_private).unwrap();
        assert_eq!(alice.public(), hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
        assert_eq!(bob.public(), hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
        // The ladder (the path without `ec-tables`) gives the same keys.
        for (private, key) in [(&alice_private, &alice), (&bob_private, &bob)] {
            let k: [u8; 32] = private.as_slice().try_into().unwrap();
            assert_eq!(x25519_dalek::x25519(k, x25519_dalek::X25519_BASEPOINT_BYTES).as_slice(), key.public());
        }
        let shared = hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        assert_eq!(alice.agree(&mut RustCrypto, bob.public()).unwrap().as_bytes(), shared);
        assert_eq!(bob.agree(&mut RustCrypto, alice.public()).unwrap().as_bytes(), shared);
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
