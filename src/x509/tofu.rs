//! Trust on first use: **not verification**. Accepts whatever server answers
//! the first time and hands back its key pin to store; later connections use
//! [`PinVerifier`](crate::x509::PinVerifier) with that pin.

use crate::msgs::certificate::CertificateChain;
use crate::sync::Shared;
use crate::verify::{ServerName, ServerVerifier, Trust, TrustId, UnixTime};
use crate::x509::error::CertError;
use crate::x509::pin::Pin;
use crate::x509::summary::ChainSummary;

/// What [`TrustOnFirstUse`] saw: the pin to store and the chain to show the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirstUse {
    /// The SPKI pin of the server's leaf certificate: store it and use it with
    /// [`PinVerifier`](crate::x509::PinVerifier) from now on.
    pub pin: Pin,
    /// Everything the server sent, for the user to check (e.g. compare the pin
    /// with the one printed on the server).
    pub chain: ChainSummary,
}

/// **Danger (first connection only)**: accepts any server once and records its
/// key pin. The handshake reports the server as **not verified**
/// ([`Trust::NotVerified`]): whoever is on the network path during this first
/// connection can be the one recorded. Protection starts with the next
/// connection, when the stored pin is enforced by
/// [`PinVerifier`](crate::x509::PinVerifier).
///
/// ```
/// use embertls::x509::{Pin, PinVerifier, TrustOnFirstUse};
/// let first = TrustOnFirstUse::record();
/// // let config = embertls::ClientConfig::new(&first); ... handshake ...
/// if let Some(seen) = first.recorded() {
///     let stored: String = seen.pin.to_string(); // save to flash
///     let pins = [Pin::parse(&stored).unwrap()];
///     let later = PinVerifier::new(&pins);
/// }
/// ```
#[derive(Debug, Default)]
pub struct TrustOnFirstUse {
    recorded: Shared<Option<FirstUse>>,
}

impl TrustOnFirstUse {
    /// A verifier that records the first server it sees (see the type's warning).
    pub fn record() -> Self {
        Self::default()
    }

    /// The server recorded by the last handshake, if any.
    pub fn recorded(&self) -> Option<FirstUse> {
        self.recorded.with(|r| r.clone())
    }
}

impl ServerVerifier for TrustOnFirstUse {
    fn verify_server(
        &self,
        chain: &CertificateChain<'_>,
        _server_name: &ServerName<'_>,
        _now: Option<UnixTime>,
    ) -> Result<Trust, CertError> {
        let leaf = chain.leaf().ok_or(CertError::NoCertificate)?;
        let pin = Pin::spki_of_certificate(leaf)
            .ok_or(CertError::NotTrusted { reason: "the server's certificate has no readable public key" })?;
        let seen = FirstUse { pin, chain: ChainSummary::from_chain(chain) };
        self.recorded.with(|slot| *slot = Some(seen));
        Ok(Trust::NotVerified)
    }

    /// Accepts any server, so its sessions resume only where any server is accepted.
    fn trust_id(&self) -> Option<TrustId> {
        Some(TrustId::accept_any())
    }
}
