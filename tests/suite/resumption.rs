//! Session resumption with tickets (RFC 8446 §2.2, §4.6.1): against a real
//! `openssl s_server` on loopback (its `-www` page says `Reused` or `New`)
//! and the in-memory rustls server (which verifies the binders, also after
//! a HelloRetryRequest); the serialized ticket form; and what the first
//! ClientHello offers for expired, foreign-name, foreign-suite and undated
//! tickets; and that a session resumes only under the trust that made it
//! (TLS 1.3 tickets and TLS 1.2 sessions).

use crate::common;

use std::io::{Read, Write};
use std::sync::Arc;

use common::engine::{insecure, now};
use common::peer::{rng, rustls_config, tls_error, CertKind, MemPeer, OpensslServer, SUITES};
use common::provider::options;
use embertls::x509::{CaVerifier, Pin, PinVerifier, TrustOnFirstUse};
use embertls::{
    CipherSuite, Client, ClientConfig, DangerAcceptAnyServer, Error, Event, HandshakeSummary, NamedGroup,
    ProtocolVersion, ServerName, ServerVerifier, SessionTicket, TlsStream, Trust, UnixTime,
};

const GET: &[u8] = b"GET / HTTP/1.0\r\n\r\n";
const PRE_SHARED_KEY: u16 = 41;
const PSK_KEY_EXCHANGE_MODES: u16 = 45;

/// One `-www` exchange, fresh or resuming: (summary, page, newest ticket).
fn www<'a>(
    server: &OpensslServer,
    config: &'a ClientConfig<'a>,
    name: &'a str,
    now: Option<UnixTime>,
    ticket: Option<SessionTicket<'a>>,
) -> (HandshakeSummary<'a>, String, Option<Vec<u8>>) {
    let name = ServerName::parse(name);
    let tcp = server.connect();
    let tls = match ticket {
        Some(t) => TlsStream::connect(options(config, name).now(now).resuming(t), rng(), tcp),
        None => TlsStream::connect(options(config, name).now(now), rng(), tcp),
    };
    let mut tls = tls.unwrap_or_else(|e| panic!("handshake: {e} ({:?})", tls_error(&e)));
    let summary = tls.summary().expect("summary");
    tls.write_all(GET).expect("write GET");
    let mut page = Vec::new();
    tls.read_to_end(&mut page).expect("read the page");
    let ticket = tls.session_ticket().map(<[u8]>::to_vec);
    (summary, String::from_utf8_lossy(&page).into_owned(), ticket)
}

/// `openssl s_server` with the ECDSA identity answering `-www` `n` times.
fn www_server(suite: &str, n: usize) -> OpensslServer {
    OpensslServer::start(CertKind::Ecdsa, &["-ciphersuites", suite, "-www", "-naccept", &n.to_string()])
}

fn assert_page(page: &str, reused: bool) {
    let want = if reused { "Reused, TLSv1.3" } else { "New, TLSv1.3" };
    assert!(page.contains(want), "the server page should say {want:?}:\n{page}");
}

#[test]
fn openssl_resumes_each_suite() {
    for (suite, name) in SUITES {
        let server = www_server(name, 2);
        let cfg = insecure().with_cipher_suites(&[suite]).unwrap();
        let t0 = now();
        let (s1, page1, ticket) = www(&server, &cfg, "localhost", Some(t0), None);
        assert!(!s1.resumed && s1.cipher_suite == suite, "{name}: {s1:?}");
        assert_page(&page1, false);
        let bytes = ticket.unwrap_or_else(|| panic!("{name}: no session ticket after reading the page"));
        let t = SessionTicket::decode(&bytes).unwrap();
        assert_eq!(t.cipher_suite, suite, "{name}");
        assert_eq!(t.server_name, b"localhost", "{name}");
        assert_eq!(t.issued_at, t0.0, "{name}");
        assert_eq!(t.alpn, b"", "{name}");
        assert_eq!(t.trust, Trust::NotVerified, "issued over an unverified connection");
        assert!(t.lifetime > 0 && t.lifetime <= 604_800, "{name}: lifetime {}", t.lifetime);
        assert!(!t.ticket.is_empty(), "{name}");

        let (s2, page2, ticket2) = www(&server, &cfg, "localhost", Some(now()), Some(t));
        assert!(s2.resumed, "{name}: the ticket was not accepted: {s2:?}\n{page2}");
        assert_eq!(s2.cipher_suite, suite, "{name}");
        assert_eq!(s2.group, Some(NamedGroup::X25519), "{name}: psk_dhe_ke keeps forward secrecy");
        assert_eq!(s2.trust, Trust::NotVerified, "{name}: a resumed connection inherits the ticket's trust");
        assert!(!s2.is_verified());
        assert_page(&page2, true);
        let ticket2 = ticket2.expect("a resumed connection gets a fresh ticket");
        assert_ne!(SessionTicket::decode(&ticket2).unwrap().ticket, t.ticket, "{name}: tickets are single-use");
    }
}

/// A ticket for a suite of the same hash resumes with the other suite
/// (RFC 8446 §4.2.11); OpenSSL allows it.
#[test]
fn openssl_resumes_across_suites_of_one_hash() {
    let server = OpensslServer::start(CertKind::Ecdsa, &["-www", "-naccept", "2"]);
    let aes = insecure().with_cipher_suites(&[CipherSuite::Tls13Aes128GcmSha256]).unwrap();
    let chacha = insecure().with_cipher_suites(&[CipherSuite::Tls13Chacha20Poly1305Sha256]).unwrap();
    let (_, _, ticket) = www(&server, &aes, "localhost", Some(now()), None);
    let bytes = ticket.expect("ticket");
    let (s, page, _) = www(&server, &chacha, "localhost", Some(now()), Some(SessionTicket::decode(&bytes).unwrap()));
    assert!(s.resumed && s.cipher_suite == CipherSuite::Tls13Chacha20Poly1305Sha256, "{s:?}");
    assert_page(&page, true);
}

/// A new server process has a new ticket key: the ticket is declined and a
/// full handshake follows cleanly.
#[test]
fn openssl_refused_ticket_falls_back_to_a_full_handshake() {
    let cfg = insecure();
    let first = www_server("TLS_AES_128_GCM_SHA256", 1);
    let (_, _, ticket) = www(&first, &cfg, "localhost", Some(now()), None);
    drop(first);
    let bytes = ticket.expect("ticket");
    let second = www_server("TLS_AES_128_GCM_SHA256", 1);
    let (s, page, ticket2) = www(&second, &cfg, "localhost", Some(now()), Some(SessionTicket::decode(&bytes).unwrap()));
    assert!(!s.resumed && s.trust == Trust::NotVerified, "{s:?}");
    assert_page(&page, false);
    assert!(ticket2.is_some(), "the full handshake brings a new ticket");
}

#[test]
fn openssl_expired_ticket_means_a_full_handshake() {
    let server = www_server("TLS_AES_128_GCM_SHA256", 2);
    let cfg = insecure();
    let (_, _, ticket) = www(&server, &cfg, "localhost", Some(now()), None);
    let bytes = ticket.expect("ticket");
    let t = SessionTicket::decode(&bytes).unwrap();
    let later = UnixTime(t.issued_at + u64::from(t.lifetime) + 1);
    let (s, page, _) = www(&server, &cfg, "localhost", Some(later), Some(t));
    assert!(!s.resumed, "{s:?}");
    assert_page(&page, false);
}

#[test]
fn openssl_ticket_for_another_name_means_a_full_handshake() {
    let server = www_server("TLS_AES_128_GCM_SHA256", 3);
    let cfg = insecure();
    let (_, _, ticket) = www(&server, &cfg, "localhost", Some(now()), None);
    let bytes = ticket.expect("ticket");
    let (s, page, _) = www(&server, &cfg, "otherhost", Some(now()), Some(SessionTicket::decode(&bytes).unwrap()));
    assert!(!s.resumed, "the client must not offer a ticket issued for another name: {s:?}");
    assert_page(&page, false);
    // The control: OpenSSL does not tie its tickets to the SNI, so the same
    // ticket relabelled "otherhost" (the name is the last field but the
    // empty ALPN) is offered and resumes. The check above is the client's.
    let mut relabelled = bytes.clone();
    let at = relabelled.len() - 1 - 9;
    assert_eq!(&relabelled[at..at + 9], b"localhost");
    relabelled[at..at + 9].copy_from_slice(b"otherhost");
    let (s, page, _) = www(&server, &cfg, "otherhost", Some(now()), Some(SessionTicket::decode(&relabelled).unwrap()));
    assert!(s.resumed, "{s:?}");
    assert_page(&page, true);
}

/// A ticket whose resumption secret was corrupted (e.g. in flash) decodes
/// (the format has no checksum) and fails at the server: observed behaviour.
#[test]
fn openssl_corrupted_resumption_secret() {
    let server = www_server("TLS_AES_128_GCM_SHA256", 2);
    let cfg = insecure();
    let (_, _, ticket) = www(&server, &cfg, "localhost", Some(now()), None);
    let mut bytes = ticket.expect("ticket");
    // The PSK starts after magic(4) version(2) suite(2) lifetime(4) age_add(4) issued_at(8) max_early(4)
    // trust(1) trust_id(1 + 32) len(1).
    bytes[63] ^= 1;
    let t = SessionTicket::decode(&bytes).expect("the format has no integrity check: a flipped PSK bit decodes");
    let tcp = server.connect();
    let e = match TlsStream::connect(
        options(&cfg, ServerName::parse("localhost")).now(Some(now())).resuming(t),
        rng(),
        tcp,
    ) {
        Ok(s) => panic!("a wrong binder was accepted: {:?}", s.summary()),
        Err(e) => e,
    };
    let e = tls_error(&e).unwrap_or_else(|| panic!("not an engine error: {e}"));
    // OpenSSL answers a binder that does not verify with illegal_parameter;
    // the client does not retry without the ticket by itself, but says to drop it.
    assert_eq!(*e, Error::TicketRefused(embertls::AlertDescription::IllegalParameter), "{e}");
    assert!(e.to_string().contains("discard it"), "{e}");
}

// ---------------------------------------------------------------------------
// The serialized form
// ---------------------------------------------------------------------------

/// The documented serialized layout, built by hand.
#[allow(clippy::too_many_arguments)]
fn serialized(
    suite: u16,
    lifetime: u32,
    age_add: u32,
    issued_at: u64,
    max_early: u32,
    trust: u8,
    psk: &[u8],
    ticket: &[u8],
    name: &[u8],
    alpn: &[u8],
) -> Vec<u8> {
    let mut v = b"ETK\x03".to_vec();
    v.extend_from_slice(&0x0304u16.to_be_bytes());
    v.extend_from_slice(&suite.to_be_bytes());
    v.extend_from_slice(&lifetime.to_be_bytes());
    v.extend_from_slice(&age_add.to_be_bytes());
    v.extend_from_slice(&issued_at.to_be_bytes());
    v.extend_from_slice(&max_early.to_be_bytes());
    v.push(trust);
    // Made under `insecure()` (any server accepted).
    let id = insecure().session_trust_id(Trust::NotVerified).unwrap();
    v.push(32);
    v.extend_from_slice(id.as_bytes());
    v.push(psk.len() as u8);
    v.extend_from_slice(psk);
    v.extend_from_slice(&(ticket.len() as u16).to_be_bytes());
    v.extend_from_slice(ticket);
    v.push(0); // no TLS 1.2 session ID
    v.push(name.len() as u8);
    v.extend_from_slice(name);
    v.push(alpn.len() as u8);
    v.extend_from_slice(alpn);
    v
}

fn sample() -> Vec<u8> {
    serialized(0x1301, 7200, 0x0102_0304, 1_790_000_000, 0, 1, &[9; 32], b"opaque-ticket", b"localhost", b"mqtt")
}

#[test]
fn decode_reads_every_field() {
    let bytes = sample();
    let t = SessionTicket::decode(&bytes).unwrap();
    assert_eq!(t.cipher_suite, CipherSuite::Tls13Aes128GcmSha256);
    assert_eq!((t.lifetime, t.age_add, t.issued_at, t.max_early_data), (7200, 0x0102_0304, 1_790_000_000, 0));
    assert_eq!(t.trust, Trust::Verified);
    assert_eq!((t.ticket, t.server_name, t.alpn), (&b"opaque-ticket"[..], &b"localhost"[..], &b"mqtt"[..]));
    assert_eq!(SessionTicket::decode(&bytes.clone()).unwrap(), t);
    let dbg = format!("{t:?}");
    assert!(!dbg.contains("9, 9"), "the resumption secret must not be in Debug: {dbg}");
    // SHA-384 suites carry a 48-byte secret.
    let b384 = serialized(0x1302, 1, 2, 3, 4, 0, &[1; 48], b"t", b"h", b"");
    let t = SessionTicket::decode(&b384).unwrap();
    assert_eq!((t.cipher_suite, t.max_early_data, t.trust), (CipherSuite::Tls13Aes256GcmSha384, 4, Trust::NotVerified));
}

/// A ticket from a real server survives the trip through bytes: what
/// `session_ticket()` wrote decodes to the values the connection had, and
/// resuming from a copy of the bytes works (rustls verifies the binder).
#[test]
fn real_ticket_round_trip() {
    let ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
    let mut sc = rustls_config(CertKind::Ecdsa, &[CipherSuite::Tls13Chacha20Poly1305Sha256], &[]);
    sc.ticketer = ticketer;
    let cfg = insecure().with_alpn(&[b"mqtt"]).unwrap();
    sc.alpn_protocols = vec![b"mqtt".to_vec()];
    let mut first = MemPeer::new(&cfg, sc.clone());
    first.handshake();
    let bytes = first.take_tickets().expect("rustls sends tickets");
    assert_eq!(first.tickets, 2, "rustls sends two TLS 1.3 tickets by default");
    let t = SessionTicket::decode(&bytes).unwrap();
    assert_eq!(t.cipher_suite, CipherSuite::Tls13Chacha20Poly1305Sha256);
    assert_eq!((t.server_name, t.alpn, t.issued_at), (&b"localhost"[..], &b"mqtt"[..], 0));
    assert_eq!(t.trust, Trust::NotVerified);
    let stored = bytes.to_vec(); // as if read back from flash
    let mut second = MemPeer::resuming(&cfg, sc, None, SessionTicket::decode(&stored).unwrap().with_age(1));
    let s = second.handshake();
    assert!(s.resumed && s.alpn == Some(&b"mqtt"[..]), "{s:?}");
}

#[test]
fn truncated_tickets_are_refused() {
    let bytes = sample();
    for n in 0..bytes.len() {
        let e = SessionTicket::decode(&bytes[..n]).unwrap_err();
        let Error::Config(msg) = e else { panic!("{n} bytes: expected Error::Config, got {e:?}") };
        assert!(msg.contains("not a valid serialized session ticket"), "{n} bytes: {msg}");
    }
}

#[test]
fn corrupted_tickets_are_refused() {
    let good = sample();
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut magic = good.clone();
    magic[0] = b'X';
    cases.push(("magic", magic));
    let mut version = good.clone();
    version[3] = 1;
    cases.push(("format version", version));
    let mut protocol = good.clone();
    protocol[5] = 0x03; // TLS 1.2 with a TLS 1.3 suite
    cases.push(("protocol version", protocol));
    let mut trust = good.clone();
    trust[28] = 3;
    cases.push(("trust kind", trust));
    let mut id_len = good.clone();
    id_len[29] = 31;
    cases.push(("trust id of 31 bytes", id_len));
    let mut trailing = good.clone();
    trailing.push(0);
    cases.push(("trailing byte", trailing));
    cases.push(("psk of 31 bytes", serialized(0x1301, 1, 1, 1, 0, 0, &[1; 31], b"t", b"h", b"")));
    cases.push(("psk of 49 bytes", serialized(0x1301, 1, 1, 1, 0, 0, &[1; 49], b"t", b"h", b"")));
    cases.push(("empty ticket", serialized(0x1301, 1, 1, 1, 0, 0, &[1; 32], b"", b"h", b"")));
    let mut long_name = good.clone();
    let name_len_at = good.len() - 1 - 4 - 1 - 9; // alpn "mqtt" and its length, name "localhost"
    assert_eq!(long_name[name_len_at], 9);
    long_name[name_len_at] = 200;
    cases.push(("name length past the end", long_name));
    cases.push(("text", b"not a ticket at all, just some text".to_vec()));
    for (what, bytes) in cases {
        match SessionTicket::decode(&bytes) {
            Err(Error::Config(msg)) => assert!(msg.contains("not a valid serialized session ticket"), "{what}: {msg}"),
            other => panic!("{what}: expected Error::Config, got {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------
// What the first ClientHello offers
// ---------------------------------------------------------------------------

/// The extensions of the ClientHello a client queued first: (type, body).
fn client_hello_extensions(out: &[u8]) -> Vec<(u16, Vec<u8>)> {
    assert_eq!(out[0], 22, "a handshake record");
    let hs = &out[5..];
    assert_eq!(hs[0], 1, "a ClientHello");
    let mut p = 4 + 2 + 32;
    p += 1 + hs[p] as usize; // session id
    p += 2 + u16::from_be_bytes([hs[p], hs[p + 1]]) as usize; // suites
    p += 1 + hs[p] as usize; // compression
    let end = p + 2 + u16::from_be_bytes([hs[p], hs[p + 1]]) as usize;
    p += 2;
    let mut exts = Vec::new();
    while p < end {
        let typ = u16::from_be_bytes([hs[p], hs[p + 1]]);
        let len = u16::from_be_bytes([hs[p + 2], hs[p + 3]]) as usize;
        exts.push((typ, hs[p + 4..p + 4 + len].to_vec()));
        p += 4 + len;
    }
    assert_eq!(p, end);
    exts
}

/// The pre_shared_key offer (identity, obfuscated_ticket_age, binder length)
/// of a resuming client's first ClientHello, or `None` if it offers none.
fn offer(cfg: &ClientConfig<'_>, name: &str, now: Option<u64>, bytes: &[u8]) -> Option<(Vec<u8>, u32, usize)> {
    offer_ticket(cfg, name, now, SessionTicket::decode(bytes).unwrap())
}

/// As [`offer`], for a decoded ticket (e.g. one given an age).
fn offer_ticket(
    cfg: &ClientConfig<'_>,
    name: &str,
    now: Option<u64>,
    t: SessionTicket<'_>,
) -> Option<(Vec<u8>, u32, usize)> {
    let c = Client::new(
        options(cfg, ServerName::parse(name)).now(now.map(UnixTime)).resuming(t),
        rng(),
        vec![0; 4096],
        vec![0; 4096],
    )
    .unwrap();
    let exts = client_hello_extensions(c.outgoing());
    let (last, body) = exts.last().unwrap();
    if *last != PRE_SHARED_KEY {
        assert!(exts.iter().all(|e| e.0 != PRE_SHARED_KEY), "pre_shared_key must be the last extension");
        return None;
    }
    let modes = exts.iter().find(|e| e.0 == PSK_KEY_EXCHANGE_MODES).expect("psk_key_exchange_modes with a PSK");
    assert_eq!(modes.1, [1, 1], "psk_dhe_ke only for tickets");
    let ids_len = u16::from_be_bytes([body[0], body[1]]) as usize;
    let id_len = u16::from_be_bytes([body[2], body[3]]) as usize;
    assert_eq!(ids_len, 2 + id_len + 4, "exactly one identity");
    let identity = body[4..4 + id_len].to_vec();
    let age = u32::from_be_bytes(body[4 + id_len..8 + id_len].try_into().unwrap());
    let binders = &body[2 + ids_len..];
    let binder_len = binders[2] as usize;
    assert_eq!(binders.len(), 3 + binder_len, "exactly one binder");
    Some((identity, age, binder_len))
}

#[test]
fn ticket_lifetime_is_checked_against_caller_time() {
    let cfg = insecure();
    let issued = 1_790_000_000;
    let bytes = serialized(0x1301, 100, 1000, issued, 0, 0, &[3; 32], b"tkt", b"localhost", b"");
    let (id, age, binder) = offer(&cfg, "localhost", Some(issued + 100), &bytes).expect("offered at the last second");
    assert_eq!((id.as_slice(), binder), (&b"tkt"[..], 32));
    assert_eq!(age, 100_000 + 1000, "obfuscated_ticket_age = age in ms + age_add (§4.2.11.1)");
    assert_eq!(offer(&cfg, "localhost", Some(issued), &bytes).unwrap().1, 1000);
    assert_eq!(offer(&cfg, "localhost", Some(issued + 101), &bytes), None, "expired");
    // A clock that went backwards is not trusted with the ticket.
    assert_eq!(offer(&cfg, "localhost", Some(issued - 1), &bytes), None, "issued in the future");
}

/// Issue 13.5: a ticket whose age the client cannot know (no time now, or
/// none when it was issued) is not offered, since neither the server's
/// lifetime nor the 7-day cap could be applied (§4.6.1); the caller's own
/// elapsed time (RTC, deep-sleep counter) makes it usable again.
#[test]
fn a_ticket_is_offered_only_when_its_age_is_known() {
    let cfg = insecure();
    let issued = 1_790_000_000;
    let dated = serialized(0x1301, 100, 1000, issued, 0, 0, &[3; 32], b"tkt", b"localhost", b"");
    let undated = serialized(0x1301, 100, 1000, 0, 0, 0, &[3; 32], b"tkt", b"localhost", b"");
    assert_eq!(offer(&cfg, "localhost", None, &dated), None, "no time now");
    assert_eq!(offer(&cfg, "localhost", Some(issued), &undated), None, "no time at issue");
    assert_eq!(offer(&cfg, "localhost", None, &undated), None, "no time at all");
    for bytes in [&dated, &undated] {
        let aged = |secs| SessionTicket::decode(bytes).unwrap().with_age(secs);
        let (_, age, _) = offer_ticket(&cfg, "localhost", None, aged(100)).expect("the caller's age is used");
        assert_eq!(age, 100_000 + 1000);
        assert_eq!(offer_ticket(&cfg, "localhost", None, aged(101)), None, "past the server's lifetime");
        // The caller's age wins over the clock (which may have been set wrong since).
        assert_eq!(offer_ticket(&cfg, "localhost", Some(issued + 5000), aged(7)).unwrap().1, 7000 + 1000);
    }
    let week = serialized(0x1301, u32::MAX, 0, 0, 0, 0, &[3; 32], b"tkt", b"localhost", b"");
    let aged = |secs| SessionTicket::decode(&week).unwrap().with_age(secs);
    assert!(offer_ticket(&cfg, "localhost", None, aged(604_800)).is_some());
    assert_eq!(offer_ticket(&cfg, "localhost", None, aged(604_801)), None, "the 7-day cap applies to the caller's age");
}

/// RFC 8446 §4.6.1: "Clients MUST NOT cache tickets for longer than 7 days,
/// regardless of the ticket_lifetime" (servers must not send more than
/// 604800 s, but a client cannot rely on that).
#[test]
fn tickets_older_than_seven_days_are_not_offered() {
    let cfg = insecure();
    let issued = 1_790_000_000;
    let bytes = serialized(0x1301, u32::MAX, 0, issued, 0, 0, &[3; 32], b"tkt", b"localhost", b"");
    assert!(offer(&cfg, "localhost", Some(issued + 604_800), &bytes).is_some());
    assert_eq!(offer(&cfg, "localhost", Some(issued + 604_801), &bytes), None, "older than 7 days");
}

/// RFC 8446 §4.6.1: "A value of zero indicates that the ticket should be
/// discarded immediately."
#[test]
fn zero_lifetime_ticket_is_not_offered() {
    let cfg = insecure();
    let issued = 1_790_000_000;
    let bytes = serialized(0x1301, 0, 0, issued, 0, 0, &[3; 32], b"tkt", b"localhost", b"");
    assert_eq!(offer(&cfg, "localhost", Some(issued), &bytes), None, "with a clock");
    assert_eq!(offer(&cfg, "localhost", None, &bytes), None, "without a clock");
}

#[test]
fn ticket_is_offered_only_to_its_server_and_hash() {
    let bytes = serialized(0x1301, 100, 0, 1, 0, 0, &[3; 32], b"tkt", b"localhost", b"");
    let all = insecure();
    assert!(offer(&all, "localhost", Some(50), &bytes).is_some());
    assert!(offer(&all, "other.example", Some(50), &bytes).is_none());
    assert!(offer(&all, "127.0.0.1", Some(50), &bytes).is_none());
    let chacha = insecure().with_cipher_suites(&[CipherSuite::Tls13Chacha20Poly1305Sha256]).unwrap();
    assert!(offer(&chacha, "localhost", Some(50), &bytes).is_some(), "same hash (SHA-256)");
    let aes256 = insecure().with_cipher_suites(&[CipherSuite::Tls13Aes256GcmSha384]).unwrap();
    assert!(offer(&aes256, "localhost", Some(50), &bytes).is_none(), "SHA-384 only");
    let b384 = serialized(0x1302, 100, 0, 1, 0, 0, &[3; 48], b"tkt", b"localhost", b"");
    assert_eq!(offer(&aes256, "localhost", Some(50), &b384).map(|o| o.2), Some(48));
    assert!(offer(&chacha, "localhost", Some(50), &b384).is_none());
    let unknown = serialized(0x1304, 100, 0, 1, 0, 0, &[3; 32], b"tkt", b"localhost", b"");
    assert!(offer(&all, "localhost", Some(50), &unknown).is_none(), "a suite this build does not have");
}

// ---------------------------------------------------------------------------
// The in-memory rustls server
// ---------------------------------------------------------------------------

fn ticketing(
    suites: &[CipherSuite],
    groups: &[NamedGroup],
    ticketer: &Arc<dyn rustls::server::ProducesTickets>,
) -> rustls::ServerConfig {
    let mut sc = rustls_config(CertKind::Ecdsa, suites, groups);
    sc.ticketer = ticketer.clone();
    sc
}

#[test]
fn rustls_resumes_each_suite() {
    for (suite, name) in SUITES {
        let ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
        let sc = ticketing(&[suite], &[], &ticketer);
        let cfg = insecure();
        let mut first = MemPeer::new(&cfg, sc.clone());
        let s1 = first.handshake();
        let bytes = first.take_tickets().unwrap_or_else(|| panic!("{name}: no ticket"));
        assert!(!s1.resumed);
        let t = SessionTicket::decode(&bytes).unwrap();
        let mut second = MemPeer::resuming(&cfg, sc, None, t.with_age(1));
        let s2 = second.handshake();
        assert!(s2.resumed && s2.cipher_suite == suite && !s2.hello_retry, "{name}: {s2:?}");
        assert_eq!(second.server.handshake_kind(), Some(rustls::HandshakeKind::Resumed), "{name}");
        second.client_write(b"ping");
        assert_eq!(second.server_read(), b"ping", "{name}");
        second.server_write(b"pong");
        assert_eq!(second.client_read(4), b"pong", "{name}");
    }
}

/// The server only has P-256 while the client's key share is x25519: the
/// resuming ClientHello is retried, and its binder must be recomputed over
/// the transcript that starts with message_hash (rustls verifies it).
#[test]
fn rustls_resumption_after_hello_retry() {
    let ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
    let cfg = insecure();
    assert_eq!(embertls::DEFAULT_GROUPS[0], NamedGroup::X25519, "the first key share is x25519");
    let mut first = MemPeer::new(&cfg, ticketing(&[], &[], &ticketer));
    let s1 = first.handshake();
    assert!(!s1.hello_retry && s1.group == Some(NamedGroup::X25519));
    let bytes = first.take_tickets().expect("ticket");
    let t = SessionTicket::decode(&bytes).unwrap();
    let mut second = MemPeer::resuming(&cfg, ticketing(&[], &[NamedGroup::Secp256r1], &ticketer), None, t.with_age(1));
    let s2 = second.handshake();
    assert!(s2.hello_retry && s2.resumed && s2.group == Some(NamedGroup::Secp256r1), "{s2:?}");
    assert_eq!(second.server.handshake_kind(), Some(rustls::HandshakeKind::Resumed));
    assert!(second.server_error.is_none(), "{:?}", second.server_error);
    second.client_write(b"after hrr");
    assert_eq!(second.server_read(), b"after hrr");
}

/// A server with another ticket key cannot decrypt the ticket: full handshake.
#[test]
fn rustls_refused_ticket_falls_back() {
    let cfg = insecure();
    let mut first = MemPeer::new(&cfg, ticketing(&[], &[], &rustls::crypto::ring::Ticketer::new().unwrap()));
    first.handshake();
    let bytes = first.take_tickets().expect("ticket");
    let t = SessionTicket::decode(&bytes).unwrap();
    let other = rustls::crypto::ring::Ticketer::new().unwrap();
    let mut second = MemPeer::resuming(&cfg, ticketing(&[], &[], &other), None, t.with_age(1));
    let s = second.handshake();
    assert!(!s.resumed && s.trust == Trust::NotVerified, "{s:?}");
    assert_eq!(second.server.handshake_kind(), Some(rustls::HandshakeKind::Full));
    assert!(second.take_tickets().is_some(), "a new ticket after the full handshake");
}

/// A ticket declined after a HelloRetryRequest (new ticket key and only P-256).
#[test]
fn rustls_refused_ticket_after_hello_retry() {
    let cfg = insecure();
    let mut first = MemPeer::new(&cfg, ticketing(&[], &[], &rustls::crypto::ring::Ticketer::new().unwrap()));
    first.handshake();
    let bytes = first.take_tickets().expect("ticket");
    let t = SessionTicket::decode(&bytes).unwrap();
    let other = rustls::crypto::ring::Ticketer::new().unwrap();
    let mut second = MemPeer::resuming(&cfg, ticketing(&[], &[NamedGroup::Secp256r1], &other), None, t.with_age(1));
    let s = second.handshake();
    assert!(!s.resumed && s.hello_retry, "{s:?}");
    assert_eq!(second.server.handshake_kind(), Some(rustls::HandshakeKind::FullWithHelloRetryRequest));
}

/// A SHA-256 ticket while the server picks the SHA-384 suite: the ticket
/// cannot be used with it (§4.2.11), full handshake.
#[test]
fn rustls_ticket_of_another_hash_is_not_used() {
    let ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
    let cfg = insecure();
    let mut first = MemPeer::new(&cfg, ticketing(&[CipherSuite::Tls13Aes128GcmSha256], &[], &ticketer));
    first.handshake();
    let bytes = first.take_tickets().expect("ticket");
    let t = SessionTicket::decode(&bytes).unwrap();
    let mut second =
        MemPeer::resuming(&cfg, ticketing(&[CipherSuite::Tls13Aes256GcmSha384], &[], &ticketer), None, t.with_age(1));
    let s = second.handshake();
    assert!(!s.resumed && s.cipher_suite == CipherSuite::Tls13Aes256GcmSha384, "{s:?}");
}

// ---------------------------------------------------------------------------
// Sessions keep their trust (issue 13.1)
// ---------------------------------------------------------------------------

const NOW: UnixTime = UnixTime(1_800_000_000);

/// An in-memory rustls server with the ECDSA identity (issued by
/// `vectors/peer/ecdsa-ca.pem`) that resumes TLS 1.3 tickets or TLS 1.2
/// session IDs; clones share their ticket key and session cache.
fn resuming_server(version: ProtocolVersion) -> rustls::ServerConfig {
    match version {
        ProtocolVersion::Tls13 => ticketing(&[], &[], &rustls::crypto::ring::Ticketer::new().unwrap()),
        _ => common::peer::rustls_config_tls12(CertKind::Ecdsa, &[], &[]),
    }
}

/// A full handshake under `config` at [`NOW`]; the newest session it left.
fn session_from(config: &ClientConfig<'_>, server: &rustls::ServerConfig) -> Vec<u8> {
    let mut p = MemPeer::new(config, server.clone());
    p.client = Client::new(
        options(config, ServerName::parse("localhost")).now(Some(NOW)),
        rng(),
        vec![0; 16_709],
        vec![0; 4096],
    )
    .unwrap();
    p.handshake();
    p.take_tickets().expect("a session to resume")
}

/// Offers `session` under `config` 10 s later: (resumed, trust), or the error.
fn resume_under(
    config: &ClientConfig<'_>,
    server: &rustls::ServerConfig,
    session: &[u8],
) -> Result<(bool, Trust), Error> {
    let t = SessionTicket::decode(session).unwrap();
    let mut p = MemPeer::resuming(config, server.clone(), Some(UnixTime(NOW.0 + 10)), t);
    p.try_handshake().map(|s| (s.resumed, s.trust))
}

fn ca(file: &str) -> CaVerifier {
    CaVerifier::from_pem(&std::fs::read(common::peer::peer_file(file)).unwrap()).unwrap()
}

fn config_for(verifier: &(dyn ServerVerifier + Sync), version: ProtocolVersion) -> ClientConfig<'_> {
    ClientConfig::new(verifier).with_versions(&[version]).unwrap()
}

/// The case, in both versions: a session made while the server was
/// not verified is not offered by a configuration that verifies; the full
/// handshake then runs, and refuses the certificate the CA did not issue.
/// (Before the fix the server resumed and the client reported `verified=no`.)
#[test]
fn an_unverified_session_is_not_offered_to_a_verifying_config() {
    for version in [ProtocolVersion::Tls13, ProtocolVersion::Tls12] {
        let server = resuming_server(version);
        let any = config_for(&DangerAcceptAnyServer, version);
        let session = session_from(&any, &server);
        assert_eq!(SessionTicket::decode(&session).unwrap().trust, Trust::NotVerified);
        // Sanity: the same trust resumes.
        assert_eq!(resume_under(&any, &server, &session), Ok((true, Trust::NotVerified)), "{version:?}");
        // A CA that did not issue the server's certificate.
        let other = ca("other-ca.pem");
        let err = resume_under(&config_for(&other, version), &server, &session).expect_err("must not resume");
        assert!(matches!(err, Error::Certificate(_)), "{version:?}: a full handshake refuses the chain: {err}");
        // The CA that did: a full, verified handshake instead of an inherited "not verified".
        let issuer = ca("ecdsa-ca.pem");
        assert_eq!(resume_under(&config_for(&issuer, version), &server, &session), Ok((false, Trust::Verified)));
        // Pins: the leaf's pin verifies, but not by inheritance.
        let pins = [Pin::spki_of_certificate(&CertKind::Ecdsa.cert_der()).unwrap()];
        let pinned = PinVerifier::new(&pins);
        assert_eq!(resume_under(&config_for(&pinned, version), &server, &session), Ok((false, Trust::Verified)));
    }
}

/// A verified session resumes under the same trust, even from a verifier
/// built again from the same file, and under nothing else: another anchor
/// set, other options, other pins, or an accept-any configuration.
#[test]
fn a_verified_session_resumes_only_under_the_same_trust() {
    for version in [ProtocolVersion::Tls13, ProtocolVersion::Tls12] {
        let server = resuming_server(version);
        let issuer = ca("ecdsa-ca.pem");
        let session = session_from(&config_for(&issuer, version), &server);
        assert_eq!(SessionTicket::decode(&session).unwrap().trust, Trust::Verified);
        let again = ca("ecdsa-ca.pem");
        assert_eq!(resume_under(&config_for(&again, version), &server, &session), Ok((true, Trust::Verified)));
        let both = {
            let mut pem = std::fs::read(common::peer::peer_file("ecdsa-ca.pem")).unwrap();
            pem.extend(std::fs::read(common::peer::peer_file("other-ca.pem")).unwrap());
            CaVerifier::from_pem(&pem).unwrap()
        };
        let no_time = ca("ecdsa-ca.pem").skip_time_checks();
        let weaker_rsa = config_for(&again, version).with_min_rsa_bits(1024).unwrap();
        for (what, cfg) in [
            ("one more anchor", config_for(&both, version)),
            ("no time checks", config_for(&no_time, version)),
            ("a lower RSA floor", weaker_rsa),
            ("accept any", config_for(&DangerAcceptAnyServer, version)),
        ] {
            let (resumed, _) = resume_under(&cfg, &server, &session).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert!(!resumed, "{version:?}, {what}: the session must not be offered");
        }
    }
}

/// Trust on first use accepts any server, like `DangerAcceptAnyServer`: its
/// sessions resume there and under nothing that verifies; a verifier
/// without a `trust_id` never resumes (every connection is full).
#[test]
fn first_use_and_unidentified_verifiers() {
    struct Opaque;
    impl ServerVerifier for Opaque {
        fn verify_server(
            &self,
            _: &embertls::CertificateChain<'_>,
            _: &ServerName<'_>,
            _: Option<UnixTime>,
        ) -> Result<Trust, embertls::CertError> {
            Ok(Trust::Verified)
        }
    }
    for version in [ProtocolVersion::Tls13, ProtocolVersion::Tls12] {
        let server = resuming_server(version);
        let tofu = TrustOnFirstUse::record();
        let session = session_from(&config_for(&tofu, version), &server);
        let any = config_for(&DangerAcceptAnyServer, version);
        assert_eq!(resume_under(&any, &server, &session), Ok((true, Trust::NotVerified)), "{version:?}");
        let pins = [tofu.recorded().unwrap().pin];
        let pinned = PinVerifier::new(&pins);
        assert_eq!(resume_under(&config_for(&pinned, version), &server, &session), Ok((false, Trust::Verified)));

        let opaque = config_for(&Opaque, version);
        let session = session_from(&opaque, &server);
        assert_eq!(SessionTicket::decode(&session).unwrap().trust_id(), None);
        assert_eq!(resume_under(&opaque, &server, &session), Ok((false, Trust::Verified)), "{version:?}");
    }
}

// ---------------------------------------------------------------------------
// Sessions larger than a record (issue 13.4)
// ---------------------------------------------------------------------------

/// rustls' ticketer with every ticket padded to `size` bytes.
#[derive(Debug)]
struct PaddedTickets {
    inner: Arc<dyn rustls::server::ProducesTickets>,
    size: usize,
}

impl rustls::server::ProducesTickets for PaddedTickets {
    fn enabled(&self) -> bool {
        true
    }

    fn lifetime(&self) -> u32 {
        self.inner.lifetime()
    }

    fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
        let sealed = self.inner.encrypt(plain)?;
        let mut t = (sealed.len() as u16).to_be_bytes().to_vec();
        t.extend(sealed);
        t.resize(self.size, 0xee);
        Some(t)
    }

    fn decrypt(&self, ticket: &[u8]) -> Option<Vec<u8>> {
        let n = u16::from_be_bytes([*ticket.first()?, *ticket.get(1)?]) as usize;
        self.inner.decrypt(ticket.get(2..2 + n)?)
    }
}

/// Runs the handshake and the exchanges after it; the newest session announced.
fn keep_session(p: &mut MemPeer<'_>) -> Vec<u8> {
    let mut newest = None;
    loop {
        match p.next_event().expect("handshake") {
            Event::SessionTicket => {
                let mut buf = vec![0u8; 70_000];
                let n = p.client.session_ticket(&mut buf).expect("session_ticket");
                newest = Some(buf[..n].to_vec());
            }
            Event::HandshakeComplete(_) => p.client_to_server(),
            Event::NeedData => return newest.expect("a session"),
            other => panic!("{other:?}"),
        }
    }
}

/// A 17 000-byte ticket, in both versions, makes the resuming ClientHello
/// larger than a record: with a send buffer that holds it, it goes out as
/// two records and the session resumes (rustls checks the TLS 1.3 binder,
/// computed over the whole message); with a 4 KB send buffer the session is
/// not offered and a full handshake runs, instead of an error.
#[test]
fn a_ticket_larger_than_a_record() {
    for version in [ProtocolVersion::Tls13, ProtocolVersion::Tls12] {
        let mut sc = match version {
            ProtocolVersion::Tls13 => rustls_config(CertKind::Ecdsa, &[], &[]),
            _ => common::peer::rustls_config_tls12(CertKind::Ecdsa, &[], &[]),
        };
        let ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
        sc.ticketer = Arc::new(PaddedTickets { inner: ticketer, size: 17_000 });
        let cfg = config_for(&DangerAcceptAnyServer, version);
        let big = || vec![0u8; 48 * 1024];
        let localhost = ServerName::parse("localhost");
        let mut first = MemPeer::new(&cfg, sc.clone());
        first.client = Client::new(options(&cfg, localhost).now(Some(NOW)), rng(), big(), big()).unwrap();
        let session = keep_session(&mut first);
        let t = SessionTicket::decode(&session).unwrap();
        assert_eq!(t.ticket.len(), 17_000, "{version:?}");
        let resume = |tx: usize| {
            let mut p = MemPeer::new(&cfg, sc.clone());
            let later = Some(UnixTime(NOW.0 + 10));
            p.client = Client::new(options(&cfg, localhost).now(later).resuming(t), rng(), big(), vec![0; tx])
                .unwrap_or_else(|e| panic!("{version:?}, {tx}-byte send buffer: {e}"));
            let hello = p.client.outgoing().len();
            p.try_handshake().map(|s| (s.resumed, hello))
        };
        let (resumed, hello) = resume(48 * 1024).unwrap_or_else(|e| panic!("{version:?}: {e}"));
        assert!(resumed && hello > 17_000 + 2 * 5, "{version:?}: resumed with a {hello}-byte hello");
        let (resumed, hello) = resume(4096).unwrap_or_else(|e| panic!("{version:?}: {e}"));
        assert!(!resumed && hello < 4096, "{version:?}: a full handshake with a {hello}-byte hello");
    }
}

/// A TLS 1.3 ticket larger than the receive buffer (20 000 bytes against
/// 16 645) is dropped as its records arrive: the connection goes on and data
/// flows; before, the connection ended with ReceiveBufferTooSmall after a
/// completed handshake (issue 13.4, the receiving side).
#[test]
fn a_ticket_larger_than_the_receive_buffer_is_dropped() {
    let mut sc = rustls_config(CertKind::Ecdsa, &[], &[]);
    let ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
    sc.ticketer = Arc::new(PaddedTickets { inner: ticketer, size: 20_000 });
    let cfg = config_for(&DangerAcceptAnyServer, ProtocolVersion::Tls13);
    let mut p = MemPeer::new(&cfg, sc);
    p.handshake();
    assert_eq!(p.take_tickets(), None, "no ticket kept");
    p.server_write(b"after two oversized tickets");
    assert_eq!(p.client_read(27), b"after two oversized tickets");
    p.client_write(b"and back");
    assert_eq!(p.server_read(), b"and back");
}

// ---------------------------------------------------------------------------
// The exact sequence of events per handshake kind (issue 15 item 5)
// ---------------------------------------------------------------------------

/// A client for "localhost" at [`NOW`], offering `session` if given.
fn peer_at<'a>(cfg: &'a ClientConfig<'a>, server: rustls::ServerConfig, session: Option<&'a [u8]>) -> MemPeer<'a> {
    let mut p = MemPeer::new(cfg, server);
    let options = options(cfg, ServerName::parse("localhost")).now(NOW);
    let options = match session {
        Some(t) => options.resuming(SessionTicket::decode(t).unwrap()),
        None => options,
    };
    p.client = Client::new(options, rng(), vec![0; 16_709], vec![0; 16_709]).unwrap();
    p
}

/// Full, retried and resumed handshakes in both versions report exactly these
/// events, in this order: where a session is announced (TLS 1.2 tickets
/// before HandshakeComplete, RFC 5077 §3.3; TLS 1.2 session IDs once right
/// after it; TLS 1.3 tickets after it, §4.6.1), then data, then the close.
/// The other kinds: external PSKs in `psk::events_of_psk_handshakes` and
/// `tls12_peers::events_of_psk_handshakes`, client certificates in
/// `client_auth::` and `tls12_rustls::events_with_a_client_certificate`.
#[test]
fn events_of_each_handshake_kind() {
    let any13 = config_for(&DangerAcceptAnyServer, ProtocolVersion::Tls13);
    let any12 = config_for(&DangerAcceptAnyServer, ProtocolVersion::Tls12);
    let data_and_close = ["ApplicationData(5)", "PeerClosed"];
    let expect = |head: &[&str]| -> Vec<String> { head.iter().chain(&data_and_close).map(|s| s.to_string()).collect() };

    // TLS 1.3: rustls sends two tickets after the handshake.
    let sc13 = resuming_server(ProtocolVersion::Tls13);
    let mut p = peer_at(&any13, sc13.clone(), None);
    let (seen, session) = p.event_sequence();
    assert_eq!(seen, expect(&["HandshakeComplete(resumed=false)", "SessionTicket", "SessionTicket"]));
    let mut p = peer_at(&any13, sc13.clone(), session.as_deref());
    let (seen, _) = p.event_sequence();
    assert_eq!(seen, expect(&["HandshakeComplete(resumed=true)", "SessionTicket", "SessionTicket"]));
    // A HelloRetryRequest adds no event.
    let mut p = peer_at(
        &any13,
        ticketing(&[], &[NamedGroup::Secp256r1], &rustls::crypto::ring::Ticketer::new().unwrap()),
        None,
    );
    assert_eq!(p.event_sequence().0, expect(&["HandshakeComplete(resumed=false)", "SessionTicket", "SessionTicket"]));

    // TLS 1.2 with a session-ID cache: the ID is announced once, right after the handshake.
    let sc12 = resuming_server(ProtocolVersion::Tls12);
    let mut p = peer_at(&any12, sc12.clone(), None);
    let (seen, session) = p.event_sequence();
    assert_eq!(seen, expect(&["HandshakeComplete(resumed=false)", "SessionTicket"]));
    let mut p = peer_at(&any12, sc12, session.as_deref());
    assert_eq!(p.event_sequence().0, expect(&["HandshakeComplete(resumed=true)"]));

    // TLS 1.2 with RFC 5077 tickets: the ticket comes before the server's Finished.
    let mut sc12t = common::peer::rustls_config_tls12(CertKind::Ecdsa, &[], &[]);
    sc12t.ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
    let mut p = peer_at(&any12, sc12t.clone(), None);
    let (seen, session) = p.event_sequence();
    assert_eq!(seen, expect(&["SessionTicket", "HandshakeComplete(resumed=false)"]));
    let mut p = peer_at(&any12, sc12t, session.as_deref());
    let (seen, _) = p.event_sequence();
    assert_eq!(seen, expect(&["SessionTicket", "HandshakeComplete(resumed=true)"]));
}
