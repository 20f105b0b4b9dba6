//! Software ECDSA signers (P-256, P-384) with RFC 6979 deterministic nonces.

use p256::elliptic_curve::sec1::ToSec1Point;
use p256::pkcs8::DecodePrivateKey;
use signature::hazmat::PrehashSigner;

use super::{SignError, Signer};
use crate::error::Error;
use crate::msgs::enums::SignatureScheme;

const MAX_SPKI: usize = 120;

/// The DER SubjectPublicKeyInfo of an uncompressed P-256 point, up to the
/// point: SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING }
/// (RFC 5480 §2). Written out so that no heap is needed.
const P256_SPKI_PREFIX: &[u8] = &[
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
    0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];
/// As [`P256_SPKI_PREFIX`] for secp384r1.
const P384_SPKI_PREFIX: &[u8] = &[
    0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00,
    0x22, 0x03, 0x62, 0x00,
];

macro_rules! ecdsa_signer {
    ($name:ident, $curve:ident, $scheme:expr, $hash:ty, $prefix:expr, $doc:expr) => {
        #[doc = $doc]
        ///
        /// The private key is zeroized on drop (by the curve crate) and never printed.
        pub struct $name {
            key: $curve::ecdsa::SigningKey,
            spki: heapless::Vec<u8, MAX_SPKI>,
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(concat!(stringify!($name), "(..)"))
            }
        }

        impl $name {
            /// From a PKCS#8 `PrivateKeyInfo` in DER ("BEGIN PRIVATE KEY").
            pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
                let key = $curve::SecretKey::from_pkcs8_der(der).map_err(|_| {
                    Error::Config(concat!("the private key is not a PKCS#8 ", stringify!($curve), " key"))
                })?;
                Self::from_secret(key)
            }

            /// From a SEC1 `ECPrivateKey` in DER ("BEGIN EC PRIVATE KEY").
            pub fn from_sec1_der(der: &[u8]) -> Result<Self, Error> {
                let key = $curve::SecretKey::from_sec1_der(der).map_err(|_| {
                    Error::Config(concat!("the private key is not a SEC1 ", stringify!($curve), " key"))
                })?;
                Self::from_secret(key)
            }

            fn from_secret(key: $curve::SecretKey) -> Result<Self, Error> {
                let point = key.public_key().to_sec1_point(false);
                let mut spki = heapless::Vec::new();
                spki.extend_from_slice($prefix)
                    .and_then(|()| spki.extend_from_slice(point.as_bytes()))
                    .map_err(|_| Error::Config("cannot encode the public key"))?;
                Ok($name { key: $curve::ecdsa::SigningKey::from(&key), spki })
            }
        }

        impl Signer for $name {
            fn schemes(&self) -> &[SignatureScheme] {
                &[$scheme]
            }

            fn public_key(&self) -> &[u8] {
                &self.spki
            }

            fn sign(&self, scheme: SignatureScheme, message: &[u8], out: &mut [u8]) -> Result<usize, SignError> {
                use sha2::Digest;
                if scheme != $scheme {
                    return Err(SignError::UnsupportedScheme);
                }
                self.sign_digest(scheme, &<$hash>::digest(message), out)
            }

            /// Signs a SHA-256 or SHA-384 digest: in TLS 1.2 an ECDSA code
            /// point names only the hash, whatever the curve (RFC 5246 §7.4.1.4.1).
            fn sign_digest(&self, scheme: SignatureScheme, digest: &[u8], out: &mut [u8]) -> Result<usize, SignError> {
                if !matches!(scheme, SignatureScheme::EcdsaSecp256r1Sha256 | SignatureScheme::EcdsaSecp384r1Sha384) {
                    return Err(SignError::UnsupportedScheme);
                }
                let sig: $curve::ecdsa::Signature =
                    self.key.sign_prehash(digest).map_err(|_| SignError::Device("ECDSA signing failed"))?;
                let der = sig.to_der();
                let b = der.as_bytes();
                out.get_mut(..b.len()).ok_or(SignError::BufferTooSmall)?.copy_from_slice(b);
                Ok(b.len())
            }
        }
    };
}

ecdsa_signer!(
    EcdsaP256Signer,
    p256,
    SignatureScheme::EcdsaSecp256r1Sha256,
    sha2::Sha256,
    P256_SPKI_PREFIX,
    "An ECDSA P-256 key signing ecdsa_secp256r1_sha256."
);
ecdsa_signer!(
    EcdsaP384Signer,
    p384,
    SignatureScheme::EcdsaSecp384r1Sha384,
    sha2::Sha384,
    P384_SPKI_PREFIX,
    "An ECDSA P-384 key signing ecdsa_secp384r1_sha384."
);

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use p256::pkcs8::EncodePublicKey;

    use super::*;

    /// The written-out SPKI is the curve crates' own DER encoding.
    #[test]
    fn spki_matches_the_der_encoder() {
        let k256 = p256::SecretKey::from_slice(&[7; 32]).unwrap();
        let s = EcdsaP256Signer::from_secret(k256.clone()).unwrap();
        assert_eq!(s.public_key(), k256.public_key().to_public_key_der().unwrap().as_bytes());
        let k384 = p384::SecretKey::from_slice(&[7; 48]).unwrap();
        let s = EcdsaP384Signer::from_secret(k384.clone()).unwrap();
        assert_eq!(s.public_key(), k384.public_key().to_public_key_der().unwrap().as_bytes());
    }
}
