/// A field could not be decoded; the string names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeError(pub &'static str);

/// A cursor over untrusted bytes.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    /// True when everything was read.
    pub fn is_empty(&self) -> bool {
        self.rest().is_empty()
    }

    /// Fails with `what` unless everything was read (no trailing bytes).
    pub fn finish(&self, what: &'static str) -> Result<(), DecodeError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DecodeError(what))
        }
    }

    /// Takes the next `n` bytes.
    #[inline]
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError(what))?;
        let s = self.buf.get(self.pos..end).ok_or(DecodeError(what))?;
        self.pos = end;
        Ok(s)
    }

    /// Takes exactly `N` bytes as an array.
    #[inline]
    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], DecodeError> {
        let s = self.take(N, what)?;
        s.try_into().map_err(|_| DecodeError(what))
    }

    /// A `uint8`.
    #[inline]
    pub fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(what)?[0])
    }

    /// A `uint16`.
    #[inline]
    pub fn u16(&mut self, what: &'static str) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }

    /// A `uint24`.
    pub fn u24(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        let [a, b, c] = self.array(what)?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    /// A `uint32`.
    pub fn u32(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    /// A vector with a 1-byte length prefix.
    #[inline]
    pub fn vec8(&mut self, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let n = self.u8(what)? as usize;
        self.take(n, what)
    }

    /// A vector with a 2-byte length prefix.
    #[inline]
    pub fn vec16(&mut self, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let n = self.u16(what)? as usize;
        self.take(n, what)
    }

    /// A vector with a 3-byte length prefix.
    pub fn vec24(&mut self, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let n = self.u24(what)? as usize;
        self.take(n, what)
    }

    /// A vector with a 1-byte length prefix that must be `min..=max` long.
    pub fn vec8_bounded(&mut self, min: usize, max: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let v = self.vec8(what)?;
        check_len(v, min, max, what)
    }

    /// A vector with a 2-byte length prefix that must be `min..=max` long.
    pub fn vec16_bounded(&mut self, min: usize, max: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let v = self.vec16(what)?;
        check_len(v, min, max, what)
    }
}

fn check_len<'a>(v: &'a [u8], min: usize, max: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
    if v.len() < min || v.len() > max {
        Err(DecodeError(what))
    } else {
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_refuses_overruns() {
        let mut r = Reader::new(&[0, 2, 0xaa, 0xbb, 1]);
        assert_eq!(r.vec16("v").unwrap(), &[0xaa, 0xbb]);
        assert_eq!(r.finish("t"), Err(DecodeError("t")));
        assert_eq!(r.u16("short"), Err(DecodeError("short")));
        assert_eq!(r.u8("b").unwrap(), 1);
        assert!(r.finish("t").is_ok());
        assert_eq!(Reader::new(&[0, 0, 5, 1]).vec24("v24"), Err(DecodeError("v24")));
        assert_eq!(Reader::new(&[2, 1, 2]).vec8_bounded(3, 4, "b"), Err(DecodeError("b")));
    }
}
