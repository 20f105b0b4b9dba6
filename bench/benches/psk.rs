//! Client-side CPU of TLS 1.3 handshakes against one `openssl s_server` on
//! loopback (started by the bench): a full X25519 + ECDSA certificate
//! handshake, external PSK with (EC)DHE (psk_dhe_ke), external PSK alone
//! (psk_ke), and ticket resumption. Only time inside the client's calls is
//! counted, so the ratios compare the client's work on the same peer.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use embertls::{Client, ClientConfig, Event, ExternalPsk, PskMode, ServerName, ServerVerification, SessionTicket};

const KEY_HEX: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

struct Server(Child, u16);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server() -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/peer/");
    let child = Command::new("openssl")
        .args(["s_server", "-tls1_3", "-quiet", "-accept", &port.to_string()])
        .args(["-cert", &format!("{dir}ecdsa-leaf.pem"), "-key", &format!("{dir}ecdsa-leaf.key")])
        .args(["-psk", KEY_HEX, "-psk_identity", "bench", "-allow_no_dhe_kex", "-rev"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl s_server (install openssl)");
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "s_server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    Server(child, port)
}

/// One handshake over TCP; returns the client's time and the newest ticket.
fn once(port: u16, config: &ClientConfig<'_>, ticket: Option<&[u8]>, want_ticket: bool) -> (Duration, Option<Vec<u8>>) {
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_nodelay(true).unwrap();
    let (mut rx, mut tx) = ([0u8; 16_645], [0u8; 4096]);
    let rng = rand_core::UnwrapErr(getrandom::SysRng);
    let name = ServerName::parse("localhost");
    let t = Instant::now();
    let mut c = match ticket {
        Some(b) => Client::new(
            embertls::ConnectOptions::new(config, name).resuming(SessionTicket::decode(b).unwrap().with_age(1)),
            rng,
            &mut rx[..],
            &mut tx[..],
        ),
        None => Client::new(embertls::ConnectOptions::new(config, name), rng, &mut rx[..], &mut tx[..]),
    }
    .unwrap();
    let mut spent = t.elapsed();
    let mut done = false;
    loop {
        while !c.outgoing().is_empty() {
            let n = sock.write(c.outgoing()).unwrap();
            c.sent(n);
        }
        let t = Instant::now();
        let ev = c.process().unwrap();
        spent += t.elapsed();
        match ev {
            Event::NeedData => {
                let n = sock.read(c.receive_buffer()).unwrap();
                c.received(n);
            }
            Event::HandshakeComplete(s) => {
                assert_eq!(s.resumed, ticket.is_some());
                done = true;
                if !want_ticket {
                    return (spent, None);
                }
            }
            Event::SessionTicket if done => {
                let mut out = vec![0u8; 4096];
                let n = c.session_ticket(&mut out).unwrap();
                out.truncate(n);
                return (spent, Some(out));
            }
            _ => {}
        }
    }
}

fn bench(cr: &mut Criterion) {
    let server = start_server();
    let port = server.1;
    let full = ClientConfig::new(ServerVerification::danger_accept_any());
    let dhe_psk = ExternalPsk::from_hex("bench", KEY_HEX).unwrap();
    let ke_psk = ExternalPsk::from_hex("bench", KEY_HEX).unwrap().with_mode(PskMode::Ke);
    let dhe = ClientConfig::new(ServerVerification::danger_accept_any()).with_psk(&dhe_psk);
    let ke = ClientConfig::new(ServerVerification::danger_accept_any()).with_psk(&ke_psk);
    let mut g = cr.benchmark_group("tls13_vs_openssl_loopback");
    g.bench_function("full_x25519_ecdsa_p256", |b| {
        b.iter_custom(|n| (0..n).map(|_| once(port, &full, None, false).0).sum())
    });
    g.bench_function("psk_dhe_ke", |b| b.iter_custom(|n| (0..n).map(|_| once(port, &dhe, None, false).0).sum()));
    g.bench_function("psk_ke", |b| b.iter_custom(|n| (0..n).map(|_| once(port, &ke, None, false).0).sum()));
    let ticket = once(port, &full, None, true).1.expect("a ticket from s_server");
    g.bench_function("resumption", |b| {
        b.iter_custom(|n| (0..n).map(|_| once(port, &full, Some(&ticket), false).0).sum())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
