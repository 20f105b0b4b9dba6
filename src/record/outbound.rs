//! The send buffer: records waiting for the caller to put on the wire.

use super::{Header, Protection, HEADER_LEN, MAX_PLAINTEXT};
use crate::codec::{WriteError, Writer};
use crate::crypto::CryptoProvider;
use crate::error::Error;
use crate::msgs::enums::ContentType;

/// Book-keeping of the send buffer: `[taken | pending | free]`.
#[derive(Debug)]
pub struct Outbound {
    start: usize,
    end: usize,
    /// Largest record content to send (2^14, or what the server agreed to).
    max_fragment: usize,
    /// Our close_notify is queued: nothing more is written.
    shut: bool,
}

impl Default for Outbound {
    fn default() -> Self {
        Outbound { start: 0, end: 0, max_fragment: MAX_PLAINTEXT, shut: false }
    }
}

impl Outbound {
    /// Keeps every later record's content within `limit` bytes (the server's
    /// max_fragment_length or record_size_limit, RFC 6066 §4, RFC 8449 §4).
    pub fn set_max_fragment(&mut self, limit: usize) {
        self.max_fragment = limit.clamp(1, MAX_PLAINTEXT);
    }

    /// Shuts the send side once our close_notify is queued: later records
    /// (a KeyUpdate answer, a no_renegotiation warning, an alert) are
    /// dropped, as nothing may follow close_notify (RFC 8446 §6.1, RFC 5246 §7.2.1).
    pub fn shut(&mut self) {
        self.shut = true;
    }

    /// Bytes waiting to be sent.
    pub fn pending<'b>(&self, buf: &'b [u8]) -> &'b [u8] {
        &buf[self.start..self.end]
    }

    /// The contents of the plaintext records queued after the first `at`
    /// pending bytes (a message [`Outbound::write_record`] split, in order).
    pub fn plaintext_since<'b>(&self, buf: &'b [u8], at: usize) -> impl Iterator<Item = &'b [u8]> {
        let mut rest = self.pending(buf).get(at..).unwrap_or(&[]);
        core::iter::from_fn(move || {
            let len = usize::from(u16::from_be_bytes([*rest.get(3)?, *rest.get(4)?]));
            let content = rest.get(HEADER_LEN..HEADER_LEN + len)?;
            rest = &rest[HEADER_LEN + len..];
            Some(content)
        })
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

    /// Appends the payload `fill` writes as records of type `typ`, protected
    /// by `prot` if given: one record, or several if the payload is larger
    /// than the record size limit in force (a handshake flight with a
    /// certificate chain, RFC 8446 §5.1, RFC 5246 §6.2.1). Returns what
    /// `fill` returned; once [`Outbound::shut`], `fill` runs but nothing is queued.
    pub fn write_record<P: CryptoProvider, T, E: Into<FillError>>(
        &mut self,
        buf: &mut [u8],
        crypto: &mut P,
        prot: Option<&mut Protection<P>>,
        typ: ContentType,
        fill: impl FnOnce(&mut Writer<'_>) -> Result<T, E>,
    ) -> Result<T, Error> {
        let (staged, value) = self.stage(buf, prot.as_deref(), fill)?;
        self.commit(buf, crypto, prot, typ, staged)?;
        Ok(value)
    }

    /// The first half of [`Outbound::write_record`]: `fill` writes the
    /// payload, whole, where the first record's content goes. Until
    /// [`Outbound::commit`] it can be changed ([`Outbound::staged_mut`], e.g.
    /// to fill in a PSK binder over the whole ClientHello) and nothing is queued.
    /// A frame of its own: `fill` (a whole flight, a client signature) is
    /// not on the stack while [`Outbound::commit`] seals (issue 12).
    #[inline(never)]
    pub fn stage<P: CryptoProvider, T, E: Into<FillError>>(
        &mut self,
        buf: &mut [u8],
        prot: Option<&Protection<P>>,
        fill: impl FnOnce(&mut Writer<'_>) -> Result<T, E>,
    ) -> Result<(Staged, T), Error> {
        let overhead = prot.map_or(0, |p| p.overhead());
        // The content goes where protection expects it (after a TLS 1.2 explicit nonce).
        let content_at = HEADER_LEN + prot.map_or(0, |p| p.content_offset());
        self.compact(buf);
        let capacity = buf.len();
        let free = &mut buf[self.end..];
        let body_room = free.len().saturating_sub(HEADER_LEN + overhead);
        let Some(body) = free.get_mut(content_at..content_at + body_room) else {
            return Err(Error::SendBufferTooSmall { needed: HEADER_LEN + overhead + 1, capacity });
        };
        let mut w = Writer::new(body);
        let value = fill(&mut w).map_err(|e| match e.into() {
            FillError::Full => {
                Error::SendBufferTooSmall { needed: self.end + HEADER_LEN + overhead + body_room + 1, capacity }
            }
            FillError::Failed(e) => e,
        })?;
        Ok((Staged { content_at, len: w.len(), overhead }, value))
    }

    /// The payload [`Outbound::stage`] wrote.
    pub fn staged_mut<'b>(&self, buf: &'b mut [u8], staged: &Staged) -> &'b mut [u8] {
        let at = self.end + staged.content_at;
        buf.get_mut(at..at + staged.len).unwrap_or(&mut [])
    }

    /// Splits a staged payload into records of at most the fragment limit
    /// (moving the pieces up, last first, to where their records start),
    /// seals each with `prot` (the one given to `stage`) and queues them.
    pub fn commit<P: CryptoProvider>(
        &mut self,
        buf: &mut [u8],
        crypto: &mut P,
        mut prot: Option<&mut Protection<P>>,
        typ: ContentType,
        staged: Staged,
    ) -> Result<(), Error> {
        // After our close_notify nothing more is sent (RFC 8446 §6.1).
        if self.shut {
            return Ok(());
        }
        let Staged { content_at, len: body_len, overhead } = staged;
        let capacity = buf.len();
        let free = &mut buf[self.end..];
        let limit = self.max_fragment;
        let pieces = body_len.div_ceil(limit).max(1);
        let per_record = HEADER_LEN + overhead;
        let total = body_len + pieces * per_record;
        if total > free.len() {
            return Err(Error::SendBufferTooSmall { needed: self.end + total, capacity });
        }
        crate::trace::sent!(typ, &free[content_at..content_at + body_len]);
        for i in (1..pieces).rev() {
            let from = content_at + i * limit;
            let len = limit.min(body_len - i * limit);
            free.copy_within(from..from + len, i * (limit + per_record) + content_at);
        }
        for i in 0..pieces {
            let len = limit.min(body_len - i * limit);
            let record = &mut free[i * (limit + per_record)..];
            match prot.as_deref_mut() {
                Some(p) => {
                    p.seal_in_place(crypto, typ, record, len)?;
                }
                None => Header::write(typ, len, record),
            }
        }
        self.end += total;
        Ok(())
    }
}

/// A payload written by [`Outbound::stage`], not yet queued.
#[must_use]
#[derive(Debug)]
pub struct Staged {
    content_at: usize,
    len: usize,
    overhead: usize,
}

/// Why a payload could not be written: the send buffer is full, or
/// something it needed failed (a client signature).
#[derive(Debug)]
pub enum FillError {
    /// The send buffer cannot hold it ([`Error::SendBufferTooSmall`]).
    Full,
    /// The error to return.
    Failed(Error),
}

impl From<WriteError> for FillError {
    fn from(_: WriteError) -> Self {
        FillError::Full
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{AeadAlg, CryptoProvider, RustCrypto};

    fn split_records(mut bytes: &[u8]) -> std::vec::Vec<std::vec::Vec<u8>> {
        let mut out = std::vec::Vec::new();
        while bytes.len() >= HEADER_LEN {
            let n = HEADER_LEN + usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
            out.push(bytes[..n].to_vec());
            bytes = &bytes[n..];
        }
        assert!(bytes.is_empty());
        out
    }

    #[test]
    fn payloads_larger_than_the_limit_become_several_records() {
        let payload: std::vec::Vec<u8> = (0..25u8).collect();
        // Plaintext, then TLS 1.3 and TLS 1.2 (explicit nonce) protection.
        for alg in [None, Some(false), Some(true)] {
            let mk = |tls12: bool| match tls12 {
                true => Protection::tls12(&mut RustCrypto, AeadAlg::Aes128Gcm, &[1; 16], &[2; 4]),
                false => Protection::new(crate::key_schedule::TrafficKeys {
                    key: RustCrypto.aead_key(AeadAlg::Aes128Gcm, &[1; 16]),
                    iv: [2; 12],
                }),
            };
            let mut sealer = alg.map(mk);
            let mut out = Outbound::default();
            out.set_max_fragment(10);
            let mut buf = [0u8; 256];
            out.write_record(&mut buf, &mut RustCrypto, sealer.as_mut(), ContentType::Handshake, |w| w.bytes(&payload))
                .unwrap();
            let recs = split_records(out.pending(&buf));
            assert_eq!(recs.len(), 3, "{alg:?}");
            let mut opener = alg.map(mk);
            let mut got = std::vec::Vec::new();
            for mut r in recs {
                match opener.as_mut() {
                    Some(p) => {
                        let (typ, len) = p.open(&mut RustCrypto, &mut r).unwrap();
                        assert_eq!(typ, ContentType::Handshake);
                        got.extend_from_slice(&r[HEADER_LEN..HEADER_LEN + len]);
                    }
                    None => got.extend_from_slice(&r[HEADER_LEN..]),
                }
            }
            assert_eq!(got, payload, "{alg:?}");
        }
    }

    #[test]
    fn the_split_must_fit_the_buffer() {
        let mut out = Outbound::default();
        out.set_max_fragment(10);
        // 30 bytes of content need 3 headers: 45 bytes; 40 do not hold them.
        let mut buf = [0u8; 40];
        let r = out.write_record(
            &mut buf,
            &mut RustCrypto,
            None::<&mut Protection<RustCrypto>>,
            ContentType::Handshake,
            |w| w.bytes(&[7; 30]),
        );
        assert_eq!(r, Err(Error::SendBufferTooSmall { needed: 45, capacity: 40 }));
    }
}
