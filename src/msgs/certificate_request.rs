//! CertificateRequest (RFC 8446 §4.3.2).

use super::enums::ExtensionType as E;
use super::extensions::{
    decode_set, encode_set, put, DistinguishedNames, ExtensionSetError, Extensions, U16List, WireOrder,
};
use crate::codec::{Reader, WriteError, Writer};

/// A parsed CertificateRequest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertificateRequest<'a> {
    /// certificate_request_context (empty in the main handshake).
    pub context: &'a [u8],
    /// extensions (signature_algorithms is required).
    pub extensions: CertificateRequestExtensions<'a>,
}

impl<'a> CertificateRequest<'a> {
    /// Parses the body.
    pub fn decode(body: &'a [u8]) -> Result<Self, ExtensionSetError> {
        let mut r = Reader::new(body);
        let context = r.vec8("CertificateRequest.certificate_request_context")?;
        let extensions = Extensions::check(r.vec16("CertificateRequest.extensions")?)?;
        r.finish("CertificateRequest (trailing bytes)")?;
        Ok(CertificateRequest { context, extensions: CertificateRequestExtensions::decode(&extensions)? })
    }

    /// Writes the body.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        w.vec(1, self.context)?;
        self.extensions.encode(w)
    }
}

/// What a CertificateRequest may carry (RFC 8446 §4.2 table, "CR"; of the
/// types this crate knows).
const CERTIFICATE_REQUEST: [E; 4] =
    [E::StatusRequest, E::SignatureAlgorithms, E::CertificateAuthorities, E::SignatureAlgorithmsCert];

/// The extensions of a CertificateRequest. Types this crate does not know
/// are skipped (§4.3.2: "Clients MUST ignore unrecognized extensions").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CertificateRequestExtensions<'a> {
    /// status_request: the server would take an OCSP response for the
    /// client's certificate (§4.4.2.1). Its CertificateStatusRequest body,
    /// not interpreted (the client staples none).
    pub status_request: Option<&'a [u8]>,
    /// signature_algorithms: the schemes the server accepts (§4.2.3).
    pub signature_algorithms: Option<U16List<'a>>,
    /// certificate_authorities: the CAs the server accepts (§4.2.4).
    pub certificate_authorities: Option<DistinguishedNames<'a>>,
    /// signature_algorithms_cert: the schemes accepted in certificates (§4.2.3).
    pub signature_algorithms_cert: Option<U16List<'a>>,
    order: WireOrder,
}

impl<'a> CertificateRequestExtensions<'a> {
    /// Reads the block.
    pub fn decode(exts: &Extensions<'a>) -> Result<Self, ExtensionSetError> {
        let mut set = Self::default();
        set.order = decode_set(exts, "CertificateRequest", &CERTIFICATE_REQUEST, None, |t, d| {
            match t {
                E::StatusRequest => set.status_request = Some(d),
                E::SignatureAlgorithms => {
                    let l = U16List::read_body(d, "signature_algorithms", "signature_algorithms (trailing bytes)")?;
                    set.signature_algorithms = Some(l);
                }
                E::CertificateAuthorities => {
                    let mut r = Reader::new(d);
                    let list = r.vec16("certificate_authorities")?;
                    r.finish("certificate_authorities (trailing bytes)")?;
                    set.certificate_authorities = Some(DistinguishedNames::from_list(list)?);
                }
                E::SignatureAlgorithmsCert => {
                    let l = U16List::read_body(
                        d,
                        "signature_algorithms_cert",
                        "signature_algorithms_cert (trailing bytes)",
                    )?;
                    set.signature_algorithms_cert = Some(l);
                }
                _ => {} // not in the table
            }
            Ok(())
        })?;
        Ok(set)
    }

    /// The DER distinguished names of the CAs the server accepts, if it
    /// named any. An empty list (sent by OpenSSL 3.0 with `-no_ca_names`,
    /// though §4.2.4 requires one name) is read as "no list".
    pub fn authorities(&self) -> Option<impl Iterator<Item = &'a [u8]> + Clone> {
        self.certificate_authorities.filter(|l| !l.is_empty()).map(|l| l.iter())
    }

    /// True if extensions this crate does not know were skipped.
    pub fn skipped_unknown(&self) -> bool {
        self.order.skipped_unknown()
    }

    /// Writes the block with its length prefix (without the skipped ones).
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        encode_set(w, &CERTIFICATE_REQUEST, self.order, |t, w| match t {
            E::StatusRequest => put(w, t, self.status_request, |w, d| w.bytes(d)),
            E::SignatureAlgorithms => put(w, t, self.signature_algorithms, |w, l| l.encode(w)),
            E::CertificateAuthorities => put(w, t, self.certificate_authorities, |w, l| l.encode(w)),
            E::SignatureAlgorithmsCert => put(w, t, self.signature_algorithms_cert, |w, l| l.encode(w)),
            _ => Ok(()), // not in the table
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::DecodeError;
    use crate::msgs::extensions::test_block;

    fn body(exts: &[(u16, &[u8])]) -> std::vec::Vec<u8> {
        let block = test_block(exts);
        let mut b = std::vec![0];
        b.extend_from_slice(&(block.len() as u16).to_be_bytes());
        b.extend_from_slice(&block);
        b
    }

    fn encoded(cr: &CertificateRequest<'_>) -> std::vec::Vec<u8> {
        let mut out = std::vec![0u8; 256];
        let mut w = Writer::new(&mut out);
        cr.encode(&mut w).unwrap();
        w.written().to_vec()
    }

    #[test]
    fn values_and_round_trip() {
        let b = body(&[
            (13, &[0, 4, 4, 3, 8, 4]),
            (47, &[0, 5, 0, 3, 0x30, 1, 0]),
            (50, &[0, 2, 4, 3]),
            (5, &[1, 0, 0, 0, 0]),
        ]);
        let cr = CertificateRequest::decode(&b).unwrap();
        let e = cr.extensions;
        assert_eq!(e.signature_algorithms.unwrap().iter().collect::<std::vec::Vec<_>>(), [0x0403, 0x0804]);
        assert_eq!(e.signature_algorithms_cert.unwrap().iter().collect::<std::vec::Vec<_>>(), [0x0403]);
        assert_eq!(e.authorities().unwrap().collect::<std::vec::Vec<_>>(), [&[0x30, 1, 0][..]]);
        assert_eq!(e.status_request, Some(&[1, 0, 0, 0, 0][..]));
        assert!(!e.skipped_unknown());
        assert_eq!(encoded(&cr), b);
        // An empty authorities list (OpenSSL 3.0 -no_ca_names) reads as none, and is kept.
        let b = body(&[(13, &[0, 2, 4, 3]), (47, &[0, 0])]);
        let cr = CertificateRequest::decode(&b).unwrap();
        assert!(cr.extensions.authorities().is_none());
        assert_eq!(encoded(&cr), b);
    }

    #[test]
    fn unknown_types_are_skipped_known_ones_out_of_the_table_refused() {
        // §4.3.2: clients ignore unrecognized extensions (27: compress_certificate).
        let b = body(&[(27, &[2, 0, 1]), (13, &[0, 2, 4, 3])]);
        let cr = CertificateRequest::decode(&b).unwrap();
        assert!(cr.extensions.skipped_unknown());
        assert_eq!(encoded(&cr), body(&[(13, &[0, 2, 4, 3])]));
        // §4.2: a known extension not defined for CertificateRequest.
        let e = CertificateRequest::decode(&body(&[(13, &[0, 2, 4, 3]), (51, &[])])).unwrap_err();
        assert_eq!(e, ExtensionSetError::NotAllowed { extension: 51, message: "CertificateRequest" });
        let malformed = |exts: &[(u16, &[u8])], what| {
            assert_eq!(CertificateRequest::decode(&body(exts)).unwrap_err(), DecodeError(what).into());
        };
        malformed(&[(13, &[0, 3, 4, 3, 8])], "signature_algorithms");
        malformed(&[(13, &[0, 2, 4, 3, 0])], "signature_algorithms (trailing bytes)");
        malformed(&[(50, &[0, 0])], "signature_algorithms_cert");
        malformed(&[(47, &[0, 2, 0, 0])], "DistinguishedName");
        malformed(&[(47, &[0, 0, 1])], "certificate_authorities (trailing bytes)");
    }
}
