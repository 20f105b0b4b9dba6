//! EncryptedExtensions (RFC 8446 §4.3.1): the server's answers that need no
//! key exchange, the message being only its extension block.

use super::enums::ExtensionType as E;
use super::extensions::{
    decode_set, empty, encode_set, max_fragment_length, put, record_size_limit, ExtensionSetError, Extensions,
    ProtocolNames, U16List, WireOrder,
};
use crate::codec::{Reader, WriteError, Writer};

/// What EncryptedExtensions may carry (RFC 8446 §4.2 table, "EE"; RFC 8449
/// §4 adds record_size_limit).
const ENCRYPTED_EXTENSIONS: [E; 6] =
    [E::ServerName, E::MaxFragmentLength, E::SupportedGroups, E::Alpn, E::EarlyData, E::RecordSizeLimit];

/// A parsed EncryptedExtensions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EncryptedExtensions<'a> {
    /// server_name, empty: the server used the name sent (RFC 6066 §3).
    pub server_name: bool,
    /// max_fragment_length: the code agreed (RFC 6066 §4).
    pub max_fragment_length: Option<u8>,
    /// supported_groups: the server's preference, for later connections (§4.2.7).
    pub supported_groups: Option<U16List<'a>>,
    /// application_layer_protocol_negotiation: the protocol chosen (RFC 7301 §3.1).
    pub alpn: Option<ProtocolNames<'a>>,
    /// early_data, empty: the server accepted 0-RTT data (§4.2.10).
    pub early_data: bool,
    /// record_size_limit: the largest record the server accepts (RFC 8449 §4).
    pub record_size_limit: Option<u16>,
    order: WireOrder,
}

impl<'a> EncryptedExtensions<'a> {
    /// Parses the body: only types `solicited` (those the ClientHello
    /// offered) and the table allows.
    pub fn decode(body: &'a [u8], solicited: impl Fn(E) -> bool) -> Result<Self, ExtensionSetError> {
        let mut r = Reader::new(body);
        let exts = Extensions::check(r.vec16("EncryptedExtensions.extensions")?)?;
        r.finish("EncryptedExtensions (trailing bytes)")?;
        let mut ee = Self::default();
        ee.order = decode_set(&exts, "EncryptedExtensions", &ENCRYPTED_EXTENSIONS, Some(&solicited), |t, d| {
            match t {
                E::ServerName => ee.server_name = empty(d, "EncryptedExtensions.server_name (must be empty)")?,
                E::MaxFragmentLength => ee.max_fragment_length = Some(max_fragment_length(d)?),
                E::SupportedGroups => {
                    ee.supported_groups =
                        Some(U16List::read_body(d, "supported_groups", "supported_groups (trailing bytes)")?)
                }
                E::Alpn => ee.alpn = Some(ProtocolNames::read_body(d)?),
                E::EarlyData => ee.early_data = empty(d, "EncryptedExtensions.early_data (must be empty)")?,
                E::RecordSizeLimit => ee.record_size_limit = Some(record_size_limit(d)?),
                _ => {} // not in the table
            }
            Ok(())
        })?;
        Ok(ee)
    }

    /// Writes the body.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WriteError> {
        encode_set(w, &ENCRYPTED_EXTENSIONS, self.order, |t, w| match t {
            E::ServerName => put(w, t, self.server_name.then_some(()), |_, ()| Ok(())),
            E::MaxFragmentLength => put(w, t, self.max_fragment_length, |w, c| w.u8(c)),
            E::SupportedGroups => put(w, t, self.supported_groups, |w, g| g.encode(w)),
            E::Alpn => put(w, t, self.alpn, |w, a| a.encode(w)),
            E::EarlyData => put(w, t, self.early_data.then_some(()), |_, ()| Ok(())),
            E::RecordSizeLimit => put(w, t, self.record_size_limit, |w, l| w.u16(l)),
            _ => Ok(()), // not in the table
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::DecodeError;
    use crate::msgs::extensions::test_block;

    fn body(exts: &[(u16, &[u8])]) -> std::vec::Vec<u8> {
        let block = test_block(exts);
        let mut b = (block.len() as u16).to_be_bytes().to_vec();
        b.extend_from_slice(&block);
        b
    }

    #[test]
    fn values_and_round_trip() {
        let b = body(&[
            (0x10, &[0, 5, 4, b'm', b'q', b't', b't']),
            (28, &[0x40, 0]),
            (0, &[]),
            (10, &[0, 4, 0, 0x1d, 0, 0x17]),
            (1, &[2]),
            (42, &[]),
        ]);
        let ee = EncryptedExtensions::decode(&b, |_| true).unwrap();
        assert_eq!(ee.alpn.and_then(|a| a.single()), Some(&b"mqtt"[..]));
        assert_eq!((ee.record_size_limit, ee.max_fragment_length), (Some(0x4000), Some(2)));
        assert!(ee.server_name && ee.early_data);
        assert_eq!(ee.supported_groups.unwrap().iter().collect::<std::vec::Vec<_>>(), [0x1d, 0x17]);
        let mut out = std::vec![0u8; b.len()];
        let mut w = Writer::new(&mut out);
        ee.encode(&mut w).unwrap();
        assert_eq!(w.written(), b);
        assert_eq!(EncryptedExtensions::decode(&body(&[]), |_| false), Ok(EncryptedExtensions::default()));
    }

    #[test]
    fn refusals() {
        let decode = |exts: &[(u16, &[u8])]| {
            EncryptedExtensions::decode(&body(exts), |t| !matches!(t, E::EarlyData | E::Unknown(_))).map(|_| ())
        };
        let not_allowed = |t| Err(ExtensionSetError::NotAllowed { extension: t, message: "EncryptedExtensions" });
        assert_eq!(decode(&[(51, &[])]), not_allowed(51));
        assert_eq!(decode(&[(43, &[3, 4])]), not_allowed(43));
        assert_eq!(decode(&[(42, &[])]), Err(ExtensionSetError::Unsolicited(42)));
        assert_eq!(decode(&[(0x1234, &[])]), Err(ExtensionSetError::Unsolicited(0x1234)));
        let malformed = |what| Err(DecodeError(what).into());
        assert_eq!(decode(&[(0, &[0])]), malformed("EncryptedExtensions.server_name (must be empty)"));
        assert_eq!(decode(&[(1, &[])]), malformed("max_fragment_length"));
        assert_eq!(decode(&[(28, &[1, 0, 0])]), malformed("record_size_limit"));
        assert_eq!(decode(&[(10, &[0, 3, 0, 0x1d, 0])]), malformed("supported_groups"));
        assert_eq!(decode(&[(16, &[0, 0])]), malformed("ALPN.ProtocolName"));
        assert_eq!(
            decode(&[(0, &[]), (0, &[])]),
            Err(ExtensionSetError::Malformed(crate::msgs::extensions::ExtensionsError::Duplicate(0)))
        );
        let mut trailing = body(&[]);
        trailing.push(0);
        assert_eq!(
            EncryptedExtensions::decode(&trailing, |_| true).map(|_| ()),
            malformed("EncryptedExtensions (trailing bytes)")
        );
    }
}
