//! Key schedules: TLS 1.3 (RFC 8446 §7.1) here, as typestates, and the
//! TLS 1.2 PRF in [`tls12`]. TLS 1.3:
//! [`EarlySecret`] → [`HandshakeSecret`] → [`MasterSecret`].
//!
//! A stage can only be reached from the one before it, so a traffic secret
//! cannot be derived from the wrong stage. Every secret is zeroized on drop.

pub mod tls12;

use crate::crypto::{hkdf_extract, hmac, AeadAlg, CryptoProvider, Digest, HashAlg, Secret, MAX_HASH_LEN};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// HKDF-Expand-Label(Secret, Label, Context, Length) (RFC 8446 §7.1).
pub fn expand_label<P: CryptoProvider>(
    p: &mut P,
    alg: HashAlg,
    secret: &Secret,
    label: &[u8],
    context: &[u8],
    out: &mut [u8],
) {
    expand_labels(p, alg, secret, [(label, context, out)]);
}

/// HKDF-Expand-Label (RFC 8446 §7.1) of each `(label, context, out)` from
/// one secret, which the provider may key once for all of them
/// ([`CryptoProvider::hkdf_expand_each`]).
pub fn expand_labels<P: CryptoProvider, const N: usize>(
    p: &mut P,
    alg: HashAlg,
    secret: &Secret,
    labels: [(&[u8], &[u8], &mut [u8]); N],
) {
    let heads: [[u8; 4]; N] = core::array::from_fn(|i| {
        let (label, context, out) = &labels[i];
        let [hi, lo] = (out.len() as u16).to_be_bytes();
        [hi, lo, (6 + label.len()) as u8, context.len() as u8]
    });
    let infos: [[&[u8]; 6]; N] = core::array::from_fn(|i| {
        let h = &heads[i];
        [&h[..2], &h[2..3], b"tls13 ", labels[i].0, &h[3..], labels[i].1]
    });
    let mut infos = infos.iter();
    let mut outputs = labels.map(|(_, _, out)| (infos.next().map_or(&[][..], |i| &i[..]), out));
    p.hkdf_expand_each(alg, secret.as_bytes(), &mut outputs);
}

/// HKDF-Expand-Label into a secret of one hash length. A frame of its
/// own: inlined, the expansion's buffers would sit in every transition's
/// frame that derives a secret (issue 12).
#[inline(never)]
fn expand_secret<P: CryptoProvider>(p: &mut P, alg: HashAlg, secret: &Secret, label: &[u8], context: &[u8]) -> Secret {
    let mut buf = [0u8; MAX_HASH_LEN];
    let out = &mut buf[..alg.len()];
    expand_label(p, alg, secret, label, context, out);
    let s = Secret::from_slice(out);
    buf.zeroize();
    s
}

/// Derive-Secret(Secret, Label, Messages) with the transcript hash given (RFC 8446 §7.1).
pub fn derive_secret<P: CryptoProvider>(
    p: &mut P,
    alg: HashAlg,
    secret: &Secret,
    label: &[u8],
    transcript_hash: &Digest,
) -> Secret {
    expand_secret(p, alg, secret, label, transcript_hash.as_bytes())
}

fn derived_salt<P: CryptoProvider>(p: &mut P, alg: HashAlg, secret: &Secret) -> Secret {
    let empty = alg.empty_hash();
    derive_secret(p, alg, secret, b"derived", &empty)
}

/// Early Secret = HKDF-Extract(0, PSK or 0).
pub struct EarlySecret {
    alg: HashAlg,
    secret: Secret,
}

impl EarlySecret {
    /// The early secret from a PSK, or from zeros when there is none.
    pub fn new<P: CryptoProvider>(p: &mut P, alg: HashAlg, psk: Option<&[u8]>) -> Self {
        let zeros = [0u8; MAX_HASH_LEN];
        let ikm = psk.unwrap_or(&zeros[..alg.len()]);
        EarlySecret { alg, secret: hkdf_extract(p, alg, &zeros[..alg.len()], ikm) }
    }

    /// The raw secret (tests compare it with RFC 8448).
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// binder_key: "ext binder" for external PSKs, "res binder" for tickets (§4.2.11.2).
    pub fn binder_key<P: CryptoProvider>(&self, p: &mut P, resumption: bool) -> Secret {
        let label: &[u8] = if resumption { b"res binder" } else { b"ext binder" };
        let empty = self.alg.empty_hash();
        derive_secret(p, self.alg, &self.secret, label, &empty)
    }

    /// client_early_traffic_secret over Hash(ClientHello).
    pub fn client_early_traffic_secret<P: CryptoProvider>(&self, p: &mut P, ch_hash: &Digest) -> Secret {
        derive_secret(p, self.alg, &self.secret, b"c e traffic", ch_hash)
    }

    /// early_exporter_master_secret over Hash(ClientHello).
    pub fn early_exporter_master_secret<P: CryptoProvider>(&self, p: &mut P, ch_hash: &Digest) -> Secret {
        derive_secret(p, self.alg, &self.secret, b"e exp master", ch_hash)
    }

    /// Handshake Secret = HKDF-Extract(Derive-Secret(., "derived", ""), (EC)DHE or 0).
    pub fn into_handshake<P: CryptoProvider>(self, p: &mut P, ecdhe: Option<&[u8]>) -> HandshakeSecret {
        let zeros = [0u8; MAX_HASH_LEN];
        let salt = derived_salt(p, self.alg, &self.secret);
        let ikm = ecdhe.unwrap_or(&zeros[..self.alg.len()]);
        HandshakeSecret { alg: self.alg, secret: hkdf_extract(p, self.alg, salt.as_bytes(), ikm) }
    }
}

/// Handshake Secret stage.
pub struct HandshakeSecret {
    alg: HashAlg,
    secret: Secret,
}

impl HandshakeSecret {
    /// The raw secret (tests compare it with RFC 8448).
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// client_handshake_traffic_secret over Hash(ClientHello..ServerHello).
    pub fn client_traffic_secret<P: CryptoProvider>(&self, p: &mut P, hash: &Digest) -> Secret {
        derive_secret(p, self.alg, &self.secret, b"c hs traffic", hash)
    }

    /// server_handshake_traffic_secret over Hash(ClientHello..ServerHello).
    pub fn server_traffic_secret<P: CryptoProvider>(&self, p: &mut P, hash: &Digest) -> Secret {
        derive_secret(p, self.alg, &self.secret, b"s hs traffic", hash)
    }

    /// Both handshake traffic secrets (client, server) over
    /// Hash(ClientHello..ServerHello), the secret keyed once.
    #[inline(never)] // a frame of its own, as expand_secret (issue 12: stack)
    pub fn traffic_secrets<P: CryptoProvider>(&self, p: &mut P, hash: &Digest) -> (Secret, Secret) {
        let n = self.alg.len();
        let (mut client, mut server) = (Secret::zero(n), Secret::zero(n));
        let h = hash.as_bytes();
        let labels = [(&b"c hs traffic"[..], h, client.as_mut_bytes()), (b"s hs traffic", h, server.as_mut_bytes())];
        expand_labels(p, self.alg, &self.secret, labels);
        (client, server)
    }

    /// Master Secret = HKDF-Extract(Derive-Secret(., "derived", ""), 0).
    pub fn master<P: CryptoProvider>(&self, p: &mut P) -> MasterSecret {
        let zeros = [0u8; MAX_HASH_LEN];
        let salt = derived_salt(p, self.alg, &self.secret);
        MasterSecret { alg: self.alg, secret: hkdf_extract(p, self.alg, salt.as_bytes(), &zeros[..self.alg.len()]) }
    }

    /// [`HandshakeSecret::master`], ending this stage.
    pub fn into_master<P: CryptoProvider>(self, p: &mut P) -> MasterSecret {
        self.master(p)
    }
}

/// Master Secret stage.
pub struct MasterSecret {
    alg: HashAlg,
    secret: Secret,
}

impl MasterSecret {
    /// The raw secret (tests compare it with RFC 8448).
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// client_application_traffic_secret_0 over Hash(ClientHello..server Finished).
    pub fn client_traffic_secret<P: CryptoProvider>(&self, p: &mut P, hash: &Digest) -> Secret {
        derive_secret(p, self.alg, &self.secret, b"c ap traffic", hash)
    }

    /// server_application_traffic_secret_0 over Hash(ClientHello..server Finished).
    pub fn server_traffic_secret<P: CryptoProvider>(&self, p: &mut P, hash: &Digest) -> Secret {
        derive_secret(p, self.alg, &self.secret, b"s ap traffic", hash)
    }

    /// exporter_master_secret over Hash(ClientHello..server Finished).
    pub fn exporter_master_secret<P: CryptoProvider>(&self, p: &mut P, hash: &Digest) -> Secret {
        derive_secret(p, self.alg, &self.secret, b"exp master", hash)
    }

    /// The four secrets of this stage, the secret keyed once: the
    /// application traffic secrets and the exporter master secret over
    /// `hash_sf` (through the server's Finished), the resumption master
    /// secret over `hash_cf` (through the client's).
    #[inline(never)] // a frame of its own, as expand_secret (issue 12: stack)
    pub fn secrets<P: CryptoProvider>(&self, p: &mut P, hash_sf: &Digest, hash_cf: &Digest) -> ApplicationSecrets {
        let n = self.alg.len();
        let mut secrets = ApplicationSecrets {
            client: Secret::zero(n),
            server: Secret::zero(n),
            exporter: Secret::zero(n),
            resumption: Secret::zero(n),
        };
        let ApplicationSecrets { client, server, exporter, resumption } = &mut secrets;
        let (sf, cf) = (hash_sf.as_bytes(), hash_cf.as_bytes());
        expand_labels(
            p,
            self.alg,
            &self.secret,
            [
                (b"c ap traffic", sf, client.as_mut_bytes()),
                (b"s ap traffic", sf, server.as_mut_bytes()),
                (b"exp master", sf, exporter.as_mut_bytes()),
                (b"res master", cf, resumption.as_mut_bytes()),
            ],
        );
        secrets
    }

    /// resumption_master_secret over Hash(ClientHello..client Finished).
    pub fn resumption_master_secret<P: CryptoProvider>(&self, p: &mut P, hash: &Digest) -> Secret {
        derive_secret(p, self.alg, &self.secret, b"res master", hash)
    }
}

/// What [`MasterSecret::secrets`] derives (RFC 8446 §7.1).
pub struct ApplicationSecrets {
    /// client_application_traffic_secret_0.
    pub client: Secret,
    /// server_application_traffic_secret_0.
    pub server: Secret,
    /// exporter_master_secret.
    pub exporter: Secret,
    /// resumption_master_secret.
    pub resumption: Secret,
}

/// application_traffic_secret_N+1 (RFC 8446 §7.2).
pub fn next_traffic_secret<P: CryptoProvider>(p: &mut P, alg: HashAlg, secret: &Secret) -> Secret {
    expand_secret(p, alg, secret, b"traffic upd", &[])
}

/// The PSK for a ticket: HKDF-Expand-Label(resumption_master_secret, "resumption", nonce) (§4.6.1).
pub fn resumption_psk<P: CryptoProvider>(
    p: &mut P,
    alg: HashAlg,
    resumption_master_secret: &Secret,
    ticket_nonce: &[u8],
) -> Secret {
    expand_secret(p, alg, resumption_master_secret, b"resumption", ticket_nonce)
}

/// Finished verify_data = HMAC(finished_key, transcript hash) (§4.4.4).
pub fn finished_verify_data<P: CryptoProvider>(
    p: &mut P,
    alg: HashAlg,
    base_key: &Secret,
    transcript_hash: &Digest,
) -> Digest {
    let finished_key = expand_secret(p, alg, base_key, b"finished", &[]);
    hmac(p, alg, finished_key.as_bytes(), transcript_hash.as_bytes())
}

/// A PSK binder: HMAC over the transcript hash up to the truncated
/// ClientHello, keyed from binder_key (RFC 8446 §4.2.11.2).
pub fn psk_binder<P: CryptoProvider>(
    p: &mut P,
    alg: HashAlg,
    psk: &[u8],
    resumption: bool,
    truncated_transcript_hash: &Digest,
) -> Digest {
    let binder_key = EarlySecret::new(p, alg, Some(psk)).binder_key(p, resumption);
    finished_verify_data(p, alg, &binder_key, truncated_transcript_hash)
}

/// TLS-Exporter(label, context, length) (RFC 8446 §7.5).
pub fn export<P: CryptoProvider>(
    p: &mut P,
    alg: HashAlg,
    exporter_master_secret: &Secret,
    label: &[u8],
    context: &[u8],
    out: &mut [u8],
) {
    let empty = alg.empty_hash();
    let tmp = derive_secret(p, alg, exporter_master_secret, label, &empty);
    let context = alg.hash(p, context);
    expand_label(p, alg, &tmp, b"exporter", context.as_bytes(), out);
}

/// Record protection key and IV of a traffic secret (RFC 8446 §7.3),
/// both wiped on drop.
pub struct TrafficKeys<P: CryptoProvider> {
    /// The keyed AEAD.
    pub key: P::AeadKey,
    /// The 12-byte write IV.
    pub iv: [u8; 12],
}

impl<P: CryptoProvider> Drop for TrafficKeys<P> {
    fn drop(&mut self) {
        self.iv.zeroize(); // the provider's key wipes itself (CryptoProvider::AeadKey)
    }
}

impl<P: CryptoProvider> ZeroizeOnDrop for TrafficKeys<P> {}

impl<P: CryptoProvider> TrafficKeys<P> {
    /// `[sender]_write_key` and `[sender]_write_iv` from a traffic secret.
    pub fn derive(p: &mut P, alg: HashAlg, aead: AeadAlg, secret: &Secret) -> Self {
        let (mut key, mut iv) = ([0u8; 32], [0u8; 12]);
        expand_labels(p, alg, secret, [(b"key", &[], &mut key[..aead.key_len()]), (b"iv", &[], &mut iv)]);
        let keys = TrafficKeys { key: p.aead_key(aead, &key[..aead.key_len()]), iv };
        key.zeroize();
        iv.zeroize();
        keys
    }
}

#[cfg(test)]
mod tests {
    use zeroize::ZeroizeOnDrop;

    fn wiped<T: ZeroizeOnDrop>() {}

    /// Issue 13 item 3: every holder of key material wipes it on drop (a
    /// compile-time check; the cipher and X25519 types need their crates'
    /// `zeroize` features, see tests/zeroize_features.sh).
    #[test]
    fn key_holders_are_zeroize_on_drop() {
        wiped::<super::TrafficKeys<crate::crypto::RustCrypto>>();
        wiped::<crate::crypto::RustCryptoAead>();
        wiped::<crate::crypto::RustCryptoKx>();
        wiped::<crate::crypto::Secret>();
        wiped::<crate::crypto::SharedSecret>();
        wiped::<aes_gcm::Aes128Gcm>();
        wiped::<aes_gcm::Aes256Gcm>();
        wiped::<chacha20poly1305::ChaCha20Poly1305>();
        wiped::<x25519_dalek::StaticSecret>();
        wiped::<p256::SecretKey>();
        wiped::<p384::SecretKey>();
    }
}
