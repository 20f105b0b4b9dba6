//! The seam between the handshake and server authentication.
//!
//! The handshake hands the server's certificate chain, the name the caller
//! asked for and the caller's time to a [`ServerVerifier`]. Whatever the
//! verifier decides, the handshake itself always checks the server's
//! CertificateVerify signature against the leaf key (RFC 8446 §4.4.3), so a
//! server must hold the private key of the certificate it sends.

use core::net::IpAddr;

use sha2::Digest as _;

use crate::crypto::SignatureVerifier;
use crate::msgs::certificate::CertificateChain;
use crate::x509::CertError;

/// Seconds since 1970-01-01T00:00:00Z, supplied by the caller (the engine has no clock).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UnixTime(pub u64);

/// The identity the client expects the server to prove (RFC 6125 §6.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ServerName<'a> {
    /// A DNS host name, e.g. `broker.example.com`. Sent as SNI.
    Dns(&'a str),
    /// An IP address. Never sent as SNI (RFC 6066 §3).
    Ip(IpAddr),
}

impl<'a> ServerName<'a> {
    /// An IP address if `host` parses as one, else a DNS name.
    ///
    /// ```
    /// use embertls::ServerName;
    /// assert!(matches!(ServerName::parse("127.0.0.1"), ServerName::Ip(_)));
    /// assert_eq!(ServerName::parse("example.com"), ServerName::Dns("example.com"));
    /// ```
    pub fn parse(host: &'a str) -> Self {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        // An address is hex digits, dots and colons only: other names skip
        // the address parser.
        if !bare.bytes().all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b':') {
            return ServerName::Dns(host);
        }
        match bare.parse::<IpAddr>() {
            Ok(ip) => ServerName::Ip(ip),
            Err(_) => ServerName::Dns(host),
        }
    }
}

impl core::fmt::Display for ServerName<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ServerName::Dns(d) => f.write_str(d),
            ServerName::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// How the server's identity was established.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Trust {
    /// The chain was verified to a trust anchor or pin, for this server name.
    Verified,
    /// Authenticated by an external pre-shared key (no certificate involved).
    PreSharedKey,
    /// Not verified: [`DangerAcceptAnyServer`] was used. Still encrypted, but
    /// anyone on the network path could have been the server.
    NotVerified,
}

/// Decides whether a server's certificate chain proves the expected identity.
///
/// ```
/// use embertls::{ServerVerifier, ServerName, Trust, UnixTime, CertificateChain, CertError};
///
/// /// Accepts only chains whose leaf is exactly this DER certificate.
/// struct ExactLeaf<'a>(&'a [u8]);
///
/// impl ServerVerifier for ExactLeaf<'_> {
///     fn verify_server(&self, chain: &CertificateChain<'_>, _name: &ServerName<'_>,
///                      _now: Option<UnixTime>) -> Result<Trust, CertError> {
///         match chain.leaf() {
///             Some(leaf) if leaf == self.0 => Ok(Trust::Verified),
///             _ => Err(CertError::NotTrusted { reason: "the leaf is not the expected certificate" }),
///         }
///     }
/// }
/// ```
pub trait ServerVerifier {
    /// Checks `chain` (leaf first, as sent; RFC 8446 §4.4.2) for `server_name` at `now`.
    fn verify_server(
        &self,
        chain: &CertificateChain<'_>,
        server_name: &ServerName<'_>,
        now: Option<UnixTime>,
    ) -> Result<Trust, CertError>;

    /// As [`verify_server`](Self::verify_server), checking certificate
    /// signatures with `crypto`, the connection's
    /// [`CryptoProvider`](crate::provider::CryptoProvider). The engine calls
    /// this one. The default ignores `crypto` and calls `verify_server`; the
    /// crate's certificate verifiers use it.
    fn verify_server_with(
        &self,
        chain: &CertificateChain<'_>,
        server_name: &ServerName<'_>,
        now: Option<UnixTime>,
        crypto: &mut dyn SignatureVerifier,
    ) -> Result<Trust, CertError> {
        let _ = crypto;
        self.verify_server(chain, server_name, now)
    }

    /// What this verifier trusts (its anchors, pins and options), as a
    /// digest. A stored session records the `TrustId` of the verifier that
    /// accepted the server and is offered again only under a verifier with
    /// the same one (see [`crate::ConnectOptions::resuming`]). Two verifiers
    /// must return the same value only if they accept the same chains.
    ///
    /// The default, `None`, means sessions made under this verifier are never
    /// resumed: every connection runs a full handshake.
    fn trust_id(&self) -> Option<TrustId> {
        None
    }
}

/// The identity of a trust configuration (a SHA-256 digest of what it
/// trusts), recorded in stored sessions: a resumed connection inherits the
/// authentication of the one that made the session (RFC 8446 §2.2), so the
/// session is offered only where that authentication would be accepted.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TrustId(pub(crate) [u8; 32]);

impl TrustId {
    /// The id of verifiers that accept any server ([`DangerAcceptAnyServer`],
    /// [`crate::x509::TrustOnFirstUse`]): their sessions resume only under such a verifier.
    pub fn accept_any() -> Self {
        TrustId::hasher("embertls accept any server").finish()
    }

    /// A hasher for a verifier's own id: feed it a label naming the kind of
    /// verifier, then every setting that changes what it accepts.
    ///
    /// ```
    /// use embertls::TrustId;
    /// let mut h = TrustId::hasher("my exact-leaf verifier");
    /// h.part(b"the leaf certificate DER");
    /// let id: TrustId = h.finish();
    /// assert_ne!(id, TrustId::accept_any());
    /// ```
    pub fn hasher(label: &str) -> TrustIdHasher {
        let mut h = TrustIdHasher(sha2::Sha256::new());
        h.part(label.as_bytes());
        h
    }

    /// The digest.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl core::fmt::Debug for TrustId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "TrustId(")?;
        self.0[..8].iter().try_for_each(|b| write!(f, "{b:02x}"))?;
        write!(f, "..)")
    }
}

/// Builds a [`TrustId`]: each part is length-prefixed, so parts cannot run into each other.
/// (SHA-256 in software whatever the connection's provider: stored sessions
/// carry the id, and it must not change with the provider.)
#[derive(Clone)]
pub struct TrustIdHasher(sha2::Sha256);

impl TrustIdHasher {
    /// Adds one setting.
    pub fn part(&mut self, data: &[u8]) -> &mut Self {
        self.0.update((data.len() as u64).to_be_bytes());
        self.0.update(data);
        self
    }

    /// The id.
    pub fn finish(&self) -> TrustId {
        let mut id = [0u8; 32];
        id.copy_from_slice(&self.0.clone().finalize());
        TrustId(id)
    }
}

/// **Danger**: accepts any server certificate, like Arduino's `setInsecure()`.
///
/// The connection is still encrypted and the server must still prove it
/// holds the private key of the certificate it sent, but nothing ties that
/// certificate to the server you meant to reach: anyone on the network path
/// can impersonate it. Use it only for tests or first bring-up. The
/// handshake summary reports `verified: false`.
///
/// ```
/// use embertls::{ClientConfig, DangerAcceptAnyServer};
/// let config = ClientConfig::new(&DangerAcceptAnyServer);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct DangerAcceptAnyServer;

impl ServerVerifier for DangerAcceptAnyServer {
    fn verify_server(
        &self,
        _: &CertificateChain<'_>,
        _: &ServerName<'_>,
        _: Option<UnixTime>,
    ) -> Result<Trust, CertError> {
        Ok(Trust::NotVerified)
    }

    fn trust_id(&self) -> Option<TrustId> {
        Some(TrustId::accept_any())
    }
}

/// Named constructors for the ways of trusting a server.
pub struct ServerVerification;

impl ServerVerification {
    /// **Danger**: see [`DangerAcceptAnyServer`].
    ///
    /// ```
    /// let v = embertls::ServerVerification::danger_accept_any();
    /// let config = embertls::ClientConfig::new(v);
    /// ```
    pub fn danger_accept_any() -> &'static DangerAcceptAnyServer {
        &DangerAcceptAnyServer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Addresses, bracketed or not, are addresses; every other name is a
    /// DNS name, including those the parser sees and refuses (hex digits
    /// and dots only).
    #[test]
    fn server_names_are_addresses_or_dns_names() {
        for ip in ["127.0.0.1", "192.0.2.255", "::1", "[::1]", "2001:DB8::a", "::ffff:192.0.2.1", "[fe80::1]"] {
            let want: IpAddr = ip.trim_start_matches('[').trim_end_matches(']').parse().unwrap();
            assert_eq!(ServerName::parse(ip), ServerName::Ip(want), "{ip}");
        }
        for dns in ["localhost", "example.com", "cafe.beef", "1password.com", "abc", "1.2.3", "fe80::1%eth0", ""] {
            assert_eq!(ServerName::parse(dns), ServerName::Dns(dns), "{dns}");
        }
    }
}
