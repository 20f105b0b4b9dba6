//! RFC 8448 §3 to §7: every secret of the TLS 1.3 key schedule, the traffic
//! keys and IVs, the Finished values and (§4) the PSK binder, recomputed with
//! `embertls::key_schedule` and compared byte for byte with the RFC.
//!
//! Transcript hashes are computed here with `crypto::Transcript` from the
//! handshake messages of the trace (§5 with the synthetic message_hash of
//! ClientHello1, RFC 8446 §4.4.1); the RFC's printed hashes are only compared
//! with them, never used as inputs. The (EC)DHE secret is recomputed from the
//! RFC's private keys with `crypto::KeyShare`. Run once per provider
//! (tests/suite_ring.rs; ring cannot import the fixed private keys, so
//! that run imports them with RustCrypto: `common::provider::TraceProvider`).

use crate::common;

use common::provider::{trace_provider, TraceProvider};
use common::vectors::{Vectors, SECTION3, SECTION4, SECTION5, SECTION6, SECTION7};
use embertls::codec::Reader;
use embertls::crypto::{AeadAlg, CryptoProvider, Digest, HashAlg, KeyShare, Secret, Transcript, TAG_LEN};
use embertls::key_schedule::{
    derive_secret, expand_label, finished_verify_data, resumption_psk, EarlySecret, TrafficKeys,
};
use embertls::msgs::enums::{ExtensionType, HandshakeType, NamedGroup};
use embertls::msgs::handshake::HandshakeMessage;
use embertls::msgs::new_session_ticket::NewSessionTicket;

const ALG: HashAlg = HashAlg::Sha256; // every RFC 8448 trace uses TLS_AES_128_GCM_SHA256
const AEAD: AeadAlg = AeadAlg::Aes128Gcm;

/// Counts byte-for-byte comparisons and fails on the first difference.
struct Checker<'v> {
    v: &'v Vectors,
    n: usize,
}

impl Checker<'_> {
    fn eq(&mut self, what: &str, got: &[u8], want: &[u8]) {
        assert!(!want.is_empty(), "{}: {what}: empty expected value", self.v.file);
        assert_eq!(hex(got), hex(want), "{}: {what}", self.v.file);
        self.n += 1;
    }

    /// Compares `got` with the vector `label`.
    fn vec(&mut self, label: &str, got: &[u8]) {
        let want = self.v.get(label).to_vec();
        self.eq(label, got, &want);
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The handshake messages of a trace in transcript order (names are the
/// vector labels). §5 starts with message_hash(ClientHello1).
fn transcript_messages(v: &Vectors) -> Vec<(&'static str, Vec<u8>)> {
    let mut order = Vec::new();
    if v.has("client_hello_1") {
        let ch1 = v.get("client_hello_1");
        // RFC 8446 §4.4.1: Handshake(message_hash, 00 00 Hash.length, Hash(ClientHello1)).
        let mut synthetic = vec![HandshakeType::MessageHash.to_wire(), 0, 0, ALG.len() as u8];
        synthetic.extend_from_slice(ALG.hash(&mut trace_provider(), ch1).as_bytes());
        order.push(("message_hash", synthetic));
        order.push(("hello_retry_request", v.get("hello_retry_request").to_vec()));
        order.push(("client_hello_2", v.get("client_hello_2").to_vec()));
    } else {
        order.push(("client_hello", v.get("client_hello").to_vec()));
    }
    for name in [
        "server_hello",
        "encrypted_extensions",
        "certificate_request",
        "server_certificate",
        "server_certificate_verify",
        "server_finished",
        "end_of_early_data",
        "client_certificate",
        "client_certificate_verify",
        "client_finished",
    ] {
        if let Some(m) = v.try_get(name) {
            order.push((name, m.to_vec()));
        }
    }
    // Every entry must be one whole handshake message.
    for (name, m) in &order {
        HandshakeMessage::decode(m).unwrap_or_else(|e| panic!("{}: {name}: {e:?}", v.file));
    }
    order
}

/// The transcript hash over the messages up to and including `upto`.
fn hash_through(order: &[(&str, Vec<u8>)], upto: &str) -> Digest {
    let mut t = Transcript::new(&mut trace_provider(), ALG);
    for (name, m) in order {
        t.update(&mut trace_provider(), m);
        if *name == upto {
            return t.current(&mut trace_provider());
        }
    }
    panic!("{upto} is not in the transcript");
}

/// The transcript hash over the messages before `msg`.
fn hash_before(order: &[(&str, Vec<u8>)], msg: &str) -> Digest {
    let i = order.iter().position(|(n, _)| *n == msg).unwrap_or_else(|| panic!("no {msg}"));
    let mut t = Transcript::new(&mut trace_provider(), ALG);
    for (_, m) in &order[..i] {
        t.update(&mut trace_provider(), m);
    }
    t.current(&mut trace_provider())
}

fn key_share(v: &Vectors, who: &str, group: NamedGroup) -> KeyShare<TraceProvider> {
    let name = match group {
        NamedGroup::X25519 => "x25519",
        _ => "p256",
    };
    let private: [u8; 32] = v.get(&format!("{who}_{name}_private_key")).try_into().unwrap();
    KeyShare::from_private_bytes(&mut trace_provider(), group, &private).unwrap()
}

/// The (EC)DHE secret from the RFC's private keys, checked from both sides.
fn ecdhe(c: &mut Checker<'_>, group: NamedGroup) -> Vec<u8> {
    let name = if group == NamedGroup::X25519 { "x25519" } else { "p256" };
    let client = key_share(c.v, "client", group);
    let server = key_share(c.v, "server", group);
    let (pub_c, pub_s) = (client.public(), server.public());
    let (n_c, n_s) = (pub_c.len(), pub_s.len());
    c.vec(&format!("client_{name}_public_key"), &pub_c[..n_c]);
    c.vec(&format!("server_{name}_public_key"), &pub_s[..n_s]);
    let from_client = client.agree(&mut trace_provider(), &pub_s[..n_s]).unwrap();
    let from_server = server.agree(&mut trace_provider(), &pub_c[..n_c]).unwrap();
    c.vec("ecdhe_shared_secret", from_client.as_bytes());
    c.vec("ecdhe_shared_secret", from_server.as_bytes());
    from_client.as_bytes().to_vec()
}

/// `<sender>_<stage>_write_key` / `_write_iv`: compares the IV with the RFC,
/// the key bytes (HKDF-Expand-Label "key", as `TrafficKeys::derive` does) with
/// the RFC, and proves the AEAD that `TrafficKeys::derive` keyed is the RFC's
/// key by sealing the same input with both and opening the first record the
/// trace protects under it.
fn traffic_keys(c: &mut Checker<'_>, prefix: &str, secret: &Secret, first_record: Option<&str>) {
    let keys = TrafficKeys::derive(&mut trace_provider(), ALG, AEAD, secret);
    c.vec(&format!("{prefix}_write_iv"), &keys.iv);
    let mut raw_key = [0u8; 16];
    expand_label(&mut trace_provider(), ALG, secret, b"key", &[], &mut raw_key);
    c.vec(&format!("{prefix}_write_key"), &raw_key);

    // Same key: identical ciphertext and tag for the same nonce, AAD and data.
    let rfc = trace_provider().aead_key(AEAD, c.v.get(&format!("{prefix}_write_key")));
    let mut a = *b"RFC 8448 traffic key check......";
    let mut b = a;
    let tag_a = trace_provider().aead_seal(&keys.key, &keys.iv, b"aad", &mut a).unwrap();
    let tag_b = trace_provider().aead_seal(&rfc, &keys.iv, b"aad", &mut b).unwrap();
    c.eq(&format!("{prefix}: ciphertext under the derived key"), &a, &b);
    c.eq(&format!("{prefix}: tag under the derived key"), &tag_a, &tag_b);

    // The trace's first record under this key (sequence number 0: nonce = IV)
    // opens with the derived key to payload || content type.
    if let Some(label) = first_record {
        let record = c.v.get(&format!("{label}_record")).to_vec();
        let payload = c.v.get(&format!("{label}_record_payload")).to_vec();
        let (header, body) = record.split_at(5);
        let (ct, tag) = body.split_at(body.len() - TAG_LEN);
        let mut buf = ct.to_vec();
        let tag: [u8; TAG_LEN] = tag.try_into().unwrap();
        trace_provider()
            .aead_open(&keys.key, &keys.iv, header, &mut buf, &tag)
            .unwrap_or_else(|_| panic!("{label} does not open"));
        let inner_type = buf.pop().unwrap();
        c.eq(&format!("{label}: plaintext under derived {prefix} keys"), &buf, &payload);
        assert_eq!(inner_type, content_type_of(label), "{label}: inner content type");
    }
}

fn content_type_of(record_label: &str) -> u8 {
    match record_label {
        l if l.ends_with("application_data") || l.ends_with("early_data") => 23,
        l if l.ends_with("alert") => 21,
        _ => 22,
    }
}

/// The part of a ClientHello the §4 binder covers: everything up to the
/// binders list of the pre_shared_key extension (RFC 8446 §4.2.11.2), found
/// by parsing the message. Returns (prefix, binder).
fn split_binders(ch: &[u8]) -> (&[u8], &[u8]) {
    let body = HandshakeMessage::decode(ch).unwrap().body;
    let hello = embertls::msgs::client_hello::ClientHello::decode(body).unwrap();
    let (typ, psk) = hello.extensions.iter().last().unwrap();
    assert_eq!(typ, ExtensionType::PreSharedKey.to_wire(), "pre_shared_key must be last");
    let mut r = Reader::new(psk);
    r.vec16("identities").unwrap();
    let binders_start = psk.len() - r.rest().len();
    let binders = r.vec16("binders").unwrap();
    assert!(r.is_empty());
    let mut br = Reader::new(binders);
    let binder = br.vec8("binder").unwrap();
    assert!(br.is_empty(), "one binder");
    // The extension data is the tail of the message.
    assert!(ch.ends_with(psk));
    let prefix_len = ch.len() - (psk.len() - binders_start);
    (&ch[..prefix_len], binder)
}

/// Runs the whole key schedule of one section and returns how many values
/// were compared byte for byte.
fn schedule(v: &Vectors, group: NamedGroup) -> (usize, Secret) {
    let mut c = Checker { v, n: 0 };
    let order = transcript_messages(v);
    let empty = ALG.hash(&mut trace_provider(), &[]);

    // Early Secret, from the PSK in §4 and from zeros elsewhere.
    let psk = v.try_get("psk");
    let early = EarlySecret::new(&mut trace_provider(), ALG, psk);
    c.vec("early_secret", early.secret().as_bytes());

    if psk.is_some() {
        // PSK binder (RFC 8446 §4.2.11.2) over the truncated ClientHello.
        let binder_key = early.binder_key(&mut trace_provider(), true);
        c.vec("binder_key", binder_key.as_bytes());
        let mut fk = [0u8; 32];
        expand_label(&mut trace_provider(), ALG, &binder_key, b"finished", &[], &mut fk);
        c.vec("binder_finished_key", &fk);
        let (prefix, binder_in_hello) = split_binders(v.get("client_hello"));
        c.vec("client_hello_prefix", prefix);
        let binder_hash = ALG.hash(&mut trace_provider(), prefix);
        c.vec("binder_hash", binder_hash.as_bytes());
        let binder = finished_verify_data(&mut trace_provider(), ALG, &binder_key, &binder_hash);
        c.vec("psk_binder", binder.as_bytes());
        c.eq("binder in the ClientHello", binder.as_bytes(), binder_in_hello);
        // The "ext binder" label must give something else.
        assert_ne!(early.binder_key(&mut trace_provider(), false).as_bytes(), binder_key.as_bytes());

        // 0-RTT secrets over Hash(ClientHello).
        let ch_hash = hash_through(&order, "client_hello");
        c.vec("client_early_traffic_secret_transcript_hash", ch_hash.as_bytes());
        c.vec("early_exporter_master_secret_transcript_hash", ch_hash.as_bytes());
        let cets = early.client_early_traffic_secret(&mut trace_provider(), &ch_hash);
        c.vec("client_early_traffic_secret", cets.as_bytes());
        c.vec(
            "early_exporter_master_secret",
            early.early_exporter_master_secret(&mut trace_provider(), &ch_hash).as_bytes(),
        );
        traffic_keys(&mut c, "client_early", &cets, Some("client_early_data"));
    }

    // Handshake Secret.
    c.vec(
        "derived_secret_for_handshake",
        derive_secret(&mut trace_provider(), ALG, early.secret(), b"derived", &empty).as_bytes(),
    );
    let shared = ecdhe(&mut c, group);
    let hs = early.into_handshake(&mut trace_provider(), Some(&shared));
    c.vec("handshake_secret", hs.secret().as_bytes());

    let sh_hash = hash_through(&order, "server_hello");
    c.vec("client_handshake_traffic_secret_transcript_hash", sh_hash.as_bytes());
    c.vec("server_handshake_traffic_secret_transcript_hash", sh_hash.as_bytes());
    let chts = hs.client_traffic_secret(&mut trace_provider(), &sh_hash);
    let shts = hs.server_traffic_secret(&mut trace_provider(), &sh_hash);
    c.vec("client_handshake_traffic_secret", chts.as_bytes());
    c.vec("server_handshake_traffic_secret", shts.as_bytes());
    // The engine's path: both from one keyed secret.
    let (chts_once, shts_once) = hs.traffic_secrets(&mut trace_provider(), &sh_hash);
    c.vec("client_handshake_traffic_secret", chts_once.as_bytes());
    c.vec("server_handshake_traffic_secret", shts_once.as_bytes());
    traffic_keys(&mut c, "server_handshake", &shts, Some("server_flight"));
    let client_hs_record = if v.has("client_flight_record") { "client_flight" } else { "client_finished" };
    // In §4 the client's first handshake-key record is its Finished
    // (EndOfEarlyData goes under the early keys).
    traffic_keys(&mut c, "client_handshake", &chts, Some(client_hs_record));

    // Master Secret.
    c.vec(
        "derived_secret_for_master",
        derive_secret(&mut trace_provider(), ALG, hs.secret(), b"derived", &empty).as_bytes(),
    );
    let ms = hs.into_master(&mut trace_provider());
    c.vec("master_secret", ms.secret().as_bytes());

    // server Finished over Hash(ClientHello .. CertificateVerify or EncryptedExtensions).
    let mut sfk = [0u8; 32];
    expand_label(&mut trace_provider(), ALG, &shts, b"finished", &[], &mut sfk);
    c.vec("server_finished_key", &sfk);
    let sf = finished_verify_data(&mut trace_provider(), ALG, &shts, &hash_before(&order, "server_finished"));
    c.vec("server_finished_verify_data", sf.as_bytes());
    let sf_msg = HandshakeMessage::decode(v.get("server_finished")).unwrap();
    assert_eq!(sf_msg.typ, HandshakeType::Finished);
    c.eq("server Finished message body", sf.as_bytes(), sf_msg.body);

    // Application traffic and exporter over Hash(ClientHello .. server Finished).
    let sf_hash = hash_through(&order, "server_finished");
    for label in [
        "client_application_traffic_secret_0_transcript_hash",
        "server_application_traffic_secret_0_transcript_hash",
        "exporter_master_secret_transcript_hash",
    ] {
        c.vec(label, sf_hash.as_bytes());
    }
    let cats = ms.client_traffic_secret(&mut trace_provider(), &sf_hash);
    let sats = ms.server_traffic_secret(&mut trace_provider(), &sf_hash);
    c.vec("client_application_traffic_secret_0", cats.as_bytes());
    c.vec("server_application_traffic_secret_0", sats.as_bytes());
    c.vec("exporter_master_secret", ms.exporter_master_secret(&mut trace_provider(), &sf_hash).as_bytes());
    let server_app_first = if v.has("new_session_ticket_record") {
        "new_session_ticket"
    } else if v.has("server_application_data_record") {
        "server_application_data"
    } else {
        "server_alert"
    };
    let client_app_first =
        if v.has("client_application_data_record") { "client_application_data" } else { "client_alert" };
    traffic_keys(&mut c, "server_application", &sats, Some(server_app_first));
    traffic_keys(&mut c, "client_application", &cats, Some(client_app_first));

    // client Finished over Hash(ClientHello .. EndOfEarlyData / client CertificateVerify / server Finished).
    let mut cfk = [0u8; 32];
    expand_label(&mut trace_provider(), ALG, &chts, b"finished", &[], &mut cfk);
    c.vec("client_finished_key", &cfk);
    let cf = finished_verify_data(&mut trace_provider(), ALG, &chts, &hash_before(&order, "client_finished"));
    c.vec("client_finished_verify_data", cf.as_bytes());
    let cf_msg = HandshakeMessage::decode(v.get("client_finished")).unwrap();
    assert_eq!(cf_msg.typ, HandshakeType::Finished);
    c.eq("client Finished message body", cf.as_bytes(), cf_msg.body);

    // Resumption master secret over Hash(ClientHello .. client Finished).
    let cf_hash = hash_through(&order, "client_finished");
    c.vec("resumption_master_secret_transcript_hash", cf_hash.as_bytes());
    let rms = ms.resumption_master_secret(&mut trace_provider(), &cf_hash);
    c.vec("resumption_master_secret", rms.as_bytes());
    // The engine's path: the four from one keyed secret.
    let once = ms.secrets(&mut trace_provider(), &sf_hash, &cf_hash);
    c.vec("client_application_traffic_secret_0", once.client.as_bytes());
    c.vec("server_application_traffic_secret_0", once.server.as_bytes());
    c.vec("exporter_master_secret", once.exporter.as_bytes());
    c.vec("resumption_master_secret", once.resumption.as_bytes());

    // §3: the PSK of the ticket, with the nonce taken from the NewSessionTicket.
    let mut psk_out = Secret::zero(0);
    if let Some(nst) = v.try_get("new_session_ticket") {
        let msg = HandshakeMessage::decode(nst).unwrap();
        assert_eq!(msg.typ, HandshakeType::NewSessionTicket);
        let ticket = NewSessionTicket::decode(msg.body).unwrap();
        c.vec("resumption_psk_ticket_nonce", ticket.nonce);
        psk_out = resumption_psk(&mut trace_provider(), ALG, &rms, ticket.nonce);
        c.vec("resumption_psk", psk_out.as_bytes());
    }
    (c.n, psk_out)
}

#[test]
fn section3_simple_1rtt() {
    let v = Vectors::load(SECTION3);
    let (n, _) = schedule(&v, NamedGroup::X25519);
    println!("§3: {n} byte-for-byte comparisons");
    assert_eq!(n, 55);
}

#[test]
fn section4_resumed_0rtt() {
    let v = Vectors::load(SECTION4);
    let (n, _) = schedule(&v, NamedGroup::X25519);
    println!("§4: {n} byte-for-byte comparisons");
    assert_eq!(n, 68);
}

#[test]
fn section4_psk_is_section3_resumption_psk() {
    let s3 = Vectors::load(SECTION3);
    let s4 = Vectors::load(SECTION4);
    let (_, psk) = schedule(&s3, NamedGroup::X25519);
    assert_eq!(hex(psk.as_bytes()), hex(s4.get("psk")));
    // ...and the §4 ticket identity is the §3 ticket.
    let nst = HandshakeMessage::decode(s3.get("new_session_ticket")).unwrap();
    let ticket = NewSessionTicket::decode(nst.body).unwrap().ticket;
    let ch = s4.get("client_hello");
    assert!(ch.windows(ticket.len()).any(|w| w == ticket), "§4 ClientHello carries the §3 ticket");
}

#[test]
fn section5_hello_retry_request() {
    let v = Vectors::load(SECTION5);
    // HRR case: the transcript starts with message_hash(ClientHello1), not ClientHello1.
    let order = transcript_messages(&v);
    assert_eq!(order[0].1[..4], [254, 0, 0, 32]);
    let mut plain = Transcript::new(&mut trace_provider(), ALG);
    for m in [v.get("client_hello_1"), v.get("hello_retry_request"), v.get("client_hello_2"), v.get("server_hello")] {
        plain.update(&mut trace_provider(), m);
    }
    assert_ne!(
        plain.current(&mut trace_provider()).as_bytes(),
        v.get("client_handshake_traffic_secret_transcript_hash"),
        "without the synthetic message the hash must differ"
    );
    let (n, _) = schedule(&v, NamedGroup::Secp256r1);
    println!("§5: {n} byte-for-byte comparisons");
    assert_eq!(n, 53);
}

#[test]
fn section6_client_authentication() {
    let v = Vectors::load(SECTION6);
    let (n, _) = schedule(&v, NamedGroup::X25519);
    println!("§6: {n} byte-for-byte comparisons");
    assert_eq!(n, 53);
}

#[test]
fn section7_compatibility_mode() {
    let v = Vectors::load(SECTION7);
    let (n, _) = schedule(&v, NamedGroup::X25519);
    println!("§7: {n} byte-for-byte comparisons");
    assert_eq!(n, 53);
}

/// The "derived" salts feed the next extract: a wrong transcript hash for a
/// traffic secret must change it (the comparisons above can fail).
#[test]
fn wrong_transcript_gives_other_secrets() {
    let v = Vectors::load(SECTION3);
    let early = EarlySecret::new(&mut trace_provider(), ALG, None);
    let hs = early.into_handshake(&mut trace_provider(), Some(v.get("ecdhe_shared_secret")));
    let wrong = ALG.hash(&mut trace_provider(), v.get("client_hello")); // missing the ServerHello
    assert_ne!(
        hs.client_traffic_secret(&mut trace_provider(), &wrong).as_bytes(),
        v.get("client_handshake_traffic_secret")
    );
    let order = transcript_messages(&v);
    let sh_hash = hash_through(&order, "server_hello");
    assert_eq!(
        hex(hs.client_traffic_secret(&mut trace_provider(), &sh_hash).as_bytes()),
        hex(v.get("client_handshake_traffic_secret"))
    );
}
