//! Software RSA signer: RSA-PSS for TLS 1.3 CertificateVerify, PKCS#1 v1.5
//! for TLS 1.2. Uses the `rsa` crate's constant-time release; needs `alloc`.

use alloc::vec::Vec;

use rand_core::CryptoRng;
use rsa::pkcs1::der::Decode;
use rsa::pkcs8::EncodePublicKey;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, PrivateKey, Pss};
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::{SignError, Signer};
use crate::error::Error;
use crate::msgs::enums::SignatureScheme;
use crate::sync::Shared;

/// Smallest RSA modulus accepted for a client key, in bits.
pub const MIN_RSA_CLIENT_BITS: u32 = 2048;
/// Largest RSA modulus accepted for a client key, in bits.
pub const MAX_RSA_CLIENT_BITS: u32 = 4096;

/// rsaEncryption (RFC 8017 Appendix C).
const RSA_ENCRYPTION: const_oid::ObjectIdentifier = const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// id-RSASSA-PSS: an RSA key restricted to PSS (RFC 4055), not supported here.
const RSASSA_PSS: const_oid::ObjectIdentifier = const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");

/// Schemes an rsaEncryption key signs, preferred first: RSA-PSS (the only
/// RSA schemes TLS 1.3 allows in CertificateVerify, RFC 8446 §4.2.3), then
/// PKCS#1 v1.5 (TLS 1.2 only; TLS 1.3 never selects them).
const SCHEMES: [SignatureScheme; 6] = [
    SignatureScheme::RsaPssRsaeSha256,
    SignatureScheme::RsaPssRsaeSha384,
    SignatureScheme::RsaPssRsaeSha512,
    SignatureScheme::RsaPkcs1Sha256,
    SignatureScheme::RsaPkcs1Sha384,
    SignatureScheme::RsaPkcs1Sha512,
];

/// An RSA private key (2048 to 4096 bits) signing `rsa_pss_rsae_sha256/384/512`
/// and `rsa_pkcs1_sha256/384/512`.
///
/// RSA-PSS needs fresh randomness for its salt (and the private-key
/// operation is blinded with it), so the signer owns a random generator;
/// [`Signer::sign`] takes `&self`, so the generator sits in a lock (a
/// `std` mutex, or a critical section without `std`, held only to take it
/// out and put it back): the signer is `Sync` when `R` is `Send`. A task
/// that signs while another is signing with the same signer gets
/// [`SignError::Device`].
///
/// The private key is zeroized on drop (by the `rsa` crate) and never printed.
///
/// ```
/// use embertls::{RsaSigner, Signer, SignatureScheme};
///
/// let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/peer/client-rsa2048.key")).unwrap();
/// let der = &embertls::pem::parse(&pem)?[0].der; // "BEGIN PRIVATE KEY": PKCS#8
/// // Any `rand_core::CryptoRng`: the OS generator here, a hardware TRNG on a device.
/// let signer = RsaSigner::from_pkcs8_der(der, rand_core::UnwrapErr(getrandom::SysRng))?;
/// assert_eq!(signer.bits(), 2048);
/// assert_eq!(signer.schemes()[0], SignatureScheme::RsaPssRsaeSha256);
/// let mut sig = [0u8; 512];
/// let n = signer.sign(SignatureScheme::RsaPssRsaeSha256, b"message", &mut sig).unwrap();
/// assert_eq!(n, 256);
/// # Ok::<(), embertls::Error>(())
/// ```
pub struct RsaSigner<R> {
    key: PrivateKey,
    bits: u32,
    spki: Vec<u8>,
    rng: Shared<Option<R>>,
}

impl<R> core::fmt::Debug for RsaSigner<R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RsaSigner({} bits, ..)", self.bits)
    }
}

impl<R: CryptoRng> RsaSigner<R> {
    /// From a PKCS#1 `RSAPrivateKey` in DER ("BEGIN RSA PRIVATE KEY").
    /// Keys under 2048 or over 4096 bits are refused (before the key's
    /// consistency check, so a huge key costs nothing).
    ///
    /// ```
    /// # let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/peer/client-rsa2048.pkcs1.key")).unwrap();
    /// let der = &embertls::pem::parse(&pem)?[0].der;
    /// let signer = embertls::RsaSigner::from_pkcs1_der(der, rand_core::UnwrapErr(getrandom::SysRng))?;
    /// assert_eq!(signer.bits(), 2048);
    /// # Ok::<(), embertls::Error>(())
    /// ```
    pub fn from_pkcs1_der(der: &[u8], rng: R) -> Result<Self, Error> {
        let parsed = rsa::pkcs1::RsaPrivateKeyRef::from_der(der)
            .map_err(|_| Error::Config("the private key is not a PKCS#1 RSA private key"))?;
        if parsed.version() != rsa::pkcs1::Version::TwoPrime {
            return Err(Error::Config("multi-prime RSA private keys are not supported"));
        }
        // Checked before the (costly) key validation, so a huge key is refused cheaply.
        let bits = modulus_bits(parsed.modulus.as_bytes());
        if !(MIN_RSA_CLIENT_BITS..=MAX_RSA_CLIENT_BITS).contains(&bits) {
            return Err(Error::Config("the RSA private key must be 2048 to 4096 bits long"));
        }
        let key = PrivateKey::try_from(parsed).map_err(|_| {
            Error::Config("the RSA private key is inconsistent (its components do not form a valid key)")
        })?;
        let spki = key
            .to_public_key()
            .to_public_key_der()
            .map_err(|_| Error::Config("cannot encode the RSA public key"))?
            .into_vec();
        Ok(RsaSigner { key, bits, spki, rng: Shared::new(Some(rng)) })
    }

    /// From a PKCS#8 `PrivateKeyInfo` holding an rsaEncryption key, in DER
    /// ("BEGIN PRIVATE KEY").
    pub fn from_pkcs8_der(der: &[u8], rng: R) -> Result<Self, Error> {
        let info = rsa::pkcs8::PrivateKeyInfoRef::from_der(der)
            .map_err(|_| Error::Config("the private key is not a PKCS#8 private key"))?;
        match info.algorithm.oid {
            RSA_ENCRYPTION => Self::from_pkcs1_der(info.private_key.as_bytes(), rng),
            RSASSA_PSS => {
                Err(Error::Config("RSA-PSS-only keys (id-RSASSA-PSS) are not supported; use an rsaEncryption RSA key"))
            }
            _ => Err(Error::Config("the PKCS#8 private key is not an RSA key")),
        }
    }

    /// From DER in either form: PKCS#8 if it parses as a `PrivateKeyInfo`, else PKCS#1.
    pub fn from_der(der: &[u8], rng: R) -> Result<Self, Error> {
        if rsa::pkcs8::PrivateKeyInfoRef::from_der(der).is_ok() {
            Self::from_pkcs8_der(der, rng)
        } else {
            Self::from_pkcs1_der(der, rng)
        }
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> u32 {
        self.bits
    }
}

impl<R: CryptoRng> Signer for RsaSigner<R> {
    fn schemes(&self) -> &[SignatureScheme] {
        &SCHEMES
    }

    fn public_key(&self) -> &[u8] {
        &self.spki
    }

    fn sign(&self, scheme: SignatureScheme, message: &[u8], out: &mut [u8]) -> Result<usize, SignError> {
        let mut digest = [0u8; 64];
        let n = message_digest(scheme, message, &mut digest).ok_or(SignError::UnsupportedScheme)?;
        self.sign_prehashed(scheme, &digest[..n], out)
    }

    fn sign_digest(&self, scheme: SignatureScheme, digest: &[u8], out: &mut [u8]) -> Result<usize, SignError> {
        self.sign_prehashed(scheme, digest, out)
    }
}

impl<R: CryptoRng> RsaSigner<R> {
    /// [`Signer::sign_digest`], inlined into both signing calls: one frame
    /// fewer above the private-key operation (issue 12: stack).
    #[inline(always)]
    fn sign_prehashed(&self, scheme: SignatureScheme, digest: &[u8], out: &mut [u8]) -> Result<usize, SignError> {
        let size = self.key.size();
        if out.len() < size {
            return Err(SignError::BufferTooSmall);
        }
        let mut rng = self
            .rng
            .with(Option::take)
            .ok_or(SignError::Device("the RSA signer is signing for another connection; retry when it is done"))?;
        let sig = self.sign_with(&mut rng, scheme, digest);
        self.rng.with(|slot| *slot = Some(rng));
        let sig = sig?;
        let dst = out.get_mut(..sig.len()).ok_or(SignError::BufferTooSmall)?;
        dst.copy_from_slice(&sig);
        Ok(sig.len())
    }

    #[inline(always)] // see sign_prehashed
    fn sign_with(&self, rng: &mut R, scheme: SignatureScheme, digest: &[u8]) -> Result<Vec<u8>, SignError> {
        let key = &self.key;
        let sig = match scheme {
            SignatureScheme::RsaPssRsaeSha256 => pss::<Sha256, R>(key, rng, digest),
            SignatureScheme::RsaPssRsaeSha384 => pss::<Sha384, R>(key, rng, digest),
            SignatureScheme::RsaPssRsaeSha512 => pss::<Sha512, R>(key, rng, digest),
            SignatureScheme::RsaPkcs1Sha256 => pkcs1::<Sha256, R>(key, rng, digest),
            SignatureScheme::RsaPkcs1Sha384 => pkcs1::<Sha384, R>(key, rng, digest),
            SignatureScheme::RsaPkcs1Sha512 => pkcs1::<Sha512, R>(key, rng, digest),
            _ => return Err(SignError::UnsupportedScheme),
        };
        sig.map_err(|_| SignError::Device("RSA signing failed"))
    }
}

/// RSASSA-PSS (RFC 8017 §8.1) of `digest`, salt of the hash's length. Each
/// scheme in a frame of its own, so one padding state is on the stack
/// under the private-key operation (issue 12: stack).
#[inline(never)]
fn pss<D, R>(key: &PrivateKey, rng: &mut R, digest: &[u8]) -> rsa::Result<Vec<u8>>
where
    D: 'static + Digest + sha2::digest::FixedOutputReset,
    R: CryptoRng,
{
    key.sign_with_rng(rng, Pss::<D>::new(), digest)
}

/// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2) of `digest`; as [`pss`].
#[inline(never)]
fn pkcs1<D, R>(key: &PrivateKey, rng: &mut R, digest: &[u8]) -> rsa::Result<Vec<u8>>
where
    D: sha2::digest::Digest + const_oid::AssociatedOid,
    R: CryptoRng,
{
    key.sign_with_rng(rng, Pkcs1v15Sign::new::<D>(), digest)
}

/// The digest of `message` with the hash of `scheme` (`None`: not an RSA
/// scheme), its length returned. Out of line: the hash state is not in the
/// frame under the signature (issue 12: stack).
#[inline(never)]
fn message_digest(scheme: SignatureScheme, message: &[u8], digest: &mut [u8; 64]) -> Option<usize> {
    match scheme {
        SignatureScheme::RsaPssRsaeSha256 | SignatureScheme::RsaPkcs1Sha256 => {
            digest[..32].copy_from_slice(&Sha256::digest(message));
            Some(32)
        }
        SignatureScheme::RsaPssRsaeSha384 | SignatureScheme::RsaPkcs1Sha384 => {
            digest[..48].copy_from_slice(&Sha384::digest(message));
            Some(48)
        }
        SignatureScheme::RsaPssRsaeSha512 | SignatureScheme::RsaPkcs1Sha512 => {
            digest.copy_from_slice(&Sha512::digest(message));
            Some(64)
        }
        _ => None,
    }
}

/// Whether `der` is an RSA private key (PKCS#1, or PKCS#8 rsaEncryption /
/// id-RSASSA-PSS), judged by its structure only.
pub(crate) fn looks_like_rsa_key(der: &[u8]) -> bool {
    if rsa::pkcs1::RsaPrivateKeyRef::from_der(der).is_ok() {
        return true;
    }
    rsa::pkcs8::PrivateKeyInfoRef::from_der(der)
        .is_ok_and(|info| info.algorithm.oid == RSA_ENCRYPTION || info.algorithm.oid == RSASSA_PSS)
}

/// Bits in a big-endian unsigned integer (leading zero bytes ignored).
fn modulus_bits(be: &[u8]) -> u32 {
    let mut bytes = be;
    while let [0, rest @ ..] = bytes {
        bytes = rest;
    }
    match bytes.first() {
        None => 0,
        Some(&b) => (bytes.len() as u32) * 8 - b.leading_zeros(),
    }
}

#[cfg(test)]
mod tests {
    use super::modulus_bits;

    #[test]
    fn modulus_bit_count() {
        assert_eq!(modulus_bits(&[]), 0);
        assert_eq!(modulus_bits(&[0, 0]), 0);
        assert_eq!(modulus_bits(&[0, 0x80, 0]), 16);
        assert_eq!(modulus_bits(&[0x01, 0xff]), 9);
        let mut m = [0u8; 257];
        m[1] = 0xc0;
        assert_eq!(modulus_bits(&m), 2048);
    }
}
