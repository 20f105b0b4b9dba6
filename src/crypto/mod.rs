//! The one place that calls cryptographic primitives.
//!
//! The state machine and the record layer see only the small types defined
//! here ([`HashAlg`], [`Transcript`], [`AeadKey`], [`KeyShare`], [`PeerKey`]),
//! never a RustCrypto type, so that a hardware provider (ESP32 AES/SHA/ECC
//! accelerators) can later replace the bodies of these functions without
//! touching the handshake.

mod aead;
mod hash;
mod kx;
mod sig;

pub use aead::{AeadAlg, AeadKey, TAG_LEN};
pub use hash::{hkdf_expand, hkdf_extract, hmac, hmac_into, Digest, HashAlg, Secret, Transcript, MAX_HASH_LEN};
pub use kx::{KeyShare, SharedSecret, MAX_KEYGEN_TRIES, MAX_PUBLIC_KEY_LEN};
pub use sig::{
    certificate_issuer, certificate_spki, certificate_subject, name_common_name, PeerKey, SigAlg, SigHash,
    SignatureError,
};
