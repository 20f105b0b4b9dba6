//! RFC 8448 test vectors from `vectors/rfc8448/*.json`, without a JSON
//! dependency: only the flat `"vectors": { "label": "hex", ... }` object of
//! each file is read (see `vectors/rfc8448/README.md`).
#![allow(dead_code)] // each test binary uses a different part of this module

use std::path::PathBuf;

/// §3 Simple 1-RTT Handshake.
pub const SECTION3: &str = "section3_simple_1rtt.json";
/// §4 Resumed 0-RTT Handshake.
pub const SECTION4: &str = "section4_resumed_0rtt.json";
/// §5 HelloRetryRequest.
pub const SECTION5: &str = "section5_hello_retry_request.json";
/// §6 Client Authentication.
pub const SECTION6: &str = "section6_client_authentication.json";
/// §7 Compatibility Mode.
pub const SECTION7: &str = "section7_compatibility_mode.json";
/// All of them, in RFC order.
pub const ALL: [&str; 5] = [SECTION3, SECTION4, SECTION5, SECTION6, SECTION7];

/// The `vectors` object of one section file: label -> bytes.
pub struct Vectors {
    /// The file name (for messages).
    pub file: &'static str,
    entries: Vec<(String, Vec<u8>)>,
}

impl Vectors {
    /// Loads `vectors/rfc8448/<file>`.
    pub fn load(file: &'static str) -> Self {
        let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "vectors", "rfc8448", file].iter().collect();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let entries = parse_vectors(&text)
            .unwrap_or_else(|e| panic!("{file}: {e}"))
            .into_iter()
            .map(|(k, v)| {
                let bytes = hex(&v).unwrap_or_else(|e| panic!("{file}: {k}: {e}"));
                (k, bytes)
            })
            .collect();
        Vectors { file, entries }
    }

    /// The bytes of `label`; panics naming the file if it is missing.
    pub fn get(&self, label: &str) -> &[u8] {
        self.try_get(label).unwrap_or_else(|| panic!("{}: no vector {label:?}", self.file))
    }

    /// The bytes of `label`, if present.
    pub fn try_get(&self, label: &str) -> Option<&[u8]> {
        self.entries.iter().find(|(k, _)| k == label).map(|(_, v)| v.as_slice())
    }

    /// True if `label` is present.
    pub fn has(&self, label: &str) -> bool {
        self.try_get(label).is_some()
    }

    /// All labels, in file order.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }
}

/// Decodes lowercase or uppercase hex without separators.
pub fn hex(s: &str) -> Result<Vec<u8>, String> {
    if !s.len().is_multiple_of(2) {
        return Err(format!("odd hex length {}", s.len()));
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err(format!("not a hex digit: {:?}", c as char)),
    };
    s.as_bytes().chunks(2).map(|p| Ok(digit(p[0])? << 4 | digit(p[1])?)).collect()
}

/// Hex-decodes a literal in test code (panics on bad input).
pub fn h(s: &str) -> Vec<u8> {
    hex(s).unwrap()
}

/// The `"label": "string"` pairs of the top-level `"vectors"` object.
/// Refuses nested values, escapes and duplicate labels rather than guess.
fn parse_vectors(text: &str) -> Result<Vec<(String, String)>, String> {
    let key = "\"vectors\"";
    let at = text.find(key).ok_or("no \"vectors\" key")?;
    let mut p = Parser { s: text.as_bytes(), i: at + key.len() };
    p.expect(b':')?;
    p.expect(b'{')?;
    let mut out: Vec<(String, String)> = Vec::new();
    if p.peek() == Some(b'}') {
        return Ok(out);
    }
    loop {
        let k = p.string()?;
        p.expect(b':')?;
        let v = p.string()?;
        if out.iter().any(|(o, _)| *o == k) {
            return Err(format!("duplicate label {k:?}"));
        }
        out.push((k, v));
        match p.next()? {
            b',' => continue,
            b'}' => return Ok(out),
            c => return Err(format!("expected ',' or '}}' at byte {}, found {:?}", p.i - 1, c as char)),
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.s.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.i).copied()
    }

    fn next(&mut self) -> Result<u8, String> {
        let c = self.peek().ok_or("unexpected end of file")?;
        self.i += 1;
        Ok(c)
    }

    fn expect(&mut self, want: u8) -> Result<(), String> {
        match self.next()? {
            c if c == want => Ok(()),
            c => Err(format!("expected {:?} at byte {}, found {:?}", want as char, self.i - 1, c as char)),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect(b'"')?;
        let start = self.i;
        loop {
            match self.s.get(self.i) {
                None => return Err("unterminated string".into()),
                Some(b'"') => break,
                Some(b'\\') => return Err(format!("escape in string at byte {}", self.i)),
                Some(_) => self.i += 1,
            }
        }
        let v = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?.to_owned();
        self.i += 1;
        Ok(v)
    }
}

#[test]
fn parser_reads_flat_objects_and_refuses_the_rest() {
    let ok = parse_vectors(r#"{"source": "x", "vectors": { "a" : "00ff", "b":"" }, "trace": []}"#).unwrap();
    assert_eq!(ok, vec![("a".to_owned(), "00ff".to_owned()), ("b".to_owned(), String::new())]);
    assert!(parse_vectors(r#"{"vectors": {"a": "00", "a": "01"}}"#).is_err());
    assert!(parse_vectors(r#"{"vectors": {"a": {"b": "00"}}}"#).is_err());
    assert!(parse_vectors(r#"{"vectors": {"a": "0\"0"}}"#).is_err());
    assert!(parse_vectors(r#"{"vectors": {"a": "00""#).is_err());
    assert_eq!(hex("00Ab").unwrap(), vec![0x00, 0xab]);
    assert!(hex("abc").is_err() && hex("zz").is_err());
}
