//! Bulk record protection: embertls's `Protection::seal`/`open` (TLS 1.3
//! record, header and inner type included) and its TLS 1.2 framing
//! (`seal_in_place`/`open_in_place`, as the engine calls them: explicit
//! nonce for AES-GCM) against the raw AEAD crate encrypting/decrypting the
//! same bytes in place, per suite, for 1 KB and 16 KB records. The ratio is
//! the record layer's overhead.

use std::time::{Duration, Instant};

use aes_gcm::aead::{AeadInOut, KeyInit};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use embertls::crypto::{AeadAlg, CryptoProvider, RustCrypto, Secret};
use embertls::key_schedule::TrafficKeys;
use embertls::msgs::enums::ContentType;
use embertls::record::{Protection, HEADER_LEN};
use embertls_bench::{in_turn, median, write_result};

const TAG: usize = 16;
/// Records sealed ahead of each timed stretch of opens.
const BATCH: u64 = 256;

fn keys(alg: AeadAlg) -> TrafficKeys<embertls::crypto::RustCrypto> {
    TrafficKeys::derive(
        &mut embertls::crypto::RustCrypto,
        embertls::crypto::HashAlg::Sha256,
        alg,
        &Secret::from_slice(&[7; 32]),
    )
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
                b.iter(|| {
                    seal.seal(&mut embertls::crypto::RustCrypto, ContentType::ApplicationData, &mut rec, size).unwrap()
                })
            });
            // Open: one receiver for the whole run, as a connection has, opening
            // records sealed (outside the timing) in batches with consecutive
            // sequence numbers; the raw AEAD below is timed the same way.
            let mut sealer = Protection::new(keys(alg));
            let mut opener = Protection::new(keys(alg));
            g.bench_with_input(BenchmarkId::new("embertls_open", size), &size, |b, &size| {
                b.iter_custom(|n| {
                    let mut spent = Duration::ZERO;
                    let mut left = n;
                    while left > 0 {
                        let batch = left.min(BATCH);
                        let mut recs = sealed_records(&mut sealer, size, batch);
                        spent += open_records(&mut opener, &mut recs);
                        left -= batch;
                    }
                    spent
                })
            });
            // TLS 1.2: the content already sits after the explicit nonce, as Outbound puts it.
            let tls12 =
                || Protection::tls12(&mut embertls::crypto::RustCrypto, alg, &[7; 32][..alg.key_len()], &[5; 12]);
            let mut seal12 = tls12();
            let mut rec12 = vec![0u8; HEADER_LEN + size + 8 + TAG];
            g.bench_with_input(BenchmarkId::new("embertls12_seal", size), &size, |b, &size| {
                b.iter(|| {
                    seal12
                        .seal_in_place(
                            &mut embertls::crypto::RustCrypto,
                            ContentType::ApplicationData,
                            &mut rec12,
                            size,
                        )
                        .unwrap()
                })
            });
            let mut sealed12 = vec![0u8; HEADER_LEN + size + 8 + TAG];
            let n12 = tls12()
                .seal_in_place(&mut embertls::crypto::RustCrypto, ContentType::ApplicationData, &mut sealed12, size)
                .unwrap();
            sealed12.truncate(n12);
            g.bench_with_input(BenchmarkId::new("embertls12_open", size), &size, |b, _| {
                b.iter_batched(
                    || (sealed12.clone(), tls12()),
                    |(mut work, mut p)| {
                        let o = p.open_in_place(&mut embertls::crypto::RustCrypto, &mut work).unwrap();
                        (work, p, o)
                    },
                    BatchSize::SmallInput,
                )
            });
            let key = RustCrypto.aead_key(alg, &[9; 32][..alg.key_len()]);
            let nonce = [3u8; 12];
            let aad = [23u8, 3, 3, 0, 0];
            let mut buf = vec![0u8; size + 1];
            g.bench_with_input(BenchmarkId::new("raw_aead_seal", size), &size, |b, _| {
                b.iter(|| RustCrypto.aead_seal(&key, &nonce, &aad, &mut buf))
            });
            let tag = RustCrypto.aead_seal(&key, &nonce, &aad, &mut buf).unwrap();
            let _ = tag;
            g.bench_with_input(BenchmarkId::new("raw_aead_open", size), &size, |b, &size| {
                b.iter_custom(|n| {
                    let mut spent = Duration::ZERO;
                    let mut left = n;
                    let mut seq = 0u64;
                    while left > 0 {
                        let batch = left.min(BATCH);
                        let mut sealed = raw_sealed(&key, &aad, &mut seq, size, batch);
                        spent += open_raw(&key, &aad, &mut sealed);
                        left -= batch;
                    }
                    spent
                })
            });
            alternated(&mut g, &format!("record_{name}"), alg, size);
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

type RawKey = <RustCrypto as CryptoProvider>::AeadKey;
/// Nonce, ciphertext and tag of one raw AEAD seal.
type RawSealed = ([u8; 12], Vec<u8>, [u8; TAG]);

/// `batch` TLS 1.3 records of `size` content bytes sealed by `sealer`, with
/// its consecutive sequence numbers.
fn sealed_records(sealer: &mut Protection<RustCrypto>, size: usize, batch: u64) -> Vec<Vec<u8>> {
    (0..batch)
        .map(|_| {
            let mut r = vec![0u8; HEADER_LEN + size + 1 + TAG];
            sealer.seal(&mut RustCrypto, ContentType::ApplicationData, &mut r, size).unwrap();
            r
        })
        .collect()
}

/// Opens every record with `opener`; returns the time it took.
#[inline(never)] // a frame of its own, for bench/instructions.sh
fn open_records(opener: &mut Protection<RustCrypto>, recs: &mut [Vec<u8>]) -> Duration {
    let t = Instant::now();
    for r in recs.iter_mut() {
        std::hint::black_box(opener.open(&mut RustCrypto, r).unwrap());
    }
    t.elapsed()
}

/// `batch` raw AEAD seals of `size + 1` bytes (a TLS 1.3 record's content
/// and type), nonces counted on from `seq`.
fn raw_sealed(key: &RawKey, aad: &[u8], seq: &mut u64, size: usize, batch: u64) -> Vec<RawSealed> {
    (0..batch)
        .map(|_| {
            *seq += 1;
            let mut nonce = [3u8; 12];
            nonce[4..].copy_from_slice(&seq.to_be_bytes());
            let mut ct = vec![0u8; size + 1];
            let tag = RustCrypto.aead_seal(key, &nonce, aad, &mut ct).unwrap();
            (nonce, ct, tag)
        })
        .collect()
}

/// Opens every raw ciphertext in place; returns the time it took.
#[inline(never)] // a frame of its own, for bench/instructions.sh
fn open_raw(key: &RawKey, aad: &[u8], sealed: &mut [RawSealed]) -> Duration {
    let t = Instant::now();
    for (nonce, ct, tag) in sealed.iter_mut() {
        RustCrypto.aead_open(key, nonce, aad, ct, tag).unwrap();
        std::hint::black_box(&ct);
    }
    t.elapsed()
}

/// Writes the median of the per-batch ratios (raw AEAD time / embertls
/// time, as the record table's throughput ratios) for `report.sh`.
fn write_ratio(group: &str, file: &str, ratios: &mut [f64]) {
    if !ratios.is_empty() {
        let json = format!("{{\"batches\": {}, \"ratio\": {:.4}}}\n", ratios.len(), median(ratios));
        write_result(group, file, &json);
    }
}

/// `n` iterations as batches of up to BATCH; `pair(batch, ours_first)`
/// times embertls and the raw AEAD on one batch each ([`in_turn`]). Each
/// full batch adds raw / embertls to `ratios`; returns embertls's time.
fn batches_in_turn(n: u64, ratios: &mut Vec<f64>, mut pair: impl FnMut(u64, bool) -> (Duration, Duration)) -> Duration {
    let mut spent = Duration::ZERO;
    let mut left = n;
    while left > 0 {
        let batch = left.min(BATCH);
        let (ours, raw) = pair(batch, ratios.len().is_multiple_of(2));
        if batch == BATCH {
            ratios.push(raw.as_secs_f64() / ours.as_secs_f64());
        }
        spent += ours;
        left -= batch;
    }
    spent
}

/// TLS 1.3 records and the raw AEAD alternated batch by batch (BATCH
/// records each): the separate rows above are measured seconds apart, and
/// this VM's speed drifts by more than the 5 % to be shown. Criterion times
/// embertls's batches; each pair of batches gives a ratio.
fn alternated(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    group: &str,
    alg: AeadAlg,
    size: usize,
) {
    let key = RustCrypto.aead_key(alg, &[9; 32][..alg.key_len()]);
    let aad = [23u8, 3, 3, 0, 0];
    let mut seal = Protection::new(keys(alg));
    let mut rec = vec![0u8; HEADER_LEN + size + 1 + TAG];
    let mut buf = vec![0u8; size + 1];
    let mut ratios = Vec::new();
    g.bench_with_input(BenchmarkId::new("embertls_seal_alternated", size), &size, |b, &size| {
        b.iter_custom(|n| {
            batches_in_turn(n, &mut ratios, |batch, ours_first| {
                let ours = || {
                    let t = Instant::now();
                    for _ in 0..batch {
                        std::hint::black_box(
                            seal.seal(&mut RustCrypto, ContentType::ApplicationData, &mut rec, size).unwrap(),
                        );
                    }
                    t.elapsed()
                };
                let raw = || {
                    let t = Instant::now();
                    for _ in 0..batch {
                        std::hint::black_box(RustCrypto.aead_seal(&key, &[3u8; 12], &aad, &mut buf).unwrap());
                    }
                    t.elapsed()
                };
                in_turn(ours_first, ours, raw)
            })
        })
    });
    write_ratio(group, &format!("seal_alternated_{size}.json"), &mut ratios);
    let mut sealer = Protection::new(keys(alg));
    let mut opener = Protection::new(keys(alg));
    let mut seq = 0u64;
    let mut ratios = Vec::new();
    g.bench_with_input(BenchmarkId::new("embertls_open_alternated", size), &size, |b, &size| {
        b.iter_custom(|n| {
            batches_in_turn(n, &mut ratios, |batch, ours_first| {
                let mut recs = sealed_records(&mut sealer, size, batch);
                let mut raw = raw_sealed(&key, &aad, &mut seq, size, batch);
                in_turn(ours_first, || open_records(&mut opener, &mut recs), || open_raw(&key, &aad, &mut raw))
            })
        })
    });
    write_ratio(group, &format!("open_alternated_{size}.json"), &mut ratios);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_millis(500));
    targets = bench
}
criterion_main!(benches);
