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
use subtle::ConstantTimeEq;

use super::offered::single_u16;
use super::{HandshakeSummary, Offered, Suite};
use crate::codec::Reader;
use crate::config::{ClientConfig, SIGNATURE_SCHEMES};
use crate::crypto::{HashAlg, KeyShare, PeerKey, Secret, Transcript};
use crate::error::{Error, Incompatibility, Misbehavior, Received};
use crate::key_schedule::{finished_verify_data, next_traffic_secret, psk_binder, resumption_psk, EarlySecret, HandshakeSecret, TrafficKeys};
use crate::crypto::certificate_issuer;
use crate::msgs::certificate::Certificate;
use crate::msgs::certificate_request::CertificateRequest;
use crate::msgs::certificate_verify::{signed_content, CertificateVerify};
use crate::msgs::client_hello::{alpn_protocols, ClientHelloParams, PskIdentity, PSK_DHE_KE, PSK_KE};
use crate::msgs::enums::{
    CipherSuite, ContentType, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme,
};
use crate::msgs::extensions::Extensions;
use crate::msgs::handshake::{write_handshake, HandshakeMessage, KeyUpdateRequest};
use crate::msgs::new_session_ticket::NewSessionTicket;
use crate::msgs::server_hello::ServerHello;
use crate::record::{Outbound, Protection};
use crate::psk::PskMode;
use crate::ticket::SessionTicket;
use crate::verify::{ServerName, Trust, UnixTime};

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

/// The transcript before the cipher suite (and so the hash) is known.
#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // no heap: both hashes run until ServerHello names one
enum HelloTranscript {
    Unknown { sha256: Transcript, sha384: Transcript },
    Known(Transcript),
}

impl HelloTranscript {
    fn update(&mut self, msg: &[u8]) {
        match self {
            HelloTranscript::Unknown { sha256, sha384 } => {
                sha256.update(msg);
                sha384.update(msg);
            }
            HelloTranscript::Known(t) => t.update(msg),
        }
    }

    fn select(self, alg: HashAlg) -> Transcript {
        match self {
            HelloTranscript::Unknown { sha256, sha384 } => match alg {
                HashAlg::Sha256 => sha256,
                HashAlg::Sha384 => sha384,
            },
            HelloTranscript::Known(t) => t,
        }
    }
}

/// Where an offered PSK comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PskSource {
    /// An external PSK, with the mode offered.
    External(PskMode),
    /// A session ticket; `verified` says how the issuing connection trusted the server.
    Resumption { verified: bool },
}

/// The one PSK a ClientHello offers (RFC 8446 §4.2.11).
#[derive(Clone, Copy)]
pub(crate) struct PskOffer<'a> {
    identity: &'a [u8],
    obfuscated_age: u32,
    key: &'a [u8],
    hash: HashAlg,
    source: PskSource,
}

/// Waiting for ServerHello (or one HelloRetryRequest).
pub(crate) struct ExpectServerHello<'a> {
    random: [u8; 32],
    session_id: [u8; 32],
    session_id_len: u8,
    suites: heapless::Vec<CipherSuite, 3>,
    key_share: Option<KeyShare>,
    psk: Option<PskOffer<'a>>,
    transcript: HelloTranscript,
    offered: Offered,
    /// The suite a HelloRetryRequest chose, once one was received.
    retry_suite: Option<Suite>,
    sent_ccs: bool,
}

/// Keys and transcript shared by the states between ServerHello and Finished.
pub(crate) struct Handshaking {
    suite: Suite,
    group: Option<NamedGroup>,
    transcript: Transcript,
    secret: HandshakeSecret,
    client_secret: Secret,
    server_secret: Secret,
    offered: Offered,
    hello_retry: bool,
    sent_ccs: bool,
    psk: Option<PskSource>,
    alpn: Option<(u8, u8)>,
    client_auth: Option<ClientAuth>,
}

/// Waiting for EncryptedExtensions.
pub(crate) struct ExpectEncryptedExtensions(Handshaking);

/// Waiting for the server's Certificate.
pub(crate) struct ExpectCertificate {
    hs: Handshaking,
}

/// Waiting for CertificateVerify; holds the leaf key it must verify with.
pub(crate) struct ExpectCertificateVerify {
    hs: Handshaking,
    trust: Trust,
    leaf_key: PeerKey,
}

/// Waiting for the server's Finished.
pub(crate) struct ExpectFinished {
    hs: Handshaking,
    trust: Trust,
}

/// The server asked for a client certificate (§4.3.2).
pub(crate) struct ClientAuth {
    context: heapless::Vec<u8, 255>,
    /// The identity (index in the configuration) and scheme to use; `None`
    /// sends an empty Certificate.
    chosen: Option<(usize, SignatureScheme)>,
}

/// What storing a ticket needs from the connection.
pub(crate) struct TicketCtx<'x> {
    pub issued_at: u64,
    pub server_name: &'x [u8],
    pub alpn: &'x [u8],
}

/// The handshake is complete; application traffic flows.
pub(crate) struct Connected {
    suite: Suite,
    trust: Trust,
    /// Whether the server asked for a client certificate, and which identity answered.
    client_auth: Option<Option<usize>>,
    alpn: Option<(u8, u8)>,
    server_app_secret: Secret,
    client_app_secret: Secret,
    resumption_master_secret: Secret,
    exporter_master_secret: Secret,
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

    /// True while an external PSK offer awaits the server's answer.
    pub fn offers_external_psk(&self) -> bool {
        matches!(self, State::ExpectServerHello(ExpectServerHello { psk: Some(PskOffer { source: PskSource::External(_), .. }), .. }))
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
        let unexpected = |s: &State| Error::UnexpectedMessage {
            expected: s.expecting(),
            got: Received::Handshake(msg.typ),
        };
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
                NewSessionTicket::decode(msg.body)?;
                Ok((State::Connected(s), Output::Ticket))
            }
            (State::Connected(s), HandshakeType::KeyUpdate) => s.key_update(msg.body, ctx),
            (s, _) => Err(unexpected(&s)),
        }
    }
}

/// Sends the first ClientHello, offering `ticket` if it may be used, and
/// returns the state awaiting ServerHello.
pub(crate) fn start<'a, R: CryptoRng>(
    ctx: &mut Ctx<'_, 'a, R>,
    ticket: Option<SessionTicket<'a>>,
) -> Result<ExpectServerHello<'a>, Error> {
    let mut random = [0u8; 32];
    ctx.rng.fill_bytes(&mut random);
    let mut session_id = [0u8; 32];
    let session_id_len = if ctx.config.middlebox_compat {
        ctx.rng.fill_bytes(&mut session_id);
        32
    } else {
        0
    };
    let (psk, suites) = psk_offer(ctx, ticket)?;
    let key_share = match psk {
        Some(PskOffer { source: PskSource::External(PskMode::Ke), .. }) => None,
        _ => {
            let group = ctx.config.groups.first().copied().unwrap_or(NamedGroup::X25519);
            Some(KeyShare::generate(group, ctx.rng).ok_or(Error::Config("no supported group configured"))?)
        }
    };
    let mut state = ExpectServerHello {
        random,
        session_id,
        session_id_len,
        suites,
        key_share,
        psk,
        transcript: HelloTranscript::Unknown {
            sha256: Transcript::new(HashAlg::Sha256),
            sha384: Transcript::new(HashAlg::Sha384),
        },
        offered: Offered::default(),
        retry_suite: None,
        sent_ccs: false,
    };
    state.send_client_hello(None, ctx)?;
    Ok(state)
}

/// The PSK to offer (the configured external PSK, else a usable ticket) and
/// the cipher suites to offer with it.
fn psk_offer<'a, R>(
    ctx: &Ctx<'_, 'a, R>,
    ticket: Option<SessionTicket<'a>>,
) -> Result<(Option<PskOffer<'a>>, heapless::Vec<CipherSuite, 3>), Error> {
    let all = ctx.config.cipher_suites.clone();
    if let Some(p) = ctx.config.psk {
        // §4.2.11: a PSK is used only with suites of its hash.
        let suites: heapless::Vec<CipherSuite, 3> =
            all.iter().copied().filter(|s| Suite::tls13(*s).is_some_and(|s| s.hash == p.hash())).collect();
        if suites.is_empty() {
            return Err(Error::Config(
                "no configured cipher suite uses the PSK's hash: SHA-256 PSKs need TLS_AES_128_GCM_SHA256 or TLS_CHACHA20_POLY1305_SHA256, SHA-384 PSKs TLS_AES_256_GCM_SHA384",
            ));
        }
        let offer = PskOffer {
            identity: p.identity(),
            obfuscated_age: 0,
            key: p.key(),
            hash: p.hash(),
            source: PskSource::External(p.mode()),
        };
        return Ok((Some(offer), suites));
    }
    let offer = ticket.and_then(|t| {
        let hash = Suite::tls13(t.cipher_suite)?.hash;
        let mut name = heapless::String::<255>::new();
        let _ = core::fmt::write(&mut name, format_args!("{}", ctx.server_name));
        let suite_ok = all.iter().any(|s| Suite::tls13(*s).is_some_and(|s| s.hash == hash));
        // §4.6.1: a ticket is for the server it came from, within its lifetime.
        let age_secs = match (ctx.now, t.issued_at) {
            (Some(now), issued) if issued > 0 => now.0.checked_sub(issued)?,
            _ => 0,
        };
        if !suite_ok || t.server_name != name.as_bytes() || age_secs > u64::from(t.lifetime) {
            return None;
        }
        let age_ms = (age_secs.saturating_mul(1000) & 0xffff_ffff) as u32;
        Some(PskOffer {
            identity: t.ticket,
            obfuscated_age: age_ms.wrapping_add(t.age_add),
            key: t.psk(),
            hash,
            source: PskSource::Resumption { verified: t.verified },
        })
    });
    Ok((offer, all))
}

fn send_handshake<R>(
    ctx: &mut Ctx<'_, '_, R>,
    typ: HandshakeType,
    body: impl FnOnce(&mut crate::codec::Writer<'_>) -> Result<(), crate::codec::WriteError>,
) -> Result<usize, Error> {
    ctx.out.write_record(ctx.tx, ctx.write_prot.as_mut(), ContentType::Handshake, |w| write_handshake(w, typ, body))
}

fn send_ccs<R>(ctx: &mut Ctx<'_, '_, R>) -> Result<(), Error> {
    ctx.out.write_record(ctx.tx, None, ContentType::ChangeCipherSpec, |w| w.u8(1)).map(|_| ())
}

impl<'a> ExpectServerHello<'a> {
    fn send_client_hello<R>(&mut self, cookie: Option<&[u8]>, ctx: &mut Ctx<'_, 'a, R>) -> Result<(), Error> {
        let mut pk = [0u8; 65];
        let share = self.key_share.as_ref().map(|k| (k.group(), k.public_key(&mut pk)));
        let host = match ctx.server_name {
            ServerName::Dns(d) => Some(d.trim_end_matches('.')),
            ServerName::Ip(_) => None,
        };
        let params = ClientHelloParams {
            random: &self.random,
            session_id: &self.session_id[..self.session_id_len as usize],
            cipher_suites: &self.suites,
            server_name: host,
            versions: &[ProtocolVersion::Tls13],
            groups: &ctx.config.groups,
            signature_schemes: SIGNATURE_SCHEMES,
            key_share: share.map(|(g, n)| (g, &pk[..n])),
            alpn: &ctx.config.alpn,
            cookie,
            psk_modes: match self.psk.map(|p| p.source) {
                Some(PskSource::External(PskMode::Ke)) => &[PSK_KE],
                _ => &[PSK_DHE_KE],
            },
            psk: self.psk.map(|p| PskIdentity {
                identity: p.identity,
                obfuscated_age: p.obfuscated_age,
                binder_len: p.hash.len(),
            }),
        };
        let len = send_handshake(ctx, HandshakeType::ClientHello, |w| params.encode(w))?;
        let pending = ctx.out.pending_mut(ctx.tx);
        let at = pending.len() - len;
        let msg = &mut pending[at..];
        if let Some(p) = self.psk {
            // §4.2.11.2: the binder covers the transcript up to the truncated ClientHello.
            let truncated = msg.len() - (2 + 1 + p.hash.len());
            let mut t = self.transcript.clone().select(p.hash);
            t.update(&msg[..truncated]);
            let resumption = matches!(p.source, PskSource::Resumption { .. });
            let binder = psk_binder(p.hash, p.key, resumption, &t.current());
            let end = msg.len();
            msg[end - p.hash.len()..].copy_from_slice(binder.as_bytes());
        }
        let msg = &*msg;
        self.transcript.update(msg);
        self.offered = Offered::from_client_hello(&msg[4..])?;
        Ok(())
    }

    fn handle<R: CryptoRng>(
        self,
        body: &[u8],
        raw: &[u8],
        ctx: &mut Ctx<'_, 'a, R>,
    ) -> Result<(State<'a>, Output<'a>), Error> {
        let sh = ServerHello::decode(body)?;
        // §4.1.3 / §4.2.1: without supported_versions the server chose TLS 1.2 or older.
        let version = match sh.extensions.get(ExtensionType::SupportedVersions.to_wire()) {
            Some(v) => ProtocolVersion::from_wire(single_u16(v, "supported_versions.selected_version")?),
            None => {
                if sh.has_downgrade_sentinel() {
                    return Err(Misbehavior::DowngradeSentinel.into());
                }
                return Err(Error::Incompatible(Incompatibility::Version(ProtocolVersion::from_wire(
                    sh.legacy_version,
                ))));
            }
        };
        if version != ProtocolVersion::Tls13 {
            return Err(Misbehavior::BadSelectedVersion(version).into());
        }
        if sh.legacy_version != ProtocolVersion::Tls12.to_wire() {
            return Err(Error::Decode { what: "ServerHello.legacy_version" });
        }
        if sh.session_id != &self.session_id[..self.session_id_len as usize] {
            return Err(Misbehavior::SessionIdMismatch.into());
        }
        if !self.suites.contains(&sh.cipher_suite) {
            return Err(Misbehavior::UnofferedCipherSuite(sh.cipher_suite).into());
        }
        let suite = Suite::tls13(sh.cipher_suite).ok_or(Misbehavior::UnofferedCipherSuite(sh.cipher_suite))?;
        if sh.compression != 0 {
            return Err(Misbehavior::CompressionNotNull.into());
        }
        if sh.is_hello_retry_request() {
            return self.hello_retry(&sh, suite, raw, ctx);
        }
        if self.retry_suite.is_some_and(|s| s != suite) {
            return Err(Misbehavior::SuiteChangedAfterRetry.into());
        }
        self.offered.check(
            &sh.extensions,
            &[ExtensionType::SupportedVersions, ExtensionType::KeyShare, ExtensionType::PreSharedKey],
        )?;
        let psk = self.accepted_psk(&sh, suite)?;
        // (EC)DHE unless an external PSK in psk_ke mode was accepted (§4.2.8, §4.2.9).
        let share = sh.extensions.get(ExtensionType::KeyShare.to_wire());
        let (group, shared) = match (&self.key_share, share) {
            (Some(ks), Some(share)) => {
                let mut r = Reader::new(share);
                let group = NamedGroup::from_wire(r.u16("KeyShareEntry.group")?);
                let key = r.vec16_bounded(1, 0xffff, "KeyShareEntry.key_exchange")?;
                r.finish("key_share (trailing bytes)")?;
                if group != ks.group() {
                    return Err(Misbehavior::KeyShareGroupMismatch.into());
                }
                (Some(group), Some(ks.agree(key).ok_or(Misbehavior::InvalidKeyShare)?))
            }
            (None, None) if psk.is_some() => (None, None),
            _ => return Err(Misbehavior::KeyShareGroupMismatch.into()),
        };

        let mut transcript = self.transcript.select(suite.hash);
        transcript.update(raw);
        let hash = transcript.current();
        let secret = EarlySecret::new(suite.hash, psk.map(|p| p.key))
            .into_handshake(shared.as_ref().map(|s| s.as_bytes()));
        let client_secret = secret.client_traffic_secret(&hash);
        let server_secret = secret.server_traffic_secret(&hash);
        *ctx.read_prot = Some(Protection::new(TrafficKeys::derive(suite.hash, suite.aead, &server_secret)));
        // From here on alerts go out under the client handshake key (§6); the
        // compatibility change_cipher_spec stays plaintext.
        *ctx.write_prot = Some(Protection::new(TrafficKeys::derive(suite.hash, suite.aead, &client_secret)));
        let hs = Handshaking {
            suite,
            group,
            transcript,
            secret,
            client_secret,
            server_secret,
            offered: self.offered,
            hello_retry: self.retry_suite.is_some(),
            sent_ccs: self.sent_ccs,
            psk: psk.map(|p| p.source),
            alpn: None,
            client_auth: None,
        };
        Ok((State::ExpectEncryptedExtensions(ExpectEncryptedExtensions(hs)), Output::ReadKeyChanged))
    }

    /// The PSK the server selected (§4.2.11), if any. An external PSK must be
    /// selected; a ticket the server declines means a full handshake.
    fn accepted_psk(&self, sh: &ServerHello<'_>, suite: Suite) -> Result<Option<PskOffer<'a>>, Error> {
        let selected = match sh.extensions.get(ExtensionType::PreSharedKey.to_wire()) {
            Some(d) => Some(single_u16(d, "pre_shared_key.selected_identity")?),
            None => None,
        };
        match (self.psk, selected) {
            (Some(p), Some(0)) if p.hash == suite.hash => Ok(Some(p)),
            (Some(_), Some(0)) => Err(Misbehavior::PskSuiteMismatch.into()),
            (_, Some(i)) => Err(Misbehavior::PskIdentityOutOfRange(i).into()),
            (Some(PskOffer { source: PskSource::External(_), .. }), None) => Err(Error::PskRefused { alert: None }),
            (_, None) => Ok(None),
        }
    }

    /// §4.1.4: one HelloRetryRequest, answered by a second ClientHello.
    fn hello_retry<R: CryptoRng>(
        mut self,
        hrr: &ServerHello<'_>,
        suite: Suite,
        raw: &[u8],
        ctx: &mut Ctx<'_, 'a, R>,
    ) -> Result<(State<'a>, Output<'a>), Error> {
        if self.retry_suite.is_some() {
            return Err(Misbehavior::SecondHelloRetry.into());
        }
        // §4.2.2: a cookie may come unasked.
        self.offered.with(ExtensionType::Cookie).check(
            &hrr.extensions,
            &[ExtensionType::SupportedVersions, ExtensionType::KeyShare, ExtensionType::Cookie],
        )?;
        let cookie = match hrr.extensions.get(ExtensionType::Cookie.to_wire()) {
            Some(c) => {
                let mut r = Reader::new(c);
                let v = r.vec16_bounded(1, 0xffff, "cookie")?;
                r.finish("cookie (trailing bytes)")?;
                Some(v)
            }
            None => None,
        };
        let requested = match hrr.extensions.get(ExtensionType::KeyShare.to_wire()) {
            Some(d) => Some(NamedGroup::from_wire(single_u16(d, "key_share.selected_group")?)),
            None => None,
        };
        if let Some(g) = requested {
            if !ctx.config.groups.contains(&g) {
                return Err(Misbehavior::RetryGroupNotOffered(g).into());
            }
            if self.key_share.as_ref().map(KeyShare::group) == Some(g) {
                return Err(Misbehavior::UselessHelloRetry.into());
            }
            self.key_share = Some(KeyShare::generate(g, ctx.rng).ok_or(Misbehavior::RetryGroupNotOffered(g))?);
        } else if cookie.is_none() {
            return Err(Misbehavior::UselessHelloRetry.into());
        }
        // §4.4.1: the transcript restarts with message_hash(ClientHello1).
        let ch1 = self.transcript.clone().select(suite.hash).current();
        let mut t = Transcript::new(suite.hash);
        t.update(&[HandshakeType::MessageHash.to_wire(), 0, 0, suite.hash.len() as u8]);
        t.update(ch1.as_bytes());
        t.update(raw);
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
        self.send_client_hello(cookie, ctx)?;
        Ok((State::ExpectServerHello(self), Output::None))
    }
}

impl ExpectEncryptedExtensions {
    fn handle<'a, R>(self, body: &[u8], raw: &[u8], ctx: &mut Ctx<'_, 'a, R>) -> Result<(State<'a>, Output<'a>), Error> {
        let mut hs = self.0;
        let mut r = Reader::new(body);
        let exts = Extensions::check(r.vec16("EncryptedExtensions.extensions")?)?;
        r.finish("EncryptedExtensions (trailing bytes)")?;
        // §4.2 table: what may appear in EncryptedExtensions.
        hs.offered.check(
            &exts,
            &[ExtensionType::ServerName, ExtensionType::SupportedGroups, ExtensionType::Alpn, ExtensionType::RecordSizeLimit, ExtensionType::MaxFragmentLength, ExtensionType::EarlyData],
        )?;
        if exts.get(ExtensionType::ServerName.to_wire()).is_some_and(|d| !d.is_empty()) {
            return Err(Error::Decode { what: "EncryptedExtensions.server_name (must be empty)" });
        }
        hs.alpn = match exts.get(ExtensionType::Alpn.to_wire()) {
            Some(d) => Some(select_alpn(d, &ctx.config.alpn)?),
            None => None,
        };
        hs.transcript.update(raw);
        // §2.2: a PSK handshake authenticates the server by the key, with no certificate.
        let trust = match hs.psk {
            Some(PskSource::External(_)) => Some(Trust::PreSharedKey),
            Some(PskSource::Resumption { verified: true }) => Some(Trust::Verified),
            Some(PskSource::Resumption { verified: false }) => Some(Trust::NotVerified),
            None => None,
        };
        match trust {
            Some(trust) => Ok((State::ExpectFinished(ExpectFinished { hs, trust }), Output::None)),
            None => Ok((State::ExpectCertificate(ExpectCertificate { hs }), Output::None)),
        }
    }
}

/// RFC 7301 §3.1: the server's list holds exactly one protocol, one we offered.
/// Returns its (offset, length) in our list.
fn select_alpn(data: &[u8], ours: &[u8]) -> Result<(u8, u8), Error> {
    let mut r = Reader::new(data);
    let list = r.vec16("ALPN.protocol_name_list")?;
    r.finish("ALPN (trailing bytes)")?;
    let mut lr = Reader::new(list);
    let chosen = lr.vec8_bounded(1, 255, "ALPN.ProtocolName")?;
    if !lr.is_empty() {
        return Err(Misbehavior::BadAlpn.into());
    }
    let mut offset = 0usize;
    for p in alpn_protocols(ours) {
        if p == chosen {
            return Ok(((offset + 1) as u8, p.len() as u8));
        }
        offset += 1 + p.len();
    }
    Err(Misbehavior::BadAlpn.into())
}

impl ExpectCertificate {
    /// §4.3.2: choose an identity the server can accept, or none (an empty
    /// Certificate will be sent and the server decides).
    fn certificate_request<'a, R>(
        mut self,
        body: &[u8],
        raw: &[u8],
        ctx: &mut Ctx<'_, 'a, R>,
    ) -> Result<(State<'a>, Output<'a>), Error> {
        let cr = CertificateRequest::decode(body)?;
        if !cr.context.is_empty() {
            return Err(Error::Decode { what: "CertificateRequest.certificate_request_context (must be empty)" });
        }
        let schemes = cr.signature_algorithms()?.ok_or(Error::MissingExtension("signature_algorithms"))?;
        let authorities = cr.certificate_authorities()?;
        let chosen = ctx.config.client_identities.iter().enumerate().find_map(|(i, id)| {
            let issued_by_listed = match &authorities {
                None => true,
                Some(cas) => id.chain.iter().any(|c| {
                    certificate_issuer(c).is_some_and(|issuer| cas.clone().any(|ca| name_body(ca) == name_body(issuer)))
                }),
            };
            let scheme = id.choose_scheme(schemes.iter().map(SignatureScheme::from_wire))?;
            issued_by_listed.then_some((i, scheme))
        });
        let context = heapless::Vec::from_slice(cr.context).unwrap_or_default();
        self.hs.client_auth = Some(ClientAuth { context, chosen });
        self.hs.transcript.update(raw);
        Ok((State::ExpectCertificate(self), Output::None))
    }

    fn handle<'a, R>(self, body: &[u8], raw: &[u8], ctx: &mut Ctx<'_, 'a, R>) -> Result<(State<'a>, Output<'a>), Error> {
        let mut hs = self.hs;
        let cert = Certificate::decode(body)?;
        if !cert.context.is_empty() {
            return Err(Misbehavior::NonEmptyCertificateContext.into());
        }
        // We request no per-certificate extensions (OCSP, SCT), so none may come (§4.4.2).
        let mut entries = Reader::new(body);
        entries.vec8("")?;
        let mut list = Reader::new(entries.vec24("")?);
        while !list.is_empty() {
            list.vec24("")?;
            let e = Extensions::check(list.vec16("CertificateEntry.extensions")?)?;
            hs.offered.check(&e, &[])?;
        }
        let leaf = cert.chain.leaf().ok_or(crate::x509::CertError::NoCertificate)?;
        let trust = ctx.config.verifier.verify_server(&cert.chain, &ctx.server_name, ctx.now)?;
        let leaf_key = PeerKey::from_certificate(leaf, ctx.config.min_rsa_bits).map_err(Error::ServerKey)?;
        hs.transcript.update(raw);
        Ok((
            State::ExpectCertificateVerify(ExpectCertificateVerify { hs, trust, leaf_key }),
            Output::None,
        ))
    }
}

impl ExpectCertificateVerify {
    fn handle<'a>(self, body: &[u8], raw: &[u8]) -> Result<(State<'a>, Output<'a>), Error> {
        let mut hs = self.hs;
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
        let n = signed_content(true, hs.transcript.current().as_bytes(), &mut content);
        self.leaf_key
            .verify(alg, &content[..n], cv.signature)
            .map_err(|_| Error::BadSignature { scheme, key: self.leaf_key.describe() })?;
        hs.transcript.update(raw);
        Ok((State::ExpectFinished(ExpectFinished { hs, trust: self.trust }), Output::None))
    }
}

impl ExpectFinished {
    fn handle<'a, R>(self, body: &[u8], raw: &[u8], ctx: &mut Ctx<'_, 'a, R>) -> Result<(State<'a>, Output<'a>), Error> {
        let mut hs = self.hs;
        let alg = hs.suite.hash;
        let expected = finished_verify_data(alg, &hs.server_secret, &hs.transcript.current());
        if !bool::from(expected.as_bytes().ct_eq(body)) {
            return Err(Error::BadFinished);
        }
        hs.transcript.update(raw);
        let hash_sf = hs.transcript.current();
        let master = hs.secret.into_master();
        let server_app_secret = master.server_traffic_secret(&hash_sf);
        let exporter_master_secret = master.exporter_master_secret(&hash_sf);
        let client_app_secret = master.client_traffic_secret(&hash_sf);
        *ctx.read_prot = Some(Protection::new(TrafficKeys::derive(alg, hs.suite.aead, &server_app_secret)));

        // Client flight: [change_cipher_spec], then one record with
        // [Certificate, CertificateVerify,] Finished (§4.4, App. D.4).
        if ctx.config.middlebox_compat && !hs.sent_ccs {
            send_ccs(ctx)?;
        }
        let mut failure = None;
        let (transcript, client_secret, auth) = (&mut hs.transcript, &hs.client_secret, &hs.client_auth);
        let identities = ctx.config.client_identities;
        let written = ctx.out.write_record(ctx.tx, ctx.write_prot.as_mut(), ContentType::Handshake, |w| {
            if let Some(auth) = auth {
                write_client_certificate(w, auth, identities, transcript).map_err(|e| {
                    failure = e;
                    crate::codec::WriteError
                })?;
            }
            let verify_data = finished_verify_data(alg, client_secret, &transcript.current());
            let start = w.len();
            write_handshake(w, HandshakeType::Finished, |w| w.bytes(verify_data.as_bytes()))?;
            transcript.update(&w.written()[start..]);
            Ok(())
        });
        if let Some(e) = failure {
            return Err(e);
        }
        written?;
        let resumption_master_secret = master.resumption_master_secret(&hs.transcript.current());
        *ctx.write_prot = Some(Protection::new(TrafficKeys::derive(alg, hs.suite.aead, &client_app_secret)));

        let alpn = hs.alpn.and_then(|(off, len)| ctx.config.alpn.get(off as usize..off as usize + len as usize));
        let summary = HandshakeSummary {
            version: ProtocolVersion::Tls13,
            cipher_suite: hs.suite.id,
            group: hs.group,
            resumed: matches!(hs.psk, Some(PskSource::Resumption { .. })),
            alpn,
            server_name: ctx.server_name,
            trust: self.trust,
            hello_retry: hs.hello_retry,
        };
        let connected = Connected {
            suite: hs.suite,
            trust: self.trust,
            alpn: hs.alpn,
            client_auth: hs.client_auth.as_ref().map(|a| a.chosen.map(|(i, _)| i)),
            server_app_secret,
            client_app_secret,
            resumption_master_secret,
            exporter_master_secret,
        };
        Ok((State::Connected(connected), Output::Complete(summary)))
    }
}

/// Writes the client's Certificate and CertificateVerify (§4.4.2, §4.4.3),
/// each added to the transcript. `Err(Some(e))` is a signer failure.
fn write_client_certificate(
    w: &mut crate::codec::Writer<'_>,
    auth: &ClientAuth,
    identities: &[crate::auth::ClientIdentity<'_>],
    transcript: &mut Transcript,
) -> Result<(), Option<Error>> {
    let identity = auth.chosen.and_then(|(i, s)| identities.get(i).map(|id| (id, s)));
    let chain: &[&[u8]] = identity.map_or(&[], |(id, _)| id.chain);
    let start = w.len();
    write_handshake(w, HandshakeType::Certificate, |w| {
        w.vec(1, &auth.context)?;
        let list = w.begin(3)?;
        for cert in chain {
            w.vec(3, cert)?;
            w.u16(0)?; // no CertificateEntry extensions
        }
        w.end(list)
    })
    .map_err(|_| None)?;
    transcript.update(&w.written()[start..]);
    let Some((id, scheme)) = identity else {
        return Ok(());
    };
    let mut content = [0u8; 64 + 34 + 64];
    let n = signed_content(false, transcript.current().as_bytes(), &mut content);
    let mut sig = [0u8; 1024];
    let sig_len = id.signer.sign(scheme, &content[..n], &mut sig).map_err(|e| Some(Error::Signer(e)))?;
    let start = w.len();
    write_handshake(w, HandshakeType::CertificateVerify, |w| {
        CertificateVerify { scheme, signature: &sig[..sig_len] }.encode(w)
    })
    .map_err(|_| None)?;
    transcript.update(&w.written()[start..]);
    Ok(())
}

/// The contents of a DER Name (a SEQUENCE), for comparing names whose
/// outer encoding was written differently; the whole input if not DER.
fn name_body(der: &[u8]) -> &[u8] {
    der::asn1::AnyRef::try_from(der).map(|a| a.value()).unwrap_or(der)
}


impl Connected {
    /// §4.6.3: update the read key; answer update_requested with our own KeyUpdate.
    fn key_update<'a, R>(mut self, body: &[u8], ctx: &mut Ctx<'_, 'a, R>) -> Result<(State<'a>, Output<'a>), Error> {
        let req = KeyUpdateRequest::decode(body)?.ok_or(Misbehavior::BadKeyUpdate)?;
        let alg = self.suite.hash;
        self.server_app_secret = next_traffic_secret(alg, &self.server_app_secret);
        *ctx.read_prot = Some(Protection::new(TrafficKeys::derive(alg, self.suite.aead, &self.server_app_secret)));
        if req == KeyUpdateRequest::Requested {
            send_handshake(ctx, HandshakeType::KeyUpdate, |w| w.u8(KeyUpdateRequest::NotRequested.to_wire()))?;
            self.client_app_secret = next_traffic_secret(alg, &self.client_app_secret);
            *ctx.write_prot = Some(Protection::new(TrafficKeys::derive(alg, self.suite.aead, &self.client_app_secret)));
        }
        Ok((State::Connected(self), Output::ReadKeyChanged))
    }

    /// TLS-Exporter (RFC 8446 §7.5).
    pub fn export(&self, label: &[u8], context: &[u8], out: &mut [u8]) {
        crate::key_schedule::export(self.suite.hash, &self.exporter_master_secret, label, context, out);
    }

    /// `Some(sent)` if the server asked for a client certificate: `sent` is
    /// the index of the identity that answered, `None` if an empty one was sent.
    pub fn client_auth(&self) -> Option<Option<usize>> {
        self.client_auth
    }

    /// Serializes a NewSessionTicket (§4.6.1) with its resumption PSK into `out`.
    pub fn store_ticket(&self, nst_body: &[u8], ctx: &TicketCtx<'_>, out: &mut [u8]) -> Result<usize, Error> {
        let nst = NewSessionTicket::decode(nst_body)?;
        let psk = resumption_psk(self.suite.hash, &self.resumption_master_secret, nst.nonce);
        let alpn = self.alpn.and_then(|(o, l)| ctx.alpn.get(o as usize..o as usize + l as usize)).unwrap_or(&[]);
        let verified = matches!(self.trust, Trust::Verified | Trust::PreSharedKey);
        let t = SessionTicket::new(self.suite.id, &nst, ctx.issued_at, verified, psk.as_bytes(), ctx.server_name, alpn);
        let mut w = crate::codec::Writer::new(out);
        t.encode(&mut w).map_err(|_| Error::Api("the buffer for the session ticket is too small"))?;
        Ok(w.len())
    }
}

#[cfg(test)]
impl ExpectServerHello<'_> {
    /// Test-only: pretend the ClientHello sent was `ch` (a whole handshake
    /// message) with private key `key_share`, as RFC 8448's traces need.
    pub(crate) fn replace_client_hello(&mut self, ch: &[u8], key_share: KeyShare) {
        let body = &ch[4..];
        let parsed = crate::msgs::client_hello::ClientHello::decode(body).ok();
        if let Some(p) = parsed {
            self.random = p.random;
            self.session_id_len = p.session_id.len() as u8;
            self.session_id[..p.session_id.len()].copy_from_slice(p.session_id);
            self.offered = Offered::from_extensions_for_test(&p.extensions);
        }
        self.key_share = Some(key_share);
        self.transcript = HelloTranscript::Unknown {
            sha256: Transcript::new(HashAlg::Sha256),
            sha384: Transcript::new(HashAlg::Sha384),
        };
        self.transcript.update(ch);
    }

    /// Test-only: after a HelloRetryRequest, pretend the two ClientHellos
    /// sent were `ch1` and `ch2`, with `key_share` in the second.
    pub(crate) fn replace_client_hellos_after_retry(&mut self, ch1: &[u8], hrr: &[u8], ch2: &[u8], key_share: KeyShare) {
        self.replace_client_hello(ch2, key_share);
        let alg = self.retry_suite.map_or(HashAlg::Sha256, |s| s.hash);
        let mut t = Transcript::new(alg);
        t.update(&[HandshakeType::MessageHash.to_wire(), 0, 0, alg.len() as u8]);
        t.update(alg.hash(ch1).as_bytes());
        t.update(hrr);
        t.update(ch2);
        self.transcript = HelloTranscript::Known(t);
    }
}
