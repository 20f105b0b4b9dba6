//! IANA TLS registries used by the client, each with an `Unknown` catch-all.

macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident: $ty:ty { $($(#[$vm:meta])* $var:ident = $val:expr => $text:literal,)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vm])* $var,)*
            /// A code point this crate does not know.
            Unknown($ty),
        }

        impl $name {
            /// Every known variant, in declaration order: `KNOWN[v.position()] == v`.
            #[cfg(test)]
            pub(crate) const KNOWN: &'static [Self] = &[$($name::$var,)*];

            /// The value on the wire, read from a table by the variant's
            /// position: a list of variants is written without a branch
            /// per variant, which mispredicts when the code runs cold.
            pub const fn to_wire(self) -> $ty {
                const WIRE: &[$ty] = &[$($val,)* 0];
                let at = self.position();
                match self {
                    $name::Unknown(v) => v,
                    _ if at < WIRE.len() => WIRE[at],
                    _ => 0,
                }
            }

            /// The variant's place in declaration order (one past the last
            /// known one for `Unknown`): the stored discriminant itself, no branch.
            #[inline(always)]
            pub(crate) const fn position(self) -> usize {
                enum Position { $($var,)* Unknown }
                match self {
                    $($name::$var => Position::$var as usize,)*
                    $name::Unknown(_) => Position::Unknown as usize,
                }
            }

            /// The variant for a wire value.
            pub const fn from_wire(v: $ty) -> Self {
                match v {
                    $($val => $name::$var,)*
                    other => $name::Unknown(other),
                }
            }

            /// The registry's name for it.
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$var => $text,)*
                    $name::Unknown(_) => "unknown",
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self {
                    $name::Unknown(v) => write!(f, "unknown({:#x})", v),
                    known => f.write_str(known.name()),
                }
            }
        }

        /// The registry's name, interned (nothing but an index goes over the wire).
        #[cfg(feature = "defmt")]
        impl defmt::Format for $name {
            fn format(&self, f: defmt::Formatter<'_>) {
                match self {
                    $($name::$var => defmt::write!(f, $text),)*
                    $name::Unknown(v) => defmt::write!(f, "unknown({=?})", v),
                }
            }
        }
    };
}

wire_enum! {
    /// Record content types (RFC 8446 §5.1).
    ContentType: u8 {
        /// change_cipher_spec (compatibility only in TLS 1.3).
        ChangeCipherSpec = 20 => "change_cipher_spec",
        /// alert.
        Alert = 21 => "alert",
        /// handshake.
        Handshake = 22 => "handshake",
        /// application_data.
        ApplicationData = 23 => "application_data",
    }
}

wire_enum! {
    /// Handshake message types (RFC 8446 §4).
    HandshakeType: u8 {
        /// hello_request (TLS 1.2 only).
        HelloRequest = 0 => "HelloRequest",
        /// client_hello.
        ClientHello = 1 => "ClientHello",
        /// server_hello (and HelloRetryRequest).
        ServerHello = 2 => "ServerHello",
        /// new_session_ticket.
        NewSessionTicket = 4 => "NewSessionTicket",
        /// end_of_early_data.
        EndOfEarlyData = 5 => "EndOfEarlyData",
        /// encrypted_extensions.
        EncryptedExtensions = 8 => "EncryptedExtensions",
        /// certificate.
        Certificate = 11 => "Certificate",
        /// server_key_exchange (TLS 1.2).
        ServerKeyExchange = 12 => "ServerKeyExchange",
        /// certificate_request.
        CertificateRequest = 13 => "CertificateRequest",
        /// server_hello_done (TLS 1.2).
        ServerHelloDone = 14 => "ServerHelloDone",
        /// certificate_verify.
        CertificateVerify = 15 => "CertificateVerify",
        /// client_key_exchange (TLS 1.2).
        ClientKeyExchange = 16 => "ClientKeyExchange",
        /// finished.
        Finished = 20 => "Finished",
        /// key_update.
        KeyUpdate = 24 => "KeyUpdate",
        /// message_hash (synthetic, RFC 8446 §4.4.1).
        MessageHash = 254 => "message_hash",
    }
}

wire_enum! {
    /// Protocol versions (RFC 8446 §4.2.1).
    ProtocolVersion: u16 {
        /// SSL 3.0.
        Ssl3 = 0x0300 => "SSLv3",
        /// TLS 1.0.
        Tls10 = 0x0301 => "TLSv1.0",
        /// TLS 1.1.
        Tls11 = 0x0302 => "TLSv1.1",
        /// TLS 1.2.
        Tls12 = 0x0303 => "TLSv1.2",
        /// TLS 1.3.
        Tls13 = 0x0304 => "TLSv1.3",
    }
}

wire_enum! {
    /// Cipher suites (RFC 8446 §B.4 and the TLS 1.2 AEAD suites).
    CipherSuite: u16 {
        /// TLS_AES_128_GCM_SHA256.
        Tls13Aes128GcmSha256 = 0x1301 => "TLS_AES_128_GCM_SHA256",
        /// TLS_AES_256_GCM_SHA384.
        Tls13Aes256GcmSha384 = 0x1302 => "TLS_AES_256_GCM_SHA384",
        /// TLS_CHACHA20_POLY1305_SHA256.
        Tls13Chacha20Poly1305Sha256 = 0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        /// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (TLS 1.2, RFC 5289).
        EcdheEcdsaWithAes128GcmSha256 = 0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        /// TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 (TLS 1.2, RFC 5289).
        EcdheEcdsaWithAes256GcmSha384 = 0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        /// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (TLS 1.2, RFC 5289).
        EcdheRsaWithAes128GcmSha256 = 0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        /// TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (TLS 1.2, RFC 5289).
        EcdheRsaWithAes256GcmSha384 = 0xc030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        /// TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 (TLS 1.2, RFC 7905).
        EcdheRsaWithChacha20Poly1305Sha256 = 0xcca8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        /// TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 (TLS 1.2, RFC 7905).
        EcdheEcdsaWithChacha20Poly1305Sha256 = 0xcca9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        /// TLS_PSK_WITH_AES_128_GCM_SHA256 (TLS 1.2, RFC 5487).
        PskWithAes128GcmSha256 = 0x00a8 => "TLS_PSK_WITH_AES_128_GCM_SHA256",
        /// TLS_PSK_WITH_AES_256_GCM_SHA384 (TLS 1.2, RFC 5487).
        PskWithAes256GcmSha384 = 0x00a9 => "TLS_PSK_WITH_AES_256_GCM_SHA384",
        /// TLS_PSK_WITH_CHACHA20_POLY1305_SHA256 (TLS 1.2, RFC 7905).
        PskWithChacha20Poly1305Sha256 = 0xccab => "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256",
        /// TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 (TLS 1.2, RFC 7905).
        EcdhePskWithChacha20Poly1305Sha256 = 0xccac => "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
    }
}

wire_enum! {
    /// Supported groups (RFC 8446 §4.2.7).
    NamedGroup: u16 {
        /// secp256r1 (NIST P-256).
        Secp256r1 = 0x0017 => "secp256r1",
        /// secp384r1 (NIST P-384).
        Secp384r1 = 0x0018 => "secp384r1",
        /// x25519.
        X25519 = 0x001d => "x25519",
    }
}

wire_enum! {
    /// Signature schemes (RFC 8446 §4.2.3).
    SignatureScheme: u16 {
        /// rsa_pkcs1_sha256 (certificates and TLS 1.2 only).
        RsaPkcs1Sha256 = 0x0401 => "rsa_pkcs1_sha256",
        /// rsa_pkcs1_sha384.
        RsaPkcs1Sha384 = 0x0501 => "rsa_pkcs1_sha384",
        /// rsa_pkcs1_sha512.
        RsaPkcs1Sha512 = 0x0601 => "rsa_pkcs1_sha512",
        /// ecdsa_secp256r1_sha256.
        EcdsaSecp256r1Sha256 = 0x0403 => "ecdsa_secp256r1_sha256",
        /// ecdsa_secp384r1_sha384.
        EcdsaSecp384r1Sha384 = 0x0503 => "ecdsa_secp384r1_sha384",
        /// rsa_pss_rsae_sha256.
        RsaPssRsaeSha256 = 0x0804 => "rsa_pss_rsae_sha256",
        /// rsa_pss_rsae_sha384.
        RsaPssRsaeSha384 = 0x0805 => "rsa_pss_rsae_sha384",
        /// rsa_pss_rsae_sha512.
        RsaPssRsaeSha512 = 0x0806 => "rsa_pss_rsae_sha512",
        /// ed25519.
        Ed25519 = 0x0807 => "ed25519",
    }
}

wire_enum! {
    /// Extension types (RFC 8446 §4.2).
    ExtensionType: u16 {
        /// server_name (RFC 6066).
        ServerName = 0 => "server_name",
        /// max_fragment_length (RFC 6066).
        MaxFragmentLength = 1 => "max_fragment_length",
        /// status_request.
        StatusRequest = 5 => "status_request",
        /// supported_groups.
        SupportedGroups = 10 => "supported_groups",
        /// ec_point_formats (TLS 1.2).
        EcPointFormats = 11 => "ec_point_formats",
        /// signature_algorithms.
        SignatureAlgorithms = 13 => "signature_algorithms",
        /// application_layer_protocol_negotiation (RFC 7301).
        Alpn = 16 => "application_layer_protocol_negotiation",
        /// extended_master_secret (RFC 7627).
        ExtendedMasterSecret = 23 => "extended_master_secret",
        /// record_size_limit (RFC 8449).
        RecordSizeLimit = 28 => "record_size_limit",
        /// session_ticket (RFC 5077).
        SessionTicket = 35 => "session_ticket",
        /// pre_shared_key.
        PreSharedKey = 41 => "pre_shared_key",
        /// early_data.
        EarlyData = 42 => "early_data",
        /// supported_versions.
        SupportedVersions = 43 => "supported_versions",
        /// cookie.
        Cookie = 44 => "cookie",
        /// psk_key_exchange_modes.
        PskKeyExchangeModes = 45 => "psk_key_exchange_modes",
        /// certificate_authorities.
        CertificateAuthorities = 47 => "certificate_authorities",
        /// signature_algorithms_cert.
        SignatureAlgorithmsCert = 50 => "signature_algorithms_cert",
        /// key_share.
        KeyShare = 51 => "key_share",
        /// renegotiation_info (RFC 5746).
        RenegotiationInfo = 0xff01 => "renegotiation_info",
    }
}

wire_enum! {
    /// Alert descriptions (RFC 8446 §6).
    AlertDescription: u8 {
        /// close_notify.
        CloseNotify = 0 => "close_notify",
        /// unexpected_message.
        UnexpectedMessage = 10 => "unexpected_message",
        /// bad_record_mac.
        BadRecordMac = 20 => "bad_record_mac",
        /// record_overflow.
        RecordOverflow = 22 => "record_overflow",
        /// handshake_failure.
        HandshakeFailure = 40 => "handshake_failure",
        /// bad_certificate.
        BadCertificate = 42 => "bad_certificate",
        /// unsupported_certificate.
        UnsupportedCertificate = 43 => "unsupported_certificate",
        /// certificate_revoked.
        CertificateRevoked = 44 => "certificate_revoked",
        /// certificate_expired.
        CertificateExpired = 45 => "certificate_expired",
        /// certificate_unknown.
        CertificateUnknown = 46 => "certificate_unknown",
        /// illegal_parameter.
        IllegalParameter = 47 => "illegal_parameter",
        /// unknown_ca.
        UnknownCa = 48 => "unknown_ca",
        /// access_denied.
        AccessDenied = 49 => "access_denied",
        /// decode_error.
        DecodeError = 50 => "decode_error",
        /// decrypt_error.
        DecryptError = 51 => "decrypt_error",
        /// protocol_version.
        ProtocolVersion = 70 => "protocol_version",
        /// insufficient_security.
        InsufficientSecurity = 71 => "insufficient_security",
        /// internal_error.
        InternalError = 80 => "internal_error",
        /// inappropriate_fallback.
        InappropriateFallback = 86 => "inappropriate_fallback",
        /// user_canceled.
        UserCanceled = 90 => "user_canceled",
        /// no_renegotiation (TLS 1.2).
        NoRenegotiation = 100 => "no_renegotiation",
        /// missing_extension.
        MissingExtension = 109 => "missing_extension",
        /// unsupported_extension.
        UnsupportedExtension = 110 => "unsupported_extension",
        /// unrecognized_name.
        UnrecognizedName = 112 => "unrecognized_name",
        /// bad_certificate_status_response.
        BadCertificateStatusResponse = 113 => "bad_certificate_status_response",
        /// unknown_psk_identity.
        UnknownPskIdentity = 115 => "unknown_psk_identity",
        /// certificate_required.
        CertificateRequired = 116 => "certificate_required",
        /// no_application_protocol.
        NoApplicationProtocol = 120 => "no_application_protocol",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_values_round_trip() {
        assert_eq!(CipherSuite::from_wire(0x1301), CipherSuite::Tls13Aes128GcmSha256);
        assert_eq!(CipherSuite::from_wire(0x1399), CipherSuite::Unknown(0x1399));
        assert_eq!(NamedGroup::X25519.to_wire(), 0x001d);
        assert_eq!(AlertDescription::from_wire(116).name(), "certificate_required");
        extern crate std;
        use std::string::ToString;
        assert_eq!(ExtensionType::Unknown(0xabcd).to_string(), "unknown(0xabcd)");
    }

    /// `to_wire` reads a table by position: every known variant maps back
    /// to itself through `from_wire` (a match of its own), and `Unknown`
    /// keeps its value.
    #[test]
    fn every_variant_round_trips_through_its_table_position() {
        macro_rules! check {
            ($($t:ident),*) => {$(
                assert!(!$t::KNOWN.is_empty());
                for (at, v) in $t::KNOWN.iter().enumerate() {
                    assert_eq!(v.position(), at, "{v:?}");
                    assert_eq!($t::from_wire(v.to_wire()), *v, "{v:?}");
                }
                assert_eq!($t::Unknown(0x7f).position(), $t::KNOWN.len());
                assert_eq!($t::Unknown(0x7f).to_wire(), 0x7f);
            )*};
        }
        check!(
            ContentType,
            HandshakeType,
            ProtocolVersion,
            CipherSuite,
            NamedGroup,
            SignatureScheme,
            ExtensionType,
            AlertDescription
        );
    }
}
