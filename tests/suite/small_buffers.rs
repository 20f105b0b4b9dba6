//! Small receive buffers: the client asks for small records with
//! max_fragment_length (RFC 6066) and record_size_limit (RFC 8449), keeps to
//! the server's limit when writing, and explains a server that does not.

use crate::common;

use std::io::{Read, Write};

use common::peer::{CertKind, OpensslServer};
use common::provider::options;
use embertls::{ClientConfig, Error, ServerName, ServerVerification, TlsStream};

fn get(server: &OpensslServer, rx: usize, tx: usize) -> Result<(Option<usize>, String), Error> {
    let config = ClientConfig::new(ServerVerification::danger_accept_any());
    let rng = rand_core::UnwrapErr(getrandom::SysRng);
    let name = ServerName::parse("localhost");
    let io =
        |e: std::io::Error| e.into_inner().and_then(|e| e.downcast::<Error>().ok()).map(|e| *e).expect("engine error");
    let mut s =
        TlsStream::connect_with_buffers(options(&config, name), rng, server.connect(), vec![0; rx], vec![0; tx])
            .map_err(io)?;
    let frag = s.summary().and_then(|s| s.max_fragment);
    s.write_all(b"GET / HTTP/1.0\r\n\r\n").map_err(io)?;
    let mut page = Vec::new();
    s.read_to_end(&mut page).map_err(io)?;
    Ok((frag, String::from_utf8_lossy(&page).into_owned()))
}

#[test]
fn openssl_honours_max_fragment_length_for_small_buffers() {
    for (rx, expected) in [(8 * 1024 + 512, 4096), (4 * 1024 + 512, 2048), (2 * 1024 + 512, 1024)] {
        let server = OpensslServer::start(CertKind::Rsa, &["-www"]);
        let (frag, page) = get(&server, rx, 2048).unwrap_or_else(|e| panic!("rx {rx}: {e}"));
        assert_eq!(frag, Some(expected), "rx {rx}");
        assert!(page.starts_with("HTTP/1.0 200 ok"), "rx {rx}: {page}");
    }
}

#[test]
fn large_buffers_ask_for_no_limit() {
    let server = OpensslServer::start(CertKind::Ecdsa, &["-www"]);
    let (frag, page) = get(&server, 2 * embertls::MAX_RECORD, 4096).unwrap();
    assert_eq!(frag, None);
    assert!(page.starts_with("HTTP/1.0 200 ok"));
}

#[test]
fn writes_are_cut_to_the_negotiated_fragment() {
    // A 10 KB request through a 1 KB fragment limit: OpenSSL refuses any
    // record above the negotiated fragment length, so the page arrives only
    // if every record was cut to 1 KB.
    let server = OpensslServer::start(CertKind::Ecdsa, &["-www"]);
    let config = ClientConfig::new(ServerVerification::danger_accept_any());
    let rng = rand_core::UnwrapErr(getrandom::SysRng);
    let mut s = TlsStream::connect_with_buffers(
        options(&config, ServerName::parse("localhost")),
        rng,
        server.connect(),
        vec![0; 2 * 1024 + 512],
        vec![0; 8192],
    )
    .unwrap();
    assert_eq!(s.summary().and_then(|s| s.max_fragment), Some(1024));
    let mut req = b"GET /".to_vec();
    req.extend(std::iter::repeat_n(b'a', 10_000));
    req.extend_from_slice(b" HTTP/1.0\r\n\r\n");
    s.write_all(&req).unwrap();
    let mut page = Vec::new();
    s.read_to_end(&mut page).unwrap();
    assert!(String::from_utf8_lossy(&page).starts_with("HTTP/1.0 200 ok"));
}

#[test]
fn overflow_message_names_the_limit() {
    let e = Error::RecordOverflow { size: 16401, limit: 4097 };
    let m = e.to_string();
    assert!(m.contains("16401") && m.contains("4097") && m.contains("record_size_limit"), "{m}");
}

/// A client certificate flight larger than the negotiated fragment length
/// (here 512 bytes: the RSA-2048 chain alone is larger).
#[test]
fn client_certificate_flight_within_the_fragment_limit() {
    let file = |n: &str| std::fs::read(common::peer::peer_file(n)).unwrap();
    let chain = embertls::pem::certificates(&file("client-rsa2048.pem")).unwrap();
    let refs: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
    let signer = embertls::SoftwareSigner::from_pem_with_rng(&file("client-rsa2048.key"), common::peer::rng()).unwrap();
    let id = embertls::ClientIdentity::new(&refs, &signer).unwrap();
    let ca = common::peer::peer_file("client-ca.pem").display().to_string();
    for v in ["-tls1_3", "-tls1_2"] {
        let server = OpensslServer::start_args(&[
            "-cert",
            &CertKind::Ecdsa.cert_path().display().to_string(),
            "-key",
            &CertKind::Ecdsa.key_path().display().to_string(),
            v,
            "-www",
            "-Verify",
            "1",
            "-CAfile",
            &ca,
        ]);
        let config = ClientConfig::new(ServerVerification::danger_accept_any()).with_client_identity(&id);
        let rng = rand_core::UnwrapErr(getrandom::SysRng);
        let io = |e: std::io::Error| e.to_string();
        let r = TlsStream::connect_with_buffers(
            options(&config, ServerName::parse("localhost")),
            rng,
            server.connect(),
            vec![0; 1024 + 512],
            vec![0; 4096],
        )
        .map_err(io)
        .and_then(|mut s| {
            s.write_all(b"GET / HTTP/1.0\r\n\r\n").map_err(io)?;
            let mut page = Vec::new();
            s.read_to_end(&mut page).map_err(io)?;
            Ok((s.summary().and_then(|s| s.max_fragment), String::from_utf8_lossy(&page).into_owned()))
        });
        let (frag, page) = r.unwrap_or_else(|e| panic!("{v}: {e}\n{}", server.log()));
        assert_eq!(frag, Some(512), "{v}");
        assert!(page.starts_with("HTTP/1.0 200 ok"), "{v}: {page}");
    }
}
