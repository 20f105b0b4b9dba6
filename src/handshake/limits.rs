//! Record sizes for small buffers: record_size_limit (RFC 8449) and
//! max_fragment_length (RFC 6066 §4), chosen from the receive buffer.

pub use crate::error::Flood;
use crate::error::{Error, Misbehavior};
use crate::record::{HEADER_LEN, MAX_PLAINTEXT};

/// What the client asks for, derived from its receive buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct LimitOffer {
    /// record_size_limit: largest TLSInnerPlaintext we accept (content + type + padding).
    pub record_size_limit: Option<u16>,
    /// max_fragment_length code (1 = 512, 2 = 1024, 3 = 2048, 4 = 4096).
    pub mfl_code: Option<u8>,
}

impl LimitOffer {
    /// Asks for small records when the receive buffer cannot hold a
    /// full-size record (16 645 bytes). A record may then use the buffer
    /// less 3.5 KiB (room for the part of a certificate chain already
    /// received), but never less than half of it.
    pub fn for_receive_buffer(capacity: usize) -> Self {
        // A buffer that holds any record asks for nothing.
        if capacity >= crate::record::MAX_RECORD {
            return LimitOffer::default();
        }
        let budget = capacity.saturating_sub(3584).max(capacity / 2);
        let per_record = budget.saturating_sub(HEADER_LEN + crate::crypto::TAG_LEN);
        let rsl = per_record.clamp(64, MAX_PLAINTEXT + 1);
        let mfl_code = [(4u8, 4096usize), (3, 2048), (2, 1024), (1, 512)]
            .into_iter()
            .find(|(_, size)| *size < rsl)
            .map(|(code, _)| code);
        LimitOffer { record_size_limit: Some(rsl as u16), mfl_code }
    }
}

/// The limits agreed in EncryptedExtensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Largest plaintext (content) we may put in one record toward the server.
    pub send: usize,
    /// Largest TLSInnerPlaintext the server agreed to send us, if it agreed.
    pub recv: Option<usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { send: MAX_PLAINTEXT, recv: None }
    }
}

impl Limits {
    /// Reads the server's answers (RFC 8449 §4, RFC 6066 §4): its
    /// record_size_limit and max_fragment_length, in TLS 1.3's
    /// EncryptedExtensions or TLS 1.2's ServerHello. `tls13` says whether
    /// limits count the inner content type byte (RFC 8449 §4: TLS 1.3 yes,
    /// TLS 1.2 no).
    pub fn from_answer(
        offer: LimitOffer,
        record_size_limit: Option<u16>,
        max_fragment_length: Option<u8>,
        tls13: bool,
    ) -> Result<Self, Error> {
        let type_byte = usize::from(tls13);
        let mut limits = Limits::default();
        if let Some(theirs) = record_size_limit.map(usize::from) {
            if theirs < 64 {
                return Err(Misbehavior::BadRecordSizeLimit.into());
            }
            // Their limit counts the inner content type too in TLS 1.3.
            limits.send = limits.send.min(theirs - type_byte);
            limits.recv = offer.record_size_limit.map(usize::from);
        }
        if let Some(code) = max_fragment_length {
            // RFC 8449 §5: an answer with both is fatal (illegal_parameter).
            if record_size_limit.is_some() {
                return Err(Misbehavior::BothRecordSizeLimits.into());
            }
            if Some(code) != offer.mfl_code {
                return Err(Misbehavior::BadMaxFragmentLength.into());
            }
            let size = 1usize << (8 + code);
            limits.send = limits.send.min(size);
            limits.recv = Some(size + type_byte);
        }
        Ok(limits)
    }
}

/// One counter per [`Flood`] kind.
#[derive(Debug, Default)]
pub(crate) struct FloodCounters([u8; 6]);

impl FloodCounters {
    /// Counts one more of `kind`; the error once there are more than its limit.
    pub fn count(&mut self, kind: Flood) -> Result<(), Error> {
        let n = &mut self.0[kind as usize];
        *n = n.saturating_add(1);
        if *n > kind.limit() {
            return Err(Misbehavior::Flood(kind).into());
        }
        Ok(())
    }

    /// The peer made progress: every count but change_cipher_spec's starts again.
    pub fn progress(&mut self) {
        let ccs = self.0[Flood::ChangeCipherSpec as usize];
        self.0 = [0; 6];
        self.0[Flood::ChangeCipherSpec as usize] = ccs;
    }

    /// Starts the count of `kind` again.
    pub fn reset(&mut self, kind: Flood) {
        self.0[kind as usize] = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_follow_the_buffer() {
        assert_eq!(LimitOffer::for_receive_buffer(16_645), LimitOffer::default());
        assert_ne!(LimitOffer::for_receive_buffer(16_644), LimitOffer::default());
        let o = LimitOffer::for_receive_buffer(8 * 1024);
        assert_eq!(o.mfl_code, Some(4));
        assert_eq!(o.record_size_limit, Some(4587));
        let o = LimitOffer::for_receive_buffer(2048);
        assert_eq!(o.mfl_code, Some(1));
        assert_eq!(LimitOffer::for_receive_buffer(512).mfl_code, None);
    }
}
