//! ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2).

use super::enums::{CipherSuite, ExtensionType, NamedGroup, ProtocolVersion, SignatureScheme};
use super::extensions::{write_extension, Extensions, ExtensionsError, U16List};
use crate::codec::{DecodeError, Reader, WriteError, Writer};

/// psk_dhe_ke (RFC 8446 §4.2.9).
pub const PSK_DHE_KE: u8 = 1;
/// psk_ke (RFC 8446 §4.2.9).
pub const PSK_KE: u8 = 0;

/// The extension types a ClientHello carries, one bit each: the server may
/// answer only with those (RFC 8446 §4.2, RFC 5246 §7.4.1.4).
/// [`ClientHelloParams::encode`] returns it; a type the client never sends
/// is never in it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Offered(u32);

impl Offered {
    /// The bit of `t`; 0 for a type the client never sends.
    fn bit(t: ExtensionType) -> u32 {
        use ExtensionType as E;
        let i = match t {
            E::ServerName => 0,
            E::MaxFragmentLength => 1,
            E::StatusRequest => 2,
            E::SupportedGroups => 3,
            E::EcPointFormats => 4,
            E::SignatureAlgorithms => 5,
            E::Alpn => 6,
            E::ExtendedMasterSecret => 7,
            E::RecordSizeLimit => 8,
            E::SessionTicket => 9,
            E::PreSharedKey => 10,
            E::EarlyData => 11,
            E::SupportedVersions => 12,
            E::Cookie => 13,
            E::PskKeyExchangeModes => 14,
            E::CertificateAuthorities => 15,
            E::SignatureAlgorithmsCert => 16,
            E::KeyShare => 17,
            E::RenegotiationInfo => 18,
            _ => return 0,
        };
        1 << i
    }

    /// True if `t` was offered.
    pub fn contains(&self, t: ExtensionType) -> bool {
        self.0 & Self::bit(t) != 0
    }

    /// Writes extension `t` (as [`write_extension`]) and adds it to the set.
    fn write(
        &mut self,
        w: &mut Writer<'_>,
        t: ExtensionType,
        body: impl FnOnce(&mut Writer<'_>) -> Result<(), WriteError>,
    ) -> Result<(), WriteError> {
        self.0 |= Self::bit(t);
        write_extension(w, t.to_wire(), body)
    }
}

/// What the client offers; [`ClientHelloParams::encode`] writes the message body.
#[derive(Clone, Copy, Debug)]
pub struct ClientHelloParams<'a> {
    /// Client random.
    pub random: &'a [u8; 32],
    /// legacy_session_id (32 random bytes in compatibility mode, RFC 8446 App. D.4).
    pub session_id: &'a [u8],
    /// Cipher suites, preferred first.
    pub cipher_suites: &'a [CipherSuite],
    /// SNI host name (RFC 6066 §3); `None` for IP addresses.
    pub server_name: Option<&'a str>,
    /// supported_versions; empty for a TLS 1.2-only hello, which then has
    /// no TLS 1.3 extensions (supported_versions, key_share, psk modes).
    pub versions: &'a [ProtocolVersion],
    /// The TLS 1.2 extensions, if TLS 1.2 is offered.
    pub tls12: Option<Tls12Offer<'a>>,
    /// supported_groups; empty omits it and, with no key share, key_share (RFC 8446 §9.2).
    pub groups: &'a [NamedGroup],
    /// signature_algorithms (and signature_algorithms_cert, the same list).
    pub signature_schemes: &'a [SignatureScheme],
    /// The one key share offered; `None` sends an empty client_shares list.
    pub key_share: Option<(NamedGroup, &'a [u8])>,
    /// ALPN ProtocolNameList body (RFC 7301 §3.1), empty for none.
    pub alpn: &'a [u8],
    /// Cookie from a HelloRetryRequest (RFC 8446 §4.2.2).
    pub cookie: Option<&'a [u8]>,
    /// psk_key_exchange_modes; empty to omit.
    pub psk_modes: &'a [u8],
    /// max_fragment_length code (RFC 6066 §4), if asked.
    pub max_fragment_length: Option<u8>,
    /// record_size_limit (RFC 8449 §4), if asked.
    pub record_size_limit: Option<u16>,
    /// One PSK offered in pre_shared_key (§4.2.11), written last with a
    /// zeroed binder of `binder_len` bytes for the caller to fill in.
    pub psk: Option<PskIdentity<'a>>,
}

/// What a ClientHello that offers TLS 1.2 adds: ec_point_formats
/// (uncompressed, RFC 8422 §5.1.2), extended_master_secret (RFC 7627 §5.1),
/// renegotiation_info (empty, RFC 5746 §3.4) and session_ticket (RFC 5077 §3.2).
#[derive(Clone, Copy, Debug)]
pub struct Tls12Offer<'a> {
    /// The RFC 5077 ticket to resume with; empty asks for a new one.
    pub ticket: &'a [u8],
}

/// One entry of the pre_shared_key extension's identities.
#[derive(Clone, Copy, Debug)]
pub struct PskIdentity<'a> {
    /// The identity (external PSK identity or ticket).
    pub identity: &'a [u8],
    /// obfuscated_ticket_age (0 for external PSKs).
    pub obfuscated_age: u32,
    /// Length of the binder (the PSK hash's length).
    pub binder_len: usize,
}

impl PskIdentity<'_> {
    /// Bytes the binders list takes at the end of the ClientHello (§4.2.11.2).
    pub fn binders_len(&self) -> usize {
        2 + 1 + self.binder_len
    }
}

fn write_u16s(w: &mut Writer<'_>, width: usize, vals: impl Iterator<Item = u16>) -> Result<(), WriteError> {
    let m = w.begin(width)?;
    for v in vals {
        w.u16(v)?;
    }
    w.end(m)
}

impl ClientHelloParams<'_> {
    /// Writes the ClientHello body (without the handshake header); returns
    /// the extension types written.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<Offered, WriteError> {
        let mut offered = Offered::default();
        w.u16(ProtocolVersion::Tls12.to_wire())?;
        w.bytes(self.random)?;
        w.vec(1, self.session_id)?;
        write_u16s(w, 2, self.cipher_suites.iter().map(|s| s.to_wire()))?;
        w.vec(1, &[0])?; // legacy_compression_methods: null only
        let exts = w.begin(2)?;
        if let Some(code) = self.max_fragment_length {
            offered.write(w, ExtensionType::MaxFragmentLength, |w| w.u8(code))?;
        }
        if let Some(limit) = self.record_size_limit {
            offered.write(w, ExtensionType::RecordSizeLimit, |w| w.u16(limit))?;
        }
        if let Some(name) = self.server_name {
            offered.write(w, ExtensionType::ServerName, |w| {
                let list = w.begin(2)?;
                w.u8(0)?; // host_name
                w.vec(2, name.as_bytes())?;
                w.end(list)
            })?;
        }
        if !self.groups.is_empty() {
            offered.write(w, ExtensionType::SupportedGroups, |w| {
                write_u16s(w, 2, self.groups.iter().map(|g| g.to_wire()))
            })?;
        }
        if let Some(t12) = self.tls12 {
            offered.write(w, ExtensionType::EcPointFormats, |w| w.vec(1, &[0]))?;
            offered.write(w, ExtensionType::ExtendedMasterSecret, |_| Ok(()))?;
            offered.write(w, ExtensionType::RenegotiationInfo, |w| w.vec(1, &[]))?;
            offered.write(w, ExtensionType::SessionTicket, |w| w.bytes(t12.ticket))?;
        }
        for t in [ExtensionType::SignatureAlgorithms, ExtensionType::SignatureAlgorithmsCert] {
            offered.write(w, t, |w| write_u16s(w, 2, self.signature_schemes.iter().map(|s| s.to_wire())))?;
        }
        if !self.alpn.is_empty() {
            offered.write(w, ExtensionType::Alpn, |w| w.vec(2, self.alpn))?;
        }
        if !self.versions.is_empty() {
            offered.write(w, ExtensionType::SupportedVersions, |w| {
                let m = w.begin(1)?;
                for v in self.versions {
                    w.u16(v.to_wire())?;
                }
                w.end(m)
            })?;
            if !self.psk_modes.is_empty() {
                offered.write(w, ExtensionType::PskKeyExchangeModes, |w| w.vec(1, self.psk_modes))?;
            }
            // §9.2: key_share goes with supported_groups; it may list no share.
            if !self.groups.is_empty() || self.key_share.is_some() {
                offered.write(w, ExtensionType::KeyShare, |w| {
                    let m = w.begin(2)?;
                    if let Some((group, key)) = self.key_share {
                        w.u16(group.to_wire())?;
                        w.vec(2, key)?;
                    }
                    w.end(m)
                })?;
            }
        }
        if let Some(cookie) = self.cookie {
            offered.write(w, ExtensionType::Cookie, |w| w.vec(2, cookie))?;
        }
        // §4.2.11: pre_shared_key must be the last extension.
        if let Some(psk) = self.psk {
            offered.write(w, ExtensionType::PreSharedKey, |w| {
                let ids = w.begin(2)?;
                w.vec(2, psk.identity)?;
                w.u32(psk.obfuscated_age)?;
                w.end(ids)?;
                let binders = w.begin(2)?;
                let b = w.begin(1)?;
                for _ in 0..psk.binder_len {
                    w.u8(0)?;
                }
                w.end(b)?;
                w.end(binders)
            })?;
        }
        w.end(exts)?;
        Ok(offered)
    }
}

/// A parsed ClientHello (tests and fuzzing read back what the client wrote).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientHello<'a> {
    /// legacy_version.
    pub legacy_version: u16,
    /// random.
    pub random: [u8; 32],
    /// legacy_session_id.
    pub session_id: &'a [u8],
    /// cipher_suites.
    pub cipher_suites: U16List<'a>,
    /// legacy_compression_methods.
    pub compression_methods: &'a [u8],
    /// extensions.
    pub extensions: Extensions<'a>,
}

impl<'a> ClientHello<'a> {
    /// Parses a ClientHello body.
    pub fn decode(body: &'a [u8]) -> Result<Self, ExtensionsError> {
        let mut r = Reader::new(body);
        let legacy_version = r.u16("ClientHello.legacy_version")?;
        let random = r.array("ClientHello.random")?;
        let session_id = r.vec8_bounded(0, 32, "ClientHello.legacy_session_id")?;
        let cipher_suites = U16List::read(&mut r, "ClientHello.cipher_suites")?;
        let compression_methods = r.vec8_bounded(1, 255, "ClientHello.legacy_compression_methods")?;
        let extensions = Extensions::read(&mut r)?;
        r.finish("ClientHello (trailing bytes)").map_err(ExtensionsError::Decode)?;
        Ok(ClientHello { legacy_version, random, session_id, cipher_suites, compression_methods, extensions })
    }

    /// The extension types it carries.
    pub fn offered(&self) -> Offered {
        Offered(self.extensions.iter().fold(0, |acc, (t, _)| acc | Offered::bit(ExtensionType::from_wire(t))))
    }

    /// Writes the body back.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        w.u16(self.legacy_version)?;
        w.bytes(&self.random)?;
        w.vec(1, self.session_id)?;
        write_u16s(w, 2, self.cipher_suites.iter())?;
        w.vec(1, self.compression_methods)?;
        self.extensions.encode(w)
    }
}

/// Iterates an ALPN ProtocolNameList body (RFC 7301 §3.1).
pub fn alpn_protocols(list: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut r = Reader::new(list);
    core::iter::from_fn(move || r.vec8("ProtocolName").ok())
}

/// Checks an ALPN ProtocolNameList body: each name 1 to 255 bytes.
pub fn check_alpn_list(list: &[u8]) -> Result<(), DecodeError> {
    let mut r = Reader::new(list);
    while !r.is_empty() {
        r.vec8_bounded(1, 255, "ProtocolName")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every extension a ClientHello can carry, then none of the optional
    /// ones: what `encode` reports is what it wrote, read back.
    #[test]
    fn encode_reports_the_extensions_it_wrote() {
        let (random, key, ticket) = ([1u8; 32], [2u8; 32], [3u8; 40]);
        let all = ClientHelloParams {
            random: &random,
            session_id: &[4; 32],
            cipher_suites: &[CipherSuite::Tls13Aes128GcmSha256],
            server_name: Some("example.com"),
            versions: &[ProtocolVersion::Tls13, ProtocolVersion::Tls12],
            tls12: Some(Tls12Offer { ticket: &ticket }),
            groups: &[NamedGroup::X25519],
            signature_schemes: &[SignatureScheme::EcdsaSecp256r1Sha256],
            key_share: Some((NamedGroup::X25519, &key)),
            alpn: b"\x02h2",
            cookie: Some(&[5, 6]),
            psk_modes: &[PSK_DHE_KE],
            max_fragment_length: Some(2),
            record_size_limit: Some(4096),
            psk: Some(PskIdentity { identity: b"id", obfuscated_age: 7, binder_len: 32 }),
        };
        let bare = ClientHelloParams {
            server_name: None,
            versions: &[],
            tls12: Some(Tls12Offer { ticket: &[] }),
            groups: &[],
            key_share: None,
            alpn: &[],
            cookie: None,
            psk_modes: &[],
            max_fragment_length: None,
            record_size_limit: None,
            psk: None,
            ..all
        };
        for (params, count) in [(all, 16), (bare, 6)] {
            let mut buf = [0u8; 1024];
            let mut w = Writer::new(&mut buf);
            let offered = params.encode(&mut w).unwrap();
            let ch = ClientHello::decode(w.written()).unwrap();
            assert_eq!(offered, ch.offered());
            assert_eq!(ch.extensions.iter().count(), count);
            assert!(ch.extensions.iter().all(|(t, _)| offered.contains(ExtensionType::from_wire(t))));
            assert_eq!(offered.0.count_ones() as usize, count);
        }
        // Types the client never sends are never in the set.
        assert!(!Offered(u32::MAX).contains(ExtensionType::from_wire(0xfafa)));
    }
}
