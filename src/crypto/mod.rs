//! The one place that calls cryptographic primitives.
//!
//! The state machine and the record layer see only the small types defined
//! here ([`HashAlg`], [`Transcript`], [`KeyShare`], [`PeerKey`]) and the
//! associated types of a [`CryptoProvider`], never an implementation's own
//! types. [`RustCrypto`] is the default provider; `Ring` (feature `ring`) a second one for hosts.

mod aead;
mod hash;
mod kx;
mod provider;
#[cfg(feature = "ring")]
mod ring;
mod rustcrypto;
mod sig;
mod tlv;

#[cfg(feature = "ring")]
pub use self::ring::{Ring, RingAead, RingHash, RingKx};
pub use aead::{AeadAlg, AeadError, TAG_LEN};
pub use hash::{hkdf_expand, hkdf_extract, hmac, Digest, HashAlg, Secret, Transcript, MAX_HASH_LEN};
pub use kx::{KeyShare, SharedSecret, MAX_KEYGEN_TRIES, MAX_PUBLIC_KEY_LEN, MAX_SHARED_SECRET_LEN};
pub use provider::{
    hkdf_expand_on_hmac, hkdf_expand_on_mac, hmac_on_hash, tls12_prf_on_hmac, tls12_prf_on_mac, CryptoProvider,
    SignatureVerifier,
};
pub use rustcrypto::{RustCrypto, RustCryptoAead, RustCryptoHash, RustCryptoKx};
pub use sig::{
    certificate_issuer, certificate_spki, certificate_subject, name_common_name, PeerKey, SigAlg, SigHash,
    SignatureError,
};
#[cfg(feature = "__internal")]
pub use sig::{spki_parts, SpkiParts};
