//! The send buffer: records waiting for the caller to put on the wire.

use super::{Header, Protection, HEADER_LEN};
use crate::codec::{WriteError, Writer};
use crate::error::Error;
use crate::msgs::enums::ContentType;

/// Book-keeping of the send buffer: `[taken | pending | free]`.
#[derive(Debug, Default)]
pub struct Outbound {
    start: usize,
    end: usize,
}

impl Outbound {
    /// Bytes waiting to be sent.
    pub fn pending<'b>(&self, buf: &'b [u8]) -> &'b [u8] {
        &buf[self.start..self.end]
    }

    /// Mutable access to the pending bytes (to fill in a PSK binder).
    pub fn pending_mut<'b>(&self, buf: &'b mut [u8]) -> &'b mut [u8] {
        &mut buf[self.start..self.end]
    }

    /// The caller sent `n` bytes of [`Outbound::pending`].
    pub fn consumed(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Free bytes after compaction.
    pub fn free_len(&mut self, buf: &mut [u8]) -> usize {
        self.compact(buf);
        buf.len() - self.end
    }

    fn compact(&mut self, buf: &mut [u8]) {
        if self.start > 0 {
            buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
    }

    /// Appends one record of type `typ` whose payload `fill` writes,
    /// protected by `prot` if given. Returns the payload length.
    pub fn write_record(
        &mut self,
        buf: &mut [u8],
        prot: Option<&mut Protection>,
        typ: ContentType,
        fill: impl FnOnce(&mut Writer<'_>) -> Result<(), WriteError>,
    ) -> Result<usize, Error> {
        self.compact(buf);
        let capacity = buf.len();
        let free = &mut buf[self.end..];
        let overhead = prot.as_ref().map_or(0, |p| p.overhead());
        // The content goes where protection expects it (after a TLS 1.2 explicit nonce).
        let content_at = HEADER_LEN + prot.as_ref().map_or(0, |p| p.content_offset());
        let body_room = free.len().saturating_sub(HEADER_LEN + overhead);
        let body_len = {
            let Some(body) = free.get_mut(content_at..content_at + body_room) else {
                return Err(Error::SendBufferTooSmall { needed: HEADER_LEN + overhead + 1, capacity });
            };
            let mut w = Writer::new(body);
            fill(&mut w).map_err(|_| Error::SendBufferTooSmall {
                needed: self.end + HEADER_LEN + overhead + body_room + 1,
                capacity,
            })?;
            w.len()
        };
        let total = match prot {
            Some(p) => p.seal_in_place(typ, free, body_len)?,
            None => {
                Header::write(typ, body_len, free);
                HEADER_LEN + body_len
            }
        };
        self.end += total;
        Ok(body_len)
    }
}
