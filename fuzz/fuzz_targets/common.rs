//! The fuzz harnesses, shared by the cargo-fuzz targets (one line each) and
//! by `tests/components/fuzz_regressions.rs`, which replays seeds and crash inputs
//! through the very same functions in a normal `cargo test`.
//!
//! Everything here is deterministic: the client's generator is a counter, so
//! a given input always makes the same ClientHello, the same key shares and
//! the same run, and a crash reproduces from its input alone.
#![allow(dead_code)] // each fuzz target uses one harness

use std::sync::OnceLock;

use embertls::codec::{Reader, Writer};
use embertls::crypto::{AeadAlg, HashAlg, Secret};
use embertls::key_schedule::TrafficKeys;
use embertls::msgs::certificate::{Certificate, CertificateEntryExtensions};
use embertls::msgs::certificate_request::{CertificateRequest, CertificateRequestExtensions};
use embertls::msgs::certificate_verify::CertificateVerify;
use embertls::msgs::client_hello::{alpn_protocols, check_alpn_list, ClientHello};
use embertls::msgs::encrypted_extensions::EncryptedExtensions;
use embertls::msgs::enums::{ContentType, ExtensionType, HandshakeType};
use embertls::msgs::extensions::Extensions;
use embertls::msgs::handshake::{write_handshake, HandshakeMessage, KeyUpdateRequest};
use embertls::msgs::new_session_ticket::{NewSessionTicket, NewSessionTicketExtensions};
use embertls::msgs::server_hello::{HelloRetryRequestExtensions, ServerHello, ServerHelloExtensions};
use embertls::msgs::tls12::{
    CertificateRequest12, KeyExchangeKind, NewSessionTicket12, ServerHelloExtensions12, ServerKeyExchange,
};
use embertls::record::{Header, Inbound, Protection, HEADER_LEN};
use embertls::{
    CertificateChain, CipherSuite, Client, ClientConfig, Error, Event, ExternalPsk, PskMode, ServerName,
    ServerVerification, SessionTicket, MAX_RECORD,
};

// ---------------------------------------------------------------------------
// Deterministic client
// ---------------------------------------------------------------------------

/// A "random" generator that is a counter: output depends only on how
/// many bytes were drawn before. Never use outside tests.
pub struct CounterRng(pub u64);

impl rand_core::TryRng for CounterRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        self.0 = self.0.wrapping_add(1);
        Ok(self.0 as u32 ^ 0x9e37_79b9)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.0 = self.0.wrapping_add(1);
        Ok(self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for b in dst {
            self.0 = self.0.wrapping_add(1);
            *b = (self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as u8;
        }
        Ok(())
    }
}
impl rand_core::TryCryptoRng for CounterRng {}

/// Seed of the counter for every harness client (and the seed recorder).
pub const RNG_SEED: u64 = 0x656d_6265_7274_6c73; // "embertls"
/// The server name every harness client uses (and the seed recorder).
pub const SERVER_NAME: &str = "localhost";
/// The external PSK of the PSK variants: identity and key.
pub const PSK_IDENTITY: &str = "fuzz";
/// 32 bytes of 0x0b, hex (openssl s_server -psk takes this form).
pub const PSK_KEY_HEX: &str = "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b";

/// The harness client.
pub type FuzzClient<'a> = Client<'a, CounterRng, Vec<u8>>;

fn psk(mode: PskMode) -> &'static ExternalPsk {
    static DHE: OnceLock<ExternalPsk> = OnceLock::new();
    static KE: OnceLock<ExternalPsk> = OnceLock::new();
    let cell = if mode == PskMode::Ke { &KE } else { &DHE };
    cell.get_or_init(|| ExternalPsk::from_hex(PSK_IDENTITY, PSK_KEY_HEX).expect("psk").with_mode(mode))
}

/// The four client configurations, chosen by two bits of the input:
/// 0 default (certificate, insecure mode), 1 middlebox compatibility and
/// ALPN, 2 external PSK psk_dhe_ke, 3 external PSK psk_ke.
pub fn config(variant: u8) -> &'static ClientConfig<'static> {
    // `ClientConfig` is not `Sync` (its verifier is a plain `&dyn ServerVerifier`),
    // so no `static`: one leaked set per thread (the fuzzer and tests use few threads).
    thread_local! {
        static C: [&'static ClientConfig<'static>; 4] = core::array::from_fn(|v| {
            let base = ClientConfig::new(ServerVerification::danger_accept_any());
            let c = match v {
                0 => base,
                1 => base.with_middlebox_compat(true).with_alpn(&[b"http/1.1", b"mqtt"]).expect("alpn"),
                2 => base.with_psk(psk(PskMode::DheKe)),
                _ => base.with_psk(psk(PskMode::Ke)),
            };
            &*Box::leak(Box::new(c))
        });
    }
    C.with(|c| c[usize::from(variant & 3)])
}

/// Receive buffer sizes, chosen by two bits of the input.
pub const RX_SIZES: [usize; 4] = [2 * MAX_RECORD, MAX_RECORD, 4096, 1024];
/// Arrival sizes (bytes per `received` call), chosen by four bits of the input.
pub const CHUNKS: [usize; 16] = [usize::MAX, 1, 2, 3, 5, 7, 13, 64, 100, 300, 512, 1000, 1500, 4096, 16_709, 6];

/// How a flags byte sets up a run: `chunk | rx << 4 | config << 6`.
#[derive(Clone, Copy, Debug)]
pub struct Setup {
    /// Bytes per `received` call.
    pub chunk: usize,
    /// Receive buffer size.
    pub rx: usize,
    /// [`config`] variant.
    pub config: u8,
}

impl Setup {
    /// Decodes the flags byte.
    pub fn from_flags(f: u8) -> Self {
        Setup { chunk: CHUNKS[usize::from(f & 15)], rx: RX_SIZES[usize::from((f >> 4) & 3)], config: f >> 6 }
    }
}

/// A client whose ClientHello has been taken (and checked to parse).
pub fn new_client(setup: Setup) -> FuzzClient<'static> {
    let mut c = Client::new(
        embertls::ConnectOptions::new(config(setup.config), ServerName::parse(SERVER_NAME)),
        CounterRng(RNG_SEED),
        vec![0; setup.rx],
        vec![0; 4096],
    )
    .expect("Client::new");
    drain_client_hello(&mut c);
    c
}

/// Takes the client's outgoing bytes and checks that every handshake
/// record it wrote in plaintext (its ClientHello) parses with our own decoder.
fn drain_client_hello(c: &mut FuzzClient<'_>) {
    let out = c.outgoing().to_vec();
    c.sent(out.len());
    let mut rest = &out[..];
    while rest.len() >= HEADER_LEN {
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        let (rec, tail) = rest.split_at((HEADER_LEN + len).min(rest.len()));
        if rec[0] == 22 {
            let msg = HandshakeMessage::decode(&rec[HEADER_LEN..]).expect("our ClientHello record holds one message");
            assert_eq!(msg.typ, HandshakeType::ClientHello);
            ClientHello::decode(msg.body).expect("our own ClientHello parses");
        }
        rest = tail;
    }
}

/// How far a run got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Progress {
    /// The client failed (or the input ended) before the handshake completed.
    Handshaking,
    /// The handshake completed.
    Connected,
    /// The server closed with close_notify.
    Closed,
}

/// Feeds `server` to the client `setup.chunk` bytes at a time, driving
/// `process` until it needs data; at the end of the input, signals end of
/// file. Checks the engine's documented invariants on the way.
pub fn drive(c: &mut FuzzClient<'_>, server: &[u8], setup: Setup) -> Progress {
    let mut rest = server;
    let mut progress = Progress::Handshaking;
    let mut eof = false;
    loop {
        loop {
            let ev = c.process();
            let out = c.outgoing().len();
            c.sent(out);
            match ev {
                Ok(Event::NeedData) => break,
                Ok(Event::HandshakeComplete(s)) => {
                    progress = Progress::Connected;
                    assert!(c.is_handshake_complete());
                    let _ = format!("{s:?}");
                    let mut ekm = [0u8; 32];
                    c.export_keying_material(b"EXPORTER-fuzz", b"", &mut ekm).expect("exporter after the handshake");
                    let _ = c.write(b"GET / HTTP/1.0\r\n\r\n");
                }
                Ok(Event::ApplicationData(n)) => {
                    let mut buf = vec![0u8; n];
                    assert_eq!(c.read(&mut buf), n, "ApplicationData(n) announces n readable bytes");
                }
                Ok(Event::SessionTicket) => {
                    let mut buf = vec![0u8; 70_000];
                    if let Ok(n) = c.session_ticket(&mut buf) {
                        let t = SessionTicket::decode(&buf[..n]).expect("a ticket the client serialized decodes");
                        assert_eq!(t.server_name, SERVER_NAME.as_bytes());
                    }
                }
                Ok(Event::PeerClosed) => {
                    assert_eq!(c.process(), Ok(Event::PeerClosed), "closed stays closed");
                    return Progress::Closed;
                }
                Ok(_) => {}
                Err(e) => {
                    let _ = (e.to_string(), e.alert());
                    assert_eq!(c.process(), Err(e.clone()), "after an error every call returns it again");
                    assert!(c.write(b"x").is_err(), "no writes on a failed connection");
                    return progress;
                }
            }
        }
        if eof {
            panic!("process() returned NeedData after end of file");
        }
        if rest.is_empty() {
            c.received(0);
            eof = true;
            continue;
        }
        let space = c.receive_buffer();
        assert!(!space.is_empty(), "NeedData with no free receive buffer");
        let n = setup.chunk.min(space.len()).min(rest.len());
        space[..n].copy_from_slice(&rest[..n]);
        c.received(n);
        rest = &rest[n..];
    }
}

// ---------------------------------------------------------------------------
// (a) client_server_bytes
// ---------------------------------------------------------------------------

/// `flags` byte (see [`Setup::from_flags`]), then the server's bytes.
pub fn client_server_bytes(data: &[u8]) -> Progress {
    let Some((&flags, server)) = data.split_first() else { return Progress::Handshaking };
    let setup = Setup::from_flags(flags);
    let mut c = new_client(setup);
    drive(&mut c, server, setup)
}

// ---------------------------------------------------------------------------
// (b) deframer
// ---------------------------------------------------------------------------

/// The record layer's receive buffer ([`Inbound`]) against a reference
/// deframer: capacity byte, chunk byte, then a record stream. Handshake
/// records are reassembled into messages, application data is read out in
/// small pieces, and what comes out must be exactly what the stream holds.
pub fn deframer(data: &[u8]) {
    let [cap, chunk, stream @ ..] = data else { return };
    let cap = 64 + usize::from(*cap) * 72; // 64 ..= 18 424
    let chunk = 1 + usize::from(*chunk) * 8;
    let mut buf = vec![0u8; cap];
    let mut inb = Inbound::default();
    let (mut hs_out, mut app_out) = (Vec::new(), Vec::new());
    let mut fed = 0;
    let mut stopped = false; // by an error the engine would report
    'outer: loop {
        loop {
            match inb.next_handshake(&buf) {
                Ok(Some(r)) => {
                    assert!(r.len() >= 4 && r.end <= cap);
                    let len = u32::from_be_bytes([0, buf[r.start + 1], buf[r.start + 2], buf[r.start + 3]]) as usize;
                    assert_eq!(r.len(), 4 + len, "message length from its header");
                    hs_out.extend_from_slice(&buf[r.clone()]);
                    inb.consume_handshake(r.len());
                    continue;
                }
                Ok(None) => {}
                Err(_) => {
                    stopped = true;
                    break 'outer;
                }
            }
            let rec = match inb.next_record(&buf) {
                Ok(Some(rec)) => rec,
                Ok(None) => break,
                Err(_) => {
                    stopped = true;
                    break 'outer;
                }
            };
            assert_eq!(rec.record.len(), HEADER_LEN + rec.header.len);
            assert!(rec.record.end <= cap);
            assert_eq!(Header::parse(&buf[rec.record.clone()]), Some(Ok(rec.header)));
            let len = rec.header.len;
            let plain = rec.record.start + HEADER_LEN..rec.record.end;
            match rec.header.typ {
                ContentType::Handshake => inb.keep_handshake(&mut buf, &rec, plain),
                ContentType::ApplicationData if len > 0 => {
                    if inb.handshake_len() > 0 {
                        stopped = true; // the engine refuses data inside a handshake message
                        break 'outer;
                    }
                    inb.keep_application_data(&rec, plain);
                    let mut piece = [0u8; 37];
                    while inb.application_data_len() > 0 {
                        let n = inb.read_application_data(&mut buf, &mut piece);
                        assert!(n > 0);
                        app_out.extend_from_slice(&piece[..n]);
                    }
                }
                _ => inb.discard_record(&mut buf, &rec),
            }
        }
        if fed == stream.len() {
            break;
        }
        let space = inb.space(&mut buf);
        if space.is_empty() {
            stopped = true;
            break;
        }
        let n = chunk.min(space.len()).min(stream.len() - fed);
        space[..n].copy_from_slice(&stream[fed..fed + n]);
        inb.received(n, cap);
        fed += n;
    }

    // The reference: the same stream framed in one pass.
    let (mut hs_ref, mut app_ref) = (Vec::new(), Vec::new());
    let mut r = stream;
    let mut ref_error = false;
    while let Some(h) = Header::parse(r) {
        let Ok(h) = h else {
            ref_error = true;
            break;
        };
        if r.len() < HEADER_LEN + h.len {
            break;
        }
        let body = &r[HEADER_LEN..HEADER_LEN + h.len];
        match h.typ {
            ContentType::Handshake => hs_ref.extend_from_slice(body),
            ContentType::ApplicationData => app_ref.extend_from_slice(body),
            _ => {}
        }
        r = &r[HEADER_LEN + h.len..];
    }
    assert!(hs_ref.starts_with(&hs_out), "reassembled handshake bytes differ from the records' bodies");
    assert!(app_ref.starts_with(&app_out), "application data differs from the records' bodies");
    if !stopped {
        assert!(!ref_error, "the reference found a bad record header the deframer did not report");
        assert_eq!(app_out, app_ref, "all application data of the stream came out");
        assert_eq!(hs_out.len() + inb.handshake_len(), hs_ref.len(), "handshake bytes neither lost nor invented");
    }
}

// ---------------------------------------------------------------------------
// (c) messages
// ---------------------------------------------------------------------------

fn encoded(f: impl FnOnce(&mut Writer<'_>) -> Result<(), embertls::codec::WriteError>, cap: usize) -> Vec<u8> {
    let mut buf = vec![0u8; cap + 16];
    let mut w = Writer::new(&mut buf);
    f(&mut w).expect("re-encoding fits");
    w.written().to_vec()
}

/// A ClientHello or ServerHello body may omit the extensions block
/// (RFC 8446 §4.1.2 allows it in pre-1.3 hellos); decode reads that as an
/// empty block, and encode writes the empty block (`00 00`). The one known
/// non-identical round trip, see fuzz/README.md.
fn hello_round_trip(input: &[u8], out: &[u8], extensions_raw: &[u8]) {
    if out.len() == input.len() + 2 && extensions_raw.is_empty() && out.ends_with(&[0, 0]) {
        assert_eq!(&out[..input.len()], input, "hello without extensions re-encodes with an empty block only");
    } else {
        assert_eq!(out, input, "decode/encode round trip");
    }
}

/// Every wire decoder of `embertls::msgs` on the input; when one accepts
/// it, encoding the result must give back the input byte for byte.
/// The TLS 1.2 decoders: what decodes accounts for every input byte.
fn tls12_messages(data: &[u8]) {
    for kind in [KeyExchangeKind::Ecdhe, KeyExchangeKind::Psk, KeyExchangeKind::EcdhePsk] {
        let Ok(ske) = ServerKeyExchange::decode(data, kind) else { continue };
        let mut again = Vec::new();
        let hint_part = |hint: &[u8], again: &mut Vec<u8>| {
            again.extend_from_slice(&(hint.len() as u16).to_be_bytes());
            again.extend_from_slice(hint);
        };
        match ske {
            ServerKeyExchange::Ecdhe { params, signed } => {
                assert_eq!(&params.raw[4..], params.public);
                again.extend_from_slice(params.raw);
                again.extend_from_slice(&encoded(|w| signed.encode(w), data.len() + 8));
            }
            ServerKeyExchange::Psk { hint } => hint_part(hint, &mut again),
            ServerKeyExchange::EcdhePsk { hint, params } => {
                hint_part(hint, &mut again);
                again.extend_from_slice(params.raw);
            }
        }
        assert_eq!(again, data, "ServerKeyExchange ({kind:?}) covers the input");
    }
    if let Ok(cr) = CertificateRequest12::decode(data) {
        let n = cr.authorities().map_or(0, |a| a.map(|d| 2 + d.len()).sum());
        assert_eq!(n, cr.authorities.len(), "certificate_authorities iteration covers the list");
        assert!(!cr.certificate_types.is_empty());
    }
    if let Ok(t) = NewSessionTicket12::decode(data) {
        assert_eq!(4 + 2 + t.ticket.len(), data.len(), "NewSessionTicket (RFC 5077) covers the input");
    }
}

/// Every type allowed: the typed sets then refuse only what their table does not list.
fn any(_: ExtensionType) -> bool {
    true
}

/// A typed set's encoding of the block `raw` (with its length prefix) gives
/// back `raw`, or, if the set skipped unknown extensions (which it cannot
/// give back), a block without them that `again` decodes and re-encodes
/// byte for byte.
fn set_round_trip(what: &str, raw: &[u8], skipped: bool, out: Vec<u8>, again: impl Fn(&Extensions<'_>) -> Vec<u8>) {
    assert_eq!(usize::from(u16::from_be_bytes([out[0], out[1]])), out.len() - 2, "{what}: block length");
    if !skipped {
        assert_eq!(&out[2..], raw, "{what}: decode/encode round trip");
        return;
    }
    assert!(out.len() - 2 < raw.len(), "{what}: skipped extensions are not written");
    let block = Extensions::check(&out[2..]).expect("the encoding is a well-formed block");
    assert_eq!(again(&block), out, "{what}: the encoding decodes and encodes the same");
}

/// Every typed extension set on the block `raw`: what decodes encodes back.
fn typed_sets(raw: &[u8]) {
    let Ok(exts) = Extensions::check(raw) else { return };
    let cap = raw.len() + 2;
    if let Ok(s) = ServerHelloExtensions::decode(&exts, any) {
        set_round_trip("ServerHello", raw, false, encoded(|w| s.encode(w), cap), |_| Vec::new());
    }
    if let Ok(s) = HelloRetryRequestExtensions::decode(&exts, any) {
        set_round_trip("HelloRetryRequest", raw, false, encoded(|w| s.encode(w), cap), |_| Vec::new());
    }
    if let Ok(s) = ServerHelloExtensions12::decode(&exts, any) {
        set_round_trip("ServerHello (TLS 1.2)", raw, false, encoded(|w| s.encode(w), cap), |_| Vec::new());
    }
    if let Ok(s) = CertificateEntryExtensions::decode(&exts, any) {
        set_round_trip("CertificateEntry", raw, false, encoded(|w| s.encode(w), cap), |_| Vec::new());
    }
    if let Ok(s) = CertificateRequestExtensions::decode(&exts) {
        set_round_trip("CertificateRequest", raw, s.skipped_unknown(), encoded(|w| s.encode(w), cap), |b| {
            let again = CertificateRequestExtensions::decode(b).expect("re-decodes");
            assert!(!again.skipped_unknown());
            encoded(|w| again.encode(w), cap)
        });
    }
    if let Ok(s) = NewSessionTicketExtensions::decode(&exts) {
        set_round_trip("NewSessionTicket", raw, s.skipped_unknown(), encoded(|w| s.encode(w), cap), |b| {
            let again = NewSessionTicketExtensions::decode(b).expect("re-decodes");
            assert!(!again.skipped_unknown());
            encoded(|w| again.encode(w), cap)
        });
    }
}

/// The typed messages whose body is (mostly) an extension block.
fn typed_messages(data: &[u8]) {
    let cap = data.len() + 8;
    if let Ok(m) = EncryptedExtensions::decode(data, any) {
        assert_eq!(encoded(|w| m.encode(w), cap), data, "EncryptedExtensions round trip");
    }
    if let Ok(m) = CertificateRequest::decode(data) {
        let out = encoded(|w| m.encode(w), cap);
        if m.extensions.skipped_unknown() {
            let again = CertificateRequest::decode(&out).expect("re-decodes");
            assert_eq!(encoded(|w| again.encode(w), cap), out, "CertificateRequest re-encoding");
        } else {
            assert_eq!(out, data, "CertificateRequest round trip");
        }
    }
}

pub fn messages(data: &[u8]) {
    let cap = data.len() + 8;
    typed_sets(data);
    typed_messages(data);
    if let Ok(m) = ServerHello::decode(data) {
        hello_round_trip(data, &encoded(|w| m.encode(w), cap), m.extensions.raw());
        let _ = (m.is_hello_retry_request(), m.has_downgrade_sentinel(), m.selected_version());
        for (t, d) in m.extensions.iter() {
            assert_eq!(m.extensions.get(t), Some(d));
        }
        typed_sets(m.extensions.raw());
    }
    if let Ok(m) = ClientHello::decode(data) {
        hello_round_trip(data, &encoded(|w| m.encode(w), cap), m.extensions.raw());
    }
    if let Ok(m) = NewSessionTicket::decode(data) {
        assert_eq!(encoded(|w| m.encode(w), cap), data, "NewSessionTicket round trip");
        let _ = m.max_early_data();
        typed_sets(m.extensions.raw());
    }
    if let Ok(m) = Certificate::decode(data) {
        assert_eq!(encoded(|w| m.encode(w), cap), data, "Certificate round trip");
        let _ = m.check_entries(any);
        let mut n = 0;
        for e in m.chain.entries() {
            typed_sets(e.extensions.raw());
            n += 1;
        }
        assert_eq!(n, m.chain.len(), "one entry per certificate");
        let n = m.chain.iter().count();
        assert_eq!(n, m.chain.len());
        assert_eq!(m.chain.is_empty(), n == 0);
    }
    if let Ok(m) = CertificateVerify::decode(data) {
        assert_eq!(encoded(|w| m.encode(w), cap), data, "CertificateVerify round trip");
    }
    if let Ok(m) = HandshakeMessage::decode(data) {
        let out = encoded(|w| write_handshake(w, m.typ, |w| w.bytes(m.body)), cap);
        assert_eq!(out, data, "handshake header round trip");
        assert_eq!(HandshakeType::from_wire(m.typ.to_wire()), m.typ);
    }
    tls12_messages(data);
    if let Ok(Some(k)) = KeyUpdateRequest::decode(data) {
        assert_eq!([k.to_wire()], data, "KeyUpdate round trip");
    }
    if let Ok(e) = Extensions::check(data) {
        let out = encoded(|w| e.encode(w), cap);
        assert_eq!(&out[2..], data, "extension block round trip");
        let mut again = Vec::new();
        for (t, d) in e.iter() {
            again.extend_from_slice(&t.to_be_bytes());
            again.extend_from_slice(&(d.len() as u16).to_be_bytes());
            again.extend_from_slice(d);
        }
        assert_eq!(again, data, "extension iteration covers the block");
    }
    if let Ok(chain) = CertificateChain::from_tls12_list(data) {
        let mut again = Vec::new();
        for c in chain.iter() {
            again.extend_from_slice(&(c.len() as u32).to_be_bytes()[1..]);
            again.extend_from_slice(c);
        }
        assert_eq!(again, data, "TLS 1.2 certificate list iteration covers the list");
    }
    if check_alpn_list(data).is_ok() {
        let mut again = Vec::new();
        for p in alpn_protocols(data) {
            again.push(p.len() as u8);
            again.extend_from_slice(p);
        }
        assert_eq!(again, data, "ALPN list iteration covers the list");
    }
    // Wire enums: from_wire/to_wire are inverse for every value.
    let mut r = Reader::new(data);
    while let Ok(v) = r.u16("") {
        assert_eq!(CipherSuite::from_wire(v).to_wire(), v);
        assert_eq!(embertls::SignatureScheme::from_wire(v).to_wire(), v);
        assert_eq!(embertls::NamedGroup::from_wire(v).to_wire(), v);
        assert_eq!(embertls::ProtocolVersion::from_wire(v).to_wire(), v);
    }
    for &b in data.iter().take(8) {
        assert_eq!(ContentType::from_wire(b).to_wire(), b);
        assert_eq!(embertls::AlertDescription::from_wire(b).to_wire(), b);
    }
}

// ---------------------------------------------------------------------------
// (d) ticket
// ---------------------------------------------------------------------------

/// `SessionTicket::decode` on the input; a ticket it accepts must also
/// start a resuming client whose ClientHello parses.
pub fn ticket(data: &[u8]) {
    let Ok(t) = SessionTicket::decode(data) else { return };
    let _ = format!("{t:?}");
    assert!(t.ticket.len() + t.server_name.len() + t.alpn.len() < data.len());
    let setup = Setup::from_flags(0);
    // An undated ticket is offered only with the caller's age (issue 13.5).
    let t = if t.issued_at == 0 { t.with_age(60) } else { t };
    if let Ok(mut c) = Client::new(
        embertls::ConnectOptions::new(config(0), ServerName::parse(SERVER_NAME))
            .now(Some(embertls::UnixTime(t.issued_at.wrapping_add(60))))
            .resuming(t),
        CounterRng(RNG_SEED),
        vec![0u8; setup.rx],
        vec![0u8; 4096],
    ) {
        drain_client_hello(&mut c);
    }
}

// ---------------------------------------------------------------------------
// (e) flight_mutator
// ---------------------------------------------------------------------------

/// The keys of a recorded handshake, from the server's key log.
pub struct FlightKeys {
    /// Cipher suite (wire value).
    pub suite: u16,
    /// SERVER_HANDSHAKE_TRAFFIC_SECRET.
    pub handshake: Vec<u8>,
    /// SERVER_TRAFFIC_SECRET_0.
    pub application: Vec<u8>,
}

/// Frame kinds of a flight file.
pub mod frame {
    /// Bytes sent to the client as they are (ServerHello, change_cipher_spec).
    pub const RAW: u8 = 0;
    /// `inner content type || content`, protected with the handshake keys.
    pub const HANDSHAKE_KEYS: u8 = 1;
    /// `inner content type || content`, protected with the application keys.
    pub const APPLICATION_KEYS: u8 = 2;
}

/// Serializes a flight: flags, suite, secrets, then `(kind, u16 length, bytes)` frames.
pub fn write_flight(flags: u8, keys: &FlightKeys, frames: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut out = vec![flags];
    out.extend_from_slice(&keys.suite.to_be_bytes());
    for s in [&keys.handshake, &keys.application] {
        out.push(s.len() as u8);
        out.extend_from_slice(s);
    }
    for (kind, bytes) in frames {
        out.push(*kind);
        out.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
        out.extend_from_slice(bytes);
    }
    out
}

fn suite_algs(suite: u16) -> Option<(HashAlg, AeadAlg)> {
    match CipherSuite::from_wire(suite) {
        CipherSuite::Tls13Aes128GcmSha256 => Some((HashAlg::Sha256, AeadAlg::Aes128Gcm)),
        CipherSuite::Tls13Aes256GcmSha384 => Some((HashAlg::Sha384, AeadAlg::Aes256Gcm)),
        CipherSuite::Tls13Chacha20Poly1305Sha256 => Some((HashAlg::Sha256, AeadAlg::Chacha20Poly1305)),
        _ => None,
    }
}

fn protection(suite: u16, secret: &[u8]) -> Option<Protection<embertls::crypto::RustCrypto>> {
    let (hash, aead) = suite_algs(suite)?;
    if secret.len() != hash.len() {
        return None;
    }
    Some(Protection::new(TrafficKeys::derive(
        &mut embertls::crypto::RustCrypto,
        hash,
        aead,
        &Secret::from_slice(secret),
    )))
}

/// Structure-aware replay of a recorded server flight (format: see
/// [`write_flight`] and fuzz/README.md). The protected parts are stored as
/// plaintext and encrypted here with the recorded server secrets, so the
/// fuzzer mutates handshake messages, tickets and application data, not
/// ciphertext. The recording was made by this same deterministic client, so
/// while the ServerHello is intact the client derives the same keys and
/// decrypts what is built here; a mutated ServerHello (or key share)
/// exercises the ServerHello checks and then fails on the first protected
/// record. Frames may be cut anywhere: the rest of the input is ignored.
pub fn flight(data: &[u8]) -> Progress {
    let mut r = Reader::new(data);
    let (Ok(flags), Ok(suite), Ok(hs), Ok(app)) = (r.u8(""), r.u16(""), r.vec8(""), r.vec8("")) else {
        return Progress::Handshaking;
    };
    let setup = Setup::from_flags(flags);
    let mut hs_prot = protection(suite, hs);
    let mut app_prot = protection(suite, app);
    let mut server = Vec::new();
    while let (Ok(kind), Ok(bytes)) = (r.u8(""), r.vec16("")) {
        let prot = match kind & 3 {
            frame::HANDSHAKE_KEYS => hs_prot.as_mut(),
            frame::APPLICATION_KEYS => app_prot.as_mut(),
            _ => None,
        };
        match (prot, bytes.split_first()) {
            (Some(p), Some((&typ, content))) => {
                let start = server.len();
                server.resize(start + HEADER_LEN + content.len() + 1 + 16, 0);
                server[start + HEADER_LEN..start + HEADER_LEN + content.len()].copy_from_slice(content);
                let len = p.seal(
                    &mut embertls::crypto::RustCrypto,
                    ContentType::from_wire(typ),
                    &mut server[start..],
                    content.len(),
                );
                match len {
                    Ok(n) => server.truncate(start + n),
                    Err(_) => server.truncate(start),
                }
            }
            _ => server.extend_from_slice(bytes),
        }
    }
    let mut c = new_client(setup);
    drive(&mut c, &server, setup)
}

/// The error a [`FuzzClient`] reports for `server` bytes (for regression tests).
pub fn first_error(data: &[u8]) -> Option<Error> {
    let (&flags, server) = data.split_first()?;
    let setup = Setup::from_flags(flags);
    let mut c = new_client(setup);
    drive(&mut c, server, setup);
    c.process().err()
}

// ---------------------------------------------------------------------------
// (f) der_walk
// ---------------------------------------------------------------------------

/// What [`der_walk`] found in its input.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DerWalk {
    /// The input read as a certificate: issuer, subject, SPKI found.
    pub fields: [bool; 3],
    /// The parts of a SubjectPublicKeyInfo found: the certificate's, or the input read as one.
    pub spki: bool,
}

/// The handshake's own DER walk (`embertls::crypto::certificate_*`,
/// `spki_parts`) against the same walk done with the `der` crate's
/// `AnyRef`: it may refuse more, never accept more, and where both accept
/// they give the same bytes. The input is read as a certificate (and the
/// SPKI found in it as one) and as a SubjectPublicKeyInfo.
pub fn der_walk(data: &[u8]) -> DerWalk {
    use embertls::crypto::{certificate_issuer, certificate_spki, certificate_subject, spki_parts};
    type Walk = fn(&[u8]) -> Option<&[u8]>;
    let mut found = DerWalk::default();
    let ours: [(usize, Walk); 3] = [(1, certificate_issuer), (3, certificate_subject), (4, certificate_spki)];
    for (i, (index, walk)) in ours.into_iter().enumerate() {
        if let Some(field) = walk(data) {
            assert_eq!(Some(field), der_tbs_field(data, index), "TBSCertificate field {index}");
            found.fields[i] = true;
        }
    }
    // The SPKI the walk found in the certificate, then the input itself.
    for spki in certificate_spki(data).into_iter().chain([data]) {
        if let Some(parts) = spki_parts(spki) {
            assert_eq!(
                Some(parts),
                der_spki_parts(spki),
                "the der crate refuses or reads otherwise an SPKI the walk accepts"
            );
            found.spki = true;
        }
    }
    found
}

/// `der_walk`'s reference: TBSCertificate field `index` after the optional
/// version and the serial, whole.
fn der_tbs_field(cert: &[u8], index: usize) -> Option<&[u8]> {
    use der::asn1::AnyRef;
    use der::{Decode, Reader, SliceReader, Tag, TagNumber, Tagged};
    let cert = AnyRef::from_der(cert).ok()?;
    let tbs: AnyRef<'_> = SliceReader::new(cert.value()).ok()?.decode().ok()?;
    let body = tbs.value();
    let mut t = SliceReader::new(body).ok()?;
    let first: AnyRef<'_> = t.decode().ok()?;
    if first.tag() == (Tag::ContextSpecific { constructed: true, number: TagNumber(0) }) {
        let _serial: AnyRef<'_> = t.decode().ok()?;
    }
    for _ in 0..index {
        let _: AnyRef<'_> = t.decode().ok()?;
    }
    let before = usize::try_from(u32::from(t.remaining_len())).ok()?;
    let _field: AnyRef<'_> = t.decode().ok()?;
    let after = usize::try_from(u32::from(t.remaining_len())).ok()?;
    let start = body.len() - before;
    body.get(start..start + (before - after))
}

/// `der_walk`'s reference: algorithm OID, parameters (tag, contents), key.
fn der_spki_parts(spki: &[u8]) -> Option<embertls::crypto::SpkiParts<'_>> {
    use der::asn1::{AnyRef, BitStringRef};
    use der::{Decode, Reader, SliceReader, Tag, Tagged};
    let spki = AnyRef::from_der(spki).ok().filter(|s| s.tag() == Tag::Sequence)?;
    let mut r = SliceReader::new(spki.value()).ok()?;
    let alg: AnyRef<'_> = r.decode().ok().filter(|a: &AnyRef<'_>| a.tag() == Tag::Sequence)?;
    let key: BitStringRef<'_> = r.decode().ok()?;
    if !r.is_finished() {
        return None;
    }
    let mut a = SliceReader::new(alg.value()).ok()?;
    let oid: AnyRef<'_> = a.decode().ok().filter(|o: &AnyRef<'_>| o.tag() == Tag::ObjectIdentifier)?;
    // The parameters' first octet is their tag (a one-octet tag: the walk refuses longer ones).
    let tag_at = alg.value().len() - usize::try_from(u32::from(a.remaining_len())).ok()?;
    let params =
        if a.is_finished() { None } else { Some((alg.value()[tag_at], a.decode::<AnyRef<'_>>().ok()?.value())) };
    if !a.is_finished() {
        return None;
    }
    Some(embertls::crypto::SpkiParts { algorithm: oid.value(), params, key: key.as_bytes()? })
}
