//! Certificate parsing and chain verification on arbitrary input.
//!
//! The input is split into certificates at the byte sequence `\xff\xfe\xfd`;
//! the first is the leaf. Each chain goes through a CA verifier (fixed anchors
//! from vectors/x509, with and without time checks), a pin verifier, the
//! chain summary, and trust-anchor parsing. Seed the corpus with
//! `vectors/x509/*.der` for useful coverage:
//! `mkdir -p fuzz/corpus/x509_verify && cp vectors/x509/*.der fuzz/corpus/x509_verify/`.
#![no_main]

use std::sync::OnceLock;

use embertls::x509::{CaVerifier, ChainSummary, Pin, PinVerifier, TrustAnchors};
use embertls::{CertificateChain, ServerName, ServerVerifier, UnixTime};
use libfuzzer_sys::fuzz_target;

const ROOTS: [&[u8]; 4] = [
    include_bytes!("../../vectors/x509/ec256-root.der"),
    include_bytes!("../../vectors/x509/ec384-root.der"),
    include_bytes!("../../vectors/x509/rsa2048-root.der"),
    include_bytes!("../../vectors/x509/ncroot.der"),
];
const INTERMEDIATE: &[u8] = include_bytes!("../../vectors/x509/ec256-int.der");

fn anchors() -> &'static TrustAnchors {
    static A: OnceLock<TrustAnchors> = OnceLock::new();
    A.get_or_init(|| {
        let mut a = TrustAnchors::new();
        for r in ROOTS {
            a.add_der(r).expect("vector root");
        }
        a
    })
}

fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(at) = rest.windows(3).position(|w| w == b"\xff\xfe\xfd") {
        out.push(&rest[..at]);
        rest = &rest[at + 3..];
    }
    out.push(rest);
    out.retain(|c| !c.is_empty());
    out.truncate(12);
    out
}

fn tls13_list(certs: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for c in certs {
        let n = c.len().min(0xff_ffff);
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
        out.extend_from_slice(&c[..n]);
        out.extend_from_slice(&[0, 0]);
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let certs = split(data);
    if certs.is_empty() {
        return;
    }
    let _ = TrustAnchors::from_der(certs[0]);
    let _ = TrustAnchors::from_pem(data);
    let mut with_int = certs.clone();
    with_int.push(INTERMEDIATE);
    let ca = CaVerifier::new(anchors().clone());
    let ca_no_time = CaVerifier::new(anchors().clone()).skip_time_checks();
    let pins = [Pin::spki_of_certificate(INTERMEDIATE).expect("pin"), Pin::of_certificate(certs[0])];
    let pinv = PinVerifier::new(&pins);
    let names = [ServerName::parse("ec256.test"), ServerName::parse("a.allowed.test"), ServerName::parse("127.0.0.1")];
    for list in [tls13_list(&certs), tls13_list(&with_int)] {
        let Ok(chain) = CertificateChain::from_tls13_list(&list) else { continue };
        let _ = ChainSummary::from_chain(&chain).to_string();
        for (i, name) in names.iter().enumerate() {
            let now = Some(UnixTime(1_893_456_000 + i as u64 * 1_000_000_000));
            for v in [&ca as &dyn ServerVerifier, &ca_no_time, &pinv] {
                if let Err(e) = v.verify_server(&chain, name, now) {
                    let _ = e.to_string();
                    let _ = e.alert();
                }
            }
        }
    }
});
