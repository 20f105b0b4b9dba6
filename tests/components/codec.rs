//! Handshake message codecs (`embertls::msgs`) on every handshake message of
//! the RFC 8448 traces: split, parsed, re-encoded byte for byte; and strict
//! refusal of malformed input (truncations, length fields off by one,
//! trailing bytes, duplicate extensions, odd-length code point lists), each
//! with a `DecodeError` naming the field and the decode_error alert.

use crate::common;

use common::vectors::{Vectors, ALL, SECTION3, SECTION4, SECTION5, SECTION6};
use embertls::codec::{DecodeError, Reader, Writer};
use embertls::msgs::certificate::Certificate;
use embertls::msgs::certificate_verify::CertificateVerify;
use embertls::msgs::client_hello::{alpn_protocols, ClientHello, ClientHelloParams, PSK_DHE_KE};
use embertls::msgs::enums::{
    AlertDescription, CipherSuite, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme,
};
use embertls::msgs::extensions::{write_extension, Extensions, ExtensionsError, U16List};
use embertls::msgs::handshake::{write_handshake, HandshakeMessage};
use embertls::msgs::new_session_ticket::NewSessionTicket;
use embertls::msgs::server_hello::ServerHello;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The message kinds with a decoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    ClientHello,
    ServerHello,
    EncryptedExtensions,
    CertificateRequest,
    Certificate,
    CertificateVerify,
    NewSessionTicket,
}

impl Kind {
    fn of(typ: HandshakeType) -> Option<Kind> {
        Some(match typ {
            HandshakeType::ClientHello => Kind::ClientHello,
            HandshakeType::ServerHello => Kind::ServerHello,
            HandshakeType::EncryptedExtensions => Kind::EncryptedExtensions,
            HandshakeType::CertificateRequest => Kind::CertificateRequest,
            HandshakeType::Certificate => Kind::Certificate,
            HandshakeType::CertificateVerify => Kind::CertificateVerify,
            HandshakeType::NewSessionTicket => Kind::NewSessionTicket,
            _ => return None,
        })
    }

    /// Field names a refusal of this message may carry.
    fn owns(self, field: &str) -> bool {
        let prefix = match self {
            Kind::ClientHello => "ClientHello",
            Kind::ServerHello => "ServerHello",
            Kind::EncryptedExtensions => "EncryptedExtensions",
            Kind::CertificateRequest => "CertificateRequest",
            Kind::Certificate => "Certificate",
            Kind::CertificateVerify => "CertificateVerify",
            Kind::NewSessionTicket => "NewSessionTicket",
        };
        let has_extensions = !matches!(self, Kind::Certificate | Kind::CertificateVerify);
        field.starts_with(prefix)
            || field.starts_with("CertificateEntry") && self == Kind::Certificate
            || has_extensions && ["extensions", "extension type", "extension data"].contains(&field)
    }
}

/// Why a body was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refused {
    Decode(&'static str),
    Duplicate(u16),
}

impl From<DecodeError> for Refused {
    fn from(e: DecodeError) -> Self {
        Refused::Decode(e.0)
    }
}

impl From<ExtensionsError> for Refused {
    fn from(e: ExtensionsError) -> Self {
        match e {
            ExtensionsError::Decode(d) => Refused::Decode(d.0),
            ExtensionsError::Duplicate(t) => Refused::Duplicate(t),
        }
    }
}

/// EncryptedExtensions (RFC 8446 §4.3.1): `Extension extensions<0..2^16-1>`.
fn decode_ee(body: &[u8]) -> Result<Extensions<'_>, ExtensionsError> {
    let mut r = Reader::new(body);
    let e = Extensions::check(r.vec16("EncryptedExtensions.extensions")?)?;
    r.finish("EncryptedExtensions (trailing bytes)")?;
    Ok(e)
}

/// CertificateRequest (§4.3.2): context<0..2^8-1>, extensions<2..2^16-1>.
fn decode_cr(body: &[u8]) -> Result<(&[u8], Extensions<'_>), ExtensionsError> {
    let mut r = Reader::new(body);
    let context = r.vec8("CertificateRequest.certificate_request_context")?;
    let e = Extensions::check(r.vec16_bounded(2, 0xffff, "CertificateRequest.extensions")?)?;
    r.finish("CertificateRequest (trailing bytes)")?;
    Ok((context, e))
}

/// Parses a body with the crate's decoder and returns its re-encoding.
fn decode_encode(kind: Kind, body: &[u8]) -> Result<Vec<u8>, Refused> {
    let mut buf = vec![0u8; body.len() + 16];
    let mut w = Writer::new(&mut buf);
    match kind {
        Kind::ClientHello => ClientHello::decode(body)?.encode(&mut w),
        Kind::ServerHello => ServerHello::decode(body)?.encode(&mut w),
        Kind::EncryptedExtensions => decode_ee(body)?.encode(&mut w),
        Kind::CertificateRequest => {
            let (context, e) = decode_cr(body)?;
            w.vec(1, context).and_then(|_| e.encode(&mut w))
        }
        Kind::Certificate => Certificate::decode(body)?.encode(&mut w),
        Kind::CertificateVerify => CertificateVerify::decode(body)?.encode(&mut w),
        Kind::NewSessionTicket => NewSessionTicket::decode(body)?.encode(&mut w),
    }
    .expect("re-encoding fits");
    Ok(w.written().to_vec())
}

/// The extension block of a parsed body, if the message has one.
fn extensions_of(kind: Kind, body: &[u8]) -> Option<Extensions<'_>> {
    match kind {
        Kind::ClientHello => Some(ClientHello::decode(body).unwrap().extensions),
        Kind::ServerHello => Some(ServerHello::decode(body).unwrap().extensions),
        Kind::EncryptedExtensions => Some(decode_ee(body).unwrap()),
        Kind::CertificateRequest => Some(decode_cr(body).unwrap().1),
        Kind::NewSessionTicket => Some(NewSessionTicket::decode(body).unwrap().extensions),
        Kind::Certificate | Kind::CertificateVerify => None,
    }
}

/// Splits coalesced handshake messages (a record payload) at their headers.
fn split(payload: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = payload;
    while !rest.is_empty() {
        let mut r = Reader::new(rest);
        r.u8("type").unwrap();
        let n = r.u24("length").unwrap() as usize;
        let (msg, tail) = rest.split_at(4 + n);
        out.push(msg);
        rest = tail;
    }
    out
}

/// Re-encodes one whole handshake message through the crate's types; returns
/// the number of byte-for-byte comparisons made.
fn round_trip(file: &str, msg: &[u8]) -> usize {
    let m = HandshakeMessage::decode(msg).unwrap_or_else(|e| panic!("{file}: {e:?}"));
    let ctx = format!("{file}: {}", m.typ);
    let mut n = 0;
    let mut out = vec![0u8; msg.len() + 16];
    let mut w = Writer::new(&mut out);
    match (m.typ, Kind::of(m.typ)) {
        (_, Some(kind)) => {
            let body = decode_encode(kind, m.body).unwrap_or_else(|e| panic!("{ctx}: {e:?}"));
            assert_eq!(hex(&body), hex(m.body), "{ctx}: body re-encoding");
            n += 1;
            write_handshake(&mut w, m.typ, |w| w.bytes(&body)).unwrap();
            // Each extension re-encoded on its own, and the code point lists parsed.
            if let Some(exts) = extensions_of(kind, m.body) {
                n += extensions_round_trip(&ctx, exts);
            }
        }
        (HandshakeType::Finished, None) => {
            assert_eq!(m.body.len(), 32, "{ctx}: SHA-256 verify_data");
            write_handshake(&mut w, m.typ, |w| w.bytes(m.body)).unwrap();
        }
        (HandshakeType::EndOfEarlyData, None) => {
            assert!(m.body.is_empty(), "{ctx}: EndOfEarlyData is empty");
            write_handshake(&mut w, m.typ, |_| Ok(())).unwrap();
        }
        (t, None) => panic!("{file}: unexpected message {t}"),
    }
    assert_eq!(hex(w.written()), hex(msg), "{ctx}: whole message re-encoding");
    n + 1
}

/// Every extension written back with `write_extension` gives the block's
/// bytes; lists of 16-bit code points parse as `U16List` and re-encode.
fn extensions_round_trip(ctx: &str, exts: Extensions<'_>) -> usize {
    let mut n = 0;
    let mut out = vec![0u8; exts.raw().len()];
    let mut w = Writer::new(&mut out);
    for (t, data) in exts.iter() {
        write_extension(&mut w, t, |w| w.bytes(data)).unwrap();
        let list_ext = [ExtensionType::SupportedGroups, ExtensionType::SignatureAlgorithms]
            .map(ExtensionType::to_wire)
            .contains(&t);
        if list_ext {
            let mut r = Reader::new(data);
            let list = U16List::read(&mut r, "list").unwrap();
            r.finish("list").unwrap();
            let mut again = Vec::new();
            for v in list.iter() {
                again.extend_from_slice(&v.to_be_bytes());
            }
            assert_eq!(hex(&again), hex(&data[2..]), "{ctx}: {} list", ExtensionType::from_wire(t));
            n += 1;
        }
    }
    assert_eq!(hex(w.written()), hex(exts.raw()), "{ctx}: extensions one by one");
    n + 1
}

/// (record payload label, message labels it carries) of the traces.
const RECORDS: [(&str, &[&str]); 10] = [
    ("client_hello_record_payload", &["client_hello"]),
    ("client_hello_1_record_payload", &["client_hello_1"]),
    ("hello_retry_request_record_payload", &["hello_retry_request"]),
    ("client_hello_2_record_payload", &["client_hello_2"]),
    ("server_hello_record_payload", &["server_hello"]),
    (
        "server_flight_record_payload",
        &[
            "encrypted_extensions",
            "certificate_request",
            "server_certificate",
            "server_certificate_verify",
            "server_finished",
        ],
    ),
    ("end_of_early_data_record_payload", &["end_of_early_data"]),
    ("client_flight_record_payload", &["client_certificate", "client_certificate_verify", "client_finished"]),
    ("client_finished_record_payload", &["client_finished"]),
    ("new_session_ticket_record_payload", &["new_session_ticket"]),
];

#[test]
fn every_trace_message_round_trips() {
    let mut total = 0;
    let mut messages = 0;
    let mut kinds = std::collections::BTreeSet::new();
    for file in ALL {
        let v = Vectors::load(file);
        for (payload_label, labels) in RECORDS {
            let Some(payload) = v.try_get(payload_label) else { continue };
            let parts = split(payload);
            let expected: Vec<&[u8]> = labels.iter().filter_map(|l| v.try_get(l)).collect();
            assert_eq!(parts, expected, "{file}: {payload_label} splits into its messages");
            for msg in parts {
                kinds.insert(HandshakeMessage::decode(msg).unwrap().typ.to_wire());
                total += round_trip(file, msg);
                messages += 1;
            }
        }
    }
    // ClientHello, ServerHello/HRR, NewSessionTicket, EndOfEarlyData, EncryptedExtensions,
    // Certificate, CertificateRequest, CertificateVerify, Finished.
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), [1, 2, 4, 5, 8, 11, 13, 15, 20]);
    println!("{messages} messages, {total} byte-for-byte comparisons");
    assert_eq!(messages, 40);
}

#[test]
fn trace_fields_parse_as_expected() {
    let s3 = Vectors::load(SECTION3);
    let body = |v: &Vectors, l: &str| HandshakeMessage::decode(v.get(l)).unwrap().body.to_vec();
    let ch_body = body(&s3, "client_hello");
    let ch = ClientHello::decode(&ch_body).unwrap();
    assert_eq!(ch.legacy_version, 0x0303);
    assert_eq!(ch.cipher_suites.iter().collect::<Vec<_>>(), [0x1301, 0x1303, 0x1302]);
    assert_eq!(ch.compression_methods, [0]);
    let sni = ch.extensions.get(ExtensionType::ServerName.to_wire()).unwrap();
    assert_eq!(sni, b"\x00\x09\x00\x00\x06server");
    let sh_body = body(&s3, "server_hello");
    let sh = ServerHello::decode(&sh_body).unwrap();
    assert_eq!(sh.cipher_suite, CipherSuite::Tls13Aes128GcmSha256);
    assert!(!sh.is_hello_retry_request() && !sh.has_downgrade_sentinel());
    assert_eq!(sh.extensions.get(ExtensionType::SupportedVersions.to_wire()), Some(&[3, 4][..]));
    let cv_body = body(&s3, "server_certificate_verify");
    let cv = CertificateVerify::decode(&cv_body).unwrap();
    assert_eq!((cv.scheme, cv.signature.len()), (SignatureScheme::RsaPssRsaeSha256, 128));
    let cert_body = body(&s3, "server_certificate");
    let cert = Certificate::decode(&cert_body).unwrap();
    assert!(cert.context.is_empty());
    assert_eq!(cert.chain.len(), 1);
    assert_eq!(cert.chain.leaf().unwrap().len(), 432);
    let nst_body = body(&s3, "new_session_ticket");
    let nst = NewSessionTicket::decode(&nst_body).unwrap();
    assert_eq!((nst.lifetime, nst.nonce, nst.ticket.len()), (30, &[0u8, 0][..], 178));
    assert_eq!(nst.max_early_data(), 0x400);

    let s5 = Vectors::load(SECTION5);
    let hrr_body = body(&s5, "hello_retry_request");
    let hrr = ServerHello::decode(&hrr_body).unwrap();
    assert!(hrr.is_hello_retry_request());
    assert_eq!(hrr.extensions.get(ExtensionType::KeyShare.to_wire()), Some(&[0, 0x17][..]));
    let cookie = hrr.extensions.get(ExtensionType::Cookie.to_wire()).unwrap();
    let ch2_body = body(&s5, "client_hello_2");
    let ch2 = ClientHello::decode(&ch2_body).unwrap();
    assert_eq!(ch2.extensions.get(ExtensionType::Cookie.to_wire()), Some(cookie), "CH2 echoes the cookie");

    let s6 = Vectors::load(SECTION6);
    let cv6_body = body(&s6, "server_certificate_verify");
    assert_eq!(CertificateVerify::decode(&cv6_body).unwrap().scheme, SignatureScheme::EcdsaSecp256r1Sha256);
}

/// Parses what `ClientHelloParams::encode` wrote and checks every field.
fn params_round_trip(p: &ClientHelloParams<'_>) {
    let mut buf = [0u8; 1024];
    let mut w = Writer::new(&mut buf);
    let offered = p.encode(&mut w).unwrap();
    let bytes = w.written().to_vec();
    let ch = ClientHello::decode(&bytes).unwrap();
    assert_eq!(offered, ch.offered(), "encode reports the extensions it wrote");
    assert_eq!(ch.legacy_version, 0x0303);
    assert_eq!(&ch.random, p.random);
    assert_eq!(ch.session_id, p.session_id);
    assert_eq!(
        ch.cipher_suites.iter().collect::<Vec<_>>(),
        p.cipher_suites.iter().map(|s| s.to_wire()).collect::<Vec<_>>()
    );
    assert_eq!(ch.compression_methods, [0]);
    let ext = |t: ExtensionType| ch.extensions.get(t.to_wire());

    // server_name: ServerNameList with one host_name.
    match p.server_name {
        Some(name) => {
            let mut r = Reader::new(ext(ExtensionType::ServerName).unwrap());
            let mut list = Reader::new(r.vec16("list").unwrap());
            assert!(r.is_empty());
            assert_eq!(list.u8("type").unwrap(), 0);
            assert_eq!(list.vec16("name").unwrap(), name.as_bytes());
            assert!(list.is_empty());
        }
        None => assert_eq!(ext(ExtensionType::ServerName), None),
    }
    let u16s = |t: ExtensionType| {
        let mut r = Reader::new(ext(t).unwrap());
        let l = U16List::read(&mut r, "list").unwrap();
        r.finish("list").unwrap();
        l.iter().collect::<Vec<_>>()
    };
    assert_eq!(u16s(ExtensionType::SupportedGroups), p.groups.iter().map(|g| g.to_wire()).collect::<Vec<_>>());
    let schemes: Vec<u16> = p.signature_schemes.iter().map(|s| s.to_wire()).collect();
    assert_eq!(u16s(ExtensionType::SignatureAlgorithms), schemes);
    assert_eq!(u16s(ExtensionType::SignatureAlgorithmsCert), schemes);
    // supported_versions: a vec8 of versions.
    let mut r = Reader::new(ext(ExtensionType::SupportedVersions).unwrap());
    let versions = r.vec8("versions").unwrap();
    assert!(r.is_empty());
    assert_eq!(
        versions.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect::<Vec<_>>(),
        p.versions.iter().map(|v| v.to_wire()).collect::<Vec<_>>()
    );
    // key_share: client_shares with one entry.
    match p.key_share {
        Some((group, key)) => {
            let mut r = Reader::new(ext(ExtensionType::KeyShare).unwrap());
            let mut shares = Reader::new(r.vec16("shares").unwrap());
            assert!(r.is_empty());
            assert_eq!(shares.u16("group").unwrap(), group.to_wire());
            assert_eq!(shares.vec16("key").unwrap(), key);
            assert!(shares.is_empty());
        }
        // §9.2: key_share goes with supported_groups; with no share it is an empty list.
        None => assert_eq!(ext(ExtensionType::KeyShare), Some(&[0u8, 0][..])),
    }
    // ALPN: the ProtocolNameList body.
    if p.alpn.is_empty() {
        assert_eq!(ext(ExtensionType::Alpn), None);
    } else {
        let mut r = Reader::new(ext(ExtensionType::Alpn).unwrap());
        let list = r.vec16("alpn").unwrap();
        assert!(r.is_empty());
        assert_eq!(list, p.alpn);
        assert_eq!(alpn_protocols(list).collect::<Vec<_>>(), alpn_protocols(p.alpn).collect::<Vec<_>>());
    }
    match p.cookie {
        Some(c) => {
            let mut r = Reader::new(ext(ExtensionType::Cookie).unwrap());
            assert_eq!(r.vec16("cookie").unwrap(), c);
            assert!(r.is_empty());
        }
        None => assert_eq!(ext(ExtensionType::Cookie), None),
    }
    if p.psk_modes.is_empty() {
        assert_eq!(ext(ExtensionType::PskKeyExchangeModes), None);
    } else {
        let mut r = Reader::new(ext(ExtensionType::PskKeyExchangeModes).unwrap());
        assert_eq!(r.vec8("modes").unwrap(), p.psk_modes);
    }
    // Nothing else, and the parsed hello writes back the same bytes.
    let expected = [
        (ExtensionType::ServerName, p.server_name.is_some()),
        (ExtensionType::SupportedGroups, true),
        (ExtensionType::SignatureAlgorithms, true),
        (ExtensionType::SignatureAlgorithmsCert, true),
        (ExtensionType::Alpn, !p.alpn.is_empty()),
        (ExtensionType::SupportedVersions, true),
        (ExtensionType::PskKeyExchangeModes, !p.psk_modes.is_empty()),
        (ExtensionType::KeyShare, true),
        (ExtensionType::Cookie, p.cookie.is_some()),
    ];
    let want: Vec<u16> = expected.iter().filter(|(_, on)| *on).map(|(t, _)| t.to_wire()).collect();
    assert_eq!(ch.extensions.iter().map(|(t, _)| t).collect::<Vec<_>>(), want);
    for (t, on) in expected {
        assert_eq!(offered.contains(t), on, "{t:?}");
    }
    let mut again = [0u8; 1024];
    let mut w2 = Writer::new(&mut again);
    ch.encode(&mut w2).unwrap();
    assert_eq!(hex(w2.written()), hex(&bytes));
}

#[test]
fn client_hello_params_encode_parses_back() {
    let random = [0x5au8; 32];
    let session_id = [0xa5u8; 32];
    let key = [0x11u8; 32];
    let alpn = b"\x02h2\x08http/1.1";
    let cookie = [0xc0u8, 0x0c, 0x1e];
    let full = ClientHelloParams {
        random: &random,
        session_id: &session_id,
        cipher_suites: &[
            CipherSuite::Tls13Aes128GcmSha256,
            CipherSuite::Tls13Aes256GcmSha384,
            CipherSuite::Tls13Chacha20Poly1305Sha256,
        ],
        server_name: Some("example.com"),
        versions: &[ProtocolVersion::Tls13],
        tls12: None,
        groups: &[NamedGroup::X25519, NamedGroup::Secp256r1],
        signature_schemes: &[
            SignatureScheme::EcdsaSecp256r1Sha256,
            SignatureScheme::RsaPssRsaeSha256,
            SignatureScheme::EcdsaSecp384r1Sha384,
        ],
        key_share: Some((NamedGroup::X25519, &key)),
        alpn,
        cookie: Some(&cookie),
        psk_modes: &[PSK_DHE_KE],
        max_fragment_length: None,
        record_size_limit: None,
        psk: None,
    };
    params_round_trip(&full);
    // P-256 share (65 bytes) after a HelloRetryRequest.
    let p256 = [4u8; 65];
    params_round_trip(&ClientHelloParams { key_share: Some((NamedGroup::Secp256r1, &p256)), ..full });
    // The optional parts left out: no SNI (IP address), no ALPN, no cookie, no share, no PSK modes.
    params_round_trip(&ClientHelloParams {
        session_id: &[],
        server_name: None,
        alpn: &[],
        cookie: None,
        key_share: None,
        psk_modes: &[],
        max_fragment_length: None,
        record_size_limit: None,
        psk: None,
        ..full
    });
}

/// Positions of the length fields of a body, and of its extension blocks.
#[derive(Default, Debug)]
struct Layout {
    /// (offset, width) of every length prefix the decoder reads.
    lengths: Vec<(usize, usize)>,
    /// Offsets of the 2-byte length of each extension block.
    ext_blocks: Vec<usize>,
    /// End of the fixed part of a ClientHello/ServerHello (where its
    /// optional extension block starts).
    hello_fixed_end: Option<usize>,
}

struct Walk<'a> {
    b: &'a [u8],
    p: usize,
    l: Layout,
}

impl Walk<'_> {
    fn skip(&mut self, n: usize) {
        self.p += n;
    }
    fn vec(&mut self, width: usize) -> (usize, usize) {
        self.l.lengths.push((self.p, width));
        let n = self.b[self.p..self.p + width].iter().fold(0usize, |a, &x| a << 8 | usize::from(x));
        self.p += width;
        let start = self.p;
        self.p += n;
        (start, n)
    }
    fn exts(&mut self) {
        self.l.ext_blocks.push(self.p);
        let (start, n) = self.vec(2);
        self.p = start;
        while self.p < start + n {
            self.skip(2);
            self.vec(2);
        }
        assert_eq!(self.p, start + n);
    }
}

fn layout(kind: Kind, body: &[u8]) -> Layout {
    let mut w = Walk { b: body, p: 0, l: Layout::default() };
    match kind {
        Kind::ClientHello => {
            w.skip(34);
            w.vec(1);
            w.vec(2);
            w.vec(1);
            w.l.hello_fixed_end = Some(w.p);
            w.exts();
        }
        Kind::ServerHello => {
            w.skip(34);
            w.vec(1);
            w.skip(3);
            w.l.hello_fixed_end = Some(w.p);
            w.exts();
        }
        Kind::EncryptedExtensions => w.exts(),
        Kind::CertificateRequest => {
            w.vec(1);
            w.exts();
        }
        Kind::Certificate => {
            w.vec(1);
            let (start, n) = w.vec(3);
            w.p = start;
            while w.p < start + n {
                w.vec(3);
                w.vec(2);
            }
        }
        Kind::CertificateVerify => {
            w.skip(2);
            w.vec(2);
        }
        Kind::NewSessionTicket => {
            w.skip(8);
            w.vec(1);
            w.vec(2);
            w.exts();
        }
    }
    assert_eq!(w.p, body.len(), "{kind:?} layout covers the body");
    w.l
}

/// One valid body of every kind (and a few more variants) from the traces.
fn samples() -> Vec<(String, Kind, Vec<u8>)> {
    let mut out = Vec::new();
    for (file, labels) in [
        (
            SECTION3,
            &[
                "client_hello",
                "server_hello",
                "encrypted_extensions",
                "server_certificate",
                "server_certificate_verify",
                "new_session_ticket",
            ][..],
        ),
        (SECTION4, &["client_hello", "server_hello", "encrypted_extensions"][..]),
        (SECTION5, &["client_hello_1", "hello_retry_request", "client_hello_2"][..]),
        (
            SECTION6,
            &["certificate_request", "server_certificate", "server_certificate_verify", "client_certificate"][..],
        ),
    ] {
        let v = Vectors::load(file);
        for label in labels {
            let m = HandshakeMessage::decode(v.get(label)).unwrap();
            let kind = Kind::of(m.typ).unwrap();
            out.push((format!("{file}: {label}"), kind, m.body.to_vec()));
        }
    }
    out
}

/// Asserts a refusal is a decode error naming a field of `kind`, and that
/// the connection error it becomes sends decode_error.
fn assert_decode_error(ctx: &str, kind: Kind, r: Result<Vec<u8>, Refused>) -> &'static str {
    match r {
        Err(Refused::Decode(field)) => {
            assert!(kind.owns(field), "{ctx}: field {field:?} does not belong to {kind:?}");
            let e = embertls::Error::from(DecodeError(field));
            assert_eq!(e.alert(), Some(AlertDescription::DecodeError), "{ctx}");
            assert_eq!(e, embertls::Error::Decode { what: field });
            field
        }
        other => panic!("{ctx}: expected a decode error, got {other:?}"),
    }
}

#[test]
fn every_truncation_is_refused() {
    let mut n = 0;
    for (ctx, kind, body) in samples() {
        let fixed_end = layout(kind, &body).hello_fixed_end;
        for len in 0..body.len() {
            let r = decode_encode(kind, &body[..len]);
            if Some(len) == fixed_end {
                // RFC 8446 §4.1.2 (and RFC 5246 §7.4.1.2/§7.4.1.3): a hello
                // without an extensions block is the legacy form, accepted by
                // design as "no extensions"; the handshake layer refuses it
                // for TLS 1.3 (no supported_versions).
                let re = r.unwrap_or_else(|e| panic!("{ctx}: legacy hello without extensions: {e:?}"));
                assert_eq!(re[..len], body[..len]);
                assert_eq!(re[len..], [0, 0], "{ctx}: written back with an empty block");
                continue;
            }
            assert_decode_error(&format!("{ctx}: truncated to {len}"), kind, r);
            n += 1;
        }
    }
    // The handshake header itself.
    let v = Vectors::load(SECTION3);
    for label in ["client_hello", "server_finished"] {
        let msg = v.get(label);
        for len in 0..msg.len() {
            let e = HandshakeMessage::decode(&msg[..len]).unwrap_err();
            assert!(["Handshake.msg_type", "Handshake.length"].contains(&e.0), "{label}[..{len}]: {e:?}");
            n += 1;
        }
    }
    println!("{n} truncations refused");
}

#[test]
fn length_fields_off_by_one_are_refused() {
    let mut n = 0;
    let mut accepted = Vec::new();
    for (ctx, kind, body) in samples() {
        let lay = layout(kind, &body);
        for &(off, width) in &lay.lengths {
            let value = body[off..off + width].iter().fold(0u32, |a, &x| a << 8 | u32::from(x));
            for (delta, new) in [("+1", value.checked_add(1)), ("-1", value.checked_sub(1))] {
                let Some(new) = new.filter(|v| *v >> (8 * width) == 0) else { continue };
                let mut bad = body.clone();
                bad[off..off + width].copy_from_slice(&new.to_be_bytes()[4 - width..]);
                let what = format!("{ctx}: length at {off} ({width} bytes) {value}{delta}");
                match decode_encode(kind, &bad) {
                    // A shifted walk that lands on another extension type seen before.
                    Err(Refused::Duplicate(_)) => {}
                    Ok(re) => {
                        // Only one case is a different well-formed message: §5's
                        // ClientHello2 ends in a padding extension of zeros, and
                        // server_name 11 -> 12 re-synchronises there:
                        // server_name(00 09 00 00 06 "server" ff), type 0x0100
                        // length 256 (over the rest up to the padding), then the
                        // padding's zeros. Re-encoding gives those exact bytes.
                        assert_eq!(hex(&re), hex(&bad), "{what}");
                        accepted.push(what);
                    }
                    r => {
                        assert_decode_error(&what, kind, r);
                    }
                }
                n += 1;
            }
        }
    }
    assert_eq!(
        accepted,
        ["section5_hello_retry_request.json: client_hello_2: length at 49 (2 bytes) 11+1"],
        "length changes that still parse"
    );
    // The handshake header's length.
    let v = Vectors::load(SECTION3);
    for label in ["client_hello", "encrypted_extensions", "server_finished", "new_session_ticket"] {
        let msg = v.get(label);
        for (delta, want) in [(1i32, "Handshake.length"), (-1, "Handshake (trailing bytes)")] {
            let mut bad = msg.to_vec();
            let len = u32::from_be_bytes([0, bad[1], bad[2], bad[3]]) as i32 + delta;
            bad[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
            assert_eq!(HandshakeMessage::decode(&bad), Err(DecodeError(want)), "{label} length {delta:+}");
            n += 1;
        }
    }
    println!("{n} bad length fields refused");
}

#[test]
fn trailing_bytes_are_refused() {
    for (ctx, kind, body) in samples() {
        for extra in [&[0u8][..], &[0, 0], &[0xff; 5]] {
            let mut bad = body.clone();
            bad.extend_from_slice(extra);
            let field = assert_decode_error(&format!("{ctx} + {extra:?}"), kind, decode_encode(kind, &bad));
            assert!(field.ends_with("(trailing bytes)"), "{ctx}: {field}");
        }
    }
    let v = Vectors::load(SECTION3);
    let mut msg = v.get("server_finished").to_vec();
    msg.push(0);
    assert_eq!(HandshakeMessage::decode(&msg), Err(DecodeError("Handshake (trailing bytes)")));
}

/// Rebuilds `body` with the extension block whose length is at `at` replaced by `new_block`
/// (the block's content, without its length).
fn replace_block(body: &[u8], at: usize, new_block: &[u8]) -> Vec<u8> {
    let old_len = usize::from(u16::from_be_bytes([body[at], body[at + 1]]));
    let mut out = body[..at].to_vec();
    out.extend_from_slice(&(new_block.len() as u16).to_be_bytes());
    out.extend_from_slice(new_block);
    out.extend_from_slice(&body[at + 2 + old_len..]);
    out
}

#[test]
fn duplicate_extensions_are_refused() {
    let mut n = 0;
    for (ctx, kind, body) in samples() {
        let Some(exts) = extensions_of(kind, &body) else { continue };
        let at = layout(kind, &body).ext_blocks[0];
        let entries: Vec<(u16, &[u8])> = exts.iter().collect();
        for (i, &(t, data)) in entries.iter().enumerate() {
            // The same type again at the end, with the same and with other data.
            for dup_data in [data, &[][..]] {
                let mut block = exts.raw().to_vec();
                let mut w_buf = vec![0u8; 4 + dup_data.len()];
                let mut w = Writer::new(&mut w_buf);
                write_extension(&mut w, t, |w| w.bytes(dup_data)).unwrap();
                block.extend_from_slice(w.written());
                let bad = replace_block(&body, at, &block);
                assert_eq!(decode_encode(kind, &bad), Err(Refused::Duplicate(t)), "{ctx}: extension #{i} twice");
                // As a connection error: the extension is named.
                let e = embertls::Error::from(ExtensionsError::Duplicate(t));
                assert_eq!(e, embertls::Error::PeerMisbehaved(embertls::Misbehavior::DuplicateExtension(t)));
                n += 1;
            }
        }
        // Sanity: the unmodified block rebuilt the same way still parses.
        assert!(decode_encode(kind, &replace_block(&body, at, exts.raw())).is_ok(), "{ctx}");
    }
    assert_eq!(Extensions::check(&[0, 1, 0, 0, 0, 1, 0, 0]), Err(ExtensionsError::Duplicate(1)));
    assert!(n > 40, "{n}");
    println!("{n} duplicated extensions refused");
}

#[test]
fn odd_length_u16_lists_are_refused() {
    for raw in [&[0u8, 1, 0x13][..], &[0, 3, 0x13, 0x01, 0x13], &[0, 0], &[0, 5, 0, 1, 0, 2, 0]] {
        let mut r = Reader::new(raw);
        assert_eq!(U16List::read(&mut r, "cipher_suites"), Err(DecodeError("cipher_suites")), "{raw:?}");
    }
    let mut r = Reader::new(&[0, 4, 0x13, 0x01, 0x13, 0x02]);
    assert_eq!(U16List::read(&mut r, "l").unwrap().iter().collect::<Vec<_>>(), [0x1301, 0x1302]);

    // In a ClientHello: one extra byte in cipher_suites (length adjusted).
    let v = Vectors::load(SECTION3);
    let body = HandshakeMessage::decode(v.get("client_hello")).unwrap().body.to_vec();
    let (off, _) = layout(Kind::ClientHello, &body).lengths[1];
    let n = usize::from(u16::from_be_bytes([body[off], body[off + 1]]));
    let mut bad = body[..off].to_vec();
    bad.extend_from_slice(&((n + 1) as u16).to_be_bytes());
    bad.extend_from_slice(&body[off + 2..off + 2 + n]);
    bad.push(0x13);
    bad.extend_from_slice(&body[off + 2 + n..]);
    let field = assert_decode_error("odd cipher_suites", Kind::ClientHello, decode_encode(Kind::ClientHello, &bad));
    assert_eq!(field, "ClientHello.cipher_suites");
}

/// Random single-byte corruptions never panic (they may parse: e.g. a
/// changed random); when they parse, the re-encoding is the input.
#[test]
fn byte_corruptions_never_panic() {
    for (ctx, kind, body) in samples() {
        for i in 0..body.len() {
            for x in [0x01u8, 0xff] {
                let mut bad = body.clone();
                bad[i] ^= x;
                match decode_encode(kind, &bad) {
                    Ok(re) => assert_eq!(hex(&re), hex(&bad), "{ctx}: byte {i}"),
                    Err(Refused::Decode(f)) => assert!(kind.owns(f), "{ctx}: byte {i}: {f}"),
                    Err(Refused::Duplicate(_)) => {}
                }
            }
        }
    }
}
