//! The crypto provider seam (issue 14): what a [`CryptoProvider`] implements
//! and the types it sees. [`RustCrypto`] is the default; `Ring` (feature
//! `ring`, std hosts) is a second one, built on the `ring` crate (see its
//! page for what ring cannot do);
//! [`ConnectOptions::with_provider`](crate::ConnectOptions::with_provider)
//! picks another for one connection.
//!
//! A provider is a value the connection owns and hands out as `&mut` for
//! each operation, so it can be a driver of the chip's accelerators. Every
//! call is static dispatch, except the certificate signatures of the X.509
//! verifier, which reaches the provider through [`SignatureVerifier`] (one
//! indirect call per signature, since the verifier is itself chosen at run
//! time in [`ClientConfig`](crate::ClientConfig)).
//!
//! The handshake and record layer see only the provider's associated types
//! (a running hash, a keyed AEAD, an ephemeral private key), never an
//! implementation's own types.
//!
//! What the engine asks for, and when:
//! - hashes: the handshake transcript (RFC 8446 §4.4.1, RFC 5246 §7.4.9),
//!   updated with every handshake message;
//! - HMAC, HKDF-Expand and the TLS 1.2 PRF (RFC 2104, RFC 5869, RFC 5246
//!   §5): the key schedules; the defaults are built on the provider's hash
//!   (HMAC) and HMAC (the other two);
//! - AEAD (RFC 5116, RFC 8439): every protected record, in place;
//! - key exchange (RFC 7748, SEC 1): one or two per handshake;
//! - signature verification: the server's CertificateVerify or
//!   ServerKeyExchange, and (through
//!   [`ServerVerifier::verify_server_with`](crate::ServerVerifier::verify_server_with))
//!   each certificate signature the X.509 verifier checks.
//!
//! Signing stays with [`Signer`](crate::Signer) and randomness with the
//! caller's generator (a provider with its own generator, as `Ring`, may
//! make its ephemeral keys with that one and must say so).

pub use crate::crypto::{
    hkdf_expand_on_hmac, hkdf_expand_on_mac, hmac_on_hash, tls12_prf_on_hmac, tls12_prf_on_mac, AeadAlg, AeadError,
    CryptoProvider, Digest, HashAlg, PeerKey, RustCrypto, RustCryptoAead, RustCryptoHash, RustCryptoKx, SigAlg,
    SigHash, SignatureError, SignatureVerifier, MAX_HASH_LEN, MAX_KEYGEN_TRIES, MAX_PUBLIC_KEY_LEN,
    MAX_SHARED_SECRET_LEN, TAG_LEN,
};
#[cfg(feature = "ring")]
pub use crate::crypto::{Ring, RingAead, RingHash, RingKx};
pub use crate::msgs::enums::NamedGroup;
