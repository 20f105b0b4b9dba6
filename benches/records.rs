//! Bulk record protection: embertls's `Protection::seal`/`open` (TLS 1.3
//! record, header and inner type included) against the raw AEAD crate
//! encrypting/decrypting the same bytes in place, per suite, for 1 KB and
//! 16 KB records. The ratio is the record layer's overhead.

use std::time::Duration;

use aes_gcm::aead::{AeadInOut, KeyInit};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use embertls::crypto::{AeadAlg, AeadKey, Secret};
use embertls::key_schedule::TrafficKeys;
use embertls::msgs::enums::ContentType;
use embertls::record::{Protection, HEADER_LEN};

const TAG: usize = 16;

fn keys(alg: AeadAlg) -> TrafficKeys {
    TrafficKeys::derive(embertls::crypto::HashAlg::Sha256, alg, &Secret::from_slice(&[7; 32]))
}

fn bench(c: &mut Criterion) {
    for (name, alg) in [
        ("aes128gcm", AeadAlg::Aes128Gcm),
        ("aes256gcm", AeadAlg::Aes256Gcm),
        ("chacha20poly1305", AeadAlg::Chacha20Poly1305),
    ] {
        let mut g = c.benchmark_group(format!("record_{name}"));
        for size in [1024usize, 16384] {
            g.throughput(Throughput::Bytes(size as u64));
            let mut rec = vec![0u8; HEADER_LEN + size + 1 + TAG];
            let mut seal = Protection::new(keys(alg));
            g.bench_with_input(BenchmarkId::new("embertls_seal", size), &size, |b, &size| {
                b.iter(|| seal.seal(ContentType::ApplicationData, &mut rec, size).unwrap())
            });
            // Open: a sealed record, re-opened each time from a fresh copy.
            let mut sealer = Protection::new(keys(alg));
            let mut sealed = vec![0u8; HEADER_LEN + size + 1 + TAG];
            sealer.seal(ContentType::ApplicationData, &mut sealed, size).unwrap();
            let mut work = sealed.clone();
            g.bench_with_input(BenchmarkId::new("embertls_open", size), &size, |b, _| {
                b.iter(|| {
                    work.copy_from_slice(&sealed);
                    let mut p = Protection::new(keys(alg));
                    p.open(&mut work).unwrap()
                })
            });
            let key = AeadKey::new(alg, &[9; 32]);
            let nonce = [3u8; 12];
            let aad = [23u8, 3, 3, 0, 0];
            let mut buf = vec![0u8; size + 1];
            g.bench_with_input(BenchmarkId::new("raw_aead_seal", size), &size, |b, _| {
                b.iter(|| key.seal(&nonce, &aad, &mut buf))
            });
            let tag = key.seal(&nonce, &aad, &mut buf);
            let ct = buf.clone();
            g.bench_with_input(BenchmarkId::new("raw_aead_open", size), &size, |b, _| {
                b.iter(|| {
                    buf.copy_from_slice(&ct);
                    key.open(&nonce, &aad, &mut buf, &tag).unwrap()
                })
            });
        }
        g.finish();
    }
    // The raw crates themselves, without our wrapper enum, as the floor.
    let mut g = c.benchmark_group("record_aes128gcm_crate");
    for size in [1024usize, 16384] {
        g.throughput(Throughput::Bytes(size as u64));
        let cipher = aes_gcm::Aes128Gcm::new(&[9u8; 16].into());
        let mut buf = vec![0u8; size + 1];
        g.bench_with_input(BenchmarkId::new("aes_gcm_crate_seal", size), &size, |b, _| {
            b.iter(|| {
                cipher.encrypt_inout_detached(&[3u8; 12].into(), &[23, 3, 3, 0, 0], buf.as_mut_slice().into()).unwrap()
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    targets = bench
}
criterion_main!(benches);
