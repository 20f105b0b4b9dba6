//! Hashes, HMAC and HKDF (RFC 5869) over SHA-256 and SHA-384.

use zeroize::Zeroize;

use super::provider::CryptoProvider;

/// The longest hash output used (SHA-384).
pub const MAX_HASH_LEN: usize = 48;

/// A hash function of a cipher suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashAlg {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
}

impl HashAlg {
    /// Output length in bytes.
    #[allow(clippy::len_without_is_empty)] // a hash length, not a container
    pub const fn len(self) -> usize {
        match self {
            HashAlg::Sha256 => 32,
            HashAlg::Sha384 => 48,
        }
    }

    /// The hash of the empty string (NIST CAVP's zero-length message
    /// vectors; a test checks them against the provider), which the TLS 1.3
    /// key schedule takes for each "derived" salt (RFC 8446 §7.1): a
    /// constant, not computed per handshake.
    pub fn empty_hash(self) -> Digest {
        const SHA256: [u8; 32] = [
            0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae,
            0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
        ];
        const SHA384: [u8; 48] = [
            0x38, 0xb0, 0x60, 0xa7, 0x51, 0xac, 0x96, 0x38, 0x4c, 0xd9, 0x32, 0x7e, 0xb1, 0xb1, 0xe3, 0x6a, 0x21, 0xfd,
            0xb7, 0x11, 0x14, 0xbe, 0x07, 0x43, 0x4c, 0x0c, 0xc7, 0xbf, 0x63, 0xf6, 0xe1, 0xda, 0x27, 0x4e, 0xde, 0xbf,
            0xe7, 0x6f, 0x65, 0xfb, 0xd5, 0x1a, 0xd2, 0xf1, 0x48, 0x98, 0xb9, 0x5b,
        ];
        Digest::from_slice(match self {
            HashAlg::Sha256 => &SHA256,
            HashAlg::Sha384 => &SHA384,
        })
    }

    /// Hash of `data` in one call.
    pub fn hash<P: CryptoProvider>(self, p: &mut P, data: &[u8]) -> Digest {
        let mut h = p.hash_start(self);
        p.hash_update(&mut h, data);
        p.hash_finish(h)
    }
}

/// A hash value (not secret).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Digest {
    buf: [u8; MAX_HASH_LEN],
    len: u8,
}

impl Digest {
    /// A digest of `s` (its first 48 bytes at most).
    pub fn from_slice(s: &[u8]) -> Self {
        let mut buf = [0u8; MAX_HASH_LEN];
        let n = s.len().min(MAX_HASH_LEN);
        buf[..n].copy_from_slice(&s[..n]);
        Digest { buf, len: n as u8 }
    }
    /// The bytes of the hash.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len as usize]
    }
}

impl core::fmt::Debug for Digest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Secret keying material of up to 48 bytes, zeroized on drop.
#[derive(Clone)]
pub struct Secret {
    buf: [u8; MAX_HASH_LEN],
    len: u8,
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

impl zeroize::ZeroizeOnDrop for Secret {}

impl Secret {
    /// A copy of `s` (at most 48 bytes).
    pub fn from_slice(s: &[u8]) -> Self {
        let mut buf = [0u8; MAX_HASH_LEN];
        let n = s.len().min(MAX_HASH_LEN);
        buf[..n].copy_from_slice(&s[..n]);
        Secret { buf, len: n as u8 }
    }
    /// `len` zero bytes.
    pub fn zero(len: usize) -> Self {
        Secret { buf: [0u8; MAX_HASH_LEN], len: len.min(MAX_HASH_LEN) as u8 }
    }
    /// The secret bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len as usize]
    }
    /// The secret bytes, to derive them in place.
    pub(crate) fn as_mut_bytes(&mut self) -> &mut [u8] {
        &mut self.buf[..self.len as usize]
    }
}

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// A running hash of handshake messages (RFC 8446 §4.4.1).
pub struct Transcript<P: CryptoProvider> {
    state: P::Hash,
}

impl<P: CryptoProvider> Clone for Transcript<P> {
    fn clone(&self) -> Self {
        Transcript { state: self.state.clone() }
    }
}

impl<P: CryptoProvider> Transcript<P> {
    /// An empty transcript for `alg`.
    pub fn new(p: &mut P, alg: HashAlg) -> Self {
        Transcript { state: p.hash_start(alg) }
    }
    /// Adds bytes.
    pub fn update(&mut self, p: &mut P, data: &[u8]) {
        p.hash_update(&mut self.state, data)
    }
    /// The hash of everything added so far; the transcript goes on.
    pub fn current(&self, p: &mut P) -> Digest {
        p.hash_finish(self.state.clone())
    }
}

/// HMAC(key, data) (RFC 2104).
pub fn hmac<P: CryptoProvider>(p: &mut P, alg: HashAlg, key: &[u8], data: &[u8]) -> Digest {
    let mut out = [0u8; MAX_HASH_LEN];
    let n = p.hmac(alg, key, &[data], &mut out);
    Digest::from_slice(&out[..n])
}

/// HKDF-Extract(salt, IKM) (RFC 5869 §2.2), which is by definition
/// PRK = HMAC-Hash(salt, IKM); an empty salt is HMAC's all-zero key, as the
/// RFC's "string of HashLen zeros". One HMAC call: the `hkdf` crate's
/// extract also builds an expander, about 2 KB more stack (issue 12).
#[inline(never)] // as `key_schedule::expand_secret`
pub fn hkdf_extract<P: CryptoProvider>(p: &mut P, alg: HashAlg, salt: &[u8], ikm: &[u8]) -> Secret {
    let mut prk = [0u8; MAX_HASH_LEN];
    let n = p.hmac(alg, salt, &[ikm], &mut prk);
    let s = Secret::from_slice(&prk[..n]);
    prk.zeroize();
    s
}

/// HKDF-Expand(PRK, info, L) with `info` given in parts (RFC 5869 §2.3).
///
/// `out.len()` must be at most 255 hash lengths (the exporter's limit); the
/// key schedule asks for at most one hash length, so the call cannot fail.
pub fn hkdf_expand<P: CryptoProvider>(p: &mut P, alg: HashAlg, prk: &Secret, info: &[&[u8]], out: &mut [u8]) {
    p.hkdf_expand(alg, prk.as_bytes(), info, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::RustCrypto;

    /// The constants are what a hash of nothing gives.
    #[test]
    fn empty_hash_is_the_hash_of_nothing() {
        for alg in [HashAlg::Sha256, HashAlg::Sha384] {
            assert_eq!(alg.empty_hash().as_bytes(), alg.hash(&mut RustCrypto, &[]).as_bytes(), "{alg:?}");
        }
    }

    /// RFC 5869 Appendix A.1 and A.3 (vectors/rfc5869/README.md): PRK with a
    /// salt and with an empty one.
    #[test]
    fn hkdf_extract_is_rfc5869() {
        let hex = |s: &str| -> std::vec::Vec<u8> {
            (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
        };
        let ikm = [0x0b; 22];
        let salt = hex("000102030405060708090a0b0c");
        let a1 = hkdf_extract(&mut RustCrypto, HashAlg::Sha256, &salt, &ikm);
        assert_eq!(a1.as_bytes(), hex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"));
        let a3 = hkdf_extract(&mut RustCrypto, HashAlg::Sha256, &[], &ikm);
        assert_eq!(a3.as_bytes(), hex("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04"));
    }

    /// RFC 5869 A.1 and A.3 OKM: 42 bytes (two blocks) and lengths up to
    /// one hash length, info whole or in parts.
    #[test]
    fn hkdf_expand_is_rfc5869() {
        let hex = |s: &str| -> std::vec::Vec<u8> {
            (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
        };
        let cases = [
            (
                "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
                hex("f0f1f2f3f4f5f6f7f8f9"),
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
            ),
            (
                "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
                std::vec::Vec::new(),
                "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
            ),
        ];
        for (prk, info, okm) in cases {
            let (prk, okm) = (Secret::from_slice(&hex(prk)), hex(okm));
            let mut out = [0u8; 42];
            hkdf_expand(&mut RustCrypto, HashAlg::Sha256, &prk, &[&info], &mut out);
            assert_eq!(out[..], okm[..]);
            for len in [1, 12, 16, 31, 32] {
                let mut short = [0u8; 32];
                let (a, b) = info.split_at(info.len() / 2);
                hkdf_expand(&mut RustCrypto, HashAlg::Sha256, &prk, &[a, b], &mut short[..len]);
                assert_eq!(short[..len], okm[..len], "L = {len}");
            }
        }
    }

    /// [`CryptoProvider::hkdf_expand_each`] (RustCrypto: the default) gives
    /// each output what its own expansion gives, for outputs of zero,
    /// partial, whole and several blocks; an output over the RFC 5869 limit
    /// (255 hash lengths) is zeroed. (Ring's keyed-once override: ring.rs.)
    #[test]
    fn hkdf_expand_each_equals_one_expansion_each() {
        use crate::crypto::provider::hkdf_expand_on_hmac;
        use std::{vec, vec::Vec};
        for alg in [HashAlg::Sha256, HashAlg::Sha384] {
            let prk: Vec<u8> = (0..alg.len() as u8).collect();
            let infos: [&[&[u8]]; 3] = [&[b"c hs traffic"], &[b"tls13 ", b"", b"key"], &[]];
            let n = alg.len();
            for lens in [[16, 12, n], [n + 1, 2 * n, 0], [255 * n, 1, 255 * n + 1]] {
                let mut outs = lens.map(|len| vec![0xaau8; len]);
                let [a, b, c] = &mut outs;
                RustCrypto.hkdf_expand_each(alg, &prk, &mut [(infos[0], a), (infos[1], b), (infos[2], c)]);
                for ((info, len), got) in infos.iter().zip(lens).zip(&outs) {
                    let mut want = vec![0xaau8; len];
                    hkdf_expand_on_hmac(&mut RustCrypto, alg, &prk, info, &mut want);
                    assert_eq!(got, &want, "{alg:?}, {len} bytes");
                    if len > 255 * n {
                        assert!(got.iter().all(|&b| b == 0), "over the limit: zeroed");
                    }
                }
            }
        }
    }
}
