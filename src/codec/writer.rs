/// The output buffer is too small for what was to be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteError;

/// Where a length prefix was reserved, to be filled by [`Writer::end`].
#[must_use]
#[derive(Debug)]
pub struct LengthMark {
    at: usize,
    width: usize,
}

/// Writes wire structures into a caller's slice, never past its end.
#[derive(Debug)]
pub struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
    /// Only counts: nothing is stored (see [`Writer::measure`]).
    measuring: bool,
}

impl<'a> Writer<'a> {
    /// A writer at the start of `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Writer { buf, pos: 0, measuring: false }
    }

    /// A writer that stores nothing and never runs out of room: its
    /// [`Writer::len`] is the size a structure would take.
    pub fn measure() -> Writer<'static> {
        Writer { buf: &mut [], pos: 0, measuring: true }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.pos
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.pos == 0
    }

    /// The bytes written so far.
    pub fn written(&self) -> &[u8] {
        self.buf.get(..self.pos).unwrap_or(&[])
    }

    /// Mutable access to the bytes written so far.
    pub fn written_mut(&mut self) -> &mut [u8] {
        self.buf.get_mut(..self.pos).unwrap_or(&mut [])
    }

    /// The room after what was written, to be filled in place (e.g. by a
    /// signer) and then claimed with [`Writer::advance`]. Empty when measuring.
    pub fn spare_mut(&mut self) -> &mut [u8] {
        self.buf.get_mut(self.pos..).unwrap_or(&mut [])
    }

    /// Claims `n` bytes written into [`Writer::spare_mut`].
    pub fn advance(&mut self, n: usize) -> Result<(), WriteError> {
        let end = self.pos.checked_add(n).ok_or(WriteError)?;
        if !self.measuring && end > self.buf.len() {
            return Err(WriteError);
        }
        self.pos = end;
        Ok(())
    }

    /// Appends bytes.
    #[inline]
    pub fn bytes(&mut self, b: &[u8]) -> Result<(), WriteError> {
        let end = self.pos.checked_add(b.len()).ok_or(WriteError)?;
        if !self.measuring {
            self.buf.get_mut(self.pos..end).ok_or(WriteError)?.copy_from_slice(b);
        }
        self.pos = end;
        Ok(())
    }

    /// Appends a `uint8`.
    #[inline]
    pub fn u8(&mut self, v: u8) -> Result<(), WriteError> {
        self.bytes(&[v])
    }

    /// Appends a `uint16`.
    #[inline]
    pub fn u16(&mut self, v: u16) -> Result<(), WriteError> {
        self.bytes(&v.to_be_bytes())
    }

    /// Appends a `uint24` (the top byte of `v` must be zero).
    pub fn u24(&mut self, v: u32) -> Result<(), WriteError> {
        if v > 0xff_ffff {
            return Err(WriteError);
        }
        self.bytes(&v.to_be_bytes()[1..])
    }

    /// Appends a `uint32`.
    #[inline]
    pub fn u32(&mut self, v: u32) -> Result<(), WriteError> {
        self.bytes(&v.to_be_bytes())
    }

    /// Reserves a length prefix of `width` bytes (1, 2 or 3).
    #[inline]
    pub fn begin(&mut self, width: usize) -> Result<LengthMark, WriteError> {
        let at = self.pos;
        for _ in 0..width {
            self.u8(0)?;
        }
        Ok(LengthMark { at, width })
    }

    /// Fills the length prefix reserved by `mark` with the bytes written since.
    #[inline]
    pub fn end(&mut self, mark: LengthMark) -> Result<(), WriteError> {
        let len = self.pos - mark.at - mark.width;
        if mark.width < 4 && len >> (8 * mark.width) != 0 {
            return Err(WriteError);
        }
        let be = (len as u32).to_be_bytes();
        if let Some(prefix) = self.buf.get_mut(mark.at..mark.at + mark.width) {
            prefix.copy_from_slice(&be[4 - mark.width..]);
        }
        Ok(())
    }

    /// Writes `bytes` with a length prefix of `width` bytes.
    #[inline]
    pub fn vec(&mut self, width: usize, bytes: &[u8]) -> Result<(), WriteError> {
        let m = self.begin(width)?;
        self.bytes(bytes)?;
        self.end(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_patches_lengths_and_refuses_overflow() {
        let mut buf = [0u8; 8];
        let mut w = Writer::new(&mut buf);
        let m = w.begin(2).unwrap();
        w.u8(7).unwrap();
        w.vec(1, &[1, 2]).unwrap();
        w.end(m).unwrap();
        assert_eq!(w.written(), &[0, 4, 7, 2, 1, 2]);
        assert_eq!(w.bytes(&[0; 3]), Err(WriteError));
        let mut big = [0u8; 300];
        let mut w = Writer::new(&mut big);
        let m = w.begin(1).unwrap();
        w.bytes(&[0; 256]).unwrap();
        assert_eq!(w.end(m), Err(WriteError));
    }

    #[test]
    fn measuring_counts_what_would_be_written() {
        let mut w = Writer::measure();
        let m = w.begin(2).unwrap();
        w.bytes(&[0; 70_000]).unwrap();
        w.vec(1, &[1, 2]).unwrap();
        assert_eq!(w.end(m), Err(WriteError), "length limits still apply");
        assert_eq!((w.len(), w.written()), (2 + 70_000 + 3, &[][..]));
    }
}
