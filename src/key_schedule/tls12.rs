//! The TLS 1.2 key schedule: the PRF (RFC 5246 §5) with the suite's hash
//! (SHA-256 or SHA-384), the master secret (RFC 5246 §8.1, extended: RFC 7627),
//! the key block (§6.3), Finished (§7.4.9) and PSK pre-master secrets (RFC 4279, RFC 5489).

use zeroize::Zeroize;

use crate::crypto::{CryptoProvider, HashAlg};

/// Fills `out` with PRF(secret, label, seed) (RFC 5246 §5), the
/// provider's [`CryptoProvider::tls12_prf`].
pub fn prf<P: CryptoProvider>(p: &mut P, alg: HashAlg, secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
    p.tls12_prf(alg, secret, label, seed, out)
}

/// Bytes of a TLS 1.2 master secret (RFC 5246 §8.1).
pub const MASTER_SECRET_LEN: usize = 48;
/// Bytes of a TLS 1.2 Finished verify_data (RFC 5246 §7.4.9).
pub const VERIFY_DATA_LEN: usize = 12;

/// The TLS 1.2 master secret (RFC 5246 §8.1), zeroized on drop.
#[derive(Clone)]
pub struct MasterSecret12 {
    alg: HashAlg,
    secret: [u8; MASTER_SECRET_LEN],
}

impl Drop for MasterSecret12 {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

impl MasterSecret12 {
    /// master_secret = PRF(pre_master_secret, "extended master secret",
    /// session_hash) with RFC 7627 §4, else PRF(pre_master_secret, "master
    /// secret", client_random || server_random) (RFC 5246 §8.1).
    pub fn derive<P: CryptoProvider>(
        p: &mut P,
        alg: HashAlg,
        pre_master: &[u8],
        ems_session_hash: Option<&[u8]>,
        randoms: &[u8; 64],
    ) -> Self {
        let mut secret = [0u8; MASTER_SECRET_LEN];
        match ems_session_hash {
            Some(h) => prf(p, alg, pre_master, b"extended master secret", h, &mut secret),
            None => prf(p, alg, pre_master, b"master secret", randoms, &mut secret),
        }
        MasterSecret12 { alg, secret }
    }

    /// A master secret kept from an earlier session (resumption).
    pub fn from_bytes(alg: HashAlg, bytes: &[u8]) -> Option<Self> {
        let secret = bytes.try_into().ok()?;
        Some(MasterSecret12 { alg, secret })
    }

    /// The secret bytes (to store a session for resumption).
    pub fn as_bytes(&self) -> &[u8] {
        &self.secret
    }

    /// The key block (RFC 5246 §6.3): PRF(master_secret, "key expansion",
    /// server_random || client_random), split into the client and server
    /// write keys and IVs of `key_len` and `iv_len` bytes each.
    pub fn key_block<P: CryptoProvider>(
        &self,
        p: &mut P,
        server_client_randoms: &[u8; 64],
        key_len: usize,
        iv_len: usize,
    ) -> KeyBlock {
        let mut kb = KeyBlock { buf: [0u8; 2 * (32 + 12)], key_len, iv_len };
        let n = 2 * (key_len + iv_len);
        prf(p, self.alg, &self.secret, b"key expansion", server_client_randoms, &mut kb.buf[..n]);
        kb
    }

    /// Finished verify_data = PRF(master_secret, finished_label,
    /// Hash(handshake_messages))[0..11] (RFC 5246 §7.4.9).
    pub fn verify_data<P: CryptoProvider>(
        &self,
        p: &mut P,
        server: bool,
        transcript_hash: &[u8],
    ) -> [u8; VERIFY_DATA_LEN] {
        let label: &[u8] = if server { b"server finished" } else { b"client finished" };
        let mut out = [0u8; VERIFY_DATA_LEN];
        prf(p, self.alg, &self.secret, label, transcript_hash, &mut out);
        out
    }

    /// Keying material exporter (RFC 5705 §4, with RFC 7627 §5.4's session hash
    /// carried in the master secret): PRF(master_secret, label,
    /// client_random || server_random [|| context_len || context]).
    pub fn export<P: CryptoProvider>(
        &self,
        p: &mut P,
        randoms: &[u8; 64],
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) {
        let mut seed = [0u8; 64 + 2 + 255];
        seed[..64].copy_from_slice(randoms);
        let n = match context {
            Some(c) => {
                let c = &c[..c.len().min(255)];
                seed[64..66].copy_from_slice(&(c.len() as u16).to_be_bytes());
                seed[66..66 + c.len()].copy_from_slice(c);
                66 + c.len()
            }
            None => 64,
        };
        prf(p, self.alg, &self.secret, label, &seed[..n], out);
    }
}

/// The client and server write keys and IVs (RFC 5246 §6.3), zeroized on drop.
pub struct KeyBlock {
    buf: [u8; 2 * (32 + 12)],
    key_len: usize,
    iv_len: usize,
}

impl Drop for KeyBlock {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

impl KeyBlock {
    /// client_write_key and client_write_IV.
    pub fn client(&self) -> (&[u8], &[u8]) {
        let (k, iv) = (self.key_len, self.iv_len);
        (&self.buf[..k], &self.buf[2 * k..2 * k + iv])
    }

    /// server_write_key and server_write_IV.
    pub fn server(&self) -> (&[u8], &[u8]) {
        let (k, iv) = (self.key_len, self.iv_len);
        (&self.buf[k..2 * k], &self.buf[2 * k + iv..2 * k + 2 * iv])
    }
}

/// The pre-master secret of a PSK key exchange: with `other` the (EC)DHE
/// secret for ECDHE_PSK (RFC 5489 §2), or `None` for plain PSK, where it is
/// as many zero bytes as the PSK (RFC 4279 §2): uint16 len(other) || other
/// || uint16 len(psk) || psk. Returns the length written into `out`.
pub fn psk_pre_master(psk: &[u8], other: Option<&[u8]>, out: &mut [u8; 2 * (2 + 64)]) -> usize {
    let zeros = [0u8; 64];
    let other = other.unwrap_or(&zeros[..psk.len().min(64)]);
    let (o, p) = (other.len().min(64), psk.len().min(64));
    out[..2].copy_from_slice(&(o as u16).to_be_bytes());
    out[2..2 + o].copy_from_slice(&other[..o]);
    out[2 + o..4 + o].copy_from_slice(&(p as u16).to_be_bytes());
    out[4 + o..4 + o + p].copy_from_slice(&psk[..p]);
    4 + o + p
}
