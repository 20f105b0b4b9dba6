//! ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4).

use super::enums::{CipherSuite, ExtensionType as E, NamedGroup, ProtocolVersion};
use super::extensions::{
    decode_set, encode_set, exactly_u16, put, ExtensionSetError, Extensions, ExtensionsError, KeyShareEntry, WireOrder,
};
use crate::codec::{DecodeError, Reader, WriteError, Writer};

/// The random of a HelloRetryRequest: SHA-256("HelloRetryRequest") (§4.1.3).
pub const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11,
    0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Last 8 bytes of ServerHello.random from a TLS 1.3 server negotiating
/// TLS 1.2 ("DOWNGRD" 01) or below ("DOWNGRD" 00) (§4.1.3).
pub const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";
/// See [`DOWNGRADE_TLS12`].
pub const DOWNGRADE_TLS11: [u8; 8] = *b"DOWNGRD\x00";

/// A parsed ServerHello.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerHello<'a> {
    /// legacy_version.
    pub legacy_version: u16,
    /// random.
    pub random: [u8; 32],
    /// legacy_session_id_echo.
    pub session_id: &'a [u8],
    /// cipher_suite.
    pub cipher_suite: CipherSuite,
    /// legacy_compression_method.
    pub compression: u8,
    /// extensions.
    pub extensions: Extensions<'a>,
}

impl<'a> ServerHello<'a> {
    /// Parses a ServerHello body.
    pub fn decode(body: &'a [u8]) -> Result<Self, ExtensionsError> {
        let mut r = Reader::new(body);
        let legacy_version = r.u16("ServerHello.legacy_version")?;
        let random = r.array("ServerHello.random")?;
        let session_id = r.vec8_bounded(0, 32, "ServerHello.legacy_session_id_echo")?;
        let cipher_suite = CipherSuite::from_wire(r.u16("ServerHello.cipher_suite")?);
        let compression = r.u8("ServerHello.legacy_compression_method")?;
        let extensions = Extensions::read(&mut r)?;
        r.finish("ServerHello (trailing bytes)").map_err(ExtensionsError::Decode)?;
        Ok(ServerHello { legacy_version, random, session_id, cipher_suite, compression, extensions })
    }

    /// True for a HelloRetryRequest.
    pub fn is_hello_retry_request(&self) -> bool {
        self.random == HRR_RANDOM
    }

    /// The version supported_versions selects (§4.2.1), if the extension is
    /// there. It decides which table the extensions follow: TLS 1.3's
    /// ([`ServerHelloExtensions`], [`HelloRetryRequestExtensions`]) or TLS
    /// 1.2's ([`ServerHelloExtensions12`](super::tls12::ServerHelloExtensions12)).
    pub fn selected_version(&self) -> Result<Option<ProtocolVersion>, DecodeError> {
        self.extensions.get(E::SupportedVersions.to_wire()).map(read_selected_version).transpose()
    }

    /// True if the random carries a downgrade sentinel.
    pub fn has_downgrade_sentinel(&self) -> bool {
        let tail = &self.random[24..];
        tail == DOWNGRADE_TLS12 || tail == DOWNGRADE_TLS11
    }

    /// Writes the body.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        w.u16(self.legacy_version)?;
        w.bytes(&self.random)?;
        w.vec(1, self.session_id)?;
        w.u16(self.cipher_suite.to_wire())?;
        w.u8(self.compression)?;
        self.extensions.encode(w)
    }
}

fn read_selected_version(data: &[u8]) -> Result<ProtocolVersion, DecodeError> {
    exactly_u16(data, "supported_versions.selected_version").map(ProtocolVersion::from_wire)
}

/// What a TLS 1.3 ServerHello may carry (RFC 8446 §4.2 table, "SH").
const SERVER_HELLO: [E; 3] = [E::KeyShare, E::PreSharedKey, E::SupportedVersions];

/// The extensions of a TLS 1.3 ServerHello (RFC 8446 §4.1.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServerHelloExtensions<'a> {
    /// supported_versions: the version selected (§4.2.1).
    pub supported_version: Option<ProtocolVersion>,
    /// key_share: the server's share (§4.2.8).
    pub key_share: Option<KeyShareEntry<'a>>,
    /// pre_shared_key: the index of the identity selected (§4.2.11).
    pub pre_shared_key: Option<u16>,
    order: WireOrder,
}

impl<'a> ServerHelloExtensions<'a> {
    /// Reads a ServerHello's block: only types `solicited` (those the
    /// ClientHello offered) and the table allows.
    pub fn decode(exts: &Extensions<'a>, solicited: impl Fn(E) -> bool) -> Result<Self, ExtensionSetError> {
        let mut set = Self::default();
        set.order = decode_set(exts, "ServerHello", &SERVER_HELLO, Some(&solicited), |t, d| {
            match t {
                E::KeyShare => set.key_share = Some(KeyShareEntry::read_body(d)?),
                E::PreSharedKey => set.pre_shared_key = Some(exactly_u16(d, "pre_shared_key.selected_identity")?),
                E::SupportedVersions => set.supported_version = Some(read_selected_version(d)?),
                _ => {} // not in the table
            }
            Ok(())
        })?;
        Ok(set)
    }

    /// Writes the block with its length prefix.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        encode_set(w, &SERVER_HELLO, self.order, |t, w| match t {
            E::KeyShare => put(w, t, self.key_share, |w, k| k.encode(w)),
            E::PreSharedKey => put(w, t, self.pre_shared_key, |w, i| w.u16(i)),
            E::SupportedVersions => put(w, t, self.supported_version, |w, v| w.u16(v.to_wire())),
            _ => Ok(()), // not in the table
        })
    }
}

/// What a HelloRetryRequest may carry (RFC 8446 §4.2 table, "HRR").
const HELLO_RETRY_REQUEST: [E; 3] = [E::KeyShare, E::SupportedVersions, E::Cookie];

/// The extensions of a HelloRetryRequest (RFC 8446 §4.1.4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HelloRetryRequestExtensions<'a> {
    /// supported_versions: the version selected (§4.2.1).
    pub supported_version: Option<ProtocolVersion>,
    /// key_share: the group the server asks a share for (§4.2.8).
    pub key_share: Option<NamedGroup>,
    /// cookie: to echo in the second ClientHello (§4.2.2).
    pub cookie: Option<&'a [u8]>,
    order: WireOrder,
}

impl<'a> HelloRetryRequestExtensions<'a> {
    /// Reads a HelloRetryRequest's block: only types `solicited` (those
    /// the ClientHello offered) and the table allows, and a cookie, which
    /// may come unasked (§4.2.2).
    pub fn decode(exts: &Extensions<'a>, solicited: impl Fn(E) -> bool) -> Result<Self, ExtensionSetError> {
        let solicited = |t| t == E::Cookie || solicited(t);
        let mut set = Self::default();
        set.order = decode_set(exts, "HelloRetryRequest", &HELLO_RETRY_REQUEST, Some(&solicited), |t, d| {
            match t {
                E::KeyShare => {
                    set.key_share = Some(NamedGroup::from_wire(exactly_u16(d, "key_share.selected_group")?));
                }
                E::SupportedVersions => set.supported_version = Some(read_selected_version(d)?),
                E::Cookie => {
                    let mut r = Reader::new(d);
                    set.cookie = Some(r.vec16_bounded(1, 0xffff, "cookie")?);
                    r.finish("cookie (trailing bytes)")?;
                }
                _ => {} // not in the table
            }
            Ok(())
        })?;
        Ok(set)
    }

    /// Writes the block with its length prefix.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        encode_set(w, &HELLO_RETRY_REQUEST, self.order, |t, w| match t {
            E::KeyShare => put(w, t, self.key_share, |w, g| w.u16(g.to_wire())),
            E::SupportedVersions => put(w, t, self.supported_version, |w, v| w.u16(v.to_wire())),
            E::Cookie => put(w, t, self.cookie, |w, c| w.vec(2, c)),
            _ => Ok(()), // not in the table
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::extensions::{test_block, test_round_trip};

    fn sh(raw: &[u8], solicited: impl Fn(E) -> bool) -> Result<std::vec::Vec<u8>, ExtensionSetError> {
        test_round_trip(raw, |e| ServerHelloExtensions::decode(e, solicited), |s, w| s.encode(w))
    }

    fn hrr(raw: &[u8], solicited: impl Fn(E) -> bool) -> Result<std::vec::Vec<u8>, ExtensionSetError> {
        test_round_trip(raw, |e| HelloRetryRequestExtensions::decode(e, solicited), |s, w| s.encode(w))
    }

    #[test]
    fn server_hello_values_and_round_trip() {
        let share = [0, 0x1d, 0, 3, 7, 8, 9];
        let raw = test_block(&[(41, &[0, 0]), (51, &share), (43, &[3, 4])]);
        let exts = Extensions::check(&raw).unwrap();
        let set = ServerHelloExtensions::decode(&exts, |_| true).unwrap();
        assert_eq!(set.supported_version, Some(ProtocolVersion::Tls13));
        assert_eq!(set.key_share, Some(KeyShareEntry { group: NamedGroup::X25519, key_exchange: &[7, 8, 9] }));
        assert_eq!(set.pre_shared_key, Some(0));
        // Written back in the order it came.
        assert_eq!(sh(&raw, |_| true).unwrap(), raw);
        // A set built by hand is written in the table's order.
        let built = ServerHelloExtensions {
            supported_version: Some(ProtocolVersion::Tls13),
            pre_shared_key: Some(0),
            ..Default::default()
        };
        let mut buf = [0u8; 32];
        let mut w = Writer::new(&mut buf);
        built.encode(&mut w).unwrap();
        assert_eq!(w.written()[2..], test_block(&[(41, &[0, 0]), (43, &[3, 4])]));
    }

    #[test]
    fn server_hello_refusals() {
        let not_allowed = |t| Err(ExtensionSetError::NotAllowed { extension: t, message: "ServerHello" });
        assert_eq!(sh(&test_block(&[(44, &[0, 1, 1])]), |_| true), not_allowed(44));
        assert_eq!(sh(&test_block(&[(0, &[])]), |_| true), not_allowed(0));
        assert_eq!(
            sh(&test_block(&[(51, &[0, 0x1d, 0, 0])]), |_| true),
            Err(DecodeError("KeyShareEntry.key_exchange").into())
        );
        let bad_version = test_block(&[(43, &[3, 4, 0])]);
        assert_eq!(sh(&bad_version, |_| true), Err(DecodeError("supported_versions.selected_version").into()));
        assert_eq!(
            sh(&test_block(&[(41, &[0])]), |_| true),
            Err(DecodeError("pre_shared_key.selected_identity").into())
        );
        // Not offered: unsolicited before anything else.
        assert_eq!(
            sh(&test_block(&[(41, &[0, 0])]), |t| t != E::PreSharedKey),
            Err(ExtensionSetError::Unsolicited(41))
        );
    }

    #[test]
    fn hello_retry_request_values_refusals_and_round_trip() {
        // §4.2.2: a cookie may come though the client sent none.
        let raw = test_block(&[(43, &[3, 4]), (44, &[0, 2, 0xc0, 0x0c]), (51, &[0, 0x17])]);
        let offered = |t| t == E::SupportedVersions || t == E::KeyShare;
        let set = HelloRetryRequestExtensions::decode(&Extensions::check(&raw).unwrap(), offered).unwrap();
        assert_eq!(set.cookie, Some(&[0xc0, 0x0c][..]));
        assert_eq!(set.key_share, Some(NamedGroup::Secp256r1));
        assert_eq!(set.supported_version, Some(ProtocolVersion::Tls13));
        assert_eq!(hrr(&raw, offered).unwrap(), raw);
        // A key_share the client did not send stays unsolicited.
        assert_eq!(hrr(&raw, |t| t == E::SupportedVersions), Err(ExtensionSetError::Unsolicited(51)));
        let not_allowed = Err(ExtensionSetError::NotAllowed { extension: 41, message: "HelloRetryRequest" });
        assert_eq!(hrr(&test_block(&[(41, &[0, 0])]), |_| true), not_allowed);
        assert_eq!(hrr(&test_block(&[(44, &[0, 0])]), |_| true), Err(DecodeError("cookie").into()));
        assert_eq!(
            hrr(&test_block(&[(44, &[0, 1, 1, 2])]), |_| true),
            Err(DecodeError("cookie (trailing bytes)").into())
        );
        assert_eq!(
            hrr(&test_block(&[(51, &[0, 0x17, 0])]), |_| true),
            Err(DecodeError("key_share.selected_group").into())
        );
    }

    #[test]
    fn selected_version_is_read_before_the_table_is_known() {
        let mut body = std::vec![3, 3];
        body.extend_from_slice(&[1; 32]);
        body.extend_from_slice(&[0, 0x13, 0x01, 0]);
        let with = |exts: &[(u16, &[u8])]| {
            let block = test_block(exts);
            let mut b = body.clone();
            b.extend_from_slice(&(block.len() as u16).to_be_bytes());
            b.extend_from_slice(&block);
            b
        };
        let b = with(&[(43, &[3, 4])]);
        assert_eq!(ServerHello::decode(&b).unwrap().selected_version(), Ok(Some(ProtocolVersion::Tls13)));
        let b = with(&[(0xff01, &[0])]);
        assert_eq!(ServerHello::decode(&b).unwrap().selected_version(), Ok(None));
        let b = with(&[(43, &[3])]);
        let e = ServerHello::decode(&b).unwrap().selected_version();
        assert_eq!(e, Err(DecodeError("supported_versions.selected_version")));
    }
}
