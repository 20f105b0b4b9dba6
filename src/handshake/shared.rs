//! Pieces both versions use (issue 15 item 2: `tls12` does not reach into `tls13`).

use crate::error::{Error, Misbehavior};
use crate::msgs::client_hello::alpn_protocols;
use crate::msgs::extensions::ProtocolNames;

/// What storing a ticket needs from the connection.
pub(crate) struct TicketCtx<'x> {
    pub config: &'x crate::ClientConfig<'x>,
    pub issued_at: u64,
    pub server_name: &'x [u8],
    pub alpn: &'x [u8],
}

/// RFC 7301 §3.1: the server's list holds exactly one protocol, one we offered.
/// Returns its (offset, length) in our list.
pub(crate) fn select_alpn(answer: &ProtocolNames<'_>, ours: &[u8]) -> Result<(u8, u8), Error> {
    let chosen = answer.single().ok_or(Misbehavior::BadAlpn)?;
    let mut offset = 0usize;
    for p in alpn_protocols(ours) {
        if p == chosen {
            return Ok(((offset + 1) as u8, p.len() as u8));
        }
        offset += 1 + p.len();
    }
    Err(Misbehavior::BadAlpn.into())
}

/// The protocol [`select_alpn`] found, read back from our list.
pub(crate) fn chosen_alpn(ours: &[u8], at: Option<(u8, u8)>) -> Option<&[u8]> {
    let (offset, len) = at?;
    ours.get(offset as usize..offset as usize + len as usize)
}
