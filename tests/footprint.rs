//! Memory per connection: engine state, caller buffers, and heap used by the
//! client during a handshake against `openssl s_server` (a counting allocator
//! that counts only while the client's own code runs). `cargo test --test
//! footprint -- --nocapture` prints the table given in the README and FOOTPRINT.md.
//!
//! A test binary of its own (issue 15 item 5): its `#[global_allocator]`
//! would sit under every other test of a shared binary.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::drive::{get_page, Meter};
use common::peer::{x509_file, OpensslServer};
use embertls::{CaVerifier, Client, ClientConfig, ExternalPsk, ServerName, UnixTime};

struct Counting;

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
    static NOW: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if ON.with(Cell::get) {
            let n = NOW.with(|c| {
                c.set(c.get() + l.size() as isize);
                c.get()
            });
            PEAK.with(|p| p.set(p.get().max(n)));
        }
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        if ON.with(Cell::get) {
            NOW.with(|c| c.set(c.get() - l.size() as isize));
        }
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn counted<T>(f: impl FnOnce() -> T) -> T {
    ON.with(|c| c.set(true));
    let r = f();
    ON.with(|c| c.set(false));
    r
}

/// The x509 vectors are valid around 2030-01-01.
const VECTOR_TIME: UnixTime = UnixTime(1_893_456_000);

struct Row {
    name: &'static str,
    rx: usize,
    tx: usize,
    peak: isize,
    held: isize,
    fragment: Option<usize>,
}

/// Counts the heap of the client's calls; remembers what is held when the handshake completes.
#[derive(Default)]
struct HeapMeter {
    held: Option<isize>,
}

impl Meter for HeapMeter {
    fn call<T>(&mut self, _what: &'static str, f: impl FnOnce() -> T) -> T {
        counted(f)
    }

    fn handshake_done(&mut self) {
        self.held = Some(NOW.with(Cell::get));
    }
}

/// One handshake and one `-www` page over TCP with caller buffers of `rx`
/// and `tx` bytes; heap is counted inside the client's calls only.
fn run(name: &'static str, server: &OpensslServer, config: &ClientConfig<'_>, host: &str, rx: usize, tx: usize) -> Row {
    let mut rx_buf = vec![0u8; rx];
    let mut tx_buf = vec![0u8; tx];
    NOW.with(|c| c.set(0));
    PEAK.with(|c| c.set(0));
    let mut sock = server.connect();
    let rng = rand_core::UnwrapErr(getrandom::SysRng);
    let mut c = counted(|| {
        Client::new(
            embertls::ConnectOptions::new(config, ServerName::parse(host)).now(Some(VECTOR_TIME)),
            rng,
            &mut rx_buf[..],
            &mut tx_buf[..],
        )
    })
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut meter = HeapMeter::default();
    let driven = get_page(name, &mut sock, &mut c, &mut meter);
    let held = meter.held.unwrap_or_else(|| panic!("{name}: no handshake"));
    Row { name, rx, tx, peak: PEAK.with(Cell::get), held, fragment: driven.summary.max_fragment }
}

#[test]
fn footprint_table() {
    type C<'a> = Client<'a, rand_core::UnwrapErr<getrandom::SysRng>, &'a mut [u8]>;
    let state = std::mem::size_of::<C<'_>>();
    let full = embertls::MAX_RECORD;
    let mut rows = Vec::new();

    let ec_roots = CaVerifier::from_pem(&std::fs::read(x509_file("ec256-root.pem")).unwrap()).unwrap();
    let ec_config = ClientConfig::new(&ec_roots);
    let ec_server = || OpensslServer::start_x509("ec256-leaf", "ec256-leaf", &["ec256-int"]);
    rows.push(run(
        "TLS 1.3, ECDSA P-256 leaf + intermediate, CA-verified",
        &ec_server(),
        &ec_config,
        "ec256.test",
        full,
        4096,
    ));
    rows.push(run("the same with 4 KB fragments", &ec_server(), &ec_config, "ec256.test", 8192, 1536));

    let rsa_roots = CaVerifier::from_pem(&std::fs::read(x509_file("rsa2048-root.pem")).unwrap()).unwrap();
    let rsa_config = ClientConfig::new(&rsa_roots);
    let rsa_server = || OpensslServer::start_x509("rsa2048-leaf", "rsa2048-leaf", &["rsa2048-int"]);
    rows.push(run(
        "TLS 1.3, RSA-2048 leaf + intermediate, CA-verified",
        &rsa_server(),
        &rsa_config,
        "rsa2048.test",
        full,
        4096,
    ));
    rows.push(run("the same with 4 KB fragments", &rsa_server(), &rsa_config, "rsa2048.test", 8192, 1536));

    let psk = ExternalPsk::from_hex("footprint", "00112233445566778899aabbccddeeff").unwrap();
    let psk_config = ClientConfig::new(embertls::ServerVerification::danger_accept_any()).with_psk(&psk);
    // `openssl s_server -www` with that PSK and no certificate, plus `extra` (version, suites).
    let psk_server_with = |extra: &[&str]| {
        let base = ["-www", "-nocert", "-psk", "00112233445566778899aabbccddeeff", "-psk_identity", "footprint"];
        OpensslServer::start_args(&[&base[..], extra].concat())
    };
    let psk_server = || psk_server_with(&["-tls1_3"]);
    rows.push(run("TLS 1.3, external PSK (psk_dhe_ke)", &psk_server(), &psk_config, "localhost", full, 4096));
    rows.push(run("the same with 4 KB fragments", &psk_server(), &psk_config, "localhost", 8192, 1536));

    // TLS 1.2: the same ECDSA chain, and a PSK with ECDHE (TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256).
    let tls12 = [embertls::ProtocolVersion::Tls12];
    let ec12_config = ClientConfig::new(&ec_roots).with_versions(&tls12).unwrap();
    let (leaf, key, int) = (x509_file("ec256-leaf.pem"), x509_file("keys/ec256-leaf.key"), x509_file("ec256-int.pem"));
    let (leaf, key, int) = (leaf.display().to_string(), key.display().to_string(), int.display().to_string());
    let ec12_server =
        || OpensslServer::start_args(&["-tls1_2", "-www", "-cert", &leaf, "-key", &key, "-cert_chain", &int]);
    rows.push(run(
        "TLS 1.2, ECDSA P-256 leaf + intermediate, CA-verified",
        &ec12_server(),
        &ec12_config,
        "ec256.test",
        full,
        4096,
    ));
    rows.push(run("the same with 4 KB fragments", &ec12_server(), &ec12_config, "ec256.test", 8192, 1536));
    let psk12_config = ClientConfig::new(embertls::ServerVerification::danger_accept_any())
        .with_versions(&tls12)
        .unwrap()
        .with_psk(&psk);
    let psk12_server = || psk_server_with(&["-tls1_2", "-cipher", "ECDHE-PSK-CHACHA20-POLY1305"]);
    rows.push(run("TLS 1.2, ECDHE-PSK", &psk12_server(), &psk12_config, "localhost", 8192, 1536));

    println!("\nsize_of::<Client>() = {state} bytes\n");
    println!("| configuration | rx | tx | state + buffers | fragment | peak heap | heap held after |");
    println!("|---|---|---|---|---|---|---|");
    for r in &rows {
        let frag = r.fragment.map_or("16384".to_string(), |f| f.to_string());
        println!("| {} | {} | {} | {} | {} | {} | {} |", r.name, r.rx, r.tx, state + r.rx + r.tx, frag, r.peak, r.held);
    }
    for r in &rows {
        assert_eq!(r.held, 0, "{}: heap held after the handshake", r.name);
    }
    for r in rows.iter().filter(|r| r.rx == 8192) {
        assert_eq!(r.fragment, Some(4096), "{}: 4 KB fragments negotiated", r.name);
        assert!(state + r.rx + r.tx <= 12 * 1024, "{}: {} bytes exceed 12 KB", r.name, state + r.rx + r.tx);
    }
    for r in rows.iter().filter(|r| r.name.contains("PSK")) {
        assert_eq!(r.peak, 0, "{}: a PSK handshake needs no heap", r.name);
    }
}
