//! RFC 8448 §3 to §7: every protected record of the traces opened with
//! `record::Protection::open` and re-sealed with `Protection::seal`, byte for
//! byte, plus tampering, padding and sequence-number tests.
//!
//! The traffic secrets come from the RFC (the key schedule itself is checked
//! in `rfc8448_key_schedule.rs`); keys and IVs are derived from them with
//! `key_schedule::TrafficKeys::derive`. Run once per provider
//! (tests/suite_ring.rs).

use crate::common;

use std::collections::HashSet;

use common::provider::{provider, TestProvider};
use common::vectors::{Vectors, ALL, SECTION3, SECTION4, SECTION5, SECTION6, SECTION7};
use embertls::crypto::{AeadAlg, HashAlg, Secret, TAG_LEN};
use embertls::key_schedule::TrafficKeys;
use embertls::msgs::enums::ContentType;
use embertls::record::{Protection, HEADER_LEN};
use embertls::{Error, Misbehavior};

/// A protected record of a trace: vector label (without `_record`), the
/// traffic secret that protects it, and its content type. Listed in sending
/// order, so the position among the records of one secret is the sequence number.
struct Rec {
    label: &'static str,
    secret: &'static str,
    typ: ContentType,
}

const fn rec(label: &'static str, secret: &'static str, typ: ContentType) -> Rec {
    Rec { label, secret, typ }
}

const CHTS: &str = "client_handshake_traffic_secret";
const SHTS: &str = "server_handshake_traffic_secret";
const CATS: &str = "client_application_traffic_secret_0";
const SATS: &str = "server_application_traffic_secret_0";
const CETS: &str = "client_early_traffic_secret";
use ContentType::{Alert, ApplicationData as AppData, Handshake};

fn records_of(file: &str) -> Vec<Rec> {
    match file {
        SECTION3 => vec![
            rec("server_flight", SHTS, Handshake),
            rec("client_finished", CHTS, Handshake),
            rec("new_session_ticket", SATS, Handshake),
            rec("client_application_data", CATS, AppData),
            rec("server_application_data", SATS, AppData),
            rec("client_alert", CATS, Alert),
            rec("server_alert", SATS, Alert),
        ],
        SECTION4 => vec![
            rec("client_early_data", CETS, AppData),
            rec("server_flight", SHTS, Handshake),
            rec("end_of_early_data", CETS, Handshake),
            rec("client_finished", CHTS, Handshake),
            rec("client_application_data", CATS, AppData),
            rec("server_application_data", SATS, AppData),
            rec("client_alert", CATS, Alert),
            rec("server_alert", SATS, Alert),
        ],
        SECTION5 | SECTION7 => vec![
            rec("server_flight", SHTS, Handshake),
            rec("client_finished", CHTS, Handshake),
            rec("client_alert", CATS, Alert),
            rec("server_alert", SATS, Alert),
        ],
        SECTION6 => vec![
            rec("server_flight", SHTS, Handshake),
            rec("client_flight", CHTS, Handshake),
            rec("client_alert", CATS, Alert),
            rec("server_alert", SATS, Alert),
        ],
        _ => unreachable!(),
    }
}

fn keys(v: &Vectors, secret: &str) -> TrafficKeys<TestProvider> {
    TrafficKeys::derive(&mut provider(), HashAlg::Sha256, AeadAlg::Aes128Gcm, &Secret::from_slice(v.get(secret)))
}

fn protection(v: &Vectors, secret: &str) -> Protection<TestProvider> {
    Protection::new(keys(v, secret))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Opens and re-seals every protected record of one section; returns the
/// number of byte-for-byte comparisons.
fn open_and_seal_all(file: &'static str) -> usize {
    let v = Vectors::load(file);
    let recs = records_of(file);
    // Every protected record of the trace is in the table (nothing skipped).
    let protected: Vec<&str> = v
        .labels()
        .filter_map(|l| l.strip_suffix("_record"))
        .filter(|l| v.get(&format!("{l}_record"))[0] == 23)
        .collect();
    let mut listed: Vec<&str> = recs.iter().map(|r| r.label).collect();
    let mut found = protected.clone();
    listed.sort();
    found.sort();
    assert_eq!(listed, found, "{file}: protected records");

    let mut n = 0;
    let mut openers: Vec<(&str, Protection<TestProvider>)> = Vec::new();
    let mut sealers: Vec<(&str, Protection<TestProvider>)> = Vec::new();
    for r in &recs {
        let record = v.get(&format!("{}_record", r.label));
        let payload = v.get(&format!("{}_record_payload", r.label));
        let ctx = format!("{file}: {}", r.label);
        assert_eq!(record[..3], [0x17, 0x03, 0x03], "{ctx}: outer header");
        assert_eq!(usize::from(u16::from_be_bytes([record[3], record[4]])), record.len() - HEADER_LEN);
        // Not padded: exactly payload + type + tag.
        assert_eq!(record.len(), HEADER_LEN + payload.len() + 1 + TAG_LEN, "{ctx}: unpadded");

        if !openers.iter().any(|(s, _)| *s == r.secret) {
            openers.push((r.secret, protection(&v, r.secret)));
            sealers.push((r.secret, protection(&v, r.secret)));
        }
        let opener = &mut openers.iter_mut().find(|(s, _)| *s == r.secret).unwrap().1;
        let sealer = &mut sealers.iter_mut().find(|(s, _)| *s == r.secret).unwrap().1;

        // Open.
        let mut buf = record.to_vec();
        let (typ, len) = opener.open(&mut provider(), &mut buf).unwrap_or_else(|e| panic!("{ctx}: open: {e}"));
        assert_eq!(typ, r.typ, "{ctx}: content type");
        assert_eq!(hex(&buf[HEADER_LEN..HEADER_LEN + len]), hex(payload), "{ctx}: plaintext");
        n += 1;

        // Seal the payload again at the same sequence number.
        let mut out = vec![0u8; HEADER_LEN + payload.len() + 1 + TAG_LEN + 7];
        out[HEADER_LEN..HEADER_LEN + payload.len()].copy_from_slice(payload);
        let total =
            sealer.seal(&mut provider(), r.typ, &mut out, payload.len()).unwrap_or_else(|e| panic!("{ctx}: seal: {e}"));
        assert_eq!(hex(&out[..total]), hex(record), "{ctx}: sealed record");
        n += 1;
    }
    n
}

#[test]
fn section3_records() {
    let n = open_and_seal_all(SECTION3);
    println!("§3: {n} byte-for-byte comparisons");
    assert_eq!(n, 14);
}

#[test]
fn section4_records_including_early_data() {
    let n = open_and_seal_all(SECTION4);
    println!("§4: {n} byte-for-byte comparisons");
    assert_eq!(n, 16);
}

#[test]
fn section5_records() {
    let n = open_and_seal_all(SECTION5);
    println!("§5: {n} byte-for-byte comparisons");
    assert_eq!(n, 8);
}

#[test]
fn section6_records() {
    let n = open_and_seal_all(SECTION6);
    println!("§6: {n} byte-for-byte comparisons");
    assert_eq!(n, 8);
}

#[test]
fn section7_records() {
    let n = open_and_seal_all(SECTION7);
    println!("§7: {n} byte-for-byte comparisons");
    assert_eq!(n, 8);
    // The change_cipher_spec records are plaintext (not for `Protection`).
    let v = Vectors::load(SECTION7);
    for who in ["client", "server"] {
        assert_eq!(v.get(&format!("{who}_change_cipher_spec_record")), [0x14, 3, 3, 0, 1, 1]);
    }
}

/// The non-zero 8-byte runs of a plaintext, to look for in a buffer.
fn runs(plaintext: &[u8]) -> HashSet<&[u8]> {
    plaintext.windows(8).filter(|w| w.iter().any(|&b| b != 0)).collect()
}

/// True if `buf` holds any of `runs` (some plaintext was left behind).
fn leaks(buf: &[u8], runs: &HashSet<&[u8]>) -> bool {
    buf.windows(8).any(|w| runs.contains(w))
}

/// Every single-byte change anywhere in a record (header, ciphertext, tag)
/// is refused with bad_record_mac, and no plaintext is left in the buffer.
#[test]
fn any_flipped_byte_is_bad_record_mac_without_plaintext() {
    let mut tried = 0;
    for file in ALL {
        let v = Vectors::load(file);
        for r in records_of(file) {
            let record = v.get(&format!("{}_record", r.label));
            let payload = v.get(&format!("{}_record_payload", r.label));
            let plain_runs = runs(payload);
            for i in 0..record.len() {
                for flip in [0x01u8, 0x80] {
                    // Advance to this record's sequence number by opening the ones before it.
                    let mut p = protection(&v, r.secret);
                    for before in records_of(file).iter().take_while(|b| b.label != r.label) {
                        if before.secret == r.secret {
                            let mut b = v.get(&format!("{}_record", before.label)).to_vec();
                            p.open(&mut provider(), &mut b).unwrap();
                        }
                    }
                    let mut buf = record.to_vec();
                    buf[i] ^= flip;
                    let where_ = match i {
                        0..HEADER_LEN => "header",
                        _ if i >= record.len() - TAG_LEN => "tag",
                        _ => "ciphertext",
                    };
                    let res = p.open(&mut provider(), &mut buf);
                    assert_eq!(res, Err(Error::BadRecordMac), "{file} {}: {where_} byte {i} ^ {flip:#x}", r.label);
                    assert!(!leaks(&buf, &plain_runs), "{file} {}: plaintext left after bad {where_}", r.label);
                    let region = &buf[HEADER_LEN..HEADER_LEN + payload.len()];
                    assert_ne!(region, payload, "{file} {}: plaintext left after bad {where_}", r.label);
                    tried += 1;
                }
            }
        }
    }
    println!("{tried} tampered records refused");
}

/// A record that is all padding (no non-zero content type, RFC 8446 §5.4).
#[test]
fn all_padding_record_has_no_content_type() {
    let v = Vectors::load(SECTION3);
    for zeros in [1usize, 2, 100] {
        let k = keys(&v, SATS);
        let mut record = vec![0x17, 0x03, 0x03, 0, 0];
        let len = (zeros + TAG_LEN) as u16;
        record[3..5].copy_from_slice(&len.to_be_bytes());
        let mut body = vec![0u8; zeros];
        let tag =
            embertls::crypto::CryptoProvider::aead_seal(&mut provider(), &k.key, &k.iv, &record.clone(), &mut body)
                .unwrap(); // sequence number 0: nonce = IV
        record.extend_from_slice(&body);
        record.extend_from_slice(&tag);
        let mut p = Protection::new(k);
        assert_eq!(
            p.open(&mut provider(), &mut record),
            Err(Error::PeerMisbehaved(Misbehavior::NoContentType)),
            "{zeros} zeros"
        );
    }
}

/// Zero padding after the content type is removed (§5.4), here on the §3
/// server application data record re-protected with 0..3 and 300 padding bytes.
#[test]
fn padding_is_removed() {
    let v = Vectors::load(SECTION3);
    let payload = v.get("server_application_data_record_payload");
    for pad in [0usize, 1, 3, 300] {
        let k = keys(&v, SATS);
        let mut inner = payload.to_vec();
        inner.push(23);
        inner.resize(inner.len() + pad, 0);
        let mut record = vec![0x17, 0x03, 0x03, 0, 0];
        record[3..5].copy_from_slice(&((inner.len() + TAG_LEN) as u16).to_be_bytes());
        let tag =
            embertls::crypto::CryptoProvider::aead_seal(&mut provider(), &k.key, &k.iv, &record.clone(), &mut inner)
                .unwrap();
        record.extend_from_slice(&inner);
        record.extend_from_slice(&tag);
        let mut p = Protection::new(k);
        let (typ, len) = p.open(&mut provider(), &mut record).unwrap();
        assert_eq!((typ, &record[HEADER_LEN..HEADER_LEN + len]), (AppData, payload), "padding {pad}");
    }
}

/// The nonce depends on the sequence number: the 2nd record under a key does
/// not open with a fresh `Protection`, and a replayed record does not open.
#[test]
fn sequence_numbers_matter() {
    let v = Vectors::load(SECTION3);
    // §3 server application keys: NewSessionTicket (0), application data (1), alert (2).
    for label in ["server_application_data", "server_alert"] {
        let mut buf = v.get(&format!("{label}_record")).to_vec();
        let mut fresh = protection(&v, SATS);
        assert_eq!(fresh.open(&mut provider(), &mut buf), Err(Error::BadRecordMac), "{label} at sequence number 0");
        assert!(!leaks(&buf, &runs(v.get(&format!("{label}_record_payload")))));
    }
    // Replay: the NewSessionTicket record twice.
    let mut p = protection(&v, SATS);
    let nst = v.get("new_session_ticket_record");
    p.open(&mut provider(), &mut nst.to_vec()).unwrap();
    assert_eq!(p.open(&mut provider(), &mut nst.to_vec()), Err(Error::BadRecordMac), "replayed record");
    // Out of order: skipping the application data record.
    let mut p = protection(&v, SATS);
    p.open(&mut provider(), &mut nst.to_vec()).unwrap();
    assert_eq!(p.open(&mut provider(), &mut v.get("server_alert_record").to_vec()), Err(Error::BadRecordMac));
    // Sealing: the first sealed record equals the trace's first, the second does not.
    let mut s = protection(&v, SATS);
    let payload = v.get("server_application_data_record_payload");
    let mut out = vec![0u8; HEADER_LEN + payload.len() + 1 + TAG_LEN];
    out[HEADER_LEN..HEADER_LEN + payload.len()].copy_from_slice(payload);
    let total = s.seal(&mut provider(), AppData, &mut out, payload.len()).unwrap();
    assert_ne!(&out[..total], v.get("server_application_data_record"), "sealed at sequence number 0");
}

/// The other direction's keys (client for a server record) do not open it.
#[test]
fn wrong_direction_keys_fail() {
    let v = Vectors::load(SECTION3);
    let mut buf = v.get("server_flight_record").to_vec();
    assert_eq!(protection(&v, CHTS).open(&mut provider(), &mut buf), Err(Error::BadRecordMac));
}

/// Records too short for a tag and a content type are refused without panicking.
#[test]
fn short_records_are_refused() {
    let v = Vectors::load(SECTION3);
    let record = v.get("client_alert_record");
    for len in HEADER_LEN..HEADER_LEN + TAG_LEN + 1 {
        let mut buf = record[..len].to_vec();
        assert_eq!(protection(&v, CATS).open(&mut provider(), &mut buf), Err(Error::BadRecordMac), "{len} bytes");
    }
}

/// seal refuses a buffer without room for the content type and tag.
#[test]
fn seal_needs_room_for_overhead() {
    let v = Vectors::load(SECTION3);
    let payload = v.get("client_alert_record_payload");
    let mut out = vec![0u8; HEADER_LEN + payload.len() + TAG_LEN];
    out[HEADER_LEN..HEADER_LEN + payload.len()].copy_from_slice(payload);
    let e = protection(&v, CATS).seal(&mut provider(), Alert, &mut out, payload.len()).unwrap_err();
    assert_eq!(e, Error::SendBufferTooSmall { needed: out.len() + 1, capacity: out.len() });
}
