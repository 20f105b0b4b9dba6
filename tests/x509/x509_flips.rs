//! Every test certificate with random byte flips, through the parser and the
//! verifiers: never a panic (the fuzz target in fuzz/ does the same, open-ended).

use crate::common;
use crate::common::provider::VerifyWithTestProvider as _;

use common::x509::*;
use embertls::x509::{CaVerifier, ChainSummary, Pin, PinVerifier, TrustAnchor, TrustAnchors};
use embertls::{CertificateChain, ServerName, ServerVerifier};

/// xorshift64 (Marsaglia 2003): deterministic, no dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn all_vectors() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(path(""))
        .unwrap()
        .filter_map(|e| {
            let p = e.ok()?.path();
            (p.extension()? == "der")
                .then(|| (p.file_stem().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        })
        .collect();
    v.sort();
    v
}

/// Mutants per certificate (debug builds verify slowly; the fuzz target goes further).
const MUTANTS_PER_CERT: usize = 16;

fn mutate(rng: &mut XorShift, input: &[u8]) -> Vec<u8> {
    let mut m = input.to_vec();
    match rng.below(8) {
        0 => m.truncate(rng.below(m.len())),
        1 => {
            let at = rng.below(m.len());
            m.insert(at, rng.next() as u8);
        }
        2 => {
            // A length byte set to something large.
            let at = rng.below(m.len());
            m[at] = 0x80 | (rng.below(5) as u8);
        }
        _ => {
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(m.len());
                m[at] ^= 1 << rng.below(8);
            }
        }
    }
    m
}

#[test]
fn byte_flips_never_panic() {
    let vectors = all_vectors();
    assert!(vectors.len() >= 60, "run vectors/x509/generate.sh");
    let roots =
        ["ec256-root", "ec384-root", "rsa2048-root", "rsa4096-root", "xroot-a", "xroot-b", "ncroot", "selfsigned"];
    let ca = CaVerifier::new(anchors(&roots));
    let ca_no_time = CaVerifier::new(anchors(&roots)).skip_time_checks();
    let int = der("ec256-int");
    let leaf = der("ec256-leaf");
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut verified = 0usize;
    let mut runs = 0usize;
    for (name, cert) in &vectors {
        let pins = [Pin::spki_of_certificate(cert).unwrap(), Pin::of_certificate(cert)];
        let pinv = PinVerifier::new(&pins);
        for i in 0..MUTANTS_PER_CERT {
            let m = mutate(&mut rng, cert);
            let _ = TrustAnchor::from_der(&m);
            let _ = Pin::spki_of_certificate(&m);
            let host = if i % 2 == 0 { "ec256.test" } else { "127.0.0.1" };
            let lists = [
                tls13_list(std::slice::from_ref(&m)),
                tls13_list(&[m.clone(), int.clone()]),
                tls13_list(&[leaf.clone(), m.clone()]),
                tls13_list(&[leaf.clone(), m.clone(), int.clone()]),
            ];
            for list in &lists {
                // An empty certificate (truncated to nothing) is refused by the message parser.
                let Ok(chain) = CertificateChain::from_tls13_list(list) else { continue };
                let _ = ChainSummary::from_chain(&chain).to_string();
                let which: &[&dyn ServerVerifier] = if list == &lists[0] { &[&ca, &ca_no_time, &pinv] } else { &[&ca] };
                for v in which {
                    runs += 1;
                    match v.verify_with_test_provider(&chain, &ServerName::parse(host), Some(NOW)) {
                        Ok(_) => verified += 1,
                        Err(e) => {
                            let _ = e.to_string();
                            let _ = e.alert();
                        }
                    }
                }
            }
            // The mutated certificate as an anchor.
            if i % 4 != 0 {
                continue;
            }
            if let Ok(a) = TrustAnchors::from_der(&m) {
                let v = CaVerifier::new(a);
                let list = tls13_list(&[leaf.clone(), int.clone()]);
                let _ = v.verify_with_test_provider(
                    &CertificateChain::from_tls13_list(&list).unwrap(),
                    &ServerName::parse("ec256.test"),
                    Some(NOW),
                );
            }
        }
        let _ = name;
    }
    // Sanity: the harness really exercised verification (some mutants still verify,
    // e.g. flips in the signature-irrelevant parts of an unrelated extra certificate).
    assert!(runs > 4_000 && verified > 0, "runs {runs}, verified {verified}");
}
