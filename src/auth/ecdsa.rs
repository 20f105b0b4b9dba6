//! Software ECDSA signers (P-256, P-384) with RFC 6979 deterministic nonces.

use p256::pkcs8::{DecodePrivateKey, EncodePublicKey};
use signature::hazmat::PrehashSigner;
use zeroize::Zeroize;

use super::{SignError, Signer};
use crate::error::Error;
use crate::msgs::enums::SignatureScheme;

const MAX_SPKI: usize = 120;

macro_rules! ecdsa_signer {
    ($name:ident, $curve:ident, $scheme:expr, $hash:ty, $doc:expr) => {
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
                let public = key.public_key();
                let mut buf = [0u8; MAX_SPKI];
                let spki = public
                    .to_public_key_der()
                    .ok()
                    .and_then(|d| heapless::Vec::from_slice(d.as_bytes()).ok())
                    .ok_or(Error::Config("cannot encode the public key"))?;
                buf.zeroize();
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
                let digest = <$hash>::digest(message);
                let sig: $curve::ecdsa::Signature =
                    self.key.sign_prehash(&digest).map_err(|_| SignError::Device("ECDSA signing failed"))?;
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
    "An ECDSA P-256 key signing ecdsa_secp256r1_sha256."
);
ecdsa_signer!(
    EcdsaP384Signer,
    p384,
    SignatureScheme::EcdsaSecp384r1Sha384,
    sha2::Sha384,
    "An ECDSA P-384 key signing ecdsa_secp384r1_sha384."
);

/// A software key of any supported type, loaded from the PEM or DER key
/// file a device ships (PKCS#8 `PRIVATE KEY` or SEC1 `EC PRIVATE KEY`).
#[derive(Debug)]
pub enum SoftwareSigner {
    /// ECDSA P-256.
    P256(EcdsaP256Signer),
    /// ECDSA P-384.
    P384(EcdsaP384Signer),
}

impl SoftwareSigner {
    /// Loads a DER key, trying PKCS#8 then SEC1, P-256 then P-384.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        EcdsaP256Signer::from_pkcs8_der(der)
            .or_else(|_| EcdsaP256Signer::from_sec1_der(der))
            .map(SoftwareSigner::P256)
            .or_else(|_| EcdsaP384Signer::from_pkcs8_der(der).map(SoftwareSigner::P384))
            .or_else(|_| EcdsaP384Signer::from_sec1_der(der).map(SoftwareSigner::P384))
            .map_err(|_| {
                Error::Config(
                    "the private key is not an ECDSA P-256 or P-384 key in PKCS#8 or SEC1 form (RSA client keys are not supported yet)",
                )
            })
    }

    /// Loads the first private key block of a PEM file (or DER bytes).
    #[cfg(feature = "alloc")]
    pub fn from_pem(input: &[u8]) -> Result<Self, Error> {
        if input.first() == Some(&0x30) {
            return Self::from_der(input);
        }
        let blocks = crate::pem::parse(input)?;
        let mut block = blocks
            .into_iter()
            .find(|b| b.label.ends_with("PRIVATE KEY"))
            .ok_or(Error::Config("no -----BEGIN ... PRIVATE KEY----- block found in the key file"))?;
        let r = Self::from_der(&block.der);
        block.der.zeroize();
        r
    }

    fn inner(&self) -> &dyn Signer {
        match self {
            SoftwareSigner::P256(s) => s,
            SoftwareSigner::P384(s) => s,
        }
    }
}

impl Signer for SoftwareSigner {
    fn schemes(&self) -> &[SignatureScheme] {
        self.inner().schemes()
    }
    fn public_key(&self) -> &[u8] {
        self.inner().public_key()
    }
    fn sign(&self, scheme: SignatureScheme, message: &[u8], out: &mut [u8]) -> Result<usize, SignError> {
        self.inner().sign(scheme, message, out)
    }
}
