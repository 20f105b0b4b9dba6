//! Helpers shared by the `x509_*` integration tests.
#![allow(dead_code)]

pub mod build;

use crate::common::provider::VerifyWithTestProvider as _;
use embertls::x509::{CaVerifier, TrustAnchors};
use embertls::{CertError, CertificateChain, ServerName, ServerVerifier, Trust, UnixTime};

/// 2030-01-01T00:00:00Z: inside 2025..2045, after the 2020..2021 "expired" window.
pub const NOW: UnixTime = UnixTime(1_893_456_000);

pub fn path(name: &str) -> String {
    format!("{}/vectors/x509/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub fn der(name: &str) -> Vec<u8> {
    std::fs::read(path(&format!("{name}.der"))).unwrap_or_else(|e| panic!("{name}.der: {e}"))
}

pub fn pem(name: &str) -> Vec<u8> {
    std::fs::read(path(&format!("{name}.pem"))).unwrap_or_else(|e| panic!("{name}.pem: {e}"))
}

/// The `*.pin` file written by openssl in generate.sh.
pub fn openssl_pin(name: &str) -> String {
    std::fs::read_to_string(path(&format!("{name}.pin"))).unwrap().trim().to_string()
}

/// A TLS 1.3 certificate_list: per cert, 3-byte length, DER, empty extensions.
pub fn tls13_list(certs: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for c in certs {
        let n = c.len();
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
        out.extend_from_slice(c);
        out.extend_from_slice(&[0, 0]);
    }
    out
}

pub fn list_of(names: &[&str]) -> Vec<u8> {
    tls13_list(&names.iter().map(|n| der(n)).collect::<Vec<_>>())
}

pub fn anchors(names: &[&str]) -> TrustAnchors {
    let mut a = TrustAnchors::new();
    for n in names {
        a.add_der(&der(n)).unwrap();
    }
    a
}

/// Verifies the chain `chain` (names of vectors, leaf first) for `host` at NOW.
pub fn verify(roots: &[&str], chain: &[&str], host: &str) -> Result<Trust, CertError> {
    verify_with(&CaVerifier::new(anchors(roots)), chain, host, Some(NOW))
}

pub fn verify_with(
    v: &dyn ServerVerifier,
    chain: &[&str],
    host: &str,
    now: Option<UnixTime>,
) -> Result<Trust, CertError> {
    let list = list_of(chain);
    let chain = CertificateChain::from_tls13_list(&list).unwrap();
    v.verify_with_test_provider(&chain, &ServerName::parse(host), now)
}
