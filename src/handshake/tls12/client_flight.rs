//! The client's flight after ServerHelloDone (RFC 5246 §7.4.5 to §7.4.9):
//! [Certificate], ClientKeyExchange, [CertificateVerify], ChangeCipherSpec, Finished.

use zeroize::Zeroize;

use super::server_flight::{Ecdhe, Exchange, ExpectServerHelloDone};
use super::{Keyed, Outer, State};
use crate::auth::{write_certificate, write_certificate_verify};
use crate::codec::Writer;
use crate::crypto::{CryptoProvider, HashAlg, Transcript};
use crate::error::Error;
use crate::handshake::state::{send_ccs, send_flight, Ctx, Output};
use crate::key_schedule::tls12::{psk_pre_master, KeyBlock, MasterSecret12};
use crate::msgs::enums::{ContentType, HandshakeType};
use crate::msgs::handshake::write_handshake;
use crate::msgs::tls12::encode_client_key_exchange;
use crate::psk::ExternalPsk;
use crate::record::{FillError, Protection};
use crate::trace::key_log;

/// Writes ClientKeyExchange (RFC 5246 §7.4.7, RFC 4279 §2, RFC 5489 §2)
/// and returns the master secret (RFC 5246 §8.1; with `ems`, RFC 7627 §4:
/// the session hash runs up to and including ClientKeyExchange) from the
/// (EC)DHE shared secret and/or the PSK. Out of line: its temporaries are
/// not in the frame under a client signature (issue 12: stack).
#[allow(clippy::too_many_arguments)] // the flight's parts, borrowed apart from one state
#[inline(never)]
fn key_exchange<P: CryptoProvider>(
    w: &mut Writer<'_>,
    crypto: &mut P,
    transcript: &mut Transcript<P>,
    hash: HashAlg,
    psk: Option<&ExternalPsk>,
    ecdhe: Option<&Ecdhe>,
    ems: bool,
    randoms: &[u8; 64],
) -> Result<MasterSecret12, FillError> {
    let start = w.len();
    write_handshake(w, HandshakeType::ClientKeyExchange, |w| {
        encode_client_key_exchange(w, psk.map(|p| p.identity()), ecdhe.map(|(pk, _)| pk.as_slice()))
    })?;
    transcript.update(crypto, &w.written()[start..]);
    let (psk, shared) = (psk.map(|p| p.key()), ecdhe.map(|(_, s)| s.as_bytes()));
    let session_hash = transcript.current(crypto);
    let mut pms = [0u8; 2 * (2 + 64)];
    let pms_len = match psk {
        Some(key) => psk_pre_master(key, shared, &mut pms),
        None => {
            let s = shared.unwrap_or(&[]);
            pms[..s.len()].copy_from_slice(s);
            s.len()
        }
    };
    let ems_hash = ems.then_some(session_hash.as_bytes());
    let master = MasterSecret12::derive(crypto, hash, &pms[..pms_len], ems_hash, randoms);
    pms.zeroize();
    Ok(master)
}

impl<P: CryptoProvider> ExpectServerHelloDone<P> {
    /// ServerHelloDone: sends the client flight from the stored state (in
    /// place: no moved copy above the key derivation and signing below it;
    /// issue 12) and returns the master secret it makes.
    #[inline(never)] // a frame of its own: see handshake/state.rs
    fn send_client_flight<R>(
        &mut self,
        body: &[u8],
        raw: &[u8],
        ctx: &mut Ctx<'_, '_, R, P>,
    ) -> Result<MasterSecret12, Error> {
        if !body.is_empty() {
            return Err(Error::Decode { what: "ServerHelloDone (must be empty)" });
        }
        let n = &mut self.n;
        n.transcript.update(ctx.crypto, raw);
        let (with_psk, ecdhe) = match &self.exchange {
            Exchange::Ecdhe(e) => (false, Some(e)),
            Exchange::Psk => (true, None),
            Exchange::EcdhePsk(e) => (true, Some(e)),
        };
        let psk = match with_psk {
            true => Some(ctx.config.psk.ok_or(Error::Internal("a PSK suite was negotiated without a configured PSK"))?),
            false => None,
        };
        let identities = ctx.config.client_identities;
        let client_auth = self.client_auth;
        let chosen = client_auth.flatten().and_then(|(i, s)| identities.get(i).map(|id| (id, s)));
        let (transcript, ems, randoms) = (&mut n.transcript, n.ems, &n.randoms);
        let hash = n.agreed.suite.hash;
        // One record: [Certificate,] ClientKeyExchange[, CertificateVerify];
        // the master secret comes out of it (its session hash ends at ClientKeyExchange).
        let master = send_flight(ctx, |w, crypto| {
            if client_auth.is_some() {
                let chain = chosen.map_or(&[][..], |(id, _)| id.chain);
                write_certificate(w, None, chain, (&mut *crypto, &mut *transcript))?;
            }
            let master = key_exchange(w, crypto, transcript, hash, psk, ecdhe, ems, randoms)?;
            if let Some((id, scheme)) = chosen {
                write_certificate_verify::<false, _>(w, id.signer, scheme, (&mut *crypto, &mut *transcript))?;
            }
            Ok::<_, FillError>(master)
        })?;
        key_log!(ctx.config, CLIENT_RANDOM, &n.randoms[..32], master.as_bytes());
        Ok(master)
    }

    /// After [`Self::send_client_flight`]: the state with the keys, stored in `slot`.
    #[inline(never)] // a frame of its own: see handshake/state.rs
    fn keyed(self, master: MasterSecret12, keys: KeyBlock, slot: &mut Outer<'_, P>) -> Result<Output, Error> {
        let n = self.n;
        let k = Keyed {
            agreed: n.agreed,
            trust: self.trust,
            transcript: n.transcript,
            randoms: n.randoms,
            master,
            keys,
            resumed: false,
            ems: n.ems,
            client_auth: self.client_auth.map(|c| c.map(|(i, _)| i)),
            ticket_announced: false,
        };
        let next = if n.ticket_expected { State::ExpectNewSessionTicket(k) } else { State::ExpectChangeCipherSpec(k) };
        *slot = Outer::Tls12(next);
        Ok(Output::None)
    }
}

/// ServerHelloDone (or, RFC 4279 §2, the one a PSK server without a hint
/// sends in place of ServerKeyExchange): the client's flight, written from
/// the stored state, then [`keys_and_finished`]. Sealing the Finished is the
/// deepest work of a TLS 1.2 PSK handshake, and no moved state is held above
/// it (issue 12: stack). Outside the inlined dispatch, whose frame every
/// message pays.
#[inline(never)]
pub(super) fn server_hello_done<'a, R, P: CryptoProvider>(
    slot: &mut Outer<'a, P>,
    body: &[u8],
    raw: &[u8],
    ctx: &mut Ctx<'_, 'a, R, P>,
) -> Result<Output, Error> {
    let typ = HandshakeType::ServerHelloDone;
    // RFC 4279 §2: without ServerKeyExchange, plain PSK with no hint.
    if let Outer::Tls12(State::ExpectPskServerKeyExchange(_)) = slot {
        slot.advance(|s, next| match s {
            Outer::Tls12(State::ExpectPskServerKeyExchange(s)) => {
                *next = Outer::Tls12(State::ExpectServerHelloDone(s.skip()));
                Ok(Output::None)
            }
            s => Err(s.unexpected(typ)),
        })?;
    }
    let master = match slot {
        Outer::Tls12(State::ExpectServerHelloDone(s)) => s.send_client_flight(body, raw, ctx)?,
        s => return Err(s.unexpected(typ)),
    };
    keys_and_finished(slot, master, ctx)
}

/// After the client's flight: the key block, the state with the keys, and
/// on it the client's ChangeCipherSpec and Finished (RFC 5246 §7.4.9). A
/// frame of its own, so that the key block is not in
/// [`server_hello_done`]'s frame above the flight's signature (issue 12: stack).
#[inline(never)]
fn keys_and_finished<'a, R, P: CryptoProvider>(
    slot: &mut Outer<'a, P>,
    master: MasterSecret12,
    ctx: &mut Ctx<'_, 'a, R, P>,
) -> Result<Output, Error> {
    let typ = HandshakeType::ServerHelloDone;
    let keys = match slot {
        Outer::Tls12(State::ExpectServerHelloDone(s)) => {
            super::key_block(ctx.crypto, &master, &s.n.randoms, s.n.agreed.suite)
        }
        s => return Err(s.unexpected(typ)),
    };
    let out = slot.advance(|s, next| match s {
        Outer::Tls12(State::ExpectServerHelloDone(s)) => s.keyed(master, keys, next),
        s => Err(s.unexpected(typ)),
    })?;
    match slot {
        Outer::Tls12(State::ExpectNewSessionTicket(k) | State::ExpectChangeCipherSpec(k)) => {
            k.send_change_cipher_spec_and_finished(ctx)?;
            Ok(out)
        }
        _ => Err(Error::Internal("no TLS 1.2 keys after the client flight")),
    }
}

impl<P: CryptoProvider> Keyed<P> {
    /// ChangeCipherSpec, then Finished under the new write keys (RFC 5246 §7.4.9).
    #[inline(never)] // a frame of its own: see handshake/state.rs
    pub(super) fn send_change_cipher_spec_and_finished<R>(&mut self, ctx: &mut Ctx<'_, '_, R, P>) -> Result<(), Error> {
        send_ccs(ctx)?;
        let (key, iv) = self.keys.client();
        Protection::install_tls12(ctx.write_prot, ctx.crypto, self.agreed.suite.aead, key, iv);
        let hash = self.transcript.current(ctx.crypto);
        let verify_data = self.master.verify_data(ctx.crypto, false, hash.as_bytes());
        let mut msg = [0u8; 4 + 12];
        let mut w = Writer::new(&mut msg);
        write_handshake(&mut w, HandshakeType::Finished, |w| w.bytes(&verify_data))
            .map_err(|_| Error::Internal("the client Finished does not fit its 16-byte buffer"))?;
        self.transcript.update(ctx.crypto, &msg);
        ctx.out.write_record(ctx.tx, ctx.crypto, ctx.write_prot.as_mut(), ContentType::Handshake, |w| w.bytes(&msg))
    }
}
