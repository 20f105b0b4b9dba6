//! The module graph of `src/` (issue 15 item 2; ARCHITECTURE.md, "Modules and arrows").
//!
//! Reads every library source file reachable from `src/lib.rs` through `mod` declarations, collects
//! each `crate::`, `super::` and `self::` path (in `use` lines and in code) and each path through a
//! child module, and maps both ends to a node: a top-level module (`codec`, `msgs`, `x509`, ...), with
//! `handshake` split into `handshake` (the shared part), `handshake::tls12` and `handshake::tls13`.
//! `crate::Name` paths through the root re-exports are resolved by the `pub use` lines of lib.rs.
//! Test code (`#[cfg(test)]` / `#[cfg(all(test, ..))]` items and the files they declare) is not part
//! of the library and is skipped. Comments and string literals are blanked before reading.
//!
//! The test fails, naming the file and line of each offending path, on a cycle between nodes and on
//! an arrow that `forbidden` refuses, unless the arrow is listed in `EXCEPTIONS` (each with the reason
//! it is still there). An exception that no longer occurs fails too, so the list cannot go stale.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Arrows that break a rule but stay for now, each with the issue item that owns it.
/// (from, to, why)
/// Each is either forbidden by `forbidden` or closes a cycle; neither kind may stay unlisted.
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "verify",
        "x509",
        "issue 15 item 2, left: ServerVerifier::verify returns x509::CertError, so verify names x509 while \
         x509's verifiers implement verify's trait. The fix moves CertError (src/x509/error.rs, ~590 lines \
         with CertId and the Pin and Rule it names) below both; not done in this pass",
    ),
    (
        "error",
        "x509",
        "issue 15 item 2, left: Error::Certificate holds x509::CertError, and x509 reaches error through \
         crypto and pem (x509 -> crypto -> error); same fix as verify -> x509 (CertError below x509)",
    ),
];

/// Functions that belong to another layer: (node that defines it, function, rule).
const MISPLACED: &[(&str, &str, &str)] = &[
    ("crypto", "certificate_spki", "DER certificate helpers belong in x509, not crypto"),
    ("crypto", "certificate_subject", "DER certificate helpers belong in x509, not crypto"),
    ("crypto", "certificate_issuer", "DER certificate helpers belong in x509, not crypto"),
    ("crypto", "name_common_name", "DER certificate helpers belong in x509, not crypto"),
    ("crypto", "tbs_field", "DER certificate helpers belong in x509, not crypto"),
];

/// Misplaced functions that stay for now (function, why).
const MISPLACED_EXCEPTIONS: &[(&str, &str)] = &[
    (
        "certificate_spki",
        "issue 15 item 2, left: public as embertls::crypto::certificate_spki, used by PeerKey::from_certificate \
         (public) and by the no-alloc build (auth, Pin); moving it into a no-alloc x509 module changes the \
         public API, and crypto cannot re-export it from x509 without the arrow crypto -> x509 (a cycle)",
    ),
    (
        "certificate_subject",
        "issue 15 item 2, left: public in crypto, used by StaticAnchor (no-alloc); as certificate_spki",
    ),
    ("certificate_issuer", "issue 15 item 2, left: public in crypto, used by auth and client; as certificate_spki"),
    ("name_common_name", "issue 15 item 2, left: public in crypto, used by client; as certificate_spki"),
    ("tbs_field", "issue 15 item 2, left: the private TLV walk under the three helpers above; moves with them"),
];

/// The rules of issue 15 item 2. `None` when the arrow `from -> to` is allowed.
fn forbidden(from: &str, to: &str) -> Option<&'static str> {
    let top = |n: &str| n.split("::").next().unwrap().to_string();
    if from == "msgs" && to != "codec" {
        return Some("msgs depends on codec only (wire formats know no crypto, errors or handshake)");
    }
    if from == "codec" {
        return Some("codec is the bottom layer and imports nothing from the crate");
    }
    if from == "verify" && to == "x509" {
        return Some("verify defines the verifier interface; x509 implements it (x509 -> verify, not back)");
    }
    if from == "ticket" && top(to) == "handshake" {
        return Some("ticket does not import handshake (the handshake stores and offers tickets)");
    }
    if from == "handshake::tls12" && to == "handshake::tls13" {
        return Some("TLS 1.2 code does not reach into tls13 (shared pieces live in handshake)");
    }
    if from == "handshake::tls13" && to == "handshake::tls12" {
        return Some("TLS 1.3 code does not reach into tls12 (shared pieces live in handshake)");
    }
    if matches!(from, "record" | "x509" | "crypto" | "key_schedule" | "msgs" | "codec" | "verify")
        && top(to) == "handshake"
    {
        return Some("the layers below the handshake never reach into it");
    }
    None
}

/// One arrow, with where it was seen.
#[derive(Debug)]
struct Use {
    file: PathBuf,
    line: usize,
    path: String,
}

/// Replaces comments, string literals and char literals by spaces (newlines kept).
fn blank(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let keep_nl = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied().unwrap_or('\0');
        if c == '/' && next == '/' {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == '*' {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(keep_nl(b[i]));
                    i += 1;
                }
            }
        } else if (c == 'r' || c == 'b') && is_raw_start(&b, i) {
            // r"..", r#".."#, br".."
            let mut j = i + if c == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while b[j] == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1; // opening quote
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            for &ch in &b[i..j.min(b.len())] {
                out.push(keep_nl(ch));
            }
            i = j;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(keep_nl(b[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if next == '\\' {
                let mut j = i + 2;
                while j < b.len() && b[j] != '\'' {
                    j += 1;
                }
                for _ in i..=j {
                    out.push(' ');
                }
                i = j + 1;
            } else if b.get(i + 2) == Some(&'\'') {
                out.push_str("   ");
                i += 3;
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_raw_start(b: &[char], i: usize) -> bool {
    if i > 0 && is_ident(b[i - 1]) {
        return false;
    }
    let mut j = i;
    if b[j] == 'b' {
        j += 1;
        if b.get(j) != Some(&'r') {
            return false;
        }
    }
    j += 1;
    while b.get(j) == Some(&'#') {
        j += 1;
    }
    b.get(j) == Some(&'"')
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
}

impl Lexer<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && (self.s[self.i] as char).is_whitespace() {
            self.i += 1;
        }
    }
    fn ident(&mut self) -> Option<String> {
        self.ws();
        let start = self.i;
        while self.i < self.s.len() && is_ident(self.s[self.i] as char) {
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }
    fn eat(&mut self, t: &str) -> bool {
        self.ws();
        if self.s[self.i..].starts_with(t.as_bytes()) {
            self.i += t.len();
            true
        } else {
            false
        }
    }
    fn peek(&mut self) -> u8 {
        self.ws();
        self.s.get(self.i).copied().unwrap_or(0)
    }
    /// A path tree after `prefix::`: `a::b`, `{a, b::{c, d}}`, `*`; pushes every leaf path.
    fn tree(&mut self, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        if self.eat("{") {
            loop {
                if self.eat("}") || self.i >= self.s.len() {
                    break;
                }
                let before = self.i;
                self.tree(prefix.clone(), out);
                self.eat(",");
                if self.i == before {
                    self.i += 1;
                }
            }
        } else if let Some(id) = self.ident() {
            let mut p = prefix;
            p.push(id);
            let save = self.i;
            if self.eat("::") && self.peek() != b'<' {
                self.tree(p, out);
            } else {
                self.i = save;
                // `Name as Alias`
                let before_as = self.i;
                if self.ident().as_deref() == Some("as") {
                    self.ident();
                } else {
                    self.i = before_as;
                }
                out.push(p);
            }
        } else {
            out.push(prefix);
        }
    }
    /// Skips one item: up to a `;` outside braces, or to the end of the first brace block.
    fn skip_item(&mut self) {
        let mut depth = 0i32;
        while self.i < self.s.len() {
            match self.s[self.i] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        self.i += 1;
                        return;
                    }
                }
                b';' if depth == 0 => {
                    self.i += 1;
                    return;
                }
                _ => {}
            }
            self.i += 1;
        }
    }
}

/// A library source file and its module path (`["handshake", "tls12", "server_flight"]`).
struct SourceFile {
    path: PathBuf,
    module: Vec<String>,
    /// Paths named in the file: (line, absolute path segments).
    paths: Vec<(usize, Vec<String>)>,
    /// Child modules declared with `mod name;` outside test code.
    children: Vec<String>,
    /// Functions defined outside test code: (line, name).
    fns: Vec<(usize, String)>,
}

fn is_test_attr(attr: &str) -> bool {
    let a: String = attr.chars().filter(|c| !c.is_whitespace()).collect();
    a.starts_with("#[cfg(test)") || a.starts_with("#[cfg(all(test,")
}

fn read_module(path: &Path, module: Vec<String>) -> SourceFile {
    let text = blank(&fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
    let s = text.as_bytes();
    let line_of = |i: usize| s[..i].iter().filter(|&&c| c == b'\n').count() + 1;
    let mut lx = Lexer { s, i: 0 };
    let mut paths = Vec::new();
    let mut children = Vec::new();
    let mut fns = Vec::new();
    // Inline (non-test) modules: (brace depth inside them, name).
    let mut inline: Vec<(i32, String)> = Vec::new();
    let mut depth = 0i32;
    let mut pending_mod: Option<String> = None;
    while lx.i < s.len() {
        let c = s[lx.i];
        if c == b'#' && s.get(lx.i + 1) == Some(&b'[') {
            let start = lx.i;
            let mut d = 0;
            while lx.i < s.len() {
                match s[lx.i] {
                    b'[' => d += 1,
                    b']' => {
                        d -= 1;
                        if d == 0 {
                            lx.i += 1;
                            break;
                        }
                    }
                    _ => {}
                }
                lx.i += 1;
            }
            if is_test_attr(&text[start..lx.i]) {
                // Further attributes of the same item, then the item.
                while lx.peek() == b'#' {
                    let mut d = 0;
                    while lx.i < s.len() {
                        match s[lx.i] {
                            b'[' => d += 1,
                            b']' => {
                                d -= 1;
                                if d == 0 {
                                    lx.i += 1;
                                    break;
                                }
                            }
                            _ => {}
                        }
                        lx.i += 1;
                    }
                }
                lx.skip_item();
            }
            continue;
        }
        if c == b'{' {
            depth += 1;
            if let Some(name) = pending_mod.take() {
                inline.push((depth, name));
            }
            lx.i += 1;
            continue;
        }
        if c == b'}' {
            if inline.last().is_some_and(|(d, _)| *d == depth) {
                inline.pop();
            }
            depth -= 1;
            lx.i += 1;
            continue;
        }
        if c == b';' {
            pending_mod = None;
            lx.i += 1;
            continue;
        }
        if !is_ident(c as char) || (lx.i > 0 && (is_ident(s[lx.i - 1] as char) || s[lx.i - 1] == b'$')) {
            lx.i += 1;
            continue;
        }
        let at = lx.i;
        let word = lx.ident().unwrap();
        if word == "fn" {
            if let Some(name) = lx.ident() {
                fns.push((line_of(at), name));
            }
            continue;
        }
        if word == "mod" {
            if let Some(name) = lx.ident() {
                if lx.peek() == b';' {
                    if inline.is_empty() {
                        children.push(name);
                    }
                } else {
                    pending_mod = Some(name);
                }
            }
            continue;
        }
        // The module this code is in (file module plus inline modules).
        let here: Vec<String> = module.iter().cloned().chain(inline.iter().map(|(_, n)| n.clone())).collect();
        let base: Option<Vec<String>> = match word.as_str() {
            "crate" => Some(Vec::new()),
            "self" => Some(here.clone()),
            "super" => Some(here[..here.len().saturating_sub(1)].to_vec()),
            w if inline.is_empty()
                && children.iter().any(|c| c == w)
                && s[lx.i..].starts_with(b"::")
                && !text[..at].trim_end().ends_with([':', '.']) =>
            {
                // A relative path through a child module declared above (`use tls13::X;`).
                lx.i = at;
                Some(module.clone())
            }
            _ => None,
        };
        let Some(mut base) = base else { continue };
        if word != "crate" && word != "self" && word != "super" {
            // Relative child path: re-read from the child's name.
            let mut out = Vec::new();
            lx.tree(base, &mut out);
            paths.extend(out.into_iter().map(|p| (line_of(at), p)));
            continue;
        }
        let save = lx.i;
        if !lx.eat("::") {
            lx.i = save;
            continue;
        }
        // super::super::x
        while lx.s[lx.i..].starts_with(b"super") && !is_ident(*lx.s.get(lx.i + 5).unwrap_or(&b' ') as char) {
            lx.i += 5;
            base.pop();
            if !lx.eat("::") {
                break;
            }
        }
        let mut out = Vec::new();
        lx.tree(base, &mut out);
        paths.extend(out.into_iter().map(|p| (line_of(at), p)));
    }
    SourceFile { path: path.to_path_buf(), module, paths, children, fns }
}

/// Every library file, from src/lib.rs down the `mod` declarations.
fn library(src: &Path) -> Vec<SourceFile> {
    let mut files = Vec::new();
    let mut todo = vec![(src.join("lib.rs"), Vec::<String>::new())];
    while let Some((path, module)) = todo.pop() {
        let f = read_module(&path, module.clone());
        let name = path.file_name().unwrap().to_str().unwrap();
        let dir = if name == "lib.rs" || name == "mod.rs" {
            path.parent().unwrap().to_path_buf()
        } else {
            path.with_extension("")
        };
        for child in &f.children {
            let a = dir.join(format!("{child}.rs"));
            let b = dir.join(child).join("mod.rs");
            let p = if a.exists() { a } else { b };
            assert!(p.exists(), "{}: mod {child}; has no file", path.display());
            let mut m = module.clone();
            m.push(child.clone());
            todo.push((p, m));
        }
        files.push(f);
    }
    files
}

/// The graph node of a module path.
fn node(module: &[String]) -> String {
    match module {
        [] => "lib".into(),
        [h, v, ..] if h == "handshake" && (v == "tls12" || v == "tls13") => format!("handshake::{v}"),
        [m, ..] => m.clone(),
    }
}

fn all_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            all_rs(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The arrows of the library: (from, to) -> where each was seen.
#[allow(clippy::type_complexity)]
fn graph() -> (BTreeMap<(String, String), Vec<Use>>, Vec<(String, Use)>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = library(&src);

    // Files that are not part of the library must be test files (declared under #[cfg(test)]).
    let reached: BTreeSet<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    let mut every = Vec::new();
    all_rs(&src, &mut every);
    for p in every {
        let name = p.file_name().unwrap().to_str().unwrap();
        assert!(
            reached.contains(&p) || name.ends_with("_tests.rs"),
            "{}: not reached from src/lib.rs through non-test `mod` lines and not a *_tests.rs file; \
             the module graph check would skip it",
            p.display()
        );
    }

    let tops: BTreeSet<String> = files.iter().filter_map(|f| f.module.first().cloned()).collect();
    // Root re-exports: `pub use auth::Signer` makes `crate::Signer` an arrow to auth.
    let lib = files.iter().find(|f| f.module.is_empty()).unwrap();
    let lib_text = blank(&fs::read_to_string(&lib.path).unwrap());
    let mut reexport: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for stmt in lib_text.split(';') {
        let t = stmt.trim_start();
        let rest = ["pub use ", "pub(crate) use "].iter().find_map(|p| t.rfind(p).map(|k| &t[k + p.len()..]));
        if let Some(rest) = rest {
            let mut lx = Lexer { s: rest.as_bytes(), i: 0 };
            let mut out = Vec::new();
            lx.tree(Vec::new(), &mut out);
            for p in out {
                reexport.insert(p.last().unwrap().clone(), p);
            }
        }
    }

    let mut misplaced = Vec::new();
    for f in &files {
        for (line, name) in &f.fns {
            if MISPLACED.iter().any(|(n, fname, _)| *n == node(&f.module) && fname == name) {
                let file = f.path.strip_prefix(src.parent().unwrap()).unwrap().to_path_buf();
                misplaced.push((name.clone(), Use { file, line: *line, path: format!("fn {name}") }));
            }
        }
    }

    let mut g: BTreeMap<(String, String), Vec<Use>> = BTreeMap::new();
    for f in &files {
        if f.module.is_empty() {
            continue; // lib.rs declares and re-exports; it is the top, not a layer.
        }
        let from = node(&f.module);
        for (line, p) in &f.paths {
            let target = match p.first() {
                None => continue,
                Some(first) if tops.contains(first) => p.clone(),
                Some(first) => match reexport.get(first) {
                    Some(r) => r.clone(),
                    None => panic!(
                        "{}:{line}: cannot resolve `crate::{}` to a module (not a module, not a root re-export)",
                        f.path.display(),
                        p.join("::")
                    ),
                },
            };
            let to = node(&target);
            if to == from {
                continue;
            }
            g.entry((from.clone(), to)).or_default().push(Use {
                file: f.path.strip_prefix(src.parent().unwrap()).unwrap().to_path_buf(),
                line: *line,
                path: p.join("::"),
            });
        }
    }
    (g, misplaced)
}

fn show<U: std::borrow::Borrow<Use>>(uses: &[U]) -> String {
    uses.iter().map(|u| u.borrow()).map(|u| format!("\n      {}:{}  {}", u.file.display(), u.line, u.path)).collect()
}

/// A cycle, if any (depth-first search; the first one found is reported, fix it and rerun).
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn dfs(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let k = stack.iter().position(|x| x == m).unwrap();
                    let mut c = stack[k..].to_vec();
                    c.push(m.clone());
                    return Some(c);
                }
                0 => {
                    if let Some(c) = dfs(m, edges, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            if let Some(c) = dfs(n, edges, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn module_graph_is_acyclic_and_keeps_the_layering_rules() {
    let (g, misplaced) = graph();
    let mut failures = Vec::new();

    // Listed exceptions must still occur (or be removed) and must be needed.
    let reaches = |a: &str, b: &str| {
        let mut seen = BTreeSet::from([a.to_string()]);
        let mut todo = vec![a.to_string()];
        while let Some(n) = todo.pop() {
            for (f, t) in g.keys() {
                if *f == n && seen.insert(t.clone()) {
                    todo.push(t.clone());
                }
            }
            // The handshake sub-nodes are one node for cycles.
            let t = n.split("::").next().unwrap().to_string();
            if seen.insert(t.clone()) {
                todo.push(t);
            }
        }
        seen.contains(b)
    };
    for (from, to, why) in EXCEPTIONS {
        assert!(!why.is_empty());
        if !g.contains_key(&(from.to_string(), to.to_string())) {
            failures
                .push(format!("exception {from} -> {to} is listed but no longer occurs: remove it from EXCEPTIONS"));
        } else if forbidden(from, to).is_none() && !reaches(to, from) {
            failures.push(format!(
                "exception {from} -> {to} is listed but the rules allow it and it closes no cycle: remove it"
            ));
        }
    }
    for (name, why) in MISPLACED_EXCEPTIONS {
        assert!(!why.is_empty());
        if !misplaced.iter().any(|(n, _)| n == name) {
            failures.push(format!("misplaced exception {name} no longer occurs: remove it from MISPLACED_EXCEPTIONS"));
        }
    }
    for (name, at) in &misplaced {
        if !MISPLACED_EXCEPTIONS.iter().any(|(n, _)| n == name) {
            let rule = MISPLACED.iter().find(|(_, f, _)| f == name).unwrap().2;
            failures.push(format!("misplaced function {name}: {rule}{}", show(std::slice::from_ref(at))));
        }
    }
    let excepted = |f: &str, t: &str| EXCEPTIONS.iter().any(|(a, b, _)| *a == f && *b == t);

    for ((from, to), uses) in &g {
        if let Some(rule) = forbidden(from, to) {
            if !excepted(from, to) {
                failures.push(format!("forbidden arrow {from} -> {to}: {rule}{}", show(uses)));
            }
        }
    }

    // Cycles between top-level modules: `handshake` holds the state enum of both versions and each
    // version uses its context, so the handshake sub-nodes are one node here (their arrows are
    // checked by `forbidden`).
    let top = |n: &String| n.split("::").next().unwrap().to_string();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut top_g: BTreeMap<(String, String), Vec<&Use>> = BTreeMap::new();
    for ((from, to), uses) in &g {
        if excepted(from, to) || top(from) == top(to) {
            continue; // a listed exception is the one arrow allowed to close its cycle
        }
        edges.entry(top(from)).or_default().insert(top(to));
        top_g.entry((top(from), top(to))).or_default().extend(uses.iter());
    }
    if let Some(cycle) = find_cycle(&edges) {
        let mut msg = format!("cycle in the module graph: {}", cycle.join(" -> "));
        for w in cycle.windows(2) {
            let uses: Vec<&Use> = top_g[&(w[0].clone(), w[1].clone())].clone();
            msg.push_str(&format!("\n   {} -> {}:{}", w[0], w[1], show(&uses)));
        }
        failures.push(msg);
    }

    // The graph, for ARCHITECTURE.md and for whoever reads the failure.
    let mut full: BTreeMap<&String, Vec<&String>> = BTreeMap::new();
    for (from, to) in g.keys() {
        full.entry(from).or_default().push(to);
    }
    let mut listing = String::new();
    for (from, tos) in &full {
        listing.push_str(&format!("\n  {from} -> {}", tos.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")));
    }
    println!("module graph:{listing}");
    assert!(failures.is_empty(), "module graph (issue 15 item 2, ARCHITECTURE.md):\n\n{}\n", failures.join("\n\n"));
}
