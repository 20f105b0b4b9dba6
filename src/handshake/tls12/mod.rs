//! TLS 1.2 client states and transitions (RFC 5246 §7.3), entered from a
//! TLS 1.2 ServerHello.
//!
//! ```text
//!  ServerHello ─► ExpectCertificate ─► ExpectServerKeyExchange ─► ExpectServerHelloDone
//!      │  (PSK suites: ExpectPskServerKeyExchange, which plain PSK may skip)    │
//!      │                                              client flight: [Certificate,]
//!      │ (session resumed)                            ClientKeyExchange, [CertificateVerify,]
//!      ▼                                              ChangeCipherSpec, Finished
//!  [ExpectNewSessionTicket] ─► ExpectChangeCipherSpec ─► ExpectFinished ─► Connected
//!                                                        (resumed: client CCS, Finished)
//! ```

mod client_flight;
mod finish;
mod server_flight;
mod server_hello;

use rand_core::CryptoRng;

use super::limits::Limits;
use super::state::{transition, State as Outer};
use super::state::{Ctx, Output};
use super::{KeyExchange, Suite};
use crate::crypto::CryptoProvider;
use crate::crypto::{KeyShare, Transcript};
use crate::error::Error;
use crate::key_schedule::tls12::{KeyBlock, MasterSecret12};
use crate::msgs::enums::{ContentType, HandshakeType, NamedGroup};
use crate::msgs::handshake::HandshakeMessage;
use crate::ticket::SessionTicket;
use crate::verify::Trust;

pub(crate) use server_hello::server_hello;

/// Handles one handshake message in a TLS 1.2 state (`slot` holds
/// [`super::state::State::Tls12`]); each transition runs in its own frame
/// ([`super::state::State::advance`]).
// Inlined into `State::handle`: a dispatch frame of its own measured 552 bytes more (issue 12).
#[inline(always)]
pub(crate) fn handle<'a, R: CryptoRng, P: CryptoProvider>(
    slot: &mut Outer<'a, P>,
    msg: HandshakeMessage<'_>,
    raw: &[u8],
    ctx: &mut Ctx<'_, 'a, R, P>,
) -> Result<Output, Error> {
    use HandshakeType as H;
    let (typ, body) = (msg.typ, msg.body);
    let Outer::Tls12(state) = &*slot else { return Err(slot.unexpected(typ)) };
    match (state, typ) {
        // RFC 5246 §7.4.1.1: ignored while negotiating; refused afterwards.
        (State::Connected(_), H::HelloRequest) => match slot {
            Outer::Tls12(State::Connected(c)) => c.hello_request(body, ctx),
            s => Err(s.unexpected(typ)),
        },
        (_, H::HelloRequest) if !body.is_empty() => Err(slot.unexpected(typ)),
        (_, H::HelloRequest) => Ok(Output::None),
        // Checks that borrow the state run from this small frame, before the
        // transition moves it: verification is the deepest work (issue 12).
        (State::ExpectCertificate(n), H::Certificate) => {
            let checked = n.check_certificate(body, ctx);
            let Ok(proof) = &checked else { return checked.map(|_| Output::None) };
            transition!(slot, typ, |next| Outer::Tls12(State::ExpectCertificate(n)) => n.certificate(proof, raw, ctx.crypto, next))
        }
        (State::ExpectServerKeyExchange(s), H::ServerKeyExchange) => {
            let checked = s.check(body, ctx);
            let Ok(checked) = &checked else { return checked.map(|_| Output::None) };
            transition!(slot, typ, |next| Outer::Tls12(State::ExpectServerKeyExchange(s)) =>
                s.handle(checked, raw, ctx.crypto, next))
        }
        (State::ExpectPskServerKeyExchange(_), H::ServerKeyExchange) => {
            server_flight::psk_server_key_exchange(slot, body, raw, ctx)
        }
        // RFC 4279 §2: a PSK server without a hint may skip ServerKeyExchange.
        (State::ExpectPskServerKeyExchange(s), H::ServerHelloDone) if s.n.kx == KeyExchange::Psk => {
            client_flight::server_hello_done(slot, body, raw, ctx)
        }
        (State::ExpectServerHelloDone(s), H::CertificateRequest) if s.client_auth.is_none() && !s.n.kx.is_psk() => {
            transition!(slot, typ, |next| Outer::Tls12(State::ExpectServerHelloDone(s)) =>
                s.certificate_request(body, raw, ctx, next))
        }
        (State::ExpectServerHelloDone(_), H::ServerHelloDone) => client_flight::server_hello_done(slot, body, raw, ctx),
        (State::ExpectNewSessionTicket(_), H::NewSessionTicket) => {
            transition!(slot, typ, |next| Outer::Tls12(State::ExpectNewSessionTicket(k)) =>
                k.new_session_ticket(body, raw, ctx.crypto, next))
        }
        (State::ExpectFinished(_), H::Finished) => finish::finished(slot, body, raw, ctx),
        _ => Err(slot.unexpected(typ)),
    }
}

/// A change_cipher_spec record (RFC 5246 §7.1): the server's write keys
/// become our read keys. Installed on the stored state (the AES key
/// schedule runs deep); only then is the state moved on (issue 12: stack).
#[inline(never)]
pub(crate) fn change_cipher_spec<'a, R, P: CryptoProvider>(
    slot: &mut Outer<'a, P>,
    ctx: &mut Ctx<'_, 'a, R, P>,
) -> Result<Output, Error> {
    match slot {
        Outer::Tls12(State::ExpectChangeCipherSpec(k)) => {
            let (key, iv) = k.keys.server();
            ctx.read_prot.install_tls12(ctx.crypto, k.agreed.suite.aead, key, iv);
        }
        s => return Err(s.unexpected_record(ContentType::ChangeCipherSpec)),
    }
    slot.advance(|s, next| match s {
        Outer::Tls12(State::ExpectChangeCipherSpec(k)) => {
            *next = Outer::Tls12(State::ExpectFinished(k));
            Ok(Output::None)
        }
        s => Err(s.unexpected_record(ContentType::ChangeCipherSpec)),
    })
}

/// Longest psk_identity_hint kept for [`crate::Client::psk_identity_hint`].
pub const MAX_PSK_HINT: usize = 64;

/// Default lifetime of a TLS 1.2 session whose server gave no hint: two
/// hours, OpenSSL's and mbedTLS's default session timeout.
const DEFAULT_SESSION_LIFETIME: u32 = 7200;

/// What the handshake settled besides keys, carried from ServerHello to
/// the connected state.
pub(crate) struct Agreed {
    suite: Suite,
    /// The server's session ID (for resumption by ID).
    session_id: heapless::Vec<u8, 32>,
    alpn: Option<(u8, u8)>,
    limits: Limits,
    group: Option<NamedGroup>,
    hint: heapless::Vec<u8, MAX_PSK_HINT>,
}

/// A full handshake between ServerHello and ServerHelloDone.
pub(crate) struct Negotiated<P: CryptoProvider> {
    agreed: Agreed,
    kx: KeyExchange,
    transcript: Transcript<P>,
    /// client_random || server_random.
    randoms: [u8; 64],
    /// The key share offered for TLS 1.3, reused if the server picks its group.
    key_share: Option<KeyShare<P>>,
    ems: bool,
    ticket_expected: bool,
}

/// After the master secret is known: the last messages of either flow.
pub(crate) struct Keyed<P: CryptoProvider> {
    agreed: Agreed,
    /// How the server was authenticated: its certificate (decided once, at
    /// Certificate), the PSK, or the resumed session's.
    trust: Trust,
    transcript: Transcript<P>,
    randoms: [u8; 64],
    master: MasterSecret12,
    /// Both directions' write keys, from [`key_block`].
    keys: KeyBlock,
    resumed: bool,
    ems: bool,
    client_auth: Option<Option<usize>>,
    /// A ticket was announced in this handshake (Event::SessionTicket).
    ticket_announced: bool,
}

/// The handshake is complete; application traffic flows.
pub(crate) struct Connected {
    agreed: Agreed,
    trust: Trust,
    randoms: [u8; 64],
    master: MasterSecret12,
    client_auth: Option<Option<usize>>,
    /// A session ID the caller may keep for resumption is announced once.
    announce_session: bool,
    /// The master secret is the extended one (RFC 7627).
    ems: bool,
    /// An abbreviated handshake resumed a session (RFC 5246 §7.3, RFC 5077 §3.1).
    resumed: bool,
}

/// The TLS 1.2 states.
pub(crate) enum State<P: CryptoProvider> {
    ExpectCertificate(Negotiated<P>),
    ExpectServerKeyExchange(server_flight::ExpectServerKeyExchange<P>),
    ExpectPskServerKeyExchange(server_flight::ExpectPskServerKeyExchange<P>),
    ExpectServerHelloDone(server_flight::ExpectServerHelloDone<P>),
    ExpectNewSessionTicket(Keyed<P>),
    ExpectChangeCipherSpec(Keyed<P>),
    ExpectFinished(Keyed<P>),
    Connected(Connected),
}

impl<P: CryptoProvider> State<P> {
    /// The message the state waits for, for error messages.
    pub fn expecting(&self) -> &'static str {
        match self {
            State::ExpectCertificate(_) => "Certificate",
            State::ExpectServerKeyExchange(_) => "ServerKeyExchange",
            State::ExpectPskServerKeyExchange(_) => "ServerKeyExchange or ServerHelloDone",
            State::ExpectServerHelloDone(_) => "CertificateRequest or ServerHelloDone",
            State::ExpectNewSessionTicket(_) => "NewSessionTicket",
            State::ExpectChangeCipherSpec(_) => "ChangeCipherSpec",
            State::ExpectFinished(_) => "Finished",
            State::Connected(_) => "application data (TLS 1.2 allows no handshake message after the handshake)",
        }
    }

    fn agreed(&self) -> &Agreed {
        match self {
            State::ExpectCertificate(n) => &n.agreed,
            State::ExpectServerKeyExchange(s) => &s.n.agreed,
            State::ExpectPskServerKeyExchange(s) => &s.n.agreed,
            State::ExpectServerHelloDone(s) => &s.n.agreed,
            State::ExpectNewSessionTicket(k) | State::ExpectChangeCipherSpec(k) | State::ExpectFinished(k) => &k.agreed,
            State::Connected(c) => &c.agreed,
        }
    }

    /// The record size limits agreed in ServerHello.
    pub fn limits(&self) -> Limits {
        self.agreed().limits
    }

    fn suite(&self) -> Suite {
        self.agreed().suite
    }

    /// True for a PSK suite until the server's Finished proved the key.
    pub fn awaits_psk_proof(&self) -> bool {
        !self.is_connected() && self.suite().kx.is_some_and(KeyExchange::is_psk)
    }

    /// True for a resumed session until the server's Finished proved it.
    pub fn awaits_resumption_proof(&self) -> bool {
        match self {
            State::ExpectNewSessionTicket(k) | State::ExpectChangeCipherSpec(k) | State::ExpectFinished(k) => k.resumed,
            _ => false,
        }
    }

    /// True once the handshake completed.
    pub fn is_connected(&self) -> bool {
        matches!(self, State::Connected(_))
    }

    /// See [`super::state::State::summary`].
    pub fn summary<'a>(
        &self,
        config: &'a crate::config::ClientConfig<'a>,
        server_name: crate::verify::ServerName<'a>,
    ) -> Option<crate::handshake::HandshakeSummary<'a>> {
        match self {
            State::Connected(c) => Some(c.summary(config, server_name)),
            _ => None,
        }
    }

    /// See [`super::state::State::client_auth`].
    pub fn client_auth(&self) -> Option<Option<usize>> {
        match self {
            State::ExpectNewSessionTicket(k) | State::ExpectChangeCipherSpec(k) | State::ExpectFinished(k) => {
                k.client_auth
            }
            State::Connected(c) => c.client_auth,
            _ => None,
        }
    }

    /// The psk_identity_hint the server sent (RFC 4279 §2), if any.
    pub fn psk_identity_hint(&self) -> Option<&[u8]> {
        let hint = &self.agreed().hint;
        (!hint.is_empty()).then_some(hint.as_slice())
    }

    /// True (once) when a completed handshake left a session ID to keep.
    pub fn take_session_announcement(&mut self) -> bool {
        match self {
            State::Connected(c) => core::mem::take(&mut c.announce_session),
            _ => false,
        }
    }

    /// Serializes the session for resumption: from the NewSessionTicket
    /// just received (`nst_body`), or the session ID of a completed handshake.
    pub fn store_session(
        &self,
        nst_body: Option<&[u8]>,
        ctx: &super::shared::TicketCtx<'_>,
        out: &mut [u8],
    ) -> Result<usize, Error> {
        let (master, trust) = match self {
            State::ExpectChangeCipherSpec(k) => (&k.master, k.trust),
            State::Connected(c) => (&c.master, c.trust),
            _ => return Err(Error::Api("session_ticket() is only valid right after Event::SessionTicket")),
        };
        let Agreed { suite, alpn, .. } = *self.agreed();
        let (ticket, session_id, lifetime) = match (nst_body, self) {
            (Some(body), _) => {
                let nst = crate::msgs::tls12::NewSessionTicket12::decode(body)?;
                (nst.ticket, &[][..], nst.lifetime_hint)
            }
            (None, State::Connected(c)) => (&[][..], c.agreed.session_id.as_slice(), 0),
            _ => return Err(Error::Api("session_ticket() is only valid right after Event::SessionTicket")),
        };
        let lifetime = if lifetime == 0 { DEFAULT_SESSION_LIFETIME } else { lifetime };
        let alpn = super::shared::chosen_alpn(ctx.alpn, alpn).unwrap_or(&[]);
        let id = ctx.config.session_trust_id(trust);
        let t = SessionTicket::tls12(
            suite.id,
            lifetime,
            ctx.issued_at,
            (trust, id.as_ref()),
            master.as_bytes(),
            ticket,
            session_id,
            ctx.server_name,
            alpn,
        );
        let mut w = crate::codec::Writer::new(out);
        t.encode(&mut w).map_err(|_| Error::Api("the buffer for the session ticket is too small"))?;
        Ok(w.len())
    }

    /// Keying material exporter (RFC 5705, with the context always given);
    /// `None` before the handshake completed. Refused without the extended
    /// master secret (RFC 7627 §5.4: "MUST disable [RFC5705]").
    pub fn export(&self, crypto: &mut P, label: &[u8], context: &[u8], out: &mut [u8]) -> Option<Result<(), Error>> {
        match self {
            State::Connected(c) if !c.ems => Some(Err(Error::Api(
                "export_keying_material() is refused: this TLS 1.2 connection has no extended master secret (allowed by danger_allow_tls12_without_extended_master_secret), so a man in the middle can share its keys (RFC 7627 §5.4); use TLS 1.3 or a server with the extended master secret",
            ))),
            State::Connected(c) => {
                c.master.export(crypto, &c.randoms, label, Some(context), out);
                Some(Ok(()))
            }
            _ => None,
        }
    }
}

/// The connection's key block (RFC 5246 §6.3), made once when the master
/// secret is: the client's half is installed at its ChangeCipherSpec, the
/// server's at the server's, in either order.
#[inline(never)]
fn key_block<P: CryptoProvider>(crypto: &mut P, master: &MasterSecret12, randoms: &[u8; 64], suite: Suite) -> KeyBlock {
    let mut sc = [0u8; 64];
    sc[..32].copy_from_slice(&randoms[32..]);
    sc[32..].copy_from_slice(&randoms[..32]);
    master.key_block(crypto, &sc, suite.aead.key_len(), suite.tls12_iv_len())
}
