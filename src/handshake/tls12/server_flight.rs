//! The server's first flight: Certificate (RFC 5246 §7.4.2),
//! ServerKeyExchange (RFC 8422 §5.4, RFC 4279 §2, RFC 5489 §2) and
//! CertificateRequest (RFC 5246 §7.4.4).

use super::{Negotiated, Outer, State};
use crate::auth::choose_identity;
use crate::config::SIGNATURE_SCHEMES;
use crate::crypto::CryptoProvider;
use crate::crypto::{KeyShare, PeerKey, SharedSecret, SigHash, SignatureError, MAX_PUBLIC_KEY_LEN};
use crate::error::{Error, Misbehavior};
use crate::handshake::state::{Ctx, Output};
use crate::handshake::{KeyExchange, SchemeAlg};
use crate::msgs::certificate::CertificateChain;
use crate::msgs::enums::{HandshakeType, NamedGroup, SignatureScheme};
use crate::msgs::tls12::{
    CertificateRequest12, EcdheParams, KeyExchangeKind, ServerKeyExchange, CERT_TYPE_ECDSA_SIGN, CERT_TYPE_RSA_SIGN,
};
use crate::verify::Trust;

/// Waiting for the ServerKeyExchange of an ECDHE suite (RFC 8422 §5.4):
/// holds the certificate's key, which must have signed it, and the trust
/// the verifier gave the certificate (decided once, here).
pub(crate) struct ExpectServerKeyExchange<P: CryptoProvider> {
    pub(super) n: Negotiated<P>,
    pub(super) leaf_key: PeerKey,
    pub(super) trust: Trust,
}

/// Waiting for the ServerKeyExchange of a PSK suite (RFC 4279 §2, RFC 5489
/// §2); a plain PSK server without a hint sends none.
pub(crate) struct ExpectPskServerKeyExchange<P: CryptoProvider> {
    pub(super) n: Negotiated<P>,
}

/// Waiting for ServerHelloDone (or a CertificateRequest before it).
pub(crate) struct ExpectServerHelloDone<P: CryptoProvider> {
    pub(super) n: Negotiated<P>,
    pub(super) trust: Trust,
    /// What ClientKeyExchange sends and the pre-master secret is made of.
    pub(super) exchange: Exchange,
    /// `Some` once the server asked for a certificate: the identity and scheme to use.
    pub(super) client_auth: Option<Option<(usize, SignatureScheme)>>,
}

/// The key exchange the server's first flight settled.
pub(crate) enum Exchange {
    /// ECDHE, signed by the certificate's key (RFC 8422).
    Ecdhe(Ecdhe),
    /// The PSK alone (RFC 4279 §2).
    Psk,
    /// ECDHE and the PSK (RFC 5489 §2).
    EcdhePsk(Ecdhe),
}

impl<P: CryptoProvider> Negotiated<P> {
    /// Checks the server's Certificate: the chain with the configured
    /// verifier, and the leaf key against the suite. Borrows the state and
    /// runs from the dispatch frame, before [`Negotiated::certificate`] moves
    /// it: chain verification is a handshake's deepest work (issue 12).
    #[inline(never)]
    pub(super) fn check_certificate<R>(
        &self,
        body: &[u8],
        ctx: &mut Ctx<'_, '_, R, P>,
    ) -> Result<(Trust, PeerKey), Error> {
        let chain = CertificateChain::from_tls12_message(body)?;
        let Some(leaf) = chain.leaf() else { return Err(crate::x509::CertError::NoCertificate.into()) };
        let trust = ctx.config.verifier.verify_server_with(&chain, &ctx.server_name, ctx.now, ctx.crypto)?;
        Ok((trust, self.leaf_key(leaf, ctx.config.min_rsa_bits)?))
    }

    /// The leaf's key, which must fit the suite (ECDSA or RSA; RFC 8422
    /// §5.3, RFC 5246 §7.4.2). Out of line: the key is not in the frame
    /// under the chain's verification (issue 12: stack).
    #[inline(never)]
    fn leaf_key(&self, leaf: &[u8], min_rsa_bits: u32) -> Result<PeerKey, Error> {
        let leaf_key = PeerKey::from_certificate(leaf, min_rsa_bits).map_err(Error::ServerKey)?;
        let fits = match self.kx {
            KeyExchange::EcdheEcdsa => leaf_key.ecdsa_curve().is_some(),
            _ => leaf_key.ecdsa_curve().is_none(),
        };
        if !fits {
            return Err(Error::ServerKey(SignatureError::WrongAlgorithmForKey));
        }
        Ok(leaf_key)
    }

    /// The Certificate `check_certificate` accepted: its key is kept to
    /// check the ServerKeyExchange signature.
    #[inline(never)] // a frame of its own: see handshake/state.rs
    pub(super) fn certificate(
        mut self,
        (trust, leaf_key): &(Trust, PeerKey),
        raw: &[u8],
        crypto: &mut P,
        slot: &mut Outer<'_, P>,
    ) -> Result<Output, Error> {
        self.transcript.update(crypto, raw);
        let (trust, leaf_key) = (*trust, leaf_key.clone());
        *slot = Outer::Tls12(State::ExpectServerKeyExchange(ExpectServerKeyExchange { n: self, leaf_key, trust }));
        Ok(Output::None)
    }
}

impl<P: CryptoProvider> ExpectServerKeyExchange<P> {
    /// Parses the ServerKeyExchange of an ECDHE suite, checks what it must
    /// prove (an offered group; the certificate key's signature over both
    /// randoms and the parameters, RFC 8422 §5.4) and completes the ECDHE
    /// exchange. Borrows the state, like [`Negotiated::check_certificate`].
    #[inline(never)]
    pub(super) fn check<R: rand_core::CryptoRng>(
        &self,
        body: &[u8],
        ctx: &mut Ctx<'_, '_, R, P>,
    ) -> Result<(NamedGroup, Ecdhe), Error> {
        let ServerKeyExchange::Ecdhe { params, signed } = ServerKeyExchange::decode(body, KeyExchangeKind::Ecdhe)?
        else {
            return Err(Error::Internal("an ECDHE ServerKeyExchange decoded as another kind"));
        };
        offered_group(&params, ctx)?;
        let scheme = signed.scheme;
        let alg = scheme
            .tls12_alg()
            .filter(|_| SIGNATURE_SCHEMES.contains(&scheme))
            .ok_or(Misbehavior::BadSignatureScheme(scheme))?;
        let mut content = [0u8; 64 + 4 + 255];
        content[..64].copy_from_slice(&self.n.randoms);
        content[64..64 + params.raw.len()].copy_from_slice(params.raw);
        match ctx.crypto.verify_signature(&self.leaf_key, alg, &content[..64 + params.raw.len()], signed.signature) {
            Ok(()) => {}
            Err(SignatureError::WrongAlgorithmForKey) => return Err(Misbehavior::BadSignatureScheme(scheme).into()),
            Err(e @ (SignatureError::MalformedKey | SignatureError::UnsupportedKey(_))) => {
                return Err(Error::ServerKey(e))
            }
            Err(_) => return Err(Error::BadSignature { scheme, key: self.leaf_key.describe() }),
        }
        Ok((params.group, agree(self.n.key_share.as_ref(), &params, ctx)?))
    }

    /// The ServerKeyExchange `check` accepted.
    #[inline(never)] // a frame of its own: see handshake/state.rs
    pub(super) fn handle(
        mut self,
        (group, ecdhe): &(NamedGroup, Ecdhe),
        raw: &[u8],
        crypto: &mut P,
        slot: &mut Outer<'_, P>,
    ) -> Result<Output, Error> {
        self.n.absorb_server_key_exchange(Some(*group), &[], raw, crypto);
        let exchange = Exchange::Ecdhe(ecdhe.clone());
        let n = self.n;
        *slot = Outer::Tls12(State::ExpectServerHelloDone(ExpectServerHelloDone {
            n,
            trust: self.trust,
            exchange,
            client_auth: None,
        }));
        Ok(Output::None)
    }
}

impl<P: CryptoProvider> ExpectPskServerKeyExchange<P> {
    /// Parses the ServerKeyExchange of a PSK suite: the identity hint, and
    /// for ECDHE_PSK the server's parameters (of an offered group), with
    /// which the ECDHE exchange is completed (RFC 5489 §2).
    #[inline(never)]
    pub(super) fn check<'b, R: rand_core::CryptoRng>(
        &self,
        body: &'b [u8],
        ctx: &mut Ctx<'_, '_, R, P>,
    ) -> Result<(&'b [u8], Option<NamedGroup>, Exchange), Error> {
        let kind = if self.n.kx == KeyExchange::EcdhePsk { KeyExchangeKind::EcdhePsk } else { KeyExchangeKind::Psk };
        match ServerKeyExchange::decode(body, kind)? {
            ServerKeyExchange::Psk { hint } => Ok((hint, None, Exchange::Psk)),
            ServerKeyExchange::EcdhePsk { hint, params } => {
                offered_group(&params, ctx)?;
                let ecdhe = agree(self.n.key_share.as_ref(), &params, ctx)?;
                Ok((hint, Some(params.group), Exchange::EcdhePsk(ecdhe)))
            }
            ServerKeyExchange::Ecdhe { .. } => Err(Error::Internal("a PSK ServerKeyExchange decoded as ECDHE")),
        }
    }

    /// RFC 4279 §2: a plain PSK server with no hint sends no ServerKeyExchange.
    pub(super) fn skip(self) -> ExpectServerHelloDone<P> {
        ExpectServerHelloDone { n: self.n, trust: Trust::PreSharedKey, exchange: Exchange::Psk, client_auth: None }
    }
}

/// RFC 8422 §5.4: the server's curve must be one we offered.
fn offered_group<R, P: CryptoProvider>(params: &EcdheParams<'_>, ctx: &Ctx<'_, '_, R, P>) -> Result<(), Error> {
    match ctx.config.groups.contains(&params.group) {
        true => Ok(()),
        false => Err(Misbehavior::UnofferedGroup(params.group).into()),
    }
}

/// The ServerKeyExchange of a PSK suite: checked ([`ExpectPskServerKeyExchange::check`])
/// and recorded on the stored state, which then moves on to ServerHelloDone.
/// In place first, so that the ECDHE exchange and hashing run above no moved
/// copy of the state; outside the inlined dispatch, whose frame every
/// message pays (issue 12: stack).
#[inline(never)]
pub(super) fn psk_server_key_exchange<'a, R: rand_core::CryptoRng, P: CryptoProvider>(
    slot: &mut Outer<'a, P>,
    body: &[u8],
    raw: &[u8],
    ctx: &mut Ctx<'_, 'a, R, P>,
) -> Result<Output, Error> {
    let typ = HandshakeType::ServerKeyExchange;
    let exchange = match slot {
        Outer::Tls12(State::ExpectPskServerKeyExchange(s)) => {
            let (hint, group, exchange) = s.check(body, ctx)?;
            s.n.absorb_server_key_exchange(group, hint, raw, ctx.crypto);
            exchange
        }
        s => return Err(s.unexpected(typ)),
    };
    slot.advance(|s, next| match s {
        Outer::Tls12(State::ExpectPskServerKeyExchange(s)) => {
            let done = ExpectServerHelloDone { n: s.n, trust: Trust::PreSharedKey, exchange, client_auth: None };
            *next = Outer::Tls12(State::ExpectServerHelloDone(done));
            Ok(Output::None)
        }
        s => Err(s.unexpected(typ)),
    })
}

impl<P: CryptoProvider> Negotiated<P> {
    /// What a ServerKeyExchange leaves: the hint and group, the message in
    /// the transcript; the TLS 1.3 key share has served (or was not of the
    /// group) and is wiped.
    fn absorb_server_key_exchange(&mut self, group: Option<NamedGroup>, hint: &[u8], raw: &[u8], crypto: &mut P) {
        // Hints longer than we keep are not shown rather than shown cut.
        self.agreed.hint = heapless::Vec::from_slice(hint).unwrap_or_default();
        self.agreed.group = group;
        self.key_share = None;
        self.transcript.update(crypto, raw);
    }
}

/// Our public key for ClientKeyExchange and the (EC)DHE shared secret.
pub(super) type Ecdhe = (heapless::Vec<u8, MAX_PUBLIC_KEY_LEN>, SharedSecret);

/// Completes the ECDHE exchange with the server's parameters (of a group we
/// offered); the TLS 1.3 key share is reused if it is of that group.
fn agree<R: rand_core::CryptoRng, P: CryptoProvider>(
    offered: Option<&KeyShare<P>>,
    p: &EcdheParams<'_>,
    ctx: &mut Ctx<'_, '_, R, P>,
) -> Result<Ecdhe, Error> {
    let fresh;
    let share = match offered {
        Some(k) if k.group() == p.group => k,
        _ => {
            fresh = KeyShare::generate(ctx.crypto, p.group, ctx.rng)?;
            &fresh
        }
    };
    let shared = share.agree(ctx.crypto, p.public).ok_or(Misbehavior::InvalidKeyShare)?;
    Ok((heapless::Vec::from_slice(share.public()).unwrap_or_default(), shared))
}

impl<P: CryptoProvider> ExpectServerHelloDone<P> {
    /// RFC 5246 §7.4.4: choose an identity the server can accept (its CAs,
    /// certificate types and signature algorithms), or none: an empty
    /// Certificate is then sent and the server decides.
    #[inline(never)] // a frame of its own: see handshake/state.rs
    pub(super) fn certificate_request<R>(
        mut self,
        body: &[u8],
        raw: &[u8],
        ctx: &mut Ctx<'_, '_, R, P>,
        slot: &mut Outer<'_, P>,
    ) -> Result<Output, Error> {
        let cr = CertificateRequest12::decode(body)?;
        let hash = self.n.agreed.suite.hash;
        let offered = cr.signature_algorithms.iter().map(SignatureScheme::from_wire);
        let chosen = choose_identity(ctx.config.client_identities, cr.authorities(), |id| {
            let ecdsa =
                id.signer.schemes().iter().any(|s| matches!(s.tls12_alg(), Some(crate::crypto::SigAlg::Ecdsa(_))));
            let typ = if ecdsa { CERT_TYPE_ECDSA_SIGN } else { CERT_TYPE_RSA_SIGN };
            if !cr.certificate_types.contains(&typ) {
                return None;
            }
            // The engine keeps the transcript in the suite's hash only: the
            // scheme must sign with that hash (RFC 5246 §7.4.8). An ECDSA
            // code point names only the hash in TLS 1.2, whatever the curve.
            if ecdsa {
                let scheme = match hash {
                    crate::crypto::HashAlg::Sha256 => SignatureScheme::EcdsaSecp256r1Sha256,
                    crate::crypto::HashAlg::Sha384 => SignatureScheme::EcdsaSecp384r1Sha384,
                };
                return offered.clone().any(|o| o == scheme).then_some(scheme);
            }
            id.choose_scheme(offered.clone(), |s| s.tls12_alg().is_some_and(|a| sig_hash(a) == Some(hash)))
        });
        self.client_auth = Some(chosen);
        self.n.transcript.update(ctx.crypto, raw);
        *slot = Outer::Tls12(State::ExpectServerHelloDone(self));
        Ok(Output::None)
    }
}

fn sig_hash(a: crate::crypto::SigAlg) -> Option<crate::crypto::HashAlg> {
    use crate::crypto::{HashAlg, SigAlg};
    let (SigAlg::Ecdsa(h) | SigAlg::RsaPkcs1(h) | SigAlg::RsaPss(h)) = a;
    match h {
        SigHash::Sha256 => Some(HashAlg::Sha256),
        SigHash::Sha384 => Some(HashAlg::Sha384),
        SigHash::Sha512 => None,
    }
}
