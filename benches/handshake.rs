//! Client-side CPU of one full TLS 1.3 handshake (X25519, in memory, same
//! rustls server for every client): embertls vs rustls 0.23 (ring provider).
//! Only time spent inside the client's calls is counted (`iter_custom`),
//! so the server's work does not dilute the ratio.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use embertls::{Client, ClientConfig, Event, ServerName, ServerVerification};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName as RustlsName};

const ECDSA_CERT: &[u8] = include_bytes!("../vectors/peer/ecdsa-leaf.pem");
const ECDSA_KEY: &[u8] = include_bytes!("../vectors/peer/ecdsa-leaf.key");
const RSA_CERT: &[u8] = include_bytes!("../vectors/peer/rsa-leaf.pem");
const RSA_KEY: &[u8] = include_bytes!("../vectors/peer/rsa-leaf.key");

fn server_config(cert: &[u8], key: &[u8]) -> Arc<rustls::ServerConfig> {
    let certs = CertificateDer::pem_slice_iter(cert).collect::<Result<Vec<_>, _>>().unwrap();
    let key = PrivateKeyDer::from_pem_slice(key).unwrap();
    let mut cfg = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    cfg.send_tls13_tickets = 0;
    Arc::new(cfg)
}

/// One embertls handshake; returns the time spent in the client.
fn embertls_once(server: &Arc<rustls::ServerConfig>, config: &ClientConfig<'_>, rx: &mut [u8], tx: &mut [u8]) -> Duration {
    let mut srv = rustls::ServerConnection::new(server.clone()).unwrap();
    let rng = rand_core::UnwrapErr(getrandom::SysRng);
    let t = Instant::now();
    let mut c = Client::new(config, ServerName::parse("localhost"), None, rng, rx, tx).unwrap();
    let mut spent = t.elapsed();
    let mut wire = Vec::new();
    loop {
        let out = c.outgoing().to_vec();
        c.sent(out.len());
        srv.read_tls(&mut out.as_slice()).unwrap();
        srv.process_new_packets().unwrap();
        wire.clear();
        while srv.wants_write() {
            srv.write_tls(&mut wire).unwrap();
        }
        let t = Instant::now();
        let buf = c.receive_buffer();
        buf[..wire.len()].copy_from_slice(&wire);
        c.received(wire.len());
        let ev = c.process().unwrap();
        spent += t.elapsed();
        if let Event::HandshakeComplete(_) = ev {
            return spent;
        }
    }
}

/// Accepts any server certificate but checks CertificateVerify, like embertls's insecure mode.
#[derive(Debug)]
struct NoVerify(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &RustlsName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn rustls_once(server: &Arc<rustls::ServerConfig>, client: &Arc<rustls::ClientConfig>) -> Duration {
    let mut srv = rustls::ServerConnection::new(server.clone()).unwrap();
    let t = Instant::now();
    let mut c = rustls::ClientConnection::new(client.clone(), RustlsName::try_from("localhost").unwrap()).unwrap();
    let mut spent = t.elapsed();
    let mut wire = Vec::new();
    loop {
        wire.clear();
        let t = Instant::now();
        while c.wants_write() {
            c.write_tls(&mut wire).unwrap();
        }
        spent += t.elapsed();
        if !c.is_handshaking() {
            return spent;
        }
        srv.read_tls(&mut wire.as_slice()).unwrap();
        srv.process_new_packets().unwrap();
        wire.clear();
        while srv.wants_write() {
            srv.write_tls(&mut wire).unwrap();
        }
        let t = Instant::now();
        c.read_tls(&mut wire.as_slice()).unwrap();
        c.process_new_packets().unwrap();
        spent += t.elapsed();
    }
}

fn bench(cr: &mut Criterion) {
    let ember_config = ClientConfig::new(ServerVerification::danger_accept_any());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut rustls_client = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(NoVerify(provider)))
        .with_no_client_auth();
    rustls_client.resumption = rustls::client::Resumption::disabled();
    let rustls_client = Arc::new(rustls_client);
    let mut rx = vec![0u8; 2 * embertls::MAX_RECORD];
    let mut tx = vec![0u8; 4096];
    for (name, cert, key) in [("ecdsa_p256", ECDSA_CERT, ECDSA_KEY), ("rsa2048", RSA_CERT, RSA_KEY)] {
        let server = server_config(cert, key);
        let mut g = cr.benchmark_group(format!("tls13_full_handshake_x25519_{name}"));
        g.bench_function("embertls", |b| {
            b.iter_custom(|n| (0..n).map(|_| embertls_once(&server, &ember_config, &mut rx, &mut tx)).sum())
        });
        g.bench_function("rustls_ring", |b| b.iter_custom(|n| (0..n).map(|_| rustls_once(&server, &rustls_client)).sum()));
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
