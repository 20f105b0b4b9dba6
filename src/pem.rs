//! PEM files (RFC 7468) as certificate and key files come: several blocks,
//! text around them ignored, line breaks anywhere in the base64 (the lax
//! reading of RFC 7468 §3). Needs `alloc`.

use alloc::string::String;
use alloc::vec::Vec;

use base64ct::{Base64, Encoding};

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

/// Why a PEM file could not be read; `block` counts from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PemError {
    /// The block that failed.
    pub block: usize,
    /// What is wrong with it.
    pub detail: &'static str,
}

impl From<PemError> for Error {
    fn from(e: PemError) -> Self {
        Error::Config(e.detail)
    }
}

/// Every PEM block in `text`, in order.
///
/// ```
/// let blocks = embertls::pem::parse(b"junk\n-----BEGIN X-----\nAAEC\n-----END X-----\n").unwrap();
/// assert_eq!(blocks[0].label, "X");
/// assert_eq!(blocks[0].der, [0, 1, 2]);
/// ```
pub fn parse(text: &[u8]) -> Result<Vec<PemBlock>, PemError> {
    // Text outside the blocks may be in any encoding.
    let text = String::from_utf8_lossy(text);
    let mut out = Vec::new();
    let mut rest: &str = &text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let block = out.len();
        let after_begin = &rest[start + 11..];
        let label_end =
            after_begin.find("-----").ok_or(PemError { block, detail: "a PEM BEGIN line is not closed by -----" })?;
        let label = &after_begin[..label_end];
        let body_rest = &after_begin[label_end + 5..];
        let end_line = ["-----END ", label, "-----"].concat();
        let end =
            body_rest.find(&end_line).ok_or(PemError { block, detail: "a PEM block has no matching -----END line" })?;
        let der =
            decode_base64(&body_rest[..end]).ok_or(PemError { block, detail: "a PEM block has invalid base64" })?;
        out.push(PemBlock { label: label.into(), der });
        rest = &body_rest[end + end_line.len()..];
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

/// Base64 with whitespace removed (RFC 7468 §3 allows line breaks anywhere).
fn decode_base64(body: &str) -> Option<Vec<u8>> {
    let compact: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let mut out = alloc::vec![0u8; compact.len() / 4 * 3 + 3];
    let n = Base64::decode(compact.as_bytes(), &mut out).ok()?.len();
    out.truncate(n);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_blocks_and_errors() {
        let pem = b"a\n-----BEGIN CERTIFICATE-----\nAAE=\n-----END CERTIFICATE-----\nb\r\n-----BEGIN CERTIFICATE-----\r\nAg\r\nM=\r\n-----END CERTIFICATE-----\r\n";
        assert_eq!(certificates(pem).unwrap(), [[0u8, 1].to_vec(), [2u8, 3].to_vec()]);
        assert!(certificates(b"nothing").is_err());
        assert_eq!(
            parse(b"-----BEGIN X-----\nAA!!\n-----END X-----\n").unwrap_err().detail,
            "a PEM block has invalid base64"
        );
        assert!(parse(b"-----BEGIN X-----\nAAE=\n").is_err());
        assert!(parse(b"-----BEGIN X-----\nAAE=\n-----END Y-----\n").is_err());
        assert_eq!(certificates(&[0x30, 1, 0]).unwrap(), [[0x30u8, 1, 0].to_vec()]);
    }
}
