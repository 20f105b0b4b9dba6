//! TLS 1.3 client-certificate authentication (RFC 8446 §4.3.2, §4.4.2,
//! §4.4.3) against a real `openssl s_server -Verify 1` and the in-memory
//! rustls server: which identity is sent, what the server verified, the
//! errors when it refuses, the [`Signer`] seam, and loading keys.
//!
//! Client identities are in `vectors/peer/` (see its generate.sh): client-ca
//! issued client-p256, client-p384 and client-rsa2048; other-ca (which no
//! server trusts) issued client-other.

use crate::common;

use std::io::{Read, Write};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::peer::{peer_file, rng, rustls_client_auth_config, tls_error, CertKind, MemPeer, OpensslServer};
use common::provider::options;
use embertls::{
    AlertDescription, ClientConfig, ClientIdentity, Error, RsaSigner, ServerName, ServerVerification, SignError,
    SignatureScheme, Signer, SoftwareSigner, TlsStream,
};

const GET: &[u8] = b"GET / HTTP/1.0\r\n\r\n";

fn file(name: &str) -> Vec<u8> {
    std::fs::read(peer_file(name)).unwrap_or_else(|e| panic!("read vectors/peer/{name}: {e}"))
}

/// A certificate chain (DER, leaf first) and its key, from `vectors/peer/<name>.pem` / `.key`.
struct Loaded {
    certs: Vec<Vec<u8>>,
    signer: SoftwareSigner,
}

impl Loaded {
    fn new(name: &str) -> Self {
        let certs = embertls::pem::certificates(&file(&format!("{name}.pem"))).expect("certificate PEM");
        let signer = SoftwareSigner::from_pem_with_rng(&file(&format!("{name}.key")), rng()).expect("key PEM");
        Loaded { certs, signer }
    }

    fn refs(&self) -> Vec<&[u8]> {
        self.certs.iter().map(Vec::as_slice).collect()
    }
}

/// The openssl server that requires (`-Verify 1`) or asks for (`-verify 1`)
/// a client certificate issued by client-ca, and answers with its `-www` page.
fn server(mode: &str, extra: &[&str]) -> OpensslServer {
    let ca = peer_file("client-ca.pem").display().to_string();
    let mut args = vec!["-www", mode, "1", "-CAfile", ca.as_str()];
    args.extend_from_slice(extra);
    OpensslServer::start(CertKind::Ecdsa, &args)
}

/// Connects, sends a GET and reads the page; the engine's error otherwise
/// (a rejection alert comes after our Finished, so on the first read).
fn get(server: &OpensslServer, config: &ClientConfig<'_>) -> Result<String, Error> {
    let engine = |what: &str, e: std::io::Error| match tls_error(&e) {
        Some(err) => err.clone(),
        None => panic!("{what}: I/O error without an engine error: {e}"),
    };
    let mut tls = TlsStream::connect(options(config, ServerName::parse("localhost")), rng(), server.connect())
        .map_err(|e| engine("connect", e))?;
    tls.write_all(GET).map_err(|e| engine("write", e))?;
    let mut page = Vec::new();
    tls.read_to_end(&mut page).map_err(|e| engine("read", e))?;
    Ok(String::from_utf8_lossy(&page).into_owned())
}

fn config<'a>(identities: &'a [ClientIdentity<'a>]) -> ClientConfig<'a> {
    ClientConfig::new(ServerVerification::danger_accept_any()).with_client_identities(identities)
}

/// The server verified `name`'s certificate: its page shows the subject, and
/// its log shows the chain verified up to client-ca.
fn assert_server_verified(server: &OpensslServer, page: &str, name: &str) {
    let subject = format!("Subject: CN=embertls device {name}");
    assert!(page.contains("Client certificate") && page.contains(&subject), "page lacks `{subject}`:\n{page}");
    let log = server.log();
    let leaf = format!("depth=0 CN = embertls device {name}\nverify return:1");
    assert!(log.contains(&leaf), "s_server log lacks `{leaf}`:\n{log}");
    assert!(log.contains("depth=1 CN = embertls client-ca\nverify return:1"), "s_server log:\n{log}");
    assert!(!log.contains("verify error"), "s_server log:\n{log}");
}

#[test]
fn openssl_accepts_p256_p384_and_rsa2048_client_certificates() {
    let server = server("-Verify", &[]);
    for name in ["client-p256", "client-p384", "client-rsa2048"] {
        let id = Loaded::new(name);
        let refs = id.refs();
        let identity = [ClientIdentity::new(&refs, &id.signer).expect("identity")];
        let config = config(&identity);
        let page = get(&server, &config).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_server_verified(&server, &page, name);
    }
}

#[test]
fn no_identity_and_certificate_required() {
    let server = server("-Verify", &[]);
    let config = config(&[]);
    let err = get(&server, &config).expect_err("the server requires a certificate");
    assert!(
        matches!(
            &err,
            Error::ClientAuthRejected {
                alert: AlertDescription::CertificateRequired,
                sent_identity: None,
                configured: false,
            }
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("requires a client certificate") && msg.contains("with_client_identities"), "{msg}");
}

#[test]
fn identity_from_an_unlisted_ca_is_not_sent() {
    let server = server("-Verify", &[]);
    let other = Loaded::new("client-other");
    let refs = other.refs();
    let identity = [ClientIdentity::new(&refs, &other.signer).expect("identity")];
    let config = config(&identity);
    let err = get(&server, &config).expect_err("no fitting certificate");
    assert!(matches!(&err, Error::ClientAuthRejected { sent_identity: None, configured: true, .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("none was sent") && msg.contains("certificate_authorities"), "{msg}");
    // Nothing was presented, so nothing was verified.
    assert!(!server.log().contains("embertls device"), "{}", server.log());
}

#[test]
fn the_identity_from_a_listed_ca_is_chosen() {
    let server = server("-Verify", &[]);
    let (other, right) = (Loaded::new("client-other"), Loaded::new("client-p256"));
    let (other_refs, right_refs) = (other.refs(), right.refs());
    let identities = [
        ClientIdentity::new(&other_refs, &other.signer).expect("identity"),
        ClientIdentity::new(&right_refs, &right.signer).expect("identity"),
    ];
    let config = config(&identities);
    let page = get(&server, &config).unwrap_or_else(|e| panic!("{e}"));
    assert_server_verified(&server, &page, "client-p256");
}

fn other_then_p256<'a>(
    other: &'a [&'a [u8]],
    o: &'a Loaded,
    right: &'a [&'a [u8]],
    r: &'a Loaded,
) -> [ClientIdentity<'a>; 2] {
    [ClientIdentity::new(other, &o.signer).expect("identity"), ClientIdentity::new(right, &r.signer).expect("identity")]
}

/// A server that lists no CAs (rustls with its CA hints cleared: no
/// certificate_authorities extension): the first identity that can sign is
/// sent (other-ca's, although client-p256 would fit), the server refuses its
/// issuer, and the error names the identity sent. With the hints on, client-p256 is chosen.
#[test]
fn without_ca_names_the_first_identity_is_sent_and_its_issuer_named() {
    let (other, right) = (Loaded::new("client-other"), Loaded::new("client-p256"));
    let (other_refs, right_refs) = (other.refs(), right.refs());
    let identities = other_then_p256(&other_refs, &other, &right_refs, &right);
    let config = config(&identities);

    let mut peer = MemPeer::new(&config, rustls_client_auth_config(CertKind::Ecdsa, "client-ca.pem", false));
    let err = peer.handshake_then_read().expect_err("rustls does not trust other-ca");
    // The first identity (other-ca's) fits the server's signature schemes and was sent.
    let Error::ClientAuthRejected { alert, sent_identity: Some(0), configured: true } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(identities[0].issuer_common_name(), Some("embertls other-ca"));
    assert!(matches!(alert, AlertDescription::UnknownCa | AlertDescription::BadCertificate), "{alert:?}");
    let msg = err.to_string();
    assert!(msg.contains("client identity #0") && msg.contains("issuer_common_name"), "{msg}");
    assert!(
        matches!(&peer.server_error, Some(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer))),
        "{:?}",
        peer.server_error
    );

    let mut peer = MemPeer::new(&config, rustls_client_auth_config(CertKind::Ecdsa, "client-ca.pem", true));
    peer.handshake_then_read().expect("rustls accepts client-p256");
    assert!(peer.server_error.is_none(), "{:?}", peer.server_error);
    let presented = peer.server.peer_certificates().expect("the client presented a certificate");
    assert_eq!(presented[0].as_ref(), right.certs[0].as_slice(), "client-p256 should have been sent");
}

/// `openssl s_server -no_ca_names` (OpenSSL 3.0) does not omit
/// certificate_authorities: it sends it with an empty list, which RFC 8446
/// §4.2.4 forbids (`authorities<3..2^16-1>`; openssl/openssl#32211). The
/// engine refuses it as malformed (decode_error), as BoringSSL does. This
/// pins that behavior; if the engine is changed to read an empty list as "no
/// CA names", this test must change to expect other-ca's certificate sent.
#[test]
fn openssl_no_ca_names_empty_list_means_no_ca_filter() {
    // OpenSSL 3.0 with -no_ca_names sends an empty certificate_authorities
    // list; it is read as "no list", so the first identity that fits (other-ca's) is sent.
    let server = server("-Verify", &["-no_ca_names"]);
    let (other, right) = (Loaded::new("client-other"), Loaded::new("client-p256"));
    let (other_refs, right_refs) = (other.refs(), right.refs());
    let identities = other_then_p256(&other_refs, &other, &right_refs, &right);
    let config = config(&identities);
    // s_server's default verify callback lets an unverifiable client certificate
    // through (it prints "Verify return code: 21"), so the page shows which one was sent.
    let page = get(&server, &config).unwrap_or_else(|e| panic!("{e}"));
    assert!(page.contains("Subject: CN=embertls device client-other"), "{page}");
    assert!(page.contains("Verify return code: 21"), "{page}");
}

#[test]
fn optional_client_auth_without_identity_succeeds() {
    let server = server("-verify", &[]);
    let config = config(&[]);
    let page = get(&server, &config).unwrap_or_else(|e| panic!("{e}"));
    assert!(page.starts_with("HTTP/1.0 200 ok") && page.contains("no client certificate available"), "{page}");
}

/// A hardware-signer stand-in: the public key of client-p256, and a `sign`
/// that fails (like a secure element that does not answer) or signs and
/// then corrupts the signature.
struct TestSigner<'a> {
    real: &'a SoftwareSigner,
    calls: AtomicUsize,
    corrupt: bool,
}

impl Signer for TestSigner<'_> {
    fn schemes(&self) -> &[SignatureScheme] {
        self.real.schemes()
    }
    fn public_key(&self) -> &[u8] {
        self.real.public_key()
    }
    fn sign(&self, scheme: SignatureScheme, message: &[u8], out: &mut [u8]) -> Result<usize, SignError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        if !self.corrupt {
            return Err(SignError::Device("ATECC608 did not answer"));
        }
        let n = self.real.sign(scheme, message, out)?;
        out[n - 1] ^= 0x01; // still DER, no longer the signature
        Ok(n)
    }
}

#[test]
fn a_refusing_signer_fails_the_handshake_with_its_reason() {
    let id = Loaded::new("client-p256");
    let refs = id.refs();
    let signer = TestSigner { real: &id.signer, calls: AtomicUsize::new(0), corrupt: false };
    let identity = [ClientIdentity::new(&refs, &signer).expect("identity")];
    let config = config(&identity);
    let mut peer = MemPeer::new(&config, rustls_client_auth_config(CertKind::Ecdsa, "client-ca.pem", true));
    let err = peer.try_handshake().expect_err("the signer refuses");
    assert_eq!(err, Error::Signer(SignError::Device("ATECC608 did not answer")));
    assert!(err.to_string().contains("ATECC608 did not answer"), "{err}");
    assert_eq!(signer.calls.load(Ordering::Relaxed), 1);
    assert_eq!(err.alert(), Some(AlertDescription::InternalError));
    // The alert was queued: the server receives internal_error.
    assert!(!peer.client.outgoing().is_empty(), "no alert queued");
    peer.client_to_server();
    assert_eq!(
        peer.server_error,
        Some(rustls::Error::AlertReceived(rustls::AlertDescription::InternalError)),
        "the server should have received our internal_error alert"
    );
}

#[test]
fn a_bad_signature_is_rejected_with_decrypt_error() {
    let server = server("-Verify", &[]);
    let id = Loaded::new("client-p256");
    let refs = id.refs();
    let signer = TestSigner { real: &id.signer, calls: AtomicUsize::new(0), corrupt: true };
    let identity = [ClientIdentity::new(&refs, &signer).expect("identity")];
    let config = config(&identity);
    let err = get(&server, &config).expect_err("the signature is wrong");
    assert!(
        matches!(&err, Error::ClientAuthRejected { alert: AlertDescription::DecryptError, sent_identity: Some(0), .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("the private key does not match the certificate"), "{err}");
    assert_eq!(signer.calls.load(Ordering::Relaxed), 1);
}

#[test]
fn identity_checks_key_and_chain() {
    let p256 = Loaded::new("client-p256");
    let rsa = Loaded::new("client-rsa2048");
    let p384 = Loaded::new("client-p384");
    for (certs, signer, what) in [
        (p256.refs(), &rsa.signer, "RSA key, P-256 certificate"),
        (rsa.refs(), &p256.signer, "P-256 key, RSA certificate"),
        (p384.refs(), &p256.signer, "P-256 key, P-384 certificate"),
        (p256.refs(), &Loaded::new("client-other").signer, "another P-256 key"),
    ] {
        let err = ClientIdentity::new(&certs, signer).expect_err(what);
        assert!(
            matches!(err, Error::Config(m) if m.contains("does not belong to the client certificate")),
            "{what}: {err:?}"
        );
    }
    // Matching pairs pass (the SPKI encodings are byte-identical, RSA included).
    for l in [&p256, &rsa, &p384] {
        let refs = l.refs();
        ClientIdentity::new(&refs, &l.signer).expect("matching pair");
    }
    let err = ClientIdentity::new(&[], &p256.signer).expect_err("empty chain");
    assert!(matches!(err, Error::Config(m) if m.contains("empty")), "{err:?}");
    let not_a_cert: &[u8] = b"not a certificate";
    let err = ClientIdentity::new(core::slice::from_ref(&not_a_cert), &p256.signer).expect_err("garbage");
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}

#[test]
fn software_signer_loads_every_key_form() {
    fn send<T: Send>() {}
    send::<SoftwareSigner>(); // can be moved to the thread that connects
    for (name, want) in [
        ("client-p256.key", "P256"),
        ("client-p256.sec1.key", "P256"),
        ("client-p384.key", "P384"),
        ("client-p384.sec1.key", "P384"),
        ("client-other.key", "P256"),
    ] {
        let pem = file(name);
        for s in [SoftwareSigner::from_pem(&pem), SoftwareSigner::from_pem_with_rng(&pem, rng())] {
            let s = s.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(format!("{s:?}").starts_with(want), "{name}: {s:?}");
        }
        // DER bytes too.
        let der = embertls::pem::parse(&pem).expect("PEM").remove(0).der;
        SoftwareSigner::from_pem(&der).unwrap_or_else(|e| panic!("{name} as DER: {e}"));
    }
    let cert_spki = |name: &str| {
        let cert = embertls::pem::certificates(&file(name)).expect("PEM").remove(0);
        embertls::crypto::certificate_spki(&cert).expect("SPKI").to_vec()
    };
    for name in ["client-rsa2048.key", "client-rsa2048.pkcs1.key"] {
        let pem = file(name);
        let err = SoftwareSigner::from_pem(&pem).expect_err("RSA without RNG");
        assert!(err.to_string().contains("from_pem_with_rng"), "{name}: {err}");
        let s = SoftwareSigner::from_pem_with_rng(&pem, rng()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(matches!(&s, SoftwareSigner::Rsa(r) if r.bits() == 2048), "{name}: {s:?}");
        assert_eq!(s.public_key(), cert_spki("client-rsa2048.pem"), "{name}: SPKI differs from the certificate's");
        let der = embertls::pem::parse(&pem).expect("PEM").remove(0).der;
        SoftwareSigner::from_pem_with_rng(&der, rng()).unwrap_or_else(|e| panic!("{name} as DER: {e}"));
    }
    // Not keys.
    for (what, input) in [
        ("a certificate file", file("client-p256.pem")),
        ("garbage", b"garbage".to_vec()),
        ("garbage DER", vec![0x30, 0x03, 0x02, 0x01, 0x00]),
        (
            "an encrypted key",
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n".to_vec(),
        ),
    ] {
        let err = SoftwareSigner::from_pem_with_rng(&input, rng()).expect_err(what);
        assert!(matches!(err, Error::Config(_)), "{what}: {err:?}");
        let msg = err.to_string();
        println!("{what}: {msg}");
        assert!(msg.contains("PRIVATE KEY") || msg.contains("private key"), "{what}: {msg}");
    }
    // RSA sizes: 2048 to 4096 bits.
    for (name, ok) in [("rsa1024.key", false), ("rsa4096.key", true), ("rsa4160.key", false)] {
        match SoftwareSigner::from_pem_with_rng(&file(name), rng()) {
            Ok(s) => assert!(ok, "{name} accepted: {s:?}"),
            Err(e) => {
                assert!(!ok, "{name}: {e}");
                assert!(e.to_string().contains("2048 to 4096 bits"), "{name}: {e}");
            }
        }
    }
}

/// Every scheme the RSA signer offers, checked by `openssl dgst -verify`
/// (PSS with salt length = hash length, as TLS 1.3 requires), for 2048 and
/// 4096-bit keys; and the schemes it refuses.
#[test]
fn rsa_signatures_verify_with_openssl() {
    let dir = std::env::temp_dir().join(format!("embertls-client-auth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let message = b"TLS 1.3, client CertificateVerify test message".repeat(3);
    std::fs::write(dir.join("msg"), &message).expect("write");
    for key in ["client-rsa2048.key", "rsa4096.key"] {
        let der = embertls::pem::parse(&file(key)).expect("PEM").remove(0).der;
        let signer = RsaSigner::from_pkcs8_der(&der, rng()).expect("RSA key");
        let pubkey = dir.join("pub.pem");
        let out = Command::new("openssl")
            .args(["pkey", "-pubout", "-in"])
            .arg(peer_file(key))
            .arg("-out")
            .arg(&pubkey)
            .output()
            .expect("openssl pkey");
        assert!(out.status.success(), "{out:?}");
        assert_eq!(
            signer.schemes(),
            [
                SignatureScheme::RsaPssRsaeSha256,
                SignatureScheme::RsaPssRsaeSha384,
                SignatureScheme::RsaPssRsaeSha512,
                SignatureScheme::RsaPkcs1Sha256,
                SignatureScheme::RsaPkcs1Sha384,
                SignatureScheme::RsaPkcs1Sha512,
            ]
        );
        for (scheme, digest, pss_salt) in [
            (SignatureScheme::RsaPssRsaeSha256, "-sha256", Some(32)),
            (SignatureScheme::RsaPssRsaeSha384, "-sha384", Some(48)),
            (SignatureScheme::RsaPssRsaeSha512, "-sha512", Some(64)),
            (SignatureScheme::RsaPkcs1Sha256, "-sha256", None),
            (SignatureScheme::RsaPkcs1Sha384, "-sha384", None),
            (SignatureScheme::RsaPkcs1Sha512, "-sha512", None),
        ] {
            let mut sig = [0u8; 512];
            let n = signer.sign(scheme, &message, &mut sig).expect("sign");
            assert_eq!(n as u32, signer.bits() / 8, "{key} {scheme:?}");
            for corrupt in [false, true] {
                let mut s = sig[..n].to_vec();
                if corrupt {
                    s[n / 2] ^= 0x40;
                }
                std::fs::write(dir.join("sig"), &s).expect("write");
                let mut cmd = Command::new("openssl");
                cmd.arg("dgst").arg(digest).arg("-verify").arg(&pubkey);
                if let Some(salt) = pss_salt {
                    cmd.args(["-sigopt", "rsa_padding_mode:pss", "-sigopt", &format!("rsa_pss_saltlen:{salt}")]);
                }
                let out =
                    cmd.arg("-signature").arg(dir.join("sig")).arg(dir.join("msg")).output().expect("openssl dgst");
                assert_eq!(
                    out.status.success(),
                    !corrupt,
                    "{key} {scheme:?} corrupt={corrupt}: {}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        // PSS signatures are randomized.
        let (mut a, mut b) = ([0u8; 512], [0u8; 512]);
        signer.sign(SignatureScheme::RsaPssRsaeSha256, &message, &mut a).expect("sign");
        signer.sign(SignatureScheme::RsaPssRsaeSha256, &message, &mut b).expect("sign");
        assert_ne!(a, b);
        // Refused: other schemes, a short buffer.
        let mut sig = [0u8; 512];
        assert_eq!(
            signer.sign(SignatureScheme::EcdsaSecp256r1Sha256, &message, &mut sig),
            Err(SignError::UnsupportedScheme)
        );
        assert_eq!(
            signer.sign(SignatureScheme::RsaPssRsaeSha256, &message, &mut sig[..100]),
            Err(SignError::BufferTooSmall)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

impl MemPeer<'_> {
    /// Runs the handshake and has the server send a few bytes, so an alert
    /// it sends after our Finished reaches the client; returns the client's error.
    fn handshake_then_read(&mut self) -> Result<(), Error> {
        self.try_handshake()?;
        if let Some(e) = self.server_error.clone() {
            // The server refused our flight: its alert is queued for the client.
            self.server_to_client();
            loop {
                match self.next_event() {
                    Err(err) => return Err(err),
                    Ok(embertls::Event::NeedData) => panic!("server error {e:?} but no alert reached the client"),
                    Ok(_) => {}
                }
            }
        }
        self.server_write(b"hi");
        assert_eq!(self.client_read(2), b"hi");
        Ok(())
    }
}

/// The exact events of a TLS 1.3 handshake with a client certificate (issue
/// 15 item 5) against the in-memory rustls server: as without one (the
/// certificate and CertificateVerify go out with the Finished), the two
/// tickets rustls sends after it, the data, the close.
#[test]
fn events_with_a_client_certificate() {
    let id = Loaded::new("client-p256");
    let refs = id.refs();
    let identity = [ClientIdentity::new(&refs, &id.signer).expect("identity")];
    let config = config(&identity);
    let mut peer = MemPeer::new(&config, rustls_client_auth_config(CertKind::Ecdsa, "client-ca.pem", true));
    let (seen, _) = peer.event_sequence();
    let expected =
        ["HandshakeComplete(resumed=false)", "SessionTicket", "SessionTicket", "ApplicationData(5)", "PeerClosed"];
    assert_eq!(seen, expected);
    assert!(peer.server.peer_certificates().is_some(), "the server has the client's certificate");
}
