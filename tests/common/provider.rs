//! The crypto provider a test binary runs the engine with (issue 14 item 3).
//!
//! The provider-dependent suite (RFC 8448 traces, real peers, bad input,
//! client authentication, PSK, resumption, ...) runs once per provider, as
//! rustls runs its suite: the test binary `suite` (tests/suite/) with the
//! default provider, and `suite_ring` (tests/suite_ring.rs) compiles the same
//! modules again with ring; `x509_ring` does the same for tests/x509/. The choice is
//! made here, at compile time, from the name of the binary being built, so a
//! test file names only [`TestProvider`] and never which provider that is.
//! (Also included by lib tests, where `embertls` is the crate itself.)
#![allow(dead_code)] // each test binary uses a different part of this module

use embertls::provider::{CryptoProvider, RustCrypto};
use embertls::{ClientConfig, ConnectOptions, ServerName};

/// The test binary that runs the suites with ring.
pub const RING_RUNNER: &str = "suite_ring";

/// The test binary that runs the X.509 verifier's tests with ring.
pub const X509_RING_RUNNER: &str = "x509_ring";

/// Whether this binary is [`RING_RUNNER`] or [`X509_RING_RUNNER`].
pub const WITH_RING: bool = cfg!(feature = "ring")
    && (same(env!("CARGO_CRATE_NAME"), RING_RUNNER) || same(env!("CARGO_CRATE_NAME"), X509_RING_RUNNER));

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// This binary's provider as the `client` example's `--provider` names it.
pub const NAME: &str = if WITH_RING { "ring" } else { "rustcrypto" };

/// The providers of one run.
pub trait Run {
    /// What the engine runs with.
    type Test: CryptoProvider + Default;
    /// The same, able to import RFC 8448's fixed private keys.
    type Trace: CryptoProvider + Default;
}

/// The run chosen by `RING`.
pub struct Runs<const RING: bool>;

impl Run for Runs<false> {
    type Test = RustCrypto;
    type Trace = RustCrypto;
}

#[cfg(feature = "ring")]
impl Run for Runs<true> {
    type Test = embertls::provider::Ring;
    type Trace = ring_trace::RingTrace;
}

/// The provider of this test binary: ring in [`RING_RUNNER`], RustCrypto elsewhere.
pub type TestProvider = <Runs<{ WITH_RING }> as Run>::Test;

/// [`TestProvider`] for RFC 8448's traces: with ring, [`ring_trace::RingTrace`].
pub type TraceProvider = <Runs<{ WITH_RING }> as Run>::Trace;

/// A [`TestProvider`].
pub fn provider() -> TestProvider {
    TestProvider::default()
}

/// A [`TraceProvider`].
pub fn trace_provider() -> TraceProvider {
    TraceProvider::default()
}

/// A certificate verifier run as the engine runs it: its signature checks
/// through this binary's provider (`ServerVerifier::verify_server_with`).
/// The X.509 tests call this, never `verify_server` (which checks with
/// RustCrypto whatever the binary), so `x509_ring` checks with ring.
pub trait VerifyWithTestProvider {
    /// `verify_server_with(chain, name, now, &mut provider())`.
    fn verify_with_test_provider(
        &self,
        chain: &embertls::CertificateChain<'_>,
        name: &ServerName<'_>,
        now: Option<embertls::UnixTime>,
    ) -> Result<embertls::Trust, embertls::CertError>;
}

impl<V: embertls::ServerVerifier + ?Sized> VerifyWithTestProvider for V {
    fn verify_with_test_provider(
        &self,
        chain: &embertls::CertificateChain<'_>,
        name: &ServerName<'_>,
        now: Option<embertls::UnixTime>,
    ) -> Result<embertls::Trust, embertls::CertError> {
        self.verify_server_with(chain, name, now, &mut provider())
    }
}

/// The `mod` lines of a test crate root (`include_str!` of it), `#[path]`s
/// folded in, without `skip`: the module names, sorted. A ring twin
/// (`suite_ring`, `x509_ring`) compares its list with its original's.
pub fn root_modules(root: &str, skip: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = root
        .lines()
        .filter_map(|l| l.strip_prefix("mod ")?.strip_suffix(';'))
        .filter(|m| !skip.contains(m))
        .map(str::to_string)
        .collect();
    names.sort();
    names
}

/// The checks of a ring twin: its module list (`ours`, its crate root's
/// text) equals its original's and the files of `folder` (under the
/// package, `main.rs` aside); returns that list.
pub fn assert_twin(ours: &str, original: &str, folder: &str, skip: &[&str]) -> Vec<String> {
    let ours = root_modules(ours, skip);
    assert_eq!(ours, root_modules(original, skip), "the twin's modules against {folder}/main.rs");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|f| Some(f.strip_suffix(".rs")?.to_string()))
        .filter(|f| f != "main")
        .collect();
    files.sort();
    assert_eq!(ours, files, "the files of {folder}/");
    ours
}

/// The lines of the files in `folder` (under the package) that `bad`
/// matches, as `path:line: text`.
pub fn lines_matching(folder: &str, bad: impl Fn(&str) -> bool) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        for (i, line) in std::fs::read_to_string(&path).unwrap().lines().enumerate() {
            if bad(line) {
                found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
            }
        }
    }
    found
}

/// `ConnectOptions::new(config, name)` with this binary's provider.
pub fn options<'a>(config: &'a ClientConfig<'a>, name: ServerName<'a>) -> ConnectOptions<'a, TestProvider> {
    ConnectOptions::new(config, name).with_provider(provider())
}

#[cfg(feature = "ring")]
pub mod ring_trace {
    use embertls::provider::{AeadAlg, AeadError, CryptoProvider, Digest, HashAlg, NamedGroup, PeerKey, SigAlg};
    use embertls::provider::{Ring, RingAead, RingHash, RingKx, RustCrypto, RustCryptoKx, SignatureError};
    use embertls::provider::{MAX_HASH_LEN, MAX_PUBLIC_KEY_LEN, MAX_SHARED_SECRET_LEN, TAG_LEN};

    /// ring for everything RFC 8448's traces check byte for byte (hashes,
    /// HMAC, HKDF, AEAD) and for fresh key shares, and RustCrypto for the two
    /// things the traces need that ring cannot do: importing their fixed
    /// private keys, and (unless `ring_rsa_only`) verifying their RSA-1024
    /// server signature (ring's floor is 2048 bits).
    #[derive(Clone, Copy, Debug, Default)]
    pub struct RingTrace {
        /// Verify RSA keys under 2048 bits with ring too (that is, refuse them).
        pub ring_rsa_only: bool,
    }

    /// A fresh ring key, or an imported one.
    pub enum TraceKx {
        /// Made by ring.
        Ring(RingKx),
        /// Imported with RustCrypto.
        Imported(RustCryptoKx),
    }

    impl CryptoProvider for RingTrace {
        type Hash = RingHash;
        fn hash_start(&mut self, alg: HashAlg) -> RingHash {
            Ring.hash_start(alg)
        }
        fn hash_update(&mut self, hash: &mut RingHash, data: &[u8]) {
            Ring.hash_update(hash, data)
        }
        fn hash_finish(&mut self, hash: RingHash) -> Digest {
            Ring.hash_finish(hash)
        }
        fn hmac(&mut self, alg: HashAlg, key: &[u8], parts: &[&[u8]], out: &mut [u8; MAX_HASH_LEN]) -> usize {
            Ring.hmac(alg, key, parts, out)
        }
        fn hkdf_expand(&mut self, alg: HashAlg, prk: &[u8], info: &[&[u8]], out: &mut [u8]) {
            Ring.hkdf_expand(alg, prk, info, out)
        }
        fn hkdf_expand_each(&mut self, alg: HashAlg, prk: &[u8], outputs: &mut [(&[&[u8]], &mut [u8])]) {
            Ring.hkdf_expand_each(alg, prk, outputs)
        }

        type AeadKey = RingAead;
        fn aead_key(&mut self, alg: AeadAlg, key: &[u8]) -> RingAead {
            Ring.aead_key(alg, key)
        }
        fn aead_seal(
            &mut self,
            key: &RingAead,
            nonce: &[u8; 12],
            aad: &[u8],
            buf: &mut [u8],
        ) -> Result<[u8; TAG_LEN], AeadError> {
            Ring.aead_seal(key, nonce, aad, buf)
        }
        fn aead_open(
            &mut self,
            key: &RingAead,
            nonce: &[u8; 12],
            aad: &[u8],
            buf: &mut [u8],
            tag: &[u8; TAG_LEN],
        ) -> Result<(), AeadError> {
            Ring.aead_open(key, nonce, aad, buf, tag)
        }

        type KxPrivate = TraceKx;
        fn kx_from_private(
            &mut self,
            group: NamedGroup,
            private: &[u8],
            public: &mut [u8; MAX_PUBLIC_KEY_LEN],
        ) -> Option<(TraceKx, usize)> {
            RustCrypto.kx_from_private(group, private, public).map(|(k, n)| (TraceKx::Imported(k), n))
        }
        fn kx_generate<R: rand_core::CryptoRng + ?Sized>(
            &mut self,
            group: NamedGroup,
            rng: &mut R,
            public: &mut [u8; MAX_PUBLIC_KEY_LEN],
        ) -> Result<(TraceKx, usize), embertls::Error> {
            Ring.kx_generate(group, rng, public).map(|(k, n)| (TraceKx::Ring(k), n))
        }
        fn kx_agree(
            &mut self,
            group: NamedGroup,
            private: &TraceKx,
            peer: &[u8],
            out: &mut [u8; MAX_SHARED_SECRET_LEN],
        ) -> Option<usize> {
            match private {
                TraceKx::Ring(k) => Ring.kx_agree(group, k, peer, out),
                TraceKx::Imported(k) => RustCrypto.kx_agree(group, k, peer, out),
            }
        }

        fn verify_signature(
            &mut self,
            key: &PeerKey,
            alg: SigAlg,
            msg: &[u8],
            sig: &[u8],
        ) -> Result<(), SignatureError> {
            match key.rsa_bits() {
                Some(bits) if bits < 2048 && !self.ring_rsa_only => RustCrypto.verify_signature(key, alg, msg, sig),
                _ => Ring.verify_signature(key, alg, msg, sig),
            }
        }
    }
}
