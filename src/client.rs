//! [`Client`]: one TLS connection as a sans-I/O state machine.

use rand_core::CryptoRng;

use crate::config::{ClientConfig, ConnectOptions};
use crate::crypto::{CryptoProvider, RustCrypto};
use crate::error::{Error, Misbehavior, Received};
use crate::handshake::hello;
use crate::handshake::limits::{Flood, FloodCounters, LimitOffer};
use crate::handshake::shared::TicketCtx;
use crate::handshake::state::{Ctx, HelloCtx, Output, State};
use crate::handshake::HandshakeSummary;
use crate::msgs::enums::{AlertDescription, ContentType, HandshakeType};
use crate::msgs::handshake::KeyUpdateRequest;
use crate::record::{Inbound, KeyUsage, Outbound, Protection, ReadKeys, RecordRange, HEADER_LEN, MAX_PLAINTEXT};
use crate::trace;
use crate::verify::{ServerName, UnixTime};
use core::ops::Range;

/// What [`Client::process`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Event<'a> {
    /// Nothing more can be done with the bytes received: read more from the
    /// transport into [`Client::receive_buffer`] and call [`Client::received`].
    NeedData,
    /// The handshake finished; application data may be written.
    HandshakeComplete(HandshakeSummary<'a>),
    /// This many bytes of application data can be taken with [`Client::read`].
    ApplicationData(usize),
    /// The server gave a session to resume later: a NewSessionTicket (RFC
    /// 8446 §4.6.1, RFC 5077 §3.3) or, in TLS 1.2, a session ID. Call
    /// [`Client::session_ticket`] before the next `process` to keep it. A
    /// TLS 1.2 ticket arrives just before the server's Finished: keep it
    /// only if [`Event::HandshakeComplete`] follows.
    SessionTicket,
    /// The server closed the connection cleanly (close_notify, RFC 8446 §6.1).
    PeerClosed,
}

enum Phase {
    Handshaking,
    PeerClosed,
    Failed(Error),
}

/// What [`Client::session_ticket`] serializes after [`Event::SessionTicket`].
#[derive(Clone, Copy)]
enum PendingSession {
    /// A NewSessionTicket message of this length, still in the receive
    /// buffer (a handshake message is at most 4 + 2^24 bytes: a `u32` holds it).
    Message(u32),
    /// The TLS 1.2 session ID of the completed handshake.
    SessionId,
}

/// A TLS 1.3 / TLS 1.2 client connection that never touches the network.
///
/// The caller moves bytes between the transport and the engine:
///
/// ```no_run
/// use std::io::{Read, Write};
/// use embertls::{Client, ClientConfig, ConnectOptions, Event, ServerName, ServerVerification};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let config = ClientConfig::new(ServerVerification::danger_accept_any());
/// let mut sock = std::net::TcpStream::connect("127.0.0.1:4433")?;
/// let rng = rand_core::UnwrapErr(getrandom::SysRng);
/// let options = ConnectOptions::new(&config, ServerName::parse("localhost"));
/// let mut client = Client::new(options, rng, vec![0u8; 16_645], [0u8; 4096])?;
/// let mut sent_request = false;
/// loop {
///     // 1. Let the engine work on what it has received.
///     let event = client.process()?;
///     // 2. Send whatever it queued (handshake, records, alerts), every time:
///     //    a flight may be queued along with NeedData (TLS 1.2's client
///     //    flight, a second ClientHello after HelloRetryRequest).
///     let out = client.outgoing();
///     if !out.is_empty() {
///         sock.write_all(out)?;
///         let n = out.len();
///         client.sent(n);
///     }
///     match event {
///         Event::NeedData => {
///             let n = sock.read(client.receive_buffer())?;
///             client.received(n); // 0 means the transport closed
///         }
///         Event::HandshakeComplete(summary) => {
///             println!("connected: {} {}", summary.version, summary.cipher_suite);
///             if !sent_request {
///                 client.write(b"GET / HTTP/1.0\r\n\r\n")?;
///                 sent_request = true;
///             }
///         }
///         Event::ApplicationData(_) => {
///             let mut buf = [0u8; 1024];
///             let n = client.read(&mut buf);
///             std::io::stdout().write_all(&buf[..n])?;
///         }
///         Event::PeerClosed => break,
///         _ => {}
///     }
/// }
/// # Ok(()) }
/// ```
///
/// `Rx` and `Tx` are the receive and send buffer types (`[u8; N]`,
/// `&mut [u8]`, `Vec<u8>`, ...; `Tx` defaults to `Rx`). The receive buffer
/// must hold the largest record the server sends plus any handshake message
/// split across records; 16 645 bytes ([`crate::MAX_RECORD`]) hold any
/// record, and a server that accepts the max_fragment_length or
/// record_size_limit offered for a smaller buffer sends smaller ones. The
/// send buffer must hold the ClientHello and one record; writes are split to fit it.
pub struct Client<'a, R, Rx, Tx = Rx, P: CryptoProvider = RustCrypto> {
    config: &'a ClientConfig<'a>,
    server_name: ServerName<'a>,
    now: Option<UnixTime>,
    rng: R,
    crypto: P,
    rx: Rx,
    tx: Tx,
    inbound: Inbound,
    outbound: Outbound,
    read_prot: Option<Protection<P>>,
    /// Read keys were installed since the last boundary check (see [`ReadKeys`]).
    read_changed: bool,
    write_prot: Option<Protection<P>>,
    state: Option<State<'a, P>>,
    phase: Phase,
    eof: bool,
    close_sent: bool,
    pending_ticket: Option<PendingSession>,
    floods: FloodCounters,
    /// Bytes still to drop of a TLS 1.3 NewSessionTicket larger than the
    /// receive buffer (see [`Client::drop_oversized_ticket`]).
    ticket_skip: u32,
    /// Lowered by the lib tests; elsewhere the RFC 8446 §5.5 limits (no RAM spent).
    #[cfg(test)]
    key_usage: KeyUsage,
}

impl<'a, R, Rx, Tx, P> Client<'a, R, Rx, Tx, P>
where
    R: CryptoRng,
    P: CryptoProvider,
    Rx: AsMut<[u8]> + AsRef<[u8]>,
    Tx: AsMut<[u8]> + AsRef<[u8]>,
{
    /// Starts a connection as `options` say (server name, time, session to
    /// resume): the ClientHello is queued in [`Client::outgoing`] at once.
    ///
    /// `rng` must be a cryptographically secure generator; `rx` is the
    /// receive buffer and `tx` the send buffer, of any types that are byte
    /// slices (see the type's documentation for their sizes).
    pub fn new(options: ConnectOptions<'a, P>, rng: R, rx: Rx, tx: Tx) -> Result<Self, Error> {
        let ConnectOptions { config, server_name, now, session, provider } = options;
        if rx.as_ref().len() < 512 {
            return Err(Error::Config("the receive buffer must be at least 512 bytes"));
        }
        // The ClientHello is written before the client exists, from its
        // parts: the returned value is then built where it is returned, and
        // no copy of it is on the stack while the hello is written (issue 12).
        let (mut rng, mut crypto, mut tx) = (rng, provider, tx);
        let mut outbound = Outbound::default();
        let mut state = None;
        let limits = LimitOffer::for_receive_buffer(rx.as_ref().len());
        let ticket = session.filter(|t| hello::session_trusted(config, t));
        let mut ctx = HelloCtx {
            config,
            server_name,
            now,
            rng: &mut rng,
            crypto: &mut crypto,
            tx: tx.as_mut(),
            out: &mut outbound,
        };
        hello::start(&mut ctx, ticket, limits, &mut state)?;
        Ok(Client {
            config,
            server_name,
            now,
            rng,
            crypto,
            rx,
            tx,
            inbound: Inbound::default(),
            outbound,
            read_prot: None,
            read_changed: false,
            write_prot: None,
            state,
            phase: Phase::Handshaking,
            eof: false,
            close_sent: false,
            pending_ticket: None,
            floods: FloodCounters::default(),
            ticket_skip: 0,
            #[cfg(test)]
            key_usage: KeyUsage::default(),
        })
    }

    /// The receive buffer, the state and, borrowed beside them, what a transition may touch.
    fn split(&mut self) -> (&[u8], &mut Option<State<'a, P>>, Ctx<'_, 'a, R, P>) {
        let ctx = Ctx {
            config: self.config,
            server_name: self.server_name,
            now: self.now,
            rng: &mut self.rng,
            crypto: &mut self.crypto,
            tx: self.tx.as_mut(),
            out: &mut self.outbound,
            read_prot: ReadKeys::new(&mut self.read_prot, &mut self.read_changed),
            write_prot: &mut self.write_prot,
        };
        (self.rx.as_ref(), &mut self.state, ctx)
    }

    /// Bytes to send to the server, oldest first. After sending some, call [`Client::sent`].
    pub fn outgoing(&self) -> &[u8] {
        self.outbound.pending(self.tx.as_ref())
    }

    /// The caller sent the first `n` bytes of [`Client::outgoing`].
    pub fn sent(&mut self, n: usize) {
        self.outbound.consumed(n);
    }

    /// The free part of the receive buffer: read transport bytes straight into it.
    ///
    /// It is empty only if buffered data must be processed first
    /// (call [`Client::process`]); a record that can never fit is reported
    /// by `process` as [`Error::ReceiveBufferTooSmall`].
    pub fn receive_buffer(&mut self) -> &mut [u8] {
        self.inbound.space(self.rx.as_mut())
    }

    /// `n` bytes were written into [`Client::receive_buffer`]; `0` means the
    /// transport reached end of file.
    pub fn received(&mut self, n: usize) {
        if n == 0 {
            self.eof = true;
        }
        let cap = self.rx.as_ref().len();
        self.inbound.received(n, cap);
    }

    /// True once the handshake has completed (and the connection has not failed).
    pub fn is_handshake_complete(&self) -> bool {
        matches!(self.phase, Phase::Handshaking) && self.state.as_ref().is_some_and(State::is_connected)
    }

    /// Works on the received bytes until something happens; see [`Event`].
    ///
    /// After an error the connection is dead: the alert it implies is in
    /// [`Client::outgoing`] and every later call returns the same error.
    pub fn process(&mut self) -> Result<Event<'a>, Error> {
        match &self.phase {
            Phase::Failed(e) => return Err(e.clone()),
            Phase::PeerClosed => return Ok(Event::PeerClosed),
            Phase::Handshaking => {}
        }
        // The result stays in the caller's slot; `fail` borrows the error.
        let r = self.step();
        if let Err(e) = &r {
            self.fail(e);
        }
        r
    }

    fn fail(&mut self, e: &Error) {
        trace::warning!("connection failed: {}", e);
        if let Some(alert) = e.alert() {
            self.send_alert(alert);
        }
        self.state = None;
        self.read_prot = None;
        self.write_prot = None;
        self.phase = Phase::Failed(e.clone());
    }

    fn send_alert(&mut self, alert: AlertDescription) {
        let level = if alert == AlertDescription::CloseNotify { 1 } else { 2 };
        trace::debug!("sending alert {}", alert);
        let tx = self.tx.as_mut();
        // Best effort: if the send buffer is full the alert is dropped.
        let _ = self.outbound.write_record(tx, &mut self.crypto, self.write_prot.as_mut(), ContentType::Alert, |w| {
            w.u8(level)?;
            w.u8(alert.to_wire())
        });
    }

    fn step(&mut self) -> Result<Event<'a>, Error> {
        if let Some(PendingSession::Message(len)) = self.pending_ticket.take() {
            self.inbound.consume_handshake(len as usize);
        }
        if self.state.as_mut().is_some_and(State::take_session_announcement) {
            self.pending_ticket = Some(PendingSession::SessionId);
            return Ok(Event::SessionTicket);
        }
        loop {
            let n = self.inbound.application_data_len();
            if n > 0 {
                return Ok(Event::ApplicationData(n));
            }
            // Handshake messages already reassembled come first.
            let next = match self.inbound.next_handshake(self.rx.as_ref()) {
                Err(Error::ReceiveBufferTooSmall { needed, .. }) if self.drop_oversized_ticket(needed)? => continue,
                r => r?,
            };
            if let Some(range) = next {
                let len = range.len();
                let typ = HandshakeType::from_wire(self.rx.as_ref()[range.start]);
                trace::trace!("received {} ({} bytes)", typ, len);
                match typ {
                    HandshakeType::KeyUpdate => self.floods.count(Flood::KeyUpdate)?,
                    HandshakeType::HelloRequest => self.floods.count(Flood::HelloRequest)?,
                    _ => {}
                }
                let out = {
                    let (rx, state, mut ctx) = self.split();
                    let Some(state) = state.as_mut() else { return Err(Error::Closed) };
                    state.handle(&rx[range], &mut ctx)?
                };
                match (typ, &out, &self.state) {
                    (HandshakeType::KeyUpdate, _, _) => trace::debug!("the server changed its sending key (KeyUpdate)"),
                    (HandshakeType::HelloRequest, _, _) => {}
                    // §4.6.1: a ticket of lifetime 0 is dropped unseen.
                    (HandshakeType::NewSessionTicket, Output::None, Some(State::Connected(_))) => {
                        self.floods.count(Flood::DiscardedTicket)?
                    }
                    _ => self.floods.progress(),
                }
                // A ticket stays buffered until `session_ticket()` has read it.
                if !matches!(out, Output::Ticket) {
                    self.inbound.consume_handshake(len);
                }
                self.check_key_change_boundary()?;
                match out {
                    Output::None => {}
                    Output::Complete => {
                        let summary = self
                            .handshake_summary()
                            .ok_or(Error::Internal("no connected state after the handshake completed"))?;
                        trace::debug!(
                            "handshake complete: {}, {}, group {}, ALPN {}, resumed {}, HelloRetryRequest {}, server {:?}",
                            summary.version,
                            summary.cipher_suite,
                            trace::Opt(summary.group),
                            trace::Alpn(summary.alpn),
                            summary.resumed,
                            summary.hello_retry,
                            summary.trust
                        );
                        return Ok(Event::HandshakeComplete(summary));
                    }
                    Output::Ticket => {
                        self.pending_ticket = Some(PendingSession::Message(len as u32));
                        return Ok(Event::SessionTicket);
                    }
                }
                continue;
            }
            let next = self.inbound.next_record(self.rx.as_ref()).map_err(|e| self.explain_overflow(e))?;
            let Some(rec) = next else {
                if self.eof {
                    return Err(Error::Truncated);
                }
                return Ok(Event::NeedData);
            };
            if let Some(ev) = self.on_record(rec)? {
                return Ok(ev);
            }
        }
    }

    /// A record too large for the buffer, from a server that agreed to a
    /// smaller record size, is the server's fault: say so (RFC 8449).
    fn explain_overflow(&self, e: Error) -> Error {
        let limit = self.state.as_ref().and_then(|s| s.limits().recv);
        let len = self.inbound.peek_record_len(self.rx.as_ref());
        match (e, limit, len) {
            (Error::ReceiveBufferTooSmall { .. }, Some(limit), Some(len))
                if len.saturating_sub(crate::crypto::TAG_LEN) > limit =>
            {
                Error::RecordOverflow { size: len.saturating_sub(crate::crypto::TAG_LEN), limit }
            }
            (e, _, _) => e,
        }
    }

    /// A TLS 1.3 NewSessionTicket (RFC 8446 §4.6.1) larger than the receive
    /// buffer (`needed` bytes; a server may send up to 64 KB) is dropped, as
    /// its records arrive, instead of ending the connection: the session is
    /// lost, not the connection. Counted as a discarded ticket (issue 13.2).
    /// False for any other message, which stays a
    /// [`Error::ReceiveBufferTooSmall`].
    fn drop_oversized_ticket(&mut self, needed: usize) -> Result<bool, Error> {
        let first = self.rx.as_ref().get(self.inbound.handshake_start()).copied();
        let is_ticket = first == Some(HandshakeType::NewSessionTicket.to_wire());
        if !is_ticket || !matches!(self.state, Some(State::Connected(_))) {
            return Ok(false);
        }
        self.floods.count(Flood::DiscardedTicket)?;
        let buffered = self.inbound.handshake_len();
        self.inbound.consume_handshake(buffered);
        self.ticket_skip = u32::try_from(needed - buffered).unwrap_or(u32::MAX);
        Ok(true)
    }

    /// RFC 8446 §5.1: handshake messages must not span a key change. Runs
    /// after every handshake message and change_cipher_spec; it refuses only
    /// if read keys were installed ([`ReadKeys`] marks it).
    fn check_key_change_boundary(&mut self) -> Result<(), Error> {
        if core::mem::take(&mut self.read_changed) && self.inbound.handshake_len() > 0 {
            return Err(Misbehavior::DataBeforeKeyChange.into());
        }
        Ok(())
    }

    #[inline(never)] // keeps the record path's locals out of the handshake's frames
    fn on_record(&mut self, rec: RecordRange) -> Result<Option<Event<'a>>, Error> {
        let connected = self.state.as_ref().is_some_and(State::is_connected);
        self.check_peer_key_usage()?;
        let rx = self.rx.as_mut();
        let body = &rx[rec.record.start + HEADER_LEN..rec.record.end];
        // RFC 5246 §7.1: change_cipher_spec is one 0x01 byte; TLS 1.2 switches
        // the read keys on it, TLS 1.3 drops it during the handshake (RFC 8446 §5).
        if rec.header.typ == ContentType::ChangeCipherSpec {
            if body != [1] {
                return Err(Misbehavior::BadChangeCipherSpec.into());
            }
            self.inbound.discard_record(rx, &rec);
            trace::trace!("received change_cipher_spec");
            if !matches!(self.state, Some(State::Tls12(_))) {
                self.floods.count(Flood::ChangeCipherSpec)?;
            }
            let out = {
                let (_, state, mut ctx) = self.split();
                state.as_mut().ok_or(Error::Closed)?.change_cipher_spec(&mut ctx)?
            };
            let Output::None = out else { return Err(Error::Internal("change_cipher_spec completed a handshake")) };
            self.check_key_change_boundary()?;
            return Ok(None);
        }
        // RFC 8449: a server that agreed to a limit must keep to it.
        let limits = self.state.as_ref().map(State::limits).unwrap_or_default();
        if let (Some(limit), Some(p)) = (limits.recv, self.read_prot.as_ref()) {
            let inner = rec.header.len.saturating_sub(p.expansion());
            if inner > limit {
                return Err(Error::RecordOverflow { size: inner, limit });
            }
        }
        let whole = rec.record.clone();
        let (typ, plain): (ContentType, Range<usize>) = match (self.read_prot.as_mut(), rec.header.typ) {
            (Some(p), t @ (ContentType::ApplicationData | ContentType::Handshake | ContentType::Alert))
                if t == ContentType::ApplicationData || !p.is_tls13() =>
            {
                let o = p.open_in_place(&mut self.crypto, &mut rx[whole.clone()])?;
                (o.typ, whole.start + o.plaintext.start..whole.start + o.plaintext.end)
            }
            (Some(_), _) => return Err(Misbehavior::UnprotectedRecord.into()),
            (None, t @ (ContentType::Handshake | ContentType::Alert)) => {
                if rec.header.len > MAX_PLAINTEXT {
                    return Err(Error::RecordOverflow { size: rec.header.len, limit: MAX_PLAINTEXT });
                }
                (t, whole.start + HEADER_LEN..whole.end)
            }
            (None, t) => {
                return Err(Error::UnexpectedMessage { expected: "a handshake record", got: Received::Record(t) })
            }
        };
        match typ {
            ContentType::Handshake => {
                if plain.is_empty() {
                    return Err(Misbehavior::EmptyHandshakeRecord.into());
                }
                // The rest of a ticket too large to keep is dropped as it arrives.
                let drop = plain.len().min(self.ticket_skip as usize);
                self.ticket_skip -= drop as u32;
                match plain.start + drop..plain.end {
                    rest if rest.is_empty() => self.inbound.discard_record(rx, &rec),
                    rest => self.inbound.keep_handshake(rx, &rec, rest),
                }
                Ok(None)
            }
            ContentType::Alert => {
                let (level, alert) = match rx[plain] {
                    [l, d] => (l, AlertDescription::from_wire(d)),
                    _ => return Err(Misbehavior::BadRecord.into()),
                };
                self.inbound.discard_record(rx, &rec);
                trace::debug!("received alert {} (level {})", alert, level);
                let tls12 = matches!(self.state, Some(State::Tls12(_)));
                match alert {
                    AlertDescription::CloseNotify if connected => {
                        self.phase = Phase::PeerClosed;
                        Ok(Some(Event::PeerClosed))
                    }
                    AlertDescription::UserCanceled => self.floods.count(Flood::WarningAlert).map(|_| None),
                    // RFC 5246 §7.2: TLS 1.2 warnings (e.g. no_renegotiation) are not fatal.
                    AlertDescription::CloseNotify => Err(Error::AlertReceived(alert)),
                    _ if tls12 && level == 1 => self.floods.count(Flood::WarningAlert).map(|_| None),
                    a if self.state.as_ref().is_some_and(State::offers_external_psk) => {
                        Err(Error::PskRefused { alert: Some(a) })
                    }
                    a if self.state.as_ref().is_some_and(State::offers_ticket) => Err(Error::TicketRefused(a)),
                    a if is_client_auth_alert(a) => match self.state.as_ref().and_then(State::client_auth) {
                        Some(sent) => Err(self.client_auth_rejected(a, sent)),
                        None => Err(Error::AlertReceived(a)),
                    },
                    a => Err(Error::AlertReceived(a)),
                }
            }
            ContentType::ApplicationData if connected => {
                // §5.1: no interleaving with a partial handshake message.
                if self.inbound.handshake_len() > 0 || self.ticket_skip > 0 {
                    return Err(Misbehavior::DataBeforeKeyChange.into());
                }
                if plain.is_empty() {
                    self.floods.count(Flood::EmptyRecord)?;
                    self.inbound.discard_record(rx, &rec);
                } else {
                    self.floods.progress();
                    self.inbound.keep_application_data(&rec, plain);
                }
                Ok(None)
            }
            t => Err(Error::UnexpectedMessage {
                expected: self.state.as_ref().map_or("nothing", State::expecting),
                got: Received::Record(t),
            }),
        }
    }

    /// Serializes the session just announced by [`Event::SessionTicket`] into
    /// `out` (a few hundred bytes; the server's ticket plus about 130) and
    /// returns its length; read it back with [`crate::SessionTicket::decode`].
    /// The bytes hold the session's secret: keep them private.
    pub fn session_ticket(&mut self, out: &mut [u8]) -> Result<usize, Error> {
        const MISUSE: Error = Error::Api("session_ticket() is only valid right after Event::SessionTicket");
        let rx = self.rx.as_ref();
        let (Some(pending), Some(state)) = (self.pending_ticket, self.state.as_ref()) else {
            return Err(MISUSE);
        };
        let mut name = heapless::String::<255>::new();
        let _ = core::fmt::write(&mut name, format_args!("{}", self.server_name));
        let ctx = TicketCtx {
            config: self.config,
            issued_at: self.now.map_or(0, |t| t.0),
            server_name: name.as_bytes(),
            alpn: &self.config.alpn,
        };
        let message = match pending {
            PendingSession::Message(_) => {
                let range = self.inbound.next_handshake(rx).ok().flatten().ok_or(MISUSE)?;
                Some(&rx[range.start + 4..range.end])
            }
            PendingSession::SessionId => None,
        };
        match (state, message) {
            (State::Connected(c), Some(body)) => c.store_ticket(&mut self.crypto, body, &ctx, out),
            (State::Tls12(s), body) => s.store_session(body, &ctx, out),
            _ => Err(MISUSE),
        }
    }

    /// An upper bound of what [`Client::session_ticket`] writes right after
    /// [`Event::SessionTicket`] (the server's ticket plus at most 658 bytes),
    /// for sizing its buffer; 0 when no session is pending.
    pub fn session_ticket_max_len(&self) -> usize {
        // SessionTicket::encode: 29 bytes of fixed fields, trust id (1+32),
        // secret (1+48), ticket (2+n), session ID (1+32), name and ALPN (1+255 each).
        const OVERHEAD: usize = 29 + 33 + 49 + 2 + 33 + 256 + 256;
        match self.pending_ticket {
            Some(PendingSession::Message(len)) => OVERHEAD + len as usize,
            Some(PendingSession::SessionId) => OVERHEAD,
            None => 0,
        }
    }

    /// Keying material exported from the connection (RFC 8446 §7.5, RFC 5705),
    /// e.g. for channel binding. `out.len()` bytes are filled, at most 255 hash
    /// lengths. In TLS 1.2 the context is always used (RFC 5705 §4), empty or not,
    /// and a connection without the extended master secret refuses (RFC 7627 §5.4).
    pub fn export_keying_material(&mut self, label: &[u8], context: &[u8], out: &mut [u8]) -> Result<(), Error> {
        const NOT_YET: Error =
            Error::Api("export_keying_material() needs a completed handshake (after Event::HandshakeComplete)");
        if label.len() > 249 || context.len() > 255 || out.len() > 255 * 32 {
            return Err(Error::Api("exporter label must be at most 249 bytes, context 255, output 8160"));
        }
        match self.state.as_ref() {
            Some(State::Connected(c)) => {
                c.export(&mut self.crypto, label, context, out);
                Ok(())
            }
            Some(State::Tls12(s)) => s.export(&mut self.crypto, label, context, out).unwrap_or(Err(NOT_YET)),
            _ => Err(NOT_YET),
        }
    }

    /// What the handshake negotiated (the summary [`Event::HandshakeComplete`]
    /// carried), produced from the connection's state; `None` before the
    /// handshake completed or after the connection failed.
    pub fn handshake_summary(&self) -> Option<HandshakeSummary<'a>> {
        self.state.as_ref()?.summary(self.config, self.server_name)
    }

    /// The connection's crypto provider (e.g. to read a hardware driver's state).
    pub fn provider(&self) -> &P {
        &self.crypto
    }

    /// Ends the connection and hands back its crypto provider (e.g. the
    /// peripheral driver it held). Nothing more is sent: call
    /// [`Client::close`] and send [`Client::outgoing`] first for a clean close.
    pub fn into_provider(self) -> P {
        self.crypto
    }

    /// The psk_identity_hint a TLS 1.2 server sent in its ServerKeyExchange
    /// (RFC 4279 §2), e.g. mosquitto's `psk_hint`; `None` if it sent none (or
    /// one longer than 64 bytes). TLS 1.3 has no hint.
    ///
    /// ```no_run
    /// # fn f(client: &embertls::Client<'_, rand_core::UnwrapErr<getrandom::SysRng>, Vec<u8>>) {
    /// if let Some(hint) = client.psk_identity_hint() {
    ///     println!("server hint: {}", String::from_utf8_lossy(hint));
    /// }
    /// # }
    /// ```
    pub fn psk_identity_hint(&self) -> Option<&[u8]> {
        match self.state.as_ref() {
            Some(State::Tls12(s)) => s.psk_identity_hint(),
            _ => None,
        }
    }

    fn client_auth_rejected(&self, alert: AlertDescription, sent: Option<usize>) -> Error {
        Error::ClientAuthRejected { alert, sent_identity: sent, configured: !self.config.client_identities.is_empty() }
    }

    /// Copies received application data into `out`; returns the byte count
    /// (0 if none is waiting: call [`Client::process`]).
    pub fn read(&mut self, out: &mut [u8]) -> usize {
        self.inbound.read_application_data(self.rx.as_mut(), out)
    }

    /// Encrypts application data into the send buffer; returns how many
    /// bytes of `data` were taken (fewer when the send buffer is full:
    /// send [`Client::outgoing`] and call again).
    pub fn write(&mut self, data: &[u8]) -> Result<usize, Error> {
        if let Phase::Failed(e) = &self.phase {
            return Err(e.clone());
        }
        if self.close_sent {
            return Err(Error::Closed);
        }
        if !self.state.as_ref().is_some_and(State::is_connected) {
            return Err(Error::Api("write() before the handshake completed; wait for Event::HandshakeComplete"));
        }
        let mut taken = 0;
        while taken < data.len() {
            // The KeyUpdate itself is the last record under the old key.
            if self.write_prot.as_ref().is_some_and(|p| p.seq() + 1 >= self.key_usage().update_at) {
                // Room for the KeyUpdate first, else the caller sends what is queued and calls again.
                if self.outbound.free_len(self.tx.as_mut()) < 64 {
                    break;
                }
                self.change_own_key().inspect_err(|e| self.fail(e))?;
            }
            let tx = self.tx.as_mut();
            let free = self.outbound.free_len(tx);
            let overhead = self.write_prot.as_ref().map_or(0, Protection::overhead);
            let room = free.saturating_sub(HEADER_LEN + overhead);
            let limit = self.state.as_ref().map_or(MAX_PLAINTEXT, |s| s.limits().send);
            let n = room.min(limit).min(data.len() - taken);
            if n == 0 {
                break;
            }
            let chunk = &data[taken..taken + n];
            let r = self.outbound.write_record(
                tx,
                &mut self.crypto,
                self.write_prot.as_mut(),
                ContentType::ApplicationData,
                |w| w.bytes(chunk),
            );
            if let Err(e) = r {
                self.fail(&e);
                return Err(e);
            }
            taken += n;
        }
        Ok(taken)
    }

    /// Sends a KeyUpdate and changes our sending key (TLS 1.3, RFC 8446
    /// §4.6.3); with `request_peer` the server is asked to change its key
    /// too. [`Client::write`] does this by itself before a key has sealed
    /// ⌊2^24.5⌋ records (RFC 8446 §5.5), and asks the
    /// server once its key has sealed as many; a server that goes on past
    /// 2^25 records is refused. TLS 1.2 has no
    /// KeyUpdate: this returns [`Error::Api`], and the connection ends with
    /// [`Error::KeyUsageLimit`] at the limit instead. Send
    /// [`Client::outgoing`] afterwards.
    pub fn update_keys(&mut self, request_peer: bool) -> Result<(), Error> {
        if let Phase::Failed(e) = &self.phase {
            return Err(e.clone());
        }
        if self.close_sent {
            return Err(Error::Closed);
        }
        match self.state {
            Some(State::Connected(_)) => {}
            Some(State::Tls12(ref s)) if s.is_connected() => return Err(Error::Api(
                "update_keys(): TLS 1.2 has no KeyUpdate (RFC 8446 §4.6.3 is TLS 1.3 only); connect again for new keys",
            )),
            _ => {
                return Err(Error::Api(
                    "update_keys() before the handshake completed; wait for Event::HandshakeComplete",
                ))
            }
        }
        if request_peer {
            self.floods.reset(Flood::KeyUpdate);
        }
        let req = if request_peer { KeyUpdateRequest::Requested } else { KeyUpdateRequest::NotRequested };
        self.update_write_key(req).inspect_err(|e| self.fail(e))
    }

    fn update_write_key(&mut self, req: KeyUpdateRequest) -> Result<(), Error> {
        trace::debug!("changing our sending key (KeyUpdate, update_requested {})", req == KeyUpdateRequest::Requested);
        let (_, state, mut ctx) = self.split();
        match state {
            Some(State::Connected(c)) => c.update_write_key(req, &mut ctx),
            _ => Err(Error::Closed),
        }
    }

    /// RFC 8446 §5.5: our sending key changes before it reaches the limit;
    /// TLS 1.2, which cannot change keys, ends the connection there.
    fn change_own_key(&mut self) -> Result<(), Error> {
        match self.state {
            Some(State::Connected(_)) => self.update_write_key(KeyUpdateRequest::NotRequested),
            _ => Err(Error::KeyUsageLimit { by_peer: false }),
        }
    }

    /// The key usage limits in force.
    fn key_usage(&self) -> KeyUsage {
        #[cfg(test)]
        return self.key_usage;
        #[cfg(not(test))]
        KeyUsage::default()
    }

    /// RFC 8446 §5.5 for the server's key: at the limit it is asked (once
    /// per key) to update; past [`KeyUsage::peer_limit`] its records are refused.
    fn check_peer_key_usage(&mut self) -> Result<(), Error> {
        let Some(seq) = self.read_prot.as_ref().map(Protection::seq) else { return Ok(()) };
        if seq >= self.key_usage().peer_limit {
            return Err(Error::KeyUsageLimit { by_peer: true });
        }
        if seq == self.key_usage().update_at && matches!(self.state, Some(State::Connected(_))) && !self.close_sent {
            self.update_write_key(KeyUpdateRequest::Requested)?;
        }
        Ok(())
    }

    /// Queues a close_notify alert (RFC 8446 §6.1, RFC 5246 §7.2.1); no more data can be
    /// written, but data the server still sends can be read.
    pub fn close(&mut self) {
        if !self.close_sent && !matches!(self.phase, Phase::Failed(_)) {
            self.send_alert(AlertDescription::CloseNotify);
            self.outbound.shut();
            self.close_sent = true;
        }
    }
}

#[cfg(test)]
#[path = "client_key_usage_tests.rs"]
mod key_usage_tests;

#[cfg(test)]
impl<'a, R: CryptoRng, Rx: AsMut<[u8]> + AsRef<[u8]>, Tx: AsMut<[u8]> + AsRef<[u8]>, P: CryptoProvider>
    Client<'a, R, Rx, Tx, P>
{
    /// Test-only: see `ExpectServerHello::replace_client_hello`; the key
    /// share is made from `private` by the connection's own provider.
    pub(crate) fn replace_client_hello(&mut self, ch: &[u8], group: crate::msgs::enums::NamedGroup, private: &[u8]) {
        let k = crate::crypto::KeyShare::from_private_bytes(&mut self.crypto, group, private).expect("a usable key");
        if let Some(State::ExpectServerHello(s)) = &mut self.state {
            s.replace_client_hello(&mut self.crypto, ch, k);
        }
    }

    /// Test-only: see `ExpectServerHello::replace_client_hellos_after_retry`.
    pub(crate) fn replace_client_hellos_after_retry(
        &mut self,
        ch1: &[u8],
        hrr: &[u8],
        ch2: &[u8],
        group: crate::msgs::enums::NamedGroup,
        private: &[u8],
    ) {
        let k = crate::crypto::KeyShare::from_private_bytes(&mut self.crypto, group, private).expect("a usable key");
        if let Some(State::ExpectServerHello(s)) = &mut self.state {
            s.replace_client_hellos_after_retry(&mut self.crypto, ch1, hrr, ch2, k);
        }
    }
}

/// Alerts a server sends when it refuses client authentication (RFC 8446 §4.4.2.4, §6.2).
fn is_client_auth_alert(a: AlertDescription) -> bool {
    matches!(
        a,
        AlertDescription::CertificateRequired
            | AlertDescription::UnknownCa
            | AlertDescription::BadCertificate
            | AlertDescription::UnsupportedCertificate
            | AlertDescription::CertificateExpired
            | AlertDescription::CertificateUnknown
            | AlertDescription::CertificateRevoked
            | AlertDescription::AccessDenied
            | AlertDescription::DecryptError
            | AlertDescription::HandshakeFailure
    )
}
