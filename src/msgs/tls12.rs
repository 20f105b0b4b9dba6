//! TLS 1.2 handshake messages the TLS 1.3 ones do not cover: ServerKeyExchange
//! (RFC 8422 §5.4, RFC 4279 §2, RFC 5489 §2), CertificateRequest
//! (RFC 5246 §7.4.4), ClientKeyExchange (RFC 8422 §5.7, RFC 4279 §2) and
//! NewSessionTicket (RFC 5077 §3.3).

use super::enums::{NamedGroup, SignatureScheme};
use super::extensions::U16List;
use crate::codec::{DecodeError, Reader, WriteError, Writer};

/// ECCurveType named_curve (RFC 8422 §5.4).
const NAMED_CURVE: u8 = 3;

/// ServerECDHParams: the server's ephemeral public key (RFC 8422 §5.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EcdheParams<'a> {
    /// The named curve.
    pub group: NamedGroup,
    /// The encoded point (uncompressed for NIST curves, 32 bytes for X25519).
    pub public: &'a [u8],
    /// The whole ServerECDHParams encoding, as covered by the signature.
    pub raw: &'a [u8],
}

impl<'a> EcdheParams<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let before = r.rest();
        if r.u8("ServerECDHParams.curve_type")? != NAMED_CURVE {
            return Err(DecodeError("ServerECDHParams.curve_type (only named_curve is allowed)"));
        }
        let group = NamedGroup::from_wire(r.u16("ServerECDHParams.namedcurve")?);
        let public = r.vec8_bounded(1, 255, "ServerECDHParams.point")?;
        let raw = &before[..before.len() - r.rest().len()];
        Ok(EcdheParams { group, public, raw })
    }
}

/// A digitally-signed struct (RFC 5246 §4.7 with §7.4.1.4.1 algorithms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signed<'a> {
    /// The signature scheme (hash and signature algorithm).
    pub scheme: SignatureScheme,
    /// The signature.
    pub signature: &'a [u8],
}

impl<'a> Signed<'a> {
    /// Reads a digitally-signed struct.
    pub fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let scheme = SignatureScheme::from_wire(r.u16("digitally-signed.algorithm")?);
        let signature = r.vec16_bounded(1, 0xffff, "digitally-signed.signature")?;
        Ok(Signed { scheme, signature })
    }

    /// Writes a digitally-signed struct.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        w.u16(self.scheme.to_wire())?;
        w.vec(2, self.signature)
    }
}

/// Parsed ServerKeyExchange, by key exchange algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerKeyExchange<'a> {
    /// ECDHE_ECDSA / ECDHE_RSA: signed ECDH parameters (RFC 8422 §5.4).
    Ecdhe {
        /// The parameters.
        params: EcdheParams<'a>,
        /// Their signature.
        signed: Signed<'a>,
    },
    /// PSK: the psk_identity_hint (RFC 4279 §2).
    Psk {
        /// The hint (may be empty).
        hint: &'a [u8],
    },
    /// ECDHE_PSK: hint and unsigned ECDH parameters (RFC 5489 §2).
    EcdhePsk {
        /// The hint (may be empty).
        hint: &'a [u8],
        /// The parameters.
        params: EcdheParams<'a>,
    },
}

/// Which ServerKeyExchange layout to parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyExchangeKind {
    /// ECDHE with a signature.
    Ecdhe,
    /// PSK only.
    Psk,
    /// ECDHE_PSK.
    EcdhePsk,
}

impl<'a> ServerKeyExchange<'a> {
    /// Parses the body for the negotiated key exchange.
    pub fn decode(body: &'a [u8], kind: KeyExchangeKind) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let ske = match kind {
            KeyExchangeKind::Ecdhe => {
                let params = EcdheParams::read(&mut r)?;
                ServerKeyExchange::Ecdhe { params, signed: Signed::read(&mut r)? }
            }
            KeyExchangeKind::Psk => ServerKeyExchange::Psk { hint: r.vec16("ServerKeyExchange.psk_identity_hint")? },
            KeyExchangeKind::EcdhePsk => {
                let hint = r.vec16("ServerKeyExchange.psk_identity_hint")?;
                ServerKeyExchange::EcdhePsk { hint, params: EcdheParams::read(&mut r)? }
            }
        };
        r.finish("ServerKeyExchange (trailing bytes)")?;
        Ok(ske)
    }
}

/// ClientCertificateType rsa_sign (RFC 5246 §7.4.4).
pub const CERT_TYPE_RSA_SIGN: u8 = 1;
/// ClientCertificateType ecdsa_sign (RFC 8422 §5.5).
pub const CERT_TYPE_ECDSA_SIGN: u8 = 64;

/// A parsed TLS 1.2 CertificateRequest (RFC 5246 §7.4.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertificateRequest12<'a> {
    /// certificate_types.
    pub certificate_types: &'a [u8],
    /// supported_signature_algorithms.
    pub signature_algorithms: U16List<'a>,
    /// certificate_authorities: DistinguishedName list body (may be empty).
    pub authorities: &'a [u8],
}

impl<'a> CertificateRequest12<'a> {
    /// Parses the body.
    pub fn decode(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let certificate_types = r.vec8_bounded(1, 255, "CertificateRequest.certificate_types")?;
        let signature_algorithms = U16List::read(&mut r, "CertificateRequest.supported_signature_algorithms")?;
        let authorities = r.vec16("CertificateRequest.certificate_authorities")?;
        let mut check = Reader::new(authorities);
        while !check.is_empty() {
            check.vec16_bounded(1, 0xffff, "DistinguishedName")?;
        }
        r.finish("CertificateRequest (trailing bytes)")?;
        Ok(CertificateRequest12 { certificate_types, signature_algorithms, authorities })
    }

    /// The DER names of the accepted CAs, `None` if the list is empty.
    pub fn authorities(&self) -> Option<impl Iterator<Item = &'a [u8]> + Clone> {
        if self.authorities.is_empty() {
            return None;
        }
        let mut it = Reader::new(self.authorities);
        Some(core::iter::from_fn(move || it.vec16("").ok()))
    }
}

/// A parsed RFC 5077 NewSessionTicket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewSessionTicket12<'a> {
    /// ticket_lifetime_hint in seconds (0: unspecified).
    pub lifetime_hint: u32,
    /// The opaque ticket (empty: the server will not resume this session).
    pub ticket: &'a [u8],
}

impl<'a> NewSessionTicket12<'a> {
    /// Parses the body.
    pub fn decode(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let lifetime_hint = r.u32("NewSessionTicket.ticket_lifetime_hint")?;
        let ticket = r.vec16("NewSessionTicket.ticket")?;
        r.finish("NewSessionTicket (trailing bytes)")?;
        Ok(NewSessionTicket12 { lifetime_hint, ticket })
    }
}

/// Writes a ClientKeyExchange body: the PSK identity (PSK and ECDHE_PSK)
/// and the client's ephemeral public key (ECDHE and ECDHE_PSK).
pub fn encode_client_key_exchange(
    w: &mut Writer<'_>,
    psk_identity: Option<&[u8]>,
    public: Option<&[u8]>,
) -> Result<(), WriteError> {
    if let Some(id) = psk_identity {
        w.vec(2, id)?;
    }
    if let Some(p) = public {
        w.vec(1, p)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdhe_server_key_exchange() {
        let mut body = std::vec![3, 0, 0x1d, 32];
        body.extend_from_slice(&[9; 32]);
        body.extend_from_slice(&[4, 3, 0, 2, 0xaa, 0xbb]);
        let ske = ServerKeyExchange::decode(&body, KeyExchangeKind::Ecdhe).unwrap();
        let ServerKeyExchange::Ecdhe { params, signed } = ske else { panic!("{ske:?}") };
        assert_eq!(params.group, NamedGroup::X25519);
        assert_eq!(params.raw, &body[..36]);
        assert_eq!(signed.scheme, SignatureScheme::EcdsaSecp256r1Sha256);
        assert_eq!(signed.signature, &[0xaa, 0xbb]);
        // Explicit curves, trailing bytes and cut messages are refused.
        let mut explicit = body.clone();
        explicit[0] = 1;
        assert!(ServerKeyExchange::decode(&explicit, KeyExchangeKind::Ecdhe).is_err());
        let mut long = body.clone();
        long.push(0);
        assert!(ServerKeyExchange::decode(&long, KeyExchangeKind::Ecdhe).is_err());
        for n in 0..body.len() {
            assert!(ServerKeyExchange::decode(&body[..n], KeyExchangeKind::Ecdhe).is_err(), "{n}");
        }
    }

    #[test]
    fn psk_server_key_exchanges() {
        let ske = ServerKeyExchange::decode(&[0, 2, b'h', b'i'], KeyExchangeKind::Psk).unwrap();
        assert_eq!(ske, ServerKeyExchange::Psk { hint: b"hi" });
        let mut body = std::vec![0, 0, 3, 0, 0x17, 65, 4];
        body.extend_from_slice(&[1; 64]);
        let ske = ServerKeyExchange::decode(&body, KeyExchangeKind::EcdhePsk).unwrap();
        let ServerKeyExchange::EcdhePsk { hint, params } = ske else { panic!() };
        assert!(hint.is_empty());
        assert_eq!(params.group, NamedGroup::Secp256r1);
        assert_eq!(params.public.len(), 65);
    }

    #[test]
    fn certificate_request_and_ticket() {
        let body = [1, 64, 0, 4, 4, 3, 8, 4, 0, 5, 0, 3, 0x30, 1, 0];
        let cr = CertificateRequest12::decode(&body).unwrap();
        assert_eq!(cr.certificate_types, &[64]);
        assert_eq!(cr.signature_algorithms.iter().collect::<std::vec::Vec<_>>(), [0x0403, 0x0804]);
        assert_eq!(cr.authorities().unwrap().collect::<std::vec::Vec<_>>(), [&[0x30, 1, 0][..]]);
        assert!(CertificateRequest12::decode(&body[..body.len() - 1]).is_err());
        let t = NewSessionTicket12::decode(&[0, 0, 0x1c, 0x20, 0, 2, 7, 7]).unwrap();
        assert_eq!((t.lifetime_hint, t.ticket), (7200, &[7, 7][..]));
        assert!(NewSessionTicket12::decode(&[0, 0, 0, 1, 0, 2, 7]).is_err());
    }
}
