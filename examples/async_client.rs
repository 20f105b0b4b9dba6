//! An async HTTPS GET with `AsyncTlsStream` over tokio (through
//! `embedded-io-adapters`), as an embassy-net program would do it over its
//! `TcpSocket`: buffers on the stack, no allocation in the TLS stream.
//!
//! ```text
//! cargo run --example async_client --features embedded-io-async -- HOST:PORT [PATH]
//! ```
//! Connects in the insecure mode (the server is NOT verified; the
//! connection is still encrypted), prints the handshake summary to stderr
//! and the server's response to stdout.

#[cfg(feature = "embedded-io-async")]
#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("async_client: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(feature = "embedded-io-async")]
async fn run() -> Result<(), String> {
    use std::io::Write as _;

    use embedded_io_adapters::tokio_1::FromTokio;
    use embedded_io_async::{Read, Write};
    use embertls::{AsyncTlsStream, ClientConfig, Error, ServerName, ServerVerification, TlsIoError};

    let mut args = std::env::args().skip(1);
    let addr = args.next().ok_or("usage: async_client HOST:PORT [PATH]")?;
    let path = args.next().unwrap_or_else(|| "/".into());
    let host = addr.rsplit_once(':').map_or(addr.as_str(), |(h, _)| h).trim_matches(['[', ']']);

    let config = ClientConfig::new(ServerVerification::danger_accept_any());
    let tcp = tokio::net::TcpStream::connect(&addr).await.map_err(|e| format!("connect {addr}: {e}"))?;
    let tcp = FromTokio::new(tcp);
    let rng = rand_core::UnwrapErr(getrandom::SysRng);
    // Two maximum records of receive buffer hold any certificate flight; 4 KiB to send.
    let (mut rx, mut tx) = ([0u8; 2 * embertls::MAX_RECORD], [0u8; 4096]);
    let mut tls = AsyncTlsStream::connect(
        embertls::ConnectOptions::new(&config, ServerName::parse(host)),
        rng,
        tcp,
        &mut rx[..],
        &mut tx[..],
        None,
    )
    .await
    .map_err(|e| format!("handshake: {e}"))?;
    let s = tls.summary();
    eprintln!(
        "embertls: connected to {addr}: {} {} group={} alpn={:?} hello_retry={} trust={:?} (NOT verified: insecure mode)",
        s.version,
        s.cipher_suite,
        s.group.map_or("none (PSK)".into(), |g| g.to_string()),
        s.alpn.map(String::from_utf8_lossy),
        s.hello_retry,
        s.trust,
    );

    let request = format!("GET {path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    tls.write_all(request.as_bytes()).await.map_err(|e| format!("write: {e}"))?;
    tls.flush().await.map_err(|e| format!("flush: {e}"))?;

    let mut stdout = std::io::stdout().lock();
    let mut buf = [0u8; 2048];
    loop {
        match tls.read(&mut buf).await {
            Ok(0) => break, // close_notify
            Ok(n) => stdout.write_all(&buf[..n]).map_err(|e| e.to_string())?,
            Err(TlsIoError::Tls(Error::Truncated)) => {
                eprintln!(
                    "embertls: the server closed the connection without close_notify (response may be cut short)"
                );
                break;
            }
            Err(e) => return Err(format!("read: {e}")),
        }
    }
    stdout.flush().map_err(|e| e.to_string())?;
    let _ = tls.close().await; // the server may already be gone
    Ok(())
}

#[cfg(not(feature = "embedded-io-async"))]
fn main() {
    eprintln!("build with: cargo run --example async_client --features embedded-io-async -- HOST:PORT");
    std::process::exit(2);
}
