//! [`ClientConfig`]: what a client offers and how it trusts servers.

use crate::auth::ClientIdentity;
use crate::crypto::{CryptoProvider, RustCrypto};
use crate::error::Error;
use crate::msgs::client_hello::check_alpn_list;
use crate::msgs::enums::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};
use crate::psk::ExternalPsk;
use crate::ticket::SessionTicket;
use crate::verify::{ServerName, ServerVerifier, Trust, TrustId, UnixTime};

/// Cipher suites supported, in the default order of preference: the TLS 1.3
/// suites, the TLS 1.2 ECDHE suites (offered with certificate verification),
/// then the TLS 1.2 PSK suites (offered only when a PSK is configured; the
/// ECDHE_PSK suite, which has forward secrecy, first).
pub const DEFAULT_CIPHER_SUITES: [CipherSuite; 13] = [
    CipherSuite::Tls13Aes128GcmSha256,
    CipherSuite::Tls13Aes256GcmSha384,
    CipherSuite::Tls13Chacha20Poly1305Sha256,
    CipherSuite::EcdheEcdsaWithAes128GcmSha256,
    CipherSuite::EcdheRsaWithAes128GcmSha256,
    CipherSuite::EcdheEcdsaWithAes256GcmSha384,
    CipherSuite::EcdheRsaWithAes256GcmSha384,
    CipherSuite::EcdheEcdsaWithChacha20Poly1305Sha256,
    CipherSuite::EcdheRsaWithChacha20Poly1305Sha256,
    CipherSuite::EcdhePskWithChacha20Poly1305Sha256,
    CipherSuite::PskWithAes128GcmSha256,
    CipherSuite::PskWithAes256GcmSha384,
    CipherSuite::PskWithChacha20Poly1305Sha256,
];

/// Groups supported, in the default order; the first gets the TLS 1.3 key
/// share. Listing secp384r1 also tells TLS 1.2 servers that P-384
/// certificates are understood (RFC 8422 §5.1.1).
pub const DEFAULT_GROUPS: [NamedGroup; 3] = [NamedGroup::X25519, NamedGroup::Secp256r1, NamedGroup::Secp384r1];

/// Signature schemes offered (RFC 8446 §4.2.3). RSA PKCS#1 v1.5 is listed
/// for certificate signatures only; a TLS 1.3 CertificateVerify using it is refused.
pub(crate) const SIGNATURE_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::EcdsaSecp256r1Sha256,
    SignatureScheme::EcdsaSecp384r1Sha384,
    #[cfg(feature = "alloc")]
    SignatureScheme::RsaPssRsaeSha256,
    #[cfg(feature = "alloc")]
    SignatureScheme::RsaPssRsaeSha384,
    #[cfg(feature = "alloc")]
    SignatureScheme::RsaPssRsaeSha512,
    #[cfg(feature = "alloc")]
    SignatureScheme::RsaPkcs1Sha256,
    #[cfg(feature = "alloc")]
    SignatureScheme::RsaPkcs1Sha384,
    #[cfg(feature = "alloc")]
    SignatureScheme::RsaPkcs1Sha512,
];

/// The smallest value [`ClientConfig::with_min_rsa_bits`] accepts: RSA
/// moduli of 768 and 829 bits have been factored publicly, 1024 bits is the
/// smallest ever widely deployed (and RFC 8448's example server key).
pub const MIN_RSA_BITS_FLOOR: u32 = 1024;

/// Bytes available for the ALPN protocol list on the wire.
pub const MAX_ALPN_LIST: usize = 128;

/// Client settings, built once and shared by many connections.
///
/// ```
/// use embertls::{ClientConfig, CipherSuite, NamedGroup, ServerVerification};
///
/// let config = ClientConfig::new(ServerVerification::danger_accept_any())
///     .with_cipher_suites(&[CipherSuite::Tls13Chacha20Poly1305Sha256])?
///     .with_groups(&[NamedGroup::Secp256r1])?
///     .with_alpn(&[b"mqtt"])?;
/// # Ok::<(), embertls::Error>(())
/// ```
#[derive(Clone)]
pub struct ClientConfig<'a> {
    pub(crate) verifier: &'a (dyn ServerVerifier + Sync),
    pub(crate) cipher_suites: heapless::Vec<CipherSuite, 13>,
    pub(crate) tls13: bool,
    pub(crate) tls12: bool,
    pub(crate) require_ems: bool,
    pub(crate) groups: heapless::Vec<NamedGroup, 3>,
    pub(crate) alpn: heapless::Vec<u8, MAX_ALPN_LIST>,
    pub(crate) middlebox_compat: bool,
    pub(crate) min_rsa_bits: u32,
    pub(crate) psk: Option<&'a ExternalPsk>,
    pub(crate) client_identities: &'a [ClientIdentity<'a>],
    /// DANGER: where the connections' secrets go (feature `danger-keylog`).
    #[cfg(feature = "danger-keylog")]
    pub(crate) key_log: Option<&'a (dyn crate::keylog::KeyLog + Sync)>,
}

impl core::fmt::Debug for ClientConfig<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("cipher_suites", &self.cipher_suites)
            .field("groups", &self.groups)
            .field("tls13", &self.tls13)
            .field("tls12", &self.tls12)
            .field("middlebox_compat", &self.middlebox_compat)
            .finish_non_exhaustive()
    }
}

impl<'a> ClientConfig<'a> {
    /// A configuration with default suites and groups that trusts servers
    /// through `verifier`. It is `const`, so a configuration can be a
    /// `static` (and one built at run time can be shared with
    /// `static_cell`): verifiers and signers are `Sync`, so a configuration
    /// is too, and a [`crate::Client`] is `Send` when its generator and
    /// buffers are.
    ///
    /// ```
    /// use embertls::{ClientConfig, DangerAcceptAnyServer};
    /// static CONFIG: ClientConfig<'static> = ClientConfig::new(&DangerAcceptAnyServer);
    /// ```
    pub const fn new(verifier: &'a (dyn ServerVerifier + Sync)) -> Self {
        ClientConfig {
            verifier,
            cipher_suites: heapless::Vec::from_array(DEFAULT_CIPHER_SUITES),
            tls13: true,
            tls12: true,
            require_ems: true,
            groups: heapless::Vec::from_array(DEFAULT_GROUPS),
            alpn: heapless::Vec::new(),
            middlebox_compat: true,
            min_rsa_bits: 2048,
            psk: None,
            client_identities: &[],
            #[cfg(feature = "danger-keylog")]
            key_log: None,
        }
    }

    /// Offers these cipher suites, in this order of preference.
    pub fn with_cipher_suites(mut self, suites: &[CipherSuite]) -> Result<Self, Error> {
        if suites.is_empty() || suites.iter().any(|s| !DEFAULT_CIPHER_SUITES.contains(s)) {
            return Err(Error::Config(
                "cipher suites must be a non-empty list of those in DEFAULT_CIPHER_SUITES (TLS 1.3: TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256; TLS 1.2: the ECDHE_ECDSA, ECDHE_RSA and PSK suites with AES-GCM or ChaCha20-Poly1305)",
            ));
        }
        self.cipher_suites.clear();
        for s in suites {
            if !self.cipher_suites.contains(s) {
                let _ = self.cipher_suites.push(*s);
            }
        }
        Ok(self)
    }

    /// The protocol versions to offer: `[Tls13, Tls12]` (the default: one
    /// ClientHello offers both and the server chooses), `[Tls13]` or
    /// `[Tls12]`. TLS 1.3 is preferred whatever the order. Older versions
    /// (SSL 3.0, TLS 1.0, TLS 1.1) are never offered.
    ///
    /// ```
    /// use embertls::{ClientConfig, ProtocolVersion, ServerVerification};
    /// let only_13 = ClientConfig::new(ServerVerification::danger_accept_any())
    ///     .with_versions(&[ProtocolVersion::Tls13])?;
    /// # Ok::<(), embertls::Error>(())
    /// ```
    pub fn with_versions(mut self, versions: &[ProtocolVersion]) -> Result<Self, Error> {
        let ok = |v: &ProtocolVersion| matches!(v, ProtocolVersion::Tls13 | ProtocolVersion::Tls12);
        if versions.is_empty() || !versions.iter().all(ok) {
            return Err(Error::Config(
                "versions must be a non-empty list of ProtocolVersion::Tls13 and ProtocolVersion::Tls12 (SSL 3.0, TLS 1.0 and 1.1 are not supported)",
            ));
        }
        self.tls13 = versions.contains(&ProtocolVersion::Tls13);
        self.tls12 = versions.contains(&ProtocolVersion::Tls12);
        Ok(self)
    }

    /// Accepts TLS 1.2 servers that do not support the extended master
    /// secret (RFC 7627). Without it, a man in the middle can make two TLS 1.2
    /// sessions share a master secret (the "triple handshake" attack) and so
    /// break resumption and channel bindings. Use only for a server that
    /// cannot be upgraded; by default such servers are refused.
    pub fn danger_allow_tls12_without_extended_master_secret(mut self) -> Self {
        self.require_ems = false;
        self
    }

    /// Offers these groups; the first one gets the key share in the first
    /// ClientHello, the others are reachable by HelloRetryRequest.
    pub fn with_groups(mut self, groups: &[NamedGroup]) -> Result<Self, Error> {
        if groups.is_empty() || groups.iter().any(|g| !DEFAULT_GROUPS.contains(g)) {
            return Err(Error::Config("groups must be a non-empty list of x25519, secp256r1, secp384r1"));
        }
        self.groups.clear();
        for g in groups {
            if !self.groups.contains(g) {
                let _ = self.groups.push(*g);
            }
        }
        Ok(self)
    }

    /// Offers these ALPN protocols (RFC 7301), e.g. `b"mqtt"`, `b"http/1.1"`.
    pub fn with_alpn(mut self, protocols: &[&[u8]]) -> Result<Self, Error> {
        self.alpn.clear();
        for p in protocols {
            let ok = !p.is_empty() && p.len() <= 255 && self.alpn.push(p.len() as u8).is_ok();
            if !ok || self.alpn.extend_from_slice(p).is_err() {
                return Err(Error::Config(
                    "ALPN protocols must be 1 to 255 bytes each and 128 bytes in all (with one length byte each)",
                ));
            }
        }
        check_alpn_list(&self.alpn).map_err(|_| Error::Config("invalid ALPN list"))?;
        Ok(self)
    }

    /// Middlebox compatibility mode (RFC 8446 Appendix D.4), on by default:
    /// a 32-byte legacy_session_id and a dummy change_cipher_spec record.
    pub fn with_middlebox_compat(mut self, on: bool) -> Self {
        self.middlebox_compat = on;
        self
    }

    /// Connects with an external pre-shared key (RFC 8446 §2.2). The server
    /// must accept it: no certificate is involved, and the verifier is not
    /// consulted. Only suites whose hash matches the PSK's are offered.
    pub fn with_psk(mut self, psk: &'a ExternalPsk) -> Self {
        self.psk = Some(psk);
        self
    }

    /// Client certificates to offer when a server asks for one (RFC 8446
    /// §4.3.2), like Arduino's `setCertificate` + `setPrivateKey`. The first
    /// identity that signs with a scheme the server accepts, and (if the
    /// server lists certificate authorities) was issued by a listed CA, is
    /// used; if none fits, an empty Certificate is sent and the server decides.
    pub fn with_client_identities(mut self, identities: &'a [ClientIdentity<'a>]) -> Self {
        self.client_identities = identities;
        self
    }

    /// The same as [`ClientConfig::with_client_identities`] with one identity.
    pub fn with_client_identity(self, identity: &'a ClientIdentity<'a>) -> Self {
        self.with_client_identities(core::slice::from_ref(identity))
    }

    /// **DANGER, debugging only**: hands the secrets of every connection made
    /// under this configuration to `key_log`, in the NSS key log format
    /// Wireshark reads (see [`crate::keylog`]). Whoever gets those lines can
    /// decrypt the connections. Needs the `danger-keylog` feature, which a
    /// release build should not have.
    ///
    /// ```
    /// use embertls::keylog::{KeyLog, KeyLogLine};
    /// use embertls::{ClientConfig, ServerVerification};
    ///
    /// /// Prints each line (on a device: over RTT or a UART, into a file for Wireshark).
    /// struct PrintKeys;
    /// impl KeyLog for PrintKeys {
    ///     fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]) {
    ///         println!("{}", KeyLogLine { label, client_random, secret });
    ///     }
    /// }
    /// let config = ClientConfig::new(ServerVerification::danger_accept_any()).danger_with_key_log(&PrintKeys);
    /// ```
    #[cfg(feature = "danger-keylog")]
    pub fn danger_with_key_log(mut self, key_log: &'a (dyn crate::keylog::KeyLog + Sync)) -> Self {
        self.key_log = Some(key_log);
        self
    }

    /// Hands one secret to the key log, if one is configured (the
    /// `key_log!` macro of `trace.rs` calls it).
    #[cfg(feature = "danger-keylog")]
    pub(crate) fn log_secret(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        if let (Some(key_log), Ok(random)) = (self.key_log, <&[u8; 32]>::try_from(client_random)) {
            key_log.log(label, random, secret);
        }
    }

    /// The [`TrustId`] a session authenticated with `trust` records, and that
    /// a stored session must carry to be offered under this configuration
    /// (see [`ConnectOptions::resuming`]): the verifier's id and this
    /// configuration's RSA floor, or the external PSK's. `None`: this
    /// configuration cannot tell what it trusts, and its sessions are never resumed.
    ///
    /// ```
    /// use embertls::{ClientConfig, ServerVerification, Trust};
    /// let insecure = ClientConfig::new(ServerVerification::danger_accept_any());
    /// assert!(insecure.session_trust_id(Trust::NotVerified).is_some());
    /// assert!(insecure.session_trust_id(Trust::PreSharedKey).is_none(), "no PSK configured");
    /// ```
    pub fn session_trust_id(&self, trust: Trust) -> Option<TrustId> {
        match trust {
            Trust::PreSharedKey => self.psk.map(ExternalPsk::trust_id),
            Trust::Verified | Trust::NotVerified => {
                let verifier = self.verifier.trust_id()?;
                let mut h = TrustId::hasher("embertls certificate session");
                Some(h.part(verifier.as_bytes()).part(&self.min_rsa_bits.to_be_bytes()).finish())
            }
        }
    }

    /// Smallest RSA modulus accepted in server keys (default 2048 bits);
    /// below [`MIN_RSA_BITS_FLOOR`] (1024) is refused with [`Error::Config`].
    ///
    /// ```
    /// # use embertls::{ClientConfig, ServerVerification};
    /// let legacy = ClientConfig::new(ServerVerification::danger_accept_any()).with_min_rsa_bits(1024)?;
    /// # Ok::<(), embertls::Error>(())
    /// ```
    pub fn with_min_rsa_bits(mut self, bits: u32) -> Result<Self, Error> {
        if bits < MIN_RSA_BITS_FLOOR {
            return Err(Error::Config(
                "with_min_rsa_bits must be at least 1024: smaller RSA keys can be factored (RSA-768 was in 2009); use 2048 (the default) unless a legacy server has a 1024-bit key",
            ));
        }
        self.min_rsa_bits = bits;
        Ok(self)
    }
}

/// What one connection needs besides its random generator and buffers:
/// the configuration, the server's name, the time and a session to resume.
/// Pass it to [`crate::Client::new`] or to an adapter's `connect`.
///
/// ```
/// use embertls::{ClientConfig, ConnectOptions, ServerName, ServerVerification, UnixTime};
/// let config = ClientConfig::new(ServerVerification::danger_accept_any());
/// let options = ConnectOptions::new(&config, ServerName::parse("broker.example")).now(UnixTime(1_790_000_000));
/// ```
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct ConnectOptions<'a, P = RustCrypto> {
    pub(crate) config: &'a ClientConfig<'a>,
    pub(crate) server_name: ServerName<'a>,
    pub(crate) now: Option<UnixTime>,
    pub(crate) session: Option<SessionTicket<'a>>,
    pub(crate) provider: P,
}

impl<'a> ConnectOptions<'a, RustCrypto> {
    /// Connects to `server_name` under `config`, with no clock and no session to resume.
    pub fn new(config: &'a ClientConfig<'a>, server_name: ServerName<'a>) -> Self {
        ConnectOptions { config, server_name, now: None, session: None, provider: RustCrypto }
    }
}

impl<'a, P: CryptoProvider> ConnectOptions<'a, P> {
    /// The crypto provider of the connection (by default [`RustCrypto`]):
    /// for example a driver of the chip's accelerators, or `ring` on a host
    /// (see [`crate::provider`]).
    pub fn with_provider<Q: CryptoProvider>(self, provider: Q) -> ConnectOptions<'a, Q> {
        let ConnectOptions { config, server_name, now, session, provider: _ } = self;
        ConnectOptions { config, server_name, now, session, provider }
    }

    /// The caller's time, used to check certificate validity. Without it
    /// (`None`, the default, for a device with no clock yet) a verifier that
    /// needs time refuses with an error saying so.
    pub fn now(mut self, now: impl Into<Option<UnixTime>>) -> Self {
        self.now = now.into();
        self
    }

    /// Offers a stored session for resumption: a TLS 1.3 ticket (RFC 8446
    /// §2.2), or a TLS 1.2 session by its RFC 5077 ticket or session ID
    /// (RFC 5246 §7.4.1.2). Use each TLS 1.3 ticket once, and keep the
    /// newest session the server sends.
    ///
    /// The session is offered only if all of these hold; otherwise a full
    /// handshake runs, as it does when the server declines the session
    /// ([`crate::HandshakeSummary::resumed`] is then false):
    /// - it was issued for this server name, and fits a configured suite and version;
    /// - **it was authenticated under this configuration's trust**: a resumed
    ///   connection inherits the original authentication without seeing a
    ///   certificate, so the session records the [`TrustId`] of what
    ///   accepted the server (the verifier's anchors, pins and options, or
    ///   the external PSK) and must match
    ///   [`ClientConfig::session_trust_id`]. A session made with
    ///   `danger_accept_any`, trust on first use, or a pin since removed is
    ///   never offered by a configuration that verifies;
    /// - its age is known and within its lifetime (at most 7 days, RFC 8446
    ///   §4.6.1): from [`ConnectOptions::now`] and the time it was issued, or
    ///   from the age the caller gives with [`SessionTicket::with_age`] (a
    ///   device without a wall clock passes the seconds an RTC or deep-sleep
    ///   counter measured). A session whose age cannot be known is not offered.
    /// - the ClientHello that carries it fits the send buffer (a server may
    ///   issue tickets of up to 64 KB); a ClientHello larger than a record is
    ///   sent as several records (RFC 8446 §5.1).
    ///
    /// ```no_run
    /// # use embertls::*;
    /// # fn f(config: &ClientConfig<'_>, stored: &[u8]) -> Result<(), Error> {
    /// let ticket = SessionTicket::decode(stored)?;
    /// let options = ConnectOptions::new(config, ServerName::parse("broker.example"))
    ///     .now(UnixTime(1_790_000_000))
    ///     .resuming(ticket);
    /// let rng = rand_core::UnwrapErr(getrandom::SysRng);
    /// let client = Client::new(options, rng, vec![0u8; 16_645], [0u8; 4096])?;
    /// # Ok(()) }
    /// ```
    pub fn resuming(mut self, session: SessionTicket<'a>) -> Self {
        self.session = Some(session);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::ServerVerification;

    #[test]
    fn min_rsa_bits_has_a_floor() {
        let config = || ClientConfig::new(ServerVerification::danger_accept_any());
        for bits in [0, 512, 768, MIN_RSA_BITS_FLOOR - 1] {
            let err = config().with_min_rsa_bits(bits).expect_err("below the floor");
            assert!(matches!(err, Error::Config(_)), "{bits}: {err:?}");
            assert!(err.to_string().contains("1024"), "{err}");
        }
        for bits in [MIN_RSA_BITS_FLOOR, 2048, 4096] {
            assert_eq!(config().with_min_rsa_bits(bits).map(|c| c.min_rsa_bits).ok(), Some(bits));
        }
    }
}
