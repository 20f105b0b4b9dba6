//! CertificateVerify (RFC 8446 §4.4.3).

use super::enums::SignatureScheme;
use crate::codec::{DecodeError, Reader, WriteError, Writer};

/// A parsed CertificateVerify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertificateVerify<'a> {
    /// The signature scheme.
    pub scheme: SignatureScheme,
    /// The signature.
    pub signature: &'a [u8],
}

impl<'a> CertificateVerify<'a> {
    /// Parses the body.
    pub fn decode(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let scheme = SignatureScheme::from_wire(r.u16("CertificateVerify.algorithm")?);
        let signature = r.vec16_bounded(1, 0xffff, "CertificateVerify.signature")?;
        r.finish("CertificateVerify (trailing bytes)")?;
        Ok(CertificateVerify { scheme, signature })
    }

    /// Writes the body.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        w.u16(self.scheme.to_wire())?;
        w.vec(2, self.signature)
    }
}

/// The content a CertificateVerify signs: 64 spaces, the context string,
/// a zero byte and the transcript hash (§4.4.3). Returns the length used.
pub fn signed_content(server: bool, transcript_hash: &[u8], out: &mut [u8; 64 + 34 + 64]) -> usize {
    let ctx: &[u8] = if server { b"TLS 1.3, server CertificateVerify" } else { b"TLS 1.3, client CertificateVerify" };
    out[..64].fill(0x20);
    out[64..64 + ctx.len()].copy_from_slice(ctx);
    out[64 + ctx.len()] = 0;
    let start = 65 + ctx.len();
    let n = transcript_hash.len().min(out.len() - start);
    out[start..start + n].copy_from_slice(&transcript_hash[..n]);
    start + n
}
