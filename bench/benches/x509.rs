//! Cost of server certificate verification: a 3-certificate ECDSA P-256 chain
//! (leaf, intermediate, root anchor) and an RSA-2048 chain of the same shape.
//!
//! Run with `cargo bench --bench x509`.

use criterion::{criterion_group, criterion_main, Criterion};
use embertls::x509::{CaVerifier, TrustAnchors};
use embertls::{CertificateChain, ServerName, ServerVerifier, Trust, UnixTime};

const NOW: UnixTime = UnixTime(1_893_456_000);

fn der(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../vectors/x509/{name}.der", env!("CARGO_MANIFEST_DIR")))
        .expect("run vectors/x509/generate.sh")
}

fn tls13_list(names: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for n in names {
        let c = der(n);
        out.extend_from_slice(&[(c.len() >> 16) as u8, (c.len() >> 8) as u8, c.len() as u8]);
        out.extend_from_slice(&c);
        out.extend_from_slice(&[0, 0]);
    }
    out
}

fn bench_chain(c: &mut Criterion, label: &str, root: &str, chain: &[&str], host: &str) {
    let verifier = CaVerifier::new(TrustAnchors::from_der(&der(root)).expect("anchor"));
    let list = tls13_list(chain);
    let chain = CertificateChain::from_tls13_list(&list).expect("list");
    let name = ServerName::parse(host);
    assert_eq!(verifier.verify_server(&chain, &name, Some(NOW)), Ok(Trust::Verified));
    c.bench_function(label, |b| b.iter(|| verifier.verify_server(&chain, &name, Some(NOW))));
}

fn x509(c: &mut Criterion) {
    bench_chain(
        c,
        "verify ECDSA P-256 chain (leaf + intermediate + root)",
        "ec256-root",
        &["ec256-leaf", "ec256-int"],
        "ec256.test",
    );
    bench_chain(
        c,
        "verify RSA-2048 chain (leaf + intermediate + root)",
        "rsa2048-root",
        &["rsa2048-leaf", "rsa2048-int"],
        "rsa2048.test",
    );
    bench_chain(
        c,
        "verify ECDSA P-384 chain (leaf + intermediate + root)",
        "ec384-root",
        &["ec384-leaf", "ec384-int"],
        "ec384.test",
    );
    c.bench_function("parse PEM anchor (P-256 root)", |b| {
        let pem = std::fs::read(format!("{}/../vectors/x509/ec256-root.pem", env!("CARGO_MANIFEST_DIR"))).expect("pem");
        b.iter(|| TrustAnchors::from_pem(&pem))
    });
}

criterion_group!(benches, x509);
criterion_main!(benches);
