//! A handshake deadline and retries, driven by the caller.
//!
//! embertls has no clock and never blocks: it only reacts to the bytes you
//! give it. So a server that accepts the TCP connection and then says nothing
//! (overloaded broker, captive portal, wrong port) would leave a naive loop
//! waiting forever. The deadline therefore belongs to the caller's loop:
//!
//! - std (this example): a per-read socket timeout (`set_read_timeout`) so no
//!   read blocks longer than a slice, plus one overall `Instant` deadline
//!   checked around every `Client::process` / read step. On expiry the
//!   connection is abandoned (dropping the `Client` is enough; it holds no
//!   resources beyond the buffers) and the caller may retry with a **fresh**
//!   `Client` after a back-off: a `Client` that failed stays failed.
//! - embedded async (embassy): wrap the whole connect in a timer, e.g.
//!
//!   ```ignore
//!   use embassy_time::{with_timeout, Duration, Timer};
//!   let mut backoff = Duration::from_secs(1);
//!   let tls = loop {
//!       let mut socket = TcpSocket::new(stack, &mut sock_rx, &mut sock_tx);
//!       socket.set_timeout(Some(Duration::from_secs(5)));          // per read/write, like set_read_timeout
//!       let attempt = async {
//!           socket.connect(remote).await.map_err(|_| "tcp connect failed")?;
//!           AsyncTlsStream::connect(embertls::ConnectOptions::new(&config, ServerName::Dns("broker.example")).now(Some(now)), rng.clone(), //!                                   socket, &mut tls_rx[..], &mut tls_tx[..], None)
//!               .await
//!               .map_err(|_| "tls handshake failed")                 // TlsIoError: print it, it says why
//!       };
//!       match with_timeout(Duration::from_secs(10), attempt).await {  // the overall deadline
//!           Ok(Ok(tls)) => break tls,
//!           Ok(Err(e)) => log::warn!("{e}"),
//!           Err(_timeout) => log::warn!("handshake did not finish within 10 s"),
//!       }
//!       Timer::after(backoff).await;                                 // back off, then a fresh attempt
//!       backoff = (backoff * 2).min(Duration::from_secs(60));
//!   };
//!   ```
//!
//!   Dropping the timed-out future is safe: `AsyncTlsStream` is cancel-safe
//!   when the transport is (embassy-net's is), and nothing of the abandoned
//!   connection is reused. On a bare-metal loop without async, do as this
//!   example does with your timer's tick count instead of `Instant`.
//!
//! ```text
//! cargo run --example deadline -- [--deadline-ms N] [--read-timeout-ms N] [--retries N]
//!                                 [--ca FILE] [--server-name NAME] HOST:PORT
//! ```
//! Without `--ca` the server is not verified (**insecure**, for trying the
//! timeout logic only). Exits 0 when a handshake completes, 1 when every
//! attempt failed (the last error is printed), 2 on bad arguments.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use embertls::{CaVerifier, Client, ClientConfig, Event, ServerName, ServerVerification, ServerVerifier, UnixTime};

/// Why one attempt failed.
enum Failure {
    /// The overall deadline passed; `stage` says where the handshake was.
    Deadline { after: Duration, stage: &'static str },
    /// The transport failed.
    Io(std::io::Error),
    /// The engine refused the connection (its message says why and what to do).
    Tls(embertls::Error),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Deadline { after, stage } => write!(
                f,
                "handshake did not finish within {} ms ({stage}); the server may be overloaded, \
                 not a TLS server, or behind a firewall that drops packets",
                after.as_millis()
            ),
            Failure::Io(e) => write!(f, "transport error: {e}"),
            Failure::Tls(e) => write!(f, "{e}"),
        }
    }
}

/// One attempt: TCP connect and TLS handshake, all within `budget`.
fn attempt(
    config: &ClientConfig<'_>,
    addr: SocketAddr,
    name: &str,
    budget: Duration,
    read_slice: Duration,
) -> Result<String, Failure> {
    let start = Instant::now();
    let deadline = start + budget;
    let left = || deadline.saturating_duration_since(Instant::now());
    let expired = |stage| Failure::Deadline { after: budget, stage };

    // The TCP connect counts against the same deadline.
    let mut tcp = TcpStream::connect_timeout(&addr, left().max(Duration::from_millis(1))).map_err(|e| {
        if e.kind() == ErrorKind::TimedOut {
            expired("TCP connect")
        } else {
            Failure::Io(e)
        }
    })?;
    tcp.set_nodelay(true).map_err(Failure::Io)?;

    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok().map(|d| UnixTime(d.as_secs()));
    let rng = rand_core::UnwrapErr(getrandom::SysRng);
    let mut client = Client::new(
        embertls::ConnectOptions::new(config, ServerName::parse(name)).now(now),
        rng,
        vec![0u8; embertls::MAX_RECORD],
        vec![0u8; 4096],
    )
    .map_err(Failure::Tls)?;
    let mut stage = "waiting for ServerHello";
    loop {
        // 1. Let the engine work on what it received.
        let ev = match client.process() {
            Ok(ev) => ev,
            Err(e) => {
                // The alert the error implies is queued: send it (best effort) so the server knows why.
                let _ = tcp.write_all(client.outgoing());
                return Err(Failure::Tls(e));
            }
        };
        // 2. Send what it queued (a flight may come with NeedData), never blocking past the deadline.
        while !client.outgoing().is_empty() {
            if left().is_zero() {
                return Err(expired("sending"));
            }
            tcp.set_write_timeout(Some(left().min(read_slice))).map_err(Failure::Io)?;
            match tcp.write(client.outgoing()) {
                Ok(0) => return Err(Failure::Io(ErrorKind::WriteZero.into())),
                Ok(n) => client.sent(n),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted) => {}
                Err(e) => return Err(Failure::Io(e)),
            }
        }
        // 3. Wait for data in slices until the deadline.
        match ev {
            Event::NeedData => loop {
                let remaining = left();
                if remaining.is_zero() {
                    return Err(expired(stage));
                }
                // set_read_timeout(Some(0)) is an error: the slice is at least 1 ms.
                tcp.set_read_timeout(Some(remaining.min(read_slice).max(Duration::from_millis(1))))
                    .map_err(Failure::Io)?;
                match tcp.read(client.receive_buffer()) {
                    Ok(n) => {
                        client.received(n); // 0 = closed: process() then reports Error::Truncated
                        if n > 0 {
                            stage = "in the middle of the handshake";
                        }
                        break;
                    }
                    // The slice ran out: a good place to feed a watchdog, then check the deadline.
                    Err(e)
                        if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted) => {
                    }
                    Err(e) => return Err(Failure::Io(e)),
                }
            },
            Event::HandshakeComplete(s) => {
                // The client's Finished went out above.
                return Ok(format!(
                    "connected in {} ms: {} {} verified={}",
                    start.elapsed().as_millis(),
                    s.version,
                    s.cipher_suite,
                    if s.is_verified() { "yes" } else { "no" }
                ));
            }
            _ => {}
        }
    }
}

struct Options {
    addr: String,
    server_name: Option<String>,
    ca: Option<String>,
    deadline: Duration,
    read_slice: Duration,
    retries: u32,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        addr: String::new(),
        server_name: None,
        ca: None,
        deadline: Duration::from_secs(10),
        read_slice: Duration::from_secs(1),
        retries: 0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        let mut number = |name: &str| -> Result<u64, String> {
            let v = value(name)?;
            v.parse().map_err(|_| format!("{name} {v}: not a number"))
        };
        match a.as_str() {
            "--deadline-ms" => o.deadline = Duration::from_millis(number("--deadline-ms")?),
            "--read-timeout-ms" => o.read_slice = Duration::from_millis(number("--read-timeout-ms")?.max(1)),
            "--retries" => o.retries = u32::try_from(number("--retries")?).map_err(|_| "--retries: too large")?,
            "--ca" => o.ca = Some(value("--ca")?),
            "--server-name" => o.server_name = Some(value("--server-name")?),
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            s => o.addr = s.to_string(),
        }
    }
    if o.addr.is_empty() {
        return Err("usage: deadline [--deadline-ms N] [--read-timeout-ms N] [--retries N] [--ca FILE] \
                    [--server-name NAME] HOST:PORT"
            .into());
    }
    Ok(o)
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("deadline: {e}");
            return ExitCode::from(2);
        }
    };
    let addr = match o.addr.to_socket_addrs().map(|mut a| a.next()) {
        Ok(Some(a)) => a,
        _ => {
            eprintln!("deadline: {}: not a reachable HOST:PORT", o.addr);
            return ExitCode::from(2);
        }
    };
    let ca = match &o.ca {
        Some(f) => match std::fs::read(f)
            .map_err(|e| e.to_string())
            .and_then(|p| CaVerifier::from_pem(&p).map_err(|e| e.to_string()))
        {
            Ok(v) => Some(v),
            Err(e) => {
                eprintln!("deadline: --ca {f}: {e}");
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let verifier: &(dyn ServerVerifier + Sync) = match &ca {
        Some(v) => v,
        None => ServerVerification::danger_accept_any(), // insecure: this example is about timing
    };
    let config = ClientConfig::new(verifier);
    let name =
        o.server_name.clone().unwrap_or_else(|| o.addr.rsplit_once(':').map_or(o.addr.clone(), |(h, _)| h.to_string()));

    let mut backoff = Duration::from_millis(500);
    for n in 0..=o.retries {
        match attempt(&config, addr, &name, o.deadline, o.read_slice) {
            Ok(line) => {
                eprintln!("deadline: {line}");
                return ExitCode::SUCCESS;
            }
            Err(e) => {
                eprintln!("embertls: error: attempt {} of {}: {e}", n + 1, o.retries + 1);
                // A certificate refusal will not heal by retrying; only retry what may be transient.
                if matches!(&e, Failure::Tls(embertls::Error::Certificate(_) | embertls::Error::Config(_))) {
                    break;
                }
                if n < o.retries {
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(60));
                }
            }
        }
    }
    ExitCode::FAILURE
}
