//! PEM files (RFC 7468) as certificate and key files come: several blocks,
//! text around them ignored. Needs `alloc`.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::error::Error;

/// One `-----BEGIN label-----` block, decoded.
#[derive(Clone, PartialEq, Eq)]
pub struct PemBlock {
    /// The label, e.g. `CERTIFICATE`, `PRIVATE KEY`, `EC PRIVATE KEY`.
    pub label: String,
    /// The DER bytes.
    pub der: Vec<u8>,
}

impl core::fmt::Debug for PemBlock {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "PemBlock({}, {} bytes)", self.label, self.der.len())
    }
}

/// Every PEM block in `text`, in order.
///
/// ```
/// let blocks = embertls::pem::parse(b"junk\n-----BEGIN X-----\nAAEC\n-----END X-----\n").unwrap();
/// assert_eq!(blocks[0].label, "X");
/// assert_eq!(blocks[0].der, [0, 1, 2]);
/// ```
pub fn parse(text: &[u8]) -> Result<Vec<PemBlock>, Error> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = find(rest, b"-----BEGIN ") {
        let block = &rest[start..];
        let end_marker = find(block, b"-----END ").ok_or(Error::Config("a PEM block has no -----END line"))?;
        let after = &block[end_marker..];
        let line_end = find(&after[5..], b"-----").map(|i| end_marker + 5 + i + 5).unwrap_or(block.len());
        let (label, der) = pem_rfc7468::decode_vec(&block[..line_end])
            .map_err(|_| Error::Config("a PEM block is malformed (bad base64 or mismatched BEGIN/END labels)"))?;
        out.push(PemBlock { label: label.to_string(), der });
        rest = &block[line_end..];
    }
    Ok(out)
}

/// The DER certificates in `input`: every `CERTIFICATE` block of a PEM
/// file, or `input` itself if it is DER.
pub fn certificates(input: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
    if input.first() == Some(&0x30) {
        return Ok(alloc::vec![input.to_vec()]);
    }
    let certs: Vec<Vec<u8>> = parse(input)?.into_iter().filter(|b| b.label == "CERTIFICATE").map(|b| b.der).collect();
    if certs.is_empty() {
        return Err(Error::Config("no -----BEGIN CERTIFICATE----- block found (and not DER either)"));
    }
    Ok(certs)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_blocks_and_errors() {
        let pem = b"a\n-----BEGIN CERTIFICATE-----\nAAE=\n-----END CERTIFICATE-----\nb\n-----BEGIN CERTIFICATE-----\nAgM=\n-----END CERTIFICATE-----\n";
        assert_eq!(certificates(pem).unwrap(), [[0u8, 1].to_vec(), [2u8, 3].to_vec()]);
        assert!(certificates(b"nothing").is_err());
        assert!(parse(b"-----BEGIN X-----\nAA!!\n-----END X-----\n").is_err());
        assert!(parse(b"-----BEGIN X-----\nAAE=\n").is_err());
        assert_eq!(certificates(&[0x30, 1, 0]).unwrap(), [[0x30u8, 1, 0].to_vec()]);
    }
}
