//! TLS 1.2 PRF (RFC 5246 §5) against the known-answer vectors in
//! `vectors/tls12-prf/tls12_prf.json` (provenance in its README).

use embertls::crypto::HashAlg;
use embertls::key_schedule::tls12::prf;

/// The string value of `"key": "..."` in one JSON object's text.
fn field<'a>(obj: &'a str, key: &str) -> &'a str {
    let k = format!("\"{key}\": ");
    let at = obj.find(&k).unwrap_or_else(|| panic!("no {key}")) + k.len();
    let rest = &obj[at..];
    if let Some(r) = rest.strip_prefix('"') {
        &r[..r.find('"').unwrap()]
    } else {
        rest[..rest.find([',', '\n', '}']).unwrap()].trim()
    }
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn prf_matches_the_published_vectors() {
    published_vectors(&mut embertls::crypto::RustCrypto);
    #[cfg(feature = "ring")]
    published_vectors(&mut embertls::provider::Ring);
}

/// The two published vectors, and a 13-byte prefix of each, with `p`'s
/// `tls12_prf` (ring overrides the default built on HMAC).
fn published_vectors<P: embertls::provider::CryptoProvider>(p: &mut P) {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/tls12-prf/tls12_prf.json")).unwrap();
    let list = &text[text.find("\"vectors\"").unwrap()..];
    let objects: Vec<&str> = list.split('{').skip(1).collect();
    assert_eq!(objects.len(), 2, "both vectors read");
    for obj in objects {
        let alg = match field(obj, "prf_hash") {
            "SHA256" => HashAlg::Sha256,
            "SHA384" => HashAlg::Sha384,
            other => panic!("{other}"),
        };
        let expected = hex(field(obj, "output"));
        assert_eq!(field(obj, "output_length").parse::<usize>().unwrap(), expected.len());
        let mut out = vec![0u8; expected.len()];
        prf(&mut *p, alg, &hex(field(obj, "secret")), &hex(field(obj, "label")), &hex(field(obj, "seed")), &mut out);
        assert_eq!(out, expected, "{alg:?}");
        // A prefix of the output is the PRF asked for fewer bytes.
        let mut short = vec![0u8; 13];
        prf(&mut *p, alg, &hex(field(obj, "secret")), &hex(field(obj, "label")), &hex(field(obj, "seed")), &mut short);
        assert_eq!(short, expected[..13]);
    }
}

/// ring's own PRF (HMAC key set up once) gives what the default on its HMAC
/// gives, for every output length up to three SHA-384 blocks.
#[cfg(feature = "ring")]
#[test]
fn ring_prf_equals_the_default_on_hmac() {
    use embertls::provider::{tls12_prf_on_hmac, CryptoProvider, Ring};
    for alg in [HashAlg::Sha256, HashAlg::Sha384] {
        for len in 1..=144 {
            let (mut ours, mut default) = (vec![0u8; len], vec![0u8; len]);
            Ring.tls12_prf(alg, b"secret key", b"test label", b"seed bytes", &mut ours);
            tls12_prf_on_hmac(&mut Ring, alg, b"secret key", b"test label", b"seed bytes", &mut default);
            assert_eq!(ours, default, "{alg:?} {len}");
        }
    }
}

/// P_hash of n blocks costs 2n HMACs (RFC 5246 §5): A(1) .. A(n) and one
/// block each; no A(n+1) computed and thrown away.
#[test]
fn prf_computes_no_unused_a() {
    use crate::counting::Counting;
    use embertls::provider::tls12_prf_on_hmac;
    let (mut p, _) = Counting::new(embertls::crypto::RustCrypto);
    for alg in [HashAlg::Sha256, HashAlg::Sha384] {
        for len in [1, 12, alg.len(), alg.len() + 1, 48, 100, 3 * alg.len()] {
            p.hmacs.set(0);
            tls12_prf_on_hmac(&mut p, alg, b"secret key", b"test label", b"seed bytes", &mut vec![0u8; len]);
            assert_eq!(p.hmacs.get() as usize, 2 * len.div_ceil(alg.len()), "{alg:?} {len}");
        }
    }
}
