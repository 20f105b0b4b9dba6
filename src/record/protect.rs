//! Record payload protection: TLS 1.3 (RFC 8446 §5.2 to §5.4) and the
//! TLS 1.2 AEAD records (RFC 5246 §6.2.3.3) of AES-GCM (RFC 5288 §3) and
//! ChaCha20-Poly1305 (RFC 7905 §2).

use core::ops::Range;

use super::{Header, HEADER_LEN, MAX_PLAINTEXT};
use crate::crypto::{AeadAlg, CryptoProvider, HashAlg, Secret, TAG_LEN};
use crate::error::{Error, Misbehavior};
use crate::key_schedule::TrafficKeys;
use crate::msgs::enums::ContentType;

/// Records sealed under one key before the client changes it (RFC 8446
/// §5.5): ⌊2^24.5⌋, the AES-GCM limit for a 2^-57 safety margin. The
/// same count is used for ChaCha20-Poly1305, whose limit §5.5 puts beyond
/// the 64-bit sequence number: one rule, and an update every 23.7 million
/// records costs nothing. TLS 1.2 cannot change keys: the connection ends
/// there ([`crate::Error::KeyUsageLimit`]).
pub const KEY_UPDATE_AT: u64 = 23_726_566;

/// Records accepted from the server under one key: 2^25, which leaves the
/// server (asked at [`KEY_UPDATE_AT`] in TLS 1.3) ample time to update and
/// keeps the AES-GCM margin near 2^-56.
pub const PEER_KEY_LIMIT: u64 = 1 << 25;

/// The key usage limits in force (tests lower them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyUsage {
    /// Sequence number at which our sending key is changed (or, in TLS 1.2, the connection ends).
    pub update_at: u64,
    /// Sequence number past which a server record is refused.
    pub peer_limit: u64,
}

impl Default for KeyUsage {
    fn default() -> Self {
        KeyUsage { update_at: KEY_UPDATE_AT, peer_limit: PEER_KEY_LIMIT }
    }
}
/// The AEAD refused to seal: only inputs over 2^36 bytes do (RFC 5116 §5.1), records are < 2^15.
const SEAL_FAILED: Error = Error::Internal("the AEAD refused to seal a record");

/// The receive side's protection as a transition sees it. Installing a key
/// is the only way to change it, and marks the change; the engine reads the
/// mark after every handshake message and change_cipher_spec and refuses
/// handshake data that spans the change (RFC 8446 §5.1, RFC 5246 §6.2.1),
/// whatever the transition returns. (Two references, so the mark costs the
/// connection one byte beside its other flags.)
pub struct ReadKeys<'x, P: CryptoProvider> {
    prot: &'x mut Option<Protection<P>>,
    changed: &'x mut bool,
}

impl<'x, P: CryptoProvider> ReadKeys<'x, P> {
    /// The receive keys `prot`, whose changes are marked in `changed`.
    pub fn new(prot: &'x mut Option<Protection<P>>, changed: &'x mut bool) -> Self {
        ReadKeys { prot, changed }
    }

    /// Installs the keys of a TLS 1.3 traffic secret ([`Protection::install`]).
    pub fn install(&mut self, p: &mut P, alg: HashAlg, aead: AeadAlg, secret: &Secret) {
        Protection::install(self.prot, p, alg, aead, secret);
        *self.changed = true;
    }

    /// Installs a TLS 1.2 key block's key and IV ([`Protection::install_tls12`]).
    pub fn install_tls12(&mut self, p: &mut P, aead: AeadAlg, key: &[u8], iv: &[u8]) {
        Protection::install_tls12(self.prot, p, aead, key, iv);
        *self.changed = true;
    }
}

/// Bytes of the explicit nonce in a TLS 1.2 AES-GCM record (RFC 5288 §3).
const GCM_EXPLICIT_NONCE: usize = 8;

/// How records are framed under the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Framing {
    /// TLS 1.3: inner content type, nonce = IV XOR sequence number, AAD = header.
    Tls13,
    /// TLS 1.2 AES-GCM: nonce = 4-byte salt || 8-byte explicit nonce sent in the record.
    Tls12Gcm,
    /// TLS 1.2 ChaCha20-Poly1305: nonce = IV XOR sequence number, nothing explicit.
    Tls12Chacha,
}

/// A record opened in place: its content type and where its plaintext is
/// (relative to the start of the record).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    /// The (inner) content type.
    pub typ: ContentType,
    /// The plaintext's position within the record.
    pub plaintext: Range<usize>,
}

/// One direction's AEAD key, IV and sequence number.
pub struct Protection<P: CryptoProvider> {
    keys: TrafficKeys<P>,
    seq: u64,
    framing: Framing,
}

impl<P: CryptoProvider> Protection<P> {
    /// TLS 1.3 protection starting at sequence number 0.
    pub fn new(keys: TrafficKeys<P>) -> Self {
        Protection { keys, seq: 0, framing: Framing::Tls13 }
    }

    /// TLS 1.2 protection from a key block's write key and IV (RFC 5246
    /// §6.3): a 4-byte salt for AES-GCM, a 12-byte IV for ChaCha20-Poly1305.
    /// The sequence number starts at 0 (after ChangeCipherSpec).
    pub fn tls12(p: &mut P, aead: AeadAlg, key: &[u8], iv: &[u8]) -> Self {
        let mut full_iv = [0u8; 12];
        let m = iv.len().min(12);
        full_iv[..m].copy_from_slice(&iv[..m]);
        let framing = match aead {
            AeadAlg::Chacha20Poly1305 => Framing::Tls12Chacha,
            AeadAlg::Aes128Gcm | AeadAlg::Aes256Gcm => Framing::Tls12Gcm,
        };
        let keys = TrafficKeys { key: p.aead_key(aead, key), iv: full_iv };
        zeroize::Zeroize::zeroize(&mut full_iv);
        Protection { keys, seq: 0, framing }
    }

    /// Derives the keys of a TLS 1.3 traffic secret (RFC 8446 §7.3) into
    /// `slot`, in a frame of its own: the key schedule (hundreds of bytes)
    /// is built once, not in the frame of the transition that changes keys.
    #[inline(never)]
    pub fn install(slot: &mut Option<Protection<P>>, p: &mut P, alg: HashAlg, aead: AeadAlg, secret: &Secret) {
        *slot = Some(Protection::new(TrafficKeys::derive(p, alg, aead, secret)));
    }

    /// As [`Protection::install`], for a TLS 1.2 key block's key and IV ([`Protection::tls12`]).
    #[inline(never)]
    pub fn install_tls12(slot: &mut Option<Protection<P>>, p: &mut P, aead: AeadAlg, key: &[u8], iv: &[u8]) {
        *slot = Some(Protection::tls12(p, aead, key, iv));
    }

    /// The sequence number of the next record.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Test-only: continue from sequence number `seq`.
    #[cfg(test)]
    pub(crate) fn set_seq(&mut self, seq: u64) {
        self.seq = seq;
    }

    /// True for TLS 1.3 protection (every record's outer type is application_data).
    pub fn is_tls13(&self) -> bool {
        self.framing == Framing::Tls13
    }

    /// Bytes a protected record adds to its content: the inner content type
    /// (TLS 1.3), the explicit nonce (TLS 1.2 AES-GCM) and the tag.
    pub fn overhead(&self) -> usize {
        match self.framing {
            Framing::Tls13 => 1 + TAG_LEN,
            Framing::Tls12Gcm => GCM_EXPLICIT_NONCE + TAG_LEN,
            Framing::Tls12Chacha => TAG_LEN,
        }
    }

    /// Bytes of a protected record's body that are not plaintext counted
    /// against a record size limit (RFC 8449 §4: TLS 1.3 limits include
    /// the inner content type, TLS 1.2 limits do not).
    pub fn expansion(&self) -> usize {
        match self.framing {
            Framing::Tls13 => TAG_LEN,
            _ => self.overhead(),
        }
    }

    fn take_seq(&mut self) -> Result<u64, Error> {
        if self.seq == u64::MAX {
            return Err(Error::SequenceExhausted);
        }
        let s = self.seq;
        self.seq += 1;
        Ok(s)
    }

    /// Per-record nonce: the IV XOR the 64-bit sequence number, left-padded
    /// (RFC 8446 §5.3, RFC 7905 §2); for AES-GCM in TLS 1.2 the salt followed
    /// by the sequence number as explicit nonce (RFC 5288 §3).
    /// Wiped on drop: with the public sequence number it gives the IV.
    fn nonce(&self, seq: u64) -> zeroize::Zeroizing<[u8; 12]> {
        let mut nonce = zeroize::Zeroizing::new(self.keys.iv);
        match self.framing {
            Framing::Tls12Gcm => nonce[4..].copy_from_slice(&seq.to_be_bytes()),
            _ => {
                for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
                    *n ^= s;
                }
            }
        }
        nonce
    }

    /// TLS 1.2 additional data: seq_num || type || version || length (RFC 5246 §6.2.3.3).
    fn aad12(seq: u64, typ: u8, version: [u8; 2], len: usize) -> [u8; 13] {
        let mut aad = [0u8; 13];
        aad[..8].copy_from_slice(&seq.to_be_bytes());
        aad[8] = typ;
        aad[9..11].copy_from_slice(&version);
        aad[11..].copy_from_slice(&(len as u16).to_be_bytes());
        aad
    }

    /// Bytes between the record header and the content: the explicit nonce
    /// of TLS 1.2 AES-GCM (RFC 5288 §3), else none.
    pub fn content_offset(&self) -> usize {
        match self.framing {
            Framing::Tls12Gcm => GCM_EXPLICIT_NONCE,
            _ => 0,
        }
    }

    /// Protects a record in place. The content (`len` bytes of type `typ`)
    /// is at `record[HEADER_LEN..]`; `record` must have room for
    /// [`Protection::overhead`] more bytes. Writes the header and returns
    /// the whole record's length. (For TLS 1.2 AES-GCM the content is moved
    /// up over the explicit nonce; [`Protection::seal_in_place`] avoids that copy.)
    pub fn seal(&mut self, p: &mut P, typ: ContentType, record: &mut [u8], len: usize) -> Result<usize, Error> {
        let offset = self.content_offset();
        if offset > 0 {
            let total = HEADER_LEN + len + self.overhead();
            if record.len() < total {
                return Err(Error::SendBufferTooSmall { needed: total, capacity: record.len() });
            }
            record.copy_within(HEADER_LEN..HEADER_LEN + len, HEADER_LEN + offset);
        }
        self.seal_in_place(p, typ, record, len)
    }

    /// As [`Protection::seal`], with the content already at
    /// `record[HEADER_LEN + content_offset()..]`.
    pub fn seal_in_place(
        &mut self,
        p: &mut P,
        typ: ContentType,
        record: &mut [u8],
        len: usize,
    ) -> Result<usize, Error> {
        let total = HEADER_LEN + len + self.overhead();
        if record.len() < total {
            return Err(Error::SendBufferTooSmall { needed: total, capacity: record.len() });
        }
        let seq = self.take_seq()?;
        let nonce = self.nonce(seq);
        match self.framing {
            Framing::Tls13 => {
                let inner_len = len + 1;
                record[HEADER_LEN + len] = typ.to_wire();
                let (header, body) = record.split_at_mut(HEADER_LEN);
                Header::write(ContentType::ApplicationData, inner_len + TAG_LEN, header);
                let tag =
                    p.aead_seal(&self.keys.key, &nonce, header, &mut body[..inner_len]).map_err(|_| SEAL_FAILED)?;
                body[inner_len..inner_len + TAG_LEN].copy_from_slice(&tag);
            }
            Framing::Tls12Gcm | Framing::Tls12Chacha => {
                let explicit = self.content_offset();
                let aad = Self::aad12(seq, typ.to_wire(), [3, 3], len);
                let (header, body) = record.split_at_mut(HEADER_LEN);
                Header::write(typ, len + self.overhead(), header);
                body[..explicit].copy_from_slice(&nonce[4..4 + explicit]);
                let tag = p
                    .aead_seal(&self.keys.key, &nonce, &aad, &mut body[explicit..explicit + len])
                    .map_err(|_| SEAL_FAILED)?;
                body[explicit + len..explicit + len + TAG_LEN].copy_from_slice(&tag);
            }
        }
        Ok(total)
    }

    /// Opens a whole protected record in place and returns its content type
    /// and plaintext length; the plaintext is at `record[HEADER_LEN..]`.
    /// On failure nothing of the plaintext is left in `record`.
    ///
    /// For TLS 1.2 AES-GCM records the plaintext is moved down over the
    /// explicit nonce; [`Protection::open_in_place`] avoids that copy.
    pub fn open(&mut self, p: &mut P, record: &mut [u8]) -> Result<(ContentType, usize), Error> {
        let o = self.open_in_place(p, record)?;
        let len = o.plaintext.len();
        if o.plaintext.start != HEADER_LEN {
            record.copy_within(o.plaintext, HEADER_LEN);
        }
        Ok((o.typ, len))
    }

    /// Opens a whole protected record in place and says where its plaintext is.
    /// On failure nothing of the plaintext is left in `record`.
    pub fn open_in_place(&mut self, p: &mut P, record: &mut [u8]) -> Result<Opened, Error> {
        if record.len() < HEADER_LEN {
            return Err(Misbehavior::BadRecord.into());
        }
        match self.framing {
            Framing::Tls13 => self.open13(p, record),
            Framing::Tls12Gcm | Framing::Tls12Chacha => self.open12(p, record),
        }
    }

    fn open13(&mut self, p: &mut P, record: &mut [u8]) -> Result<Opened, Error> {
        let (header, body) = record.split_at_mut(HEADER_LEN);
        if body.len() < TAG_LEN + 1 {
            return Err(Error::BadRecordMac);
        }
        let seq = self.take_seq()?;
        let nonce = self.nonce(seq);
        let ct_len = body.len() - TAG_LEN;
        // §5.4: TLSInnerPlaintext (content, type and padding) is at most 2^14 + 1 bytes.
        if ct_len > MAX_PLAINTEXT + 1 {
            return Err(Error::RecordOverflow { size: ct_len, limit: MAX_PLAINTEXT + 1 });
        }
        let (ct, tag) = body.split_at_mut(ct_len);
        let tag: [u8; TAG_LEN] = (&*tag).try_into().map_err(|_| Error::BadRecordMac)?;
        open_or_wipe(p, &self.keys.key, &nonce, header, ct, &tag)?;
        // §5.4: strip zero padding; the last non-zero byte is the content type.
        let Some(pos) = ct.iter().rposition(|&b| b != 0) else {
            return Err(Misbehavior::NoContentType.into());
        };
        Ok(Opened { typ: ContentType::from_wire(ct[pos]), plaintext: HEADER_LEN..HEADER_LEN + pos })
    }

    fn open12(&mut self, p: &mut P, record: &mut [u8]) -> Result<Opened, Error> {
        let (header, body) = record.split_at_mut(HEADER_LEN);
        let (typ, version) = (header[0], [header[1], header[2]]);
        if usize::from(u16::from_be_bytes([header[3], header[4]])) != body.len() {
            return Err(Misbehavior::BadRecord.into());
        }
        let explicit = self.content_offset();
        let Some(len) = body.len().checked_sub(explicit + TAG_LEN) else {
            return Err(Error::BadRecordMac);
        };
        // RFC 5246 §6.2.3: TLSCiphertext.length at most 2^14 + 2048; plaintext at most 2^14.
        if len > MAX_PLAINTEXT {
            return Err(Error::RecordOverflow { size: len, limit: MAX_PLAINTEXT });
        }
        let seq = self.take_seq()?;
        let mut nonce = self.nonce(seq);
        if explicit > 0 {
            nonce[4..].copy_from_slice(&body[..explicit]);
        }
        let aad = Self::aad12(seq, typ, version, len);
        let (ct, tag) = body[explicit..].split_at_mut(len);
        let tag: [u8; TAG_LEN] = (&*tag).try_into().map_err(|_| Error::BadRecordMac)?;
        open_or_wipe(p, &self.keys.key, &nonce, &aad, ct, &tag)?;
        let start = HEADER_LEN + explicit;
        Ok(Opened { typ: ContentType::from_wire(typ), plaintext: start..start + len })
    }
}

/// Opens `ct` in place; on a bad tag wipes it whatever the provider left
/// there, so no unauthenticated plaintext is released (RUSTSEC-2023-0096).
fn open_or_wipe<P: CryptoProvider>(
    p: &mut P,
    key: &P::AeadKey,
    nonce: &[u8; 12],
    aad: &[u8],
    ct: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> Result<(), Error> {
    p.aead_open(key, nonce, aad, ct, tag).map_err(|_| {
        ct.iter_mut().for_each(|b| *b = 0);
        Error::BadRecordMac
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{AeadAlg, RustCrypto};

    fn keys() -> TrafficKeys<RustCrypto> {
        TrafficKeys { key: RustCrypto.aead_key(AeadAlg::Aes128Gcm, &[7; 16]), iv: [1; 12] }
    }

    #[test]
    fn sequence_number_exhaustion_is_an_error_not_a_wrap() {
        let mut p = Protection { keys: keys(), seq: u64::MAX - 1, framing: Framing::Tls13 };
        let mut rec = [0u8; HEADER_LEN + 4 + 1 + TAG_LEN];
        assert!(p.seal(&mut RustCrypto, ContentType::ApplicationData, &mut rec, 4).is_ok(), "the last usable number");
        assert_eq!(p.seal(&mut RustCrypto, ContentType::ApplicationData, &mut rec, 4), Err(Error::SequenceExhausted));
        let mut q = Protection { keys: keys(), seq: u64::MAX, framing: Framing::Tls13 };
        assert_eq!(q.open(&mut RustCrypto, &mut rec), Err(Error::SequenceExhausted));
    }

    #[test]
    fn inner_plaintext_over_the_limit_is_record_overflow() {
        let mut seal = Protection::new(keys());
        let mut open = Protection::new(keys());
        let len = MAX_PLAINTEXT + 1; // content of 2^14 + 1, plus the type byte: 2 over
        let mut rec = std::vec![0u8; HEADER_LEN + len + 1 + TAG_LEN];
        let n = seal.seal(&mut RustCrypto, ContentType::ApplicationData, &mut rec, len).unwrap();
        assert_eq!(
            open.open(&mut RustCrypto, &mut rec[..n]),
            Err(Error::RecordOverflow { size: MAX_PLAINTEXT + 2, limit: MAX_PLAINTEXT + 1 })
        );
    }
}
