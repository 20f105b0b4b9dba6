//! Certificate message (RFC 8446 §4.4.2).

use super::enums::ExtensionType as E;
use super::extensions::{decode_set, encode_set, put, ExtensionSetError, Extensions, ExtensionsError, WireOrder};
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
    /// certificate and a well-formed extensions block (no type twice); what
    /// the blocks may hold is [`CertificateEntryExtensions`]' concern.
    pub fn from_tls13_list(list: &'a [u8]) -> Result<Self, ExtensionsError> {
        let mut r = Reader::new(list);
        while !r.is_empty() {
            r.vec24("Certificate.cert_data").and_then(|c| {
                if c.is_empty() {
                    Err(DecodeError("Certificate.cert_data"))
                } else {
                    Ok(c)
                }
            })?;
            Extensions::check(r.vec16("CertificateEntry.extensions")?)?;
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

    /// Parses a TLS 1.2 Certificate message body (RFC 5246 §7.4.2).
    pub fn from_tls12_message(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let chain = Self::from_tls12_list(r.vec24("Certificate.certificate_list")?)?;
        r.finish("Certificate (trailing bytes)")?;
        Ok(chain)
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

    /// The entries: each certificate with its extensions (none in TLS 1.2).
    pub fn entries(&self) -> impl Iterator<Item = CertificateEntry<'a>> {
        let mut r = Reader::new(self.list);
        let tls13 = self.tls13;
        core::iter::from_fn(move || {
            let cert_data = r.vec24("").ok()?;
            let extensions = if tls13 { Extensions::check(r.vec16("").ok()?).ok()? } else { Extensions::default() };
            Some(CertificateEntry { cert_data, extensions })
        })
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

/// One CertificateEntry (RFC 8446 §4.4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertificateEntry<'a> {
    /// The DER certificate.
    pub cert_data: &'a [u8],
    /// Its extensions, read with [`CertificateEntryExtensions::decode`].
    pub extensions: Extensions<'a>,
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
    pub fn decode(body: &'a [u8]) -> Result<Self, ExtensionsError> {
        let mut r = Reader::new(body);
        let context = r.vec8("Certificate.certificate_request_context")?;
        let list = r.vec24("Certificate.certificate_list")?;
        r.finish("Certificate (trailing bytes)")?;
        Ok(Certificate { context, chain: CertificateChain::from_tls13_list(list)? })
    }

    /// Checks every entry's extensions against the table; `solicited`
    /// says which types the ClientHello asked for (§4.4.2: a server sends
    /// only extensions the client offered). A frame of its own: the
    /// handshake verifies the chain next, its deepest work (issue 12).
    #[inline(never)]
    pub fn check_entries(&self, solicited: impl Fn(E) -> bool) -> Result<(), ExtensionSetError> {
        for entry in self.chain.entries() {
            CertificateEntryExtensions::decode(&entry.extensions, &solicited)?;
        }
        Ok(())
    }

    /// Writes the body.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        w.vec(1, self.context)?;
        w.vec(3, self.chain.list)
    }
}

/// What a CertificateEntry may carry (RFC 8446 §4.2 table, "CT"; of the
/// types this crate knows: signed_certificate_timestamp is not one).
const CERTIFICATE_ENTRY: [E; 1] = [E::StatusRequest];

/// ocsp, the only CertificateStatusType (RFC 6066 §8).
const STATUS_TYPE_OCSP: u8 = 1;

/// The extensions of one CertificateEntry (RFC 8446 §4.4.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CertificateEntryExtensions<'a> {
    /// status_request: the DER OCSPResponse stapled to this certificate
    /// (§4.4.2.1, RFC 6066 §8).
    pub status_request: Option<&'a [u8]>,
    order: WireOrder,
}

impl<'a> CertificateEntryExtensions<'a> {
    /// Reads an entry's block: only types `solicited` (those the
    /// ClientHello offered) and the table allows.
    pub fn decode(exts: &Extensions<'a>, solicited: impl Fn(E) -> bool) -> Result<Self, ExtensionSetError> {
        let mut set = Self::default();
        set.order = decode_set(exts, "CertificateEntry", &CERTIFICATE_ENTRY, Some(&solicited), |t, d| {
            if t == E::StatusRequest {
                let mut r = Reader::new(d);
                if r.u8("CertificateStatus.status_type")? != STATUS_TYPE_OCSP {
                    return Err(DecodeError("CertificateStatus.status_type (only ocsp is defined)"));
                }
                let response = r.vec24("CertificateStatus.ocsp_response")?;
                if response.is_empty() {
                    return Err(DecodeError("CertificateStatus.ocsp_response"));
                }
                r.finish("status_request (trailing bytes)")?;
                set.status_request = Some(response);
            }
            Ok(())
        })?;
        Ok(set)
    }

    /// Writes the block with its length prefix.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        encode_set(w, &CERTIFICATE_ENTRY, self.order, |t, w| {
            put(w, t, self.status_request.filter(|_| t == E::StatusRequest), |w, resp| {
                w.u8(STATUS_TYPE_OCSP)?;
                w.vec(3, resp)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::extensions::test_block;

    /// A Certificate body: empty context, entries (certificate, extension block).
    fn body(entries: &[(&[u8], &[u8])]) -> std::vec::Vec<u8> {
        let mut list = std::vec::Vec::new();
        for (cert, exts) in entries {
            list.extend_from_slice(&(cert.len() as u32).to_be_bytes()[1..]);
            list.extend_from_slice(cert);
            list.extend_from_slice(&(exts.len() as u16).to_be_bytes());
            list.extend_from_slice(exts);
        }
        let mut b = std::vec![0];
        b.extend_from_slice(&(list.len() as u32).to_be_bytes()[1..]);
        b.extend_from_slice(&list);
        b
    }

    #[test]
    fn entry_extensions() {
        let ocsp = test_block(&[(5, &[1, 0, 0, 2, 0x30, 0])]);
        let b = body(&[(&[0x30], &ocsp), (&[0x31], &[])]);
        let cert = Certificate::decode(&b).unwrap();
        let entries: std::vec::Vec<_> = cert.chain.entries().collect();
        assert_eq!(entries.len(), 2);
        assert_eq!((entries[0].cert_data, entries[1].cert_data), (&[0x30][..], &[0x31][..]));
        let set = CertificateEntryExtensions::decode(&entries[0].extensions, |_| true).unwrap();
        assert_eq!(set.status_request, Some(&[0x30, 0][..]));
        let mut out = [0u8; 16];
        let mut w = Writer::new(&mut out);
        set.encode(&mut w).unwrap();
        assert_eq!(w.written()[2..], ocsp);
        // The client offers no status_request, so a stapled response is unsolicited.
        assert_eq!(cert.check_entries(|_| true), Ok(()));
        assert_eq!(cert.check_entries(|t| t != E::StatusRequest), Err(ExtensionSetError::Unsolicited(5)));
        // §4.2: what CertificateEntry may not carry, and malformed responses.
        let b = body(&[(&[0x30], &test_block(&[(51, &[])]))]);
        let e = Certificate::decode(&b).unwrap().check_entries(|_| true);
        assert_eq!(e, Err(ExtensionSetError::NotAllowed { extension: 51, message: "CertificateEntry" }));
        for (bad, what) in [
            (&[2, 0, 0, 1, 0][..], "CertificateStatus.status_type (only ocsp is defined)"),
            (&[1, 0, 0, 0], "CertificateStatus.ocsp_response"),
            (&[1, 0, 0, 1, 0, 0], "status_request (trailing bytes)"),
        ] {
            let b = body(&[(&[0x30], &test_block(&[(5, bad)]))]);
            let e = Certificate::decode(&b).unwrap().check_entries(|_| true);
            assert_eq!(e, Err(DecodeError(what).into()), "{bad:?}");
        }
        // A type twice in an entry is a malformed message.
        let b = body(&[(&[0x30], &test_block(&[(5, &[]), (5, &[])]))]);
        assert_eq!(Certificate::decode(&b).unwrap_err(), ExtensionsError::Duplicate(5));
    }

    #[test]
    fn tls12_message() {
        let chain = CertificateChain::from_tls12_message(&[0, 0, 4, 0, 0, 1, 0x30]).unwrap();
        assert_eq!(chain.leaf(), Some(&[0x30][..]));
        assert_eq!(chain.entries().map(|e| e.extensions).collect::<std::vec::Vec<_>>(), [Extensions::default()]);
        let e = CertificateChain::from_tls12_message(&[0, 0, 4, 0, 0, 1, 0x30, 0]).unwrap_err();
        assert_eq!(e, DecodeError("Certificate (trailing bytes)"));
    }
}
