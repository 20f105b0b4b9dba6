//! Interoperability with a real `openssl s_server` (OpenSSL 3) on loopback,
//! TLS 1.3 only, in the insecure (unverified) mode: every suite × group ×
//! certificate type, HelloRetryRequest both ways, tiny server records, ALPN,
//! a client fed one byte at a time, and the server's close.
//!
//! Each test starts its own servers on free ports and kills them on drop.

use crate::common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::engine::insecure;
use common::peer::{rng, CertKind, OpensslServer, GROUPS, SUITES};
use common::provider::options;
use embertls::{
    AlertDescription, CipherSuite, Client, ClientConfig, Error, Event, HandshakeSummary, NamedGroup, ProtocolVersion,
    ServerName, TlsStream, Trust,
};

const GET: &[u8] = b"GET / HTTP/1.0\r\n\r\n";

/// Connects with `TlsStream`, sends the GET, reads to the end and returns
/// the summary and the response (or a description of what failed).
fn get<'a>(server: &OpensslServer, config: &'a ClientConfig<'a>) -> Result<(HandshakeSummary<'a>, String), String> {
    let tcp = server.connect();
    let mut tls = TlsStream::connect(options(config, ServerName::parse("localhost")), rng(), tcp)
        .map_err(|e| format!("handshake: {e}"))?;
    let summary = tls.summary().ok_or("no summary after connect")?;
    tls.write_all(GET).map_err(|e| format!("write: {e}"))?;
    let mut page = Vec::new();
    tls.read_to_end(&mut page).map_err(|e| format!("read_to_end: {e} (after {} bytes)", page.len()))?;
    Ok((summary, String::from_utf8_lossy(&page).into_owned()))
}

/// Checks one `-www` exchange; the error names what differs.
fn check_www(
    summary: &HandshakeSummary<'_>,
    page: &str,
    suite: CipherSuite,
    group: NamedGroup,
    hello_retry: bool,
) -> Result<(), String> {
    let mut problems = Vec::new();
    if summary.version != ProtocolVersion::Tls13 {
        problems.push(format!("version {}", summary.version));
    }
    if summary.cipher_suite != suite {
        problems.push(format!("suite {} (server allows only {suite})", summary.cipher_suite));
    }
    if summary.group != Some(group) {
        problems.push(format!("group {:?} (server allows only {group})", summary.group));
    }
    if summary.hello_retry != hello_retry {
        problems.push(format!("hello_retry {} (expected {hello_retry})", summary.hello_retry));
    }
    if summary.trust != Trust::NotVerified || summary.is_verified() {
        problems.push(format!("trust {:?} in the insecure mode", summary.trust));
    }
    if summary.alpn.is_some() {
        problems.push("ALPN negotiated without being offered".into());
    }
    if !page.starts_with("HTTP/1.0 200 ok\r\n") {
        problems.push(format!("response does not start with `HTTP/1.0 200 ok`: {:?}", &page[..page.len().min(80)]));
    }
    // s_server -www reports the connection it served: "New, TLSv1.3, Cipher is <suite>".
    if !page.contains(&format!("TLSv1.3, Cipher is {}", suite.name())) {
        problems.push(format!("the server's page does not report TLSv1.3 with {suite}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Every suite × {X25519, P-256} × {ECDSA P-256, RSA-2048}, all 12 in
/// parallel (one s_server each). The client puts the server's group first,
/// so no HelloRetryRequest is needed; it offers all three suites.
#[test]
fn every_suite_group_and_certificate() {
    let mut jobs = Vec::new();
    for cert in CertKind::ALL {
        for (suite, suite_name) in SUITES {
            for (group, group_name) in GROUPS {
                let name = format!("{cert:?} cert, {suite_name}, {group_name}");
                jobs.push(std::thread::spawn(move || {
                    let server =
                        OpensslServer::start(cert, &["-www", "-ciphersuites", suite_name, "-groups", group_name]);
                    let other = GROUPS.iter().map(|g| g.0).find(|g| *g != group).unwrap();
                    let config = insecure().with_groups(&[group, other]).unwrap();
                    let r = get(&server, &config).and_then(|(s, page)| check_www(&s, &page, suite, group, false));
                    r.map_err(|e| format!("{name}: {e}\n  server: {}\n  server output:\n{}", server.args, server.log()))
                }));
            }
        }
    }
    let failures: Vec<String> =
        jobs.into_iter().filter_map(|j| j.join().expect("test thread panicked").err()).collect();
    assert!(failures.is_empty(), "{} of 12 combinations failed:\n{}", failures.len(), failures.join("\n"));
}

/// HelloRetryRequest forced: the server allows only the group the client
/// did not send a key share for, both ways round.
#[test]
fn hello_retry_request_both_ways() {
    let cases = [
        // (client groups, first gets the share), server -groups, expected group, certificate
        ([NamedGroup::X25519, NamedGroup::Secp256r1], "P-256", NamedGroup::Secp256r1, CertKind::Ecdsa),
        ([NamedGroup::Secp256r1, NamedGroup::X25519], "X25519", NamedGroup::X25519, CertKind::Rsa),
    ];
    for (client_groups, server_group, expected, cert) in cases {
        let server = OpensslServer::start(cert, &["-www", "-groups", server_group]);
        let config = insecure().with_groups(&client_groups).unwrap();
        let (summary, page) =
            get(&server, &config).unwrap_or_else(|e| panic!("client {client_groups:?}, server {server_group}: {e}"));
        check_www(&summary, &page, summary.cipher_suite, expected, true)
            .unwrap_or_else(|e| panic!("client {client_groups:?}, server {server_group}: {e}"));
        // Without -serverpref, s_server follows the client's order: our first suite.
        assert_eq!(summary.cipher_suite, CipherSuite::Tls13Aes128GcmSha256);
    }
}

/// `-max_send_frag 512`: the RSA Certificate message spans several records.
/// Also with 4 KiB client buffers instead of the 16 709-byte default: records
/// this small need no more.
#[test]
fn tiny_server_records() {
    let server = OpensslServer::start(CertKind::Rsa, &["-www", "-max_send_frag", "512"]);
    let config = insecure();
    let (summary, page) = get(&server, &config).unwrap_or_else(|e| panic!("max_send_frag 512: {e}"));
    check_www(&summary, &page, summary.cipher_suite, NamedGroup::X25519, false).unwrap();
    assert!(page.len() > 512, "the -www page spans several records ({} bytes)", page.len());

    let tcp = server.connect();
    let mut tls = TlsStream::connect_with_buffers(
        options(&config, ServerName::parse("localhost")),
        rng(),
        tcp,
        vec![0; 4096],
        vec![0; 4096],
    )
    .unwrap_or_else(|e| panic!("4 KiB buffers, 512-byte records: {e}"));
    tls.write_all(GET).unwrap();
    let mut page = Vec::new();
    tls.read_to_end(&mut page).expect("read_to_end with 4 KiB buffers");
    assert!(page.starts_with(b"HTTP/1.0 200 ok\r\n"));
}

#[test]
fn alpn_negotiated() {
    let server = OpensslServer::start(CertKind::Ecdsa, &["-www", "-alpn", "h2,http/1.1"]);
    let config = insecure().with_alpn(&[b"http/1.1"]).unwrap();
    let tcp = server.connect();
    let mut tls = TlsStream::connect(options(&config, ServerName::parse("localhost")), rng(), tcp).expect("handshake");
    assert_eq!(tls.summary().unwrap().alpn, Some(&b"http/1.1"[..]));
    tls.write_all(GET).unwrap();
    let mut page = Vec::new();
    tls.read_to_end(&mut page).unwrap();
    assert!(page.starts_with(b"HTTP/1.0 200 ok\r\n"));
}

/// Observed with OpenSSL 3.0: when none of the client's protocols is on the
/// server's `-alpn` list, s_server aborts the handshake with a fatal
/// no_application_protocol alert (RFC 7301 §3.2; its log says "tls_handle_alpn:
/// no application protocol"). The client reports `Error::AlertReceived` with a
/// message that points at ALPN.
#[test]
fn alpn_unknown_protocol_is_refused_by_openssl() {
    let server = OpensslServer::start(CertKind::Ecdsa, &["-www", "-alpn", "h2,http/1.1"]);
    let config = insecure().with_alpn(&[b"embertls-unknown/1"]).unwrap();
    let tcp = server.connect();
    let err = TlsStream::connect(options(&config, ServerName::parse("localhost")), rng(), tcp)
        .err()
        .expect("OpenSSL 3.0 refuses a ClientHello whose ALPN list has no match");
    assert_eq!(err.kind(), ErrorKind::InvalidData, "{err}");
    let inner = err.get_ref().and_then(|e| e.downcast_ref::<Error>()).expect("an embertls::Error inside");
    assert_eq!(inner, &Error::AlertReceived(AlertDescription::NoApplicationProtocol));
    assert_eq!(inner.alert(), None, "no alert is sent back for a received fatal alert");
    let msg = err.to_string();
    assert!(msg.contains("no_application_protocol") && msg.contains("ALPN"), "{msg}");
}

/// The sans-I/O `Client` driven by hand, with every transport byte handed
/// over in its own `received(1)` call, for the handshake and the response.
#[test]
fn one_byte_at_a_time() {
    let server = OpensslServer::start(CertKind::Rsa, &["-www"]);
    let config = insecure();
    let mut tcp: TcpStream = server.connect();
    let mut client =
        Client::new(options(&config, ServerName::parse("localhost")), rng(), vec![0u8; 16_709], vec![0u8; 16_709])
            .unwrap();
    let mut page = Vec::new();
    let mut summary = None;
    let mut reads = 0usize;
    let end = loop {
        let out = client.outgoing();
        if !out.is_empty() {
            tcp.write_all(out).unwrap();
            let n = out.len();
            client.sent(n);
        }
        match client.process() {
            Ok(Event::NeedData) => {
                let buf = client.receive_buffer();
                assert!(!buf.is_empty(), "NeedData with no receive space");
                let n = tcp.read(&mut buf[..1]).expect("socket read");
                reads += 1;
                client.received(n);
            }
            Ok(Event::HandshakeComplete(s)) => {
                assert!(summary.is_none(), "HandshakeComplete twice");
                summary = Some(s);
                assert_eq!(client.write(GET).unwrap(), GET.len());
            }
            Ok(Event::ApplicationData(n)) => {
                let mut buf = vec![0u8; n];
                assert_eq!(client.read(&mut buf), n);
                page.extend_from_slice(&buf);
            }
            Ok(Event::SessionTicket) => {}
            Ok(Event::PeerClosed) => break Ok(()),
            Ok(other) => panic!("unexpected event {other:?}"),
            Err(e) => break Err(e),
        }
    };
    let summary = summary.expect("handshake completed");
    assert_eq!(summary.version, ProtocolVersion::Tls13);
    assert!(reads > 1000, "every byte was its own read ({reads} reads)");
    let page = String::from_utf8_lossy(&page);
    assert!(page.starts_with("HTTP/1.0 200 ok\r\n"), "{page}");
    assert_eq!(end, Ok(()), "s_server -www ends with close_notify");
}

/// `-naccept 1`: one connection served, then s_server exits. The response
/// ends with close_notify, so `read_to_end` ends with `Ok`, and a closed
/// stream keeps returning 0.
#[test]
fn single_accept_then_close() {
    let mut server = OpensslServer::start(CertKind::Ecdsa, &["-www", "-naccept", "1"]);
    let config = insecure();
    let tcp = server.connect();
    let mut tls = TlsStream::connect(options(&config, ServerName::parse("localhost")), rng(), tcp).expect("handshake");
    tls.write_all(GET).unwrap();
    let mut page = Vec::new();
    let r = tls.read_to_end(&mut page);
    assert!(r.is_ok(), "read_to_end: {r:?} (server sends close_notify, so no truncation)");
    assert!(page.starts_with(b"HTTP/1.0 200 ok\r\n"));
    assert_eq!(tls.read(&mut [0u8; 16]).unwrap(), 0, "reads after close_notify return 0");
    // Our close_notify in return; the server may already be gone (EPIPE/ECONNRESET are fine).
    if let Err(e) = tls.close() {
        assert!(
            matches!(e.kind(), ErrorKind::BrokenPipe | ErrorKind::ConnectionReset),
            "close after the peer closed: {e}"
        );
    }
    assert!(server.wait_exit(Duration::from_secs(5)), "s_server -naccept 1 exits after one connection");
    let tcp = TcpStream::connect(("127.0.0.1", server.port));
    assert!(tcp.is_err(), "nothing listens after -naccept 1");
}
