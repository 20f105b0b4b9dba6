//! Extension blocks (RFC 8446 §4.2): `Extension extensions<0..2^16-1>`,
//! and what every message's typed extension set shares: the §4.2 rules
//! (`decode_set`), the wire order ([`WireOrder`]) and the value types more
//! than one message carries.
//!
//! Each message that carries extensions has its typed set beside it
//! (`ServerHelloExtensions`, `HelloRetryRequestExtensions`,
//! `EncryptedExtensions`, `CertificateRequestExtensions`,
//! `CertificateEntryExtensions`, `NewSessionTicketExtensions`,
//! `tls12::ServerHelloExtensions12`): a field per extension its §4.2 table
//! allows, decoded from a checked [`Extensions`] block; anything else fails
//! to decode.

use super::enums::{ExtensionType, NamedGroup};
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

    /// True if the block has an extension of type `typ`.
    pub fn contains(&self, typ: ExtensionType) -> bool {
        self.iter().any(|(t, _)| t == typ.to_wire())
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

    /// Reads an extension body that is one list and nothing else.
    pub(crate) fn read_body(data: &'a [u8], what: &'static str, trailing: &'static str) -> Result<Self, DecodeError> {
        let mut r = Reader::new(data);
        let list = Self::read(&mut r, what)?;
        r.finish(trailing)?;
        Ok(list)
    }

    /// Writes the list with its 2-byte length prefix.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        w.vec(2, self.raw)
    }
}

/// Why a message's typed extension set was refused (RFC 8446 §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtensionSetError {
    /// A malformed block or extension body, or a type twice (decode_error).
    Malformed(ExtensionsError),
    /// An answer to something the client did not ask for (§4.2:
    /// unsupported_extension).
    Unsolicited(u16),
    /// An extension the §4.2 table does not allow in this message
    /// (illegal_parameter).
    NotAllowed {
        /// The extension type.
        extension: u16,
        /// The message it came in.
        message: &'static str,
    },
}

impl From<ExtensionsError> for ExtensionSetError {
    fn from(e: ExtensionsError) -> Self {
        ExtensionSetError::Malformed(e)
    }
}

impl From<DecodeError> for ExtensionSetError {
    fn from(e: DecodeError) -> Self {
        ExtensionSetError::Malformed(ExtensionsError::Decode(e))
    }
}

/// The order the extensions of a typed set came in, as positions in their
/// message's table (at most 16 entries), so that encoding writes them back as
/// they were; and whether unrecognized extensions were skipped, which
/// encoding cannot give back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WireOrder {
    /// Four bits per position, first extension lowest.
    positions: u64,
    len: u8,
    skipped: bool,
}

impl WireOrder {
    fn push(&mut self, position: usize) {
        if self.len < 16 && position < 16 {
            self.positions |= (position as u64) << (4 * self.len);
            self.len += 1;
        }
    }

    fn positions(self) -> impl Iterator<Item = usize> {
        (0..self.len).map(move |i| ((self.positions >> (4 * i)) & 15) as usize)
    }

    /// True if the message had extensions this crate does not know, which
    /// were skipped (CertificateRequest, NewSessionTicket).
    pub fn skipped_unknown(&self) -> bool {
        self.skipped
    }
}

/// Reads a checked block as a typed set (RFC 8446 §4.2). `table` lists the
/// types `message` may carry. Every type is checked before any body is read:
///
/// - with `solicited` (the server's answers: ServerHello,
///   EncryptedExtensions, Certificate entries), a type it refuses is
///   [`ExtensionSetError::Unsolicited`], whatever the table says: a server
///   may send only what the ClientHello asked for (types this crate does not
///   know included);
/// - a type this crate knows that is not in `table` is
///   [`ExtensionSetError::NotAllowed`];
/// - without `solicited` (the server's requests: CertificateRequest §4.3.2,
///   NewSessionTicket §4.6.1), unknown types are skipped.
///
/// Then `body` reads the data of each extension in the table, in wire order.
pub(crate) fn decode_set<'a>(
    exts: &Extensions<'a>,
    message: &'static str,
    table: &[ExtensionType],
    solicited: Option<&dyn Fn(ExtensionType) -> bool>,
    mut body: impl FnMut(ExtensionType, &'a [u8]) -> Result<(), DecodeError>,
) -> Result<WireOrder, ExtensionSetError> {
    for (t, _) in exts.iter() {
        let typ = ExtensionType::from_wire(t);
        if solicited.is_some_and(|s| !s(typ)) {
            return Err(ExtensionSetError::Unsolicited(t));
        }
        let skip = solicited.is_none() && matches!(typ, ExtensionType::Unknown(_));
        if !table.contains(&typ) && !skip {
            return Err(ExtensionSetError::NotAllowed { extension: t, message });
        }
    }
    let mut order = WireOrder::default();
    for (t, data) in exts.iter() {
        let typ = ExtensionType::from_wire(t);
        match table.iter().position(|k| *k == typ) {
            Some(p) => {
                body(typ, data)?;
                order.push(p);
            }
            None => order.skipped = true,
        }
    }
    Ok(order)
}

/// Writes a typed set's block with its length prefix: the extensions in
/// `order`, then the rest of `table` (a set built by hand), each by `field`,
/// which writes it (see [`put`]) if the set has it.
pub(crate) fn encode_set(
    w: &mut Writer<'_>,
    table: &[ExtensionType],
    order: WireOrder,
    mut field: impl FnMut(ExtensionType, &mut Writer<'_>) -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    let m = w.begin(2)?;
    for p in order.positions() {
        if let Some(t) = table.get(p) {
            field(*t, w)?;
        }
    }
    for (p, t) in table.iter().enumerate() {
        if !order.positions().any(|q| q == p) {
            field(*t, w)?;
        }
    }
    w.end(m)
}

/// Writes extension `typ` with `body` if `value` is present.
pub(crate) fn put<T>(
    w: &mut Writer<'_>,
    typ: ExtensionType,
    value: Option<T>,
    body: impl FnOnce(&mut Writer<'_>, T) -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    match value {
        Some(v) => write_extension(w, typ.to_wire(), |w| body(w, v)),
        None => Ok(()),
    }
}

/// An extension body that is one `uint8`.
pub(crate) fn exactly_u8(data: &[u8], what: &'static str) -> Result<u8, DecodeError> {
    let mut r = Reader::new(data);
    let v = r.u8(what)?;
    r.finish(what)?;
    Ok(v)
}

/// An extension body that is one `uint16`.
pub(crate) fn exactly_u16(data: &[u8], what: &'static str) -> Result<u16, DecodeError> {
    let mut r = Reader::new(data);
    let v = r.u16(what)?;
    r.finish(what)?;
    Ok(v)
}

/// An extension whose body must be empty; true (present).
pub(crate) fn empty(data: &[u8], what: &'static str) -> Result<bool, DecodeError> {
    if data.is_empty() {
        Ok(true)
    } else {
        Err(DecodeError(what))
    }
}

/// max_fragment_length in a server's answer: the code (RFC 6066 §4).
pub(crate) fn max_fragment_length(data: &[u8]) -> Result<u8, DecodeError> {
    exactly_u8(data, "max_fragment_length")
}

/// record_size_limit: the largest record the peer accepts (RFC 8449 §4).
pub(crate) fn record_size_limit(data: &[u8]) -> Result<u16, DecodeError> {
    exactly_u16(data, "record_size_limit")
}

/// A KeyShareEntry (RFC 8446 §4.2.8): a group and a public key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyShareEntry<'a> {
    /// The group.
    pub group: NamedGroup,
    /// The public key in the group's encoding (§4.2.8.1, §4.2.8.2).
    pub key_exchange: &'a [u8],
}

impl<'a> KeyShareEntry<'a> {
    /// Reads an extension body that is one entry (ServerHello's key_share).
    pub(crate) fn read_body(data: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(data);
        let group = NamedGroup::from_wire(r.u16("KeyShareEntry.group")?);
        let key_exchange = r.vec16_bounded(1, 0xffff, "KeyShareEntry.key_exchange")?;
        r.finish("key_share (trailing bytes)")?;
        Ok(KeyShareEntry { group, key_exchange })
    }

    /// Writes the entry.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        w.u16(self.group.to_wire())?;
        w.vec(2, self.key_exchange)
    }
}

/// A server's ALPN answer (RFC 7301 §3.1): a ProtocolNameList, checked to
/// hold at least one name of 1 to 255 bytes (§3.1 says exactly one; the
/// handshake checks that with [`ProtocolNames::single`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProtocolNames<'a> {
    list: &'a [u8],
}

impl<'a> ProtocolNames<'a> {
    /// Checks a ProtocolNameList body (without its length prefix).
    pub fn from_list(list: &'a [u8]) -> Result<Self, DecodeError> {
        let mut names = Reader::new(list);
        loop {
            names.vec8_bounded(1, 255, "ALPN.ProtocolName")?;
            if names.is_empty() {
                return Ok(ProtocolNames { list });
            }
        }
    }

    /// Reads the extension body.
    pub(crate) fn read_body(data: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(data);
        let list = r.vec16("ALPN.protocol_name_list")?;
        r.finish("ALPN (trailing bytes)")?;
        Self::from_list(list)
    }

    /// The names, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + Clone {
        let mut r = Reader::new(self.list);
        core::iter::from_fn(move || r.vec8("").ok())
    }

    /// The name, if the list holds exactly one.
    pub fn single(&self) -> Option<&'a [u8]> {
        let mut it = self.iter();
        let first = it.next()?;
        it.next().is_none().then_some(first)
    }

    /// Writes the extension body.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        w.vec(2, self.list)
    }
}

/// A list of DER distinguished names (RFC 8446 §4.2.4, RFC 5246 §7.4.4),
/// each checked to be 1 to 2^16-1 bytes long; may be empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DistinguishedNames<'a> {
    list: &'a [u8],
}

impl<'a> DistinguishedNames<'a> {
    /// Checks a `DistinguishedName authorities<..>` body (without its length prefix).
    pub fn from_list(list: &'a [u8]) -> Result<Self, DecodeError> {
        let mut check = Reader::new(list);
        while !check.is_empty() {
            check.vec16_bounded(1, 0xffff, "DistinguishedName")?;
        }
        Ok(DistinguishedNames { list })
    }

    /// The names, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + Clone {
        let mut r = Reader::new(self.list);
        core::iter::from_fn(move || r.vec16("").ok())
    }

    /// True for an empty list.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The list body.
    pub fn raw(&self) -> &'a [u8] {
        self.list
    }

    /// Writes the list with its 2-byte length prefix.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        w.vec(2, self.list)
    }
}

/// A block body from (type, data) pairs, for tests of the typed sets.
#[cfg(test)]
pub(crate) fn test_block(exts: &[(u16, &[u8])]) -> std::vec::Vec<u8> {
    let mut out = std::vec::Vec::new();
    for (t, d) in exts {
        out.extend_from_slice(&t.to_be_bytes());
        out.extend_from_slice(&(d.len() as u16).to_be_bytes());
        out.extend_from_slice(d);
    }
    out
}

/// Decodes `raw` as a block, then with `decode`, encodes the result with
/// `encode` and returns the block body written (without its length prefix).
#[cfg(test)]
pub(crate) fn test_round_trip<'a, T>(
    raw: &'a [u8],
    decode: impl FnOnce(&Extensions<'a>) -> Result<T, ExtensionSetError>,
    encode: impl FnOnce(&T, &mut Writer<'_>) -> Result<(), WriteError>,
) -> Result<std::vec::Vec<u8>, ExtensionSetError> {
    let set = decode(&Extensions::check(raw)?)?;
    let mut buf = std::vec![0u8; raw.len() + 2];
    let mut w = Writer::new(&mut buf);
    encode(&set, &mut w).expect("the encoding fits");
    assert_eq!(w.len(), raw.len() + 2, "the encoding has the block's length");
    Ok(w.written()[2..].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ExtensionType as E;

    const TABLE: [E; 2] = [E::KeyShare, E::Cookie];

    /// Decodes `raw` against `TABLE` as an answer (with `solicited`) or a
    /// request (without); returns the order and the types whose body was read.
    fn run(
        raw: &[u8],
        solicited: Option<&dyn Fn(E) -> bool>,
    ) -> Result<(WireOrder, std::vec::Vec<E>), ExtensionSetError> {
        let exts = Extensions::check(raw)?;
        let mut read = std::vec::Vec::new();
        let order = decode_set(&exts, "Test", &TABLE, solicited, |t, d| {
            if d == [0xee] {
                return Err(DecodeError("bad body"));
            }
            read.push(t);
            Ok(())
        })?;
        Ok((order, read))
    }

    #[test]
    fn answers_hold_only_solicited_types_of_the_table() {
        let all = |_: E| true;
        let offered = |t: E| t == E::KeyShare || t == E::ServerName;
        // In the table and offered: read in wire order.
        let raw = test_block(&[(44, &[]), (51, &[])]);
        let (order, read) = run(&raw, Some(&all)).unwrap();
        assert_eq!(read, [E::Cookie, E::KeyShare]);
        assert_eq!(order.positions().collect::<std::vec::Vec<_>>(), [1, 0]);
        // Not offered: unsolicited, in the table or not, known or not.
        for t in [44u16, 0x1234, 42] {
            let raw = test_block(&[(51, &[]), (t, &[])]);
            assert_eq!(run(&raw, Some(&offered)).unwrap_err(), ExtensionSetError::Unsolicited(t), "{t:#x}");
        }
        // Offered but not in the table: not allowed, naming the message.
        let raw = test_block(&[(0, &[])]);
        assert_eq!(
            run(&raw, Some(&offered)).unwrap_err(),
            ExtensionSetError::NotAllowed { extension: 0, message: "Test" }
        );
        // Every type is checked before any body: a bad body first, an
        // unsolicited type second is unsolicited.
        let raw = test_block(&[(51, &[0xee]), (44, &[])]);
        assert_eq!(run(&raw, Some(&offered)).unwrap_err(), ExtensionSetError::Unsolicited(44));
        let raw = test_block(&[(51, &[0xee])]);
        assert_eq!(run(&raw, Some(&offered)).unwrap_err(), DecodeError("bad body").into());
    }

    #[test]
    fn requests_skip_unknown_types_and_refuse_known_ones_out_of_the_table() {
        let raw = test_block(&[(0x1234, &[1]), (51, &[])]);
        let (order, read) = run(&raw, None).unwrap();
        assert_eq!(read, [E::KeyShare]);
        assert!(order.skipped_unknown());
        let raw = test_block(&[(51, &[]), (43, &[3, 4])]);
        assert_eq!(run(&raw, None).unwrap_err(), ExtensionSetError::NotAllowed { extension: 43, message: "Test" });
        assert!(!run(&test_block(&[(51, &[])]), None).unwrap().0.skipped_unknown());
    }

    #[test]
    fn encoding_follows_the_wire_order_then_the_table() {
        let write = |order: WireOrder| {
            let mut buf = [0u8; 16];
            let mut w = Writer::new(&mut buf);
            encode_set(&mut w, &TABLE, order, |t, w| put(w, t, Some(()), |w, ()| w.u8(7))).unwrap();
            w.written().to_vec()
        };
        let mut order = WireOrder::default();
        order.push(1);
        assert_eq!(write(order), [0, 10, 0, 44, 0, 1, 7, 0, 51, 0, 1, 7]);
        assert_eq!(write(WireOrder::default()), [0, 10, 0, 51, 0, 1, 7, 0, 44, 0, 1, 7]);
    }

    #[test]
    fn value_types_check_their_bodies() {
        let ks = KeyShareEntry::read_body(&[0, 0x1d, 0, 2, 9, 9]).unwrap();
        assert_eq!((ks.group, ks.key_exchange), (NamedGroup::X25519, &[9, 9][..]));
        assert_eq!(KeyShareEntry::read_body(&[0, 0x1d, 0, 0]), Err(DecodeError("KeyShareEntry.key_exchange")));
        assert_eq!(KeyShareEntry::read_body(&[0, 0x1d, 0, 1, 9, 0]), Err(DecodeError("key_share (trailing bytes)")));
        let alpn = ProtocolNames::read_body(&[0, 3, 2, b'h', b'2']).unwrap();
        assert_eq!(alpn.single(), Some(&b"h2"[..]));
        let two = ProtocolNames::read_body(&[0, 4, 1, b'a', 1, b'b']).unwrap();
        assert_eq!((two.single(), two.iter().count()), (None, 2));
        for bad in [&[0, 0][..], &[0, 2, 0, 0], &[0, 2, 2, b'h'], &[0, 1, 1, b'a', 0]] {
            assert!(ProtocolNames::read_body(bad).is_err(), "{bad:?}");
        }
        let names = DistinguishedNames::from_list(&[0, 1, 0x30, 0, 2, 0x30, 0]).unwrap();
        assert_eq!(names.iter().collect::<std::vec::Vec<_>>(), [&[0x30][..], &[0x30, 0]]);
        assert_eq!(DistinguishedNames::from_list(&[0, 0]), Err(DecodeError("DistinguishedName")));
        assert_eq!(exactly_u16(&[1, 2, 3], "x"), Err(DecodeError("x")));
        assert_eq!(empty(&[0], "y"), Err(DecodeError("y")));
    }
}
