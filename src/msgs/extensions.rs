//! Extension blocks (RFC 8446 §4.2): `Extension extensions<0..2^16-1>`.

use crate::codec::{DecodeError, Reader, WriteError, Writer};

/// Most extensions accepted in one message; more is refused as malformed
/// (real ClientHellos carry about 20, server messages fewer).
pub const MAX_EXTENSIONS: usize = 64;

/// A checked extension block: every entry well-formed, no type twice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Extensions<'a> {
    raw: &'a [u8],
}

/// A type appeared twice (RFC 8446 §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Duplicate(pub u16);

/// Why an extension block was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtensionsError {
    /// Malformed.
    Decode(DecodeError),
    /// A type twice.
    Duplicate(u16),
}

impl From<DecodeError> for ExtensionsError {
    fn from(e: DecodeError) -> Self {
        ExtensionsError::Decode(e)
    }
}

impl<'a> Extensions<'a> {
    /// Reads the length-prefixed block from `r`. A missing block (end of
    /// input) is an empty block, as RFC 8446 §4.1.2 allows for older hellos.
    pub fn read(r: &mut Reader<'a>) -> Result<Self, ExtensionsError> {
        if r.is_empty() {
            return Ok(Extensions::default());
        }
        let raw = r.vec16("extensions")?;
        Self::check(raw)
    }

    /// Checks a block body (without its length prefix).
    pub fn check(raw: &'a [u8]) -> Result<Self, ExtensionsError> {
        let mut seen = [0u16; MAX_EXTENSIONS];
        let mut n = 0;
        let mut r = Reader::new(raw);
        while !r.is_empty() {
            let t = r.u16("extension type")?;
            r.vec16("extension data")?;
            if n == MAX_EXTENSIONS {
                return Err(DecodeError("extensions (too many)").into());
            }
            if seen[..n].contains(&t) {
                return Err(ExtensionsError::Duplicate(t));
            }
            seen[n] = t;
            n += 1;
        }
        Ok(Extensions { raw })
    }

    /// The (type, data) pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (u16, &'a [u8])> + 'a {
        let mut r = Reader::new(self.raw);
        core::iter::from_fn(move || {
            let t = r.u16("").ok()?;
            let d = r.vec16("").ok()?;
            Some((t, d))
        })
    }

    /// The data of extension `typ`, if present.
    pub fn get(&self, typ: u16) -> Option<&'a [u8]> {
        self.iter().find(|(t, _)| *t == typ).map(|(_, d)| d)
    }

    /// The raw block body.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Writes the block with its length prefix.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        w.vec(2, self.raw)
    }
}

/// Writes one extension: type, then data written by `body` behind a 2-byte length.
pub fn write_extension(
    w: &mut Writer<'_>,
    typ: u16,
    body: impl FnOnce(&mut Writer<'_>) -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    w.u16(typ)?;
    let m = w.begin(2)?;
    body(w)?;
    w.end(m)
}

/// A list of 16-bit code points on the wire (`T list<2..2^16-2>`), checked
/// for even length when read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct U16List<'a> {
    raw: &'a [u8],
}

impl<'a> U16List<'a> {
    /// Reads a list with a 2-byte length prefix.
    pub fn read(r: &mut Reader<'a>, what: &'static str) -> Result<Self, DecodeError> {
        let raw = r.vec16_bounded(2, 0xfffe, what)?;
        if raw.len() % 2 != 0 {
            return Err(DecodeError(what));
        }
        Ok(U16List { raw })
    }

    /// The values.
    pub fn iter(&self) -> impl Iterator<Item = u16> + Clone + 'a {
        self.raw.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]))
    }
}
