//! After the handshake: KeyUpdate, tickets, exporter (RFC 8446 §4.6, §7.5).

use crate::config::ClientConfig;
use crate::crypto::CryptoProvider;
use crate::crypto::Secret;
use crate::error::{Error, Misbehavior};
use crate::handshake::shared::{chosen_alpn, TicketCtx};
use crate::handshake::state::{send_handshake, Ctx, Output};
use crate::handshake::HandshakeSummary;
use crate::handshake::Suite;
use crate::key_schedule::{next_traffic_secret, resumption_psk};
use crate::msgs::enums::{HandshakeType, NamedGroup, ProtocolVersion};
use crate::msgs::handshake::KeyUpdateRequest;
use crate::msgs::new_session_ticket::{NewSessionTicket, NewSessionTicketExtensions};
use crate::record::Protection;
use crate::ticket::SessionTicket;
use crate::verify::{ServerName, Trust};

/// The handshake is complete; application traffic flows.
pub(crate) struct Connected {
    pub(crate) limits: crate::handshake::limits::Limits,
    pub(crate) suite: Suite,
    pub(crate) trust: Trust,
    /// The key exchange group (none for psk_ke).
    pub(crate) group: Option<NamedGroup>,
    /// The server sent a HelloRetryRequest (§4.1.4).
    pub(crate) hello_retry: bool,
    /// The handshake resumed a ticket's session (§4.6.1).
    pub(crate) resumed: bool,
    /// Whether the server asked for a client certificate, and which identity answered.
    pub(crate) client_auth: Option<Option<usize>>,
    pub(crate) alpn: Option<(u8, u8)>,
    pub(crate) server_app_secret: Secret,
    pub(crate) client_app_secret: Secret,
    pub(crate) resumption_master_secret: Secret,
    pub(crate) exporter_master_secret: Secret,
}

impl Connected {
    /// What was negotiated (§4.1.3, §4.2.11, RFC 6066 §4, RFC 8449 §4).
    pub(crate) fn summary<'a>(
        &self,
        config: &'a ClientConfig<'a>,
        server_name: ServerName<'a>,
    ) -> HandshakeSummary<'a> {
        let (recv, send) = (self.limits.recv, self.limits.send);
        HandshakeSummary {
            version: ProtocolVersion::Tls13,
            cipher_suite: self.suite.id,
            group: self.group,
            // RFC 8449 §4: the limit counts the TLS 1.3 content type byte.
            max_fragment: recv.map(|r| r.saturating_sub(1).min(send)),
            resumed: self.resumed,
            alpn: chosen_alpn(&config.alpn, self.alpn),
            server_name,
            trust: self.trust,
            hello_retry: self.hello_retry,
        }
    }

    /// §4.6.3: update the read key; answer update_requested with our own KeyUpdate.
    #[inline(never)] // a frame of its own: see handshake/state.rs
    pub(crate) fn key_update<'a, R, P: CryptoProvider>(
        &mut self,
        body: &[u8],
        ctx: &mut Ctx<'_, 'a, R, P>,
    ) -> Result<Output, Error> {
        let req = KeyUpdateRequest::decode(body)?.ok_or(Misbehavior::BadKeyUpdate)?;
        let alg = self.suite.hash;
        self.server_app_secret = next_traffic_secret(ctx.crypto, alg, &self.server_app_secret);
        ctx.read_prot.install(ctx.crypto, alg, self.suite.aead, &self.server_app_secret);
        if req == KeyUpdateRequest::Requested {
            self.update_write_key(KeyUpdateRequest::NotRequested, ctx)?;
        }
        Ok(Output::None)
    }

    /// §4.6.3: sends a KeyUpdate (`req` says whether the server must update
    /// too), then protects our records with the next traffic secret.
    #[inline(never)] // a frame of its own: see handshake/state.rs
    pub(crate) fn update_write_key<R, P: CryptoProvider>(
        &mut self,
        req: KeyUpdateRequest,
        ctx: &mut Ctx<'_, '_, R, P>,
    ) -> Result<(), Error> {
        let alg = self.suite.hash;
        send_handshake(ctx, HandshakeType::KeyUpdate, |w| w.u8(req.to_wire()))?;
        self.client_app_secret = next_traffic_secret(ctx.crypto, alg, &self.client_app_secret);
        Protection::install(ctx.write_prot, ctx.crypto, alg, self.suite.aead, &self.client_app_secret);
        Ok(())
    }

    /// A NewSessionTicket arrived (§4.6.1): checked here, stored only if
    /// the caller asks for it; a lifetime of zero means discard it at once.
    #[inline(never)] // a frame of its own: the dispatch frame is under every transition
    pub(crate) fn new_session_ticket(body: &[u8]) -> Result<Output, Error> {
        let nst = NewSessionTicket::decode(body)?;
        NewSessionTicketExtensions::decode(&nst.extensions)?;
        Ok(if nst.lifetime == 0 { Output::None } else { Output::Ticket })
    }

    /// TLS-Exporter (RFC 8446 §7.5).
    pub fn export<P: CryptoProvider>(&self, crypto: &mut P, label: &[u8], context: &[u8], out: &mut [u8]) {
        crate::key_schedule::export(crypto, self.suite.hash, &self.exporter_master_secret, label, context, out);
    }

    /// `Some(sent)` if the server asked for a client certificate: `sent` is
    /// the index of the identity that answered, `None` if an empty one was sent.
    pub fn client_auth(&self) -> Option<Option<usize>> {
        self.client_auth
    }

    /// Serializes a NewSessionTicket (§4.6.1) with its resumption PSK into `out`.
    pub fn store_ticket<P: CryptoProvider>(
        &self,
        crypto: &mut P,
        nst_body: &[u8],
        ctx: &TicketCtx<'_>,
        out: &mut [u8],
    ) -> Result<usize, Error> {
        let nst = NewSessionTicket::decode(nst_body)?;
        let psk = resumption_psk(crypto, self.suite.hash, &self.resumption_master_secret, nst.nonce);
        let alpn = chosen_alpn(ctx.alpn, self.alpn).unwrap_or(&[]);
        let id = ctx.config.session_trust_id(self.trust);
        let trust = (self.trust, id.as_ref());
        let t = SessionTicket::new(self.suite.id, &nst, ctx.issued_at, trust, psk.as_bytes(), ctx.server_name, alpn);
        let mut w = crate::codec::Writer::new(out);
        t.encode(&mut w).map_err(|_| Error::Api("the buffer for the session ticket is too small"))?;
        Ok(w.len())
    }
}
