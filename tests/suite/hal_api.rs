//! Issue 17 item 2: an API that fits tasks and statics. Most checks here are
//! compile-time: this file does not build if `ClientConfig` stops being
//! `Sync`, a `Client` or a stream stops being `Send`, receive and send
//! buffers must share a type, or a configuration cannot be a `static`.
//! The run-time parts move a connection to another thread and keep session
//! tickets through the `embedded-io` adapters.
#![cfg(all(feature = "std", feature = "embedded-io", feature = "embedded-io-async"))]

use crate::common;

use std::net::TcpStream;
use std::sync::LazyLock;

use common::engine::now;
use common::peer::{rng, CertKind, OpensslServer, Rng};
use common::provider::{options, TestProvider};
use embedded_io_adapters::std::FromStd;
use embedded_io_adapters::tokio_1::FromTokio;
use embertls::x509::{CaVerifier, ChainRecorder, PinVerifier, TrustOnFirstUse};
use embertls::{
    AsyncTlsStream, BoxedRng, Client, ClientConfig, ClientIdentity, DangerAcceptAnyServer, EmbeddedTlsStream, Error,
    ProtocolVersion, RsaSigner, ServerName, SoftwareSigner, TlsStream,
};

fn assert_send<T: Send>() {}

fn assert_sync<T: Sync>() {}

/// A configuration in a `static`, as a device keeps one in flash.
static INSECURE: ClientConfig<'static> = ClientConfig::new(&DangerAcceptAnyServer);

/// One built at run time (a CA from a file, ALPN), shared as a `static` too.
static CA: LazyLock<CaVerifier> =
    LazyLock::new(|| CaVerifier::from_pem(&std::fs::read(CertKind::Ecdsa.cert_path()).expect("ca")).expect("ca pem"));
static VERIFIED: LazyLock<ClientConfig<'static>> =
    LazyLock::new(|| ClientConfig::new(&*CA).with_alpn(&[b"http/1.1"]).expect("alpn"));

#[test]
fn configs_verifiers_and_signers_are_sync_connections_send() {
    assert_sync::<ClientConfig<'static>>();
    assert_sync::<ClientIdentity<'static>>();
    assert_sync::<CaVerifier>();
    assert_sync::<PinVerifier<'static>>();
    assert_sync::<TrustOnFirstUse>();
    assert_sync::<ChainRecorder<'static>>();
    assert_sync::<RsaSigner<BoxedRng>>();
    assert_sync::<RsaSigner<Rng>>();
    assert_sync::<SoftwareSigner>();
    // With this binary's provider (RustCrypto in `suite`, ring in `suite_ring`).
    type Buf = &'static mut [u8];
    assert_send::<Client<'static, Rng, [u8; 8192], [u8; 1536], TestProvider>>();
    assert_send::<Client<'static, Rng, Buf, Buf, TestProvider>>();
    assert_send::<TlsStream<'static, TcpStream, Rng, TestProvider>>();
    assert_send::<EmbeddedTlsStream<'static, FromStd<TcpStream>, Rng, [u8; 8192], [u8; 1536], TestProvider>>();
    assert_send::<AsyncTlsStream<'static, FromTokio<tokio::net::TcpStream>, Rng, Buf, Buf, TestProvider>>();
}

/// A verifier that records (interior mutability) can sit in a shared configuration.
#[test]
fn recording_verifiers_work_in_a_static_config() {
    static FIRST: LazyLock<TrustOnFirstUse> = LazyLock::new(TrustOnFirstUse::record);
    static RECORDER: LazyLock<ChainRecorder<'static>> = LazyLock::new(|| ChainRecorder::new(&*FIRST));
    static CONFIG: LazyLock<ClientConfig<'static>> = LazyLock::new(|| ClientConfig::new(&*RECORDER));
    let server = OpensslServer::start(CertKind::Ecdsa, &["-www"]);
    let tcp = server.connect();
    // The handshake runs on another thread: the configuration is shared, the connection moved.
    std::thread::spawn(move || {
        let options = options(&CONFIG, ServerName::parse("localhost"));
        TlsStream::connect(options, rng(), tcp).map(|_| ())
    })
    .join()
    .expect("thread")
    .expect("handshake");
    let first = FIRST.recorded().expect("recorded");
    assert_eq!(Some(first.pin), embertls::x509::Pin::spki_of_certificate(&CertKind::Ecdsa.cert_der()));
    assert_eq!(RECORDER.last_chain().map(|c| c.certs.len()), Some(1));
}

/// FOOTPRINT.md's example: an 8 KB receive buffer with a 1.5 KB send buffer,
/// of different types, the `Client` created on one thread and driven on another.
#[test]
fn buffers_of_different_types_and_a_client_moved_to_a_thread() {
    let server = OpensslServer::start(CertKind::Ecdsa, &["-www", "-max_send_frag", "4096"]);
    let tcp = server.connect();
    let options = options(&VERIFIED, ServerName::parse("localhost")).now(now());
    let client: Client<'static, Rng, [u8; 8192], [u8; 1536], TestProvider> =
        Client::new(options, rng(), [0u8; 8192], [0u8; 1536]).expect("client");
    let page = std::thread::spawn(move || {
        let mut tls = EmbeddedTlsStream::handshake(client, FromStd::new(tcp), None).map_err(|e| e.to_string())?;
        embedded_io::Write::write_all(&mut tls, b"GET / HTTP/1.0\r\n\r\n").map_err(|e| e.to_string())?;
        let mut page = Vec::new();
        let mut buf = [0u8; 512];
        loop {
            match embedded_io::Read::read(&mut tls, &mut buf).map_err(|e| e.to_string())? {
                0 => return Ok::<_, String>(page),
                n => page.extend_from_slice(&buf[..n]),
            }
        }
    })
    .join()
    .expect("thread")
    .expect("connection");
    assert!(page.starts_with(b"HTTP/1.0 200 ok"), "{:?}", String::from_utf8_lossy(&page[..page.len().min(60)]));
}

fn get<S: embedded_io::Read + embedded_io::Write>(tls: &mut S) {
    tls.write_all(b"GET / HTTP/1.0\r\n\r\n").map_err(|e| format!("{e:?}")).expect("write");
    let mut buf = [0u8; 1024];
    while tls.read(&mut buf).map_err(|e| format!("{e:?}")).expect("read") > 0 {}
}

/// `EmbeddedTlsStream` keeps the newest ticket in the caller's buffer, and it resumes.
#[test]
fn embedded_stream_keeps_tickets_that_resume() {
    let server = OpensslServer::start(CertKind::Ecdsa, &["-www", "-naccept", "2"]);
    let (mut rx, mut tx, mut ticket) = ([0u8; 16_645], [0u8; 4096], [0u8; 512]);
    let options = options(&INSECURE, ServerName::parse("localhost")).now(now());
    let mut tls = EmbeddedTlsStream::connect(
        options,
        rng(),
        FromStd::new(server.connect()),
        &mut rx[..],
        &mut tx[..],
        Some(&mut ticket[..]),
    )
    .expect("handshake");
    assert!(!tls.summary().resumed);
    get(&mut tls);
    let stored = tls.session_ticket().expect("a ticket after reading").to_vec();
    drop(tls);
    let session = embertls::SessionTicket::decode(&stored).expect("decodes");
    assert_eq!(session.version, ProtocolVersion::Tls13);
    let options = options.resuming(session);
    let tls =
        EmbeddedTlsStream::connect(options, rng(), FromStd::new(server.connect()), &mut rx[..], &mut tx[..], None)
            .expect("resumed handshake");
    assert!(tls.summary().resumed, "the kept ticket resumes");
    let err = tls.session_ticket().expect_err("no ticket buffer given");
    assert!(err.to_string().contains("pass Some(&mut buf)"), "{err}");
}

/// `AsyncTlsStream` keeps tickets too; a buffer too small says so.
#[tokio::test(flavor = "current_thread")]
async fn async_stream_keeps_tickets_and_explains_a_small_buffer() {
    let server = OpensslServer::start(CertKind::Ecdsa, &["-www", "-naccept", "2"]);
    let (mut rx, mut tx) = ([0u8; 16_645], [0u8; 4096]);
    for (size, fits) in [(512, true), (64, false)] {
        let mut ticket = vec![0u8; size];
        let tcp = FromTokio::new(tokio::net::TcpStream::connect(("127.0.0.1", server.port)).await.expect("tcp"));
        let options = options(&INSECURE, ServerName::parse("localhost"));
        let mut tls = AsyncTlsStream::connect(options, rng(), tcp, &mut rx[..], &mut tx[..], Some(&mut ticket[..]))
            .await
            .expect("handshake");
        let err = tls.session_ticket().expect_err("none before reading");
        assert!(err.to_string().contains("no session ticket yet"), "{err}");
        embedded_io_async::Write::write_all(&mut tls, b"GET / HTTP/1.0\r\n\r\n").await.expect("write");
        embedded_io_async::Write::flush(&mut tls).await.expect("flush");
        let mut buf = [0u8; 1024];
        while embedded_io_async::Read::read(&mut tls, &mut buf).await.expect("read") > 0 {}
        match tls.session_ticket() {
            Ok(t) => assert!(fits && embertls::SessionTicket::decode(t).is_ok()),
            Err(e) => {
                assert!(!fits, "{e}");
                assert_eq!(
                    e,
                    Error::Api("the session ticket does not fit the ticket buffer given to connect; give a larger one")
                );
            }
        }
    }
}
