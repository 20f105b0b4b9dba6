//! The end of the handshake: NewSessionTicket (RFC 5077 §3.3), the
//! server's Finished (RFC 5246 §7.4.9), and HelloRequest once connected
//! (RFC 5246 §7.4.1.1, RFC 5746 §4.2).

use subtle::ConstantTimeEq;

use super::{Connected, Keyed, State};
use crate::config::ClientConfig;
use crate::crypto::CryptoProvider;
use crate::error::Error;
use crate::handshake::shared::chosen_alpn;
use crate::handshake::state::{self, Ctx, Output};
use crate::handshake::HandshakeSummary;
use crate::msgs::enums::{AlertDescription, ContentType, HandshakeType, ProtocolVersion};
use crate::msgs::tls12::NewSessionTicket12;
use crate::verify::ServerName;

/// The server's Finished: checked (and, resumed, answered) on the stored
/// state, then the connected state replaces it. Outside the inlined
/// dispatch, whose frame every message pays (issue 12: stack).
#[inline(never)]
pub(super) fn finished<'a, R, P: CryptoProvider>(
    slot: &mut state::State<'a, P>,
    body: &[u8],
    raw: &[u8],
    ctx: &mut Ctx<'_, 'a, R, P>,
) -> Result<Output, Error> {
    let typ = HandshakeType::Finished;
    match slot {
        state::State::Tls12(State::ExpectFinished(k)) => k.check_finished(body, raw, ctx)?,
        s => return Err(s.unexpected(typ)),
    }
    slot.advance(|s, next| match s {
        state::State::Tls12(State::ExpectFinished(k)) => k.finished(next),
        s => Err(s.unexpected(typ)),
    })
}

impl<P: CryptoProvider> Keyed<P> {
    /// A NewSessionTicket: announced to the caller if it holds a ticket.
    #[inline(never)] // a frame of its own: see handshake/state.rs
    pub(super) fn new_session_ticket(
        mut self,
        body: &[u8],
        raw: &[u8],
        crypto: &mut P,
        slot: &mut state::State<'_, P>,
    ) -> Result<Output, Error> {
        let nst = NewSessionTicket12::decode(body)?;
        self.transcript.update(crypto, raw);
        // RFC 5077 §3.3: an empty ticket means none will be issued. Sessions
        // without the extended master secret are not kept (RFC 7627 §5.3).
        let keep = !nst.ticket.is_empty() && self.ems;
        self.ticket_announced = keep;
        *slot = state::State::Tls12(State::ExpectChangeCipherSpec(self));
        Ok(if keep { Output::Ticket } else { Output::None })
    }

    /// The server's Finished, checked on the stored state; in a resumed
    /// handshake the client's ChangeCipherSpec and Finished follow it. In
    /// place, so that no moved state is held above the sealing of the
    /// client's Finished (issue 12: stack); [`Keyed::finished`] then makes
    /// the connected state.
    #[inline(never)]
    pub(super) fn check_finished<R>(
        &mut self,
        body: &[u8],
        raw: &[u8],
        ctx: &mut Ctx<'_, '_, R, P>,
    ) -> Result<(), Error> {
        let hash = self.transcript.current(ctx.crypto);
        let expected = self.master.verify_data(ctx.crypto, true, hash.as_bytes());
        if !bool::from(expected.ct_eq(body)) {
            return Err(Error::BadFinished);
        }
        self.transcript.update(ctx.crypto, raw);
        if self.resumed {
            self.send_change_cipher_spec_and_finished(ctx)?;
        }
        Ok(())
    }

    /// After [`Keyed::check_finished`]: the handshake is complete.
    #[inline(never)] // a frame of its own: see handshake/state.rs
    pub(super) fn finished(self, slot: &mut state::State<'_, P>) -> Result<Output, Error> {
        // A session ID (no ticket) from a full handshake with the extended
        // master secret is offered to the caller to keep.
        let announce_session =
            !self.resumed && !self.ticket_announced && self.ems && !self.agreed.session_id.is_empty();
        let c = Connected {
            agreed: self.agreed,
            trust: self.trust,
            randoms: self.randoms,
            master: self.master,
            client_auth: self.client_auth,
            announce_session,
            ems: self.ems,
            resumed: self.resumed,
        };
        *slot = state::State::Tls12(State::Connected(c));
        Ok(Output::Complete)
    }
}

impl Connected {
    /// What was negotiated (RFC 5246 §7.4.1.3, RFC 6066 §4, RFC 8449 §4).
    pub(crate) fn summary<'a>(
        &self,
        config: &'a ClientConfig<'a>,
        server_name: ServerName<'a>,
    ) -> HandshakeSummary<'a> {
        let a = &self.agreed;
        HandshakeSummary {
            version: ProtocolVersion::Tls12,
            cipher_suite: a.suite.id,
            group: a.group,
            alpn: chosen_alpn(&config.alpn, a.alpn),
            server_name,
            trust: self.trust,
            hello_retry: false,
            max_fragment: a.limits.recv.map(|r| r.min(a.limits.send)),
            resumed: self.resumed,
        }
    }

    /// RFC 5746 §4.2: a client that does not renegotiate answers a
    /// HelloRequest with a warning no_renegotiation alert.
    #[inline(never)] // a frame of its own: see handshake/state.rs
    pub(super) fn hello_request<R, P: CryptoProvider>(
        &self,
        body: &[u8],
        ctx: &mut Ctx<'_, '_, R, P>,
    ) -> Result<Output, Error> {
        if !body.is_empty() {
            return Err(Error::Decode { what: "HelloRequest (must be empty)" });
        }
        ctx.out.write_record(ctx.tx, ctx.crypto, ctx.write_prot.as_mut(), ContentType::Alert, |w| {
            w.u8(1)?;
            w.u8(AlertDescription::NoRenegotiation.to_wire())
        })?;
        Ok(Output::None)
    }
}
