//! NewSessionTicket (RFC 8446 §4.6.1).

use super::extensions::{Extensions, ExtensionsError};
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
    /// extensions (early_data).
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

    /// max_early_data_size from the early_data extension, 0 if absent.
    pub fn max_early_data(&self) -> u32 {
        self.extensions
            .get(super::enums::ExtensionType::EarlyData.to_wire())
            .and_then(|d| Reader::new(d).u32("").ok())
            .unwrap_or(0)
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
