//! Differential fuzzing of the X.509 verifier against rustls-webpki (issue #16
//! item 6): embertls may be stricter, never looser.
//!
//! The input is the DER `tbsCertificate` of a server certificate, mutated; the
//! target signs it with the `ec256-int` test key (vectors/x509/keys), so the
//! signature always verifies and the verdicts differ only on structure and
//! rules. The chain leaf + `ec256-int` is checked against `ec256-root` for
//! `ec256.test` at 2030-01-01 by `CaVerifier` (strict profile) and by webpki.
//! embertls accepting what webpki refuses is a crash, except where
//! tests/x509/x509_differential.rs documents that webpki is the stricter one
//! (none so far). Seed with the TBS of the vectors' leaves:
//! `fuzz/seeds/x509_differential/` (see fuzz/README.md).
#![no_main]

use std::time::Duration;

use embertls::x509::{CaVerifier, Profile, TrustAnchors};
use embertls::{CertificateChain, ServerName, ServerVerifier, UnixTime};
use libfuzzer_sys::fuzz_target;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::DecodePrivateKey;
use rustls_pki_types::{CertificateDer, ServerName as WName, UnixTime as WTime};
use signature::Signer;

const ROOT: &[u8] = include_bytes!("../../vectors/x509/ec256-root.der");
const INT: &[u8] = include_bytes!("../../vectors/x509/ec256-int.der");
const INT_KEY: &str = include_str!("../../vectors/x509/keys/ec256-int.key");
const NOW: u64 = 1_893_456_000;
const HOST: &str = "ec256.test";

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let n = content.len();
    let mut out = vec![tag];
    match n {
        0..=0x7f => out.push(n as u8),
        0x80..=0xff => out.extend_from_slice(&[0x81, n as u8]),
        _ => out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(content);
    out
}

/// Certificate ::= SEQUENCE { tbs, ecdsa-with-SHA256, BIT STRING signature }.
fn signed(tbs: &[u8]) -> Vec<u8> {
    let key = SigningKey::from_pkcs8_pem(INT_KEY).expect("test key");
    let sig: Signature = key.sign(tbs);
    let alg = tlv(0x30, &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);
    let mut bits = vec![0u8];
    bits.extend_from_slice(sig.to_der().as_bytes());
    tlv(0x30, &[tbs, &alg, &tlv(0x03, &bits)].concat())
}

fn embertls_accepts(leaf: &[u8]) -> bool {
    let mut a = TrustAnchors::new();
    a.add_der(ROOT).expect("root");
    let mut list = Vec::new();
    for c in [leaf, INT] {
        list.extend_from_slice(&(c.len() as u32).to_be_bytes()[1..]);
        list.extend_from_slice(c);
        list.extend_from_slice(&[0, 0]);
    }
    let Ok(chain) = CertificateChain::from_tls13_list(&list) else { return false };
    CaVerifier::new(a)
        .profile(Profile::Strict)
        .verify_server(&chain, &ServerName::parse(HOST), Some(UnixTime(NOW)))
        .is_ok()
}

fn webpki_accepts(leaf: &[u8]) -> Result<(), String> {
    let root = CertificateDer::from(ROOT);
    let anchor = webpki::anchor_from_trusted_cert(&root).map_err(|e| format!("{e:?}"))?.to_owned();
    let leaf = CertificateDer::from(leaf);
    let ee = webpki::EndEntityCert::try_from(&leaf).map_err(|e| format!("{e:?}"))?;
    let time = WTime::since_unix_epoch(Duration::from_secs(NOW));
    ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &[anchor],
        &[CertificateDer::from(INT)],
        time,
        webpki::KeyUsage::server_auth(),
        None,
        None,
    )
    .map_err(|e| format!("{e:?}"))?;
    let name = WName::try_from(HOST).map_err(|e| format!("{e:?}"))?;
    ee.verify_is_valid_for_subject_name(&name).map_err(|e| format!("{e:?}"))
}

fuzz_target!(|tbs: &[u8]| {
    if tbs.len() > 0xffff {
        return;
    }
    let leaf = signed(tbs);
    if embertls_accepts(&leaf) {
        if let Err(e) = webpki_accepts(&leaf) {
            panic!("embertls accepted a certificate webpki refuses ({e}); leaf DER: {leaf:02x?}");
        }
    }
});
