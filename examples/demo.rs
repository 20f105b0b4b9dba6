//! "Does it work?" in one command: `cargo run --example demo`.
//!
//! Starts a TLS 1.3 server (rustls, in-process) on a loopback port, connects
//! to it over real TCP with embertls, prints the handshake summary and the
//! server's echo of a message. Nothing needs to be installed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use embertls::{CaVerifier, ClientConfig, ServerName, TlsStream, UnixTime};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

const CERT: &[u8] = include_bytes!("../vectors/peer/ecdsa-leaf.pem");
const KEY: &[u8] = include_bytes!("../vectors/peer/ecdsa-leaf.key");
/// The test CA that issued the demo server's certificate.
const CA: &[u8] = include_bytes!("../vectors/peer/ecdsa-ca.pem");

/// An echo server: reads one line over TLS, writes it back, closes.
fn start_server() -> Result<u16, Box<dyn std::error::Error>> {
    let certs = CertificateDer::pem_slice_iter(CERT).collect::<Result<Vec<_>, _>>()?;
    let key = PrivateKeyDer::from_pem_slice(KEY)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    std::thread::spawn(move || {
        let Ok((tcp, _)) = listener.accept() else { return };
        let Ok(conn) = rustls::ServerConnection::new(config) else { return };
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let mut line = String::new();
        if BufReader::new(&mut tls).read_line(&mut line).is_ok() {
            let _ = tls.write_all(format!("echo: {line}").as_bytes());
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    Ok(port)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = start_server()?;
    println!("server: rustls TLS 1.3 echo server on 127.0.0.1:{port}");

    // Verify the server against the test CA that issued its certificate,
    // for the name "localhost", at the current time.
    let roots = CaVerifier::from_pem(CA)?;
    let config = ClientConfig::new(&roots);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    let tcp = TcpStream::connect(("127.0.0.1", port))?;
    let rng = rand_core::UnwrapErr(getrandom::SysRng);
    let mut tls = TlsStream::connect(
        embertls::ConnectOptions::new(&config, ServerName::parse("localhost")).now(Some(UnixTime(now))),
        rng,
        tcp,
    )?;
    let s = tls.summary().ok_or("no summary")?;
    println!(
        "client: connected version={} suite={} group={} verified={}",
        s.version,
        s.cipher_suite,
        s.group.map_or("-".into(), |g| g.to_string()),
        if s.is_verified() { "yes (chain to the test CA, name localhost)" } else { "no" }
    );
    tls.write_all(b"hello from embertls\n")?;
    let mut reply = String::new();
    tls.read_to_string(&mut reply)?;
    print!("client: received {reply}");
    Ok(())
}
