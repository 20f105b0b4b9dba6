//! Sessions to resume, as values the caller owns: TLS 1.3 tickets (RFC 8446
//! §4.6.1) and TLS 1.2 sessions (RFC 5077 tickets or session IDs, RFC 5246
//! §7.4.1.2), in one compact byte form that can be kept in RTC memory or flash.
//!
//! The serialized ticket contains the resumption PSK: store it as you would
//! a password. Resume with [`crate::ConnectOptions::resuming`].

use crate::codec::{Reader, WriteError, Writer};
use crate::error::Error;
use crate::msgs::enums::{CipherSuite, ProtocolVersion};
use crate::verify::{Trust, TrustId};

const MAGIC: [u8; 4] = *b"ETK\x03";

/// A stored session ticket, borrowed from its serialized bytes. The protocol
/// version is inside: a TLS 1.2 session is resumed only by a TLS 1.2
/// handshake, a TLS 1.3 ticket only by TLS 1.3.
///
/// ```
/// # use embertls::SessionTicket;
/// // Bytes that are not a ticket are refused with a typed error.
/// assert!(SessionTicket::decode(b"not a ticket").is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SessionTicket<'b> {
    /// Protocol version of the connection that issued it.
    pub version: ProtocolVersion,
    /// Cipher suite of the connection that issued it.
    pub cipher_suite: CipherSuite,
    /// Lifetime in seconds from `issued_at`.
    pub lifetime: u32,
    /// ticket_age_add (obfuscates the ticket age, §4.2.11.1).
    pub age_add: u32,
    /// Caller time when the connection started (0 if it had no clock).
    pub issued_at: u64,
    /// max_early_data_size the server allows (0: no 0-RTT).
    pub max_early_data: u32,
    /// How the issuing connection authenticated the server; a resumed
    /// connection inherits it (RFC 8446 §2.2).
    pub trust: Trust,
    /// The trust configuration that accepted the server (see
    /// [`ServerVerifier::trust_id`](crate::ServerVerifier::trust_id)); `None`
    /// if it could not tell, and then the session is never offered.
    trust_id: Option<&'b [u8; 32]>,
    /// Seconds since issue, when the caller supplies it (see [`SessionTicket::with_age`]).
    age: Option<u32>,
    psk: &'b [u8],
    /// The opaque ticket (the PSK identity in TLS 1.3; RFC 5077 ticket in
    /// TLS 1.2, empty when the session is resumed by its ID).
    pub ticket: &'b [u8],
    /// The TLS 1.2 session ID (empty for TLS 1.3).
    pub session_id: &'b [u8],
    /// The server name it was issued for.
    pub server_name: &'b [u8],
    /// The ALPN protocol of the issuing connection (empty if none).
    pub alpn: &'b [u8],
}

impl core::fmt::Debug for SessionTicket<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionTicket")
            .field("version", &self.version)
            .field("cipher_suite", &self.cipher_suite)
            .field("lifetime", &self.lifetime)
            .field("issued_at", &self.issued_at)
            .field("trust", &self.trust)
            .field("ticket_len", &self.ticket.len())
            .finish_non_exhaustive()
    }
}

impl<'b> SessionTicket<'b> {
    /// Parses bytes written by [`crate::Client::session_ticket`].
    pub fn decode(bytes: &'b [u8]) -> Result<Self, Error> {
        let bad = |_: crate::codec::DecodeError| {
            Error::Config("not a valid serialized session ticket (truncated, corrupted or from another version)")
        };
        let mut r = Reader::new(bytes);
        if r.array::<4>("magic").map_err(bad)? != MAGIC {
            return Err(bad(crate::codec::DecodeError("magic")));
        }
        let t = SessionTicket {
            version: ProtocolVersion::from_wire(r.u16("version").map_err(bad)?),
            cipher_suite: CipherSuite::from_wire(r.u16("suite").map_err(bad)?),
            lifetime: r.u32("lifetime").map_err(bad)?,
            age_add: r.u32("age_add").map_err(bad)?,
            issued_at: u64::from_be_bytes(r.array("issued_at").map_err(bad)?),
            max_early_data: r.u32("max_early_data").map_err(bad)?,
            trust: match r.u8("trust").map_err(bad)? {
                0 => Trust::NotVerified,
                1 => Trust::Verified,
                2 => Trust::PreSharedKey,
                _ => return Err(bad(crate::codec::DecodeError("trust"))),
            },
            trust_id: match r.vec8("trust_id").map_err(bad)? {
                [] => None,
                id => Some(id.try_into().map_err(|_| bad(crate::codec::DecodeError("trust_id")))?),
            },
            age: None,
            psk: r.vec8_bounded(32, 48, "psk").map_err(bad)?,
            ticket: r.vec16("ticket").map_err(bad)?,
            session_id: r.vec8_bounded(0, 32, "session_id").map_err(bad)?,
            server_name: r.vec8("server_name").map_err(bad)?,
            alpn: r.vec8("alpn").map_err(bad)?,
        };
        r.finish("trailing").map_err(bad)?;
        let suite_version = crate::suite::Suite::version(t.cipher_suite);
        let identified = match t.version {
            ProtocolVersion::Tls13 => !t.ticket.is_empty(),
            _ => !t.ticket.is_empty() || !t.session_id.is_empty(),
        };
        let known = matches!(t.version, ProtocolVersion::Tls12 | ProtocolVersion::Tls13);
        if !known || suite_version.is_some_and(|v| v != t.version) || !identified {
            return Err(bad(crate::codec::DecodeError("version")));
        }
        Ok(t)
    }

    /// The trust configuration that accepted the server when the session was
    /// made; the session is offered only under a configuration with the same id.
    pub fn trust_id(&self) -> Option<TrustId> {
        self.trust_id.map(|id| TrustId(*id))
    }

    /// Tells the engine how old the session is, for a device whose clock
    /// cannot date it (no wall-clock time at issue or now): seconds since it
    /// was stored, from an RTC or a counter that survives deep sleep. It
    /// overrides the age computed from `issued_at` and the caller's time.
    /// A session the engine cannot age is not offered (RFC 8446 §4.6.1).
    ///
    /// ```
    /// # fn f(stored: &[u8], slept_secs: u64) -> Result<(), embertls::Error> {
    /// let ticket = embertls::SessionTicket::decode(stored)?.with_age(slept_secs);
    /// # Ok(()) }
    /// ```
    pub fn with_age(mut self, seconds: u64) -> Self {
        // Any age past u32::MAX seconds (136 years) is as expired as that.
        self.age = Some(u32::try_from(seconds).unwrap_or(u32::MAX));
        self
    }

    /// Seconds since issue: the caller's, else from two wall-clock times, else unknown.
    pub(crate) fn age(&self, now: Option<crate::UnixTime>) -> Option<u64> {
        match (self.age, now) {
            (Some(age), _) => Some(u64::from(age)),
            (None, Some(now)) if self.issued_at > 0 => now.0.checked_sub(self.issued_at),
            _ => None,
        }
    }

    /// The resumption PSK (TLS 1.3) or master secret (TLS 1.2).
    pub(crate) fn psk(&self) -> &'b [u8] {
        self.psk
    }

    /// Writes the serialized form.
    pub(crate) fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        w.bytes(&MAGIC)?;
        w.u16(self.version.to_wire())?;
        w.u16(self.cipher_suite.to_wire())?;
        w.u32(self.lifetime)?;
        w.u32(self.age_add)?;
        w.bytes(&self.issued_at.to_be_bytes())?;
        w.u32(self.max_early_data)?;
        w.u8(match self.trust {
            Trust::NotVerified => 0,
            Trust::Verified => 1,
            Trust::PreSharedKey => 2,
        })?;
        w.vec(1, self.trust_id.map_or(&[][..], |id| &id[..]))?;
        w.vec(1, self.psk)?;
        w.vec(2, self.ticket)?;
        w.vec(1, self.session_id)?;
        w.vec(1, self.server_name)?;
        w.vec(1, self.alpn)
    }

    /// Builds a ticket view (used by the client when a ticket arrives).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        cipher_suite: CipherSuite,
        nst: &crate::msgs::new_session_ticket::NewSessionTicket<'b>,
        issued_at: u64,
        (trust, trust_id): (Trust, Option<&'b TrustId>),
        psk: &'b [u8],
        server_name: &'b [u8],
        alpn: &'b [u8],
    ) -> Self {
        SessionTicket {
            version: ProtocolVersion::Tls13,
            cipher_suite,
            lifetime: nst.lifetime,
            age_add: nst.age_add,
            issued_at,
            max_early_data: nst.max_early_data(),
            trust,
            trust_id: trust_id.map(|id| &id.0),
            age: None,
            psk,
            ticket: nst.ticket,
            session_id: &[],
            server_name,
            alpn,
        }
    }

    /// A TLS 1.2 session: `master_secret` and the RFC 5077 `ticket` or the
    /// `session_id` that names it at the server.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn tls12(
        cipher_suite: CipherSuite,
        lifetime: u32,
        issued_at: u64,
        (trust, trust_id): (Trust, Option<&'b TrustId>),
        master_secret: &'b [u8],
        ticket: &'b [u8],
        session_id: &'b [u8],
        server_name: &'b [u8],
        alpn: &'b [u8],
    ) -> Self {
        SessionTicket {
            version: ProtocolVersion::Tls12,
            cipher_suite,
            lifetime,
            age_add: 0,
            issued_at,
            max_early_data: 0,
            trust,
            trust_id: trust_id.map(|id| &id.0),
            age: None,
            psk: master_secret,
            ticket,
            session_id,
            server_name,
            alpn,
        }
    }
}
