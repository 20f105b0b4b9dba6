//! NewSessionTicket (RFC 8446 §4.6.1).

use super::enums::ExtensionType as E;
use super::extensions::{decode_set, encode_set, put, ExtensionSetError, Extensions, ExtensionsError, WireOrder};
use crate::codec::{Reader, WriteError, Writer};

/// A parsed NewSessionTicket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewSessionTicket<'a> {
    /// ticket_lifetime in seconds (at most 604800).
    pub lifetime: u32,
    /// ticket_age_add.
    pub age_add: u32,
    /// ticket_nonce.
    pub nonce: &'a [u8],
    /// The opaque ticket (the PSK identity for resumption).
    pub ticket: &'a [u8],
    /// extensions (early_data), read with [`NewSessionTicketExtensions::decode`].
    pub extensions: Extensions<'a>,
}

impl<'a> NewSessionTicket<'a> {
    /// Parses the body.
    pub fn decode(body: &'a [u8]) -> Result<Self, ExtensionsError> {
        let mut r = Reader::new(body);
        let lifetime = r.u32("NewSessionTicket.ticket_lifetime")?;
        let age_add = r.u32("NewSessionTicket.ticket_age_add")?;
        let nonce = r.vec8("NewSessionTicket.ticket_nonce")?;
        let ticket = r.vec16_bounded(1, 0xffff, "NewSessionTicket.ticket")?;
        let extensions = Extensions::check(r.vec16("NewSessionTicket.extensions")?)?;
        r.finish("NewSessionTicket (trailing bytes)").map_err(ExtensionsError::Decode)?;
        Ok(NewSessionTicket { lifetime, age_add, nonce, ticket, extensions })
    }

    /// max_early_data_size from the early_data extension; 0 if absent, or
    /// if the extensions do not decode (the client refuses such a ticket
    /// when it arrives).
    pub fn max_early_data(&self) -> u32 {
        NewSessionTicketExtensions::decode(&self.extensions).ok().and_then(|e| e.early_data).unwrap_or(0)
    }

    /// Writes the body.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        w.u32(self.lifetime)?;
        w.u32(self.age_add)?;
        w.vec(1, self.nonce)?;
        w.vec(2, self.ticket)?;
        self.extensions.encode(w)
    }
}

/// What a NewSessionTicket may carry (RFC 8446 §4.2 table, "NST").
const NEW_SESSION_TICKET: [E; 1] = [E::EarlyData];

/// The extensions of a NewSessionTicket. Types this crate does not know are
/// skipped (§4.6.1: "Clients MUST ignore unrecognized extensions").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NewSessionTicketExtensions {
    /// early_data: max_early_data_size, the 0-RTT bytes the ticket allows (§4.2.10).
    pub early_data: Option<u32>,
    order: WireOrder,
}

impl NewSessionTicketExtensions {
    /// Reads the block.
    pub fn decode(exts: &Extensions<'_>) -> Result<Self, ExtensionSetError> {
        let mut set = Self::default();
        set.order = decode_set(exts, "NewSessionTicket", &NEW_SESSION_TICKET, None, |t, d| {
            if t == E::EarlyData {
                let mut r = Reader::new(d);
                set.early_data = Some(r.u32("early_data.max_early_data_size")?);
                r.finish("early_data (trailing bytes)")?;
            }
            Ok(())
        })?;
        Ok(set)
    }

    /// True if extensions this crate does not know were skipped.
    pub fn skipped_unknown(&self) -> bool {
        self.order.skipped_unknown()
    }

    /// Writes the block with its length prefix (without the skipped ones).
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        encode_set(w, &NEW_SESSION_TICKET, self.order, |t, w| {
            put(w, t, self.early_data.filter(|_| t == E::EarlyData), |w, n| w.u32(n))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::DecodeError;
    use crate::msgs::extensions::{test_block, test_round_trip};

    fn nst(raw: &[u8]) -> Result<std::vec::Vec<u8>, ExtensionSetError> {
        test_round_trip(raw, NewSessionTicketExtensions::decode, |s, w| s.encode(w))
    }

    #[test]
    fn early_data_and_the_table() {
        let raw = test_block(&[(42, &[0, 0, 4, 0])]);
        assert_eq!(nst(&raw), Ok(raw.clone()));
        let set = NewSessionTicketExtensions::decode(&Extensions::check(&raw).unwrap()).unwrap();
        assert_eq!(set.early_data, Some(0x400));
        assert_eq!(nst(&test_block(&[(42, &[0, 4, 0])])), Err(DecodeError("early_data.max_early_data_size").into()));
        assert_eq!(nst(&test_block(&[(42, &[0, 0, 4, 0, 0])])), Err(DecodeError("early_data (trailing bytes)").into()));
        // §4.6.1: unknown extensions (GREASE here) are ignored; known ones
        // not defined for NewSessionTicket are not (§4.2).
        let grease = test_block(&[(0x0a0a, &[]), (42, &[0, 0, 0, 1])]);
        let set = NewSessionTicketExtensions::decode(&Extensions::check(&grease).unwrap()).unwrap();
        assert_eq!((set.early_data, set.skipped_unknown()), (Some(1), true));
        let e = nst(&test_block(&[(51, &[])])).unwrap_err();
        assert_eq!(e, ExtensionSetError::NotAllowed { extension: 51, message: "NewSessionTicket" });
    }

    #[test]
    fn max_early_data_reads_the_typed_set() {
        let block = test_block(&[(42, &[0, 0, 0, 9])]);
        let mut body = std::vec![0, 0, 0, 30, 0, 0, 0, 1, 0, 0, 1, 7];
        body.extend_from_slice(&(block.len() as u16).to_be_bytes());
        body.extend_from_slice(&block);
        assert_eq!(NewSessionTicket::decode(&body).unwrap().max_early_data(), 9);
    }
}
