//! Certificate profiles: which rules [`CaVerifier`](crate::x509::CaVerifier)
//! applies beyond RFC 5280 path validation, and the typed [`Rule`] a refusal
//! names.
//!
//! - [`Profile::Strict`] (the default) is for public endpoints (AWS IoT, Azure
//!   IoT Hub, public MQTT brokers): RFC 5280 plus the CA/Browser Forum
//!   Baseline Requirements (BR) §7.1 certificate profile.
//! - [`Profile::Rfc5280`] is for private PKIs (a mosquitto broker with a
//!   home-made CA): it relaxes only the rules that are CA/Browser Forum
//!   specific, listed by [`Rule::strict_only`].

/// Which set of certificate rules a [`CaVerifier`](crate::x509::CaVerifier) applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Profile {
    /// RFC 5280 and the CA/Browser Forum Baseline Requirements §7.1: what a
    /// publicly trusted server certificate must satisfy. The default.
    #[default]
    Strict,
    /// RFC 5280 only, for private CAs: extendedKeyUsage may be absent, the
    /// subject commonName need not be a subjectAltName entry, key identifiers
    /// may be absent, serial numbers may be 21 octets, and a CA certificate
    /// may be the server's certificate (pathLenConstraint then does not count
    /// it, RFC 5280 §6.1.4 (l)).
    Rfc5280,
}

impl Profile {
    /// The name used by the examples' `--profile` flag: `strict` or `rfc5280`.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Strict => "strict",
            Profile::Rfc5280 => "rfc5280",
        }
    }

    /// Parses `strict` or `rfc5280` (the examples' `--profile` values).
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "strict" => Some(Profile::Strict),
            "rfc5280" => Some(Profile::Rfc5280),
            _ => None,
        }
    }

    /// True when this profile applies `rule`.
    pub fn applies(self, rule: Rule) -> bool {
        self == Profile::Strict || !rule.strict_only()
    }
}

/// A certificate rule a chain broke (see [`CertError::Violation`](crate::x509::CertError::Violation)).
///
/// Each rule cites the RFC 5280 or CA/Browser Forum Baseline Requirements
/// (BR) section it comes from; [`Rule::strict_only`] tells which ones
/// [`Profile::Rfc5280`] relaxes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Rule {
    /// A CA certificate (trust anchor or intermediate) has a basicConstraints
    /// extension that is not critical (RFC 5280 §4.2.1.9: CAs MUST mark it critical).
    BasicConstraintsNotCritical,
    /// A root (a self-issued trust anchor) has an extendedKeyUsage extension
    /// (BR §7.1.2.1.2: root CA certificates MUST NOT have one).
    RootHasExtendedKeyUsage,
    /// A self-issued trust anchor's authorityKeyIdentifier holds more than a
    /// keyIdentifier, or one that is not its own subjectKeyIdentifier
    /// (BR §7.1.2.1.3, RFC 5280 §4.2.1.1). Strict profile only.
    AnchorAuthorityKeyIdMismatch,
    /// A certificate that is not self-issued has no authorityKeyIdentifier
    /// (RFC 5280 §4.2.1.1 "MUST", BR §7.1.2). Strict profile only.
    AuthorityKeyIdMissing,
    /// An authorityKeyIdentifier or subjectKeyIdentifier extension is marked
    /// critical (RFC 5280 §4.2.1.1, §4.2.1.2: MUST NOT be critical).
    KeyIdCritical,
    /// A CA certificate has no subjectKeyIdentifier (RFC 5280 §4.2.1.2 "MUST",
    /// BR §7.1.2). Strict profile only.
    SubjectKeyIdMissing,
    /// The server's certificate is a CA certificate (basicConstraints cA=TRUE)
    /// (BR §7.1.2.7.8). Strict profile only.
    LeafIsCa,
    /// keyUsage keyCertSign without basicConstraints cA=TRUE (RFC 5280 §4.2.1.3).
    KeyCertSignWithoutCa,
    /// nameConstraints in a certificate that is not a CA (RFC 5280 §4.2.1.10:
    /// MUST be used only in a CA certificate).
    NameConstraintsInLeaf,
    /// The server's certificate has no extendedKeyUsage (BR §7.1.2.7.10:
    /// MUST be present, with id-kp-serverAuth). Strict profile only.
    ExtendedKeyUsageMissing,
    /// The server's extendedKeyUsage is marked critical (BR §7.1.2.7.10: MUST
    /// NOT be critical). Strict profile only.
    ExtendedKeyUsageCritical,
    /// The serial number is zero or negative (RFC 5280 §4.1.2.2: MUST be a
    /// positive integer).
    SerialNotPositive,
    /// The serial number is longer than 20 octets (RFC 5280 §4.1.2.2, BR
    /// §7.1.2.7). Strict profile only.
    SerialTooLong,
    /// The subject is empty and the subjectAltName is missing or not critical
    /// (RFC 5280 §4.2.1.6).
    EmptySubjectNeedsCriticalSan,
    /// The subject is not empty and the subjectAltName is critical, or absent
    /// (RFC 5280 §4.2.1.6, BR §7.1.2.7.12).
    SanCriticalOrMissing,
    /// A subject commonName is not, character for character, one of the
    /// subjectAltName dNSName or iPAddress entries (BR §7.1.4.3). Strict profile only.
    CommonNameNotInSan,
    /// The authorityInfoAccess extension is malformed, empty or critical
    /// (RFC 5280 §4.2.2.1).
    MalformedAuthorityInfoAccess,
    /// An RSA modulus is not a whole number of bytes (BR §6.1.5: modulus size
    /// in bits divisible by 8).
    RsaModulusNotWholeBytes,
    /// A subjectAltName dNSName is not a valid host name: empty label, a
    /// character other than letters, digits and `-`, a leading dot, or a
    /// wildcard other than a whole leftmost `*` label (RFC 5280 §4.2.1.6,
    /// RFC 1034 §3.5, BR §7.1.4.2).
    InvalidDnsName,
    /// A wildcard whose remainder is a public suffix (`*.co.uk`,
    /// `*.github.io`) (BR §3.2.2.6). Needs the `psl` feature.
    WildcardOnPublicSuffix,
    /// A nameConstraints extension with neither subtree, an empty subtree
    /// list, a minimum other than 0 or a maximum, or a base that can only
    /// match invalid names (RFC 5280 §4.2.1.10).
    MalformedNameConstraints,
}

impl Rule {
    /// True when only [`Profile::Strict`] applies this rule.
    pub fn strict_only(self) -> bool {
        matches!(
            self,
            Rule::AnchorAuthorityKeyIdMismatch
                | Rule::AuthorityKeyIdMissing
                | Rule::SubjectKeyIdMissing
                | Rule::LeafIsCa
                | Rule::ExtendedKeyUsageMissing
                | Rule::ExtendedKeyUsageCritical
                | Rule::SerialTooLong
                | Rule::CommonNameNotInSan
        )
    }

    /// The section the rule comes from, e.g. `RFC 5280 §4.2.1.9`.
    pub fn section(self) -> &'static str {
        match self {
            Rule::BasicConstraintsNotCritical => "RFC 5280 §4.2.1.9",
            Rule::RootHasExtendedKeyUsage => "CABF BR §7.1.2.1.2",
            Rule::AnchorAuthorityKeyIdMismatch => "CABF BR §7.1.2.1.3",
            Rule::AuthorityKeyIdMissing => "RFC 5280 §4.2.1.1",
            Rule::KeyIdCritical => "RFC 5280 §4.2.1.1-2",
            Rule::SubjectKeyIdMissing => "RFC 5280 §4.2.1.2",
            Rule::LeafIsCa => "CABF BR §7.1.2.7.8",
            Rule::KeyCertSignWithoutCa => "RFC 5280 §4.2.1.3",
            Rule::NameConstraintsInLeaf => "RFC 5280 §4.2.1.10",
            Rule::ExtendedKeyUsageMissing | Rule::ExtendedKeyUsageCritical => "CABF BR §7.1.2.7.10",
            Rule::SerialNotPositive | Rule::SerialTooLong => "RFC 5280 §4.1.2.2",
            Rule::EmptySubjectNeedsCriticalSan | Rule::SanCriticalOrMissing => "RFC 5280 §4.2.1.6",
            Rule::CommonNameNotInSan => "CABF BR §7.1.4.3",
            Rule::MalformedAuthorityInfoAccess => "RFC 5280 §4.2.2.1",
            Rule::RsaModulusNotWholeBytes => "CABF BR §6.1.5",
            Rule::InvalidDnsName => "RFC 5280 §4.2.1.6",
            Rule::WildcardOnPublicSuffix => "CABF BR §3.2.2.6",
            Rule::MalformedNameConstraints => "RFC 5280 §4.2.1.10",
        }
    }

    /// What is wrong, as a phrase following the certificate's name.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::BasicConstraintsNotCritical => "is a CA certificate whose basicConstraints is not critical",
            Rule::RootHasExtendedKeyUsage => "is a root CA certificate with an extendedKeyUsage extension",
            Rule::AnchorAuthorityKeyIdMismatch => {
                "is a self-issued anchor whose authorityKeyIdentifier is not just its own subjectKeyIdentifier"
            }
            Rule::AuthorityKeyIdMissing => "is not self-issued but has no authorityKeyIdentifier",
            Rule::KeyIdCritical => "has a critical authorityKeyIdentifier or subjectKeyIdentifier",
            Rule::SubjectKeyIdMissing => "is a CA certificate without a subjectKeyIdentifier",
            Rule::LeafIsCa => "is a CA certificate (basicConstraints cA=TRUE) used as the server's certificate",
            Rule::KeyCertSignWithoutCa => "asserts keyUsage keyCertSign but is not a CA (cA=TRUE)",
            Rule::NameConstraintsInLeaf => "has nameConstraints but is not a CA certificate",
            Rule::ExtendedKeyUsageMissing => "has no extendedKeyUsage (serverAuth is required)",
            Rule::ExtendedKeyUsageCritical => "has a critical extendedKeyUsage",
            Rule::SerialNotPositive => "has a zero or negative serial number",
            Rule::SerialTooLong => "has a serial number longer than 20 octets",
            Rule::EmptySubjectNeedsCriticalSan => "has an empty subject but no critical subjectAltName",
            Rule::SanCriticalOrMissing => {
                "has a subject but its subjectAltName is missing or critical (it must be present and non-critical)"
            }
            Rule::CommonNameNotInSan => "has a subject commonName that is not one of its subjectAltName entries",
            Rule::MalformedAuthorityInfoAccess => "has a malformed, empty or critical authorityInfoAccess",
            Rule::RsaModulusNotWholeBytes => "has an RSA modulus whose size in bits is not a multiple of 8",
            Rule::InvalidDnsName => "has a subjectAltName DNS name that is not a valid host name",
            Rule::WildcardOnPublicSuffix => "has a wildcard name covering a whole public suffix",
            Rule::MalformedNameConstraints => "has a malformed nameConstraints extension",
        }
    }
}

impl core::fmt::Display for Rule {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:?} ({})", self, self.section())
    }
}
