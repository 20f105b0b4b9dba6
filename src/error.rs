//! Every way a connection can fail, each with the alert it sends
//! (RFC 8446 §6) and a message that says what to do.

use core::fmt;

use crate::msgs::enums::{
    AlertDescription, CipherSuite, ContentType, HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme,
};
use crate::x509::CertError;

/// A connection error. After one is returned the connection is closed
/// for good and returns the same error again; the alert it implies (see
/// [`Error::alert`]) has been queued for sending.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The peer sent a message or field that does not parse (the field is named).
    Decode {
        /// The field or structure that failed.
        what: &'static str,
    },
    /// A message arrived where the protocol does not allow it (RFC 8446 §4 message order).
    UnexpectedMessage {
        /// What the handshake was waiting for.
        expected: &'static str,
        /// What arrived.
        got: Received,
    },
    /// The server broke a protocol rule; the text names the rule and its RFC section.
    PeerMisbehaved(Misbehavior),
    /// The server and this configuration share no version, suite, group or signature scheme.
    Incompatible(Incompatibility),
    /// The server's certificate chain was refused.
    Certificate(CertError),
    /// The server certificate's public key cannot be used (type, size or encoding).
    ServerKey(crate::crypto::SignatureError),
    /// The server's CertificateVerify signature did not verify with its certificate's key.
    BadSignature {
        /// The scheme the server used.
        scheme: SignatureScheme,
        /// The key type in the server's certificate.
        key: &'static str,
    },
    /// The server's Finished did not match: the handshake was altered or the keys differ.
    BadFinished,
    /// A protected record failed authentication (tampered, corrupted or wrong keys).
    BadRecordMac,
    /// A record longer than the protocol allows (RFC 8446 §5.1, §5.2).
    RecordOverflow {
        /// Size found.
        size: usize,
        /// Largest size allowed.
        limit: usize,
    },
    /// A record does not fit the receive buffer the caller gave the engine.
    ReceiveBufferTooSmall {
        /// Bytes the record (plus buffered handshake data) needs.
        needed: usize,
        /// The receive buffer's capacity.
        capacity: usize,
    },
    /// The send buffer cannot hold a handshake message the engine must send.
    SendBufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// The send buffer's capacity.
        capacity: usize,
    },
    /// A required extension is missing from the server's message (the name says which).
    MissingExtension(&'static str),
    /// The client's [`Signer`](crate::Signer) failed to sign CertificateVerify.
    Signer(crate::auth::SignError),
    /// The server rejected the client's certificate (or its absence) with this alert.
    ClientAuthRejected {
        /// The server's alert.
        alert: AlertDescription,
        /// Whether a certificate was sent (false: none was configured or none fit the request).
        sent_certificate: bool,
        /// Whether client identities were configured (so false with `sent_certificate`
        /// false means none fit the server's CA list or signature algorithms).
        configured: bool,
        /// The common name of the issuer of the certificate sent, if it has one.
        issuer: heapless::String<64>,
    },
    /// The server answered a resumption attempt with a fatal alert: the stored
    /// ticket is probably damaged or from another server key.
    TicketRefused(AlertDescription),
    /// The server did not accept the configured pre-shared key.
    PskRefused {
        /// The alert the server sent, if it sent one instead of a ServerHello.
        alert: Option<AlertDescription>,
    },
    /// The server sent a fatal alert.
    AlertReceived(AlertDescription),
    /// The transport closed without a close_notify: the data may have been cut short.
    Truncated,
    /// The connection was already closed (by close_notify, by [`crate::Client::close`] or an error).
    Closed,
    /// Too many records under one key (sequence number exhausted, RFC 8446 §5.3).
    SequenceExhausted,
    /// The configuration cannot be used (the text says which setting).
    Config(&'static str),
    /// A `Client` method was called at a point where it is not allowed.
    Api(&'static str),
}

/// What arrived, for [`Error::UnexpectedMessage`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Received {
    /// A handshake message.
    Handshake(HandshakeType),
    /// A record of this content type.
    Record(ContentType),
}

/// A broken protocol rule, named after the RFC text it breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Misbehavior {
    /// §4.1.3: ServerHello.random carries the TLS 1.2/1.1 downgrade sentinel.
    DowngradeSentinel,
    /// §4.1.3: legacy_session_id_echo differs from the session id we sent.
    SessionIdMismatch,
    /// §4.1.3: the server chose a cipher suite we did not offer.
    UnofferedCipherSuite(CipherSuite),
    /// §4.1.4: ServerHello's cipher suite differs from the HelloRetryRequest's.
    SuiteChangedAfterRetry,
    /// §4.1.3: legacy_compression_method is not 0.
    CompressionNotNull,
    /// §4.2.1: supported_versions selected something other than TLS 1.3.
    BadSelectedVersion(ProtocolVersion),
    /// §4.2.8: the server's key share is for a group we did not offer, or no share was sent.
    KeyShareGroupMismatch,
    /// §4.2.8: the server's key share is not a valid public key for its group.
    InvalidKeyShare,
    /// §4.1.4: a second HelloRetryRequest.
    SecondHelloRetry,
    /// §4.1.4: a HelloRetryRequest that would not change the ClientHello.
    UselessHelloRetry,
    /// §4.1.4: HelloRetryRequest asked for a group we did not offer in supported_groups.
    RetryGroupNotOffered(NamedGroup),
    /// RFC 8449 §4: a record_size_limit below 64.
    BadRecordSizeLimit,
    /// RFC 6066 §4: a max_fragment_length answer other than the one requested.
    BadMaxFragmentLength,
    /// §4.2.11: selected_identity is not an identity we offered.
    PskIdentityOutOfRange(u16),
    /// §4.2.11: the server selected our PSK with a suite of another hash.
    PskSuiteMismatch,
    /// §4.2: an extension we did not offer (unsupported_extension).
    UnsolicitedExtension(u16),
    /// §4.2: an extension not allowed in this message (illegal_parameter).
    ExtensionNotAllowedHere(u16),
    /// §4.2: the same extension twice in one message.
    DuplicateExtension(u16),
    /// RFC 7301 §3.2: ALPN answer is not one protocol we offered.
    BadAlpn,
    /// §4.4.2: the server's certificate_request_context is not empty.
    NonEmptyCertificateContext,
    /// §4.4.3: CertificateVerify uses a scheme we did not offer or that does not fit the key.
    BadSignatureScheme(SignatureScheme),
    /// §5.1: a handshake message spans a key change.
    DataBeforeKeyChange,
    /// §5.1: a handshake record with zero length.
    EmptyHandshakeRecord,
    /// §5.4: a protected record with no non-zero content type (all padding).
    NoContentType,
    /// §5: change_cipher_spec with a body other than 0x01, or after the handshake.
    BadChangeCipherSpec,
    /// §5: a plaintext record after encryption started, or a bad record version.
    UnprotectedRecord,
    /// §5.1: an alert record that is not exactly two bytes, or an unknown content type.
    BadRecord,
    /// §4.6.3: a KeyUpdate with a value other than 0 or 1.
    BadKeyUpdate,
    /// RFC 5746 §3.4: renegotiation_info in the initial ServerHello is not empty.
    BadRenegotiationInfo,
    /// RFC 8422 §5.4: ServerKeyExchange names a group the client did not offer.
    UnofferedGroup(NamedGroup),
    /// RFC 5246 §7.4.1.3: ServerHello echoes a session ID for a session the client did not offer.
    UnofferedResumption,
    /// RFC 5246 §7.4.1.3, RFC 7627 §5.3: a resumed session changed its cipher
    /// suite or dropped the extended master secret.
    ResumedSessionChanged,
    /// RFC 8422 §5.2: ec_point_formats without the uncompressed format.
    BadEcPointFormats,
}

/// Why the server and this client cannot agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Incompatibility {
    /// The server chose this protocol version, which this configuration does not allow.
    Version(ProtocolVersion),
    /// The TLS 1.2 server does not support the extended master secret (RFC 7627).
    ExtendedMasterSecret,
    /// The TLS 1.2 server does not support secure renegotiation (RFC 5746).
    SecureRenegotiation,
}

impl Error {
    /// The alert sent to the peer for this error, if any (RFC 8446 §6.2).
    pub fn alert(&self) -> Option<AlertDescription> {
        use AlertDescription as A;
        Some(match self {
            Error::Decode { .. } => A::DecodeError,
            Error::UnexpectedMessage { .. } => A::UnexpectedMessage,
            Error::PeerMisbehaved(m) => match m {
                Misbehavior::UnsolicitedExtension(_) => A::UnsupportedExtension,
                Misbehavior::DataBeforeKeyChange
                | Misbehavior::EmptyHandshakeRecord
                | Misbehavior::NoContentType
                | Misbehavior::BadChangeCipherSpec
                | Misbehavior::UnprotectedRecord
                | Misbehavior::BadRecord => A::UnexpectedMessage,
                Misbehavior::BadKeyUpdate => A::IllegalParameter,
                Misbehavior::DuplicateExtension(_) => A::DecodeError,
                Misbehavior::BadAlpn => A::NoApplicationProtocol,
                Misbehavior::BadRenegotiationInfo => A::HandshakeFailure,
                _ => A::IllegalParameter,
            },
            Error::Incompatible(Incompatibility::Version(_)) => A::ProtocolVersion,
            Error::Incompatible(_) => A::HandshakeFailure,
            Error::Certificate(c) => c.alert(),
            Error::BadSignature { .. } | Error::BadFinished => A::DecryptError,
            Error::ServerKey(_) => A::UnsupportedCertificate,
            Error::BadRecordMac => A::BadRecordMac,
            Error::RecordOverflow { .. } => A::RecordOverflow,
            Error::ReceiveBufferTooSmall { .. } | Error::SendBufferTooSmall { .. } => A::InternalError,
            Error::SequenceExhausted | Error::Config(_) => A::InternalError,
            Error::PskRefused { alert: None } => A::HandshakeFailure,
            Error::MissingExtension(_) => A::MissingExtension,
            Error::Signer(_) => A::InternalError,
            Error::ClientAuthRejected { .. } => return None,
            Error::PskRefused { alert: Some(_) }
            | Error::TicketRefused(_)
            | Error::AlertReceived(_)
            | Error::Truncated
            | Error::Closed
            | Error::Api(_) => return None,
        })
    }
}

impl From<crate::codec::DecodeError> for Error {
    fn from(e: crate::codec::DecodeError) -> Self {
        Error::Decode { what: e.0 }
    }
}

impl From<CertError> for Error {
    fn from(e: CertError) -> Self {
        Error::Certificate(e)
    }
}

impl From<Misbehavior> for Error {
    fn from(m: Misbehavior) -> Self {
        Error::PeerMisbehaved(m)
    }
}

impl fmt::Display for Received {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Received::Handshake(t) => write!(f, "a {t} message"),
            Received::Record(t) => write!(f, "a {t} record"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Decode { what } => write!(
                f,
                "the server sent a malformed {what}; this is a server bug or data corrupted in transit (alert decode_error sent)"
            ),
            Error::UnexpectedMessage { expected, got } => write!(
                f,
                "the server sent {got} while the handshake expected {expected} (RFC 8446 §4, RFC 5246 §7.3); the server may be misconfigured or not speak TLS 1.2/1.3"
            ),
            Error::PeerMisbehaved(m) => write!(f, "the server broke a protocol rule: {m}"),
            Error::Incompatible(i) => write!(f, "{i}"),
            Error::Certificate(c) => write!(f, "server certificate refused: {c}"),
            Error::ServerKey(e) => write!(f, "the server certificate's public key cannot be used: {e}"),
            Error::BadSignature { scheme, key } => write!(
                f,
                "the server's CertificateVerify signature ({scheme}) does not verify with the {key} key in its certificate: the server does not hold that certificate's private key, or the handshake was tampered with"
            ),
            Error::BadFinished => f.write_str(
                "the server's Finished message does not match the handshake (RFC 8446 §4.4.4): the handshake was tampered with, or client and server derived different keys",
            ),
            Error::BadRecordMac => f.write_str(
                "a record from the server failed authentication (bad_record_mac): it was corrupted or tampered with in transit; no data from it was released",
            ),
            Error::RecordOverflow { size, limit } => write!(
                f,
                "the server sent a record of {size} bytes, more than the {limit} bytes allowed (RFC 8446 §5.1/§5.2, or the record_size_limit / max_fragment_length it agreed to, RFC 8449 / RFC 6066); the server ignores the negotiated limit: give the Client a receive buffer of 16 645 bytes or more"
            ),
            Error::ReceiveBufferTooSmall { needed, capacity } => write!(
                f,
                "a record from the server needs {needed} bytes of receive buffer but the buffer has {capacity}; give the Client a larger receive buffer (16 645 bytes holds any TLS record) or negotiate a smaller fragment length"
            ),
            Error::SendBufferTooSmall { needed, capacity } => write!(
                f,
                "a handshake message needs {needed} bytes of send buffer but the buffer has {capacity}; give the Client a larger send buffer"
            ),
            Error::MissingExtension(e) => {
                write!(f, "the server's message lacks the required {e} extension (RFC 8446 §4.2)")
            }
            Error::Signer(e) => write!(f, "signing the client CertificateVerify failed: {e}"),
            Error::ClientAuthRejected { alert, sent_certificate, configured, issuer } => {
                client_auth_hint(f, *alert, *sent_certificate, *configured, issuer)
            }
            Error::TicketRefused(a) => write!(
                f,
                "the server refused the resumption attempt with alert {a}: the stored session ticket is damaged or not valid for this server; discard it and connect without it (a full handshake)"
            ),
            Error::PskRefused { alert } => {
                f.write_str("the server did not accept the pre-shared key")?;
                if let Some(a) = alert {
                    write!(f, " (it answered with alert {a})")?;
                }
                if *alert == Some(AlertDescription::MissingExtension) {
                    // RFC 8446 §4.2.9: a psk_ke hello has no key_share.
                    f.write_str("; if the PSK is in psk_ke mode the server may require (EC)DHE: use PskMode::DheKe")?;
                }
                f.write_str(
                    ": check that the PSK identity and key match the server's (e.g. the line for this identity in mosquitto's psk_file), and that the server has PSK enabled (TLS 1.3, or TLS 1.2 PSK cipher suites)",
                )
            }
            Error::AlertReceived(a) => write!(f, "the server sent a fatal alert: {a}{}", alert_hint(*a)),
            Error::Truncated => f.write_str(
                "the connection was closed without a TLS close_notify: the data may be incomplete (truncation), or the server or a middlebox dropped the connection",
            ),
            Error::Closed => f.write_str("the connection is closed; open a new one"),
            Error::SequenceExhausted => f.write_str("2^64 records were sent under one key; the connection must be re-established"),
            Error::Config(s) => write!(f, "invalid configuration: {s}"),
            Error::Api(s) => write!(f, "API misuse: {s}"),
        }
    }
}

fn client_auth_hint(
    f: &mut fmt::Formatter<'_>,
    alert: AlertDescription,
    sent: bool,
    configured: bool,
    issuer: &str,
) -> fmt::Result {
    write!(f, "the server rejected the client authentication (alert {alert}): ")?;
    match (alert, sent) {
        (_, false) if configured => f.write_str(
            "no configured client certificate fits the server's request, so none was sent: the server accepts only certificates issued by the CAs it listed (certificate_authorities) and signed with the schemes it listed; use a certificate from one of those CAs",
        ),
        (AlertDescription::CertificateRequired, _) | (_, false) => f.write_str(
            "the server requires a client certificate; configure one with ClientConfig::with_client_identities (a certificate the server's CA issued, and its key)",
        ),
        (AlertDescription::UnknownCa, true) => write!(
            f,
            "the server does not trust the issuer of your certificate (issuer: {}); add that CA to the server's client CA file, or use a certificate issued by a CA it trusts",
            if issuer.is_empty() { "unknown" } else { issuer }
        ),
        (AlertDescription::CertificateExpired, true) => {
            f.write_str("your client certificate has expired (or is not yet valid) by the server's clock; renew it")
        }
        (AlertDescription::DecryptError, true) => f.write_str(
            "the server could not verify your CertificateVerify signature: the private key does not match the certificate, or the signer produced a bad signature",
        ),
        _ => write!(
            f,
            "the server refused your certificate (issuer: {}); check its key usage, extended key usage (clientAuth) and chain",
            if issuer.is_empty() { "unknown" } else { issuer }
        ),
    }
}

fn alert_hint(a: AlertDescription) -> &'static str {
    match a {
        AlertDescription::HandshakeFailure => {
            " (no cipher suite, group or signature scheme in common: check the server's TLS settings against ClientConfig's suites and groups)"
        }
        AlertDescription::ProtocolVersion => " (the server does not accept the offered TLS version)",
        AlertDescription::UnrecognizedName => " (the server does not know the server name (SNI) sent; check the host name)",
        AlertDescription::NoApplicationProtocol => " (none of the ALPN protocols offered is accepted by the server)",
        AlertDescription::CertificateRequired => " (the server requires a client certificate)",
        AlertDescription::DecryptError | AlertDescription::BadRecordMac => {
            " (the server could not verify our handshake or records: keys differ, e.g. a wrong pre-shared key)"
        }
        AlertDescription::UnknownPskIdentity => " (the server does not know the PSK identity sent)",
        _ => "",
    }
}

impl fmt::Display for Misbehavior {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Misbehavior as M;
        match self {
            M::DowngradeSentinel => f.write_str(
                "its ServerHello.random carries the downgrade sentinel although TLS 1.3 was offered (RFC 8446 §4.1.3): an attacker may be forcing an older version",
            ),
            M::SessionIdMismatch => f.write_str("legacy_session_id_echo differs from the session id sent (RFC 8446 §4.1.3)"),
            M::UnofferedCipherSuite(s) => write!(f, "it chose cipher suite {s}, which was not offered (RFC 8446 §4.1.3)"),
            M::SuiteChangedAfterRetry => f.write_str("ServerHello's cipher suite differs from HelloRetryRequest's (RFC 8446 §4.1.4)"),
            M::CompressionNotNull => f.write_str("legacy_compression_method is not 0 (RFC 8446 §4.1.3)"),
            M::BadSelectedVersion(v) => write!(f, "supported_versions selected {v}, not TLSv1.3 (RFC 8446 §4.2.1)"),
            M::KeyShareGroupMismatch => f.write_str("its key share is missing or not for the group offered (RFC 8446 §4.2.8)"),
            M::InvalidKeyShare => f.write_str("its key share is not a valid public key for the group (RFC 8446 §4.2.8)"),
            M::SecondHelloRetry => f.write_str("it sent a second HelloRetryRequest (RFC 8446 §4.1.4)"),
            M::UselessHelloRetry => f.write_str("its HelloRetryRequest would not change the ClientHello (RFC 8446 §4.1.4)"),
            M::RetryGroupNotOffered(g) => write!(f, "its HelloRetryRequest asks for group {g}, which was not offered (RFC 8446 §4.1.4)"),
            M::BadRecordSizeLimit => f.write_str("its record_size_limit is below the minimum of 64 (RFC 8449 §4)"),
            M::BadMaxFragmentLength => {
                f.write_str("its max_fragment_length answer differs from the length requested (RFC 6066 §4)")
            }
            M::PskIdentityOutOfRange(i) => {
                write!(f, "it selected PSK identity {i}, but only one was offered (RFC 8446 §4.2.11)")
            }
            M::PskSuiteMismatch => {
                f.write_str("it accepted the PSK with a cipher suite of a different hash (RFC 8446 §4.2.11)")
            }
            M::UnsolicitedExtension(t) => write!(
                f,
                "it sent extension {} which the client did not offer (RFC 8446 §4.2)",
                crate::msgs::enums::ExtensionType::from_wire(*t)
            ),
            M::ExtensionNotAllowedHere(t) => write!(
                f,
                "extension {} is not allowed in that message (RFC 8446 §4.2)",
                crate::msgs::enums::ExtensionType::from_wire(*t)
            ),
            M::DuplicateExtension(t) => write!(
                f,
                "extension {} appears twice in one message (RFC 8446 §4.2)",
                crate::msgs::enums::ExtensionType::from_wire(*t)
            ),
            M::BadAlpn => f.write_str("its ALPN answer is not exactly one of the protocols offered (RFC 7301 §3.2)"),
            M::NonEmptyCertificateContext => {
                f.write_str("its Certificate has a non-empty certificate_request_context (RFC 8446 §4.4.2)")
            }
            M::BadSignatureScheme(s) => write!(
                f,
                "its CertificateVerify uses {s}, which was not offered or does not fit its certificate's key (RFC 8446 §4.4.3)"
            ),
            M::DataBeforeKeyChange => f.write_str("a handshake message is split across a key change (RFC 8446 §5.1)"),
            M::EmptyHandshakeRecord => f.write_str("it sent an empty handshake record (RFC 8446 §5.1)"),
            M::NoContentType => f.write_str("a protected record has no content type (RFC 8446 §5.4)"),
            M::BadChangeCipherSpec => f.write_str("an invalid or late change_cipher_spec record (RFC 8446 §5)"),
            M::UnprotectedRecord => f.write_str("an unprotected record after encryption started, or a bad record header (RFC 8446 §5)"),
            M::BadRecord => f.write_str("a malformed record or unknown content type (RFC 8446 §5.1)"),
            M::BadKeyUpdate => f.write_str("a KeyUpdate with an invalid request_update value (RFC 8446 §4.6.3)"),
            M::BadRenegotiationInfo => {
                f.write_str("its renegotiation_info is not empty in an initial handshake (RFC 5746 §3.4)")
            }
            M::UnofferedGroup(g) => {
                write!(f, "its ServerKeyExchange uses group {g}, which was not offered (RFC 8422 §5.4)")
            }
            M::UnofferedResumption => f.write_str(
                "its ServerHello resumes a session (echoes the session ID) although none was offered (RFC 5246 §7.4.1.3)",
            ),
            M::ResumedSessionChanged => f.write_str(
                "it resumed the session with another cipher suite or without the extended master secret (RFC 5246 §7.4.1.3, RFC 7627 §5.3)",
            ),
            M::BadEcPointFormats => {
                f.write_str("its ec_point_formats lacks the uncompressed format (RFC 8422 §5.2)")
            }
        }
    }
}

impl fmt::Display for Incompatibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Incompatibility::Version(v @ (ProtocolVersion::Tls12 | ProtocolVersion::Tls13)) => write!(
                f,
                "the server chose {v}, which this client configuration does not allow: add it with ClientConfig::with_versions, or enable another version on the server"
            ),
            Incompatibility::Version(v) => write!(
                f,
                "the server chose {v}, which is obsolete and never accepted (only TLS 1.2 and 1.3 are); enable TLS 1.2 or 1.3 on the server"
            ),
            Incompatibility::ExtendedMasterSecret => f.write_str(
                "the TLS 1.2 server does not support the extended master secret (RFC 7627), without which a man in the middle can synchronize two sessions' keys; upgrade or reconfigure the server (or, if it cannot be, accept the risk with ClientConfig::danger_allow_tls12_without_extended_master_secret)",
            ),
            Incompatibility::SecureRenegotiation => f.write_str(
                "the TLS 1.2 server does not support secure renegotiation (RFC 5746, renegotiation_info); it is too old or misconfigured: upgrade it or enable TLS 1.3",
            ),
        }
    }
}

impl core::error::Error for Error {}
