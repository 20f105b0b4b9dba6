//! The receive buffer: raw records in, handshake messages and application
//! data out, all in the caller's one buffer with no second copy.
//!
//! Layout of the buffer:
//! `[consumed | handshake plaintext | raw records | free]`.
//! A decrypted handshake record's plaintext is moved down to the end of the
//! handshake region, so a message split over many records (e.g. a
//! Certificate sent in 512-byte records) is reassembled in place.

use core::ops::Range;

use super::{Header, HEADER_LEN};
use crate::error::Error;

/// Where a record sits in the receive buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordRange {
    /// The record's header.
    pub header: Header,
    /// The whole record (header included).
    pub record: Range<usize>,
}

/// Book-keeping of the receive buffer.
#[derive(Debug, Default)]
pub struct Inbound {
    hs_start: usize,
    hs_end: usize,
    raw_end: usize,
    /// Application data plaintext not yet read, and the end of its record.
    app: Option<(Range<usize>, usize)>,
}

impl Inbound {
    /// The free tail where the caller writes transport bytes.
    pub fn space<'b>(&mut self, buf: &'b mut [u8]) -> &'b mut [u8] {
        if self.app.is_none() && self.hs_start > 0 {
            buf.copy_within(self.hs_start..self.raw_end, 0);
            self.hs_end -= self.hs_start;
            self.raw_end -= self.hs_start;
            self.hs_start = 0;
        }
        &mut buf[self.raw_end..]
    }

    /// The caller wrote `n` bytes into [`Inbound::space`].
    pub fn received(&mut self, n: usize, capacity: usize) {
        self.raw_end = (self.raw_end + n).min(capacity);
    }

    /// Raw bytes not yet framed into a record.
    pub fn raw_len(&self) -> usize {
        self.raw_end - self.hs_end
    }

    /// Where the next handshake message starts in the buffer.
    pub fn handshake_start(&self) -> usize {
        self.hs_start
    }

    /// Buffered handshake bytes not yet consumed.
    pub fn handshake_len(&self) -> usize {
        self.hs_end - self.hs_start
    }

    /// The next complete record, `Ok(None)` if more bytes are needed.
    pub fn next_record(&self, buf: &[u8]) -> Result<Option<RecordRange>, Error> {
        let raw = &buf[self.hs_end..self.raw_end];
        let header = match Header::parse(raw) {
            None => return Ok(None),
            Some(h) => h?,
        };
        let total = HEADER_LEN + header.len;
        if raw.len() < total {
            let needed = self.hs_end - self.hs_start + total;
            if needed > buf.len() {
                return Err(Error::ReceiveBufferTooSmall { needed, capacity: buf.len() });
            }
            return Ok(None);
        }
        Ok(Some(RecordRange { header, record: self.hs_end..self.hs_end + total }))
    }

    /// The length field of the next record's header, if five bytes are there.
    pub fn peek_record_len(&self, buf: &[u8]) -> Option<usize> {
        let h = buf.get(self.hs_end..self.raw_end)?.get(..HEADER_LEN)?;
        Some(usize::from(u16::from_be_bytes([h[3], h[4]])))
    }

    /// Drops a record that carried nothing to keep (e.g. change_cipher_spec).
    pub fn discard_record(&mut self, buf: &mut [u8], rec: &RecordRange) {
        buf.copy_within(rec.record.end..self.raw_end, self.hs_end);
        self.raw_end -= rec.record.len();
    }

    /// Appends the record's plaintext at `plain` (positions in the buffer) to
    /// the handshake region and drops the record.
    pub fn keep_handshake(&mut self, buf: &mut [u8], rec: &RecordRange, plain: Range<usize>) {
        let len = plain.len();
        buf.copy_within(plain, self.hs_end);
        let new_hs_end = self.hs_end + len;
        buf.copy_within(rec.record.end..self.raw_end, new_hs_end);
        self.raw_end = new_hs_end + (self.raw_end - rec.record.end);
        self.hs_end = new_hs_end;
    }

    /// Keeps the application data plaintext of `rec`, at `plain`, for reading.
    pub fn keep_application_data(&mut self, rec: &RecordRange, plain: Range<usize>) {
        self.app = Some((plain, rec.record.end));
    }

    /// Application data bytes waiting to be read.
    pub fn application_data_len(&self) -> usize {
        self.app.as_ref().map_or(0, |(r, _)| r.len())
    }

    /// Copies application data into `out`; returns how many bytes.
    pub fn read_application_data(&mut self, buf: &mut [u8], out: &mut [u8]) -> usize {
        let Some((range, rec_end)) = self.app.take() else {
            return 0;
        };
        let n = range.len().min(out.len());
        out[..n].copy_from_slice(&buf[range.start..range.start + n]);
        // Read bytes are wiped: plaintext does not linger in the buffer.
        buf[range.start..range.start + n].iter_mut().for_each(|b| *b = 0);
        if n < range.len() {
            self.app = Some((range.start + n..range.end, rec_end));
        } else {
            buf.copy_within(rec_end..self.raw_end, self.hs_end);
            self.raw_end -= rec_end - self.hs_end;
        }
        n
    }

    /// The next complete handshake message (header included) in the
    /// handshake region, or `Ok(None)` if it is not complete yet.
    pub fn next_handshake(&self, buf: &[u8]) -> Result<Option<Range<usize>>, Error> {
        let hs = &buf[self.hs_start..self.hs_end];
        if hs.len() < 4 {
            return Ok(None);
        }
        let len = u32::from_be_bytes([0, hs[1], hs[2], hs[3]]) as usize;
        let total = 4 + len;
        if hs.len() < total {
            // It must fit with one more maximum-size record beside it.
            if total > buf.len() {
                return Err(Error::ReceiveBufferTooSmall { needed: total, capacity: buf.len() });
            }
            return Ok(None);
        }
        Ok(Some(self.hs_start..self.hs_start + total))
    }

    /// Marks a handshake message as consumed.
    pub fn consume_handshake(&mut self, len: usize) {
        self.hs_start += len;
        if self.hs_start == self.hs_end && self.raw_end == self.hs_end {
            self.hs_start = 0;
            self.hs_end = 0;
            self.raw_end = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_larger_than_the_buffer_is_a_clear_error() {
        let mut buf = [0u8; 600];
        let mut inb = Inbound::default();
        let space = inb.space(&mut buf);
        space[..5].copy_from_slice(&[23, 3, 3, 0x04, 0x00]); // 1024-byte record
        inb.received(5, 600);
        assert_eq!(inb.next_record(&buf), Err(Error::ReceiveBufferTooSmall { needed: 1029, capacity: 600 }));
        let msg = Error::ReceiveBufferTooSmall { needed: 1029, capacity: 600 }.to_string();
        assert!(msg.contains("1029") && msg.contains("600") && msg.contains("larger receive buffer"), "{msg}");
    }

    #[test]
    fn records_arrive_one_byte_at_a_time() {
        let mut buf = [0u8; 64];
        let mut inb = Inbound::default();
        let rec = [22u8, 3, 3, 0, 4, 20, 0, 0, 0];
        for (i, b) in rec.iter().enumerate() {
            assert_eq!(inb.next_record(&buf), Ok(None), "incomplete after {i} bytes");
            inb.space(&mut buf)[0] = *b;
            inb.received(1, 64);
        }
        let r = inb.next_record(&buf).unwrap().unwrap();
        assert_eq!(r.header.len, 4);
        inb.keep_handshake(&mut buf, &r, 5..9);
        assert_eq!(inb.next_handshake(&buf), Ok(Some(0..4)));
    }
}
