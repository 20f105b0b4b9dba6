//! Record payload protection for TLS 1.3 (RFC 8446 §5.2 to §5.4).

use super::{Header, HEADER_LEN, MAX_PLAINTEXT};
use crate::crypto::TAG_LEN;
use crate::error::{Error, Misbehavior};
use crate::key_schedule::TrafficKeys;
use crate::msgs::enums::ContentType;

/// One direction's AEAD key, IV and sequence number.
pub struct Protection {
    keys: TrafficKeys,
    seq: u64,
}

impl Protection {
    /// Protection starting at sequence number 0.
    pub fn new(keys: TrafficKeys) -> Self {
        Protection { keys, seq: 0 }
    }

    /// Per-record nonce: the IV XOR the 64-bit sequence number, left-padded (§5.3).
    fn next_nonce(&mut self) -> Result<[u8; 12], Error> {
        if self.seq == u64::MAX {
            return Err(Error::SequenceExhausted);
        }
        let mut nonce = self.keys.iv;
        for (n, s) in nonce[4..].iter_mut().zip(self.seq.to_be_bytes()) {
            *n ^= s;
        }
        self.seq += 1;
        Ok(nonce)
    }

    /// Protects `record[HEADER_LEN..HEADER_LEN + len]` of type `typ` in place:
    /// appends the inner type, encrypts, appends the tag and writes the outer
    /// header. `record` must have room for `len + 1 + TAG_LEN` payload bytes.
    /// Returns the whole record's length.
    pub fn seal(&mut self, typ: ContentType, record: &mut [u8], len: usize) -> Result<usize, Error> {
        let inner_len = len + 1;
        let total = HEADER_LEN + inner_len + TAG_LEN;
        if record.len() < total {
            return Err(Error::SendBufferTooSmall { needed: total, capacity: record.len() });
        }
        let nonce = self.next_nonce()?;
        record[HEADER_LEN + len] = typ.to_wire();
        let (header, body) = record.split_at_mut(HEADER_LEN);
        Header::write(ContentType::ApplicationData, inner_len + TAG_LEN, header);
        let tag = self.keys.key.seal(&nonce, header, &mut body[..inner_len]);
        body[inner_len..inner_len + TAG_LEN].copy_from_slice(&tag);
        Ok(total)
    }

    /// Opens a whole protected record in place and returns its inner content
    /// type and plaintext length; the plaintext is at `record[HEADER_LEN..]`.
    /// On failure nothing of the plaintext is left in `record`.
    pub fn open(&mut self, record: &mut [u8]) -> Result<(ContentType, usize), Error> {
        let (header, body) = record.split_at_mut(HEADER_LEN);
        if body.len() < TAG_LEN + 1 {
            return Err(Error::BadRecordMac);
        }
        let nonce = self.next_nonce()?;
        let ct_len = body.len() - TAG_LEN;
        // §5.4: TLSInnerPlaintext (content, type and padding) is at most 2^14 + 1 bytes.
        if ct_len > MAX_PLAINTEXT + 1 {
            return Err(Error::RecordOverflow { size: ct_len, limit: MAX_PLAINTEXT + 1 });
        }
        let (ct, tag) = body.split_at_mut(ct_len);
        let tag: [u8; TAG_LEN] = (&*tag).try_into().map_err(|_| Error::BadRecordMac)?;
        self.keys.key.open(&nonce, header, ct, &tag).map_err(|_| Error::BadRecordMac)?;
        // §5.4: strip zero padding; the last non-zero byte is the content type.
        let Some(pos) = ct.iter().rposition(|&b| b != 0) else {
            return Err(Misbehavior::NoContentType.into());
        };
        Ok((ContentType::from_wire(ct[pos]), pos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{AeadAlg, AeadKey};

    fn keys() -> TrafficKeys {
        TrafficKeys { key: AeadKey::new(AeadAlg::Aes128Gcm, &[7; 32]), iv: [1; 12] }
    }

    #[test]
    fn sequence_number_exhaustion_is_an_error_not_a_wrap() {
        let mut p = Protection { keys: keys(), seq: u64::MAX - 1 };
        let mut rec = [0u8; HEADER_LEN + 4 + 1 + TAG_LEN];
        assert!(p.seal(ContentType::ApplicationData, &mut rec, 4).is_ok(), "the last usable number");
        assert_eq!(p.seal(ContentType::ApplicationData, &mut rec, 4), Err(Error::SequenceExhausted));
        let mut q = Protection { keys: keys(), seq: u64::MAX };
        assert_eq!(q.open(&mut rec), Err(Error::SequenceExhausted));
    }

    #[test]
    fn inner_plaintext_over_the_limit_is_record_overflow() {
        let mut seal = Protection::new(keys());
        let mut open = Protection::new(keys());
        let len = MAX_PLAINTEXT + 1; // content of 2^14 + 1, plus the type byte: 2 over
        let mut rec = std::vec![0u8; HEADER_LEN + len + 1 + TAG_LEN];
        let n = seal.seal(ContentType::ApplicationData, &mut rec, len).unwrap();
        assert_eq!(
            open.open(&mut rec[..n]),
            Err(Error::RecordOverflow { size: MAX_PLAINTEXT + 2, limit: MAX_PLAINTEXT + 1 })
        );
    }
}
