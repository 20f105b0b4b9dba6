//! Publishes one MQTT 3.1.1 message to a broker (e.g. mosquitto with a
//! `psk_file` listener) over TLS 1.3 with an external pre-shared key, the way
//! Arduino's `setPreSharedKey(identity, hexKey)` devices do.
//!
//! ```text
//! cargo run --example mqtt_psk -- HOST:PORT --psk-identity ID --psk HEX \
//!     --topic TOPIC --message TEXT [--psk-mode dhe|ke] [--client-id ID] [--suite IANA_NAME]
//! ```
//!
//! The MQTT part is written out by hand (CONNECT, wait for CONNACK, PUBLISH
//! at QoS 0, DISCONNECT): it is about forty lines and needs no codec crate.
//! `tests/suite/mosquitto.rs` includes this file as a module and calls [`publish`].

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::Duration;

use embertls::provider::{CryptoProvider, RustCrypto};
use embertls::{
    CipherSuite, ClientConfig, ExternalPsk, NamedGroup, PskMode, ServerName, ServerVerification, TlsStream, Trust,
};

/// What to publish, and where.
pub struct Publish<'a> {
    /// `HOST:PORT` of the broker.
    pub addr: &'a str,
    /// The PSK (identity and key).
    pub psk: &'a ExternalPsk,
    /// MQTT client identifier (1 to 23 characters is safe with every broker).
    pub client_id: &'a str,
    /// Topic name.
    pub topic: &'a str,
    /// Payload.
    pub message: &'a [u8],
    /// Cipher suites to offer (empty: the defaults whose hash fits the PSK).
    pub suites: &'a [CipherSuite],
}

/// Why publishing failed.
#[derive(Debug)]
pub enum Failure {
    /// The TLS layer refused (e.g. [`embertls::Error::PskRefused`]).
    Tls(embertls::Error),
    /// The transport failed.
    Io(std::io::Error),
    /// The broker answered something unexpected.
    Mqtt(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Tls(e) => write!(f, "TLS: {e}"),
            Failure::Io(e) => write!(f, "I/O: {e}"),
            Failure::Mqtt(s) => write!(f, "MQTT: {s}"),
        }
    }
}

impl From<std::io::Error> for Failure {
    /// `TlsStream` reports engine errors inside `io::Error`; take them back out.
    fn from(e: std::io::Error) -> Self {
        match e.get_ref().and_then(|inner| inner.downcast_ref::<embertls::Error>()) {
            Some(tls) => Failure::Tls(tls.clone()),
            None => Failure::Io(e),
        }
    }
}

/// Appends an MQTT Remaining Length (MQTT 3.1.1 §2.2.3).
fn remaining_length(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let mut byte = (n % 128) as u8;
        n /= 128;
        if n > 0 {
            byte |= 0x80;
        }
        out.push(byte);
        if n == 0 {
            break;
        }
    }
}

/// Appends an MQTT UTF-8 string (two-byte length, then the bytes).
pub fn string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u16).to_be_bytes());
    out.extend_from_slice(s);
}

/// A complete packet: fixed header byte, Remaining Length, body.
pub fn packet(first: u8, body: &[u8]) -> Vec<u8> {
    let mut p = vec![first];
    remaining_length(&mut p, body.len());
    p.extend_from_slice(body);
    p
}

/// CONNECT (§3.1): protocol "MQTT" level 4, clean session, keep-alive 60 s.
pub fn connect_packet(client_id: &str) -> Vec<u8> {
    let mut body = Vec::new();
    string(&mut body, b"MQTT");
    body.extend_from_slice(&[4, 0x02, 0, 60]);
    string(&mut body, client_id.as_bytes());
    packet(0x10, &body)
}

/// PUBLISH (§3.3) at QoS 0: no packet identifier.
pub fn publish_packet(topic: &str, message: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    string(&mut body, topic.as_bytes());
    body.extend_from_slice(message);
    packet(0x30, &body)
}

/// DISCONNECT (§3.14).
pub const DISCONNECT: [u8; 2] = [0xe0, 0];

/// Checks a CONNACK (§3.2): 0x20, length 2, session-present flags, return code 0.
pub fn check_connack(connack: [u8; 4]) -> Result<(), Failure> {
    match connack {
        [0x20, 2, _, 0] => Ok(()),
        [0x20, 2, _, rc] => Err(Failure::Mqtt(format!(
            "the broker refused the connection (CONNACK return code {rc}: 4 = bad user name or password, 5 = not authorized)"
        ))),
        other => Err(Failure::Mqtt(format!("expected CONNACK, got {other:02x?}"))),
    }
}

/// What the TLS handshake negotiated (the parts of [`embertls::HandshakeSummary`] worth logging).
#[derive(Clone, Copy, Debug)]
pub struct Negotiated {
    /// The cipher suite.
    pub cipher_suite: CipherSuite,
    /// The key exchange group; `None` for psk_ke.
    pub group: Option<NamedGroup>,
    /// How the broker was authenticated (`Trust::PreSharedKey`).
    pub trust: Trust,
}

/// Connects with the crypto `provider` (e.g. `embertls::provider::RustCrypto`),
/// publishes `p.message` at QoS 0, disconnects, and returns what the TLS
/// handshake negotiated.
pub fn publish<P: CryptoProvider>(p: &Publish<'_>, provider: P) -> Result<Negotiated, Failure> {
    let host = p.addr.rsplit_once(':').map(|(h, _)| h).ok_or(Failure::Mqtt("address must be HOST:PORT".into()))?;
    let tcp = TcpStream::connect(p.addr)?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    tcp.set_write_timeout(Some(Duration::from_secs(10)))?;
    // The verifier is not consulted for a PSK handshake: knowing the key
    // authenticates the broker (summary.trust == Trust::PreSharedKey).
    let mut config = ClientConfig::new(ServerVerification::danger_accept_any()).with_psk(p.psk);
    if !p.suites.is_empty() {
        config = config.with_cipher_suites(p.suites).map_err(Failure::Tls)?;
    }
    let rng = rand_core::UnwrapErr(getrandom::SysRng);
    let options = embertls::ConnectOptions::new(&config, ServerName::parse(host)).with_provider(provider);
    let mut tls = TlsStream::connect(options, rng, tcp)?;
    let s = tls.summary().ok_or(Failure::Mqtt("no handshake summary".into()))?;
    let summary = Negotiated { cipher_suite: s.cipher_suite, group: s.group, trust: s.trust };

    tls.write_all(&connect_packet(p.client_id))?;
    let mut connack = [0u8; 4];
    tls.read_exact(&mut connack)?;
    check_connack(connack)?;
    tls.write_all(&publish_packet(p.topic, p.message))?;
    tls.write_all(&DISCONNECT)?;
    tls.close()?;
    Ok(summary)
}

fn run() -> Result<(), String> {
    let mut addr = None;
    let (mut identity, mut key, mut topic, mut message) = (None, None, None, None);
    let mut mode = PskMode::DheKe;
    let mut client_id = "embertls-mqtt".to_string();
    let mut suites = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--psk-identity" => identity = Some(value("--psk-identity")?),
            "--psk" => key = Some(value("--psk")?),
            "--topic" => topic = Some(value("--topic")?),
            "--message" => message = Some(value("--message")?),
            "--client-id" => client_id = value("--client-id")?,
            "--suite" => {
                let s = value("--suite")?;
                suites.push(embertls::DEFAULT_CIPHER_SUITES.into_iter().find(|c| c.name() == s).ok_or(format!(
                    "--suite {s}: use TLS_AES_128_GCM_SHA256 or TLS_CHACHA20_POLY1305_SHA256 (SHA-256 PSKs)"
                ))?);
            }
            "--psk-mode" => {
                mode = match value("--psk-mode")?.as_str() {
                    "dhe" => PskMode::DheKe,
                    "ke" => PskMode::Ke,
                    m => return Err(format!("--psk-mode {m}: use dhe (forward secrecy) or ke (no (EC)DHE)")),
                }
            }
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            s => addr = Some(s.to_string()),
        }
    }
    let usage = "usage: mqtt_psk HOST:PORT --psk-identity ID --psk HEX --topic TOPIC --message TEXT";
    let (Some(addr), Some(identity), Some(key), Some(topic), Some(message)) = (addr, identity, key, topic, message)
    else {
        return Err(usage.into());
    };
    let psk = ExternalPsk::from_hex(&identity, &key).map_err(|e| format!("--psk: {e}"))?.with_mode(mode);
    let p = Publish {
        addr: &addr,
        psk: &psk,
        client_id: &client_id,
        topic: &topic,
        message: message.as_bytes(),
        suites: &suites,
    };
    let s = publish(&p, RustCrypto).map_err(|e| e.to_string())?;
    eprintln!(
        "embertls: connected suite={} group={} trust={:?}",
        s.cipher_suite,
        s.group.map_or("-".to_string(), |g| g.to_string()),
        s.trust
    );
    eprintln!("embertls: published {} bytes to {topic}", message.len());
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mqtt_psk: error: {e}");
            ExitCode::FAILURE
        }
    }
}
