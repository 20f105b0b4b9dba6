//! TLS 1.2 handshake messages the TLS 1.3 ones do not cover: the
//! ServerHello's extensions (RFC 5246 §7.4.1.4), ServerKeyExchange
//! (RFC 8422 §5.4, RFC 4279 §2, RFC 5489 §2), CertificateRequest
//! (RFC 5246 §7.4.4), ClientKeyExchange (RFC 8422 §5.7, RFC 4279 §2) and
//! NewSessionTicket (RFC 5077 §3.3).

use super::enums::{ExtensionType as E, NamedGroup, SignatureScheme};
use super::extensions::{
    decode_set, empty, encode_set, max_fragment_length, put, record_size_limit, DistinguishedNames, ExtensionSetError,
    Extensions, ProtocolNames, U16List, WireOrder,
};
use crate::codec::{DecodeError, Reader, WriteError, Writer};

/// What a TLS 1.2 ServerHello may answer with: the extensions this client
/// offers, each defined for the ServerHello by its RFC.
const SERVER_HELLO_12: [E; 8] = [
    E::ServerName,
    E::MaxFragmentLength,
    E::EcPointFormats,
    E::Alpn,
    E::ExtendedMasterSecret,
    E::RecordSizeLimit,
    E::SessionTicket,
    E::RenegotiationInfo,
];

/// The extensions of a TLS 1.2 ServerHello (RFC 5246 §7.4.1.4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServerHelloExtensions12<'a> {
    /// server_name, empty: the server used the name sent (RFC 6066 §3).
    pub server_name: bool,
    /// max_fragment_length: the code agreed (RFC 6066 §4).
    pub max_fragment_length: Option<u8>,
    /// ec_point_formats: the formats the server can parse (RFC 8422 §5.2).
    pub ec_point_formats: Option<&'a [u8]>,
    /// application_layer_protocol_negotiation: the protocol chosen (RFC 7301 §3.1).
    pub alpn: Option<ProtocolNames<'a>>,
    /// extended_master_secret, empty (RFC 7627 §5.1).
    pub extended_master_secret: bool,
    /// record_size_limit: the largest record the server accepts (RFC 8449 §4).
    pub record_size_limit: Option<u16>,
    /// session_ticket, empty: a NewSessionTicket will come (RFC 5077 §3.2).
    pub session_ticket: bool,
    /// renegotiation_info: renegotiated_connection (RFC 5746 §3.2).
    pub renegotiation_info: Option<&'a [u8]>,
    order: WireOrder,
}

impl<'a> ServerHelloExtensions12<'a> {
    /// Reads a TLS 1.2 ServerHello's block: only types `solicited` (those
    /// the ClientHello offered, RFC 5246 §7.4.1.4) and the table allows.
    pub fn decode(exts: &Extensions<'a>, solicited: impl Fn(E) -> bool) -> Result<Self, ExtensionSetError> {
        let mut sh = Self::default();
        sh.order = decode_set(exts, "ServerHello (TLS 1.2)", &SERVER_HELLO_12, Some(&solicited), |t, d| {
            match t {
                E::ServerName => sh.server_name = empty(d, "ServerHello.server_name (must be empty)")?,
                E::MaxFragmentLength => sh.max_fragment_length = Some(max_fragment_length(d)?),
                E::EcPointFormats => {
                    let mut r = Reader::new(d);
                    sh.ec_point_formats = Some(r.vec8_bounded(1, 255, "ec_point_formats")?);
                    r.finish("ec_point_formats (trailing bytes)")?;
                }
                E::Alpn => sh.alpn = Some(ProtocolNames::read_body(d)?),
                E::ExtendedMasterSecret => {
                    sh.extended_master_secret = empty(d, "extended_master_secret (must be empty)")?
                }
                E::RecordSizeLimit => sh.record_size_limit = Some(record_size_limit(d)?),
                E::SessionTicket => sh.session_ticket = empty(d, "ServerHello.session_ticket (must be empty)")?,
                E::RenegotiationInfo => {
                    let mut r = Reader::new(d);
                    sh.renegotiation_info = Some(r.vec8("renegotiation_info.renegotiated_connection")?);
                    r.finish("renegotiation_info (trailing bytes)")?;
                }
                _ => {} // not in the table
            }
            Ok(())
        })?;
        Ok(sh)
    }

    /// Writes the block with its length prefix.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        encode_set(w, &SERVER_HELLO_12, self.order, |t, w| match t {
            E::ServerName => put(w, t, self.server_name.then_some(()), |_, ()| Ok(())),
            E::MaxFragmentLength => put(w, t, self.max_fragment_length, |w, c| w.u8(c)),
            E::EcPointFormats => put(w, t, self.ec_point_formats, |w, f| w.vec(1, f)),
            E::Alpn => put(w, t, self.alpn, |w, a| a.encode(w)),
            E::ExtendedMasterSecret => put(w, t, self.extended_master_secret.then_some(()), |_, ()| Ok(())),
            E::RecordSizeLimit => put(w, t, self.record_size_limit, |w, l| w.u16(l)),
            E::SessionTicket => put(w, t, self.session_ticket.then_some(()), |_, ()| Ok(())),
            E::RenegotiationInfo => put(w, t, self.renegotiation_info, |w, r| w.vec(1, r)),
            _ => Ok(()), // not in the table
        })
    }
}

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
        DistinguishedNames::from_list(authorities)?;
        r.finish("CertificateRequest (trailing bytes)")?;
        Ok(CertificateRequest12 { certificate_types, signature_algorithms, authorities })
    }

    /// The DER names of the accepted CAs, `None` if the list is empty.
    pub fn authorities(&self) -> Option<impl Iterator<Item = &'a [u8]> + Clone> {
        let names = DistinguishedNames::from_list(self.authorities).ok().filter(|n| !n.is_empty())?;
        Some(names.iter())
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
    fn server_hello_extensions() {
        use crate::msgs::extensions::{test_block, test_round_trip};
        let raw = test_block(&[
            (0xff01, &[0]),
            (0, &[]),
            (11, &[1, 0]),
            (23, &[]),
            (35, &[]),
            (16, &[0, 3, 2, b'h', b'2']),
            (28, &[0x10, 0]),
            (1, &[3]),
        ]);
        let exts = Extensions::check(&raw).unwrap();
        let sh = ServerHelloExtensions12::decode(&exts, |_| true).unwrap();
        assert_eq!((sh.renegotiation_info, sh.ec_point_formats), (Some(&[][..]), Some(&[0][..])));
        assert!(sh.server_name && sh.extended_master_secret && sh.session_ticket);
        assert_eq!(sh.alpn.and_then(|a| a.single()), Some(&b"h2"[..]));
        assert_eq!((sh.record_size_limit, sh.max_fragment_length), (Some(0x1000), Some(3)));
        let round = |raw: &[u8], offered: &dyn Fn(E) -> bool| {
            test_round_trip(raw, |e| ServerHelloExtensions12::decode(e, offered), |s, w| s.encode(w))
        };
        assert_eq!(round(&raw, &|_| true), Ok(raw.clone()));
        let malformed = |exts: &[(u16, &[u8])], what| {
            assert_eq!(round(&test_block(exts), &|_| true), Err(DecodeError(what).into()), "{what}");
        };
        malformed(&[(0xff01, &[])], "renegotiation_info.renegotiated_connection");
        malformed(&[(0xff01, &[0, 0])], "renegotiation_info (trailing bytes)");
        malformed(&[(23, &[0])], "extended_master_secret (must be empty)");
        malformed(&[(35, &[0])], "ServerHello.session_ticket (must be empty)");
        malformed(&[(0, &[0])], "ServerHello.server_name (must be empty)");
        malformed(&[(11, &[0])], "ec_point_formats");
        malformed(&[(11, &[1, 0, 0])], "ec_point_formats (trailing bytes)");
        // A non-empty renegotiated_connection decodes: refusing it is the handshake's (RFC 5746 §3.4).
        assert!(round(&test_block(&[(0xff01, &[1, 9])]), &|_| true).is_ok());
        let e = round(&test_block(&[(51, &[0, 0x1d, 0, 0])]), &|_| true).unwrap_err();
        assert_eq!(e, ExtensionSetError::NotAllowed { extension: 51, message: "ServerHello (TLS 1.2)" });
        let e = round(&test_block(&[(51, &[0, 0x1d, 0, 0])]), &|t| t != E::KeyShare).unwrap_err();
        assert_eq!(e, ExtensionSetError::Unsolicited(51));
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
