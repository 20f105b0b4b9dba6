//! [`SoftwareSigner`]: any supported key type, loaded from a key file.

#[cfg(feature = "alloc")]
use zeroize::Zeroize;

use super::{EcdsaP256Signer, EcdsaP384Signer, SignError, Signer};
use crate::error::Error;
use crate::msgs::enums::SignatureScheme;

#[cfg(feature = "alloc")]
use super::rsa::{looks_like_rsa_key, RsaSigner};

/// The random generator a [`SoftwareSigner::Rsa`] owns (RSA-PSS salts and
/// blinding), boxed so that `SoftwareSigner` is one type whatever the key.
#[cfg(feature = "alloc")]
pub type BoxedRng = alloc::boxed::Box<dyn rand_core::CryptoRng + Send>;

/// A software key of any supported type, loaded from the PEM or DER key
/// file a device ships: ECDSA P-256 or P-384 (PKCS#8 `PRIVATE KEY` or SEC1
/// `EC PRIVATE KEY`) and, with `alloc`, RSA 2048 to 4096 bits (PKCS#8
/// `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`).
///
/// ECDSA signs deterministically (RFC 6979), so [`SoftwareSigner::from_pem`]
/// needs nothing else; RSA-PSS needs randomness, so RSA keys are loaded
/// with [`SoftwareSigner::from_pem_with_rng`] (which takes any key type).
///
/// ```
/// use embertls::{ClientIdentity, Signer, SoftwareSigner};
///
/// let file = |name: &str| std::fs::read(format!("{}/vectors/peer/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
/// let rng = rand_core::UnwrapErr(getrandom::SysRng);
/// let signer = SoftwareSigner::from_pem_with_rng(&file("client-rsa2048.key"), rng)?;
/// assert!(matches!(signer, SoftwareSigner::Rsa(_)));
/// let chain = embertls::pem::certificates(&file("client-rsa2048.pem"))?;
/// let certs: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
/// let identity = ClientIdentity::new(&certs, &signer)?;
///
/// // An ECDSA key needs no random generator.
/// let ecdsa = SoftwareSigner::from_pem(&file("client-p256.key"))?;
/// assert!(matches!(ecdsa, SoftwareSigner::P256(_)));
/// // from_pem refuses an RSA key and says why.
/// let err = SoftwareSigner::from_pem(&file("client-rsa2048.key")).unwrap_err();
/// assert!(err.to_string().contains("from_pem_with_rng"));
/// # Ok::<(), embertls::Error>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum SoftwareSigner {
    /// ECDSA P-256.
    P256(EcdsaP256Signer),
    /// ECDSA P-384.
    P384(EcdsaP384Signer),
    /// RSA (RSA-PSS for TLS 1.3), with the random generator it signs with.
    #[cfg(feature = "alloc")]
    Rsa(RsaSigner<BoxedRng>),
}

#[cfg(feature = "alloc")]
const RSA_NEEDS_RNG: &str = "the private key is an RSA key: RSA-PSS signing needs a random generator, so load it with SoftwareSigner::from_pem_with_rng (or from_der_with_rng, or RsaSigner)";
#[cfg(not(feature = "alloc"))]
const RSA_NEEDS_RNG: &str =
    "the private key is not an ECDSA P-256 or P-384 key in PKCS#8 or SEC1 form (RSA keys need the `alloc` feature)";

impl SoftwareSigner {
    /// Loads an ECDSA DER key, trying PKCS#8 then SEC1, P-256 then P-384.
    /// RSA keys are refused with an error pointing to
    /// [`SoftwareSigner::from_der_with_rng`].
    ///
    /// ```
    /// # let der = embertls::pem::parse(&std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/peer/client-p384.key")).unwrap())?.remove(0).der;
    /// let signer = embertls::SoftwareSigner::from_der(&der)?;
    /// assert!(matches!(signer, embertls::SoftwareSigner::P384(_)));
    /// # Ok::<(), embertls::Error>(())
    /// ```
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        EcdsaP256Signer::from_pkcs8_der(der)
            .or_else(|_| EcdsaP256Signer::from_sec1_der(der))
            .map(SoftwareSigner::P256)
            .or_else(|_| EcdsaP384Signer::from_pkcs8_der(der).map(SoftwareSigner::P384))
            .or_else(|_| EcdsaP384Signer::from_sec1_der(der).map(SoftwareSigner::P384))
            .map_err(|_| {
                #[cfg(feature = "alloc")]
                if looks_like_rsa_key(der) {
                    return Error::Config(RSA_NEEDS_RNG);
                }
                #[cfg(not(feature = "alloc"))]
                let _ = RSA_NEEDS_RNG;
                Error::Config(
                    "the private key is not an ECDSA P-256 or P-384 key (PKCS#8 or SEC1) nor an RSA key (PKCS#8 or PKCS#1)",
                )
            })
    }

    /// Loads the first private key block of a PEM file (or DER bytes); an
    /// ECDSA key, as [`SoftwareSigner::from_der`].
    ///
    /// ```
    /// let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/peer/client-p256.key")).unwrap();
    /// let signer = embertls::SoftwareSigner::from_pem(&pem)?;
    /// assert!(matches!(signer, embertls::SoftwareSigner::P256(_)));
    /// # Ok::<(), embertls::Error>(())
    /// ```
    #[cfg(feature = "alloc")]
    pub fn from_pem(input: &[u8]) -> Result<Self, Error> {
        with_key_der(input, Self::from_der)
    }

    /// Loads a DER key of any supported type; an RSA key keeps `rng` (any
    /// [`rand_core::CryptoRng`], e.g. a hardware TRNG) for RSA-PSS, an ECDSA
    /// key does not need it (RFC 6979) and drops it.
    ///
    /// ```
    /// # let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/peer/client-rsa2048.pkcs1.key")).unwrap();
    /// let der = &embertls::pem::parse(&pem)?[0].der; // "BEGIN RSA PRIVATE KEY": PKCS#1
    /// let signer = embertls::SoftwareSigner::from_der_with_rng(der, rand_core::UnwrapErr(getrandom::SysRng))?;
    /// assert!(matches!(signer, embertls::SoftwareSigner::Rsa(_)));
    /// # Ok::<(), embertls::Error>(())
    /// ```
    #[cfg(feature = "alloc")]
    pub fn from_der_with_rng(der: &[u8], rng: impl rand_core::CryptoRng + Send + 'static) -> Result<Self, Error> {
        if !looks_like_rsa_key(der) {
            return Self::from_der(der);
        }
        let rng: BoxedRng = alloc::boxed::Box::new(rng);
        RsaSigner::from_der(der, rng).map(SoftwareSigner::Rsa)
    }

    /// Loads the first private key block of a PEM file (or DER bytes) of
    /// any supported type, as [`SoftwareSigner::from_der_with_rng`].
    ///
    /// ```
    /// use embertls::{Signer, SignatureScheme, SoftwareSigner};
    /// # let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/peer/client-p384.key")).unwrap();
    /// // Any key type; an ECDSA key drops the generator.
    /// let signer = SoftwareSigner::from_pem_with_rng(&pem, rand_core::UnwrapErr(getrandom::SysRng))?;
    /// assert_eq!(signer.schemes(), [SignatureScheme::EcdsaSecp384r1Sha384]);
    /// # Ok::<(), embertls::Error>(())
    /// ```
    #[cfg(feature = "alloc")]
    pub fn from_pem_with_rng(input: &[u8], rng: impl rand_core::CryptoRng + Send + 'static) -> Result<Self, Error> {
        with_key_der(input, |der| Self::from_der_with_rng(der, rng))
    }

    fn inner(&self) -> &dyn Signer {
        match self {
            SoftwareSigner::P256(s) => s,
            SoftwareSigner::P384(s) => s,
            #[cfg(feature = "alloc")]
            SoftwareSigner::Rsa(s) => s,
        }
    }
}

/// Runs `load` on the DER of the first private key block of a PEM file (or
/// on `input` itself if it is DER), zeroizing every decoded block after.
#[cfg(feature = "alloc")]
fn with_key_der<T>(input: &[u8], load: impl FnOnce(&[u8]) -> Result<T, Error>) -> Result<T, Error> {
    if input.first() == Some(&0x30) {
        return load(input);
    }
    let mut blocks = crate::pem::parse(input)?;
    let result = match blocks.iter().find(|b| b.label.ends_with("PRIVATE KEY")) {
        Some(b) if b.label == "ENCRYPTED PRIVATE KEY" => Err(Error::Config(
            "the private key is encrypted (ENCRYPTED PRIVATE KEY); decrypt it first, e.g. `openssl pkey -in key.pem -out plain.pem`",
        )),
        Some(b) => load(&b.der),
        None => Err(Error::Config(
            "no -----BEGIN ... PRIVATE KEY----- block found in the key file (is it a certificate?)",
        )),
    };
    for b in &mut blocks {
        b.der.zeroize();
    }
    result
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
    fn sign_digest(&self, scheme: SignatureScheme, digest: &[u8], out: &mut [u8]) -> Result<usize, SignError> {
        self.inner().sign_digest(scheme, digest, out)
    }
}
