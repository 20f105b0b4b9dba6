//! ClientHello, HelloRetryRequest and ServerHello (RFC 8446 §4.1), with PSK
//! offers (§4.2.11). One ClientHello may offer TLS 1.3 and TLS 1.2 (RFC 8446
//! §4.2.1, RFC 5246 §7.4.1.2); the ServerHello decides which state machine follows.

use rand_core::CryptoRng;

use super::state::{send_ccs, Ctx, HelloCtx, Output, State};
use super::tls13::{ExpectEncryptedExtensions, Handshaking};
use crate::codec::Writer;
use crate::config::ClientConfig;
use crate::config::SIGNATURE_SCHEMES;
use crate::crypto::CryptoProvider;
use crate::crypto::{HashAlg, KeyShare, Transcript};
use crate::error::{Error, Incompatibility, Misbehavior};
use crate::handshake::limits::{LimitOffer, Limits};
use crate::handshake::{KeyExchange, Offered, Suite};
use crate::key_schedule::{psk_binder, EarlySecret};
use crate::msgs::client_hello::{ClientHelloParams, PskIdentity, Tls12Offer, PSK_DHE_KE, PSK_KE};
use crate::msgs::enums::{CipherSuite, ContentType, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion};
use crate::msgs::handshake::write_handshake;
use crate::msgs::server_hello::{HelloRetryRequestExtensions, ServerHello, ServerHelloExtensions};
use crate::psk::PskMode;
use crate::record::{Protection, HEADER_LEN, MAX_PLAINTEXT};
use crate::ticket::SessionTicket;
use crate::trace::{self, key_log};
use crate::verify::{ServerName, Trust};

/// Longest a ticket may be used: 7 days (RFC 8446 §4.6.1).
const MAX_TICKET_LIFETIME: u32 = 604_800;

/// The transcript (RFC 8446 §4.4.1, RFC 5246 §7.4.9) before the cipher
/// suite, and so the hash, is known.
///
/// The ClientHello is kept as bytes and hashed once, with the hash the
/// ServerHello (or HelloRetryRequest) names, as long as it fits in the room
/// the two running hashes would take; a larger one (a session ticket) runs
/// both hashes until then. So a hello that offers SHA-256 and SHA-384
/// suites is not hashed twice: the suite negotiated uses one hash.
#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // no heap: the variants share the state's room
pub(crate) enum HelloTranscript<P: CryptoProvider> {
    Pending(PendingHello),
    Both { sha256: Transcript<P>, sha384: Transcript<P> },
    Known(Transcript<P>),
}

/// The bytes of a ClientHello not yet hashed.
#[derive(Clone)]
pub(crate) struct PendingHello {
    len: u16,
    bytes: [u8; PENDING_HELLO_MAX],
}

/// Room for a typical ClientHello (about 300 bytes with TLS 1.3 and 1.2
/// offered, one key share and a server name) in no more than the two hash
/// states of the default provider take: the state does not grow.
const PENDING_HELLO_MAX: usize = 436;
const _: () =
    assert!(core::mem::size_of::<PendingHello>() <= 2 * core::mem::size_of::<Transcript<crate::crypto::RustCrypto>>());

impl<P: CryptoProvider> HelloTranscript<P> {
    /// Nothing yet: the first ClientHello's bytes are kept.
    pub(crate) fn new() -> Self {
        HelloTranscript::Pending(PendingHello { len: 0, bytes: [0; PENDING_HELLO_MAX] })
    }

    fn update(&mut self, crypto: &mut P, msg: &[u8]) {
        match self {
            HelloTranscript::Pending(p) => {
                let len = usize::from(p.len);
                match p.bytes.get_mut(len..len + msg.len()) {
                    Some(room) => {
                        room.copy_from_slice(msg);
                        p.len += msg.len() as u16;
                    }
                    None => self.hash_both(crypto, msg),
                }
            }
            HelloTranscript::Both { sha256, sha384 } => {
                sha256.update(crypto, msg);
                sha384.update(crypto, msg);
            }
            HelloTranscript::Known(t) => t.update(crypto, msg),
        }
    }

    /// A hello too large to keep: both hashes take the bytes kept and
    /// `msg`. In a frame of its own, as the two hashes are built on the
    /// stack (issue 12).
    #[cold]
    #[inline(never)]
    fn hash_both(&mut self, crypto: &mut P, msg: &[u8]) {
        let HelloTranscript::Pending(p) = self else { return };
        let kept = &p.bytes[..usize::from(p.len)];
        let mut sha256 = Transcript::new(crypto, HashAlg::Sha256);
        let mut sha384 = Transcript::new(crypto, HashAlg::Sha384);
        for t in [&mut sha256, &mut sha384] {
            t.update(crypto, kept);
            t.update(crypto, msg);
        }
        *self = HelloTranscript::Both { sha256, sha384 };
    }

    /// §4.2.11.2: fills the binder at the end of the ClientHello `msg`; it
    /// covers the transcript up to the truncated ClientHello. Only the PSK's
    /// hash is copied, in a frame of its own.
    #[inline(never)]
    fn write_binder(&self, crypto: &mut P, p: &PskOffer<'_>, msg: &mut [u8]) {
        let truncated = msg.len() - (2 + 1 + p.hash.len());
        let mut t = self.of_hash(crypto, p.hash);
        t.update(crypto, &msg[..truncated]);
        let resumption = matches!(p.source, PskSource::Resumption { .. });
        let hash = t.current(crypto);
        let binder = psk_binder(crypto, p.hash, p.key, resumption, &hash);
        let end = msg.len();
        msg[end - p.hash.len()..].copy_from_slice(binder.as_bytes());
    }

    /// The transcript so far, under hash `alg`. A frame of its own: each
    /// form builds its copy in a place of its own (issue 12).
    #[inline(never)]
    pub(crate) fn of_hash(&self, crypto: &mut P, alg: HashAlg) -> Transcript<P> {
        match self {
            HelloTranscript::Pending(p) => {
                let mut t = Transcript::new(crypto, alg);
                t.update(crypto, &p.bytes[..usize::from(p.len)]);
                t
            }
            HelloTranscript::Both { sha256, sha384 } => match alg {
                HashAlg::Sha256 => sha256.clone(),
                HashAlg::Sha384 => sha384.clone(),
            },
            HelloTranscript::Known(t) => t.clone(),
        }
    }
}

/// The handshake traffic keys (RFC 8446 §7.3) of the state a TLS 1.3
/// ServerHello stored, installed from it: the AEAD key schedules run below
/// this small frame, not below the one that built the state (issue 12).
#[inline(never)]
fn install_handshake_keys<R, P: CryptoProvider>(
    state: &State<'_, P>,
    ctx: &mut Ctx<'_, '_, R, P>,
) -> Result<(), Error> {
    let State::ExpectEncryptedExtensions(ExpectEncryptedExtensions(hs)) = state else {
        return Err(Error::Internal("no handshake secrets after a TLS 1.3 ServerHello"));
    };
    let suite = hs.suite;
    ctx.read_prot.install(ctx.crypto, suite.hash, suite.aead, &hs.server_secret);
    // From here on alerts go out under the client handshake key (§6); the
    // compatibility change_cipher_spec stays plaintext.
    Protection::install(ctx.write_prot, ctx.crypto, suite.hash, suite.aead, &hs.client_secret);
    Ok(())
}

/// Where an offered PSK comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PskSource {
    /// An external PSK, with the mode offered.
    External(PskMode),
    /// A session ticket, with how the issuing connection trusted the server.
    Resumption { trust: Trust },
}

/// The one PSK a ClientHello offers (RFC 8446 §4.2.11).
#[derive(Clone, Copy)]
pub(crate) struct PskOffer<'a> {
    pub(crate) identity: &'a [u8],
    pub(crate) obfuscated_age: u32,
    pub(crate) key: &'a [u8],
    pub(crate) hash: HashAlg,
    pub(crate) source: PskSource,
}

/// Waiting for ServerHello (or one HelloRetryRequest).
pub(crate) struct ExpectServerHello<'a, P: CryptoProvider> {
    pub(crate) random: [u8; 32],
    pub(crate) session_id: [u8; 32],
    pub(crate) session_id_len: u8,
    pub(crate) suites: heapless::Vec<CipherSuite, 13>,
    pub(crate) key_share: Option<KeyShare<P>>,
    pub(crate) psk: Option<PskOffer<'a>>,
    /// A TLS 1.2 session offered for resumption (RFC 5077 ticket or session ID).
    pub(crate) tls12_session: Option<SessionTicket<'a>>,
    pub(crate) limits: LimitOffer,
    pub(crate) transcript: HelloTranscript<P>,
    pub(crate) offered: Offered,
    /// The suite a HelloRetryRequest chose, once one was received.
    pub(crate) retry_suite: Option<Suite>,
    pub(crate) sent_ccs: bool,
}

/// Sends the first ClientHello, offering `ticket` (which [`session_trusted`]
/// accepted) if it may be used, and
/// stores the state awaiting ServerHello in `slot`.
#[inline(never)] // a frame of its own: see handshake/state.rs
pub(crate) fn start<'a, R: CryptoRng, P: CryptoProvider>(
    ctx: &mut HelloCtx<'_, 'a, R, P>,
    ticket: Option<SessionTicket<'a>>,
    limits: LimitOffer,
    slot: &mut Option<State<'a, P>>,
) -> Result<(), Error> {
    // Drawn here: a generator's first draw may go deep (getrandom's
    // one-time setup, a hardware RNG driver), and this frame is small.
    // The random and, where one may be sent, a session ID in one draw.
    let mut fresh = [0u8; 64];
    let may_send_id = ticket.is_some() || compat_session_id(ctx.config);
    ctx.rng.fill_bytes(&mut fresh[..if may_send_id { 64 } else { 32 }]);
    let state = store_first_state(ctx, &fresh, ticket, limits, slot)?;
    generate_key_share(ctx, state)?;
    match state.send_client_hello(None, ctx) {
        Err(Error::SendBufferTooSmall { .. }) if state.drop_session() => state.send_client_hello(None, ctx),
        r => r,
    }
}

/// The first ClientHello's key share (RFC 8446 §4.2.8), straight into the
/// state: key generation runs below [`start`]'s small frame, not below the
/// one that assembled the state (issue 12: stack).
#[inline(never)]
fn generate_key_share<R: CryptoRng, P: CryptoProvider>(
    ctx: &mut HelloCtx<'_, '_, R, P>,
    state: &mut ExpectServerHello<'_, P>,
) -> Result<(), Error> {
    state.key_share = match state.psk {
        Some(PskOffer { source: PskSource::External(PskMode::Ke), .. }) => None,
        // A TLS 1.2-only hello has no key_share; ServerKeyExchange names the group.
        _ if !ctx.config.tls13 => None,
        _ => {
            let group = ctx.config.groups.first().copied().unwrap_or(NamedGroup::X25519);
            Some(KeyShare::generate(ctx.crypto, group, ctx.rng)?)
        }
    };
    Ok(())
}

/// RFC 8446 App. D.4: a TLS 1.3 hello in middlebox compatibility mode
/// carries a fresh session ID. [`start`] draws it with the random;
/// [`store_first_state`] uses it.
fn compat_session_id(config: &ClientConfig<'_>) -> bool {
    config.middlebox_compat && config.tls13
}

/// Chooses what the first ClientHello offers (session ID, suites,
/// the PSK or session) and stores the state awaiting ServerHello in `slot`,
/// without its key share. A frame of its own: what is chosen and the state
/// are assembled here, and this frame is gone before the ClientHello is
/// written below [`start`] (issue 12: stack).
#[inline(never)]
fn store_first_state<'s, 'a, R: CryptoRng, P: CryptoProvider>(
    ctx: &mut HelloCtx<'_, 'a, R, P>,
    fresh: &[u8; 64],
    ticket: Option<SessionTicket<'a>>,
    limits: LimitOffer,
    slot: &'s mut Option<State<'a, P>>,
) -> Result<&'s mut ExpectServerHello<'a, P>, Error> {
    let tls12_session = ticket.filter(|t| t.version == ProtocolVersion::Tls12).and_then(|t| tls12_resumable(ctx, t));
    let ticket = ticket.filter(|t| t.version == ProtocolVersion::Tls13);
    let mut session_id = [0u8; 32];
    let session_id_len = match tls12_session {
        // RFC 5246 §7.4.1.2: the ID of the session to resume.
        Some(t) if !t.session_id.is_empty() => {
            session_id[..t.session_id.len()].copy_from_slice(t.session_id);
            t.session_id.len() as u8
        }
        // RFC 5077 §3.4: a fresh ID, echoed if the server accepts the ticket;
        // RFC 8446 App. D.4: the same in middlebox compatibility mode.
        s if s.is_some() || compat_session_id(ctx.config) => {
            session_id.copy_from_slice(&fresh[32..]);
            32
        }
        _ => 0,
    };
    let (psk, suites) = psk_offer(ctx, ticket)?;
    let mut random = [0u8; 32];
    random.copy_from_slice(&fresh[..32]);
    let state = slot.insert(State::ExpectServerHello(ExpectServerHello {
        random,
        session_id,
        session_id_len,
        suites,
        key_share: None,
        psk,
        tls12_session,
        limits,
        transcript: HelloTranscript::new(),
        offered: Offered::default(),
        retry_suite: None,
        sent_ccs: false,
    }));
    match state {
        State::ExpectServerHello(state) => Ok(state),
        _ => Err(Error::Internal("the state just stored is not ExpectServerHello")),
    }
}

/// The PSK to offer (the configured external PSK, else a usable ticket) and
/// the cipher suites to offer with it.
#[inline(never)] // its name buffer and trust digests stay out of `start`'s frame
fn psk_offer<'a, R, P: CryptoProvider>(
    ctx: &HelloCtx<'_, 'a, R, P>,
    ticket: Option<SessionTicket<'a>>,
) -> Result<(Option<PskOffer<'a>>, heapless::Vec<CipherSuite, 13>), Error> {
    let config = ctx.config;
    let psk_hash = config.psk.map(|p| p.hash());
    // TLS 1.3 suites (§4.2.11: with a PSK, only those of its hash), then TLS 1.2
    // suites: with a PSK the PSK suites, else the certificate (ECDHE) ones.
    let offered = |s: &CipherSuite| match Suite::lookup(*s) {
        Some(t @ Suite { kx: None, .. }) => config.tls13 && psk_hash.is_none_or(|h| h == t.hash),
        // RSA keys need `alloc`: without it ECDHE_RSA suites are not offered.
        Some(Suite { kx: Some(kx), .. }) => {
            config.tls12
                && kx.is_psk() == psk_hash.is_some()
                && (cfg!(feature = "alloc") || kx != crate::handshake::KeyExchange::EcdheRsa)
        }
        None => false,
    };
    let all: heapless::Vec<CipherSuite, 13> = config.cipher_suites.iter().copied().filter(offered).collect();
    if all.is_empty() {
        return Err(Error::Config(if config.psk.is_some() {
            "no configured cipher suite uses the PSK's hash: in TLS 1.3 SHA-256 PSKs need TLS_AES_128_GCM_SHA256 or TLS_CHACHA20_POLY1305_SHA256, SHA-384 PSKs TLS_AES_256_GCM_SHA384; TLS 1.2 needs a TLS_PSK_* or TLS_ECDHE_PSK_* suite"
        } else {
            "no configured cipher suite can be offered: TLS_AES_*/TLS_CHACHA20_* suites need TLS 1.3 enabled, TLS_ECDHE_ECDSA_*/TLS_ECDHE_RSA_* suites TLS 1.2, and TLS_PSK_*/TLS_ECDHE_PSK_* suites a PSK (ClientConfig::with_psk)"
        }));
    }
    if let Some(p) = config.psk.filter(|_| config.tls13) {
        let offer = PskOffer {
            identity: p.identity(),
            obfuscated_age: 0,
            key: p.key(),
            hash: p.hash(),
            source: PskSource::External(p.mode()),
        };
        return Ok((Some(offer), all));
    }
    if config.psk.is_some() {
        return Ok((None, all));
    }
    let offer = ticket.and_then(|t| {
        let hash = Suite::tls13(t.cipher_suite)?.hash;
        let mut name = heapless::String::<255>::new();
        let _ = core::fmt::write(&mut name, format_args!("{}", ctx.server_name));
        let suite_ok = all.iter().any(|s| Suite::tls13(*s).is_some_and(|s| s.hash == hash));
        let name_ok = t.server_name == name.as_bytes();
        // §4.6.1: a ticket is for the server it came from, within its lifetime.
        let age_secs = ticket_age(ctx, &t)?;
        if !suite_ok || !name_ok {
            return None;
        }
        let age_ms = (age_secs.saturating_mul(1000) & 0xffff_ffff) as u32;
        Some(PskOffer {
            identity: t.ticket,
            obfuscated_age: age_ms.wrapping_add(t.age_add),
            key: t.psk(),
            hash,
            source: PskSource::Resumption { trust: t.trust },
        })
    });
    Ok((offer, all))
}

/// A session is offered only where the authentication it inherits would be
/// accepted: under the same trust configuration (the same anchors, pins,
/// options or external PSK) as the connection that made it (issue 13.1).
/// The caller filters the session with it before [`start`] (whose frame is
/// large: the digests are computed beside it, not under it; issue 12).
#[inline(never)]
pub(crate) fn session_trusted(config: &ClientConfig<'_>, t: &SessionTicket<'_>) -> bool {
    t.trust_id().is_some() && config.session_trust_id(t.trust) == t.trust_id()
}

/// Seconds since the ticket was issued, `None` if it is past its lifetime
/// (§4.6.1: never longer than 7 days, whatever the server said; 0 means
/// discard) or if its age cannot be known: without the caller's age
/// ([`SessionTicket::with_age`]) or two wall-clock times, a ticket is not offered.
fn ticket_age<R, P: CryptoProvider>(ctx: &HelloCtx<'_, '_, R, P>, t: &SessionTicket<'_>) -> Option<u64> {
    let age_secs = t.age(ctx.now)?;
    let max_age = u64::from(t.lifetime.min(MAX_TICKET_LIFETIME));
    (t.lifetime != 0 && age_secs <= max_age).then_some(age_secs)
}

/// A TLS 1.2 session worth offering: for this server name, within its
/// lifetime, with a suite still configured, and TLS 1.2 allowed.
#[inline(never)]
fn tls12_resumable<'a, R, P: CryptoProvider>(
    ctx: &HelloCtx<'_, 'a, R, P>,
    t: SessionTicket<'a>,
) -> Option<SessionTicket<'a>> {
    let mut name = heapless::String::<255>::new();
    let _ = core::fmt::write(&mut name, format_args!("{}", ctx.server_name));
    let suite_ok = ctx.config.cipher_suites.contains(&t.cipher_suite)
        && Suite::tls12(t.cipher_suite).and_then(|s| s.kx).is_some_and(|k| k.is_psk() == ctx.config.psk.is_some());
    let ok = ctx.config.tls12 && suite_ok && t.server_name == name.as_bytes() && ticket_age(ctx, &t).is_some();
    ok.then_some(t)
}

/// The bytes a ClientHello takes as plaintext records: the size a send
/// buffer too small for it must grow to (a cookie or ticket may be tens of KB).
#[cold]
#[inline(never)]
fn records_len(params: &ClientHelloParams<'_>) -> usize {
    let mut m = Writer::measure();
    let _ = write_handshake(&mut m, HandshakeType::ClientHello, |w| params.encode(w).map(|_| ()));
    m.len() + m.len().div_ceil(MAX_PLAINTEXT) * HEADER_LEN
}

impl<'a, P: CryptoProvider> ExpectServerHello<'a, P> {
    #[inline(never)] // a frame of its own: see handshake/state.rs
    pub(crate) fn send_client_hello<R>(
        &mut self,
        cookie: Option<&[u8]>,
        ctx: &mut HelloCtx<'_, 'a, R, P>,
    ) -> Result<(), Error> {
        let share = self.key_share.as_ref().map(|k| (k.group(), k.public()));
        let host = match ctx.server_name {
            ServerName::Dns(d) => Some(d.trim_end_matches('.')),
            ServerName::Ip(_) => None,
        };
        let params = ClientHelloParams {
            random: &self.random,
            session_id: &self.session_id[..self.session_id_len as usize],
            cipher_suites: &self.suites,
            server_name: host,
            versions: match (ctx.config.tls13, ctx.config.tls12) {
                (true, true) => &[ProtocolVersion::Tls13, ProtocolVersion::Tls12],
                (true, false) => &[ProtocolVersion::Tls13],
                _ => &[],
            },
            tls12: ctx.config.tls12.then(|| Tls12Offer { ticket: self.tls12_session.map_or(&[][..], |t| t.ticket) }),
            groups: if self.offers_groups() { &ctx.config.groups } else { &[] },
            signature_schemes: SIGNATURE_SCHEMES,
            key_share: share,
            alpn: &ctx.config.alpn,
            cookie,
            psk_modes: match self.psk.map(|p| p.source) {
                _ if !ctx.config.tls13 => &[],
                Some(PskSource::External(PskMode::Ke)) => &[PSK_KE],
                _ => &[PSK_DHE_KE],
            },
            max_fragment_length: self.limits.mfl_code,
            record_size_limit: self.limits.record_size_limit,
            psk: self.psk.map(|p| PskIdentity {
                identity: p.identity,
                obfuscated_age: p.obfuscated_age,
                binder_len: p.hash.len(),
            }),
        };
        // The binder and the transcript take the whole message before it is
        // split into records: with a large ticket or cookie it needs more
        // than one (RFC 8446 §5.1; issue 13.4). Nothing changes here until
        // the records are queued: a hello too large for the send buffer may
        // be retried without the session.
        let at = ctx.out.pending(ctx.tx).len();
        let staged = ctx.out.stage(ctx.tx, None::<&Protection<P>>, |w| {
            let mut offered = Offered::default();
            write_handshake(w, HandshakeType::ClientHello, |w| {
                offered = params.encode(w)?;
                Ok(())
            })
            .map(|()| offered)
        });
        let (staged, offered) = match staged {
            Err(Error::SendBufferTooSmall { capacity, .. }) => {
                return Err(Error::SendBufferTooSmall { needed: at + records_len(&params), capacity })
            }
            r => r?,
        };
        let msg = ctx.out.staged_mut(ctx.tx, &staged);
        if let Some(p) = &self.psk {
            self.transcript.write_binder(ctx.crypto, p, msg);
        }
        ctx.out.commit(ctx.tx, ctx.crypto, None, ContentType::Handshake, staged)?;
        for content in ctx.out.plaintext_since(ctx.tx, at) {
            self.transcript.update(ctx.crypto, content);
        }
        self.offered = offered;
        Ok(())
    }

    /// Drops a stored session whose ticket makes the ClientHello too large
    /// for the send buffer, so that a full handshake runs instead (issue
    /// 13.4). False if nothing could be dropped.
    fn drop_session(&mut self) -> bool {
        let ticket13 = matches!(self.psk, Some(PskOffer { source: PskSource::Resumption { .. }, .. }));
        let ticket12 = self.tls12_session.is_some_and(|t| !t.ticket.is_empty());
        if ticket13 {
            self.psk = None;
        }
        if ticket12 {
            self.tls12_session = None;
        }
        ticket13 || ticket12
    }

    /// ServerHello or HelloRetryRequest. Checks the state where it is
    /// stored; a ServerHello replaces it in place, the HelloRetryRequest
    /// transition moves it ([`State::advance`]) (issue 12: stack).
    #[inline(never)] // a frame of its own: see handshake/state.rs
    pub(crate) fn handle<R: CryptoRng>(
        slot: &mut State<'a, P>,
        body: &[u8],
        raw: &[u8],
        ctx: &mut Ctx<'_, 'a, R, P>,
    ) -> Result<Output, Error> {
        let State::ExpectServerHello(this) = slot else {
            return Err(slot.unexpected(HandshakeType::ServerHello));
        };
        let sh = ServerHello::decode(body)?;
        // §4.1.4: a second HelloRetryRequest is answered with unexpected_message.
        if this.retry_suite.is_some() && sh.is_hello_retry_request() {
            return Err(Misbehavior::SecondHelloRetry.into());
        }
        // §4.1.3 / §4.2.1: without supported_versions the server chose TLS 1.2 or older.
        if !ctx.config.tls13 && sh.extensions.contains(ExtensionType::SupportedVersions) {
            return Err(Misbehavior::UnsolicitedExtension(ExtensionType::SupportedVersions.to_wire()).into());
        }
        let version = match sh.selected_version()? {
            Some(v) => v,
            None => {
                // §4.1.3: a TLS 1.3 server that negotiates an older version marks its random.
                if ctx.config.tls13 && sh.has_downgrade_sentinel() {
                    return Err(Misbehavior::DowngradeSentinel.into());
                }
                let legacy = ProtocolVersion::from_wire(sh.legacy_version);
                if legacy != ProtocolVersion::Tls12 || !ctx.config.tls12 {
                    return Err(Error::Incompatible(Incompatibility::Version(legacy)));
                }
                // §4.1.4: a HelloRetryRequest commits the server to TLS 1.3.
                if this.retry_suite.is_some() {
                    return Err(Misbehavior::BadSelectedVersion(legacy).into());
                }
                return super::tls12::server_hello(slot, &sh, raw, ctx);
            }
        };
        if version != ProtocolVersion::Tls13 {
            return Err(Misbehavior::BadSelectedVersion(version).into());
        }
        if sh.legacy_version != ProtocolVersion::Tls12.to_wire() {
            return Err(Error::Decode { what: "ServerHello.legacy_version" });
        }
        if sh.session_id != &this.session_id[..this.session_id_len as usize] {
            return Err(Misbehavior::SessionIdMismatch.into());
        }
        let suite = Suite::tls13(sh.cipher_suite)
            .filter(|s| this.suites.contains(&s.id))
            .ok_or(Misbehavior::UnofferedCipherSuite(sh.cipher_suite))?;
        if sh.compression != 0 {
            return Err(Misbehavior::CompressionNotNull.into());
        }
        if sh.is_hello_retry_request() {
            return slot.advance(|s, next| match s {
                State::ExpectServerHello(s) => s.hello_retry(&sh, suite, raw, ctx, next),
                s => Err(s.unexpected(HandshakeType::ServerHello)),
            });
        }
        if this.retry_suite.is_some_and(|s| s != suite) {
            return Err(Misbehavior::SuiteChangedAfterRetry.into());
        }
        let out = Self::tls13(slot, &sh, suite, raw, ctx)?;
        install_handshake_keys(slot, ctx)?;
        Ok(out)
    }

    /// A TLS 1.3 ServerHello (§4.1.3) answering this state's ClientHello
    /// with `suite`: the handshake secrets, then the state awaiting
    /// EncryptedExtensions in `slot`.
    #[inline(never)]
    fn tls13<R>(
        slot: &mut State<'a, P>,
        sh: &ServerHello<'_>,
        suite: Suite,
        raw: &[u8],
        ctx: &mut Ctx<'_, 'a, R, P>,
    ) -> Result<Output, Error> {
        let State::ExpectServerHello(this) = slot else {
            return Err(slot.unexpected(HandshakeType::ServerHello));
        };
        let exts = ServerHelloExtensions::decode(&sh.extensions, |t| this.offered.contains(t))?;
        let psk = this.accepted_psk(exts.pre_shared_key, suite)?;
        // (EC)DHE unless an external PSK in psk_ke mode was accepted (§4.2.8);
        // §4.2.9: a psk_ke ServerHello has no key_share, even after a
        // HelloRetryRequest that named a group.
        let psk_ke = psk.is_some_and(|p| p.source == PskSource::External(PskMode::Ke));
        let (group, shared) = match (&this.key_share, exts.key_share) {
            (_, Some(_)) if psk_ke => {
                return Err(Misbehavior::ExtensionNotAllowedHere(ExtensionType::KeyShare.to_wire()).into())
            }
            (_, None) if psk_ke => (None, None),
            (Some(ks), Some(share)) => {
                if share.group != ks.group() {
                    return Err(Misbehavior::KeyShareGroupMismatch.into());
                }
                let shared = ks.agree(ctx.crypto, share.key_exchange).ok_or(Misbehavior::InvalidKeyShare)?;
                (Some(share.group), Some(shared))
            }
            _ => return Err(Misbehavior::KeyShareGroupMismatch.into()),
        };
        trace::debug!(
            "ServerHello: TLSv1.3, {}, group {}, {}",
            suite.id,
            trace::Opt(group),
            match (this.psk.map(|p| p.source), psk.is_some()) {
                (None, _) => "no PSK offered",
                (Some(PskSource::External(_)), _) => "external PSK accepted",
                (Some(PskSource::Resumption { .. }), true) => "session ticket accepted: resuming",
                (Some(PskSource::Resumption { .. }), false) => "session ticket declined: full handshake",
            }
        );

        let mut transcript = this.transcript.of_hash(ctx.crypto, suite.hash);
        transcript.update(ctx.crypto, raw);
        let hash = transcript.current(ctx.crypto);
        let secret = EarlySecret::new(ctx.crypto, suite.hash, psk.map(|p| p.key))
            .into_handshake(ctx.crypto, shared.as_ref().map(|s| s.as_bytes()));
        let (client_secret, server_secret) = secret.traffic_secrets(ctx.crypto, &hash);
        key_log!(ctx.config, CLIENT_HANDSHAKE_TRAFFIC_SECRET, &this.random, client_secret.as_bytes());
        key_log!(ctx.config, SERVER_HANDSHAKE_TRAFFIC_SECRET, &this.random, server_secret.as_bytes());
        let hs = Handshaking {
            suite,
            group,
            transcript,
            secret,
            client_secret,
            server_secret,
            offered: this.offered,
            hello_retry: this.retry_suite.is_some(),
            sent_ccs: this.sent_ccs,
            psk: psk.map(|p| p.source),
            alpn: None,
            client_auth: None,
            limit_offer: this.limits,
            limits: Limits::default(),
            #[cfg(feature = "danger-keylog")]
            client_random: this.random,
        };
        *slot = State::ExpectEncryptedExtensions(ExpectEncryptedExtensions(hs));
        Ok(Output::None)
    }

    /// Whether the ClientHello offers supported_groups (and key_share).
    ///
    /// Not with an external PSK in psk_ke mode unless TLS 1.2 ECDHE suites
    /// go out too: psk_ke does no (EC)DHE (§4.2.9), a hello with
    /// pre_shared_key needs no supported_groups (§9.2), and the two go
    /// together (§9.2). An empty key_share would invite a HelloRetryRequest
    /// (§4.2.8) and a key share never used; §4.2.7 lists groups "for key
    /// exchange", which psk_ke has none of.
    fn offers_groups(&self) -> bool {
        let psk_ke = self.psk.is_some_and(|p| p.source == PskSource::External(PskMode::Ke));
        !psk_ke
            || self.suites.iter().any(|s| Suite::tls12(*s).and_then(|t| t.kx).is_some_and(|k| k != KeyExchange::Psk))
    }

    /// The PSK the server selected (§4.2.11), if any. An external PSK must be
    /// selected; a ticket the server declines means a full handshake.
    fn accepted_psk(&self, selected: Option<u16>, suite: Suite) -> Result<Option<PskOffer<'a>>, Error> {
        match (self.psk, selected) {
            (Some(p), Some(0)) if p.hash == suite.hash => Ok(Some(p)),
            (Some(_), Some(0)) => Err(Misbehavior::PskSuiteMismatch.into()),
            (_, Some(i)) => Err(Misbehavior::PskIdentityOutOfRange(i).into()),
            (Some(PskOffer { source: PskSource::External(_), .. }), None) => Err(Error::PskRefused { alert: None }),
            (_, None) => Ok(None),
        }
    }

    /// §4.1.4: one HelloRetryRequest, answered by a second ClientHello.
    #[inline(never)] // a frame of its own: see handshake/state.rs
    pub(crate) fn hello_retry<R: CryptoRng>(
        mut self,
        hrr: &ServerHello<'_>,
        suite: Suite,
        raw: &[u8],
        ctx: &mut Ctx<'_, 'a, R, P>,
        slot: &mut State<'a, P>,
    ) -> Result<Output, Error> {
        let exts = HelloRetryRequestExtensions::decode(&hrr.extensions, |t| self.offered.contains(t))?;
        let cookie = exts.cookie;
        if let Some(g) = exts.key_share {
            if !self.offers_groups() || !ctx.config.groups.contains(&g) {
                return Err(Misbehavior::RetryGroupNotOffered(g).into());
            }
            if self.key_share.as_ref().map(KeyShare::group) == Some(g) {
                return Err(Misbehavior::UselessHelloRetry.into());
            }
            self.key_share = Some(KeyShare::generate(ctx.crypto, g, ctx.rng)?);
        } else if cookie.is_none() {
            return Err(Misbehavior::UselessHelloRetry.into());
        }
        trace::debug!(
            "HelloRetryRequest: {}, group {}, cookie {}",
            suite.id,
            trace::Opt(exts.key_share),
            cookie.is_some()
        );
        // §4.4.1: the transcript restarts with message_hash(ClientHello1).
        let ch1 = self.transcript.of_hash(ctx.crypto, suite.hash).current(ctx.crypto);
        let mut t = Transcript::new(ctx.crypto, suite.hash);
        t.update(ctx.crypto, &[HandshakeType::MessageHash.to_wire(), 0, 0, suite.hash.len() as u8]);
        t.update(ctx.crypto, ch1.as_bytes());
        t.update(ctx.crypto, raw);
        self.transcript = HelloTranscript::Known(t);
        self.retry_suite = Some(suite);
        // §4.1.4: a PSK stays on offer only if it fits the suite the server chose.
        if self.psk.is_some_and(|p| p.hash != suite.hash) {
            if matches!(self.psk.map(|p| p.source), Some(PskSource::External(_))) {
                return Err(Error::PskRefused { alert: None });
            }
            self.psk = None;
        }
        if ctx.config.middlebox_compat && !self.sent_ccs {
            send_ccs(ctx)?;
            self.sent_ccs = true;
        }
        self.send_client_hello(cookie, &mut ctx.hello())?;
        *slot = State::ExpectServerHello(self);
        Ok(Output::None)
    }
}

#[cfg(test)]
impl<'x, P: CryptoProvider> ExpectServerHello<'x, P> {
    /// Test-only: pretend the ClientHello sent was `ch` (a whole handshake
    /// message) with private key `key_share`, as RFC 8448's traces need.
    pub(crate) fn replace_client_hello(&mut self, crypto: &mut P, ch: &[u8], key_share: KeyShare<P>) {
        let body = &ch[4..];
        let parsed = crate::msgs::client_hello::ClientHello::decode(body).ok();
        if let Some(p) = parsed {
            self.random = p.random;
            self.session_id_len = p.session_id.len() as u8;
            self.session_id[..p.session_id.len()].copy_from_slice(p.session_id);
            self.offered = p.offered();
        }
        self.key_share = Some(key_share);
        self.transcript = HelloTranscript::new();
        self.transcript.update(crypto, ch);
    }

    /// Test-only: after a HelloRetryRequest, pretend the two ClientHellos
    /// sent were `ch1` and `ch2`, with `key_share` in the second.
    pub(crate) fn replace_client_hellos_after_retry(
        &mut self,
        crypto: &mut P,
        ch1: &[u8],
        hrr: &[u8],
        ch2: &[u8],
        key_share: KeyShare<P>,
    ) {
        self.replace_client_hello(crypto, ch2, key_share);
        let alg = self.retry_suite.map_or(HashAlg::Sha256, |s| s.hash);
        let mut t = Transcript::new(crypto, alg);
        t.update(crypto, &[HandshakeType::MessageHash.to_wire(), 0, 0, alg.len() as u8]);
        let ch1 = alg.hash(crypto, ch1);
        t.update(crypto, ch1.as_bytes());
        t.update(crypto, hrr);
        t.update(crypto, ch2);
        self.transcript = HelloTranscript::Known(t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::RustCrypto;

    /// However the hello is fed in and whichever form the transcript takes
    /// (bytes kept, both hashes, one hash), it is the hash of the bytes.
    #[test]
    fn a_pending_hello_hashes_as_the_bytes_would() {
        let p = &mut RustCrypto;
        let msg: [u8; 1000] = core::array::from_fn(|i| (i * 7 + 3) as u8);
        for len in [0, 1, 300, PENDING_HELLO_MAX, PENDING_HELLO_MAX + 1, 1000] {
            for chunk in [1, 64, 1000] {
                let mut t = HelloTranscript::<RustCrypto>::new();
                for part in msg[..len].chunks(chunk) {
                    t.update(p, part);
                }
                let kept = matches!(t, HelloTranscript::Pending(_));
                assert_eq!(kept, len <= PENDING_HELLO_MAX, "len {len}: kept as bytes only if they fit");
                assert_eq!(matches!(t, HelloTranscript::Both { .. }), !kept, "len {len}");
                for alg in [HashAlg::Sha256, HashAlg::Sha384] {
                    let want = alg.hash(p, &msg[..len]);
                    assert_eq!(t.of_hash(p, alg).current(p).as_bytes(), want.as_bytes(), "len {len}, {alg:?}");
                    let mut more = t.clone();
                    more.update(p, b"tail");
                    let mut whole = msg[..len].to_vec();
                    whole.extend_from_slice(b"tail");
                    assert_eq!(more.of_hash(p, alg).current(p).as_bytes(), alg.hash(p, &whole).as_bytes());
                }
            }
        }
    }
}
