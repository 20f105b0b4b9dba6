//! `AsyncTlsStream` over an embassy-net `TcpSocket`: the TCP/IP stack that
//! esp-hal / esp-wifi programs run, here on a Linux TAP device through
//! `embassy-net-tuntap`, with the embassy executor and time driver for std.
//!
//! ```text
//! cargo run --example embassy_tap --features embedded-io-async -- \
//!     --tap TAP --ip ADDR/PREFIX SERVER:PORT TRUST JOB
//! TRUST:  --ca FILE [--name NAME]           verify the server's chain (NAME defaults to localhost)
//!         --psk-identity ID --psk HEX       TLS 1.3 external PSK (mosquitto's psk_file)
//! JOB:    https [--path PATH]               GET PATH; the response goes to stdout
//!         mqtt --topic TOPIC --message TEXT  MQTT 3.1.1 CONNECT, PUBLISH (QoS 0), DISCONNECT
//! ```
//!
//! The TAP device must exist and be up, with an address of its own in the
//! same subnet (the kernel's side of the link: where the servers listen).
//! `tests/embassy_tap.rs` sets one up in a network namespace and runs this
//! program against `openssl s_server` and mosquitto there.
//!
//! The receive buffer is 8.5 KiB: the client then offers max_fragment_length
//! 4096 (RFC 6066 §4), so the server sends records of at most 4 KiB and the
//! client cuts its own writes to that size; the summary line on stderr says
//! what was agreed (`max_fragment=Some(4096)`).
//!
//! What differs on a device: the RNG (the HAL's, instead of the OS), the time
//! (SNTP or an RTC, instead of the system clock), the driver (esp-wifi's
//! instead of the TAP) and where the CA comes from (flash, instead of a file).
//! The TLS and socket code is the same.

#[cfg(target_os = "linux")]
#[allow(dead_code)] // the MQTT packet helpers are used; its `main` and `publish` are not
#[path = "mqtt_psk.rs"]
mod mqtt_psk;

#[cfg(target_os = "linux")]
mod tap {
    use std::net::{Ipv4Addr, SocketAddrV4};

    use embassy_executor::Spawner;
    use embassy_net::tcp::TcpSocket;
    use embassy_net::{Ipv4Cidr, Runner, Stack, StackResources, StaticConfigV4};
    use embassy_net_tuntap::TunTapDevice;
    use embedded_io_async::{Read, Write};
    use embertls::{
        AsyncTlsStream, CaVerifier, ClientConfig, ConnectOptions, ExternalPsk, ServerName, ServerVerification,
        ServerVerifier, TrustAnchors, UnixTime,
    };
    use rand_core::Rng as _;
    use static_cell::StaticCell;

    use crate::mqtt_psk;

    /// Receive buffer: 8 KiB + 512 makes the client ask for 4 KiB records
    /// (max_fragment_length), with room left for a certificate chain
    /// arriving across several of them.
    const RX_LEN: usize = 8 * 1024 + 512;
    /// Send buffer: the ClientHello, then one 4 KiB record at a time.
    const TX_LEN: usize = 4 * 1024 + 512;
    /// embassy-net's own socket buffers (smoltcp's TCP windows).
    const SOCKET_BUF: usize = 4096;

    const USAGE: &str = "usage: embassy_tap --tap TAP --ip ADDR/PREFIX SERVER:PORT \
        (--ca FILE [--name NAME] | --psk-identity ID --psk HEX) \
        (https [--path PATH] | mqtt --topic TOPIC --message TEXT)";

    /// How the server is trusted.
    enum Trust {
        /// A CA file (PEM), and the name the certificate must carry.
        Ca { file: String, name: String },
        /// An external PSK (identity, hex key).
        Psk { identity: String, key: String },
    }

    /// What to do once connected.
    enum Job {
        Https { path: String },
        Mqtt { topic: String, message: String },
    }

    struct Args {
        tap: String,
        ip: Ipv4Cidr,
        server: SocketAddrV4,
        trust: Trust,
        job: Job,
    }

    fn parse_args() -> Result<Args, String> {
        let mut args = std::env::args().skip(1);
        let (mut tap, mut ip, mut server, mut job) = (None, None, None, None);
        let (mut ca, mut name, mut identity, mut key) = (None, None, None, None);
        let (mut path, mut topic, mut message) = (None, None, None);
        while let Some(a) = args.next() {
            let mut value = |opt: &str| args.next().ok_or(format!("{opt} needs a value"));
            match a.as_str() {
                "--tap" => tap = Some(value("--tap")?),
                "--ip" => {
                    let v = value("--ip")?;
                    let (addr, prefix) = v.split_once('/').ok_or(format!("--ip {v}: use ADDR/PREFIX"))?;
                    let addr: Ipv4Addr = addr.parse().map_err(|e| format!("--ip {v}: {e}"))?;
                    let prefix: u8 = prefix.parse().map_err(|e| format!("--ip {v}: {e}"))?;
                    ip = Some(Ipv4Cidr::new(addr, prefix));
                }
                "--ca" => ca = Some(value("--ca")?),
                "--name" => name = Some(value("--name")?),
                "--psk-identity" => identity = Some(value("--psk-identity")?),
                "--psk" => key = Some(value("--psk")?),
                "--path" => path = Some(value("--path")?),
                "--topic" => topic = Some(value("--topic")?),
                "--message" => message = Some(value("--message")?),
                "https" | "mqtt" => job = Some(a),
                s if s.starts_with("--") => return Err(format!("unknown option {s}")),
                s => server = Some(s.parse::<SocketAddrV4>().map_err(|e| format!("{s}: {e} (IPv4 ADDR:PORT)"))?),
            }
        }
        let trust = match (ca, identity, key) {
            (Some(file), None, None) => Trust::Ca { file, name: name.unwrap_or_else(|| "localhost".into()) },
            (None, Some(identity), Some(key)) => Trust::Psk { identity, key },
            _ => return Err("give either --ca FILE, or --psk-identity ID and --psk HEX".into()),
        };
        let job = match job.as_deref() {
            Some("https") => Job::Https { path: path.unwrap_or_else(|| "/".into()) },
            Some("mqtt") => {
                Job::Mqtt { topic: topic.ok_or("mqtt needs --topic")?, message: message.ok_or("mqtt needs --message")? }
            }
            _ => return Err("give a job: https or mqtt".into()),
        };
        Ok(Args {
            tap: tap.ok_or("--tap is required")?,
            ip: ip.ok_or("--ip is required")?,
            server: server.ok_or("SERVER:PORT is required")?,
            trust,
            job,
        })
    }

    /// Runs the network stack: moves frames between the TAP device and smoltcp.
    #[embassy_executor::task]
    async fn net_task(mut runner: Runner<'static, TunTapDevice>) -> ! {
        runner.run().await
    }

    pub async fn main(spawner: Spawner) -> ! {
        let args = parse_args().unwrap_or_else(|e| {
            eprintln!("embassy_tap: {e}\n{USAGE}");
            std::process::exit(2)
        });
        let device = TunTapDevice::new(&args.tap).unwrap_or_else(|e| {
            eprintln!("embassy_tap: cannot open TAP device {}: {e} (does it exist, and may you open it?)", args.tap);
            std::process::exit(1)
        });
        let config = embassy_net::Config::ipv4_static(StaticConfigV4 {
            address: args.ip,
            gateway: None,
            dns_servers: Default::default(),
        });
        static RESOURCES: StaticCell<StackResources<2>> = StaticCell::new();
        let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
        let (stack, runner) = embassy_net::new(device, config, RESOURCES.init(StackResources::new()), rng.next_u64());
        match net_task(runner) {
            Ok(task) => spawner.spawn(task),
            Err(e) => {
                eprintln!("embassy_tap: cannot start the network task: {e:?}");
                std::process::exit(1)
            }
        }
        stack.wait_config_up().await;
        let status = match run(stack, &args).await {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("embassy_tap: {e}");
                1
            }
        };
        std::process::exit(status)
    }

    /// Connects over `stack`, runs the TLS handshake and the job.
    async fn run(stack: Stack<'_>, args: &Args) -> Result<(), String> {
        // How the server is trusted (on a device the CA would come from flash).
        let (verifier, psk, name) = match &args.trust {
            Trust::Ca { file, name } => {
                let pem = std::fs::read(file).map_err(|e| format!("--ca {file}: {e}"))?;
                let anchors = TrustAnchors::from_pem(&pem).map_err(|e| format!("--ca {file}: {e}"))?;
                (Some(CaVerifier::new(anchors)), None, name.clone())
            }
            Trust::Psk { identity, key } => {
                let psk = ExternalPsk::from_hex(identity, key).map_err(|e| format!("--psk: {e}"))?;
                (None, Some(psk), args.server.ip().to_string())
            }
        };
        let verifier: &(dyn ServerVerifier + Sync) = match &verifier {
            Some(ca) => ca,
            // Knowing the PSK authenticates the server; no certificate is sent.
            None => ServerVerification::danger_accept_any(),
        };
        let mut config = ClientConfig::new(verifier);
        if let Some(psk) = &psk {
            config = config.with_psk(psk);
        }

        // --- From here on, the code is what an esp-hal / embassy program runs ---
        let (mut socket_rx, mut socket_tx) = ([0u8; SOCKET_BUF], [0u8; SOCKET_BUF]);
        let mut socket = TcpSocket::new(stack, &mut socket_rx, &mut socket_tx);
        socket.set_timeout(Some(embassy_time::Duration::from_secs(10)));
        socket.connect(args.server).await.map_err(|e| format!("TCP connect to {}: {e:?}", args.server))?;

        let (mut rx, mut tx) = ([0u8; RX_LEN], [0u8; TX_LEN]);
        let options = ConnectOptions::new(&config, ServerName::parse(&name)).now(unix_now());
        let rng = rand_core::UnwrapErr(getrandom::SysRng);
        let mut tls = AsyncTlsStream::connect(options, rng, socket, &mut rx[..], &mut tx[..], None)
            .await
            .map_err(|e| format!("TLS handshake with {}: {e}", args.server))?;
        let s = tls.summary();
        eprintln!(
            "embassy_tap: connected to {} over embassy-net: {} {} trust={:?} max_fragment={:?}",
            args.server, s.version, s.cipher_suite, s.trust, s.max_fragment
        );

        match &args.job {
            Job::Https { path } => https_get(&mut tls, path, &name).await?,
            Job::Mqtt { topic, message } => mqtt_publish(&mut tls, topic, message).await?,
        }
        // The server may have closed first (mosquitto does after DISCONNECT):
        // our close_notify is then courtesy, not something to fail on.
        if let Err(e) = tls.close().await {
            eprintln!("embassy_tap: close_notify not sent ({e}); the server had closed the connection");
        }
        Ok(())
    }

    /// `GET path`; writes the response to stdout and its size to stderr.
    async fn https_get<T: Read + Write>(tls: &mut T, path: &str, host: &str) -> Result<(), String>
    where
        T::Error: std::fmt::Display,
    {
        let request = format!("GET {path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        tls.write_all(request.as_bytes()).await.map_err(|e| format!("write: {e}"))?;
        tls.flush().await.map_err(|e| format!("flush: {e}"))?;
        let mut response = Vec::new();
        let mut buf = [0u8; 1024];
        loop {
            match tls.read(&mut buf).await {
                Ok(0) => break, // close_notify
                Ok(n) => response.extend_from_slice(&buf[..n]),
                Err(e) => return Err(format!("read after {} bytes: {e}", response.len())),
            }
        }
        use std::io::Write as _;
        std::io::stdout().write_all(&response).map_err(|e| e.to_string())?;
        eprintln!("embassy_tap: sent a {}-byte request, received {} bytes", request.len(), response.len());
        Ok(())
    }

    /// MQTT 3.1.1: CONNECT, CONNACK, PUBLISH at QoS 0, DISCONNECT.
    async fn mqtt_publish<T: Read + Write>(tls: &mut T, topic: &str, message: &str) -> Result<(), String>
    where
        T::Error: std::fmt::Display,
    {
        tls.write_all(&mqtt_psk::connect_packet("embertls-embassy")).await.map_err(|e| format!("CONNECT: {e}"))?;
        tls.flush().await.map_err(|e| format!("CONNECT: {e}"))?;
        let mut connack = [0u8; 4];
        tls.read_exact(&mut connack).await.map_err(|e| format!("CONNACK: {e:?}"))?;
        mqtt_psk::check_connack(connack).map_err(|e| e.to_string())?;
        tls.write_all(&mqtt_psk::publish_packet(topic, message.as_bytes()))
            .await
            .map_err(|e| format!("PUBLISH: {e}"))?;
        tls.write_all(&mqtt_psk::DISCONNECT).await.map_err(|e| format!("DISCONNECT: {e}"))?;
        tls.flush().await.map_err(|e| format!("DISCONNECT: {e}"))?;
        eprintln!("embassy_tap: published {} bytes to {topic}", message.len());
        Ok(())
    }

    /// The time for certificate validity checks (a device reads SNTP or its RTC).
    fn unix_now() -> Option<UnixTime> {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?;
        Some(UnixTime(now.as_secs()))
    }
}

#[cfg(target_os = "linux")]
#[embassy_executor::main]
async fn main(spawner: embassy_executor::Spawner) -> ! {
    tap::main(spawner).await
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("embassy_tap needs Linux (a TUN/TAP device)");
    std::process::exit(2);
}
