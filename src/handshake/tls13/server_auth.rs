//! EncryptedExtensions, CertificateRequest, Certificate and CertificateVerify
//! from the server (RFC 8446 §4.3, §4.4.2, §4.4.3).

use super::{ExpectFinished, Handshaking};
use crate::auth::choose_identity;
use crate::config::SIGNATURE_SCHEMES;
use crate::crypto::CryptoProvider;
use crate::crypto::{PeerKey, SignatureError};
use crate::error::{Error, Misbehavior};
use crate::handshake::hello::PskSource;
use crate::handshake::limits::Limits;
use crate::handshake::shared::select_alpn;
use crate::handshake::state::{Ctx, Output, State};
use crate::handshake::SchemeAlg;
use crate::msgs::certificate::Certificate;
use crate::msgs::certificate_request::CertificateRequest;
use crate::msgs::certificate_verify::{signed_content, CertificateVerify};
use crate::msgs::encrypted_extensions::EncryptedExtensions;
use crate::msgs::enums::SignatureScheme;
use crate::verify::Trust;

/// Waiting for EncryptedExtensions.
pub(crate) struct ExpectEncryptedExtensions<P: CryptoProvider>(pub(crate) Handshaking<P>);

/// Waiting for the server's Certificate.
pub(crate) struct ExpectCertificate<P: CryptoProvider> {
    pub(crate) hs: Handshaking<P>,
}

/// Waiting for CertificateVerify; holds the leaf key it must verify with.
pub(crate) struct ExpectCertificateVerify<P: CryptoProvider> {
    pub(crate) hs: Handshaking<P>,
    pub(crate) trust: Trust,
    pub(crate) leaf_key: PeerKey,
}

/// The server asked for a client certificate (§4.3.2).
pub(crate) struct ClientAuth {
    pub(crate) context: heapless::Vec<u8, 255>,
    /// The identity (index in the configuration) and scheme to use; `None`
    /// sends an empty Certificate.
    pub(crate) chosen: Option<(usize, SignatureScheme)>,
}

impl<P: CryptoProvider> ExpectEncryptedExtensions<P> {
    #[inline(never)] // a frame of its own: see handshake/state.rs
    pub(crate) fn handle<'a, R>(
        self,
        body: &[u8],
        raw: &[u8],
        ctx: &mut Ctx<'_, 'a, R, P>,
        slot: &mut State<'a, P>,
    ) -> Result<Output, Error> {
        let mut hs = self.0;
        let ee = EncryptedExtensions::decode(body, |t| hs.offered.contains(t))?;
        hs.limits = Limits::from_answer(hs.limit_offer, ee.record_size_limit, ee.max_fragment_length, true)?;
        ctx.out.set_max_fragment(hs.limits.send);
        hs.alpn = ee.alpn.map(|names| select_alpn(&names, &ctx.config.alpn)).transpose()?;
        hs.transcript.update(ctx.crypto, raw);
        // §2.2: a PSK handshake authenticates the server by the key, with no certificate.
        let trust = match hs.psk {
            Some(PskSource::External(_)) => Some(Trust::PreSharedKey),
            Some(PskSource::Resumption { trust }) => Some(trust),
            None => None,
        };
        match trust {
            Some(trust) => *slot = State::ExpectFinished(ExpectFinished { hs, trust }),
            None => *slot = State::ExpectCertificate(ExpectCertificate { hs }),
        }
        Ok(Output::None)
    }
}

impl<P: CryptoProvider> ExpectCertificate<P> {
    /// §4.3.2: choose an identity the server can accept, or none (an empty
    /// Certificate will be sent and the server decides).
    #[inline(never)] // a frame of its own: see handshake/state.rs
    pub(crate) fn certificate_request<'a, R>(
        mut self,
        body: &[u8],
        raw: &[u8],
        ctx: &mut Ctx<'_, 'a, R, P>,
        slot: &mut State<'a, P>,
    ) -> Result<Output, Error> {
        let cr = CertificateRequest::decode(body)?;
        if !cr.context.is_empty() {
            return Err(Error::Decode { what: "CertificateRequest.certificate_request_context (must be empty)" });
        }
        let schemes = cr.extensions.signature_algorithms.ok_or(Error::MissingExtension("signature_algorithms"))?;
        let authorities = cr.extensions.authorities();
        let chosen = choose_identity(ctx.config.client_identities, authorities, |id| {
            id.choose_scheme(schemes.iter().map(SignatureScheme::from_wire), |s| s.tls13_alg().is_some())
        });
        let context = heapless::Vec::from_slice(cr.context).unwrap_or_default();
        self.hs.client_auth = Some(ClientAuth { context, chosen });
        self.hs.transcript.update(ctx.crypto, raw);
        *slot = State::ExpectCertificate(self);
        Ok(Output::None)
    }

    /// Checks the server's Certificate (§4.4.2): what it proves, the trust
    /// the verifier grants and the leaf's key. It borrows the state and runs
    /// from the dispatch frame, before [`ExpectCertificate::handle`] moves
    /// the state: chain verification is a handshake's deepest work (issue 12).
    #[inline(never)]
    pub(crate) fn check<R>(&self, body: &[u8], ctx: &mut Ctx<'_, '_, R, P>) -> Result<(Trust, PeerKey), Error> {
        let cert = Certificate::decode(body)?;
        if !cert.context.is_empty() {
            return Err(Misbehavior::NonEmptyCertificateContext.into());
        }
        // We request no per-certificate extensions (OCSP, SCT), so none may come (§4.4.2).
        cert.check_entries(|t| self.hs.offered.contains(t))?;
        let Some(leaf) = cert.chain.leaf() else { return Err(crate::x509::CertError::NoCertificate.into()) };
        let trust = ctx.config.verifier.verify_server_with(&cert.chain, &ctx.server_name, ctx.now, ctx.crypto)?;
        Ok((trust, leaf_key(leaf, ctx.config.min_rsa_bits)?))
    }

    /// The Certificate `check` accepted: on to CertificateVerify.
    #[inline(never)] // a frame of its own: see handshake/state.rs
    pub(crate) fn handle<'a>(
        self,
        (trust, leaf_key): &(Trust, PeerKey),
        raw: &[u8],
        crypto: &mut P,
        slot: &mut State<'a, P>,
    ) -> Result<Output, Error> {
        let mut hs = self.hs;
        hs.transcript.update(crypto, raw);
        let (trust, leaf_key) = (*trust, leaf_key.clone());
        *slot = State::ExpectCertificateVerify(ExpectCertificateVerify { hs, trust, leaf_key });
        Ok(Output::None)
    }
}

/// The leaf certificate's key. Out of line: the key is not in the frame
/// under the chain's verification (issue 12: stack).
#[inline(never)]
fn leaf_key(leaf: &[u8], min_rsa_bits: u32) -> Result<PeerKey, Error> {
    PeerKey::from_certificate(leaf, min_rsa_bits).map_err(Error::ServerKey)
}

impl<P: CryptoProvider> ExpectCertificateVerify<P> {
    /// Checks the server's signature over the transcript with the leaf key
    /// (§4.4.3). Borrows the state, like [`ExpectCertificate::check`].
    #[inline(never)]
    pub(crate) fn check(&self, body: &[u8], crypto: &mut P) -> Result<(), Error> {
        let cv = CertificateVerify::decode(body)?;
        let scheme = cv.scheme;
        let (alg, curve) = scheme
            .tls13_alg()
            .filter(|_| SIGNATURE_SCHEMES.contains(&scheme))
            .ok_or(Misbehavior::BadSignatureScheme(scheme))?;
        // The scheme must fit the key: ECDSA on the same curve, or RSA-PSS on an RSA key.
        if self.leaf_key.ecdsa_curve() != curve {
            return Err(Misbehavior::BadSignatureScheme(scheme).into());
        }
        let mut content = [0u8; 64 + 34 + 64];
        let n = signed_content(true, self.hs.transcript.current(crypto).as_bytes(), &mut content);
        crypto.verify_signature(&self.leaf_key, alg, &content[..n], cv.signature).map_err(|e| match e {
            // A key the provider cannot use (e.g. RSA under 2048 bits with ring).
            SignatureError::MalformedKey | SignatureError::UnsupportedKey(_) => Error::ServerKey(e),
            _ => Error::BadSignature { scheme, key: self.leaf_key.describe() },
        })
    }

    /// The signature `check` accepted: on to the server's Finished.
    #[inline(never)] // a frame of its own: see handshake/state.rs
    pub(crate) fn handle<'a>(self, raw: &[u8], crypto: &mut P, slot: &mut State<'a, P>) -> Result<Output, Error> {
        let mut hs = self.hs;
        hs.transcript.update(crypto, raw);
        *slot = State::ExpectFinished(ExpectFinished { hs, trust: self.trust });
        Ok(Output::None)
    }
}
