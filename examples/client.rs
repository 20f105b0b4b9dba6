//! An `openssl s_client`-like TLS client on embertls.
//!
//! ```text
//! cargo run --release --example client -- [OPTIONS] HOST:PORT
//!   --server-name NAME   name to verify and send as SNI (default: HOST)
//!   --insecure           DANGER: do not verify the server (still encrypted)
//!   --ca FILE            trust anchor PEM/DER (repeatable)
//!   --pin PIN            accept a server whose key has this pin: sha256/BASE64 or hex (repeatable)
//!   --trust-on-first-use accept this server once and print its pin to store (NOT verification)
//!   --no-time-check      skip certificate dates (for devices without a clock)
//!   --profile P          certificate rules: strict (default, public servers) | rfc5280 (a private CA)
//!   --show-chain         print the server's certificate chain and pins
//!   --tls1.3 | --tls1.2  offer only this protocol version (default: both, the server chooses)
//!   --allow-no-ems       DANGER: accept TLS 1.2 servers without the extended master secret (RFC 7627)
//!   --group NAME         x25519 | secp256r1 (repeatable; first gets the key share)
//!   --suite IANA_NAME    e.g. TLS_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (repeatable)
//!   --alpn PROTO         ALPN protocol (repeatable)
//!   --request STRING     send STRING after the handshake (else stdin is sent)
//!   --psk-identity ID    external PSK identity (with --psk)
//!   --psk HEX            external PSK key in hex, as mosquitto's psk_file
//!   --psk-mode dhe|ke    PSK with (EC)DHE (default) or alone (no forward secrecy)
//!   --psk-sha384         the PSK's hash is SHA-384 (default SHA-256)
//!   --resume             connect, keep the session, connect again resuming it
//!   --sess-out FILE      write the newest session (ticket, or TLS 1.2 session ID) to FILE
//!   --sess-in FILE       resume with the session in FILE
//!   --cert FILE          client certificate chain (PEM, leaf first)
//!   --key FILE           its private key (PEM/DER: ECDSA P-256/P-384, RSA 2048-4096)
//!   --provider NAME      crypto provider: rustcrypto (default) | ring (built with `--features ring`)
//! ```
//! Prints `embertls: connected version=... suite=...` to stderr (with
//! `psk_hint="..."` when a TLS 1.2 PSK server sent a hint, escaped), copies
//! server data to stdout until the server closes, and exits 0 on a clean close.
//! With `--provider ring` the line ends in `provider=ring`.
//!
//! The connection is a [`TlsStream`]; the TLS 1.2 PSK hint is read from its
//! engine with [`embertls::Client::psk_identity_hint`].

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;

use embertls::provider::{CryptoProvider, RustCrypto};
use embertls::x509::Profile;
use embertls::{CaVerifier, ChainRecorder, Pin, PinVerifier, TrustAnchors, TrustOnFirstUse};
use embertls::{
    CipherSuite, ClientConfig, ClientIdentity, ExternalPsk, NamedGroup, ProtocolVersion, PskMode, ServerName,
    ServerVerification, ServerVerifier, SessionTicket, SoftwareSigner, TlsStream,
};

/// The crypto provider of `--provider`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Provider {
    RustCrypto,
    #[cfg(feature = "ring")]
    Ring,
}

struct Options {
    addr: String,
    provider: Provider,
    server_name: Option<String>,
    insecure: bool,
    ca: Vec<String>,
    groups: Vec<NamedGroup>,
    suites: Vec<CipherSuite>,
    alpn: Vec<Vec<u8>>,
    request: Option<String>,
    psk_identity: Option<String>,
    psk: Option<String>,
    psk_mode: PskMode,
    psk_sha384: bool,
    resume: bool,
    sess_out: Option<String>,
    sess_in: Option<String>,
    cert: Option<String>,
    key: Option<String>,
    pins: Vec<String>,
    tofu: bool,
    no_time_check: bool,
    profile: Profile,
    show_chain: bool,
    versions: Vec<ProtocolVersion>,
    allow_no_ems: bool,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        addr: String::new(),
        provider: Provider::RustCrypto,
        server_name: None,
        insecure: false,
        ca: vec![],
        groups: vec![],
        suites: vec![],
        alpn: vec![],
        request: None,
        psk_identity: None,
        psk: None,
        psk_mode: PskMode::DheKe,
        psk_sha384: false,
        resume: false,
        sess_out: None,
        sess_in: None,
        cert: None,
        key: None,
        pins: vec![],
        tofu: false,
        no_time_check: false,
        profile: Profile::Strict,
        show_chain: false,
        versions: vec![],
        allow_no_ems: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--server-name" => o.server_name = Some(value("--server-name")?),
            "--insecure" => o.insecure = true,
            "--ca" => o.ca.push(value("--ca")?),
            "--tls1.3" => o.versions.push(ProtocolVersion::Tls13),
            "--tls1.2" => o.versions.push(ProtocolVersion::Tls12),
            "--allow-no-ems" => o.allow_no_ems = true,
            "--group" => {
                let g = value("--group")?;
                o.groups.push(match g.as_str() {
                    "x25519" => NamedGroup::X25519,
                    "secp256r1" | "P-256" | "prime256v1" => NamedGroup::Secp256r1,
                    _ => return Err(format!("--group {g}: supported groups are x25519, secp256r1")),
                });
            }
            "--suite" => {
                let s = value("--suite")?;
                let suite = embertls::DEFAULT_CIPHER_SUITES.into_iter().find(|c| c.name() == s).ok_or_else(|| {
                    let names: Vec<&str> = embertls::DEFAULT_CIPHER_SUITES.iter().map(|c| c.name()).collect();
                    format!("--suite {s}: supported suites are {}", names.join(", "))
                })?;
                o.suites.push(suite);
            }
            "--alpn" => o.alpn.push(value("--alpn")?.into_bytes()),
            "--request" => o.request = Some(value("--request")?),
            "--psk-identity" => o.psk_identity = Some(value("--psk-identity")?),
            "--psk" => o.psk = Some(value("--psk")?),
            "--psk-mode" => {
                o.psk_mode = match value("--psk-mode")?.as_str() {
                    "dhe" => PskMode::DheKe,
                    "ke" => PskMode::Ke,
                    m => return Err(format!("--psk-mode {m}: use dhe (forward secrecy) or ke (no (EC)DHE)")),
                }
            }
            "--psk-sha384" => o.psk_sha384 = true,
            "--resume" => o.resume = true,
            "--sess-out" => o.sess_out = Some(value("--sess-out")?),
            "--sess-in" => o.sess_in = Some(value("--sess-in")?),
            "--cert" => o.cert = Some(value("--cert")?),
            "--key" => o.key = Some(value("--key")?),
            "--pin" => o.pins.push(value("--pin")?),
            "--trust-on-first-use" => o.tofu = true,
            "--no-time-check" => o.no_time_check = true,
            "--profile" => {
                let p = value("--profile")?;
                o.profile = Profile::from_name(&p).ok_or(format!("--profile {p}: give strict or rfc5280"))?;
            }
            "--show-chain" => o.show_chain = true,
            "--provider" => {
                o.provider = match value("--provider")?.as_str() {
                    "rustcrypto" => Provider::RustCrypto,
                    #[cfg(feature = "ring")]
                    "ring" => Provider::Ring,
                    #[cfg(not(feature = "ring"))]
                    "ring" => {
                        return Err("--provider ring: this client was built without the `ring` feature; build it with `cargo run --features ring --example client -- ...`".into())
                    }
                    p => return Err(format!("--provider {p}: give rustcrypto or ring")),
                }
            }
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            s => o.addr = s.to_string(),
        }
    }
    if o.addr.is_empty() {
        return Err("usage: client [OPTIONS] HOST:PORT".into());
    }
    Ok(o)
}

fn run() -> Result<(), String> {
    let o = parse_args()?;
    let host = o.addr.rsplit_once(':').map(|(h, _)| h).ok_or("address must be HOST:PORT")?.to_string();
    let name_text = o.server_name.clone().unwrap_or(host);
    let psk = match (&o.psk_identity, &o.psk) {
        (Some(id), Some(key)) => {
            let p = ExternalPsk::from_hex(id, key).map_err(|e| format!("--psk: {e}"))?.with_mode(o.psk_mode);
            Some(if o.psk_sha384 { p.with_sha384() } else { p })
        }
        (None, None) => None,
        _ => return Err("--psk-identity and --psk go together".into()),
    };
    // How the server is trusted: exactly one way.
    let ways = [o.insecure, !o.ca.is_empty(), !o.pins.is_empty(), o.tofu].iter().filter(|w| **w).count();
    if ways > 1 {
        return Err("choose one way to trust the server: --ca, --pin, --trust-on-first-use or --insecure".into());
    }
    let mut anchors = TrustAnchors::new();
    for f in &o.ca {
        let bytes = std::fs::read(f).map_err(|e| format!("--ca {f}: {e}"))?;
        let added =
            if bytes.first() == Some(&0x30) { anchors.add_der(&bytes).map(|_| 1) } else { anchors.add_pem(&bytes) };
        added.map_err(|e| format!("--ca {f}: {e}"))?;
    }
    let pins =
        o.pins.iter().map(|p| Pin::parse(p).map_err(|e| format!("--pin {p}: {e}"))).collect::<Result<Vec<_>, _>>()?;
    let ca_verifier = (!anchors.is_empty()).then(|| {
        let v = CaVerifier::new(anchors).profile(o.profile);
        if o.no_time_check {
            v.skip_time_checks()
        } else {
            v
        }
    });
    let pin_verifier = PinVerifier::new(&pins).profile(o.profile);
    let pin_verifier = if o.no_time_check { pin_verifier.skip_time_checks() } else { pin_verifier };
    let tofu = TrustOnFirstUse::record();
    let base: &(dyn ServerVerifier + Sync) = if let Some(v) = &ca_verifier {
        v
    } else if !pins.is_empty() {
        &pin_verifier
    } else if o.tofu {
        &tofu
    } else if o.insecure || psk.is_some() {
        ServerVerification::danger_accept_any()
    } else {
        return Err(
            "no way to trust the server: give --ca FILE, --pin PIN, --trust-on-first-use, or --insecure to skip verification (DANGER)"
                .into(),
        );
    };
    let recorder = ChainRecorder::new(base);
    let verifier: &(dyn ServerVerifier + Sync) = &recorder;
    let read = |f: &str| std::fs::read(f).map_err(|e| format!("cannot read {f}: {e}"));
    let client_certs = match &o.cert {
        Some(f) => embertls::pem::certificates(&read(f)?).map_err(|e| format!("--cert {f}: {e}"))?,
        None => vec![],
    };
    let signer = match (&o.cert, &o.key) {
        (Some(_), Some(k)) => {
            let rng = Box::new(rand_core::UnwrapErr(getrandom::SysRng));
            Some(SoftwareSigner::from_pem_with_rng(&read(k)?, rng).map_err(|e| format!("--key {k}: {e}"))?)
        }
        (None, None) => None,
        _ => return Err("--cert and --key go together".into()),
    };
    let cert_refs: Vec<&[u8]> = client_certs.iter().map(Vec::as_slice).collect();
    let identity = match &signer {
        Some(s) => Some(ClientIdentity::new(&cert_refs, s).map_err(|e| format!("--cert/--key: {e}"))?),
        None => None,
    };
    let mut config = ClientConfig::new(verifier);
    if let Some(id) = &identity {
        config = config.with_client_identity(id);
    }
    if let Some(p) = &psk {
        config = config.with_psk(p);
    }
    if !o.versions.is_empty() {
        config = config.with_versions(&o.versions).map_err(|e| e.to_string())?;
    }
    if o.allow_no_ems {
        config = config.danger_allow_tls12_without_extended_master_secret();
    }
    if !o.groups.is_empty() {
        config = config.with_groups(&o.groups).map_err(|e| e.to_string())?;
    }
    if !o.suites.is_empty() {
        config = config.with_cipher_suites(&o.suites).map_err(|e| e.to_string())?;
    }
    if !o.alpn.is_empty() {
        let protos: Vec<&[u8]> = o.alpn.iter().map(|p| p.as_slice()).collect();
        config = config.with_alpn(&protos).map_err(|e| e.to_string())?;
    }
    let ticket_in = match &o.sess_in {
        Some(f) => Some(std::fs::read(f).map_err(|e| format!("--sess-in {f}: {e}"))?),
        None => None,
    };
    let first = connect_once(&o, &config, &name_text, ticket_in.as_deref());
    if o.show_chain {
        match recorder.last_chain() {
            Some(chain) => eprintln!("{chain}"),
            None => eprintln!("embertls: the server sent no certificate chain"),
        }
    }
    if let Some(first_use) = tofu.recorded() {
        eprintln!(
            "embertls: first use: NOT verified; to trust this server from now on, store its pin: --pin {}",
            first_use.pin
        );
    }
    let mut ticket = first?;
    if o.resume {
        let t = ticket.take().ok_or(if o.allow_no_ems {
            "--resume: the server sent no session (ticket or session ID) to resume with (TLS 1.2 sessions without the extended master secret are not kept)"
        } else {
            "--resume: the server sent no session (ticket or session ID) to resume with"
        })?;
        ticket = connect_once(&o, &config, &name_text, Some(&t))?.or(Some(t));
    }
    if let (Some(f), Some(t)) = (&o.sess_out, &ticket) {
        std::fs::write(f, t).map_err(|e| format!("--sess-out {f}: {e}"))?;
    }
    Ok(())
}

/// One connection with the provider of `--provider`; returns the newest
/// session the server gave (ticket or TLS 1.2 session ID).
fn connect_once(
    o: &Options,
    config: &ClientConfig<'_>,
    name: &str,
    ticket: Option<&[u8]>,
) -> Result<Option<Vec<u8>>, String> {
    match o.provider {
        Provider::RustCrypto => connect_with(o, config, name, ticket, RustCrypto),
        #[cfg(feature = "ring")]
        Provider::Ring => connect_with(o, config, name, ticket, embertls::provider::Ring),
    }
}

fn connect_with<P: CryptoProvider>(
    o: &Options,
    config: &ClientConfig<'_>,
    name: &str,
    ticket: Option<&[u8]>,
    provider: P,
) -> Result<Option<Vec<u8>>, String> {
    let tcp = TcpStream::connect(&o.addr).map_err(|e| format!("cannot connect to {}: {e}", o.addr))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| embertls::UnixTime(d.as_secs()));
    let rng = rand_core::UnwrapErr(getrandom::SysRng);
    let options = embertls::ConnectOptions::new(config, ServerName::parse(name)).now(now).with_provider(provider);
    let mut tls = match ticket {
        Some(t) => {
            let t = SessionTicket::decode(t).map_err(|e| e.to_string())?;
            TlsStream::connect(options.resuming(t), rng, tcp)
        }
        None => TlsStream::connect(options, rng, tcp),
    }
    .map_err(explain)?;
    let s = tls.summary().ok_or("no handshake summary")?;
    eprintln!(
        "embertls: connected version={} suite={} group={} alpn={} verified={}{}{}{}{}",
        s.version,
        s.cipher_suite,
        s.group.map_or("-".to_string(), |g| g.to_string()),
        s.alpn.map_or("-".to_string(), |a| String::from_utf8_lossy(a).into_owned()),
        if s.is_verified() { "yes" } else { "no" },
        if s.hello_retry { " hrr=yes" } else { "" },
        if s.resumed { " resumed=yes" } else { "" },
        // Any bytes: printable ASCII as is, the rest as \xNN (and \" \\).
        tls.client().psk_identity_hint().map_or(String::new(), |h| format!(" psk_hint=\"{}\"", h.escape_ascii())),
        if o.provider == Provider::RustCrypto { "" } else { " provider=ring" },
    );
    match &o.request {
        Some(r) => tls.write_all(r.as_bytes()).map_err(explain)?,
        None => {
            let mut input = Vec::new();
            std::io::stdin().read_to_end(&mut input).map_err(|e| e.to_string())?;
            tls.write_all(&input).map_err(explain)?;
        }
    }
    // Until the server closes: sessions it gives meanwhile (TLS 1.3 tickets, a
    // TLS 1.2 session ID) replace the one kept so far (a TLS 1.2 ticket).
    let mut out = std::io::stdout().lock();
    std::io::copy(&mut tls, &mut out).map_err(explain)?;
    out.flush().map_err(|e| e.to_string())?;
    Ok(tls.session_ticket().map(<[u8]>::to_vec))
}

/// The error's message, with the option of this tool that it points to.
fn explain(e: std::io::Error) -> String {
    use embertls::{Error, Incompatibility};
    match e.get_ref().and_then(|inner| inner.downcast_ref::<Error>()) {
        Some(Error::Incompatible(Incompatibility::ExtendedMasterSecret)) => {
            format!("{e} [here: --allow-no-ems, DANGER]")
        }
        Some(Error::Incompatible(Incompatibility::Version(_))) => {
            format!("{e} [here: --tls1.2 or --tls1.3 offer only that version; neither offers both]")
        }
        _ => e.to_string(),
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("embertls: error: {e}");
            ExitCode::FAILURE
        }
    }
}
