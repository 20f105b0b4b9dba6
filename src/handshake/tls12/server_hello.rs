//! A TLS 1.2 ServerHello (RFC 5246 §7.4.1.3) and its extensions.

use super::{Agreed, Keyed, Negotiated, State};
use crate::crypto::CryptoProvider;
use crate::error::{Error, Incompatibility, Misbehavior};
use crate::handshake::limits::Limits;
use crate::handshake::shared::select_alpn;
use crate::handshake::state::{self, Ctx, Output};
use crate::handshake::{KeyExchange, Suite};
use crate::key_schedule::tls12::MasterSecret12;
use crate::msgs::enums::HandshakeType;
use crate::msgs::server_hello::ServerHello;
use crate::msgs::tls12::ServerHelloExtensions12;
use crate::trace::{self, key_log};

/// Takes a TLS 1.2 ServerHello: checks the suite and extensions, then
/// starts the full handshake or, if the server resumed our session, the
/// abbreviated one. Works on the stored state, which the next one replaces
/// (no moved copy held above this frame; issue 12: stack).
#[inline(never)] // a frame of its own: see handshake/state.rs
pub(crate) fn server_hello<'a, R, P: CryptoProvider>(
    slot: &mut state::State<'a, P>,
    sh: &ServerHello<'_>,
    raw: &[u8],
    ctx: &mut Ctx<'_, 'a, R, P>,
) -> Result<Output, Error> {
    let state::State::ExpectServerHello(hello) = slot else {
        return Err(slot.unexpected(HandshakeType::ServerHello));
    };
    let suite = Suite::tls12(sh.cipher_suite)
        .filter(|s| hello.suites.contains(&s.id))
        .ok_or(Misbehavior::UnofferedCipherSuite(sh.cipher_suite))?;
    let kx = suite.kx.ok_or(Misbehavior::UnofferedCipherSuite(sh.cipher_suite))?;
    if sh.compression != 0 {
        return Err(Misbehavior::CompressionNotNull.into());
    }
    // RFC 5246 §7.4.1.4: only extensions we offered (unsupported_extension otherwise).
    let exts = ServerHelloExtensions12::decode(&sh.extensions, |t| hello.offered.contains(t))?;
    // RFC 5746 §3.4: an initial handshake must carry an empty renegotiated_connection.
    match exts.renegotiation_info {
        Some([]) => {}
        Some(_) => return Err(Misbehavior::BadRenegotiationInfo.into()),
        None => return Err(Error::Incompatible(Incompatibility::SecureRenegotiation)),
    }
    let ems = exts.extended_master_secret;
    // RFC 8422 §5.2: the server must accept uncompressed points.
    if exts.ec_point_formats.is_some_and(|formats| !formats.contains(&0)) {
        return Err(Misbehavior::BadEcPointFormats.into());
    }
    let ticket_expected = exts.session_ticket;
    let alpn = exts.alpn.map(|names| select_alpn(&names, &ctx.config.alpn)).transpose()?;
    let limits = Limits::from_answer(hello.limits, exts.record_size_limit, exts.max_fragment_length, false)?;
    ctx.out.set_max_fragment(limits.send);
    let mut transcript = hello.transcript.of_hash(ctx.crypto, suite.hash);
    transcript.update(ctx.crypto, raw);
    let mut randoms = [0u8; 64];
    randoms[..32].copy_from_slice(&hello.random);
    randoms[32..].copy_from_slice(&sh.random);
    let session_id = heapless::Vec::from_slice(sh.session_id).unwrap_or_default();
    let ours = &hello.session_id[..hello.session_id_len as usize];

    // RFC 5246 §7.4.1.3, RFC 5077 §3.4: echoing our session ID resumes the session.
    let resumed = !ours.is_empty() && sh.session_id == ours;
    trace::debug!(
        "ServerHello: TLSv1.2, {}, extended master secret {}, {}",
        suite.id,
        ems,
        match (hello.tls12_session.is_some(), resumed) {
            (false, _) => "no session offered",
            (true, true) => "session resumed",
            (true, false) => "session declined: full handshake",
        }
    );
    if resumed {
        let session = hello.tls12_session.ok_or(Misbehavior::UnofferedResumption)?;
        // RFC 7627 §5.3: a session made with the extended master secret is resumed with it.
        if session.cipher_suite != suite.id || !ems {
            return Err(Misbehavior::ResumedSessionChanged.into());
        }
        let master = MasterSecret12::from_bytes(suite.hash, session.psk()).ok_or(Misbehavior::ResumedSessionChanged)?;
        key_log!(ctx.config, CLIENT_RANDOM, &randoms[..32], master.as_bytes());
        let agreed = Agreed { suite, session_id, alpn, limits, group: None, hint: heapless::Vec::new() };
        let keys = super::key_block(ctx.crypto, &master, &randoms, suite);
        let k = Keyed {
            agreed,
            // The session was offered only under the trust that made it (hello::session_trusted).
            trust: session.trust,
            transcript,
            randoms,
            master,
            keys,
            resumed: true,
            ems,
            client_auth: None,
            ticket_announced: false,
        };
        let next = if ticket_expected { State::ExpectNewSessionTicket(k) } else { State::ExpectChangeCipherSpec(k) };
        *slot = state::State::Tls12(next);
        return Ok(Output::None);
    }
    if !ems && ctx.config.require_ems {
        return Err(Error::Incompatible(Incompatibility::ExtendedMasterSecret));
    }
    let agreed = Agreed { suite, session_id, alpn, limits, group: None, hint: heapless::Vec::new() };
    let n = Negotiated { agreed, kx, transcript, randoms, key_share: hello.key_share.take(), ems, ticket_expected };
    let next = match kx {
        KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa => State::ExpectCertificate(n),
        KeyExchange::Psk | KeyExchange::EcdhePsk => {
            State::ExpectPskServerKeyExchange(super::server_flight::ExpectPskServerKeyExchange { n })
        }
    };
    *slot = state::State::Tls12(next);
    Ok(Output::None)
}
