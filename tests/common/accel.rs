//! A crypto provider shaped like a microcontroller's accelerators (issue 14
//! item 2), to prove the seam fits them: fake engines with the block-level,
//! `&mut self` interfaces a chip exposes, and [`AccelProvider`], which
//! implements [`CryptoProvider`] on top of them the way a HAL-backed provider
//! would.
//!
//! The engines compute with RustCrypto primitives (no primitive is written
//! here): SHA-2 compression (`sha2::block_api`), one AES block (`aes`),
//! modular exponentiation (`crypto-bigint`), scalar multiplication (`p256`,
//! `p384`). What a provider must do around such engines is written here and
//! cites its specification: SHA-2 padding, GCM around the block cipher,
//! EMSA-PKCS1-v1_5 and EMSA-PSS, ECDSA verification. Delegated to the
//! default provider ([`RustCrypto`], software) because no ESP32 has an
//! engine for them: X25519 and ChaCha20-Poly1305.
//!
//! Each engine counts its operations, so tests can show they were used.
#![allow(dead_code)] // each test binary uses a different part of this module

use der::asn1::{AnyRef, UintRef};
use der::{Decode, Reader, SliceReader, Tag, Tagged};
use embertls::provider::{
    AeadAlg, AeadError, CryptoProvider, Digest, HashAlg, NamedGroup, PeerKey, RustCrypto, RustCryptoAead, RustCryptoKx,
    SigAlg, SigHash, SignatureError, MAX_PUBLIC_KEY_LEN, MAX_SHARED_SECRET_LEN, TAG_LEN,
};
use p256::elliptic_curve::ff::{Field, PrimeField};
use p256::elliptic_curve::group::{Curve as _, Group};
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::sec1::{FromSec1Point, ModulusSize, Sec1Point, ToSec1Point};
use p256::elliptic_curve::{AffinePoint, CurveArithmetic, FieldBytes, FieldBytesSize, ProjectivePoint};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

/// Why an engine refused an operation: misuse by the caller, or an operand
/// beyond what the engine takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineError {
    /// An operand of the wrong length for the mode or curve.
    OperandLength,
    /// No mode started, or no key loaded.
    NotConfigured,
    /// An operand larger than the engine's registers.
    OperandTooLarge,
    /// Montgomery multiplication needs an odd modulus.
    EvenModulus,
    /// The base is not below the modulus.
    BaseNotReduced,
    /// The scalar is zero or not below the group order.
    ScalarOutOfRange,
    /// The input point is not on the curve.
    NotOnCurve,
    /// The result is the point at infinity (no affine coordinates).
    PointAtInfinity,
}

// ---------------------------------------------------------------- SHA engine

/// A SHA-2 mode of the SHA engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShaMode {
    /// SHA-256: 64-byte blocks, 32-byte chaining value.
    Sha256,
    /// SHA-384: 128-byte blocks, 64-byte chaining value, 48-byte digest.
    Sha384,
    /// SHA-512: 128-byte blocks, 64-byte chaining value.
    Sha512,
}

impl ShaMode {
    /// The block length (FIPS 180-4 §1, Figure 1).
    pub const fn block_len(self) -> usize {
        match self {
            ShaMode::Sha256 => 64,
            ShaMode::Sha384 | ShaMode::Sha512 => 128,
        }
    }
    /// The chaining value's length: eight 32- or 64-bit words.
    pub const fn state_len(self) -> usize {
        match self {
            ShaMode::Sha256 => 32,
            ShaMode::Sha384 | ShaMode::Sha512 => 64,
        }
    }
    /// The digest length (the leftmost bytes of the final chaining value).
    pub const fn digest_len(self) -> usize {
        match self {
            ShaMode::Sha256 => 32,
            ShaMode::Sha384 => 48,
            ShaMode::Sha512 => 64,
        }
    }
    fn of(h: SigHash) -> Self {
        match h {
            SigHash::Sha256 => ShaMode::Sha256,
            SigHash::Sha384 => ShaMode::Sha384,
            SigHash::Sha512 => ShaMode::Sha512,
        }
    }
}

/// The initial hash values, big-endian words (FIPS 180-4 §5.3.3, §5.3.4,
/// §5.3.5): what the engine loads itself when a message starts.
const IV_SHA256: [u32; 8] =
    [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const IV_SHA384: [u64; 8] = [
    0xcbbb9d5dc1059ed8,
    0x629a292a367cd507,
    0x9159015a3070dd17,
    0x152fecd8f70e5939,
    0x67332667ffc00b31,
    0x8eb44a8768581511,
    0xdb0c2e0d64f98fa7,
    0x47b5481dbefa4fa4,
];
const IV_SHA512: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

/// A SHA-2 engine as chips have them: a mode, the H registers (the chaining
/// value), and one whole block processed per call. Padding is the caller's
/// job. Like the ESP32-S3/C3/C6 engines it can load a saved chaining value,
/// so several hashes can take turns on it.
pub struct ShaEngine {
    mode: Option<ShaMode>,
    h: [u8; 64],
    blocks: u64,
    starts: u64,
    state_loads: u64,
}

impl Default for ShaEngine {
    fn default() -> Self {
        ShaEngine { mode: None, h: [0; 64], blocks: 0, starts: 0, state_loads: 0 }
    }
}

/// The H registers may hold an HMAC's keyed state: wiped when the driver goes.
impl Drop for ShaEngine {
    fn drop(&mut self) {
        self.h.zeroize();
    }
}

impl ShaEngine {
    /// Starts a new message in `mode`: H = the initial hash value.
    pub fn start(&mut self, mode: ShaMode) {
        match mode {
            ShaMode::Sha256 => {
                for (dst, w) in self.h.chunks_exact_mut(4).zip(IV_SHA256) {
                    dst.copy_from_slice(&w.to_be_bytes());
                }
            }
            ShaMode::Sha384 | ShaMode::Sha512 => {
                let iv = if mode == ShaMode::Sha384 { IV_SHA384 } else { IV_SHA512 };
                for (dst, w) in self.h.chunks_exact_mut(8).zip(iv) {
                    dst.copy_from_slice(&w.to_be_bytes());
                }
            }
        }
        self.mode = Some(mode);
        self.starts += 1;
    }

    /// Continues a message in `mode` from a chaining value saved with
    /// [`ShaEngine::read_state`].
    pub fn load_state(&mut self, mode: ShaMode, h: &[u8]) -> Result<(), EngineError> {
        if h.len() != mode.state_len() {
            return Err(EngineError::OperandLength);
        }
        self.h[..h.len()].copy_from_slice(h);
        self.mode = Some(mode);
        self.state_loads += 1;
        Ok(())
    }

    /// Compresses one whole block (64 bytes for SHA-256, 128 otherwise) into H.
    pub fn process_block(&mut self, block: &[u8]) -> Result<(), EngineError> {
        let mode = self.mode.ok_or(EngineError::NotConfigured)?;
        match mode {
            ShaMode::Sha256 => {
                let block: &[u8; 64] = block.try_into().map_err(|_| EngineError::OperandLength)?;
                let mut state = [0u32; 8];
                for (w, src) in state.iter_mut().zip(self.h.chunks_exact(4)) {
                    *w = u32::from_be_bytes(src.try_into().expect("4 bytes"));
                }
                sha2::block_api::compress256(&mut state, core::slice::from_ref(block));
                for (dst, w) in self.h.chunks_exact_mut(4).zip(state) {
                    dst.copy_from_slice(&w.to_be_bytes());
                }
            }
            ShaMode::Sha384 | ShaMode::Sha512 => {
                let block: &[u8; 128] = block.try_into().map_err(|_| EngineError::OperandLength)?;
                let mut state = [0u64; 8];
                for (w, src) in state.iter_mut().zip(self.h.chunks_exact(8)) {
                    *w = u64::from_be_bytes(src.try_into().expect("8 bytes"));
                }
                sha2::block_api::compress512(&mut state, core::slice::from_ref(block));
                for (dst, w) in self.h.chunks_exact_mut(8).zip(state) {
                    dst.copy_from_slice(&w.to_be_bytes());
                }
            }
        }
        self.blocks += 1;
        Ok(())
    }

    /// Reads H (`mode.state_len()` bytes): the chaining value to save, or
    /// the digest after the last block.
    pub fn read_state(&self, out: &mut [u8]) -> Result<(), EngineError> {
        let mode = self.mode.ok_or(EngineError::NotConfigured)?;
        if out.len() != mode.state_len() {
            return Err(EngineError::OperandLength);
        }
        out.copy_from_slice(&self.h[..out.len()]);
        Ok(())
    }
}

// ---------------------------------------------------------------- AES engine

enum LoadedKey {
    Aes128(aes::Aes128),
    Aes256(aes::Aes256),
}

/// An AES engine in its single-block mode: load a key, encrypt 16 bytes.
/// (The AES ciphers wipe their round keys on drop: `aes`'s `zeroize` feature.)
#[derive(Default)]
pub struct AesEngine {
    key: Option<LoadedKey>,
    blocks: u64,
    key_loads: u64,
}

impl AesEngine {
    /// Loads a 16- or 32-byte key into the key registers.
    pub fn load_key(&mut self, key: &[u8]) -> Result<(), EngineError> {
        use aes::cipher::KeyInit;
        self.key = Some(match key.len() {
            16 => LoadedKey::Aes128(aes::Aes128::new_from_slice(key).map_err(|_| EngineError::OperandLength)?),
            32 => LoadedKey::Aes256(aes::Aes256::new_from_slice(key).map_err(|_| EngineError::OperandLength)?),
            _ => return Err(EngineError::OperandLength),
        });
        self.key_loads += 1;
        Ok(())
    }

    /// Encrypts one block in place with the loaded key.
    pub fn encrypt_block(&mut self, block: &mut [u8; 16]) -> Result<(), EngineError> {
        use aes::cipher::BlockCipherEncrypt;
        let mut b = aes::Block::from(*block);
        match self.key.as_ref().ok_or(EngineError::NotConfigured)? {
            LoadedKey::Aes128(c) => c.encrypt_block(&mut b),
            LoadedKey::Aes256(c) => c.encrypt_block(&mut b),
        }
        block.copy_from_slice(&b);
        b.zeroize();
        self.blocks += 1;
        Ok(())
    }

    /// Clears the key registers.
    pub fn clear_key(&mut self) {
        self.key = None;
    }
}

// ---------------------------------------------------------- big-number engine

/// A modular-exponentiation engine (the RSA peripheral's mode):
/// big-endian operands of the modulus' length, at most 4096 bits (ESP32,
/// S2, S3; 3072 on C3 and C6).
pub struct BigNumEngine {
    max_bits: usize,
    mod_exps: u64,
}

impl Default for BigNumEngine {
    fn default() -> Self {
        BigNumEngine { max_bits: 4096, mod_exps: 0 }
    }
}

impl BigNumEngine {
    /// An engine whose operands are at most `max_bits` long.
    pub fn with_max_bits(max_bits: usize) -> Self {
        BigNumEngine { max_bits, mod_exps: 0 }
    }

    /// `out` = `base` ^ `exponent` mod `modulus`; `base` and `out` have the
    /// modulus' length, `base` below it, the modulus odd.
    pub fn mod_exp(&mut self, base: &[u8], exponent: &[u8], modulus: &[u8], out: &mut [u8]) -> Result<(), EngineError> {
        use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
        use crypto_bigint::{BoxedUint, Odd};
        let k = modulus.len();
        if k * 8 > self.max_bits || exponent.len() > k {
            return Err(EngineError::OperandTooLarge);
        }
        if k == 0 || base.len() != k || out.len() != k {
            return Err(EngineError::OperandLength);
        }
        if modulus[k - 1] & 1 == 0 {
            return Err(EngineError::EvenModulus);
        }
        // Equal lengths, big-endian: byte order is numeric order.
        if base >= modulus {
            return Err(EngineError::BaseNotReduced);
        }
        // The peripheral computes in its own memory, not on the calling
        // task's stack: here on a thread of its own (tests/stack.rs measures
        // the engine's stack above an RSA engine this way).
        let compute = || {
            let bits = (k * 8) as u32;
            let n = BoxedUint::from_be_slice(modulus, bits).map_err(|_| EngineError::OperandLength)?;
            let x = BoxedUint::from_be_slice(base, bits).map_err(|_| EngineError::OperandLength)?;
            let e = BoxedUint::from_be_slice(exponent, bits).map_err(|_| EngineError::OperandLength)?;
            let n = Option::<Odd<BoxedUint>>::from(Odd::new(n)).ok_or(EngineError::EvenModulus)?;
            let params = BoxedMontyParams::new_vartime(n);
            // Like the ESP32 engines' "search acceleration", the exponent's
            // leading zero bits are skipped (its length shows in the time).
            Ok(BoxedMontyForm::new(x, &params).pow_bounded_exp(&e, e.bit_width_vartime()).retrieve().to_be_bytes())
        };
        let y = std::thread::scope(|s| s.spawn(compute).join()).expect("the emulated RSA engine panicked")?;
        out.copy_from_slice(&y[y.len() - k..]);
        self.mod_exps += 1;
        Ok(())
    }
}

// ---------------------------------------------------------------- ECC engine

/// A curve of the ECC engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EccCurve {
    /// secp256r1 (the ESP32-C2/C6/H2 engine's P-256).
    P256,
    /// secp384r1 (in this fake engine for completeness).
    P384,
}

impl EccCurve {
    /// Length of a scalar or coordinate.
    pub const fn len(self) -> usize {
        match self {
            EccCurve::P256 => 32,
            EccCurve::P384 => 48,
        }
    }
}

/// An ECC engine in its affine point-multiplication mode: (x, y) = k × (x, y),
/// big-endian coordinates, in place. Like the hardware's multiplication with
/// point verification, it refuses a point that is not on the curve.
#[derive(Default)]
pub struct EccEngine {
    point_muls: u64,
}

impl EccEngine {
    /// `(x, y)` = `k` × `(x, y)`; `k` in [1, n-1].
    pub fn point_mul(&mut self, curve: EccCurve, k: &[u8], x: &mut [u8], y: &mut [u8]) -> Result<(), EngineError> {
        match curve {
            EccCurve::P256 => point_mul::<p256::NistP256>(k, x, y)?,
            EccCurve::P384 => point_mul::<p384::NistP384>(k, x, y)?,
        }
        self.point_muls += 1;
        Ok(())
    }
}

fn field_bytes<C: CurveArithmetic>(b: &[u8]) -> Result<FieldBytes<C>, EngineError> {
    FieldBytes::<C>::try_from(b).map_err(|_| EngineError::OperandLength)
}

fn point_mul<C>(k: &[u8], x: &mut [u8], y: &mut [u8]) -> Result<(), EngineError>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let k = Option::<C::Scalar>::from(C::Scalar::from_repr(field_bytes::<C>(k)?))
        .filter(|k| !bool::from(k.is_zero()))
        .ok_or(EngineError::ScalarOutOfRange)?;
    let p = affine::<C>(x, y).ok_or(EngineError::NotOnCurve)?;
    let r = (ProjectivePoint::<C>::from(p) * k).to_affine().to_sec1_point(false);
    let (Some(rx), Some(ry)) = (r.x(), r.y()) else { return Err(EngineError::PointAtInfinity) };
    x.copy_from_slice(rx);
    y.copy_from_slice(ry);
    Ok(())
}

/// The point (x, y) if it is on the curve.
fn affine<C>(x: &[u8], y: &[u8]) -> Option<AffinePoint<C>>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let x = field_bytes::<C>(x).ok()?;
    let y = field_bytes::<C>(y).ok()?;
    AffinePoint::<C>::from_sec1_point(&Sec1Point::<C>::from_affine_coordinates(&x, &y, false)).into()
}

// ------------------------------------------------------------ the peripherals

/// What a HAL's `Peripherals` would hand out: the four engines, owned by
/// the application, which lends them to a connection's provider.
#[derive(Default)]
pub struct Engines {
    /// The SHA engine.
    pub sha: ShaEngine,
    /// The AES engine.
    pub aes: AesEngine,
    /// The RSA (big-number) engine.
    pub bignum: BigNumEngine,
    /// The ECC engine.
    pub ecc: EccEngine,
}

/// What the engines have done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// SHA blocks compressed.
    pub sha_blocks: u64,
    /// SHA messages started from the initial value.
    pub sha_starts: u64,
    /// SHA chaining values loaded back (a hash resumed after another used the engine).
    pub sha_state_loads: u64,
    /// AES blocks encrypted.
    pub aes_blocks: u64,
    /// AES keys loaded.
    pub aes_key_loads: u64,
    /// Modular exponentiations.
    pub mod_exps: u64,
    /// Point multiplications.
    pub point_muls: u64,
}

impl Engines {
    /// Fresh engines.
    pub fn new() -> Self {
        Self::default()
    }

    /// The operation counters.
    pub fn counts(&self) -> Counts {
        Counts {
            sha_blocks: self.sha.blocks,
            sha_starts: self.sha.starts,
            sha_state_loads: self.sha.state_loads,
            aes_blocks: self.aes.blocks,
            aes_key_loads: self.aes.key_loads,
            mod_exps: self.bignum.mod_exps,
            point_muls: self.ecc.point_muls,
        }
    }
}

// ---------------------------------------------------------------- the provider

/// A [`CryptoProvider`] on the engines, for as long as it borrows them (one
/// connection). Does not override `hmac` or `hkdf_expand`: the seam's
/// defaults run them on [`AccelHash`].
pub struct AccelProvider<'d> {
    sha: &'d mut ShaEngine,
    aes: &'d mut AesEngine,
    bignum: &'d mut BigNumEngine,
    ecc: &'d mut EccEngine,
}

impl<'d> AccelProvider<'d> {
    /// A provider borrowing all four engines.
    pub fn new(engines: &'d mut Engines) -> Self {
        let Engines { sha, aes, bignum, ecc } = engines;
        AccelProvider { sha, aes, bignum, ecc }
    }
}

/// A running hash of [`AccelProvider`]: the chaining value between engine
/// calls (`None` before the first whole block), the partial block and the
/// message length. Wiped on drop (HMAC's inner state is key material).
#[derive(Clone)]
pub struct AccelHash {
    mode: ShaMode,
    chain: Option<[u8; 64]>,
    buf: [u8; 128],
    buffered: usize,
    total: u128,
}

impl Drop for AccelHash {
    fn drop(&mut self) {
        self.chain.zeroize();
        self.buf.zeroize();
    }
}

impl AccelHash {
    fn new(mode: ShaMode) -> Self {
        AccelHash { mode, chain: None, buf: [0; 128], buffered: 0, total: 0 }
    }

    /// Runs whole `blocks` on the engine: restart or reload the chaining
    /// value, process, save it again.
    fn compress(&mut self, sha: &mut ShaEngine, blocks: &[u8]) {
        let mode = self.mode;
        // The lengths below are this file's own: an engine error is a bug here.
        match &self.chain {
            None => sha.start(mode),
            Some(h) => sha.load_state(mode, &h[..mode.state_len()]).expect("chaining value length"),
        }
        for block in blocks.chunks_exact(mode.block_len()) {
            sha.process_block(block).expect("whole blocks");
        }
        let mut h = [0u8; 64];
        sha.read_state(&mut h[..mode.state_len()]).expect("mode set");
        self.chain = Some(h);
        h.zeroize();
    }

    fn update(&mut self, sha: &mut ShaEngine, mut data: &[u8]) {
        let bl = self.mode.block_len();
        self.total += data.len() as u128;
        if self.buffered > 0 {
            let take = (bl - self.buffered).min(data.len());
            self.buf[self.buffered..self.buffered + take].copy_from_slice(&data[..take]);
            self.buffered += take;
            data = &data[take..];
            if self.buffered < bl {
                return;
            }
            let mut block = self.buf;
            self.compress(sha, &block[..bl]);
            block.zeroize();
            self.buffered = 0;
        }
        let whole = data.len() - data.len() % bl;
        if whole > 0 {
            self.compress(sha, &data[..whole]);
        }
        let rest = &data[whole..];
        self.buf[..rest.len()].copy_from_slice(rest);
        self.buffered = rest.len();
    }

    /// Pads the message (FIPS 180-4 §5.1.1 for SHA-256, §5.1.2 for SHA-384
    /// and SHA-512: a 1 bit, zeros, and the length in bits as a 64- or
    /// 128-bit big-endian number, to a whole number of blocks), runs the
    /// last block or two, and returns the digest (§6.2.2, §6.4.2, §6.5).
    fn finish(mut self, sha: &mut ShaEngine, out: &mut [u8; 64]) -> usize {
        let mode = self.mode;
        let bl = mode.block_len();
        let len_field = if bl == 64 { 8 } else { 16 };
        let mut tail = Zeroizing::new([0u8; 256]);
        tail[..self.buffered].copy_from_slice(&self.buf[..self.buffered]);
        tail[self.buffered] = 0x80;
        let n = if self.buffered + 1 + len_field <= bl { bl } else { 2 * bl };
        let bits = (self.total * 8).to_be_bytes();
        tail[n - len_field..n].copy_from_slice(&bits[16 - len_field..]);
        self.compress(sha, &tail[..n]);
        let mut chain = self.chain.expect("just compressed");
        out.copy_from_slice(&chain);
        chain.zeroize();
        mode.digest_len()
    }
}

/// A keyed AEAD of [`AccelProvider`].
pub enum AccelAead {
    /// AES-GCM on the AES engine: the key, loaded into the engine for each
    /// record (the engine holds one key, and a connection has two), and
    /// GCM's hash subkey H = E_K(0^128) (NIST SP 800-38D §7.1 step 1).
    AesGcm {
        /// The key (16 or 32 bytes used).
        key: Zeroizing<[u8; 32]>,
        /// 16 or 32.
        key_len: usize,
        /// H.
        h: Zeroizing<[u8; 16]>,
    },
    /// ChaCha20-Poly1305 in software, by the default provider (which wipes
    /// the key on drop): no ESP32 has a ChaCha20 engine.
    Software(Box<RustCryptoAead>),
}

/// An ephemeral private key of [`AccelProvider`]; wiped on drop.
pub enum AccelKx {
    /// X25519 in software, by the default provider (wiped on drop): no ESP32
    /// has an X25519 engine.
    Software(RustCryptoKx),
    /// A P-256 scalar for the ECC engine.
    P256(Zeroizing<[u8; 32]>),
    /// A P-384 scalar for the ECC engine.
    P384(Zeroizing<[u8; 48]>),
}

/// inc32 (NIST SP 800-38D §6.2): the last 32 bits of the counter block + 1 mod 2^32.
fn inc32(cb: &mut [u8; 16]) {
    let c = u32::from_be_bytes([cb[12], cb[13], cb[14], cb[15]]).wrapping_add(1);
    cb[12..].copy_from_slice(&c.to_be_bytes());
}

/// GCTR_K(ICB, X) in place (NIST SP 800-38D §6.5): X xor E_K(CB_1) || E_K(CB_2) ..., CB_i+1 = inc32(CB_i).
fn gctr(aes: &mut AesEngine, icb: &[u8; 16], buf: &mut [u8]) {
    let mut cb = *icb;
    for chunk in buf.chunks_mut(16) {
        let mut ks = cb;
        aes.encrypt_block(&mut ks).expect("key loaded");
        chunk.iter_mut().zip(ks.iter()).for_each(|(b, k)| *b ^= k);
        ks.zeroize();
        inc32(&mut cb);
    }
}

/// S = GHASH_H(A || 0^v || C || 0^u || [len(A)]_64 || [len(C)]_64) (NIST SP
/// 800-38D §7.1 step 5), with the `ghash` crate's multiplication in GF(2^128).
fn gcm_s(h: &[u8; 16], aad: &[u8], ciphertext: &[u8]) -> [u8; 16] {
    use ghash::universal_hash::UniversalHash;
    let mut g = ghash::GHash::new(&ghash::Key::from(*h));
    g.update_padded(aad);
    g.update_padded(ciphertext);
    let mut lengths = [0u8; 16];
    lengths[..8].copy_from_slice(&(aad.len() as u64 * 8).to_be_bytes());
    lengths[8..].copy_from_slice(&(ciphertext.len() as u64 * 8).to_be_bytes());
    g.update(&[ghash::Block::from(lengths)]);
    g.finalize().into()
}

/// The GCM tag T = GCTR_K(J0, S) (NIST SP 800-38D §7.1 step 6, t = 128),
/// with J0 = IV || 0^31 || 1 for a 96-bit IV (step 2).
fn gcm_tag(aes: &mut AesEngine, nonce: &[u8; 12], s: [u8; 16]) -> ([u8; 16], [u8; 16]) {
    let mut j0 = [0u8; 16];
    j0[..12].copy_from_slice(nonce);
    j0[15] = 1;
    let mut t = s;
    gctr(aes, &j0, &mut t);
    (t, j0)
}

/// The longest GCM plaintext: 2^39 - 256 bits (NIST SP 800-38D §5.2.1.1).
const GCM_MAX_LEN: u64 = (1 << 36) - 32;

/// A big-endian number left-padded to `n` (at most 48) bytes; `None` if it does not fit.
fn left_pad(b: &[u8], n: usize) -> Option<[u8; 48]> {
    if b.len() > n || n > 48 {
        return None;
    }
    let mut out = [0u8; 48];
    out[n - b.len()..n].copy_from_slice(b);
    Some(out)
}

impl AccelProvider<'_> {
    /// Hash of `parts` concatenated, with any of the engine's modes.
    fn digest(&mut self, mode: ShaMode, parts: &[&[u8]], out: &mut [u8; 64]) -> usize {
        let mut h = AccelHash::new(mode);
        for p in parts {
            h.update(self.sha, p);
        }
        h.finish(self.sha, out)
    }

    /// k × (x, y) on the engine, for an uncompressed SEC 1 point written
    /// into `out` (65 or 97 bytes).
    fn ecc_mul(&mut self, curve: EccCurve, k: &[u8], x: &[u8], y: &[u8], out: &mut [u8]) -> Result<(), EngineError> {
        let l = curve.len();
        let (mut px, mut py) = ([0u8; 48], [0u8; 48]);
        px[..l].copy_from_slice(x);
        py[..l].copy_from_slice(y);
        self.ecc.point_mul(curve, k, &mut px[..l], &mut py[..l])?;
        out[0] = 4;
        out[1..=l].copy_from_slice(&px[..l]);
        out[1 + l..=2 * l].copy_from_slice(&py[..l]);
        Ok(())
    }

    /// MGF1 (RFC 8017 Appendix B.2.1) with the engine's hash: `mask` ^= MGF1(seed, mask.len()).
    fn mgf1_xor(&mut self, mode: ShaMode, seed: &[u8], mask: &mut [u8]) {
        let mut t = [0u8; 64];
        for (counter, chunk) in mask.chunks_mut(mode.digest_len()).enumerate() {
            let c = (counter as u32).to_be_bytes();
            self.digest(mode, &[seed, &c], &mut t);
            chunk.iter_mut().zip(t.iter()).for_each(|(m, t)| *m ^= t);
        }
    }

    /// RSAVP1 (RFC 8017 §5.2.2) on the big-number engine, after the length
    /// check of §8.1.2 / §8.2.2 step 1: the message representative as
    /// `n.len()` bytes.
    fn rsavp1(&mut self, n: &[u8], e: &[u8], sig: &[u8], m: &mut [u8; 512]) -> Result<usize, SignatureError> {
        let k = n.len();
        if sig.len() != k {
            return Err(SignatureError::BadSignature);
        }
        if k > 512 {
            return Err(SignatureError::UnsupportedKey("RSA modulus longer than the engine's 4096 bits"));
        }
        // §5.2.2 step 1: s must be below n.
        if sig >= n {
            return Err(SignatureError::BadSignature);
        }
        match self.bignum.mod_exp(sig, e, n, &mut m[..k]) {
            Ok(()) => Ok(k),
            Err(EngineError::OperandTooLarge) => {
                Err(SignatureError::UnsupportedKey("RSA modulus longer than the engine's operands"))
            }
            Err(_) => Err(SignatureError::MalformedKey),
        }
    }

    /// RSASSA-PKCS1-v1_5-VERIFY (RFC 8017 §8.2.2): s^e mod n compared, in
    /// constant time, with EMSA-PKCS1-v1_5-ENCODE(M) (§9.2).
    fn rsa_pkcs1(&mut self, n: &[u8], e: &[u8], h: SigHash, msg: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        // DigestInfo prefixes (RFC 8017 §9.2, note 1).
        let prefix: &[u8; 19] = match h {
            SigHash::Sha256 => b"\x30\x31\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00\x04\x20",
            SigHash::Sha384 => b"\x30\x41\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x02\x05\x00\x04\x30",
            SigHash::Sha512 => b"\x30\x51\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x03\x05\x00\x04\x40",
        };
        let mut m = [0u8; 512];
        let k = self.rsavp1(n, e, sig, &mut m)?;
        let mode = ShaMode::of(h);
        let mut digest = [0u8; 64];
        let hlen = self.digest(mode, &[msg], &mut digest);
        let t_len = prefix.len() + hlen;
        // §9.2 step 3: emLen < tLen + 11 is "intended encoded message length too short".
        if k < t_len + 11 {
            return Err(SignatureError::BadSignature);
        }
        // §9.2 steps 4-5: EM = 0x00 || 0x01 || PS (0xff..) || 0x00 || T.
        let mut em = [0u8; 512];
        em[1] = 1;
        em[2..k - t_len - 1].fill(0xff);
        em[k - t_len..k - hlen].copy_from_slice(prefix);
        em[k - hlen..k].copy_from_slice(&digest[..hlen]);
        if bool::from(em[..k].ct_eq(&m[..k])) {
            Ok(())
        } else {
            Err(SignatureError::BadSignature)
        }
    }

    /// RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) with EMSA-PSS-VERIFY (§9.1.2),
    /// MGF1 of the same hash and a salt of the hash's length (the TLS
    /// rsa_pss_rsae schemes, RFC 8446 §4.2.3).
    fn rsa_pss(&mut self, n: &[u8], e: &[u8], h: SigHash, msg: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        let bad = Err(SignatureError::BadSignature);
        let mut m = [0u8; 512];
        let k = self.rsavp1(n, e, sig, &mut m)?;
        // §8.1.2 step 2c: emBits = modBits - 1, emLen = ceil(emBits / 8); when
        // emLen < k the leading byte of m must be zero (I2OSP).
        let mod_bits = k * 8 - n[0].leading_zeros() as usize;
        let em_bits = mod_bits - 1;
        let em_len = em_bits.div_ceil(8);
        if em_len < k && m[0] != 0 {
            return bad;
        }
        let em = &mut m[k - em_len..k];
        let mode = ShaMode::of(h);
        let mut m_hash = [0u8; 64];
        // §9.1.2 step 2: mHash = Hash(M).
        let h_len = self.digest(mode, &[msg], &mut m_hash);
        let s_len = h_len;
        // Step 3.
        if em_len < h_len + s_len + 2 {
            return bad;
        }
        // Step 4: the rightmost octet must be 0xbc.
        if em[em_len - 1] != 0xbc {
            return bad;
        }
        // Step 5: maskedDB || H || 0xbc.
        let (masked_db, rest) = em.split_at_mut(em_len - h_len - 1);
        let hash = &rest[..h_len];
        // Step 6: the leftmost 8 emLen - emBits bits of maskedDB must be zero.
        let top_bits = 8 * em_len - em_bits;
        let top_mask = 0xffu8 >> top_bits;
        if masked_db[0] & !top_mask != 0 {
            return bad;
        }
        // Steps 7-8: DB = maskedDB xor MGF(H, emLen - hLen - 1).
        let mut hash_copy = [0u8; 64];
        hash_copy[..h_len].copy_from_slice(hash);
        self.mgf1_xor(mode, &hash_copy[..h_len], masked_db);
        let db = masked_db;
        // Step 9.
        db[0] &= top_mask;
        // Step 10: PS zeros, then 0x01.
        let ps_len = em_len - h_len - s_len - 2;
        if db[..ps_len].iter().any(|&b| b != 0) || db[ps_len] != 1 {
            return bad;
        }
        // Steps 11-13: H' = Hash(0x00 * 8 || mHash || salt).
        let salt = &db[db.len() - s_len..];
        let mut h2 = [0u8; 64];
        self.digest(mode, &[&[0u8; 8], &m_hash[..h_len], salt], &mut h2);
        // Step 14.
        if bool::from(h2[..h_len].ct_eq(&hash_copy[..h_len])) {
            Ok(())
        } else {
            bad
        }
    }

    /// ECDSA verification (SEC 1 v2 §4.1.4, FIPS 186-4 §6.4.2) with both
    /// scalar multiplications on the ECC engine and the point addition in
    /// software.
    fn ecdsa<C>(&mut self, curve: EccCurve, q: &[u8], h: SigHash, msg: &[u8], sig: &[u8]) -> Result<(), SignatureError>
    where
        C: CurveArithmetic,
        C::Scalar: Reduce<FieldBytes<C>>,
        AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
        FieldBytesSize<C>: ModulusSize,
    {
        let l = curve.len();
        let bad = SignatureError::BadSignature;
        // The public key is checked in software (on the curve) before the engine sees it.
        let q = AffinePoint::<C>::from_sec1_bytes(q).map_err(|_| SignatureError::MalformedKey)?.to_sec1_point(false);
        // Step 1: r and s in [1, n-1].
        let (r_bytes, s_bytes) = der_integer_pair(sig).ok_or(bad)?;
        let scalar = |b: &[u8]| -> Option<C::Scalar> {
            let fb = left_pad(b, l)?;
            let s = Option::<C::Scalar>::from(C::Scalar::from_repr(field_bytes::<C>(&fb[..l]).ok()?))?;
            (!bool::from(s.is_zero())).then_some(s)
        };
        let r = scalar(r_bytes).ok_or(bad)?;
        let s = scalar(s_bytes).ok_or(bad)?;
        // Steps 2-3 (SEC 1 §4.1.3 step 5): e = the leftmost bits of the hash, as many as n has, mod n.
        let mut digest = [0u8; 64];
        let d_len = self.digest(ShaMode::of(h), &[msg], &mut digest);
        let mut e_bytes = [0u8; 48];
        if d_len >= l {
            e_bytes[..l].copy_from_slice(&digest[..l]);
        } else {
            e_bytes[l - d_len..l].copy_from_slice(&digest[..d_len]);
        }
        let e = <C::Scalar as Reduce<FieldBytes<C>>>::reduce(&field_bytes::<C>(&e_bytes[..l]).map_err(|_| bad)?);
        // Step 4: u1 = e s^-1, u2 = r s^-1.
        let w = Option::<C::Scalar>::from(s.invert()).ok_or(bad)?;
        let u1 = e * w;
        let u2 = r * w;
        // Step 5: R = u1 G + u2 Q, each product on the engine.
        let g = ProjectivePoint::<C>::generator().to_affine().to_sec1_point(false);
        let mut product = |k: C::Scalar, p: &Sec1Point<C>| -> Result<ProjectivePoint<C>, SignatureError> {
            if bool::from(k.is_zero()) {
                return Ok(ProjectivePoint::<C>::identity());
            }
            let (Some(x), Some(y)) = (p.x(), p.y()) else { return Err(SignatureError::MalformedKey) };
            let mut out = [0u8; 97];
            self.ecc_mul(curve, &k.to_repr(), x, y, &mut out[..1 + 2 * l]).map_err(|_| bad)?;
            let a = affine::<C>(&out[1..=l], &out[1 + l..=2 * l]).ok_or(bad)?;
            Ok(ProjectivePoint::<C>::from(a))
        };
        let sum = (product(u1, &g)? + product(u2, &q)?).to_affine().to_sec1_point(false);
        // Step 6: R = O is invalid.
        let Some(x) = sum.x() else { return Err(bad) };
        // Steps 7-8: v = x_R mod n; valid if v = r.
        let v = <C::Scalar as Reduce<FieldBytes<C>>>::reduce(x);
        if v == r {
            Ok(())
        } else {
            Err(bad)
        }
    }
}

/// The two INTEGERs of a DER SEQUENCE { INTEGER, INTEGER }, big-endian
/// without sign bytes: an ECDSA signature's r and s (RFC 3279 §2.2.3) or an
/// RSAPublicKey's n and e (RFC 8017 Appendix A.1.1). `None` if malformed or
/// followed by other bytes.
fn der_integer_pair(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let seq = AnyRef::from_der(der).ok()?;
    if seq.tag() != Tag::Sequence {
        return None;
    }
    let mut rd = SliceReader::new(seq.value()).ok()?;
    let a: UintRef<'_> = rd.decode().ok()?;
    let b: UintRef<'_> = rd.decode().ok()?;
    rd.is_finished().then_some((a.as_bytes(), b.as_bytes()))
}

impl CryptoProvider for AccelProvider<'_> {
    type Hash = AccelHash;

    fn hash_start(&mut self, alg: HashAlg) -> AccelHash {
        AccelHash::new(match alg {
            HashAlg::Sha256 => ShaMode::Sha256,
            HashAlg::Sha384 => ShaMode::Sha384,
        })
    }

    fn hash_update(&mut self, hash: &mut AccelHash, data: &[u8]) {
        hash.update(self.sha, data)
    }

    fn hash_finish(&mut self, hash: AccelHash) -> Digest {
        let mut out = [0u8; 64];
        let n = hash.finish(self.sha, &mut out);
        Digest::from_slice(&out[..n])
    }

    type AeadKey = AccelAead;

    fn aead_key(&mut self, alg: AeadAlg, key: &[u8]) -> AccelAead {
        match alg {
            AeadAlg::Aes128Gcm | AeadAlg::Aes256Gcm => {
                let key_len = alg.key_len();
                let mut k = Zeroizing::new([0u8; 32]);
                let n = key.len().min(key_len);
                k[..n].copy_from_slice(&key[..n]);
                // GCM's hash subkey H = E_K(0^128) (NIST SP 800-38D §7.1 step 1).
                let mut h = Zeroizing::new([0u8; 16]);
                self.aes.load_key(&k[..key_len]).expect("16- or 32-byte key");
                self.aes.encrypt_block(&mut h).expect("key loaded");
                self.aes.clear_key();
                AccelAead::AesGcm { key: k, key_len, h }
            }
            AeadAlg::Chacha20Poly1305 => AccelAead::Software(Box::new(RustCrypto.aead_key(alg, key))),
        }
    }

    /// GCM-AE (NIST SP 800-38D §7.1) for AES-GCM.
    fn aead_seal(
        &mut self,
        key: &AccelAead,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN], AeadError> {
        match key {
            AccelAead::AesGcm { key, key_len, h } => {
                if buf.len() as u64 > GCM_MAX_LEN {
                    return Err(AeadError);
                }
                self.aes.load_key(&key[..*key_len]).map_err(|_| AeadError)?;
                let mut icb = [0u8; 16];
                icb[..12].copy_from_slice(nonce);
                icb[15] = 1;
                // Step 3: C = GCTR_K(inc32(J0), P).
                inc32(&mut icb);
                gctr(self.aes, &icb, buf);
                let s = gcm_s(h, aad, buf);
                let (tag, _) = gcm_tag(self.aes, nonce, s);
                self.aes.clear_key();
                Ok(tag)
            }
            AccelAead::Software(k) => RustCrypto.aead_seal(k, nonce, aad, buf),
        }
    }

    /// GCM-AD (NIST SP 800-38D §7.2) for AES-GCM: the tag is checked (in
    /// constant time) before anything is decrypted.
    fn aead_open(
        &mut self,
        key: &AccelAead,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), AeadError> {
        match key {
            AccelAead::AesGcm { key, key_len, h } => {
                if buf.len() as u64 > GCM_MAX_LEN {
                    return Err(AeadError);
                }
                self.aes.load_key(&key[..*key_len]).map_err(|_| AeadError)?;
                let s = gcm_s(h, aad, buf);
                let (expected, mut icb) = gcm_tag(self.aes, nonce, s);
                if !bool::from(expected.ct_eq(tag)) {
                    self.aes.clear_key();
                    return Err(AeadError);
                }
                inc32(&mut icb);
                gctr(self.aes, &icb, buf);
                self.aes.clear_key();
                Ok(())
            }
            AccelAead::Software(k) => RustCrypto.aead_open(k, nonce, aad, buf, tag),
        }
    }

    type KxPrivate = AccelKx;

    /// P-256 and P-384: the scalar's range checked in software, the public
    /// key k × G on the ECC engine.
    fn kx_from_private(
        &mut self,
        group: NamedGroup,
        private: &[u8],
        public: &mut [u8; MAX_PUBLIC_KEY_LEN],
    ) -> Option<(AccelKx, usize)> {
        match group {
            NamedGroup::X25519 => {
                RustCrypto.kx_from_private(group, private, public).map(|(k, n)| (AccelKx::Software(k), n))
            }
            NamedGroup::Secp256r1 => {
                // [1, n-1] (SEC 1 §3.2.1).
                p256::SecretKey::from_slice(private).ok()?;
                let g = p256::AffinePoint::GENERATOR.to_sec1_point(false);
                let (x, y) = (g.x()?, g.y()?);
                self.ecc_mul(EccCurve::P256, private, x, y, &mut public[..65]).ok()?;
                let mut k = Zeroizing::new([0u8; 32]);
                k.copy_from_slice(private);
                Some((AccelKx::P256(k), 65))
            }
            NamedGroup::Secp384r1 => {
                p384::SecretKey::from_slice(private).ok()?;
                let g = p384::AffinePoint::GENERATOR.to_sec1_point(false);
                let (x, y) = (g.x()?, g.y()?);
                self.ecc_mul(EccCurve::P384, private, x, y, &mut public[..97]).ok()?;
                let mut k = Zeroizing::new([0u8; 48]);
                k.copy_from_slice(private);
                Some((AccelKx::P384(k), 97))
            }
            _ => None,
        }
    }

    /// ECDH (SEC 1 §3.3.1): the peer's point validated in software (SEC 1
    /// §3.2.2.1: on the curve; uncompressed only, RFC 8446 §4.2.8.2), then
    /// k × peer on the ECC engine; the shared secret is its x-coordinate.
    fn kx_agree(
        &mut self,
        group: NamedGroup,
        private: &AccelKx,
        peer: &[u8],
        out: &mut [u8; MAX_SHARED_SECRET_LEN],
    ) -> Option<usize> {
        let (curve, k): (EccCurve, &[u8]) = match private {
            AccelKx::Software(k) => return RustCrypto.kx_agree(group, k, peer, out),
            AccelKx::P256(k) => (EccCurve::P256, &k[..]),
            AccelKx::P384(k) => (EccCurve::P384, &k[..]),
        };
        let l = curve.len();
        if peer.len() != 1 + 2 * l || peer[0] != 4 {
            return None;
        }
        let on_curve = match curve {
            EccCurve::P256 => p256::PublicKey::from_sec1_bytes(peer).is_ok(),
            EccCurve::P384 => p384::PublicKey::from_sec1_bytes(peer).is_ok(),
        };
        if !on_curve {
            return None;
        }
        let mut point = Zeroizing::new([0u8; 97]);
        self.ecc_mul(curve, k, &peer[1..=l], &peer[1 + l..], &mut point[..1 + 2 * l]).ok()?;
        out[..l].copy_from_slice(&point[1..=l]);
        Some(l)
    }

    fn verify_signature(&mut self, key: &PeerKey, alg: SigAlg, msg: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        match (key, alg) {
            (PeerKey::P256(q), SigAlg::Ecdsa(h)) => self.ecdsa::<p256::NistP256>(EccCurve::P256, q, h, msg, sig),
            (PeerKey::P384(q), SigAlg::Ecdsa(h)) => self.ecdsa::<p384::NistP384>(EccCurve::P384, q, h, msg, sig),
            #[cfg(feature = "alloc")]
            (PeerKey::Rsa { der, .. }, SigAlg::RsaPkcs1(h) | SigAlg::RsaPss(h)) => {
                let (n, e) = der_integer_pair(der).ok_or(SignatureError::MalformedKey)?;
                if n.is_empty() || e.is_empty() {
                    return Err(SignatureError::MalformedKey);
                }
                match alg {
                    SigAlg::RsaPss(_) => self.rsa_pss(n, e, h, msg, sig),
                    _ => self.rsa_pkcs1(n, e, h, msg, sig),
                }
            }
            _ => Err(SignatureError::WrongAlgorithmForKey),
        }
    }
}
