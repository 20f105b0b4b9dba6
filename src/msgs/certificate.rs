//! Certificate message (RFC 8446 §4.4.2).

use crate::codec::{DecodeError, Reader, WriteError, Writer};

/// The certificate_list of a TLS 1.3 Certificate message, borrowed from the
/// receive buffer; iterate it for the DER certificates, leaf first.
///
/// ```
/// use embertls::CertificateChain;
/// // One entry: a 3-byte "certificate" and no extensions.
/// let list = [0, 0, 3, 0xde, 0xad, 0xbe, 0, 0];
/// let chain = CertificateChain::from_tls13_list(&list).unwrap();
/// assert_eq!(chain.leaf(), Some(&[0xde, 0xad, 0xbe][..]));
/// assert_eq!(chain.len(), 1);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct CertificateChain<'a> {
    list: &'a [u8],
    tls13: bool,
}

impl<'a> CertificateChain<'a> {
    /// Checks and wraps a TLS 1.3 `CertificateEntry certificate_list<0..2^24-1>`
    /// body (without its length prefix). Each entry must have a non-empty
    /// certificate and a well-formed extensions block.
    pub fn from_tls13_list(list: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(list);
        while !r.is_empty() {
            r.vec24("Certificate.cert_data").and_then(|c| {
                if c.is_empty() {
                    Err(DecodeError("Certificate.cert_data"))
                } else {
                    Ok(c)
                }
            })?;
            r.vec16("CertificateEntry.extensions")?;
        }
        Ok(CertificateChain { list, tls13: true })
    }

    /// Checks and wraps a TLS 1.2 `ASN.1Cert certificate_list<0..2^24-1>` body.
    pub fn from_tls12_list(list: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(list);
        while !r.is_empty() {
            let c = r.vec24("Certificate.cert_data")?;
            if c.is_empty() {
                return Err(DecodeError("Certificate.cert_data"));
            }
        }
        Ok(CertificateChain { list, tls13: false })
    }

    /// A chain made of one DER certificate list body in TLS 1.2 form
    /// (tests and offline tools build chains this way).
    pub fn from_raw_tls12(list: &'a [u8]) -> Self {
        CertificateChain { list, tls13: false }
    }

    /// The DER certificates, leaf first.
    pub fn iter(&self) -> CertificateIter<'a> {
        CertificateIter { r: Reader::new(self.list), tls13: self.tls13 }
    }

    /// The leaf (end-entity) certificate.
    pub fn leaf(&self) -> Option<&'a [u8]> {
        self.iter().next()
    }

    /// Number of certificates.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// True when the server sent no certificate.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// Iterator over the DER certificates of a [`CertificateChain`].
#[derive(Clone, Debug)]
pub struct CertificateIter<'a> {
    r: Reader<'a>,
    tls13: bool,
}

impl<'a> Iterator for CertificateIter<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        let c = self.r.vec24("").ok()?;
        if self.tls13 {
            self.r.vec16("").ok()?;
        }
        Some(c)
    }
}

/// A parsed TLS 1.3 Certificate message body.
#[derive(Clone, Copy, Debug)]
pub struct Certificate<'a> {
    /// certificate_request_context (empty for the server's certificate).
    pub context: &'a [u8],
    /// The certificates.
    pub chain: CertificateChain<'a>,
}

impl<'a> Certificate<'a> {
    /// Parses the body of a Certificate message.
    pub fn decode(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let context = r.vec8("Certificate.certificate_request_context")?;
        let list = r.vec24("Certificate.certificate_list")?;
        r.finish("Certificate (trailing bytes)")?;
        Ok(Certificate { context, chain: CertificateChain::from_tls13_list(list)? })
    }

    /// Writes the body.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        w.vec(1, self.context)?;
        w.vec(3, self.chain.list)
    }
}
