//! TLS 1.2 AEAD record protection (RFC 5246 §6.2.3.3, RFC 5288 §3,
//! RFC 7905 §2) against the known-answer records of
//! `vectors/tls12-records/records.json` (computed with pyca/cryptography
//! and taken from tlslite-ng; provenance in its README): byte-for-byte
//! sealing, opening, every single-bit flip, truncation and replay.

use std::panic::{catch_unwind, AssertUnwindSafe};

use embertls::crypto::{AeadAlg, HashAlg, TAG_LEN};
use embertls::key_schedule::tls12::prf;
use embertls::msgs::enums::ContentType;
use embertls::record::{Opened, Protection, HEADER_LEN};
use embertls::Error;

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/tls12-records/records.json");

/// One record of `records.json`.
struct Vector {
    group: String,
    open_only: bool,
    aead: AeadAlg,
    key: Vec<u8>,
    iv: Vec<u8>,
    seq: u64,
    typ: ContentType,
    plaintext: Vec<u8>,
    record: Vec<u8>,
    fields: Vec<(String, String)>,
}

impl Vector {
    fn name(&self) -> String {
        format!("{}#{}", self.group, self.seq)
    }

    fn field(&self, key: &str) -> &str {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("no {key}"))
    }

    fn gcm(&self) -> bool {
        self.aead != AeadAlg::Chacha20Poly1305
    }

    /// Bytes between the header and the ciphertext.
    fn explicit_len(&self) -> usize {
        if self.gcm() {
            8
        } else {
            0
        }
    }

    fn protection(&self) -> Protection<embertls::crypto::RustCrypto> {
        Protection::tls12(&mut embertls::crypto::RustCrypto, self.aead, &self.key, &self.iv)
    }
}

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The flat objects of the top-level `"vectors"` array: `"key": "string"`
/// or `"key": integer` pairs (no nesting, no escapes: refused, not guessed).
fn parse(text: &str) -> Vec<Vec<(String, String)>> {
    let s = text.as_bytes();
    let mut i = text.find("\"vectors\"").expect("no vectors") + "\"vectors\"".len();
    let skip = |i: &mut usize| {
        while s[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    let expect = |i: &mut usize, c: u8| {
        skip(i);
        assert_eq!(s[*i] as char, c as char, "at byte {i}");
        *i += 1;
    };
    let string = |i: &mut usize| -> String {
        expect(i, b'"');
        let start = *i;
        while s[*i] != b'"' {
            assert_ne!(s[*i], b'\\', "escape at byte {i}");
            *i += 1;
        }
        *i += 1;
        text[start..*i - 1].to_owned()
    };
    expect(&mut i, b':');
    expect(&mut i, b'[');
    let mut out = Vec::new();
    loop {
        expect(&mut i, b'{');
        let mut obj: Vec<(String, String)> = Vec::new();
        loop {
            let k = string(&mut i);
            expect(&mut i, b':');
            skip(&mut i);
            let v = if s[i] == b'"' {
                string(&mut i)
            } else {
                let start = i;
                while s[i].is_ascii_digit() {
                    i += 1;
                }
                assert!(i > start, "value of {k} is neither a string nor a number");
                text[start..i].to_owned()
            };
            assert!(!obj.iter().any(|(o, _)| *o == k), "duplicate {k}");
            obj.push((k, v));
            skip(&mut i);
            i += 1;
            match s[i - 1] {
                b',' => continue,
                b'}' => break,
                c => panic!("expected ',' or '}}' at byte {}, found {:?}", i - 1, c as char),
            }
        }
        out.push(obj);
        skip(&mut i);
        i += 1;
        match s[i - 1] {
            b',' => continue,
            b']' => return out,
            c => panic!("expected ',' or ']' at byte {}, found {:?}", i - 1, c as char),
        }
    }
}

fn load() -> Vec<Vector> {
    let text = std::fs::read_to_string(FILE).unwrap_or_else(|e| panic!("{FILE}: {e}"));
    parse(&text)
        .into_iter()
        .map(|fields| {
            let get = |k: &str| fields.iter().find(|(f, _)| f == k).unwrap_or_else(|| panic!("no {k}")).1.clone();
            let aead = match get("aead").as_str() {
                "AES_128_GCM" => AeadAlg::Aes128Gcm,
                "AES_256_GCM" => AeadAlg::Aes256Gcm,
                "CHACHA20_POLY1305" => AeadAlg::Chacha20Poly1305,
                other => panic!("aead {other}"),
            };
            let open_only = match get("mode").as_str() {
                "seal_and_open" => false,
                "open_only" => true,
                other => panic!("mode {other}"),
            };
            Vector {
                group: get("group"),
                open_only,
                aead,
                key: hex(&get("key")),
                iv: hex(&get("iv")),
                seq: get("seq").parse().unwrap(),
                typ: ContentType::from_wire(get("content_type").parse().unwrap()),
                plaintext: hex(&get("plaintext")),
                record: hex(&get("record")),
                fields,
            }
        })
        .collect()
}

/// The vectors grouped by key, each group in sequence-number order.
fn groups(all: &[Vector]) -> Vec<Vec<&Vector>> {
    let mut out: Vec<Vec<&Vector>> = Vec::new();
    for v in all {
        match out.iter_mut().find(|g| g[0].group == v.group) {
            Some(g) => g.push(v),
            None => out.push(vec![v]),
        }
    }
    for g in &out {
        for (n, v) in g.iter().enumerate() {
            assert_eq!(v.seq, n as u64, "{}: records listed in sequence order from 0", v.name());
            assert_eq!((v.aead, &v.key, &v.iv), (g[0].aead, &g[0].key, &g[0].iv), "{}: one key", v.name());
        }
    }
    out
}

/// A fresh receiving Protection<embertls::crypto::RustCrypto> that has opened the records before `n`.
fn opener_at(group: &[&Vector], n: usize) -> Protection<embertls::crypto::RustCrypto> {
    let mut p = group[0].protection();
    for v in &group[..n] {
        let mut buf = v.record.clone();
        p.open(&mut embertls::crypto::RustCrypto, &mut buf).unwrap_or_else(|e| panic!("{}: open: {e}", v.name()));
    }
    p
}

/// Opens `buf` with `p`, turning a panic into a message.
fn try_open(p: &mut Protection<embertls::crypto::RustCrypto>, buf: &mut [u8]) -> Result<Result<Opened, Error>, String> {
    catch_unwind(AssertUnwindSafe(|| p.open_in_place(&mut embertls::crypto::RustCrypto, buf))).map_err(|e| {
        e.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| e.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into())
    })
}

#[test]
fn vectors_are_well_formed_and_cover_every_aead() {
    let all = load();
    assert_eq!(all.len(), 19, "vectors read");
    let groups = groups(&all);
    assert_eq!(groups.len(), 8);
    for aead in [AeadAlg::Aes128Gcm, AeadAlg::Aes256Gcm, AeadAlg::Chacha20Poly1305] {
        let sealed: Vec<&Vector> = all.iter().filter(|v| v.aead == aead && !v.open_only).collect();
        assert!(sealed.len() >= 4, "{aead:?}: records to seal");
        for t in [ContentType::Handshake, ContentType::ApplicationData, ContentType::Alert] {
            assert!(sealed.iter().any(|v| v.typ == t), "{aead:?}: a {t:?} record");
        }
        assert!(sealed.iter().any(|v| v.plaintext.is_empty()), "{aead:?}: an empty record");
        assert!(sealed.iter().any(|v| v.plaintext.len() >= 100), "{aead:?}: a 100-byte record");
        assert!(all.iter().any(|v| v.aead == aead && v.field("source") == "tlslite-ng"), "{aead:?}: external");
    }
    for v in &all {
        let r = &v.record;
        assert_eq!(v.key.len(), v.aead.key_len(), "{}: key length", v.name());
        assert_eq!(v.iv.len(), if v.gcm() { 4 } else { 12 }, "{}: IV length", v.name());
        assert_eq!(r[0], v.typ.to_wire(), "{}: header type", v.name());
        assert_eq!(r[1..3], [3, 3], "{}: header version", v.name());
        assert_eq!(usize::from(u16::from_be_bytes([r[3], r[4]])), r.len() - HEADER_LEN, "{}: length", v.name());
        assert_eq!(r.len(), HEADER_LEN + v.explicit_len() + v.plaintext.len() + TAG_LEN, "{}: size", v.name());
        if v.gcm() {
            // RFC 5288 §3: the explicit nonce is the sequence number unless the
            // sender chose otherwise (the open_only groups).
            assert_eq!(r[5..13] == v.seq.to_be_bytes(), !v.open_only, "{}: explicit nonce", v.name());
        }
    }
}

/// The tlslite-ng records' keys are the client write key and IV of the key
/// block that embertls's own PRF derives from the test's inputs.
#[test]
fn external_keys_come_from_the_key_block() {
    let all = load();
    let external: Vec<&Vector> = all.iter().filter(|v| v.field("source") == "tlslite-ng").collect();
    assert_eq!(external.len(), 3);
    for v in external {
        let hash = match v.field("prf_hash") {
            "SHA256" => HashAlg::Sha256,
            "SHA384" => HashAlg::Sha384,
            other => panic!("{other}"),
        };
        let (klen, ivlen) = (v.key.len(), v.iv.len());
        let seed = [hex(v.field("server_random")), hex(v.field("client_random"))].concat();
        let mut kb = vec![0u8; 2 * (klen + ivlen)];
        prf(&mut embertls::crypto::RustCrypto, hash, &hex(v.field("master_secret")), b"key expansion", &seed, &mut kb);
        assert_eq!(to_hex(&kb), v.field("key_block"), "{}: key block", v.name());
        assert_eq!(kb[..klen], v.key, "{}: client_write_key", v.name());
        assert_eq!(kb[2 * klen..2 * klen + ivlen], v.iv, "{}: client_write_IV", v.name());
        assert_eq!(v.plaintext, b"test");
    }
}

#[test]
fn seal_matches_every_record_byte_for_byte() {
    let all = load();
    let mut n = 0;
    for group in groups(&all).iter().filter(|g| !g[0].open_only) {
        let mut p = group[0].protection();
        assert!(!p.is_tls13());
        assert_eq!(p.overhead(), group[0].explicit_len() + TAG_LEN);
        for v in group {
            let len = v.plaintext.len();
            // Room to spare: only `total` bytes are the record.
            let mut buf = vec![0xa5u8; HEADER_LEN + len + p.overhead() + 9];
            buf[HEADER_LEN..HEADER_LEN + len].copy_from_slice(&v.plaintext);
            let total = p
                .seal(&mut embertls::crypto::RustCrypto, v.typ, &mut buf, len)
                .unwrap_or_else(|e| panic!("{}: seal: {e}", v.name()));
            assert_eq!(total, v.record.len(), "{}: length", v.name());
            assert_eq!(to_hex(&buf[..total]), to_hex(&v.record), "{}: sealed record", v.name());
            assert!(buf[total..].iter().all(|&b| b == 0xa5), "{}: wrote past the record", v.name());
            n += 1;
        }
    }
    assert_eq!(n, 15);
}

/// A seal into a buffer without room for the overhead is refused and does
/// not use up a sequence number.
#[test]
fn seal_into_a_short_buffer_is_refused_without_using_a_sequence_number() {
    let all = load();
    for group in groups(&all).iter().filter(|g| !g[0].open_only) {
        let v = group[0];
        let mut p = v.protection();
        let len = v.plaintext.len();
        let needed = HEADER_LEN + len + p.overhead();
        let mut short = vec![0u8; needed - 1];
        short[HEADER_LEN..HEADER_LEN + len].copy_from_slice(&v.plaintext);
        assert_eq!(
            p.seal(&mut embertls::crypto::RustCrypto, v.typ, &mut short, len),
            Err(Error::SendBufferTooSmall { needed, capacity: needed - 1 }),
            "{}",
            v.name()
        );
        let mut buf = vec![0u8; needed];
        buf[HEADER_LEN..HEADER_LEN + len].copy_from_slice(&v.plaintext);
        assert_eq!(p.seal(&mut embertls::crypto::RustCrypto, v.typ, &mut buf, len), Ok(needed));
        assert_eq!(buf, v.record, "{}: still sequence number 0", v.name());
    }
}

#[test]
fn open_gives_every_plaintext_and_type() {
    let all = load();
    let mut n = 0;
    for group in groups(&all) {
        let mut moved = group[0].protection();
        let mut in_place = group[0].protection();
        for v in &group {
            let mut buf = v.record.clone();
            let (typ, len) = moved
                .open(&mut embertls::crypto::RustCrypto, &mut buf)
                .unwrap_or_else(|e| panic!("{}: open: {e}", v.name()));
            assert_eq!(typ, v.typ, "{}: type", v.name());
            assert_eq!(to_hex(&buf[HEADER_LEN..HEADER_LEN + len]), to_hex(&v.plaintext), "{}: plaintext", v.name());

            let mut buf = v.record.clone();
            let o = in_place
                .open_in_place(&mut embertls::crypto::RustCrypto, &mut buf)
                .unwrap_or_else(|e| panic!("{}: open_in_place: {e}", v.name()));
            let start = HEADER_LEN + v.explicit_len();
            assert_eq!(o, Opened { typ: v.typ, plaintext: start..start + v.plaintext.len() }, "{}", v.name());
            assert_eq!(buf[o.plaintext], v.plaintext[..], "{}: plaintext in place", v.name());
            n += 1;
        }
    }
    assert_eq!(n, 19);
}

/// Non-zero 8-byte runs of a plaintext, to look for in a buffer after a failure.
fn leaks(buf: &[u8], plaintext: &[u8]) -> bool {
    let runs: Vec<&[u8]> = plaintext.windows(8).filter(|w| w.iter().any(|&b| b != 0)).collect();
    buf.windows(8).any(|w| runs.contains(&w))
}

/// Which part of record `v` byte `i` is in.
fn part(v: &Vector, i: usize) -> &'static str {
    match i {
        0 => "type",
        1 | 2 => "version",
        3 | 4 => "length",
        _ if i < HEADER_LEN + v.explicit_len() => "explicit nonce",
        _ if i < v.record.len() - TAG_LEN => "ciphertext",
        _ => "tag",
    }
}

/// Flips every bit of the record bytes for which `select` holds, each in a
/// fresh copy opened at the record's sequence number; `check` judges the
/// result (`None` if right). Returns the number of flips and what was wrong.
fn flip_bits(
    select: impl Fn(&str) -> bool,
    check: impl Fn(&str, Result<Opened, Error>) -> Option<String>,
) -> (usize, Vec<String>) {
    let all = load();
    let mut tried = 0;
    let mut wrong = Vec::new();
    for group in groups(&all) {
        for (n, v) in group.iter().enumerate() {
            for i in (0..v.record.len()).filter(|&i| select(part(v, i))) {
                let what = part(v, i);
                for bit in 0..8 {
                    let mut p = opener_at(&group, n);
                    let mut buf = v.record.clone();
                    buf[i] ^= 1 << bit;
                    let got = match try_open(&mut p, &mut buf) {
                        Err(panic) => Some(format!("panicked: {panic}")),
                        Ok(r) => check(what, r),
                    };
                    if let Some(got) = got {
                        wrong.push(format!("{} byte {i} ({what}) bit {bit}: {got}", v.name()));
                    } else if leaks(&buf, &v.plaintext) {
                        wrong.push(format!("{} byte {i} ({what}) bit {bit}: plaintext left in the buffer", v.name()));
                    }
                    tried += 1;
                }
            }
        }
    }
    (tried, wrong)
}

/// Every single-bit change of the content type, explicit nonce, ciphertext
/// or tag is bad_record_mac: never Ok, never a panic, and no plaintext is
/// left in the buffer.
#[test]
fn flipped_type_nonce_ciphertext_or_tag_bits_are_bad_record_mac() {
    let (tried, wrong) = flip_bits(
        |what| !matches!(what, "version" | "length"),
        |_, r| match r {
            Err(Error::BadRecordMac) => None,
            other => Some(format!("{other:?}, not Err(BadRecordMac)")),
        },
    );
    let all = load();
    assert_eq!(tried, all.iter().map(|v| (v.record.len() - 4) * 8).sum::<usize>());
    assert!(wrong.is_empty(), "{} of {tried} flips not refused:\n{}", wrong.len(), wrong.join("\n"));
}

/// A changed version or length field in the header is refused too.
/// RFC 5246 §6.2.3.3 authenticates TLSCompressed.version, the record's own
/// version field (rustls and Go put the received bytes into the additional
/// data, OpenSSL rejects a version other than the negotiated one before
/// decrypting); a length field that disagrees with the record handed over
/// is not a record (bad_record_mac or a typed decode error, never Ok).
#[test]
fn flipped_version_or_length_bits_are_refused() {
    let (tried, wrong) = flip_bits(
        |what| matches!(what, "version" | "length"),
        |what, r| match r {
            Err(Error::BadRecordMac) => None,
            Err(_) if what == "length" => None,
            other => Some(format!("{other:?}")),
        },
    );
    assert_eq!(tried, load().len() * 4 * 8);
    assert!(wrong.is_empty(), "{} of {tried} flips not refused:\n{}", wrong.len(), wrong.join("\n"));
}

/// Opens every prefix of every record of at least `min` bytes (and less
/// than `max`), as cut and, when it holds a header, with the header length
/// rewritten to match; returns the number tried and what was not an error.
fn truncate(min: usize, max: usize) -> (usize, Vec<String>) {
    let all = load();
    let mut wrong = Vec::new();
    let mut tried = 0;
    for group in groups(&all) {
        for (n, v) in group.iter().enumerate() {
            for cut in min..v.record.len().min(max) {
                for fix_length in [false, true] {
                    if fix_length && cut < HEADER_LEN {
                        continue;
                    }
                    let mut p = opener_at(&group, n);
                    let mut buf = v.record[..cut].to_vec();
                    if fix_length {
                        buf[3..5].copy_from_slice(&((cut - HEADER_LEN) as u16).to_be_bytes());
                    }
                    let got = match try_open(&mut p, &mut buf) {
                        Err(panic) => Some(format!("panicked: {panic}")),
                        Ok(Ok(o)) => Some(format!("Ok({o:?})")),
                        Ok(Err(Error::BadRecordMac)) => None,
                        Ok(Err(_)) if !fix_length => None,
                        Ok(Err(e)) => Some(format!("Err({e:?}), not BadRecordMac")),
                    };
                    if let Some(got) = got {
                        let how = if fix_length { "length fixed" } else { "as cut" };
                        wrong.push(format!("{} cut to {cut} of {} ({how}): {got}", v.name(), v.record.len()));
                    }
                    tried += 1;
                }
            }
        }
    }
    (tried, wrong)
}

/// Every truncation that keeps the header is an error, never Ok and never
/// a panic, whether the header length still says the old length or was
/// rewritten to match (then it is bad_record_mac: shorter than the
/// overhead leaves no room for even an empty plaintext, longer ones change
/// the ciphertext and the length in the additional data).
#[test]
fn truncated_records_are_errors() {
    let (tried, wrong) = truncate(HEADER_LEN, usize::MAX);
    assert!(tried > 1500);
    assert!(wrong.is_empty(), "{} of {tried} truncations not refused:\n{}", wrong.len(), wrong.join("\n"));
}

/// Fewer bytes than a record header are an error, not a panic.
#[test]
fn records_shorter_than_a_header_are_errors_not_panics() {
    let (tried, wrong) = truncate(0, HEADER_LEN);
    assert_eq!(tried, load().len() * HEADER_LEN);
    assert!(wrong.is_empty(), "{} of {tried} truncations not refused:\n{}", wrong.len(), wrong.join("\n"));
}

/// The sequence number is implicit: a record opened a second time (replay),
/// or out of order, does not authenticate.
#[test]
fn replayed_and_reordered_records_fail() {
    let all = load();
    for group in groups(&all) {
        for (n, v) in group.iter().enumerate() {
            let mut p = opener_at(&group, n);
            let mut buf = v.record.clone();
            p.open(&mut embertls::crypto::RustCrypto, &mut buf)
                .unwrap_or_else(|e| panic!("{}: first open: {e}", v.name()));
            let mut again = v.record.clone();
            assert_eq!(
                p.open(&mut embertls::crypto::RustCrypto, &mut again),
                Err(Error::BadRecordMac),
                "{}: replayed",
                v.name()
            );
            assert!(!leaks(&again, &v.plaintext), "{}: replay left plaintext", v.name());
        }
        if group.len() > 1 {
            // Record 1 first: fails, and so does record 0 after it (number 1 was used up).
            let mut p = group[0].protection();
            let mut buf = group[1].record.clone();
            assert_eq!(
                p.open(&mut embertls::crypto::RustCrypto, &mut buf),
                Err(Error::BadRecordMac),
                "{}: skipped ahead",
                group[1].name()
            );
            let mut buf = group[0].record.clone();
            assert_eq!(
                p.open(&mut embertls::crypto::RustCrypto, &mut buf),
                Err(Error::BadRecordMac),
                "{}: late",
                group[0].name()
            );
        }
    }
}

/// The records of one key do not open under another key or algorithm.
#[test]
fn records_do_not_open_under_other_keys() {
    let all = load();
    let groups = groups(&all);
    for g in &groups {
        for other in &groups {
            if (g[0].aead, &g[0].key, &g[0].iv) == (other[0].aead, &other[0].key, &other[0].iv) {
                continue;
            }
            let mut p = other[0].protection();
            let mut buf = g[0].record.clone();
            assert!(
                p.open(&mut embertls::crypto::RustCrypto, &mut buf).is_err(),
                "{} under {}'s key",
                g[0].name(),
                other[0].group
            );
        }
    }
}
