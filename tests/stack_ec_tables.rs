//! The one-time stack cost of the `ec-tables` feature (issue 12): the curve
//! crates build their P-256 and P-384 base-point tables lazily, at the first
//! use of each curve, and return them by value through the stack (the P-384
//! table alone is 56 448 bytes). Measured by painting, as `tests/stack.rs`
//! does; `tests/stack.sh` runs it. A device build (`no_std`) has no tables.
#![cfg(all(not(debug_assertions), feature = "ec-tables", target_arch = "x86_64", target_os = "linux"))]

mod common;

use common::stack::{deepest, on_big_stack};
use embertls::crypto::KeyShare;
use embertls::NamedGroup;

#[test]
fn first_use_of_the_tables() {
    let (p256, p384, again) = on_big_stack(|| {
        let mut rng = common::peer::rng();
        let (_, p256) =
            deepest(|| KeyShare::generate(&mut embertls::crypto::RustCrypto, NamedGroup::Secp256r1, &mut rng));
        let (_, p384) =
            deepest(|| KeyShare::generate(&mut embertls::crypto::RustCrypto, NamedGroup::Secp384r1, &mut rng));
        let (_, again) =
            deepest(|| KeyShare::generate(&mut embertls::crypto::RustCrypto, NamedGroup::Secp384r1, &mut rng));
        (p256, p384, again)
    });
    println!("ec-tables, first use: P-256 {p256} bytes of stack, P-384 {p384}; later P-384 key generation {again}");
    // The tables pass through the stack once: more than their own size.
    assert!(p256 > 25_000 && p384 > 56_000, "{p256} {p384}");
    assert!(again < 8 * 1024, "{again}");
}
