//! Pieces both versions use (issue 15 item 2: `tls12` does not reach into `tls13`).

use crate::codec::Reader;
use crate::error::{Error, Misbehavior};
use crate::msgs::client_hello::alpn_protocols;

/// What storing a ticket needs from the connection.
pub(crate) struct TicketCtx<'x> {
    pub config: &'x crate::ClientConfig<'x>,
    pub issued_at: u64,
    pub server_name: &'x [u8],
    pub alpn: &'x [u8],
}

/// RFC 7301 §3.1: the server's list holds exactly one protocol, one we offered.
/// Returns its (offset, length) in our list.
pub(crate) fn select_alpn(data: &[u8], ours: &[u8]) -> Result<(u8, u8), Error> {
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
