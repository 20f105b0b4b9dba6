//! TLS 1.3 client states and transitions (RFC 8446 §2, §4).
//!
//! ```text
//!  start ─► ExpectServerHello ─(HRR, once)─► ExpectServerHello
//!                  │ ServerHello
//!                  ▼
//!        ExpectEncryptedExtensions ─► ExpectCertificate ─► ExpectCertificateVerify
//!                                                                 │
//!                               Connected ◄─ ExpectFinished ◄─────┘
//! ```

use rand_core::CryptoRng;

use super::{HandshakeSummary, Offered, Suite};
use crate::config::ClientConfig;
use crate::crypto::{Secret, Transcript};
use crate::error::{Error, Received};
use crate::key_schedule::HandshakeSecret;
use crate::msgs::enums::{ContentType, HandshakeType, NamedGroup};
use crate::msgs::handshake::{write_handshake, HandshakeMessage};
use crate::msgs::new_session_ticket::NewSessionTicket;
use crate::record::{Outbound, Protection};
use crate::verify::{ServerName, UnixTime};

mod connected;
mod finished;
mod hello;
mod server_auth;

pub(crate) use connected::{Connected, TicketCtx};
pub(crate) use finished::ExpectFinished;
pub(crate) use hello::{start, ExpectServerHello};
use hello::{PskOffer, PskSource};
pub(crate) use server_auth::{ClientAuth, ExpectCertificate, ExpectCertificateVerify, ExpectEncryptedExtensions};

/// Everything a transition may touch besides its own state.
pub(crate) struct Ctx<'x, 'a, R> {
    pub config: &'a ClientConfig<'a>,
    pub server_name: ServerName<'a>,
    pub now: Option<UnixTime>,
    pub rng: &'x mut R,
    pub tx: &'x mut [u8],
    pub out: &'x mut Outbound,
    pub read_prot: &'x mut Option<Protection>,
    pub write_prot: &'x mut Option<Protection>,
}

/// What a transition tells the connection besides the next state.
pub(crate) enum Output<'a> {
    /// Nothing to report.
    None,
    /// Read keys changed: no handshake bytes may remain buffered (§5.1).
    ReadKeyChanged,
    /// The handshake completed (read keys changed too).
    Complete(HandshakeSummary<'a>),
    /// A NewSessionTicket arrived.
    Ticket,
}

/// Keys and transcript shared by the states between ServerHello and Finished.
pub(crate) struct Handshaking {
    pub(super) suite: Suite,
    pub(super) group: Option<NamedGroup>,
    pub(super) transcript: Transcript,
    pub(super) secret: HandshakeSecret,
    pub(super) client_secret: Secret,
    pub(super) server_secret: Secret,
    pub(super) offered: Offered,
    pub(super) hello_retry: bool,
    pub(super) sent_ccs: bool,
    pub(super) psk: Option<PskSource>,
    pub(super) alpn: Option<(u8, u8)>,
    pub(super) client_auth: Option<ClientAuth>,
    pub(super) limit_offer: crate::handshake::limits::LimitOffer,
    pub(super) limits: crate::handshake::limits::Limits,
}

/// The state of the handshake.
pub(crate) enum State<'a> {
    ExpectServerHello(ExpectServerHello<'a>),
    ExpectEncryptedExtensions(ExpectEncryptedExtensions),
    ExpectCertificate(ExpectCertificate),
    ExpectCertificateVerify(ExpectCertificateVerify),
    ExpectFinished(ExpectFinished),
    Connected(Connected),
}

impl<'a> State<'a> {
    /// The message the state waits for, for error messages.
    pub fn expecting(&self) -> &'static str {
        match self {
            State::ExpectServerHello(_) => "ServerHello",
            State::ExpectEncryptedExtensions(_) => "EncryptedExtensions",
            State::ExpectCertificate(_) => "Certificate",
            State::ExpectCertificateVerify(_) => "CertificateVerify",
            State::ExpectFinished(_) => "Finished",
            State::Connected(_) => "NewSessionTicket or KeyUpdate",
        }
    }

    /// The record size limits in force (RFC 8449), once EncryptedExtensions set them.
    pub fn limits(&self) -> crate::handshake::limits::Limits {
        match self {
            State::ExpectServerHello(_) => Default::default(),
            State::ExpectEncryptedExtensions(s) => s.0.limits,
            State::ExpectCertificate(s) => s.hs.limits,
            State::ExpectCertificateVerify(s) => s.hs.limits,
            State::ExpectFinished(s) => s.hs.limits,
            State::Connected(s) => s.limits,
        }
    }

    /// True while an external PSK offer awaits the server's answer.
    pub fn offers_external_psk(&self) -> bool {
        matches!(
            self,
            State::ExpectServerHello(ExpectServerHello {
                psk: Some(PskOffer { source: PskSource::External(_), .. }),
                ..
            })
        )
    }

    /// True while a session ticket offer awaits the server's answer.
    pub fn offers_ticket(&self) -> bool {
        matches!(
            self,
            State::ExpectServerHello(ExpectServerHello {
                psk: Some(PskOffer { source: PskSource::Resumption { .. }, .. }),
                ..
            })
        )
    }

    /// The connected state, if the handshake is complete.
    pub fn connected(&self) -> Option<&Connected> {
        match self {
            State::Connected(c) => Some(c),
            _ => None,
        }
    }

    /// True once the handshake completed.
    pub fn is_connected(&self) -> bool {
        matches!(self, State::Connected(_))
    }

    /// Handles one complete handshake message (`raw` includes its header).
    pub fn handle<R: CryptoRng>(self, raw: &[u8], ctx: &mut Ctx<'_, 'a, R>) -> Result<(State<'a>, Output<'a>), Error> {
        let msg = HandshakeMessage::decode(raw)?;
        let unexpected =
            |s: &State| Error::UnexpectedMessage { expected: s.expecting(), got: Received::Handshake(msg.typ) };
        match (self, msg.typ) {
            (State::ExpectServerHello(s), HandshakeType::ServerHello) => s.handle(msg.body, raw, ctx),
            (State::ExpectEncryptedExtensions(s), HandshakeType::EncryptedExtensions) => s.handle(msg.body, raw, ctx),
            (State::ExpectCertificate(s), HandshakeType::Certificate) => s.handle(msg.body, raw, ctx),
            (State::ExpectCertificate(s), HandshakeType::CertificateRequest) if s.hs.client_auth.is_none() => {
                s.certificate_request(msg.body, raw, ctx)
            }
            (State::ExpectCertificateVerify(s), HandshakeType::CertificateVerify) => s.handle(msg.body, raw),
            (State::ExpectFinished(s), HandshakeType::Finished) => s.handle(msg.body, raw, ctx),
            (State::Connected(s), HandshakeType::NewSessionTicket) => {
                // §4.6.1: a lifetime of zero means discard it at once.
                match NewSessionTicket::decode(msg.body)?.lifetime {
                    0 => Ok((State::Connected(s), Output::None)),
                    _ => Ok((State::Connected(s), Output::Ticket)),
                }
            }
            (State::Connected(s), HandshakeType::KeyUpdate) => s.key_update(msg.body, ctx),
            (s, _) => Err(unexpected(&s)),
        }
    }
}

pub(super) fn send_handshake<R>(
    ctx: &mut Ctx<'_, '_, R>,
    typ: HandshakeType,
    body: impl FnOnce(&mut crate::codec::Writer<'_>) -> Result<(), crate::codec::WriteError>,
) -> Result<usize, Error> {
    ctx.out.write_record(ctx.tx, ctx.write_prot.as_mut(), ContentType::Handshake, |w| write_handshake(w, typ, body))
}

pub(super) fn send_ccs<R>(ctx: &mut Ctx<'_, '_, R>) -> Result<(), Error> {
    ctx.out.write_record(ctx.tx, None, ContentType::ChangeCipherSpec, |w| w.u8(1)).map(|_| ())
}
