//! Builds certificates in test code, to craft chains that break one rule:
//! a small DER writer and ECDSA P-256 signing with fixed test keys.
//!
//! `chain(|root| .., |int| .., |leaf| ..)` makes a conforming root ->
//! intermediate -> leaf chain (the leaf for `leaf.test`), after letting each
//! closure change its certificate's [`Spec`].

use crate::common::provider::VerifyWithTestProvider as _;
use embertls::x509::{CaVerifier, Profile, TrustAnchors};
use embertls::{CertError, CertificateChain, ServerName, Trust};
use p256::ecdsa::{Signature, SigningKey};
use signature::Signer;

pub const OID_BC: &str = "2.5.29.19";
pub const OID_KU: &str = "2.5.29.15";
pub const OID_EKU: &str = "2.5.29.37";
pub const OID_SAN: &str = "2.5.29.17";
pub const OID_NC: &str = "2.5.29.30";
pub const OID_SKI: &str = "2.5.29.14";
pub const OID_AKI: &str = "2.5.29.35";
pub const OID_AIA: &str = "1.3.6.1.5.5.7.1.1";
pub const KP_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
pub const KP_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";

/// keyUsage bits (RFC 5280 §4.2.1.3).
pub const KU_DIGITAL_SIGNATURE: u16 = 1 << 0;
pub const KU_KEY_CERT_SIGN: u16 = 1 << 5;
pub const KU_CRL_SIGN: u16 = 1 << 6;

pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend_from_slice(&[0x81, n as u8]);
    } else if n < 0x10000 {
        out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    } else {
        out.extend_from_slice(&[0x83, (n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(content);
    out
}

pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

pub fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').map(|a| a.parse().unwrap()).collect();
    let mut body = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &a in &arcs[2..] {
        let mut chunk = vec![(a & 0x7f) as u8];
        let mut v = a >> 7;
        while v > 0 {
            chunk.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        chunk.reverse();
        body.extend(chunk);
    }
    tlv(0x06, &body)
}

/// A Name with one commonName (UTF8String), or empty for `""`.
pub fn cn_name(cn: &str) -> Vec<u8> {
    if cn.is_empty() {
        return seq(&[]);
    }
    seq(&[tlv(0x31, &seq(&[oid("2.5.4.3"), tlv(0x0c, cn.as_bytes())]))])
}

/// A Name with an organization only (no commonName).
pub fn org_name(o: &str) -> Vec<u8> {
    seq(&[tlv(0x31, &seq(&[oid("2.5.4.10"), tlv(0x0c, o.as_bytes())]))])
}

pub fn basic_constraints(ca: bool, path_len: Option<u8>) -> Vec<u8> {
    let mut parts = vec![];
    if ca {
        parts.push(vec![0x01, 0x01, 0xff]);
    }
    if let Some(p) = path_len {
        parts.push(vec![0x02, 0x01, p]);
    }
    seq(&parts)
}

pub fn key_usage(bits: u16) -> Vec<u8> {
    // Named bit n is bit (7 - n % 8) of byte n / 8; trailing zero bits dropped (X.690 §11.2.2).
    let mut bytes = [0u8; 2];
    for n in 0..9 {
        if bits & (1 << n) != 0 {
            bytes[n / 8] |= 0x80 >> (n % 8);
        }
    }
    let len = if bytes[1] != 0 { 2 } else { 1 };
    let last = bytes[len - 1];
    let unused = if last == 0 { 0 } else { last.trailing_zeros() as u8 };
    let mut content = vec![unused];
    content.extend_from_slice(&bytes[..len]);
    tlv(0x03, &content)
}

pub fn eku(oids: &[&str]) -> Vec<u8> {
    seq(&oids.iter().map(|o| oid(o)).collect::<Vec<_>>())
}

/// A GeneralName.
pub enum Gn<'a> {
    Dns(&'a str),
    Ip(&'a [u8]),
    Uri(&'a str),
}

pub fn general_name(g: &Gn<'_>) -> Vec<u8> {
    match g {
        Gn::Dns(d) => tlv(0x82, d.as_bytes()),
        Gn::Ip(b) => tlv(0x87, b),
        Gn::Uri(u) => tlv(0x86, u.as_bytes()),
    }
}

pub fn san(names: &[Gn<'_>]) -> Vec<u8> {
    seq(&names.iter().map(general_name).collect::<Vec<_>>())
}

/// nameConstraints; `None` leaves a subtree list out, `Some(&[])` writes it empty.
pub fn name_constraints(permitted: Option<&[Gn<'_>]>, excluded: Option<&[Gn<'_>]>) -> Vec<u8> {
    let subtrees =
        |tag: u8, gs: &[Gn<'_>]| tlv(tag, &gs.iter().map(|g| seq(&[general_name(g)])).collect::<Vec<_>>().concat());
    let mut parts = vec![];
    if let Some(p) = permitted {
        parts.push(subtrees(0xa0, p));
    }
    if let Some(e) = excluded {
        parts.push(subtrees(0xa1, e));
    }
    seq(&parts)
}

pub fn ski(id: &[u8]) -> Vec<u8> {
    tlv(0x04, id)
}

pub fn aki(id: &[u8]) -> Vec<u8> {
    seq(&[tlv(0x80, id)])
}

/// authorityInfoAccess with one caIssuers URI.
pub fn aia(uri: &str) -> Vec<u8> {
    seq(&[seq(&[oid("1.3.6.1.5.5.7.48.2"), tlv(0x86, uri.as_bytes())])])
}

pub struct Ext {
    pub oid: &'static str,
    pub critical: bool,
    pub value: Vec<u8>,
}

/// What a certificate will hold; change fields, then [`Spec::sign`].
pub struct Spec {
    /// INTEGER content octets.
    pub serial: Vec<u8>,
    pub issuer: Vec<u8>,
    pub subject: Vec<u8>,
    /// UTCTime strings, e.g. `250101000000Z`.
    pub not_before: String,
    pub not_after: String,
    /// The certificate's key (a P-256 test key number).
    pub key: u8,
    /// A SubjectPublicKeyInfo to use instead of the key's.
    pub spki: Option<Vec<u8>>,
    pub exts: Vec<Ext>,
}

pub fn signing_key(n: u8) -> SigningKey {
    let mut b = [0x11u8; 32];
    b[31] = n;
    SigningKey::from_slice(&b).unwrap()
}

pub fn spki_of(n: u8) -> Vec<u8> {
    let point = signing_key(n).verifying_key().to_sec1_point(false);
    let mut bits = vec![0u8];
    bits.extend_from_slice(point.as_bytes());
    seq(&[seq(&[oid("1.2.840.10045.2.1"), oid("1.2.840.10045.3.1.7")]), tlv(0x03, &bits)])
}

/// A subjectKeyIdentifier for key `n`.
pub fn key_id(n: u8) -> Vec<u8> {
    vec![n; 20]
}

impl Spec {
    /// Sets (or replaces) an extension.
    pub fn set(&mut self, oid: &'static str, critical: bool, value: Vec<u8>) -> &mut Self {
        match self.exts.iter_mut().find(|e| e.oid == oid) {
            Some(e) => {
                e.critical = critical;
                e.value = value;
            }
            None => self.exts.push(Ext { oid, critical, value }),
        }
        self
    }

    pub fn remove(&mut self, oid: &str) -> &mut Self {
        self.exts.retain(|e| e.oid != oid);
        self
    }

    pub fn critical(&mut self, oid: &str, critical: bool) -> &mut Self {
        self.exts.iter_mut().filter(|e| e.oid == oid).for_each(|e| e.critical = critical);
        self
    }

    /// The DER certificate, signed with ECDSA P-256 / SHA-256 by key `issuer_key`.
    pub fn sign(&self, issuer_key: u8) -> Vec<u8> {
        let alg = seq(&[oid("1.2.840.10045.4.3.2")]);
        let exts: Vec<Vec<u8>> = self
            .exts
            .iter()
            .map(|e| {
                let mut parts = vec![oid(e.oid)];
                if e.critical {
                    parts.push(vec![0x01, 0x01, 0xff]);
                }
                parts.push(tlv(0x04, &e.value));
                seq(&parts)
            })
            .collect();
        let mut tbs_parts = vec![
            tlv(0xa0, &[0x02, 0x01, 0x02]),
            tlv(0x02, &self.serial),
            alg.clone(),
            self.issuer.clone(),
            seq(&[tlv(0x17, self.not_before.as_bytes()), tlv(0x17, self.not_after.as_bytes())]),
            self.subject.clone(),
            self.spki.clone().unwrap_or_else(|| spki_of(self.key)),
        ];
        if !exts.is_empty() {
            tbs_parts.push(tlv(0xa3, &seq(&exts)));
        }
        let tbs = seq(&tbs_parts);
        let sig: Signature = signing_key(issuer_key).sign(&tbs);
        let mut bits = vec![0u8];
        bits.extend_from_slice(sig.to_der().as_bytes());
        seq(&[tbs, alg, tlv(0x03, &bits)])
    }
}

pub const ROOT_KEY: u8 = 1;
pub const INT_KEY: u8 = 2;
pub const LEAF_KEY: u8 = 3;
pub const HOST: &str = "leaf.test";

fn base(serial: u8, issuer: &str, subject: &str, key: u8) -> Spec {
    Spec {
        serial: vec![serial, 0x5a, 0x01],
        issuer: cn_name(issuer),
        subject: cn_name(subject),
        not_before: "250101000000Z".into(),
        not_after: "450101000000Z".into(),
        key,
        spki: None,
        exts: vec![],
    }
}

/// A conforming root CA (both profiles).
pub fn root_spec() -> Spec {
    let mut s = base(1, "Built Root", "Built Root", ROOT_KEY);
    s.set(OID_BC, true, basic_constraints(true, None))
        .set(OID_KU, true, key_usage(KU_KEY_CERT_SIGN | KU_CRL_SIGN))
        .set(OID_SKI, false, ski(&key_id(ROOT_KEY)));
    s
}

/// A conforming intermediate CA.
pub fn int_spec() -> Spec {
    let mut s = base(2, "Built Root", "Built Intermediate", INT_KEY);
    s.set(OID_BC, true, basic_constraints(true, None))
        .set(OID_KU, true, key_usage(KU_KEY_CERT_SIGN | KU_CRL_SIGN))
        .set(OID_SKI, false, ski(&key_id(INT_KEY)))
        .set(OID_AKI, false, aki(&key_id(ROOT_KEY)));
    s
}

/// A conforming server certificate for [`HOST`].
pub fn leaf_spec() -> Spec {
    let mut s = base(3, "Built Intermediate", HOST, LEAF_KEY);
    s.set(OID_BC, true, basic_constraints(false, None))
        .set(OID_KU, true, key_usage(KU_DIGITAL_SIGNATURE))
        .set(OID_EKU, false, eku(&[KP_SERVER_AUTH]))
        .set(OID_SAN, false, san(&[Gn::Dns(HOST)]))
        .set(OID_AKI, false, aki(&key_id(INT_KEY)));
    s
}

/// root, intermediate, leaf (DER).
pub struct Built {
    pub root: Vec<u8>,
    pub int: Vec<u8>,
    pub leaf: Vec<u8>,
}

/// A root -> intermediate -> leaf chain, each spec changed by its closure first.
pub fn chain(r: impl FnOnce(&mut Spec), i: impl FnOnce(&mut Spec), l: impl FnOnce(&mut Spec)) -> Built {
    let (mut rs, mut is, mut ls) = (root_spec(), int_spec(), leaf_spec());
    r(&mut rs);
    i(&mut is);
    l(&mut ls);
    Built { root: rs.sign(ROOT_KEY), int: is.sign(ROOT_KEY), leaf: ls.sign(INT_KEY) }
}

/// Only the leaf changed.
pub fn leaf_chain(l: impl FnOnce(&mut Spec)) -> Built {
    chain(|_| {}, |_| {}, l)
}

/// Only the intermediate changed.
pub fn int_chain(i: impl FnOnce(&mut Spec)) -> Built {
    chain(|_| {}, i, |_| {})
}

/// Only the root changed.
pub fn root_chain(r: impl FnOnce(&mut Spec)) -> Built {
    chain(r, |_| {}, |_| {})
}

impl Built {
    /// Verifies leaf + intermediate against the root for [`HOST`] at NOW under `profile`.
    pub fn verify(&self, profile: Profile) -> Result<Trust, CertError> {
        self.verify_for(profile, HOST)
    }

    pub fn verify_for(&self, profile: Profile, host: &str) -> Result<Trust, CertError> {
        let mut a = TrustAnchors::new();
        a.add_der(&self.root).unwrap();
        let v = CaVerifier::new(a).profile(profile);
        let list = super::tls13_list(&[self.leaf.clone(), self.int.clone()]);
        let chain = CertificateChain::from_tls13_list(&list).unwrap();
        v.verify_with_test_provider(&chain, &ServerName::parse(host), Some(super::NOW))
    }

    pub fn strict(&self) -> Result<Trust, CertError> {
        self.verify(Profile::Strict)
    }

    pub fn rfc5280(&self) -> Result<Trust, CertError> {
        self.verify(Profile::Rfc5280)
    }
}
