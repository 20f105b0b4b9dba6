//! A provider that counts the public-key operations it is asked for and
//! hands every call to another provider (issue 14 item 5).

use std::cell::Cell;
use std::rc::Rc;

use embertls::provider::{
    AeadAlg, AeadError, CryptoProvider, Digest, HashAlg, NamedGroup, PeerKey, SigAlg, SignatureError, MAX_HASH_LEN,
    MAX_PUBLIC_KEY_LEN, MAX_SHARED_SECRET_LEN, TAG_LEN,
};

/// Public-key operations of one connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ops {
    /// Ephemeral key pairs made (key shares).
    pub keygen: u32,
    /// (EC)DHE agreements.
    pub agree: u32,
    /// Signatures verified (CertificateVerify / ServerKeyExchange and certificates).
    pub verify: u32,
}

/// `inner` with every key generation, agreement and verification counted
/// into `ops` (shared, so the test reads it while the client owns the provider).
pub struct Counting<P> {
    pub inner: P,
    pub ops: Rc<Cell<Ops>>,
    /// HMAC computations, apart from `ops` (symmetric work).
    pub hmacs: Rc<Cell<u32>>,
    /// Hashes started, per algorithm (SHA-256, SHA-384).
    pub hashes: Rc<Cell<[u32; 2]>>,
}

impl<P> Counting<P> {
    pub fn new(inner: P) -> (Self, Rc<Cell<Ops>>) {
        let ops = Rc::new(Cell::new(Ops::default()));
        (Counting { inner, ops: ops.clone(), hmacs: Rc::default(), hashes: Rc::default() }, ops)
    }

    fn count(&self, f: impl FnOnce(&mut Ops)) {
        let mut o = self.ops.get();
        f(&mut o);
        self.ops.set(o);
    }
}

impl<P: CryptoProvider> CryptoProvider for Counting<P> {
    type Hash = P::Hash;
    fn hash_start(&mut self, alg: HashAlg) -> P::Hash {
        let mut n = self.hashes.get();
        n[usize::from(alg == HashAlg::Sha384)] += 1;
        self.hashes.set(n);
        self.inner.hash_start(alg)
    }
    fn hash_update(&mut self, hash: &mut P::Hash, data: &[u8]) {
        self.inner.hash_update(hash, data)
    }
    fn hash_finish(&mut self, hash: P::Hash) -> Digest {
        self.inner.hash_finish(hash)
    }
    fn hmac(&mut self, alg: HashAlg, key: &[u8], parts: &[&[u8]], out: &mut [u8; MAX_HASH_LEN]) -> usize {
        self.hmacs.set(self.hmacs.get() + 1);
        self.inner.hmac(alg, key, parts, out)
    }
    fn hkdf_expand(&mut self, alg: HashAlg, prk: &[u8], info: &[&[u8]], out: &mut [u8]) {
        self.inner.hkdf_expand(alg, prk, info, out)
    }
    fn hkdf_expand_each(&mut self, alg: HashAlg, prk: &[u8], outputs: &mut [(&[&[u8]], &mut [u8])]) {
        self.inner.hkdf_expand_each(alg, prk, outputs)
    }

    type AeadKey = P::AeadKey;
    fn aead_key(&mut self, alg: AeadAlg, key: &[u8]) -> P::AeadKey {
        self.inner.aead_key(alg, key)
    }
    fn aead_seal(
        &mut self,
        key: &P::AeadKey,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN], AeadError> {
        self.inner.aead_seal(key, nonce, aad, buf)
    }
    fn aead_open(
        &mut self,
        key: &P::AeadKey,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), AeadError> {
        self.inner.aead_open(key, nonce, aad, buf, tag)
    }

    type KxPrivate = P::KxPrivate;
    fn kx_from_private(
        &mut self,
        group: NamedGroup,
        private: &[u8],
        public: &mut [u8; MAX_PUBLIC_KEY_LEN],
    ) -> Option<(P::KxPrivate, usize)> {
        self.inner.kx_from_private(group, private, public)
    }
    fn kx_generate<R: rand_core::CryptoRng + ?Sized>(
        &mut self,
        group: NamedGroup,
        rng: &mut R,
        public: &mut [u8; MAX_PUBLIC_KEY_LEN],
    ) -> Result<(P::KxPrivate, usize), embertls::Error> {
        self.count(|o| o.keygen += 1);
        self.inner.kx_generate(group, rng, public)
    }
    fn kx_agree(
        &mut self,
        group: NamedGroup,
        private: &P::KxPrivate,
        peer: &[u8],
        out: &mut [u8; MAX_SHARED_SECRET_LEN],
    ) -> Option<usize> {
        self.count(|o| o.agree += 1);
        self.inner.kx_agree(group, private, peer, out)
    }

    fn verify_signature(&mut self, key: &PeerKey, alg: SigAlg, msg: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        self.count(|o| o.verify += 1);
        CryptoProvider::verify_signature(&mut self.inner, key, alg, msg, sig)
    }
}
