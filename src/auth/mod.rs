//! Client authentication with a certificate (RFC 8446 §4.3.2, §4.4.2,
//! §4.4.3): who the client is, and a [`Signer`] that may live in hardware.

mod ecdsa;
#[cfg(feature = "alloc")]
mod rsa;
mod software;

#[cfg(feature = "alloc")]
pub use self::rsa::{RsaSigner, MAX_RSA_CLIENT_BITS, MIN_RSA_CLIENT_BITS};
pub use ecdsa::{EcdsaP256Signer, EcdsaP384Signer};
#[cfg(feature = "alloc")]
pub use software::BoxedRng;
pub use software::SoftwareSigner;

use crate::codec::{WriteError, Writer};
use crate::crypto::{certificate_spki, CryptoProvider, Transcript};
use crate::error::Error;
pub use crate::error::SignError;
use crate::msgs::certificate_verify::signed_content;
use crate::msgs::enums::HandshakeType;
use crate::msgs::enums::SignatureScheme;
use crate::msgs::handshake::write_handshake;
use crate::record::FillError;

/// Holds a private key and signs with it; implement it for a secure element
/// (ATECC608), the ESP32 Digital Signature peripheral or an HSM, so the key
/// never has to be in RAM.
///
/// ```
/// use embertls::{Signer, SignError, SignatureScheme};
///
/// /// A signer that refuses: shows the seam; a real one talks to hardware.
/// struct Refuses { spki: Vec<u8> }
///
/// impl Signer for Refuses {
///     fn schemes(&self) -> &[SignatureScheme] { &[SignatureScheme::EcdsaSecp256r1Sha256] }
///     fn public_key(&self) -> &[u8] { &self.spki }
///     fn sign(&self, _: SignatureScheme, _: &[u8], _: &mut [u8]) -> Result<usize, SignError> {
///         Err(SignError::Device("secure element not responding"))
///     }
/// }
/// ```
pub trait Signer {
    /// The schemes this key can sign with, preferred first.
    fn schemes(&self) -> &[SignatureScheme];

    /// The public key as a DER SubjectPublicKeyInfo (must match the certificate's).
    fn public_key(&self) -> &[u8];

    /// Signs `message` (the signer hashes it as `scheme` says; ECDSA
    /// signatures are DER-encoded) into `out`, returning the length.
    fn sign(&self, scheme: SignatureScheme, message: &[u8], out: &mut [u8]) -> Result<usize, SignError>;

    /// Signs a `digest` already made with `scheme`'s hash. TLS 1.2 needs it:
    /// its CertificateVerify signs every handshake message so far (RFC 5246
    /// §7.4.8), which the engine keeps only as a running hash. Hardware that
    /// signs digests (secure elements, the ESP32 DS peripheral) implements
    /// this directly. The default refuses: such a signer works with TLS 1.3
    /// servers, and a TLS 1.2 handshake that needs it ends with
    /// [`Error::Signer`]. In TLS 1.2 an ECDSA code point names only the hash
    /// (RFC 5246 §7.4.1.4.1), so an ECDSA key may be asked to sign a SHA-256
    /// digest with `EcdsaSecp256r1Sha256` or a SHA-384 one with
    /// `EcdsaSecp384r1Sha384`, whatever its curve.
    fn sign_digest(&self, scheme: SignatureScheme, digest: &[u8], out: &mut [u8]) -> Result<usize, SignError> {
        let _ = (scheme, digest, out);
        Err(SignError::UnsupportedScheme)
    }
}

/// Writes the client's Certificate (RFC 8446 §4.4.2: the request context
/// and an empty extension block per entry; RFC 5246 §7.4.6: the bare list,
/// `context` `None`) and adds it to the transcript. An empty `chain` is the
/// empty Certificate of a client with no identity for the server.
pub(crate) fn write_certificate<P: CryptoProvider>(
    w: &mut Writer<'_>,
    context: Option<&[u8]>,
    chain: &[&[u8]],
    (crypto, transcript): (&mut P, &mut Transcript<P>),
) -> Result<(), WriteError> {
    let start = w.len();
    write_handshake(w, HandshakeType::Certificate, |w| {
        if let Some(context) = context {
            w.vec(1, context)?;
        }
        let list = w.begin(3)?;
        for cert in chain {
            w.vec(3, cert)?;
            if context.is_some() {
                w.u16(0)?; // no CertificateEntry extensions
            }
        }
        w.end(list)
    })?;
    transcript.update(crypto, &w.written()[start..]);
    Ok(())
}

/// Writes the client's CertificateVerify, signed with `scheme` straight
/// into the send buffer (no copy of the signature on the stack), and adds
/// it to the transcript. TLS 1.3 signs the §4.4.3 content over the
/// transcript hash; TLS 1.2 signs the transcript hash itself (RFC 5246
/// §7.4.8, [`Signer::sign_digest`]). A signer failure is returned as
/// [`Error::Signer`]; a signature that does not fit the send buffer as
/// [`FillError::Full`].
pub(crate) fn write_certificate_verify<const TLS13: bool, P: CryptoProvider>(
    w: &mut Writer<'_>,
    signer: &dyn Signer,
    scheme: SignatureScheme,
    (crypto, transcript): (&mut P, &mut Transcript<P>),
) -> Result<(), FillError> {
    let start = w.len();
    w.u8(HandshakeType::CertificateVerify.to_wire())?;
    let message = w.begin(3)?;
    w.u16(scheme.to_wire())?;
    let signature = w.begin(2)?;
    // TLS13 is a constant: each version's frame holds only its own branch (issue 12: stack).
    let signed = if TLS13 {
        let mut content = [0u8; 64 + 34 + 64];
        let n = client_signed_content(crypto, transcript, &mut content);
        signer.sign(scheme, &content[..n], w.spare_mut())
    } else {
        signer.sign_digest(scheme, transcript.current(crypto).as_bytes(), w.spare_mut())
    };
    let len = match signed {
        Ok(len) => len,
        Err(SignError::BufferTooSmall) => return Err(FillError::Full),
        Err(e) => return Err(FillError::Failed(Error::Signer(e))),
    };
    w.advance(len)?;
    w.end(signature)?;
    w.end(message)?;
    transcript.update(crypto, &w.written()[start..]);
    Ok(())
}

/// The content a TLS 1.3 client signs over the transcript so far (RFC 8446
/// §4.4.3), in `out`; its length. Out of line: the transcript hash is not
/// in the frame under the signature (issue 12: stack).
#[inline(never)]
fn client_signed_content<P: CryptoProvider>(
    crypto: &mut P,
    transcript: &Transcript<P>,
    out: &mut [u8; 64 + 34 + 64],
) -> usize {
    signed_content(false, transcript.current(crypto).as_bytes(), out)
}

/// Most certificates accepted in one client chain.
pub const MAX_CLIENT_CHAIN: usize = 4;

/// A client certificate chain (leaf first) and the signer for its key. The
/// signer must be `Sync` (see [`crate::ClientConfig::new`]): a hardware
/// signer that needs `&mut` access to a peripheral keeps it in a lock.
///
/// ```no_run
/// use embertls::{ClientConfig, ClientIdentity, EcdsaP256Signer, ServerVerification};
/// # fn f(leaf_der: &[u8], key_pkcs8_der: &[u8]) -> Result<(), embertls::Error> {
/// let signer = EcdsaP256Signer::from_pkcs8_der(key_pkcs8_der)?;
/// let certs = [leaf_der];
/// let identity = ClientIdentity::new(&certs, &signer)?;
/// let config = ClientConfig::new(ServerVerification::danger_accept_any()).with_client_identity(&identity);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy)]
pub struct ClientIdentity<'a> {
    pub(crate) chain: &'a [&'a [u8]],
    pub(crate) signer: &'a (dyn Signer + Sync),
}

impl core::fmt::Debug for ClientIdentity<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientIdentity").field("certificates", &self.chain.len()).finish_non_exhaustive()
    }
}

impl<'a> ClientIdentity<'a> {
    /// Pairs a DER chain (leaf first, intermediates optional) with its signer,
    /// checking that the leaf's public key is the signer's.
    pub fn new(chain: &'a [&'a [u8]], signer: &'a (dyn Signer + Sync)) -> Result<Self, Error> {
        let leaf = chain.first().ok_or(Error::Config("the client certificate chain is empty"))?;
        if chain.len() > MAX_CLIENT_CHAIN {
            return Err(Error::Config("the client certificate chain has more than 4 certificates"));
        }
        let spki =
            certificate_spki(leaf).ok_or(Error::Config("the client certificate is not a DER X.509 certificate"))?;
        if spki != signer.public_key() {
            return Err(Error::Config(
                "the private key does not belong to the client certificate (their public keys differ); check that the key file and the certificate file are a pair",
            ));
        }
        Ok(ClientIdentity { chain, signer })
    }

    /// The first commonName of the leaf certificate's issuer (RFC 5280
    /// §4.1.2.4), if it has one: the CA a server must trust to accept this
    /// identity. [`Error::ClientAuthRejected`] names the identity sent by its
    /// index; this gives the detail on demand.
    pub fn issuer_common_name(&self) -> Option<&'a str> {
        let leaf: &'a [u8] = self.chain.first()?;
        crate::crypto::certificate_issuer(leaf).and_then(crate::crypto::name_common_name)
    }

    /// The first of `offered` (the server's signature_algorithms, §4.3.2)
    /// that this identity can sign with and `usable` allows, in the signer's order.
    pub(crate) fn choose_scheme(
        &self,
        offered: impl Iterator<Item = SignatureScheme> + Clone,
        usable: impl Fn(SignatureScheme) -> bool,
    ) -> Option<SignatureScheme> {
        self.signer.schemes().iter().copied().filter(|s| usable(*s)).find(|s| offered.clone().any(|o| o == *s))
    }

    /// Whether a certificate of the chain was issued by one of `authorities`
    /// (DER Names, compared by content); true if the server listed none.
    pub(crate) fn issued_by_one_of<'n>(&self, authorities: Option<impl Iterator<Item = &'n [u8]> + Clone>) -> bool {
        let Some(cas) = authorities else {
            return true;
        };
        self.chain.iter().any(|c| {
            crate::crypto::certificate_issuer(c)
                .is_some_and(|issuer| cas.clone().any(|ca| name_body(ca) == name_body(issuer)))
        })
    }
}

/// The contents of a DER Name (a SEQUENCE), for comparing names whose
/// outer encoding was written differently; the whole input if not DER.
fn name_body(der: &[u8]) -> &[u8] {
    der::asn1::AnyRef::try_from(der).map(|a| a.value()).unwrap_or(der)
}

/// The client identity to answer a certificate request with: the first that
/// `issued_by_one_of` the server's CAs and has a scheme `choose` accepts.
pub(crate) fn choose_identity<'n>(
    identities: &[ClientIdentity<'_>],
    authorities: Option<impl Iterator<Item = &'n [u8]> + Clone>,
    choose: impl Fn(&ClientIdentity<'_>) -> Option<SignatureScheme>,
) -> Option<(usize, SignatureScheme)> {
    identities
        .iter()
        .enumerate()
        .find_map(|(i, id)| id.issued_by_one_of(authorities.clone()).then(|| choose(id)).flatten().map(|s| (i, s)))
}
