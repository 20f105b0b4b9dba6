//! TLS 1.2 PRF (RFC 5246 §5): PRF(secret, label, seed) = P_hash(secret, label || seed),
//! with the suite's hash (SHA-256 or SHA-384).

use zeroize::Zeroize;

use crate::crypto::{hmac_into, HashAlg, MAX_HASH_LEN};

/// Fills `out` with PRF(secret, label, seed) (RFC 5246 §5):
/// A(0) = label || seed, A(i) = HMAC(secret, A(i-1)),
/// P_hash = HMAC(secret, A(1) || label || seed) || HMAC(secret, A(2) || label || seed) || ...
pub fn prf(alg: HashAlg, secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
    let mut a = [0u8; MAX_HASH_LEN];
    let mut block = [0u8; MAX_HASH_LEN];
    let len = hmac_into(alg, secret, &[label, seed], &mut a);
    for chunk in out.chunks_mut(alg.len()) {
        hmac_into(alg, secret, &[&a[..len], label, seed], &mut block);
        chunk.copy_from_slice(&block[..chunk.len()]);
        let prev = a;
        hmac_into(alg, secret, &[&prev[..len]], &mut a);
    }
    a.zeroize();
    block.zeroize();
}
