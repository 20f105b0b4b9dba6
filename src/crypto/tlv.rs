//! A strict DER walk (X.690 §8.1, §10.1) for the few certificate fields the
//! handshake reads on every connection: the leaf's SubjectPublicKeyInfo and
//! the Names beside it. Every element's tag is named by the caller, lengths
//! must be in their shortest form, and nothing is decoded beyond the
//! element's bounds; it accepts a subset of what the `der` crate's `AnyRef`
//! walk accepts, and gives the same bytes where both accept
//! (`fuzz_targets/der_walk.rs` holds it to that).

/// SEQUENCE (X.680 §25), constructed.
pub(super) const SEQUENCE: u8 = 0x30;
/// INTEGER.
pub(super) const INTEGER: u8 = 0x02;
/// BIT STRING, primitive (DER, X.690 §10.2).
pub(super) const BIT_STRING: u8 = 0x03;
/// NULL.
pub(super) const NULL: u8 = 0x05;
/// OBJECT IDENTIFIER.
pub(super) const OID: u8 = 0x06;
/// `[0]` EXPLICIT, constructed: a certificate's version (RFC 5280 §4.1).
pub(super) const CONTEXT_0: u8 = 0xa0;

/// The elements of a DER encoding, one after another.
pub(super) struct Elements<'a>(&'a [u8]);

impl<'a> Elements<'a> {
    pub(super) fn new(der: &'a [u8]) -> Self {
        Elements(der)
    }

    /// The contents of `der` if it is exactly one element tagged `tag`.
    pub(super) fn single(der: &'a [u8], tag: u8) -> Option<&'a [u8]> {
        let mut e = Elements(der);
        let (_, contents) = e.next(tag)?;
        e.is_empty().then_some(contents)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The next element's tag, if there is one.
    pub(super) fn peek(&self) -> Option<u8> {
        self.0.first().copied()
    }

    /// The next element, which must be tagged `tag`: the whole element
    /// (header included) and its contents.
    pub(super) fn next(&mut self, tag: u8) -> Option<(&'a [u8], &'a [u8])> {
        if self.peek()? != tag {
            return None;
        }
        let (header, len) = header_len(&self.0[1..])?;
        let end = (1 + header).checked_add(len)?;
        let whole = self.0.get(..end)?;
        self.0 = &self.0[end..];
        Some((whole, &whole[1 + header..]))
    }
}

/// The length octets at the start of `rest` (X.690 §10.1: definite, the
/// fewest octets): their count and the length they give. Lengths of four
/// or more octets (16 MiB and up) are refused: no certificate here is so
/// large.
#[inline]
fn header_len(rest: &[u8]) -> Option<(usize, usize)> {
    let first = *rest.first()?;
    let (octets, min) = match first {
        0..=0x7f => return Some((1, usize::from(first))),
        0x81 => (1, 0x80),
        0x82 => (2, 0x100),
        0x83 => (3, 0x1_0000),
        _ => return None, // 0x80: the indefinite form, not DER
    };
    let len = rest.get(1..1 + octets)?.iter().fold(0usize, |n, &b| n << 8 | usize::from(b));
    (len >= min).then_some((1 + octets, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_definite_and_shortest() {
        assert_eq!(header_len(&[0x05]), Some((1, 5)));
        assert_eq!(header_len(&[0x7f]), Some((1, 0x7f)));
        assert_eq!(header_len(&[0x81, 0x80]), Some((2, 0x80)));
        assert_eq!(header_len(&[0x81, 0x7f]), None, "one octet would do");
        assert_eq!(header_len(&[0x82, 0x01, 0x00]), Some((3, 0x100)));
        assert_eq!(header_len(&[0x82, 0x00, 0xff]), None, "one octet would do");
        assert_eq!(header_len(&[0x83, 0x01, 0x00, 0x00]), Some((4, 0x1_0000)));
        assert_eq!(header_len(&[0x83, 0x00, 0xff, 0xff]), None, "two octets would do");
        assert_eq!(header_len(&[0x80]), None, "indefinite");
        assert_eq!(header_len(&[0x84, 1, 0, 0, 0]), None, "16 MiB or more");
        assert_eq!(header_len(&[0x82, 0x01]), None, "cut short");
        assert_eq!(header_len(&[]), None);
    }

    #[test]
    fn elements_are_taken_by_tag_within_bounds() {
        let der = [SEQUENCE, 3, OID, 1, 0x2a, NULL, 0];
        let mut e = Elements::new(&der);
        assert!(e.next(OID).is_none(), "the tag must match");
        let (whole, contents) = e.next(SEQUENCE).unwrap();
        assert_eq!((whole, contents), (&der[..5], &der[2..5]));
        assert_eq!(e.next(NULL), Some((&der[5..], &[][..])));
        assert!(e.is_empty() && e.next(NULL).is_none());
        assert_eq!(Elements::single(&der[..5], SEQUENCE), Some(&der[2..5]));
        assert_eq!(Elements::single(&der, SEQUENCE), None, "trailing bytes");
        assert_eq!(Elements::single(&[SEQUENCE, 4, OID, 1, 0x2a], SEQUENCE), None, "past the end");
    }
}
