//! The server's Finished and the client's last flight (RFC 8446 §4.4.4).

use subtle::ConstantTimeEq;

use super::{Connected, Handshaking};
use crate::auth::{write_certificate, write_certificate_verify};
use crate::codec::Writer;
use crate::crypto::{CryptoProvider, Digest, HashAlg, Secret, Transcript};
use crate::error::Error;
use crate::handshake::hello::PskSource;
use crate::handshake::state::{send_ccs, send_flight, Ctx, Output, State};
use crate::key_schedule::finished_verify_data;
use crate::msgs::enums::HandshakeType;
use crate::msgs::handshake::write_handshake;
use crate::record::{FillError, Protection};
use crate::trace::key_log;
use crate::verify::Trust;

/// Waiting for the server's Finished.
pub(crate) struct ExpectFinished<P: CryptoProvider> {
    pub(crate) hs: Handshaking<P>,
    pub(crate) trust: Trust,
}

impl<P: CryptoProvider> ExpectFinished<P> {
    /// Works on the state where it is stored: no copy of it is held while
    /// the client's flight is written and sealed, the deepest work of a PSK
    /// handshake (issue 12: stack). `slot` becomes [`State::Connected`].
    /// Three steps in frames of their own; between them this frame holds
    /// only the transcript hash through the server's Finished, from which
    /// the application secrets are derived after the client's flight (the
    /// flight needs none of them), so that a client certificate's signature
    /// is made under small frames.
    #[inline(never)] // a frame of its own: see handshake/state.rs
    pub(crate) fn handle<'a, R>(
        slot: &mut State<'a, P>,
        body: &[u8],
        raw: &[u8],
        ctx: &mut Ctx<'_, 'a, R, P>,
    ) -> Result<Output, Error> {
        let State::ExpectFinished(this) = slot else {
            return Err(slot.unexpected(HandshakeType::Finished));
        };
        let checked = this.server_finished(body, raw, ctx);
        let Ok(hash_sf) = &checked else { return checked.map(|_| Output::None) };
        this.client_flight(ctx)?;
        Self::connected(slot, hash_sf, ctx)
    }

    /// Checks the server's Finished (§4.4.4) and returns the transcript hash
    /// through it.
    #[inline(never)]
    fn server_finished<R>(&mut self, body: &[u8], raw: &[u8], ctx: &mut Ctx<'_, '_, R, P>) -> Result<Digest, Error> {
        let hs = &mut self.hs;
        let hash = hs.transcript.current(ctx.crypto);
        let expected = finished_verify_data(ctx.crypto, hs.suite.hash, &hs.server_secret, &hash);
        if !bool::from(expected.as_bytes().ct_eq(body)) {
            return Err(Error::BadFinished);
        }
        hs.transcript.update(ctx.crypto, raw);
        Ok(hs.transcript.current(ctx.crypto))
    }

    /// The client's flight: [change_cipher_spec], then one record with
    /// [Certificate, CertificateVerify,] Finished (§4.4, App. D.4).
    #[inline(never)]
    fn client_flight<R>(&mut self, ctx: &mut Ctx<'_, '_, R, P>) -> Result<(), Error> {
        let hs = &mut self.hs;
        let alg = hs.suite.hash;
        if ctx.config.middlebox_compat && !hs.sent_ccs {
            send_ccs(ctx)?;
        }
        let (transcript, client_secret, auth) = (&mut hs.transcript, &hs.client_secret, &hs.client_auth);
        let identities = ctx.config.client_identities;
        send_flight(ctx, |w, crypto| {
            if let Some(auth) = auth {
                // §4.4.2: an empty Certificate when no identity fits; no CertificateVerify then.
                let identity = auth.chosen.and_then(|(i, s)| identities.get(i).map(|id| (id, s)));
                let chain: &[&[u8]] = identity.map_or(&[], |(id, _)| id.chain);
                write_certificate(w, Some(&auth.context), chain, (&mut *crypto, &mut *transcript))?;
                if let Some((id, scheme)) = identity {
                    write_certificate_verify::<true, _>(w, id.signer, scheme, (&mut *crypto, &mut *transcript))?;
                }
            }
            write_finished(w, crypto, transcript, alg, client_secret)
        })
    }

    /// After the client's Finished: the application secrets (§7.1, over
    /// `hash_sf`, the transcript through the server's Finished), both
    /// directions' keys, the resumption secret, and `slot` becomes
    /// [`State::Connected`].
    #[inline(never)]
    fn connected<'a, R>(
        slot: &mut State<'a, P>,
        hash_sf: &Digest,
        ctx: &mut Ctx<'_, 'a, R, P>,
    ) -> Result<Output, Error> {
        let State::ExpectFinished(this) = slot else {
            return Err(Error::Internal("the state changed while the client's flight was written"));
        };
        let (trust, hs) = (this.trust, &mut this.hs);
        let alg = hs.suite.hash;
        let hash_cf = hs.transcript.current(ctx.crypto);
        let secrets = hs.secret.master(ctx.crypto).secrets(ctx.crypto, hash_sf, &hash_cf);
        key_log!(ctx.config, CLIENT_TRAFFIC_SECRET_0, &hs.client_random, secrets.client.as_bytes());
        key_log!(ctx.config, SERVER_TRAFFIC_SECRET_0, &hs.client_random, secrets.server.as_bytes());
        key_log!(ctx.config, EXPORTER_SECRET, &hs.client_random, secrets.exporter.as_bytes());
        ctx.read_prot.install(ctx.crypto, alg, hs.suite.aead, &secrets.server);
        Protection::install(ctx.write_prot, ctx.crypto, alg, hs.suite.aead, &secrets.client);

        let connected = Connected {
            limits: hs.limits,
            suite: hs.suite,
            trust,
            group: hs.group,
            hello_retry: hs.hello_retry,
            resumed: matches!(hs.psk, Some(PskSource::Resumption { .. })),
            alpn: hs.alpn,
            client_auth: hs.client_auth.as_ref().map(|a| a.chosen.map(|(i, _)| i)),
            server_app_secret: secrets.server,
            client_app_secret: secrets.client,
            resumption_master_secret: secrets.resumption,
            exporter_master_secret: secrets.exporter,
        };
        *slot = State::Connected(connected);
        Ok(Output::Complete)
    }
}

/// The client's Finished (§4.4.4), added to the transcript. Out of line:
/// its hash state is not in the frame under a client signature (issue 12: stack).
#[inline(never)]
fn write_finished<P: CryptoProvider>(
    w: &mut Writer<'_>,
    crypto: &mut P,
    transcript: &mut Transcript<P>,
    alg: HashAlg,
    client_secret: &Secret,
) -> Result<(), FillError> {
    let hash = transcript.current(crypto);
    let verify_data = finished_verify_data(crypto, alg, client_secret, &hash);
    let start = w.len();
    write_handshake(w, HandshakeType::Finished, |w| w.bytes(verify_data.as_bytes()))?;
    transcript.update(crypto, &w.written()[start..]);
    Ok(())
}
