//! TLS 1.3 client states and transitions (RFC 8446 §2, §4).
//!
//! ```text
//!  start ─► ExpectServerHello ─(HRR, once)─► ExpectServerHello
//!                  │ ServerHello (TLS 1.3)
//!                  ▼
//!        ExpectEncryptedExtensions ─► ExpectCertificate ─► ExpectCertificateVerify
//!                                                                 │
//!                               Connected ◄─ ExpectFinished ◄─────┘
//! ```

use super::hello::PskSource;
use super::{Offered, Suite};
use crate::crypto::CryptoProvider;
use crate::crypto::{Secret, Transcript};
use crate::key_schedule::HandshakeSecret;
use crate::msgs::enums::NamedGroup;

mod connected;
mod finished;
mod server_auth;

pub(crate) use connected::Connected;
pub(crate) use finished::ExpectFinished;
pub(crate) use server_auth::{ClientAuth, ExpectCertificate, ExpectCertificateVerify, ExpectEncryptedExtensions};

/// Keys and transcript shared by the states between ServerHello and Finished.
pub(crate) struct Handshaking<P: CryptoProvider> {
    pub(crate) suite: Suite,
    pub(crate) group: Option<NamedGroup>,
    pub(crate) transcript: Transcript<P>,
    pub(crate) secret: HandshakeSecret,
    pub(crate) client_secret: Secret,
    pub(crate) server_secret: Secret,
    pub(crate) offered: Offered,
    pub(crate) hello_retry: bool,
    pub(crate) sent_ccs: bool,
    pub(crate) psk: Option<PskSource>,
    pub(crate) alpn: Option<(u8, u8)>,
    pub(crate) client_auth: Option<ClientAuth>,
    pub(crate) limit_offer: crate::handshake::limits::LimitOffer,
    pub(crate) limits: crate::handshake::limits::Limits,
    /// ClientHello.random, naming the connection in the key log.
    #[cfg(feature = "danger-keylog")]
    pub(crate) client_random: [u8; 32],
}
