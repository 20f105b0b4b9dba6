//! Every way a connection can fail, each with the alert it sends
//! (RFC 8446 §6) and a message that says what to do.

use core::fmt;

use crate::msgs::enums::{
    AlertDescription, CipherSuite, ContentType, HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme,
};
use crate::msgs::extensions::{ExtensionSetError, ExtensionsError};
use crate::x509::CertError;

/// Things a server can send cheaply that carry no progress, each allowed
/// only a few times in a row ([`Flood::limit`]); one more ends the
/// connection with [`Misbehavior::Flood`] and alert unexpected_message (RFC
/// 8446 §6.2, RFC 5246 §7.2.2: "an inappropriate message"). Each is legal
/// alone; an endless run of them is not a TLS peer but a way to keep the
/// client busy (issue 13.2). `openssl s_client` refuses the same floods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Flood {
    /// TLS 1.3 change_cipher_spec records before the server's Finished
    /// (RFC 8446 §5). Counted for the whole handshake.
    ChangeCipherSpec,
    /// TLS 1.2 warning alerts (RFC 5246 §7.2), and user_canceled in either version.
    WarningAlert,
    /// Application data records with no content (RFC 8446 §5.4, RFC 5246 §6.2.1).
    EmptyRecord,
    /// KeyUpdate messages (RFC 8446 §4.6.3).
    KeyUpdate,
    /// TLS 1.2 HelloRequests (RFC 5246 §7.4.1.1), ignored while negotiating
    /// and answered with no_renegotiation afterwards (RFC 5746 §4.2).
    HelloRequest,
    /// NewSessionTickets of lifetime 0, dropped unseen (RFC 8446 §4.6.1).
    DiscardedTicket,
}

impl Flood {
    /// How many in a row are accepted. Except for change_cipher_spec, the
    /// count starts again at every handshake message that moves the
    /// handshake on and at every application data record with content.
    ///
    /// - change_cipher_spec: 2, one per server flight before Finished (after
    ///   HelloRetryRequest and after ServerHello); RFC 8446 App. D.4 has a
    ///   server send one.
    /// - warning alerts: 4; a server sends at most one or two (e.g.
    ///   unrecognized_name, no_renegotiation). OpenSSL allows 5.
    /// - empty records: 32, OpenSSL's limit; some TLS 1.0-era stacks sent
    ///   one before each data record, none sends runs of them.
    /// - KeyUpdate: 16; a server updates once per millions of records, or
    ///   once when asked ([`crate::Client::update_keys`] starts the count again).
    /// - HelloRequest: 4; a server that wants to renegotiate asks once and
    ///   gets no_renegotiation.
    /// - tickets of lifetime 0: 16; servers send one to four tickets after a handshake.
    pub const fn limit(self) -> u8 {
        match self {
            Flood::ChangeCipherSpec => 2,
            Flood::WarningAlert | Flood::HelloRequest => 4,
            Flood::EmptyRecord => 32,
            Flood::KeyUpdate | Flood::DiscardedTicket => 16,
        }
    }
}

impl core::fmt::Display for Flood {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Flood::ChangeCipherSpec => "change_cipher_spec records before its Finished (RFC 8446 §5)",
            Flood::WarningAlert => "warning alerts (RFC 5246 §7.2)",
            Flood::EmptyRecord => "empty application data records (RFC 8446 §5.4)",
            Flood::KeyUpdate => "KeyUpdate messages (RFC 8446 §4.6.3)",
            Flood::HelloRequest => "HelloRequest messages (RFC 5246 §7.4.1.1)",
            Flood::DiscardedTicket => "NewSessionTickets of lifetime 0 (RFC 8446 §4.6.1)",
        })
    }
}

/// Why a signer could not sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SignError {
    /// The signer does not support this scheme.
    UnsupportedScheme,
    /// The output buffer is too small.
    BufferTooSmall,
    /// The device (secure element, DS peripheral, ...) failed; its own reason.
    Device(&'static str),
}

impl core::fmt::Display for SignError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SignError::UnsupportedScheme => f.write_str("the signer does not support the scheme"),
            SignError::BufferTooSmall => f.write_str("the signature buffer is too small"),
            SignError::Device(r) => write!(f, "the signing device failed: {r}"),
        }
    }
}

/// Why a public key or a signature was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SignatureError {
    /// The SubjectPublicKeyInfo or certificate could not be parsed.
    MalformedKey,
    /// The key type is not supported (name of the type).
    UnsupportedKey(&'static str),
    /// RSA modulus smaller than allowed (bits found, bits required).
    RsaKeyTooSmall(u32, u32),
    /// The signature algorithm does not fit this key (e.g. ECDSA scheme, RSA key).
    WrongAlgorithmForKey,
    /// The signature did not verify.
    BadSignature,
}

impl core::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SignatureError::MalformedKey => f.write_str("the public key or certificate is malformed"),
            SignatureError::UnsupportedKey(k) => write!(
                f,
                "{k} keys are not supported; use a server certificate with an ECDSA P-256/P-384 or RSA (2048+ bit) key"
            ),
            SignatureError::RsaKeyTooSmall(bits, min) => write!(
                f,
                "the RSA key has {bits} bits, fewer than the {min} required; the server needs a larger key (or lower ClientConfig::with_min_rsa_bits, which weakens security)"
            ),
            SignatureError::WrongAlgorithmForKey => f.write_str("the signature algorithm does not fit the key type"),
            SignatureError::BadSignature => f.write_str("the signature does not verify"),
        }
    }
}

/// A connection error. After one is returned the connection is closed
/// for good and returns the same error again; the alert it implies (see
/// [`Error::alert`]) has been queued for sending.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
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
    /// The server's certificate chain was refused; the [`CertError`] says why
    /// (read it through [`CertRefusal`]'s `Deref`).
    Certificate(CertRefusal),
    /// The server certificate's public key cannot be used (type, size or encoding).
    ServerKey(SignatureError),
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
    Signer(SignError),
    /// The server rejected the client's certificate (or its absence) with this alert.
    ClientAuthRejected {
        /// The server's alert.
        alert: AlertDescription,
        /// The index in [`ClientConfig::client_identities`](crate::ClientConfig)
        /// of the identity whose certificate was sent; `None`: no certificate
        /// was sent. [`ClientIdentity::issuer_common_name`](crate::ClientIdentity::issuer_common_name)
        /// names its issuer.
        sent_identity: Option<usize>,
        /// Whether client identities were configured (so false with `sent_identity`
        /// `None` means none fit the server's CA list or signature algorithms).
        configured: bool,
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
    /// The AEAD usage limit of one key was reached (RFC 8446 §5.5,
    /// ⌊2^24.5⌋ records) where keys cannot change: our
    /// sending key in TLS 1.2, or a server that kept its key (close_notify sent).
    KeyUsageLimit {
        /// True if the server's records reached the limit, false if ours did.
        by_peer: bool,
    },
    /// The configuration cannot be used (the text says which setting).
    Config(&'static str),
    /// The random generator gave no usable private key in this many draws
    /// (4): it is broken or not seeded.
    RandomFailed {
        /// Draws made.
        tries: u8,
    },
    /// A `Client` method was called at a point where it is not allowed.
    Api(&'static str),
    /// A state the engine rules out was reached: a bug in embertls (the text
    /// says which check). Sends internal_error (RFC 8446 §6.2).
    Internal(&'static str),
}

/// What arrived, for [`Error::UnexpectedMessage`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Received {
    /// A handshake message.
    Handshake(HandshakeType),
    /// A record of this content type.
    Record(ContentType),
}

/// A broken protocol rule, named after the RFC text it breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
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
    /// RFC 8449 §5: both max_fragment_length and record_size_limit in the answer.
    BothRecordSizeLimits,
    /// More of one kind of message that carries no progress than
    /// [`Flood::limit`](Flood::limit) allows in a row.
    Flood(Flood),
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
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
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
                | Misbehavior::BadRecord
                | Misbehavior::SecondHelloRetry
                | Misbehavior::Flood(_) => A::UnexpectedMessage,
                Misbehavior::BadKeyUpdate => A::IllegalParameter,
                Misbehavior::DuplicateExtension(_) => A::DecodeError,
                Misbehavior::BadAlpn => A::NoApplicationProtocol,
                Misbehavior::BadRenegotiationInfo => A::HandshakeFailure,
                Misbehavior::DowngradeSentinel
                | Misbehavior::SessionIdMismatch
                | Misbehavior::UnofferedCipherSuite(_)
                | Misbehavior::SuiteChangedAfterRetry
                | Misbehavior::CompressionNotNull
                | Misbehavior::BadSelectedVersion(_)
                | Misbehavior::KeyShareGroupMismatch
                | Misbehavior::InvalidKeyShare
                | Misbehavior::UselessHelloRetry
                | Misbehavior::RetryGroupNotOffered(_)
                | Misbehavior::BadRecordSizeLimit
                | Misbehavior::BadMaxFragmentLength
                | Misbehavior::BothRecordSizeLimits
                | Misbehavior::PskIdentityOutOfRange(_)
                | Misbehavior::PskSuiteMismatch
                | Misbehavior::ExtensionNotAllowedHere(_)
                | Misbehavior::NonEmptyCertificateContext
                | Misbehavior::BadSignatureScheme(_)
                | Misbehavior::UnofferedGroup(_)
                | Misbehavior::UnofferedResumption
                | Misbehavior::ResumedSessionChanged
                | Misbehavior::BadEcPointFormats => A::IllegalParameter,
            },
            Error::Incompatible(Incompatibility::Version(_)) => A::ProtocolVersion,
            Error::Incompatible(Incompatibility::ExtendedMasterSecret | Incompatibility::SecureRenegotiation) => {
                A::HandshakeFailure
            }
            Error::Certificate(c) => c.alert(),
            Error::BadSignature { .. } | Error::BadFinished => A::DecryptError,
            Error::ServerKey(_) => A::UnsupportedCertificate,
            Error::BadRecordMac => A::BadRecordMac,
            Error::RecordOverflow { .. } => A::RecordOverflow,
            Error::ReceiveBufferTooSmall { .. } | Error::SendBufferTooSmall { .. } => A::InternalError,
            Error::SequenceExhausted | Error::Config(_) | Error::Internal(_) | Error::RandomFailed { .. } => {
                A::InternalError
            }
            // No alert of RFC 8446 §6 names this: the connection ends in order.
            Error::KeyUsageLimit { .. } => A::CloseNotify,
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

impl From<ExtensionsError> for Error {
    fn from(e: ExtensionsError) -> Self {
        match e {
            ExtensionsError::Decode(d) => d.into(),
            ExtensionsError::Duplicate(t) => Misbehavior::DuplicateExtension(t).into(),
        }
    }
}

/// §4.2: unsupported_extension for an answer to nothing asked,
/// illegal_parameter for a type the message may not carry.
impl From<ExtensionSetError> for Error {
    fn from(e: ExtensionSetError) -> Self {
        match e {
            ExtensionSetError::Malformed(e) => e.into(),
            ExtensionSetError::Unsolicited(t) => Misbehavior::UnsolicitedExtension(t).into(),
            ExtensionSetError::NotAllowed { extension, .. } => Misbehavior::ExtensionNotAllowedHere(extension).into(),
        }
    }
}

impl From<crate::codec::DecodeError> for Error {
    fn from(e: crate::codec::DecodeError) -> Self {
        Error::Decode { what: e.0 }
    }
}

impl From<CertError> for Error {
    fn from(e: CertError) -> Self {
        Error::Certificate(CertRefusal::from(e))
    }
}

// Issue 12: a small `Error`, so every `Result<_, Error>` in the handshake's
// frames stays small (x86_64: 80 bytes before; strings live behind pointers or
// are produced on demand). Without `alloc` the pin variant (a SHA-256 inline) is the largest.
#[cfg(all(target_pointer_width = "64", feature = "alloc"))]
const _: () = assert!(core::mem::size_of::<Error>() <= 32);
#[cfg(all(target_pointer_width = "64", not(feature = "alloc")))]
const _: () = assert!(core::mem::size_of::<Error>() <= 48);

/// The [`CertError`] in [`Error::Certificate`], kept behind a pointer where
/// `alloc` exists so that every `Result<_, Error>` stays small (issue 12: the
/// common `Result` carries no inline strings). Read it through `Deref`:
/// `if let Error::Certificate(c) = &e { match &**c { CertError::Expired { .. } => .. } }`.
#[derive(Clone, PartialEq, Eq)]
pub struct CertRefusal(
    #[cfg(feature = "alloc")] alloc::boxed::Box<CertError>,
    #[cfg(not(feature = "alloc"))] CertError,
);

impl From<CertError> for CertRefusal {
    fn from(e: CertError) -> Self {
        #[cfg(feature = "alloc")]
        let e = alloc::boxed::Box::new(e);
        CertRefusal(e)
    }
}

impl CertRefusal {
    /// The [`CertError`] itself, moved out.
    pub fn into_inner(self) -> CertError {
        #[cfg(feature = "alloc")]
        return *self.0;
        #[cfg(not(feature = "alloc"))]
        return self.0;
    }
}

impl core::ops::Deref for CertRefusal {
    type Target = CertError;
    fn deref(&self) -> &CertError {
        &self.0
    }
}

impl PartialEq<CertError> for CertRefusal {
    fn eq(&self, other: &CertError) -> bool {
        **self == *other
    }
}

impl fmt::Debug for CertRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl fmt::Display for CertRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for CertRefusal {
    fn format(&self, f: defmt::Formatter<'_>) {
        // Through `write!`: a derived `format` called directly starts a frame of its own.
        defmt::write!(f, "{}", **self)
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
            Error::PeerMisbehaved(m) => write!(
                f,
                "the server broke a protocol rule: {m}; its TLS stack is faulty or the connection was tampered with: report it to the server's operator"
            ),
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
            Error::ClientAuthRejected { alert, sent_identity, configured } => {
                client_auth_hint(f, *alert, *sent_identity, *configured)
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
            Error::KeyUsageLimit { by_peer: false } => f.write_str(
                "the connection sent as many records under one key as AES-GCM safely allows (2^24.5, RFC 8446 §5.5), and TLS 1.2 cannot change keys: it was closed with close_notify; connect again (resuming the session is cheap), or use TLS 1.3, which changes keys by itself",
            ),
            Error::KeyUsageLimit { by_peer: true } => f.write_str(
                "the server sent more records under one key than AES-GCM safely allows (2^25, RFC 8446 §5.5) without changing it (TLS 1.3 KeyUpdate, asked for at 2^24.5); the connection was closed with close_notify; connect again",
            ),
            Error::Config(s) => write!(f, "invalid configuration: {s}"),
            Error::RandomFailed { tries } => write!(
                f,
                "the random generator gave no usable private key in {tries} draws (all zero or out of range): it is broken or not seeded; check the generator passed to Client::new (e.g. a hardware RNG that is not enabled)"
            ),
            Error::Api(s) => write!(f, "API misuse: {s}"),
            Error::Internal(s) => write!(
                f,
                "internal error in embertls ({s}): this is a bug, not a fault of the server or the configuration; please report it with the steps that led to it (alert internal_error sent)"
            ),
        }
    }
}

fn client_auth_hint(
    f: &mut fmt::Formatter<'_>,
    alert: AlertDescription,
    sent_identity: Option<usize>,
    configured: bool,
) -> fmt::Result {
    write!(f, "the server rejected the client authentication (alert {alert}): ")?;
    match (alert, sent_identity) {
        (_, None) if configured => f.write_str(
            "no configured client certificate fits the server's request, so none was sent: the server accepts only certificates issued by the CAs it listed (certificate_authorities) and signed with the schemes it listed; use a certificate from one of those CAs",
        ),
        (AlertDescription::CertificateRequired, _) | (_, None) => f.write_str(
            "the server requires a client certificate; configure one with ClientConfig::with_client_identities (a certificate the server's CA issued, and its key)",
        ),
        (AlertDescription::UnknownCa, Some(identity)) => write!(
            f,
            "the server does not trust the issuer of your certificate (client identity #{identity}; ClientIdentity::issuer_common_name names the issuer); add that CA to the server's client CA file, or use a certificate issued by a CA it trusts"
        ),
        (AlertDescription::CertificateExpired, Some(_)) => {
            f.write_str("your client certificate has expired (or is not yet valid) by the server's clock; renew it")
        }
        (AlertDescription::DecryptError, Some(_)) => f.write_str(
            "the server could not verify your CertificateVerify signature: the private key does not match the certificate, or the signer produced a bad signature",
        ),
        (_, Some(identity)) => write!(
            f,
            "the server refused your certificate (client identity #{identity}; ClientIdentity::issuer_common_name names its issuer); check its key usage, extended key usage (clientAuth) and chain"
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
            M::Flood(k) => write!(
                f,
                "it sent more than {} {k} in a row without progress; a hostile or broken server (or something in between): report it to the server's operator",
                k.limit()
            ),
            M::BothRecordSizeLimits => f.write_str(
                "it answered with both max_fragment_length and record_size_limit, which RFC 8449 §5 forbids",
            ),
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

/// One sample of every variant of `Error`, `Misbehavior`, `Incompatibility`
/// and `CertError` (issue 13 item 8): the alert it sends and a phrase of its
/// message saying what to do. `Error` and `CertError` are `#[non_exhaustive]`,
/// so only a test inside the crate can match them exhaustively: the `*_slot`
/// functions below stop compiling when a variant is added, and the test fails
/// until the new variant has a sample.
#[cfg(all(test, feature = "alloc"))]
mod catalogue {
    use super::*;
    use crate::msgs::enums::NamedGroup;
    use AlertDescription as A;

    fn error_slot(e: &Error) -> usize {
        match e {
            Error::Decode { .. } => 0,
            Error::UnexpectedMessage { .. } => 1,
            Error::PeerMisbehaved(_) => 2,
            Error::Incompatible(_) => 3,
            Error::Certificate(_) => 4,
            Error::ServerKey(_) => 5,
            Error::BadSignature { .. } => 6,
            Error::BadFinished => 7,
            Error::BadRecordMac => 8,
            Error::RecordOverflow { .. } => 9,
            Error::ReceiveBufferTooSmall { .. } => 10,
            Error::SendBufferTooSmall { .. } => 11,
            Error::MissingExtension(_) => 12,
            Error::Signer(_) => 13,
            Error::ClientAuthRejected { .. } => 14,
            Error::TicketRefused(_) => 15,
            Error::PskRefused { .. } => 16,
            Error::AlertReceived(_) => 17,
            Error::Truncated => 18,
            Error::Closed => 19,
            Error::SequenceExhausted => 20,
            Error::Config(_) => 21,
            Error::Api(_) => 22,
            Error::Internal(_) => 23,
            Error::KeyUsageLimit { .. } => 24,
            Error::RandomFailed { .. } => 25,
        }
    }
    const ERROR_SLOTS: usize = 26;

    fn misbehavior_slot(m: &Misbehavior) -> usize {
        use Misbehavior as M;
        match m {
            M::DowngradeSentinel => 0,
            M::SessionIdMismatch => 1,
            M::UnofferedCipherSuite(_) => 2,
            M::SuiteChangedAfterRetry => 3,
            M::CompressionNotNull => 4,
            M::BadSelectedVersion(_) => 5,
            M::KeyShareGroupMismatch => 6,
            M::InvalidKeyShare => 7,
            M::SecondHelloRetry => 8,
            M::UselessHelloRetry => 9,
            M::RetryGroupNotOffered(_) => 10,
            M::BadRecordSizeLimit => 11,
            M::BadMaxFragmentLength => 12,
            M::PskIdentityOutOfRange(_) => 13,
            M::PskSuiteMismatch => 14,
            M::UnsolicitedExtension(_) => 15,
            M::ExtensionNotAllowedHere(_) => 16,
            M::DuplicateExtension(_) => 17,
            M::BadAlpn => 18,
            M::NonEmptyCertificateContext => 19,
            M::BadSignatureScheme(_) => 20,
            M::DataBeforeKeyChange => 21,
            M::EmptyHandshakeRecord => 22,
            M::NoContentType => 23,
            M::BadChangeCipherSpec => 24,
            M::UnprotectedRecord => 25,
            M::BadRecord => 26,
            M::BadKeyUpdate => 27,
            M::BadRenegotiationInfo => 28,
            M::UnofferedGroup(_) => 29,
            M::UnofferedResumption => 30,
            M::ResumedSessionChanged => 31,
            M::BadEcPointFormats => 32,
            M::BothRecordSizeLimits => 33,
            M::Flood(_) => 34,
        }
    }
    const MISBEHAVIOR_SLOTS: usize = 35;

    fn incompatibility_slot(i: &Incompatibility) -> usize {
        match i {
            Incompatibility::Version(_) => 0,
            Incompatibility::ExtendedMasterSecret => 1,
            Incompatibility::SecureRenegotiation => 2,
        }
    }

    fn cert_slot(c: &CertError) -> usize {
        match c {
            CertError::NoCertificate => 0,
            CertError::NotTrusted { .. } => 1,
            CertError::NoClock => 2,
            CertError::PinMismatch { .. } => 3,
            CertError::BadPin { .. } => 4,
            CertError::Malformed { .. } => 5,
            CertError::Inconsistent { .. } => 6,
            CertError::Expired { .. } => 7,
            CertError::NotYetValid { .. } => 8,
            CertError::NameMismatch { .. } => 9,
            CertError::InvalidServerName { .. } => 10,
            CertError::UnknownIssuer { .. } => 11,
            CertError::BadSignature { .. } => 12,
            CertError::AnchorKeyMismatch { .. } => 13,
            CertError::WeakSignatureAlgorithm { .. } => 14,
            CertError::UnsupportedSignatureAlgorithm { .. } => 15,
            CertError::UnsupportedKey { .. } => 16,
            CertError::KeySize { .. } => 17,
            CertError::NotCa { .. } => 18,
            CertError::PathLenExceeded { .. } => 19,
            CertError::MissingKeyUsage { .. } => 20,
            CertError::NoServerAuth { .. } => 21,
            CertError::UnknownCriticalExtension { .. } => 22,
            CertError::NameConstraintViolated { .. } => 23,
            CertError::PathTooLong { .. } => 24,
            CertError::TooManySignatureChecks { .. } => 25,
            CertError::BadAnchor { .. } => 26,
            CertError::Violation { .. } => 27,
            CertError::NameConstraintBudget { .. } => 28,
        }
    }
    const CERT_SLOTS: usize = 29;

    fn check(msg: &str, what_to_do: &str) {
        assert!(msg.len() > 20 && msg.contains(what_to_do), "{what_to_do:?} missing from: {msg}");
    }

    fn seen_all(seen: &[bool], what: &str) {
        let missing: alloc::vec::Vec<usize> = (0..seen.len()).filter(|i| !seen[*i]).collect();
        assert!(missing.is_empty(), "{what}: no sample for slots {missing:?}");
    }

    /// Each branch of the client-authentication message: the identity sent
    /// is named by its index, its issuer on demand (issue 12: no inline string).
    #[test]
    fn client_auth_rejection_says_which_identity_and_what_to_do() {
        let e = |alert, sent_identity, configured| Error::ClientAuthRejected { alert, sent_identity, configured };
        let cases = [
            (e(A::HandshakeFailure, None, true), "none was sent"),
            (e(A::HandshakeFailure, None, false), "with_client_identities"),
            (e(A::CertificateRequired, Some(1), true), "requires a client certificate"),
            (e(A::UnknownCa, Some(1), true), "client identity #1; ClientIdentity::issuer_common_name"),
            (e(A::CertificateExpired, Some(0), true), "renew it"),
            (e(A::DecryptError, Some(0), true), "private key does not match"),
            (e(A::BadCertificate, Some(2), true), "client identity #2"),
        ];
        for (err, todo) in cases {
            assert_eq!(err.alert(), None, "{err:?}: the server's alert ended the connection");
            check(&alloc::format!("{err}"), todo);
        }
    }

    /// `Error::Certificate` keeps its `CertError` behind a pointer: the same
    /// error, message and alert through `Deref`, and 8 bytes in `Error`.
    #[test]
    fn a_certificate_refusal_reads_through_deref() {
        let cert = CertError::NotTrusted { reason: "no trust anchor" };
        let e = Error::from(cert.clone());
        let Error::Certificate(c) = &e else { panic!("{e:?}") };
        assert_eq!(**c, cert);
        assert_eq!(*c, cert);
        assert_eq!(alloc::format!("{c}"), alloc::format!("{cert}"));
        assert_eq!(alloc::format!("{c:?}"), alloc::format!("{cert:?}"));
        assert_eq!(e.alert(), Some(cert.alert()));
        assert_eq!(c.clone().into_inner(), cert);
        assert_eq!(core::mem::size_of::<CertRefusal>(), core::mem::size_of::<usize>());
    }

    #[test]
    fn every_error_variant_has_an_alert_and_says_what_to_do() {
        let samples: [(Error, Option<A>, &str); ERROR_SLOTS] = [
            (Error::Decode { what: "ServerHello" }, Some(A::DecodeError), "server bug"),
            (
                Error::UnexpectedMessage { expected: "ServerHello", got: Received::Record(ContentType::Alert) },
                Some(A::UnexpectedMessage),
                "misconfigured",
            ),
            (Misbehavior::BadRecord.into(), Some(A::UnexpectedMessage), "report it"),
            (Error::Incompatible(Incompatibility::ExtendedMasterSecret), Some(A::HandshakeFailure), "upgrade"),
            (Error::Certificate(CertError::NoClock.into()), Some(A::CertificateUnknown), "pass the time"),
            (Error::ServerKey(SignatureError::RsaKeyTooSmall(1024, 2048)), Some(A::UnsupportedCertificate), "2048"),
            (
                Error::BadSignature { scheme: SignatureScheme::EcdsaSecp256r1Sha256, key: "ECDSA P-256" },
                Some(A::DecryptError),
                "does not hold",
            ),
            (Error::BadFinished, Some(A::DecryptError), "tampered"),
            (Error::BadRecordMac, Some(A::BadRecordMac), "tampered"),
            (Error::RecordOverflow { size: 20_000, limit: 16_384 }, Some(A::RecordOverflow), "receive buffer"),
            (Error::ReceiveBufferTooSmall { needed: 9, capacity: 8 }, Some(A::InternalError), "larger receive"),
            (Error::SendBufferTooSmall { needed: 9, capacity: 8 }, Some(A::InternalError), "larger send"),
            (Error::MissingExtension("signature_algorithms"), Some(A::MissingExtension), "RFC 8446"),
            (Error::Signer(SignError::Device("timeout")), Some(A::InternalError), "timeout"),
            (
                Error::ClientAuthRejected { alert: A::CertificateRequired, sent_identity: None, configured: false },
                None,
                "with_client_identities",
            ),
            (Error::TicketRefused(A::IllegalParameter), None, "discard it"),
            (Error::PskRefused { alert: None }, Some(A::HandshakeFailure), "check that the PSK"),
            (Error::AlertReceived(A::HandshakeFailure), None, "check the server"),
            (Error::Truncated, None, "incomplete"),
            (Error::Closed, None, "open a new one"),
            (Error::SequenceExhausted, Some(A::InternalError), "re-established"),
            (Error::Config("the PSK identity must be 1 to 128 bytes"), Some(A::InternalError), "1 to 128"),
            (Error::Api("write() before the handshake completed"), None, "API misuse"),
            (Error::Internal("no master secret"), Some(A::InternalError), "report it"),
            (Error::KeyUsageLimit { by_peer: false }, Some(A::CloseNotify), "connect again"),
            (Error::RandomFailed { tries: 4 }, Some(A::InternalError), "check the generator"),
        ];
        let mut seen = [false; ERROR_SLOTS];
        for (e, alert, todo) in &samples {
            seen[error_slot(e)] = true;
            assert_eq!(e.alert(), *alert, "{e:?}");
            check(&alloc::format!("{e}"), todo);
        }
        seen_all(&seen, "Error");
    }

    #[test]
    fn every_misbehavior_and_incompatibility() {
        use Misbehavior as M;
        const IP: A = A::IllegalParameter;
        const UM: A = A::UnexpectedMessage;
        let samples: [(Misbehavior, A); MISBEHAVIOR_SLOTS] = [
            (M::DowngradeSentinel, IP),
            (M::SessionIdMismatch, IP),
            (M::UnofferedCipherSuite(CipherSuite::Tls13Aes128GcmSha256), IP),
            (M::SuiteChangedAfterRetry, IP),
            (M::CompressionNotNull, IP),
            (M::BadSelectedVersion(ProtocolVersion::Tls12), IP),
            (M::KeyShareGroupMismatch, IP),
            (M::InvalidKeyShare, IP),
            (M::SecondHelloRetry, UM),
            (M::UselessHelloRetry, IP),
            (M::RetryGroupNotOffered(NamedGroup::X25519), IP),
            (M::BadRecordSizeLimit, IP),
            (M::BadMaxFragmentLength, IP),
            (M::PskIdentityOutOfRange(1), IP),
            (M::PskSuiteMismatch, IP),
            (M::UnsolicitedExtension(16), A::UnsupportedExtension),
            (M::ExtensionNotAllowedHere(0), IP),
            (M::DuplicateExtension(43), A::DecodeError),
            (M::BadAlpn, A::NoApplicationProtocol),
            (M::NonEmptyCertificateContext, IP),
            (M::BadSignatureScheme(SignatureScheme::RsaPkcs1Sha256), IP),
            (M::DataBeforeKeyChange, UM),
            (M::EmptyHandshakeRecord, UM),
            (M::NoContentType, UM),
            (M::BadChangeCipherSpec, UM),
            (M::UnprotectedRecord, UM),
            (M::BadRecord, UM),
            (M::BadKeyUpdate, IP),
            (M::BadRenegotiationInfo, A::HandshakeFailure),
            (M::UnofferedGroup(NamedGroup::Secp256r1), IP),
            (M::UnofferedResumption, IP),
            (M::ResumedSessionChanged, IP),
            (M::BadEcPointFormats, IP),
            (M::BothRecordSizeLimits, IP),
            (M::Flood(Flood::WarningAlert), UM),
        ];
        let mut seen = [false; MISBEHAVIOR_SLOTS];
        for (m, alert) in samples {
            seen[misbehavior_slot(&m)] = true;
            let e = Error::PeerMisbehaved(m);
            assert_eq!(e.alert(), Some(alert), "{m:?}");
            check(&alloc::format!("{e}"), "report it");
            assert!(alloc::format!("{m}").contains("RFC "), "{m:?} cites no RFC");
        }
        seen_all(&seen, "Misbehavior");

        let samples = [
            (Incompatibility::Version(ProtocolVersion::Tls11), A::ProtocolVersion, "enable TLS 1.2 or 1.3"),
            (Incompatibility::ExtendedMasterSecret, A::HandshakeFailure, "upgrade or reconfigure"),
            (Incompatibility::SecureRenegotiation, A::HandshakeFailure, "upgrade it"),
        ];
        let mut seen = [false; 3];
        for (i, alert, todo) in samples {
            seen[incompatibility_slot(&i)] = true;
            let e = Error::Incompatible(i);
            assert_eq!(e.alert(), Some(alert), "{i:?}");
            check(&alloc::format!("{e}"), todo);
        }
        seen_all(&seen, "Incompatibility");
    }

    #[test]
    fn every_cert_error_variant() {
        use crate::x509::CertId;
        use alloc::string::String;
        use alloc::vec;
        let id = || CertId::new(Some(1), String::from("CN=Int"), String::from("CN=Root"));
        let s = String::from;
        let samples: [(CertError, A, &str); CERT_SLOTS] = [
            (CertError::NoCertificate, A::DecodeError, "must authenticate"),
            (CertError::NotTrusted { reason: "no key" }, A::BadCertificate, "not accepted"),
            (CertError::NoClock, A::CertificateUnknown, "skip_time_checks"),
            (CertError::PinMismatch { leaf: None, configured: 1 }, A::UnknownCa, "add the new pin"),
            (CertError::BadPin { reason: "short" }, A::InternalError, "use `sha256/"),
            (CertError::Malformed { position: 0, detail: s("x") }, A::BadCertificate, "fix its certificate file"),
            (CertError::Inconsistent { cert: id(), detail: "x" }, A::BadCertificate, "must reissue"),
            (CertError::Expired { cert: id(), not_before: 0, not_after: 1, now: 2 }, A::CertificateExpired, "renew"),
            (CertError::NotYetValid { cert: id(), not_before: 2, not_after: 3, now: 1 }, A::CertificateExpired, "SNTP"),
            (
                CertError::NameMismatch { cert: id(), expected: s("a.test"), presented: vec![s("b.test")] },
                A::BadCertificate,
                "reissue",
            ),
            (
                CertError::InvalidServerName { name: s("a..b"), reason: "not a valid DNS host name" },
                A::BadCertificate,
                "cannot be checked",
            ),
            (CertError::UnknownIssuer { cert: id(), anchors: 1 }, A::UnknownCa, "add its root CA"),
            (CertError::BadSignature { cert: id(), signer: s("CN=Root") }, A::BadCertificate, "wrong intermediate"),
            (
                CertError::AnchorKeyMismatch { cert: id(), anchor: s("CN=Root") },
                A::UnknownCa,
                "get the CA's current root certificate",
            ),
            (
                CertError::WeakSignatureAlgorithm { cert: id(), algorithm: "sha1WithRSAEncryption" },
                A::UnsupportedCertificate,
                "reissue it",
            ),
            (
                CertError::UnsupportedSignatureAlgorithm { cert: id(), algorithm: s("1.2.3") },
                A::UnsupportedCertificate,
                "embertls verifies",
            ),
            (CertError::UnsupportedKey { cert: id(), detail: s("DSA") }, A::UnsupportedCertificate, "use an ECDSA"),
            (
                CertError::KeySize { cert: id(), bits: 1024, min: 2048, max: 8192 },
                A::UnsupportedCertificate,
                "reissue it",
            ),
            (CertError::NotCa { cert: id() }, A::BadCertificate, "wrong chain"),
            (CertError::PathLenExceeded { cert: id(), path_len: 0, below: 1 }, A::BadCertificate, "ask the CA"),
            (CertError::MissingKeyUsage { cert: id(), needed: "keyCertSign" }, A::BadCertificate, "reissue it"),
            (CertError::NoServerAuth { cert: id(), usages: vec![s("clientAuth")] }, A::BadCertificate, "reissue"),
            (CertError::UnknownCriticalExtension { cert: id(), oid: s("1.2.3") }, A::BadCertificate, "reissue"),
            (
                CertError::NameConstraintViolated {
                    cert: id(),
                    name: s("a.test"),
                    constrained_by: s("CN=Int"),
                    detail: "is outside",
                },
                A::BadCertificate,
                "may not issue",
            ),
            (CertError::PathTooLong { max_depth: 2 }, A::CertificateUnknown, "raise the maximum depth"),
            (CertError::TooManySignatureChecks { limit: 1 }, A::CertificateUnknown, "fix its chain file"),
            (CertError::BadAnchor { index: 0, detail: s("x") }, A::InternalError, "give X.509 certificates"),
            (
                CertError::Violation { cert: id(), rule: crate::x509::Rule::LeafIsCa, name: None },
                A::BadCertificate,
                "Profile::Rfc5280 relaxes it",
            ),
            (
                CertError::NameConstraintBudget { what: "name comparisons", limit: 1 },
                A::CertificateUnknown,
                "fix the server's certificates",
            ),
        ];
        let mut seen = [false; CERT_SLOTS];
        for (c, alert, todo) in samples {
            seen[cert_slot(&c)] = true;
            assert_eq!(c.alert(), alert, "{c:?}");
            let e = Error::from(c);
            assert_eq!(e.alert(), Some(alert));
            check(&alloc::format!("{e}"), todo);
        }
        seen_all(&seen, "CertError");
    }
}
