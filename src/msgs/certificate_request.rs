//! CertificateRequest (RFC 8446 §4.3.2).

use super::enums::ExtensionType;
use super::extensions::{Extensions, ExtensionsError, U16List};
use crate::codec::{DecodeError, Reader, WriteError, Writer};

/// A parsed CertificateRequest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertificateRequest<'a> {
    /// certificate_request_context (empty in the main handshake).
    pub context: &'a [u8],
    /// extensions (signature_algorithms is required).
    pub extensions: Extensions<'a>,
}

impl<'a> CertificateRequest<'a> {
    /// Parses the body.
    pub fn decode(body: &'a [u8]) -> Result<Self, ExtensionsError> {
        let mut r = Reader::new(body);
        let context = r.vec8("CertificateRequest.certificate_request_context")?;
        let extensions = Extensions::check(r.vec16("CertificateRequest.extensions")?)?;
        r.finish("CertificateRequest (trailing bytes)").map_err(ExtensionsError::Decode)?;
        Ok(CertificateRequest { context, extensions })
    }

    /// The signature schemes the server accepts, if the extension is there.
    pub fn signature_algorithms(&self) -> Result<Option<U16List<'a>>, DecodeError> {
        match self.extensions.get(ExtensionType::SignatureAlgorithms.to_wire()) {
            None => Ok(None),
            Some(d) => {
                let mut r = Reader::new(d);
                let l = U16List::read(&mut r, "signature_algorithms")?;
                r.finish("signature_algorithms (trailing bytes)")?;
                Ok(Some(l))
            }
        }
    }

    /// The DER distinguished names of the CAs the server accepts (§4.2.4), if
    /// sent. An empty list (sent by OpenSSL 3.0 with `-no_ca_names`, though
    /// §4.2.4 requires one name) is read as "no list".
    pub fn certificate_authorities(&self) -> Result<Option<impl Iterator<Item = &'a [u8]> + Clone>, DecodeError> {
        let Some(d) = self.extensions.get(ExtensionType::CertificateAuthorities.to_wire()) else {
            return Ok(None);
        };
        let mut r = Reader::new(d);
        let list = r.vec16("certificate_authorities")?;
        r.finish("certificate_authorities (trailing bytes)")?;
        if list.is_empty() {
            return Ok(None);
        }
        let mut check = Reader::new(list);
        while !check.is_empty() {
            check.vec16_bounded(1, 0xffff, "DistinguishedName")?;
        }
        let mut it = Reader::new(list);
        Ok(Some(core::iter::from_fn(move || it.vec16("").ok())))
    }

    /// Writes the body.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        w.vec(1, self.context)?;
        self.extensions.encode(w)
    }
}
