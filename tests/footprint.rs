//! Memory footprint of one connection: engine state, buffers, and heap used
//! by the client during a handshake (a counting allocator that counts only
//! while the client runs). Run with `--nocapture` to see the figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;

use embertls::{Client, ClientConfig, Event, ServerName, ServerVerification};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

struct Counting;

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
    static NOW: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

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

fn server(cert: &[u8], key: &[u8]) -> rustls::ServerConnection {
    let certs = CertificateDer::pem_slice_iter(cert).collect::<Result<Vec<_>, _>>().unwrap();
    let key = PrivateKeyDer::from_pem_slice(key).unwrap();
    let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    rustls::ServerConnection::new(Arc::new(cfg)).unwrap()
}

/// Runs one in-memory handshake; returns (peak heap during it, heap held after it).
fn handshake(cert: &[u8], key: &[u8], rx: &mut [u8], tx: &mut [u8]) -> (isize, isize) {
    NOW.with(|c| c.set(0));
    PEAK.with(|c| c.set(0));
    let config = ClientConfig::new(ServerVerification::danger_accept_any());
    let mut srv = server(cert, key);
    let rng = rand_core::UnwrapErr(getrandom::SysRng);
    let mut c = counted(|| Client::new(&config, ServerName::parse("localhost"), None, rng, rx, tx)).unwrap();
    loop {
        let out = c.outgoing().to_vec();
        c.sent(out.len());
        if !out.is_empty() {
            srv.read_tls(&mut out.as_slice()).unwrap();
            srv.process_new_packets().unwrap();
        }
        let mut from_server = Vec::new();
        while srv.wants_write() {
            srv.write_tls(&mut from_server).unwrap();
        }
        let mut fed = 0;
        loop {
            match counted(|| c.process()).unwrap() {
                Event::HandshakeComplete(_) => {
                    let held = NOW.with(Cell::get);
                    return (PEAK.with(Cell::get), held);
                }
                Event::NeedData if fed < from_server.len() => {
                    let buf = c.receive_buffer();
                    let n = buf.len().min(from_server.len() - fed);
                    buf[..n].copy_from_slice(&from_server[fed..fed + n]);
                    c.received(n);
                    fed += n;
                }
                Event::NeedData => break,
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}

const ECDSA_CERT: &[u8] = include_bytes!("../vectors/peer/ecdsa-leaf.pem");
const ECDSA_KEY: &[u8] = include_bytes!("../vectors/peer/ecdsa-leaf.key");
const RSA_CERT: &[u8] = include_bytes!("../vectors/peer/rsa-leaf.pem");
const RSA_KEY: &[u8] = include_bytes!("../vectors/peer/rsa-leaf.key");

#[test]
fn engine_state_and_heap() {
    type C<'a> = Client<'a, rand_core::UnwrapErr<getrandom::SysRng>, &'a mut [u8]>;
    let state = std::mem::size_of::<C<'_>>();
    let mut rx = vec![0u8; embertls::MAX_RECORD];
    let mut tx = vec![0u8; 4096];
    let (ecdsa_peak, ecdsa_held) = handshake(ECDSA_CERT, ECDSA_KEY, &mut rx, &mut tx);
    let (rsa_peak, rsa_held) = handshake(RSA_CERT, RSA_KEY, &mut rx, &mut tx);
    println!("size_of::<Client>() = {state} bytes (buffers are the caller's: here rx {} + tx {})", rx.len(), tx.len());
    println!("insecure mode, ECDSA P-256 leaf: peak heap {ecdsa_peak} B, held after handshake {ecdsa_held} B");
    println!("insecure mode, RSA-2048 leaf:    peak heap {rsa_peak} B, held after handshake {rsa_held} B");
    assert_eq!(ecdsa_held, 0, "no heap may be held after the handshake");
    assert_eq!(rsa_held, 0, "no heap may be held after the handshake");
    assert_eq!(ecdsa_peak, 0, "an ECDSA handshake without X.509 verification needs no heap");
    assert!(state < 3 * 1024, "engine state grew to {state} bytes");
}
