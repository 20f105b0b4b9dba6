//! External pre-shared keys (RFC 8446 §2.2, §4.2.11) against a real
//! `openssl s_server -nocert -psk` on loopback: every SHA-256 suite in both
//! modes, wrong keys and identities, psk_ke refused by a server that wants
//! (EC)DHE, a server that ignores the PSK and sends a certificate, and the
//! `ExternalPsk` / `ClientConfig` rules that need no server.
//!
//! OpenSSL's external PSK is SHA-256 only (`-psk` sets no hash), so the
//! SHA-384 suite is checked for its refusal, not for success.

mod common;

use std::io::{Read, Write};

use common::peer::{rng, tls_error, CertKind, OpensslServer};
use embertls::{
    AlertDescription, CipherSuite, Client, ClientConfig, Error, ExternalPsk, HandshakeSummary, NamedGroup, PskMode,
    ServerName, ServerVerification, TlsStream, Trust,
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
        TlsStream::connect(config, ServerName::parse("localhost"), None, rng(), server.connect()).map_err(io)?;
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

/// psk_ke alone offers no key share; a server that insists on (EC)DHE
/// (OpenSSL without -allow_no_dhe_kex) cannot use the PSK and refuses.
#[test]
fn psk_ke_against_a_server_that_requires_dhe() {
    let server = psk_server(KEY, ID, &[]);
    let psk = ExternalPsk::from_hex(ID, KEY).unwrap().with_mode(PskMode::Ke);
    let cfg = config(&psk, &[CipherSuite::Tls13Aes128GcmSha256]);
    let e = get(&server, &cfg).unwrap_err();
    assert_psk_refused(&e, Some(AlertDescription::HandshakeFailure));
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
    Client::new(cfg, ServerName::parse("localhost"), None, rng(), vec![0u8; 4096], vec![0u8; 4096]).map(drop)
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
