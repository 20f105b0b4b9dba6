//! External pre-shared keys (RFC 8446 §2.2, §4.2.11) against a real
//! `openssl s_server -nocert -psk` on loopback: every SHA-256 suite in both
//! modes, wrong keys and identities, psk_ke refused by a server that wants
//! (EC)DHE, a server that ignores the PSK and sends a certificate, and the
//! `ExternalPsk` / `ClientConfig` rules that need no server.
//!
//! OpenSSL's external PSK is SHA-256 only (`-psk` sets no hash), so the
//! SHA-384 suite is checked for its refusal, not for success.

use crate::common;

use std::io::{Read, Write};

use common::engine::{feed, take_client_hello, tcp_event_sequence};
use common::peer::{record, rng, tls_error, CertKind, OpensslServer};
use common::provider::options;
use embertls::codec::{WriteError, Writer};
use embertls::crypto::{AeadAlg, HashAlg, KeyShare, Transcript};
use embertls::key_schedule::{finished_verify_data, psk_binder, EarlySecret, TrafficKeys};
use embertls::msgs::client_hello::ClientHello;
use embertls::msgs::enums::{ContentType, HandshakeType};
use embertls::msgs::extensions::write_extension;
use embertls::msgs::handshake::write_handshake;
use embertls::msgs::server_hello::HRR_RANDOM;
use embertls::record::Protection;
use embertls::{
    AlertDescription, CipherSuite, Client, ClientConfig, Error, Event, ExternalPsk, HandshakeSummary, Misbehavior,
    NamedGroup, ProtocolVersion, PskMode, ServerName, ServerVerification, TlsStream, Trust, MAX_RECORD,
};

const ID: &str = "embertls-device-17";
const KEY: &str = "00112233445566778899aabbccddeeff";
const OTHER_KEY: &str = "00112233445566778899aabbccddee00";
const GET: &[u8] = b"GET / HTTP/1.0\r\n\r\n";

/// The suites OpenSSL can use with an external PSK, with its names.
const SHA256_SUITES: [(CipherSuite, &str); 2] = [
    (CipherSuite::Tls13Aes128GcmSha256, "TLS_AES_128_GCM_SHA256"),
    (CipherSuite::Tls13Chacha20Poly1305Sha256, "TLS_CHACHA20_POLY1305_SHA256"),
];

/// `openssl s_server -tls1_3 -nocert -psk KEY -psk_identity ID -www` plus `extra`.
fn psk_server(key: &str, identity: &str, extra: &[&str]) -> OpensslServer {
    let mut args = vec!["-tls1_3", "-nocert", "-psk", key, "-psk_identity", identity, "-www"];
    args.extend_from_slice(extra);
    OpensslServer::start_args(&args)
}

/// A PSK-only configuration (the insecure verifier is never consulted).
fn config<'a>(psk: &'a ExternalPsk, suites: &[CipherSuite]) -> ClientConfig<'a> {
    ClientConfig::new(ServerVerification::danger_accept_any()).with_psk(psk).with_cipher_suites(suites).unwrap()
}

/// Handshake, GET, read to the end; the engine error on failure.
fn get<'a>(server: &OpensslServer, config: &'a ClientConfig<'a>) -> Result<(HandshakeSummary<'a>, String), Error> {
    let io = |e: std::io::Error| match tls_error(&e) {
        Some(t) => t.clone(),
        None => panic!("transport error, not an engine error: {e}"),
    };
    let mut tls =
        TlsStream::connect(options(config, ServerName::parse("localhost")), rng(), server.connect()).map_err(io)?;
    let summary = tls.summary().expect("summary after connect");
    tls.write_all(GET).map_err(io)?;
    let mut page = Vec::new();
    tls.read_to_end(&mut page).map_err(io)?;
    Ok((summary, String::from_utf8_lossy(&page).into_owned()))
}

fn assert_psk_refused(e: &Error, alert: Option<AlertDescription>) {
    assert_eq!(*e, Error::PskRefused { alert }, "{e}");
    let msg = e.to_string();
    assert!(msg.contains("the server did not accept the pre-shared key"), "{msg}");
    assert!(msg.contains("check that the PSK identity and key match"), "{msg}");
    assert!(!msg.to_lowercase().contains(KEY) && !msg.contains(OTHER_KEY), "the key leaked into: {msg}");
}

#[test]
fn every_sha256_suite_in_both_modes() {
    for (suite, name) in SHA256_SUITES {
        for mode in [PskMode::DheKe, PskMode::Ke] {
            let mut extra = vec!["-ciphersuites", name];
            if mode == PskMode::Ke {
                extra.push("-allow_no_dhe_kex");
            }
            let server = psk_server(KEY, ID, &extra);
            let psk = ExternalPsk::from_hex(ID, KEY).unwrap().with_mode(mode);
            let cfg = config(&psk, &[suite]);
            let (s, page) = get(&server, &cfg).unwrap_or_else(|e| panic!("{name} {mode:?}: {e}"));
            let what = format!("{name} {mode:?}: {s:?}");
            assert_eq!(s.cipher_suite, suite, "{what}");
            match mode {
                PskMode::DheKe => assert_eq!(s.group, Some(NamedGroup::X25519), "{what}"),
                PskMode::Ke => assert_eq!(s.group, None, "psk_ke must not do (EC)DHE; {what}"),
            }
            assert_eq!(s.trust, Trust::PreSharedKey, "{what}");
            assert!(s.is_verified() && !s.resumed && !s.hello_retry, "{what}");
            assert!(page.contains("HTTP/1.0 200 ok") && page.contains(name), "{what}; page:\n{page}");
        }
    }
}

#[test]
fn psk_dhe_ke_over_p256() {
    let server = psk_server(KEY, ID, &["-groups", "P-256"]);
    let psk = ExternalPsk::from_hex(ID, KEY).unwrap();
    let cfg = config(&psk, &[CipherSuite::Tls13Aes128GcmSha256]).with_groups(&[NamedGroup::Secp256r1]).unwrap();
    let (s, _) = get(&server, &cfg).unwrap();
    assert_eq!((s.group, s.trust), (Some(NamedGroup::Secp256r1), Trust::PreSharedKey));
}

/// x25519 first while the server only has P-256: a HelloRetryRequest, and
/// the binder of the second ClientHello is recomputed over the new
/// transcript (OpenSSL verifies it).
#[test]
fn psk_with_hello_retry() {
    let server = psk_server(KEY, ID, &["-groups", "P-256"]);
    let psk = ExternalPsk::from_hex(ID, KEY).unwrap();
    let cfg = config(&psk, &[CipherSuite::Tls13Aes128GcmSha256]);
    let (s, page) = get(&server, &cfg).unwrap();
    assert!(s.hello_retry, "{s:?}");
    assert_eq!((s.group, s.trust), (Some(NamedGroup::Secp256r1), Trust::PreSharedKey));
    assert!(page.contains("HTTP/1.0 200 ok"), "{page}");
}

#[test]
fn wrong_key_is_refused() {
    let server = psk_server(KEY, ID, &[]);
    let psk = ExternalPsk::from_hex(ID, OTHER_KEY).unwrap();
    let cfg = config(&psk, &[CipherSuite::Tls13Aes128GcmSha256]);
    let e = get(&server, &cfg).unwrap_err();
    // The binder does not verify: OpenSSL answers illegal_parameter.
    assert_psk_refused(&e, Some(AlertDescription::IllegalParameter));
}

#[test]
fn wrong_identity_is_refused() {
    let server = psk_server(KEY, ID, &[]);
    let psk = ExternalPsk::from_hex("somebody-else", KEY).unwrap();
    let cfg = config(&psk, &[CipherSuite::Tls13Aes128GcmSha256]);
    let e = get(&server, &cfg).unwrap_err();
    // Unknown identity and no certificate to fall back on: handshake_failure.
    assert_psk_refused(&e, Some(AlertDescription::HandshakeFailure));
}

/// psk_ke alone offers no key share (nor groups); a server that insists on
/// (EC)DHE (OpenSSL without -allow_no_dhe_kex) cannot use the PSK and
/// refuses with missing_extension; the message points at psk_dhe_ke.
#[test]
fn psk_ke_against_a_server_that_requires_dhe() {
    let server = psk_server(KEY, ID, &[]);
    let psk = ExternalPsk::from_hex(ID, KEY).unwrap().with_mode(PskMode::Ke);
    let cfg = config(&psk, &[CipherSuite::Tls13Aes128GcmSha256]);
    let e = get(&server, &cfg).unwrap_err();
    assert_psk_refused(&e, Some(AlertDescription::MissingExtension));
    assert!(e.to_string().contains("PskMode::DheKe"), "{e}");
}

/// OpenSSL's `-psk` is SHA-256 only: a SHA-384 PSK is never matched.
#[test]
fn sha384_psk_is_refused_by_openssl() {
    let server = psk_server(KEY, ID, &[]);
    let psk = ExternalPsk::from_hex(ID, KEY).unwrap().with_sha384();
    let cfg = config(&psk, &[CipherSuite::Tls13Aes256GcmSha384]);
    let e = get(&server, &cfg).unwrap_err();
    assert_psk_refused(&e, Some(AlertDescription::HandshakeFailure));
}

/// A server with a certificate that does not know our identity ignores the
/// PSK and does a certificate handshake; the client requires the PSK, so it
/// refuses with handshake_failure and `PskRefused { alert: None }`.
#[test]
fn certificate_flow_instead_of_psk_is_refused() {
    let server = OpensslServer::start(CertKind::Ecdsa, &["-psk", KEY, "-psk_identity", "another-device", "-www"]);
    let psk = ExternalPsk::from_hex(ID, KEY).unwrap();
    let cfg = config(&psk, &[CipherSuite::Tls13Aes128GcmSha256]);
    let e = get(&server, &cfg).unwrap_err();
    assert_psk_refused(&e, None);
    assert_eq!(e.alert(), Some(AlertDescription::HandshakeFailure));
}

/// The control for the test above: same server, matching identity.
#[test]
fn certificate_server_with_matching_psk_uses_the_psk() {
    let server = OpensslServer::start(CertKind::Ecdsa, &["-psk", KEY, "-psk_identity", ID, "-www"]);
    let psk = ExternalPsk::from_hex(ID, KEY).unwrap();
    let cfg = config(&psk, &[CipherSuite::Tls13Aes128GcmSha256]);
    let (s, _) = get(&server, &cfg).unwrap();
    assert_eq!(s.trust, Trust::PreSharedKey);
}

fn client_new(cfg: &ClientConfig<'_>) -> Result<(), Error> {
    Client::new(options(cfg, ServerName::parse("localhost")), rng(), vec![0u8; 4096], vec![0u8; 4096]).map(drop)
}

#[test]
fn suites_must_match_the_psk_hash() {
    let sha256 = ExternalPsk::from_hex(ID, KEY).unwrap();
    let sha384 = ExternalPsk::from_hex(ID, KEY).unwrap().with_sha384();
    for (psk, suites) in [
        (&sha256, &[CipherSuite::Tls13Aes256GcmSha384][..]),
        (&sha384, &[CipherSuite::Tls13Aes128GcmSha256, CipherSuite::Tls13Chacha20Poly1305Sha256][..]),
    ] {
        let cfg = config(psk, suites);
        let e = client_new(&cfg).unwrap_err();
        let Error::Config(msg) = e else { panic!("expected Error::Config, got {e:?}") };
        assert!(msg.contains("no configured cipher suite uses the PSK's hash"), "{msg}");
    }
    // With a matching suite among others, the client starts.
    client_new(&config(&sha384, &[CipherSuite::Tls13Aes128GcmSha256, CipherSuite::Tls13Aes256GcmSha384])).unwrap();
    client_new(&ClientConfig::new(ServerVerification::danger_accept_any()).with_psk(&sha256)).unwrap();
}

#[test]
fn debug_never_shows_the_key() {
    let key = [0xabu8; 32];
    let psk = ExternalPsk::new(b"dev", &key).unwrap();
    let cfg = config(&psk, &[CipherSuite::Tls13Aes128GcmSha256]);
    for dbg in [format!("{psk:?}"), format!("{psk:#?}"), format!("{cfg:?}"), format!("{:?}", psk.clone())] {
        let lower = dbg.to_lowercase();
        assert!(!lower.contains("abab") && !dbg.contains("171"), "key bytes in Debug: {dbg}");
    }
    assert!(format!("{psk:?}").contains("dev"), "the identity may be shown");
    let hex = ExternalPsk::from_hex(ID, "c0ffee").unwrap();
    assert!(!format!("{hex:?}").to_lowercase().contains("c0ffee") && !format!("{hex:?}").contains("192"));
}

#[test]
fn from_hex_refuses_bad_hex() {
    for bad in ["0g", "abc", "", "  ", "0x00", "00 11", "zz", &"00".repeat(65)] {
        let e = ExternalPsk::from_hex(ID, bad).unwrap_err();
        let Error::Config(msg) = e else { panic!("{bad:?}: expected Error::Config, got {e:?}") };
        assert!(msg.contains("hex") || msg.contains("1 to 64 bytes"), "{bad:?}: {msg}");
        assert!(!e.to_string().contains(bad) || bad.trim().is_empty(), "the key text leaked: {e}");
    }
    // Upper case, surrounding spaces and the limits are fine.
    let p = ExternalPsk::from_hex(ID, " 00AABBCCDDEEFF ").unwrap();
    assert_eq!(p.identity(), ID.as_bytes());
    ExternalPsk::from_hex(ID, "01").unwrap();
    ExternalPsk::from_hex(ID, &"01".repeat(64)).unwrap();
}

#[test]
fn key_and_identity_lengths() {
    assert!(ExternalPsk::new(b"id", &[7]).is_ok());
    assert!(ExternalPsk::new(b"id", &[7; 16]).is_ok());
    assert!(ExternalPsk::new(b"id", &[7; 32]).is_ok());
    assert!(ExternalPsk::new(b"id", &[7; 64]).is_ok());
    for n in [0, 65] {
        let e = ExternalPsk::new(b"id", &vec![7; n]).unwrap_err();
        assert_eq!(e, Error::Config("the PSK key must be 1 to 64 bytes (16 or 32 are usual)"), "{n} bytes");
    }
    assert!(ExternalPsk::new(&[b'i'; 128], &[7]).is_ok());
    for id in [&b""[..], &[b'i'; 129][..]] {
        let e = ExternalPsk::new(id, &[7]).unwrap_err();
        assert!(matches!(e, Error::Config(m) if m.contains("identity")), "{} bytes: {e:?}", id.len());
    }
    let p = ExternalPsk::new(b"id", &[7]).unwrap();
    assert_eq!(p.mode(), PskMode::DheKe, "psk_dhe_ke is the default");
}

/// A 1-byte and a 64-byte key both work end to end (OpenSSL takes up to 64 bytes).
#[test]
fn shortest_and_longest_keys_connect() {
    for key in ["5a".to_string(), "5a".repeat(64)] {
        let server = psk_server(&key, ID, &[]);
        let psk = ExternalPsk::from_hex(ID, &key).unwrap();
        let cfg = config(&psk, &[CipherSuite::Tls13Aes128GcmSha256]);
        let (s, _) = get(&server, &cfg).unwrap_or_else(|e| panic!("{} byte key: {e}", key.len() / 2));
        assert_eq!(s.trust, Trust::PreSharedKey);
    }
}

// ---------------------------------------------------------------------------
// psk_ke (RFC 8446 §4.2.9) against a scripted server: with and without a
// HelloRetryRequest. OpenSSL never sends a HelloRetryRequest naming a group
// to a psk_ke-only client, so the server here is a record-level script
// built on embertls' public key_schedule, record and msgs modules.
// ---------------------------------------------------------------------------

/// What the scripted psk_ke server does.
#[derive(Clone, Copy, Debug)]
struct PskKeScript {
    /// First answer a HelloRetryRequest naming this group.
    hrr: Option<NamedGroup>,
    /// Put an X25519 key_share in the ServerHello (forbidden in psk_ke, §4.2.9).
    sh_key_share: bool,
}

fn msg(typ: HandshakeType, body: impl FnOnce(&mut Writer<'_>) -> Result<(), WriteError>) -> Vec<u8> {
    let mut buf = vec![0u8; 4096];
    let mut w = Writer::new(&mut buf);
    write_handshake(&mut w, typ, body).expect("message fits");
    let n = w.len();
    buf.truncate(n);
    buf
}

/// A ServerHello (or HelloRetryRequest) for `ch` with TLS_AES_128_GCM_SHA256.
fn server_hello(ch: &[u8], random: [u8; 32], ext: impl FnOnce(&mut Writer<'_>) -> Result<(), WriteError>) -> Vec<u8> {
    let hello = ClientHello::decode(&ch[4..]).expect("ClientHello parses");
    msg(HandshakeType::ServerHello, |w| {
        w.u16(0x0303)?;
        w.bytes(&random)?;
        w.vec(1, hello.session_id)?;
        w.u16(CipherSuite::Tls13Aes128GcmSha256.to_wire())?;
        w.u8(0)?;
        let m = w.begin(2)?;
        write_extension(w, 43, |w| w.u16(ProtocolVersion::Tls13.to_wire()))?;
        ext(w)?;
        w.end(m)
    })
}

/// Runs a psk_ke handshake against the script; returns the summary and the
/// ClientHellos the client sent.
fn run_psk_ke<'a>(
    cfg: &'a ClientConfig<'a>,
    key: &[u8],
    sc: PskKeScript,
) -> Result<(HandshakeSummary<'a>, Vec<Vec<u8>>), Error> {
    let hash = HashAlg::Sha256;
    let mut client =
        Client::new(options(cfg, ServerName::parse("localhost")), rng(), vec![0; MAX_RECORD], vec![0; MAX_RECORD])?;
    let mut ch = take_client_hello(&mut client);
    let mut hellos = vec![ch.clone()];
    let mut transcript = Transcript::new(&mut embertls::crypto::RustCrypto, hash);
    if let Some(group) = sc.hrr {
        let hrr = server_hello(&ch, HRR_RANDOM, |w| write_extension(w, 51, |w| w.u16(group.to_wire())));
        // §4.4.1: message_hash(ClientHello1) replaces the first ClientHello.
        transcript
            .update(&mut embertls::crypto::RustCrypto, &[HandshakeType::MessageHash.to_wire(), 0, 0, hash.len() as u8]);
        transcript
            .update(&mut embertls::crypto::RustCrypto, hash.hash(&mut embertls::crypto::RustCrypto, &ch).as_bytes());
        transcript.update(&mut embertls::crypto::RustCrypto, &hrr);
        assert!(feed(&mut client, &record(22, &hrr))?.is_empty());
        ch = take_client_hello(&mut client);
        hellos.push(ch.clone());
    }
    // The binder covers the transcript up to the binders list (§4.2.11.2).
    let mut truncated = transcript.clone();
    truncated.update(&mut embertls::crypto::RustCrypto, &ch[..ch.len() - (2 + 1 + hash.len())]);
    let binder = psk_binder(
        &mut embertls::crypto::RustCrypto,
        hash,
        key,
        false,
        &truncated.current(&mut embertls::crypto::RustCrypto),
    );
    assert_eq!(&ch[ch.len() - hash.len()..], binder.as_bytes(), "the client's binder");
    transcript.update(&mut embertls::crypto::RustCrypto, &ch);

    let share =
        KeyShare::generate(&mut embertls::crypto::RustCrypto, NamedGroup::X25519, &mut rng()).expect("key share");
    let sh = server_hello(&ch, [0x42; 32], |w| {
        write_extension(w, 41, |w| w.u16(0))?; // selected_identity 0
        if sc.sh_key_share {
            write_extension(w, 51, |w| {
                w.u16(NamedGroup::X25519.to_wire())?;
                w.vec(2, share.public())
            })?;
        }
        Ok(())
    });
    transcript.update(&mut embertls::crypto::RustCrypto, &sh);
    let hs = EarlySecret::new(&mut embertls::crypto::RustCrypto, hash, Some(key))
        .into_handshake(&mut embertls::crypto::RustCrypto, None);
    let server_hs = hs.server_traffic_secret(
        &mut embertls::crypto::RustCrypto,
        &transcript.current(&mut embertls::crypto::RustCrypto),
    );
    let mut server_write =
        Protection::new(TrafficKeys::derive(&mut embertls::crypto::RustCrypto, hash, AeadAlg::Aes128Gcm, &server_hs));
    let ee = msg(HandshakeType::EncryptedExtensions, |w| w.vec(2, &[]));
    transcript.update(&mut embertls::crypto::RustCrypto, &ee);
    let verify_data = finished_verify_data(
        &mut embertls::crypto::RustCrypto,
        hash,
        &server_hs,
        &transcript.current(&mut embertls::crypto::RustCrypto),
    );
    let fin = msg(HandshakeType::Finished, |w| w.bytes(verify_data.as_bytes()));
    let flight = [ee, fin].concat();
    let mut protected = vec![0u8; 5 + flight.len() + 17];
    protected[5..5 + flight.len()].copy_from_slice(&flight);
    let n = server_write
        .seal(&mut embertls::crypto::RustCrypto, ContentType::Handshake, &mut protected, flight.len())
        .expect("seal");
    let wire = [record(22, &sh), protected[..n].to_vec()].concat();
    match feed(&mut client, &wire)?.as_slice() {
        [Event::HandshakeComplete(s)] => Ok((*s, hellos)),
        other => panic!("expected HandshakeComplete, got {other:?}"),
    }
}

fn has_extension(ch: &[u8], typ: u16) -> bool {
    ClientHello::decode(&ch[4..]).expect("ClientHello parses").extensions.get(typ).is_some()
}

const PSK_KEY: [u8; 32] = [0x5a; 32];

/// TLS 1.3 only, psk_ke: the ClientHello offers no groups and no key_share
/// (nothing to negotiate, §4.2.9), and a ServerHello without key_share completes.
#[test]
fn psk_ke_without_groups_completes() {
    let psk = ExternalPsk::new(ID.as_bytes(), &PSK_KEY).unwrap().with_mode(PskMode::Ke);
    let cfg = config(&psk, &[CipherSuite::Tls13Aes128GcmSha256]).with_versions(&[ProtocolVersion::Tls13]).unwrap();
    let (s, hellos) = run_psk_ke(&cfg, &PSK_KEY, PskKeScript { hrr: None, sh_key_share: false }).unwrap();
    assert_eq!((s.group, s.trust, s.hello_retry), (None, Trust::PreSharedKey, false));
    assert!(!has_extension(&hellos[0], 10), "no supported_groups in a psk_ke-only ClientHello");
    assert!(!has_extension(&hellos[0], 51), "no key_share in a psk_ke-only ClientHello");
    assert!(has_extension(&hellos[0], 45), "psk_key_exchange_modes");

    // With no group offered, a HelloRetryRequest naming one is refused.
    let e = run_psk_ke(&cfg, &PSK_KEY, PskKeScript { hrr: Some(NamedGroup::X25519), sh_key_share: false })
        .expect_err("no group was offered");
    assert_eq!(e, Error::PeerMisbehaved(Misbehavior::UnsolicitedExtension(51)), "{e}");
    assert_eq!(e.alert(), Some(AlertDescription::UnsupportedExtension));
}

/// With TLS 1.2 ECDHE_PSK suites offered too, supported_groups goes out (RFC
/// 8422 §5.1.1) and a server may answer with a HelloRetryRequest naming a
/// group; its psk_ke ServerHello then has no key_share (§4.2.9) and the
/// handshake completes without (EC)DHE.
#[test]
fn psk_ke_after_hello_retry_without_key_share() {
    let psk = ExternalPsk::new(ID.as_bytes(), &PSK_KEY).unwrap().with_mode(PskMode::Ke);
    let suites = [CipherSuite::Tls13Aes128GcmSha256, CipherSuite::EcdhePskWithChacha20Poly1305Sha256];
    let cfg = config(&psk, &suites);
    let sc = PskKeScript { hrr: Some(NamedGroup::Secp256r1), sh_key_share: false };
    let (s, hellos) = run_psk_ke(&cfg, &PSK_KEY, sc).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((s.group, s.trust, s.hello_retry), (None, Trust::PreSharedKey, true), "{s:?}");
    assert!(has_extension(&hellos[0], 10), "supported_groups for the ECDHE_PSK suite");
    assert!(has_extension(&hellos[1], 51), "§4.1.2: the second ClientHello has the share asked for");

    // A key_share in a psk_ke ServerHello is refused (§4.2.9).
    let sc = PskKeScript { hrr: Some(NamedGroup::X25519), sh_key_share: true };
    let e = run_psk_ke(&cfg, &PSK_KEY, sc).expect_err("key_share in a psk_ke ServerHello");
    assert_eq!(e, Error::PeerMisbehaved(Misbehavior::ExtensionNotAllowedHere(51)), "{e}");
    assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter));
}

/// In psk_dhe_ke mode a ServerHello without key_share is still refused, with or without a HelloRetryRequest.
#[test]
fn psk_dhe_ke_requires_a_key_share() {
    let psk = ExternalPsk::new(ID.as_bytes(), &PSK_KEY).unwrap();
    let cfg = config(&psk, &[CipherSuite::Tls13Aes128GcmSha256]);
    for hrr in [None, Some(NamedGroup::Secp256r1)] {
        let e = run_psk_ke(&cfg, &PSK_KEY, PskKeScript { hrr, sh_key_share: false }).expect_err("no key share");
        assert_eq!(e, Error::PeerMisbehaved(Misbehavior::KeyShareGroupMismatch), "{hrr:?}: {e}");
    }
}

/// The exact events of external-PSK handshakes (issue 15 item 5), psk_dhe_ke
/// and psk_ke, against `openssl s_server -www`: the handshake, the tickets
/// (RFC 8446 §4.6.1: after the server's Finished), the page, the close.
/// OpenSSL counts an accepted PSK as a resumption and then sends at most one
/// ticket (`s->hit` in its statem_srvr.c), whatever `-num_tickets` says; with
/// `-num_tickets 0` it sends none.
#[test]
fn events_of_psk_handshakes() {
    for mode in [PskMode::DheKe, PskMode::Ke] {
        for (tickets, expected) in [
            ("2", &["HandshakeComplete(resumed=false)", "SessionTicket", "ApplicationData", "PeerClosed"][..]),
            ("0", &["HandshakeComplete(resumed=false)", "ApplicationData", "PeerClosed"][..]),
        ] {
            let mut extra = vec!["-num_tickets", tickets, "-ciphersuites", "TLS_AES_128_GCM_SHA256"];
            if mode == PskMode::Ke {
                extra.push("-allow_no_dhe_kex");
            }
            let server = psk_server(KEY, ID, &extra);
            let psk = ExternalPsk::from_hex(ID, KEY).unwrap().with_mode(mode);
            let cfg = config(&psk, &[CipherSuite::Tls13Aes128GcmSha256]);
            let options = options(&cfg, ServerName::parse("localhost"));
            let mut client = Client::new(options, rng(), vec![0; MAX_RECORD], vec![0; MAX_RECORD]).unwrap();
            let seen = tcp_event_sequence(&mut client, &mut server.connect());
            assert_eq!(seen, expected, "{mode:?}, -num_tickets {tickets}\n{}", server.log());
        }
    }
}
