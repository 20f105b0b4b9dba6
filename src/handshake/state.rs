//! The handshake state of one connection, and what a transition may touch.
//!
//! Each state holds only what is valid at that point; each transition
//! consumes its state, or, where deep work (keys, sealing a flight) runs
//! below it, does that work on the state where it is stored and then
//! replaces or moves it (issue 12: stack). A message with no transition
//! from the current state ends in [`Error::UnexpectedMessage`] (alert
//! unexpected_message).

use rand_core::CryptoRng;

use super::hello::{ExpectServerHello, PskOffer, PskSource};
use super::limits::Limits;
use super::tls12;
use super::tls13::{Connected, ExpectCertificate, ExpectCertificateVerify, ExpectEncryptedExtensions, ExpectFinished};
use super::HandshakeSummary;
use crate::config::ClientConfig;
use crate::crypto::CryptoProvider;
use crate::error::{Error, Received};
use crate::msgs::enums::{ContentType, HandshakeType};
use crate::msgs::handshake::{write_handshake, HandshakeMessage};
use crate::record::{Outbound, Protection, ReadKeys};
use crate::verify::{ServerName, UnixTime};

/// Everything a transition may touch besides its own state.
pub(crate) struct Ctx<'x, 'a, R, P: CryptoProvider> {
    pub config: &'a ClientConfig<'a>,
    pub server_name: ServerName<'a>,
    pub now: Option<UnixTime>,
    pub rng: &'x mut R,
    /// The connection's crypto provider.
    pub crypto: &'x mut P,
    pub tx: &'x mut [u8],
    pub out: &'x mut Outbound,
    /// Installing a read key is marked; see [`ReadKeys`].
    pub read_prot: ReadKeys<'x, P>,
    pub write_prot: &'x mut Option<Protection<P>>,
}

/// What writing a ClientHello may touch: no record keys, as a ClientHello
/// is sent in plaintext (RFC 8446 §5). [`Client::new`](crate::Client::new)
/// writes the first one before the client it returns exists (issue 12: stack).
pub(crate) struct HelloCtx<'x, 'a, R, P> {
    pub config: &'a ClientConfig<'a>,
    pub server_name: ServerName<'a>,
    pub now: Option<UnixTime>,
    pub rng: &'x mut R,
    pub crypto: &'x mut P,
    pub tx: &'x mut [u8],
    pub out: &'x mut Outbound,
}

impl<'x, 'a, R, P: CryptoProvider> Ctx<'x, 'a, R, P> {
    /// The part of the context a ClientHello needs.
    pub fn hello(&mut self) -> HelloCtx<'_, 'a, R, P> {
        HelloCtx {
            config: self.config,
            server_name: self.server_name,
            now: self.now,
            rng: self.rng,
            crypto: self.crypto,
            tx: self.tx,
            out: self.out,
        }
    }
}

/// What a transition tells the connection besides the next state.
pub(crate) enum Output {
    /// Nothing to report.
    None,
    /// The handshake completed; its summary is read from the connected
    /// state ([`State::summary`]), not carried up through every frame.
    Complete,
    /// A NewSessionTicket arrived.
    Ticket,
}

/// The state of the handshake.
#[allow(clippy::large_enum_variant)] // no heap: one slot in the client holds every state (FOOTPRINT.md)
pub(crate) enum State<'a, P: CryptoProvider> {
    /// The ClientHello went out; the server's answer picks the version.
    ExpectServerHello(ExpectServerHello<'a, P>),
    /// TLS 1.3 (RFC 8446 §4).
    ExpectEncryptedExtensions(ExpectEncryptedExtensions<P>),
    /// TLS 1.3.
    ExpectCertificate(ExpectCertificate<P>),
    /// TLS 1.3.
    ExpectCertificateVerify(ExpectCertificateVerify<P>),
    /// TLS 1.3.
    ExpectFinished(ExpectFinished<P>),
    /// TLS 1.3.
    Connected(Connected),
    /// TLS 1.2 (RFC 5246 §7.3), after a TLS 1.2 ServerHello.
    Tls12(tls12::State<P>),
    /// Only while a transition runs (see [`State::advance`]), or after it
    /// failed: the connection is then dead.
    Transition,
}

/// Runs the transition `$call` on the state matched by `$pat` in a frame of
/// its own ([`State::advance`]); the caller has already matched `$slot`
/// against `$pat`, so the other arm only names the message it got.
macro_rules! transition {
    ($slot:expr, $got:expr, |$next:ident| $pat:pat => $call:expr) => {
        $slot.advance(|s, $next| match s {
            $pat => $call,
            s => Err(s.unexpected($got)),
        })
    };
}
pub(crate) use transition;

impl<'a, P: CryptoProvider> State<'a, P> {
    /// The message the state waits for, for error messages.
    pub fn expecting(&self) -> &'static str {
        match self {
            State::ExpectServerHello(_) => "ServerHello",
            State::ExpectEncryptedExtensions(_) => "EncryptedExtensions",
            State::ExpectCertificate(_) => "Certificate",
            State::ExpectCertificateVerify(_) => "CertificateVerify",
            State::ExpectFinished(_) => "Finished",
            State::Connected(_) => "NewSessionTicket or KeyUpdate",
            State::Tls12(s) => s.expecting(),
            State::Transition => "nothing (the connection failed)",
        }
    }

    /// The record size limits in force (RFC 8449, RFC 6066).
    pub fn limits(&self) -> Limits {
        match self {
            State::ExpectServerHello(_) => Default::default(),
            State::ExpectEncryptedExtensions(s) => s.0.limits,
            State::ExpectCertificate(s) => s.hs.limits,
            State::ExpectCertificateVerify(s) => s.hs.limits,
            State::ExpectFinished(s) => s.hs.limits,
            State::Connected(s) => s.limits,
            State::Tls12(s) => s.limits(),
            State::Transition => Default::default(),
        }
    }

    /// True while an external PSK offer awaits the server's answer: in
    /// TLS 1.3 until ServerHello, in TLS 1.2 until the server's Finished.
    pub fn offers_external_psk(&self) -> bool {
        match self {
            State::ExpectServerHello(ExpectServerHello {
                psk: Some(PskOffer { source: PskSource::External(_), .. }),
                ..
            }) => true,
            State::Tls12(s) => s.awaits_psk_proof(),
            _ => false,
        }
    }

    /// True while a session ticket offer awaits the server's answer.
    pub fn offers_ticket(&self) -> bool {
        match self {
            State::ExpectServerHello(ExpectServerHello {
                psk: Some(PskOffer { source: PskSource::Resumption { .. }, .. }),
                ..
            }) => true,
            State::ExpectServerHello(s) => s.tls12_session.is_some(),
            State::Tls12(s) => s.awaits_resumption_proof(),
            _ => false,
        }
    }

    /// True once the handshake completed.
    pub fn is_connected(&self) -> bool {
        match self {
            State::Connected(_) => true,
            State::Tls12(s) => s.is_connected(),
            _ => false,
        }
    }

    /// What the handshake negotiated, once connected (`None` before).
    pub fn summary(&self, config: &'a ClientConfig<'a>, server_name: ServerName<'a>) -> Option<HandshakeSummary<'a>> {
        match self {
            State::Connected(c) => Some(c.summary(config, server_name)),
            State::Tls12(s) => s.summary(config, server_name),
            _ => None,
        }
    }

    /// `Some(sent)` if the server asked for a client certificate: `sent` is
    /// the index of the identity that answered, `None` if an empty one was sent.
    pub fn client_auth(&self) -> Option<Option<usize>> {
        match self {
            State::Connected(c) => c.client_auth(),
            State::Tls12(s) => s.client_auth(),
            _ => None,
        }
    }

    /// True (once) when a completed TLS 1.2 handshake left a session ID to keep.
    pub fn take_session_announcement(&mut self) -> bool {
        match self {
            State::Tls12(s) => s.take_session_announcement(),
            _ => false,
        }
    }

    /// Handles one complete handshake message (`raw` includes its header),
    /// changing the state in place.
    ///
    /// The dispatch below holds no state value: each transition runs in a
    /// frame of its own ([`State::advance`]), so a handshake's stack is the
    /// deepest single transition, not the sum of every transition's
    /// temporaries (issue 12: a microcontroller task has 4-10 KB of stack).
    /// ServerHello and the server's Finished (TLS 1.3), under which keys
    /// are derived and the client's flight is sealed, work on the state
    /// where it is stored instead (no moved copy); so do the TLS 1.2
    /// transitions with deep work (see tls12::handle).
    pub fn handle<R: CryptoRng>(&mut self, raw: &[u8], ctx: &mut Ctx<'_, 'a, R, P>) -> Result<Output, Error> {
        use HandshakeType as H;
        let msg = HandshakeMessage::decode(raw)?;
        let body = msg.body;
        match (&*self, msg.typ) {
            (State::ExpectServerHello(_), H::ServerHello) => ExpectServerHello::handle(self, body, raw, ctx),
            (State::ExpectEncryptedExtensions(_), H::EncryptedExtensions) => {
                transition!(self, msg.typ, |next| State::ExpectEncryptedExtensions(s) => s.handle(body, raw, ctx, next))
            }
            // Checks that borrow the state run from this small frame, before
            // the transition moves it: verification is the deepest work.
            // The check's result stays where it was returned, borrowed by the
            // transition: no second copy of it beside the verification.
            (State::ExpectCertificate(s), H::Certificate) => {
                let checked = s.check(body, ctx);
                let Ok(proof) = &checked else { return checked.map(|_| Output::None) };
                transition!(self, msg.typ, |next| State::ExpectCertificate(s) => s.handle(proof, raw, ctx.crypto, next))
            }
            (State::ExpectCertificate(s), H::CertificateRequest) if s.hs.client_auth.is_none() => {
                transition!(self, msg.typ, |next| State::ExpectCertificate(s) =>
                    s.certificate_request(body, raw, ctx, next))
            }
            (State::ExpectCertificateVerify(s), H::CertificateVerify) => {
                s.check(body, ctx.crypto)?;
                transition!(self, msg.typ, |next| State::ExpectCertificateVerify(s) => s.handle(raw, ctx.crypto, next))
            }
            (State::ExpectFinished(_), H::Finished) => ExpectFinished::handle(self, body, raw, ctx),
            (State::Connected(_), H::NewSessionTicket) => Connected::new_session_ticket(body),
            (State::Connected(_), H::KeyUpdate) => match self {
                State::Connected(s) => s.key_update(body, ctx),
                s => Err(s.unexpected(msg.typ)),
            },
            (State::Tls12(_), _) => tls12::handle(self, msg, raw, ctx),
            (s, _) => Err(s.unexpected(msg.typ)),
        }
    }

    /// The error for a handshake message of type `got` that this state has no transition for.
    pub(crate) fn unexpected(&self, got: HandshakeType) -> Error {
        Error::UnexpectedMessage { expected: self.expecting(), got: Received::Handshake(got) }
    }

    /// The error for a record of type `got` that this state has no transition for.
    pub(crate) fn unexpected_record(&self, got: ContentType) -> Error {
        Error::UnexpectedMessage { expected: self.expecting(), got: Received::Record(got) }
    }

    /// Runs one transition: moves the state out of `self` (leaving
    /// [`State::Transition`] should it fail), lets `f` consume it and stores
    /// the state `f` returns. Never inlined, so the values a transition moves
    /// live only in this frame and only while it runs.
    #[inline(never)]
    pub(crate) fn advance(
        &mut self,
        f: impl FnOnce(State<'a, P>, &mut State<'a, P>) -> Result<Output, Error>,
    ) -> Result<Output, Error> {
        let current = core::mem::replace(self, State::Transition);
        f(current, self)
    }

    /// A change_cipher_spec record arrived (RFC 5246 §7.1). TLS 1.3 drops
    /// the compatibility one during the handshake (RFC 8446 §5); TLS 1.2
    /// switches the read keys.
    pub fn change_cipher_spec<R>(&mut self, ctx: &mut Ctx<'_, 'a, R, P>) -> Result<Output, Error> {
        match self {
            State::Tls12(_) => tls12::change_cipher_spec(self, ctx),
            State::Connected(_) => Err(crate::error::Misbehavior::BadChangeCipherSpec.into()),
            _ => Ok(Output::None),
        }
    }
}

/// Writes one handshake message in its own record.
pub(crate) fn send_handshake<R, P: CryptoProvider>(
    ctx: &mut Ctx<'_, '_, R, P>,
    typ: HandshakeType,
    body: impl FnOnce(&mut crate::codec::Writer<'_>) -> Result<(), crate::codec::WriteError>,
) -> Result<(), Error> {
    ctx.out.write_record(ctx.tx, ctx.crypto, ctx.write_prot.as_mut(), ContentType::Handshake, |w| {
        write_handshake(w, typ, body)
    })
}

/// Writes a client flight whose contents need the provider as they are
/// written (transcript hashes, key derivation, a client signature), in one
/// or more handshake records. A frame of its own, like
/// [`Outbound::write_record`], so the transition that calls it keeps a small one.
#[inline(never)]
pub(crate) fn send_flight<R, P: CryptoProvider, T>(
    ctx: &mut Ctx<'_, '_, R, P>,
    fill: impl FnOnce(&mut crate::codec::Writer<'_>, &mut P) -> Result<T, crate::record::FillError>,
) -> Result<T, Error> {
    let crypto = &mut *ctx.crypto;
    let (staged, value) = ctx.out.stage(ctx.tx, ctx.write_prot.as_ref(), |w| fill(w, crypto))?;
    ctx.out.commit(ctx.tx, ctx.crypto, ctx.write_prot.as_mut(), ContentType::Handshake, staged)?;
    Ok(value)
}

/// Writes a change_cipher_spec record (always plaintext).
pub(crate) fn send_ccs<R, P: CryptoProvider>(ctx: &mut Ctx<'_, '_, R, P>) -> Result<(), Error> {
    ctx.out.write_record(ctx.tx, ctx.crypto, None, ContentType::ChangeCipherSpec, |w| w.u8(1))
}
