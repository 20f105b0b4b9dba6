//! Real peers for the interoperability and bad-input tests: `openssl s_server`
//! processes on loopback, and an in-process rustls server driven over an
//! in-memory transport (no sockets).
#![allow(dead_code)] // each test binary uses a different part of this module
#![allow(clippy::result_large_err)] // embertls::Error is what the engine returns, whatever its size

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use embertls::provider::CryptoProvider;
use embertls::x509::{CaVerifier, TrustAnchors};
use embertls::{CipherSuite, Client, ClientConfig, Error, Event, HandshakeSummary, NamedGroup, ServerName, MAX_RECORD};

use super::provider::{options, TestProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The random generator every test client uses.
pub type Rng = rand_core::UnwrapErr<getrandom::SysRng>;

/// A client with 16 709-byte (or caller-given) `Vec` buffers and this
/// binary's provider (`super::provider`).
pub type TestClient<'a> = Client<'a, Rng, Vec<u8>, Vec<u8>, TestProvider>;

/// A fresh system random generator.
pub fn rng() -> Rng {
    rand_core::UnwrapErr(getrandom::SysRng)
}

/// Upper bound for any single wait on a peer (process start, socket read).
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A file of `vectors/peer/`.
pub fn peer_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors/peer").join(name)
}

/// The two server identities of `vectors/peer/` (leaf for localhost / 127.0.0.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertKind {
    /// ECDSA P-256 leaf.
    Ecdsa,
    /// RSA-2048 leaf.
    Rsa,
}

impl CertKind {
    /// Both kinds.
    pub const ALL: [CertKind; 2] = [CertKind::Ecdsa, CertKind::Rsa];

    fn stem(self) -> &'static str {
        match self {
            CertKind::Ecdsa => "ecdsa",
            CertKind::Rsa => "rsa",
        }
    }

    /// The leaf certificate (PEM).
    pub fn cert_path(self) -> PathBuf {
        peer_file(&format!("{}-leaf.pem", self.stem()))
    }

    /// The leaf's private key (PKCS#8 PEM).
    pub fn key_path(self) -> PathBuf {
        peer_file(&format!("{}-leaf.key", self.stem()))
    }

    /// The leaf certificate, DER.
    pub fn cert_der(self) -> Vec<u8> {
        CertificateDer::from_pem_file(self.cert_path()).expect("leaf certificate PEM").as_ref().to_vec()
    }

    /// A verifier trusting this kind's CA (`vectors/peer/<kind>-ca.pem`).
    pub fn ca_verifier(self) -> CaVerifier {
        let mut anchors = TrustAnchors::new();
        anchors
            .add_pem(&std::fs::read(peer_file(&format!("{}-ca.pem", self.stem()))).expect("CA file"))
            .expect("CA PEM");
        CaVerifier::new(anchors)
    }

    /// The leaf's private key, PKCS#8 DER.
    pub fn key_der(self) -> Vec<u8> {
        let key = PrivateKeyDer::from_pem_file(self.key_path()).expect("leaf key PEM");
        key.secret_der().to_vec()
    }
}

/// The three TLS 1.3 suites with their OpenSSL names.
pub const SUITES: [(CipherSuite, &str); 3] = [
    (CipherSuite::Tls13Aes128GcmSha256, "TLS_AES_128_GCM_SHA256"),
    (CipherSuite::Tls13Aes256GcmSha384, "TLS_AES_256_GCM_SHA384"),
    (CipherSuite::Tls13Chacha20Poly1305Sha256, "TLS_CHACHA20_POLY1305_SHA256"),
];

/// The two groups with their OpenSSL names.
pub const GROUPS: [(NamedGroup, &str); 2] = [(NamedGroup::X25519, "X25519"), (NamedGroup::Secp256r1, "P-256")];

/// A port that was free a moment ago (bind to port 0, read it, release it).
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local_addr").port()
}

/// One record of type `typ` around `body` (legacy version 0x0303), as a scripted server sends it.
pub fn record(typ: u8, body: &[u8]) -> Vec<u8> {
    let mut r = vec![typ, 3, 3];
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

/// An event as the event-sequence tests write it: `HandshakeComplete(resumed=..)`,
/// `SessionTicket`, `ApplicationData(n)`, `PeerClosed`, `NeedData`.
pub fn event_name(ev: &Event<'_>) -> String {
    match ev {
        Event::HandshakeComplete(s) => format!("HandshakeComplete(resumed={})", s.resumed),
        Event::ApplicationData(n) => format!("ApplicationData({n})"),
        other => format!("{other:?}"),
    }
}

/// Parses `bytes` as a sequence of TLS records: (content type, body).
/// Panics on a partial record.
pub fn records(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        assert!(bytes.len() >= 5, "partial record header: {bytes:02x?}");
        let len = u16::from_be_bytes([bytes[3], bytes[4]]) as usize;
        assert!(bytes.len() >= 5 + len, "partial record: {} of {} bytes", bytes.len(), 5 + len);
        out.push((bytes[0], bytes[5..5 + len].to_vec()));
        bytes = &bytes[5 + len..];
    }
    out
}

// ---------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------

/// The path of `bin`: on PATH, else in /usr/sbin or /usr/local/sbin (where
/// Debian puts daemons such as mosquitto, off a normal user's PATH). Panics
/// with the command that installs `package`.
pub fn require(bin: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")])
        .map(|d| d.join(bin))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("`{bin}` is not installed (not on PATH); install it with: apt-get install -y {package}")
        })
}

/// A command for `program`, run inside the network namespace `netns` if
/// given (`ip netns exec NETNS program`: `ip` execs the program, so the
/// child is the program itself and killing it kills the program).
pub fn command_in(netns: Option<&str>, program: impl AsRef<std::ffi::OsStr>) -> Command {
    match netns {
        Some(ns) => {
            let mut cmd = Command::new(require("ip", "iproute2"));
            cmd.args(["netns", "exec", ns]).arg(program);
            cmd
        }
        None => Command::new(program),
    }
}

/// A child process (a peer server, a reference client), killed and reaped
/// on drop. Its standard output and error go to temporary files, removed on
/// drop and printed with the command line if the test panics.
pub struct Proc {
    child: Mutex<Child>,
    /// The command line, for failure messages.
    pub what: String,
    out: TempFile,
    /// Standard error, when it is kept apart from standard output.
    err: Option<TempFile>,
}

impl Proc {
    /// Spawns `cmd` (standard input as `cmd` sets it) with its standard
    /// output and error in one file, interleaved as written.
    pub fn spawn(cmd: &mut Command) -> Proc {
        Self::spawn_to(cmd, false)
    }

    /// As [`Proc::spawn`], with standard error in a file of its own, so that
    /// [`Proc::stdout`] is exactly what the process printed there.
    pub fn spawn_split(cmd: &mut Command) -> Proc {
        Self::spawn_to(cmd, true)
    }

    fn spawn_to(cmd: &mut Command, split: bool) -> Proc {
        let mut what = cmd.get_program().to_string_lossy().into_owned();
        for arg in cmd.get_args() {
            what.push(' ');
            what.push_str(&arg.to_string_lossy());
        }
        let name = Path::new(cmd.get_program()).file_name().unwrap_or_default().to_string_lossy().into_owned();
        let out = TempFile::with_contents(&format!("{name}.out"), b"");
        let err = split.then(|| TempFile::with_contents(&format!("{name}.err"), b""));
        let stdout = File::create(&out.0).expect("create the output file");
        let stderr = match &err {
            Some(err) => File::create(&err.0).expect("create the error file"),
            None => stdout.try_clone().expect("clone the output file handle"),
        };
        let child = cmd.stdout(stdout).stderr(stderr).spawn().unwrap_or_else(|e| panic!("spawn `{what}`: {e}"));
        Proc { child: Mutex::new(child), what, out, err }
    }

    fn child(&self) -> MutexGuard<'_, Child> {
        self.child.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What it printed on standard output so far (everything, unless split).
    pub fn stdout(&self) -> String {
        std::fs::read_to_string(&self.out.0).unwrap_or_default()
    }

    /// Everything it printed so far (standard output, then standard error
    /// if split).
    pub fn output(&self) -> String {
        let err = self.err.as_ref().map(|e| std::fs::read_to_string(&e.0).unwrap_or_default());
        self.stdout() + &err.unwrap_or_default()
    }

    /// How it exited, if it has.
    pub fn exit_status(&self) -> Option<ExitStatus> {
        self.child().try_wait().ok().flatten()
    }

    /// Waits (at most `within`) until `cond(output)` holds or the process
    /// exits; returns whether `cond` holds.
    pub fn wait_for(&self, within: Duration, cond: impl Fn(&str) -> bool) -> bool {
        let deadline = Instant::now() + within;
        loop {
            if cond(&self.output()) {
                return true;
            }
            if Instant::now() > deadline || self.exit_status().is_some() {
                return cond(&self.output());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits (at most `within`) for the process to exit by itself; returns
    /// whether it did.
    pub fn wait_exit(&self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if self.exit_status().is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        false
    }

    /// Writes `text` to its standard input, which `cmd` must have piped.
    pub fn write_stdin(&self, text: &str) {
        let mut child = self.child();
        let stdin = child.stdin.as_mut().expect("standard input is piped");
        stdin.write_all(text.as_bytes()).and_then(|()| stdin.flush()).expect("write to standard input");
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let child = self.child.get_mut().unwrap_or_else(|e| e.into_inner());
        let _ = child.kill();
        let _ = child.wait();
        if std::thread::panicking() {
            eprintln!("--- $ {} ---\n{}", self.what, self.output());
        }
    }
}

// ---------------------------------------------------------------------------
// openssl s_server
// ---------------------------------------------------------------------------

/// A running `openssl s_server` (a [`Proc`]: killed on drop, its output
/// shown by [`OpensslServer::log`] and printed if the test panics).
pub struct OpensslServer {
    proc: Proc,
    /// The loopback port it listens on.
    pub port: u16,
    /// The command line, for failure messages.
    pub args: String,
}

impl OpensslServer {
    /// Starts `openssl s_server -tls1_3` with the `cert` identity and `extra`
    /// arguments on a free loopback port, and waits (at most 5 s) until it
    /// listens. It prints `ACCEPT` once its socket is listening; waiting for
    /// that instead of probing with a connection keeps `-naccept 1` usable.
    pub fn start(cert: CertKind, extra: &[&str]) -> Self {
        Self::start_cert(cert, &[&["-tls1_3"][..], extra].concat())
    }

    /// Starts `openssl s_server -tls1_2` with the `cert` identity and `extra`
    /// arguments, as [`OpensslServer::start`] does for TLS 1.3.
    pub fn start_tls12(cert: CertKind, extra: &[&str]) -> Self {
        Self::start_cert(cert, &[&["-tls1_2"][..], extra].concat())
    }

    /// Starts `openssl s_server` with the `cert` identity and then exactly
    /// `args` (no version option: TLS 1.3 and 1.2 unless `args` says).
    pub fn start_cert(cert: CertKind, args: &[&str]) -> Self {
        let (cert_path, key_path) = (cert.cert_path().display().to_string(), cert.key_path().display().to_string());
        Self::start_args(&[&["-cert", cert_path.as_str(), "-key", key_path.as_str()][..], args].concat())
    }

    /// Starts `openssl s_server -accept 127.0.0.1:PORT <args>` on a free
    /// loopback port with exactly `args` (no certificate is added, so
    /// `-nocert -psk ...` servers work), and waits (at most 5 s) until it
    /// prints `ACCEPT`.
    pub fn start_args(args: &[&str]) -> Self {
        Self::start_args_env(args, &[])
    }

    /// As [`OpensslServer::start_args`], with the environment variables
    /// `env` set (e.g. `OPENSSL_CONF`, read once at startup).
    pub fn start_args_env(args: &[&str], env: &[(&str, &Path)]) -> Self {
        let mut last_log = String::new();
        for _attempt in 0..3 {
            let port = free_port();
            match Self::spawn_listening(None, &format!("127.0.0.1:{port}"), args, env) {
                Ok(proc) => return OpensslServer { args: proc.what.clone(), proc, port },
                Err(log) => last_log = log,
            }
        }
        panic!("openssl s_server failed to start three times; last attempt: {last_log}");
    }

    /// `openssl s_server -accept HOST:PORT <args>` inside the network
    /// namespace `netns` (which the caller made, so the port is free there),
    /// waiting (at most 5 s) until it prints `ACCEPT`.
    pub fn start_in_netns(netns: &str, host: &str, port: u16, args: &[&str]) -> Self {
        match Self::spawn_listening(Some(netns), &format!("{host}:{port}"), args, &[]) {
            Ok(proc) => OpensslServer { args: proc.what.clone(), proc, port },
            Err(log) => panic!("openssl s_server did not start in {netns}: {log}"),
        }
    }

    /// Spawns s_server on `accept` and waits for `ACCEPT`; the log of an
    /// attempt whose server exited (e.g. the port was taken meanwhile).
    fn spawn_listening(
        netns: Option<&str>,
        accept: &str,
        args: &[&str],
        env: &[(&str, &Path)],
    ) -> Result<Proc, String> {
        let proc = Proc::spawn(
            command_in(netns, "openssl")
                .args(["s_server", "-accept", accept])
                .args(args)
                .envs(env.iter().copied())
                .stdin(Stdio::piped()),
        );
        if proc.wait_for(Duration::from_secs(5), |log| log.contains("ACCEPT")) {
            return Ok(proc);
        }
        match proc.exit_status() {
            Some(status) => Err(format!("{} exited with {status}:\n{}", proc.what, proc.output())),
            None => panic!("{} did not start listening within 5 s; output:\n{}", proc.what, proc.output()),
        }
    }

    /// Everything the server printed so far.
    pub fn log(&self) -> String {
        self.proc.output()
    }

    /// A TCP connection to the server with bounded read/write timeouts.
    pub fn connect(&self) -> TcpStream {
        let tcp = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to s_server");
        tcp.set_read_timeout(Some(TIMEOUT)).expect("set_read_timeout");
        tcp.set_write_timeout(Some(TIMEOUT)).expect("set_write_timeout");
        tcp.set_nodelay(true).expect("set_nodelay");
        tcp
    }

    /// Waits (bounded) for the server process to exit by itself, e.g. after
    /// `-naccept 1`; returns whether it did.
    pub fn wait_exit(&mut self, within: Duration) -> bool {
        self.proc.wait_exit(within)
    }

    /// Writes `text` to the server's standard input. In its default mode (no
    /// `-www` or `-rev`) s_server sends what it reads there to the client, and
    /// an `R` line read on its own makes it renegotiate (TLS 1.2: it sends a
    /// HelloRequest and logs `SSL_do_handshake -> 1`): wait for that before
    /// writing more, or both arrive in one read and are sent as data.
    pub fn send_stdin(&mut self, text: &str) {
        self.proc.write_stdin(text);
    }

    /// Waits (at most `within`) until the server's output contains `needle`;
    /// returns whether it did.
    pub fn wait_log(&self, needle: &str, within: Duration) -> bool {
        self.proc.wait_for(within, |log| log.contains(needle))
    }
}

// ---------------------------------------------------------------------------
// rustls server over an in-memory transport
// ---------------------------------------------------------------------------

fn rustls_suite(s: CipherSuite) -> rustls::SupportedCipherSuite {
    use rustls::crypto::ring::cipher_suite as cs;
    match s {
        CipherSuite::Tls13Aes128GcmSha256 => cs::TLS13_AES_128_GCM_SHA256,
        CipherSuite::Tls13Aes256GcmSha384 => cs::TLS13_AES_256_GCM_SHA384,
        CipherSuite::Tls13Chacha20Poly1305Sha256 => cs::TLS13_CHACHA20_POLY1305_SHA256,
        CipherSuite::EcdheEcdsaWithAes128GcmSha256 => cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::EcdheEcdsaWithAes256GcmSha384 => cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite::EcdheEcdsaWithChacha20Poly1305Sha256 => cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite::EcdheRsaWithAes128GcmSha256 => cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::EcdheRsaWithAes256GcmSha384 => cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        CipherSuite::EcdheRsaWithChacha20Poly1305Sha256 => cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        other => panic!("no rustls suite for {other}"),
    }
}

fn rustls_group(g: NamedGroup) -> &'static dyn rustls::crypto::SupportedKxGroup {
    use rustls::crypto::ring::kx_group as kx;
    match g {
        NamedGroup::X25519 => kx::X25519,
        NamedGroup::Secp256r1 => kx::SECP256R1,
        other => panic!("no rustls group for {other}"),
    }
}

/// A TLS 1.3-only rustls server configuration restricted to `suites` and
/// `groups` (empty = all of ours), with the `cert` identity.
pub fn rustls_config(cert: CertKind, suites: &[CipherSuite], groups: &[NamedGroup]) -> rustls::ServerConfig {
    let all: Vec<CipherSuite> = SUITES.iter().map(|s| s.0).collect();
    rustls_config_for(&rustls::version::TLS13, cert, if suites.is_empty() { &all } else { suites }, groups)
}

/// The TLS 1.2 ECDHE suites for a certificate kind.
pub fn tls12_suites(cert: CertKind) -> [CipherSuite; 3] {
    match cert {
        CertKind::Ecdsa => [
            CipherSuite::EcdheEcdsaWithAes128GcmSha256,
            CipherSuite::EcdheEcdsaWithAes256GcmSha384,
            CipherSuite::EcdheEcdsaWithChacha20Poly1305Sha256,
        ],
        CertKind::Rsa => [
            CipherSuite::EcdheRsaWithAes128GcmSha256,
            CipherSuite::EcdheRsaWithAes256GcmSha384,
            CipherSuite::EcdheRsaWithChacha20Poly1305Sha256,
        ],
    }
}

/// A TLS 1.2-only rustls server configuration with `suites` (empty = the
/// three of `cert`'s kind) and `groups` (empty = both of ours).
pub fn rustls_config_tls12(cert: CertKind, suites: &[CipherSuite], groups: &[NamedGroup]) -> rustls::ServerConfig {
    let all = tls12_suites(cert);
    rustls_config_for(&rustls::version::TLS12, cert, if suites.is_empty() { &all } else { suites }, groups)
}

fn rustls_config_for(
    version: &'static rustls::SupportedProtocolVersion,
    cert: CertKind,
    suites: &[CipherSuite],
    groups: &[NamedGroup],
) -> rustls::ServerConfig {
    let mut provider = rustls::crypto::ring::default_provider();
    let groups: Vec<NamedGroup> =
        if groups.is_empty() { GROUPS.iter().map(|g| g.0).collect() } else { groups.to_vec() };
    provider.cipher_suites = suites.iter().copied().map(rustls_suite).collect();
    provider.kx_groups = groups.into_iter().map(rustls_group).collect();
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(cert.cert_path()).expect("cert PEM").collect::<Result<_, _>>().expect("cert PEM");
    let key = PrivateKeyDer::from_pem_file(cert.key_path()).expect("key PEM");
    rustls::ServerConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&[version])
        .expect("these suites fit the version")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server identity")
}

/// Rewrites one server→client record (header included) before the client
/// sees it; the `usize` counts records from 0. Emptying the vector drops it.
pub type Tamper = Box<dyn FnMut(usize, &mut Vec<u8>)>;

/// Our [`Client`] (with crypto provider `P`) and a rustls
/// [`rustls::ServerConnection`] joined by two in-memory byte queues.
pub struct MemPeer<'a, P: CryptoProvider = TestProvider> {
    /// The engine under test.
    pub client: Client<'a, Rng, Vec<u8>, Vec<u8>, P>,
    /// The rustls server.
    pub server: rustls::ServerConnection,
    /// Server bytes not yet given to the client.
    pub to_client: VecDeque<u8>,
    /// Applied to every server record before it is queued for the client.
    pub tamper: Option<Tamper>,
    /// Server records queued so far.
    pub records_to_client: usize,
    /// Client records given to the server so far.
    pub records_to_server: usize,
    /// Largest number of bytes handed to the client per `received` call.
    pub chunk: usize,
    /// The first error rustls reported (e.g. on our alert).
    pub server_error: Option<rustls::Error>,
    /// `Event::SessionTicket`s seen by [`MemPeer::next_event`].
    pub tickets: usize,
    /// Application data the server received, not yet taken by [`MemPeer::server_read`].
    pub server_plain: Vec<u8>,
    /// An error from the server's plaintext reader (e.g. EOF without close_notify).
    pub server_read_error: Option<std::io::Error>,
    /// Server bytes written so far, for splitting into records.
    raw: Vec<u8>,
}

impl<'a> MemPeer<'a> {
    /// A client for "localhost" with 16 709-byte buffers, and a server.
    pub fn new(config: &'a ClientConfig<'a>, server: rustls::ServerConfig) -> Self {
        Self::with_buffers(config, server, MAX_RECORD, MAX_RECORD)
    }

    /// As [`MemPeer::new`] with client buffers of `rx` and `tx` bytes.
    pub fn with_buffers(config: &'a ClientConfig<'a>, server: rustls::ServerConfig, rx: usize, tx: usize) -> Self {
        let client = Client::new(options(config, ServerName::parse("localhost")), rng(), vec![0; rx], vec![0; tx])
            .expect("Client::new");
        MemPeer::with_client(client, server)
    }
}

impl<'a, P: CryptoProvider> MemPeer<'a, P> {
    /// `client` (made by the caller, e.g. with another crypto provider) and a server.
    pub fn with_client(client: Client<'a, Rng, Vec<u8>, Vec<u8>, P>, server: rustls::ServerConfig) -> Self {
        let server = rustls::ServerConnection::new(Arc::new(server)).expect("ServerConnection::new");
        MemPeer {
            client,
            server,
            to_client: VecDeque::new(),
            tamper: None,
            records_to_client: 0,
            records_to_server: 0,
            chunk: usize::MAX,
            server_error: None,
            tickets: 0,
            server_plain: Vec::new(),
            server_read_error: None,
            raw: Vec::new(),
        }
    }

    /// Gives everything the client queued to the server, record by record,
    /// and collects the application data it yields.
    pub fn client_to_server(&mut self) {
        loop {
            let out = self.client.outgoing();
            if out.len() < 5 {
                break;
            }
            // One whole record. rustls may take it in several reads; the
            // length is read once, from the record's header (reading it again
            // after a partial read took ciphertext for a header, and a tail
            // under 5 bytes was left unsent: the server then saw no data).
            let len = out.len().min(5 + u16::from_be_bytes([out[3], out[4]]) as usize);
            let mut taken = 0;
            while taken < len {
                let mut rd = &self.client.outgoing()[..len - taken];
                let n = self.server.read_tls(&mut rd).expect("server read_tls");
                assert!(n > 0, "rustls took none of a {len}-byte record");
                self.client.sent(n);
                taken += n;
                self.server_process();
            }
            self.records_to_server += 1;
        }
        self.server_process();
    }

    fn server_process(&mut self) {
        if let Err(e) = self.server.process_new_packets() {
            self.server_error.get_or_insert(e);
        }
        let mut buf = [0u8; 4096];
        loop {
            match self.server.reader().read(&mut buf) {
                Ok(0) => break,
                Ok(n) => self.server_plain.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => {
                    self.server_read_error.get_or_insert(e);
                    break;
                }
            }
        }
    }

    /// Queues everything the server wants to send, record by record
    /// through the tamper hook.
    pub fn server_to_client(&mut self) {
        while self.server.wants_write() {
            self.server.write_tls(&mut self.raw).expect("server write_tls");
        }
        loop {
            if self.raw.len() < 5 {
                break;
            }
            let len = 5 + u16::from_be_bytes([self.raw[3], self.raw[4]]) as usize;
            if self.raw.len() < len {
                break;
            }
            let mut rec: Vec<u8> = self.raw.drain(..len).collect();
            if let Some(t) = self.tamper.as_mut() {
                t(self.records_to_client, &mut rec);
            }
            self.records_to_client += 1;
            self.to_client.extend(rec);
        }
    }

    /// Both directions.
    pub fn pump(&mut self) {
        self.client_to_server();
        self.server_to_client();
    }

    /// Moves up to `max` queued server bytes into the client's receive buffer;
    /// returns how many.
    pub fn deliver(&mut self, max: usize) -> usize {
        let buf = self.client.receive_buffer();
        let n = max.min(buf.len()).min(self.to_client.len());
        for (dst, src) in buf[..n].iter_mut().zip(self.to_client.drain(..n)) {
            *dst = src;
        }
        if n > 0 {
            self.client.received(n);
        }
        n
    }

    /// Runs both sides until the client reports something other than
    /// `NeedData`; returns `NeedData` only when no bytes are in flight.
    /// On an error the client's alert stays in `client.outgoing()`.
    pub fn next_event(&mut self) -> Result<Event<'a>, Error> {
        loop {
            self.pump();
            match self.client.process()? {
                Event::NeedData => {
                    // What the client just queued may make the server answer.
                    self.pump();
                    if self.to_client.is_empty() {
                        return Ok(Event::NeedData);
                    }
                    self.deliver(self.chunk);
                }
                Event::SessionTicket => {
                    self.tickets += 1;
                    return Ok(Event::SessionTicket);
                }
                ev => return Ok(ev),
            }
        }
    }

    /// Runs until the handshake completes (and the client's Finished has
    /// reached the server), or returns the client's error.
    /// A TLS 1.2 NewSessionTicket comes before the server's Finished: its
    /// `Event::SessionTicket` is counted in `tickets` and passed over.
    pub fn try_handshake(&mut self) -> Result<HandshakeSummary<'a>, Error> {
        loop {
            match self.next_event()? {
                Event::HandshakeComplete(s) => {
                    self.client_to_server();
                    return Ok(s);
                }
                Event::SessionTicket => {}
                Event::NeedData => panic!("handshake stalled; server error: {:?}", self.server_error),
                other => panic!("unexpected event during the handshake: {other:?}"),
            }
        }
    }

    /// Runs the handshake, panicking on failure.
    pub fn handshake(&mut self) -> HandshakeSummary<'a> {
        self.try_handshake().unwrap_or_else(|e| panic!("handshake failed: {e} (server error: {:?})", self.server_error))
    }

    /// Reads application data from the server until `n` bytes arrived.
    pub fn client_read(&mut self, n: usize) -> Vec<u8> {
        let mut got = Vec::with_capacity(n);
        let mut buf = [0u8; 4096];
        while got.len() < n {
            let k = self.client.read(&mut buf);
            if k > 0 {
                got.extend_from_slice(&buf[..k]);
                continue;
            }
            match self.next_event() {
                Ok(Event::ApplicationData(_) | Event::SessionTicket) => {}
                Ok(Event::NeedData) => panic!("stalled after {} of {n} bytes", got.len()),
                Ok(other) => panic!("unexpected event while reading: {other:?}"),
                Err(e) => panic!("client error while reading: {e}"),
            }
        }
        got
    }

    /// Writes all of `data` through the client and hands it to the server.
    pub fn client_write(&mut self, data: &[u8]) {
        let mut off = 0;
        while off < data.len() {
            off += self.client.write(&data[off..]).expect("client write");
            self.client_to_server();
        }
    }

    /// Application data the server has received since the last call.
    pub fn server_read(&mut self) -> Vec<u8> {
        self.pump();
        std::mem::take(&mut self.server_plain)
    }

    /// Queues application data at the server.
    pub fn server_write(&mut self, data: &[u8]) {
        let mut off = 0;
        while off < data.len() {
            // rustls limits its send buffer: write what fits, then drain it.
            let n = self.server.writer().write(&data[off..]).expect("server write");
            self.server_to_client();
            assert!(n > 0, "server write stuck at {off} of {} bytes", data.len());
            off += n;
        }
        self.server_to_client();
    }
}

// ---------------------------------------------------------------------------
// Additions for the PSK and resumption tests
// ---------------------------------------------------------------------------

/// The engine error inside an `io::Error` from [`embertls::TlsStream`], if any.
pub fn tls_error(e: &std::io::Error) -> Option<&Error> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<Error>())
}

impl<'a> MemPeer<'a> {
    /// As [`MemPeer::new`], with a client that offers `ticket` for resumption
    /// (`Client::new` with `ConnectOptions::resuming`, for "localhost" at time `now`).
    pub fn resuming(
        config: &'a ClientConfig<'a>,
        server: rustls::ServerConfig,
        now: Option<embertls::UnixTime>,
        ticket: embertls::SessionTicket<'a>,
    ) -> Self {
        let mut peer = Self::new(config, server);
        // Nothing was exchanged yet: replace the fresh client by a resuming one.
        peer.client = Client::new(
            options(config, ServerName::parse("localhost")).now(now).resuming(ticket),
            rng(),
            vec![0; MAX_RECORD],
            vec![0; MAX_RECORD],
        )
        .expect("Client::new, resuming");
        peer
    }

    /// Drives both sides to the end (issue 15 item 5, the events of each
    /// handshake kind): after the handshake the server sends 5 bytes, then
    /// close_notify. Returns every event the client reported, in order, as
    /// [`event_name`] writes them (`NeedData` left out), and the newest
    /// session it offered.
    pub fn event_sequence(&mut self) -> (Vec<String>, Option<Vec<u8>>) {
        let (mut seen, mut session, mut step) = (Vec::new(), None, 0);
        loop {
            let ev = self.next_event().unwrap_or_else(|e| panic!("after {seen:?}: {e}"));
            if ev != Event::NeedData {
                seen.push(event_name(&ev));
            }
            match ev {
                Event::HandshakeComplete(_) => self.client_to_server(),
                Event::SessionTicket => {
                    let mut buf = vec![0u8; self.client.session_ticket_max_len()];
                    let n = self.client.session_ticket(&mut buf).expect("session_ticket");
                    session = Some(buf[..n].to_vec());
                }
                Event::ApplicationData(n) => assert_eq!(self.client.read(&mut vec![0u8; n]), n),
                Event::PeerClosed => return (seen, session),
                Event::NeedData => {
                    match step {
                        0 => self.server_write(b"hello"),
                        1 => {
                            self.server.send_close_notify();
                            self.server_to_client();
                        }
                        _ => panic!("stalled after {seen:?}"),
                    }
                    step += 1;
                }
                other => panic!("unexpected event after {seen:?}: {other:?}"),
            }
        }
    }

    /// Runs both sides until nothing is in flight and returns the newest
    /// serialized session ticket the client announced (`None` if none).
    pub fn take_tickets(&mut self) -> Option<Vec<u8>> {
        let mut newest = None;
        loop {
            match self.next_event() {
                Ok(Event::SessionTicket) => {
                    let mut buf = vec![0u8; 70_000];
                    let n = self.client.session_ticket(&mut buf).expect("Client::session_ticket");
                    buf.truncate(n);
                    newest = Some(buf);
                }
                Ok(Event::NeedData) => return newest,
                Ok(Event::ApplicationData(_)) => {}
                Ok(other) => panic!("unexpected event while collecting tickets: {other:?}"),
                Err(e) => panic!("client error while collecting tickets: {e}"),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Additions for the client-certificate tests
// ---------------------------------------------------------------------------

/// As [`rustls_config`] (all suites and groups), with a server that requires
/// a client certificate issued by the CA in `vectors/peer/<client_ca>`.
/// With `ca_hints` false the CertificateRequest carries no
/// certificate_authorities extension (rustls sends one by default).
pub fn rustls_client_auth_config(cert: CertKind, client_ca: &str, ca_hints: bool) -> rustls::ServerConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for ca in CertificateDer::pem_file_iter(peer_file(client_ca)).expect("client CA PEM") {
        roots.add(ca.expect("client CA PEM")).expect("client CA certificate");
    }
    let mut builder = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
    if !ca_hints {
        builder = builder.clear_root_hint_subjects();
    }
    let verifier = builder.build().expect("client verifier");
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(cert.cert_path()).expect("cert PEM").collect::<Result<_, _>>().expect("cert PEM");
    let key = PrivateKeyDer::from_pem_file(cert.key_path()).expect("key PEM");
    rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("TLS 1.3")
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .expect("server identity")
}

// ---------------------------------------------------------------------------
// Additions for the real-peer X.509 tests and the example-tool tests
// ---------------------------------------------------------------------------

/// A file of `vectors/x509/`.
pub fn x509_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors/x509").join(name)
}

static LOG_SEQ: AtomicUsize = AtomicUsize::new(0);

/// A temporary file, removed on drop.
pub struct TempFile(pub PathBuf);

impl TempFile {
    /// A new temporary file holding `bytes`; `tag` goes into its name.
    pub fn with_contents(tag: &str, bytes: &[u8]) -> Self {
        // The module path too: tests/suite_ring.rs holds several copies
        // of this module, each with its own counter, in one process.
        let path = std::env::temp_dir().join(format!(
            "embertls-{tag}-{}-{}-{}",
            std::process::id(),
            module_path!().replace("::", "."),
            LOG_SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        TempFile(path)
    }

    /// The concatenation of `files` (e.g. PEM certificates into one chain file).
    pub fn concat(tag: &str, files: &[PathBuf]) -> Self {
        let mut all = Vec::new();
        for f in files {
            all.extend(std::fs::read(f).unwrap_or_else(|e| panic!("read {}: {e}", f.display())));
        }
        Self::with_contents(tag, &all)
    }

    /// The path as a string, for command lines.
    pub fn arg(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl OpensslServer {
    /// `openssl s_server -tls1_3 -www` presenting `vectors/x509/<leaf>.pem`
    /// with `vectors/x509/keys/<key>.key` and, after it, the certificates
    /// `vectors/x509/<name>.pem` of `chain` in exactly this order (duplicates
    /// and unrelated certificates included: s_server sends its `-cert_chain`
    /// file as it is).
    pub fn start_x509(leaf: &str, key: &str, chain: &[&str]) -> Self {
        let leaf = x509_file(&format!("{leaf}.pem")).display().to_string();
        let key = x509_file(&format!("keys/{key}.key")).display().to_string();
        let mut args = vec!["-tls1_3", "-www", "-cert", &leaf, "-key", &key];
        let chain_file = (!chain.is_empty()).then(|| {
            let files: Vec<PathBuf> = chain.iter().map(|n| x509_file(&format!("{n}.pem"))).collect();
            TempFile::concat("chain.pem", &files)
        });
        let chain_arg = chain_file.as_ref().map(TempFile::arg).unwrap_or_default();
        if chain_file.is_some() {
            args.extend(["-cert_chain", chain_arg.as_str()]);
        }
        // s_server reads the chain file at startup, so it can go once it listens.
        Self::start_args(&args)
    }
}

/// The `cargo` arguments that select the features and profile this test
/// binary was built with, so that a nested `cargo build --example` reuses the
/// built library and dependencies instead of rebuilding them.
pub fn cargo_feature_args() -> Vec<String> {
    let mut features = Vec::new();
    if cfg!(feature = "std") {
        features.push("std");
    }
    if cfg!(feature = "alloc") {
        features.push("alloc");
    }
    if cfg!(feature = "ec-tables") {
        features.push("ec-tables");
    }
    if cfg!(feature = "embedded-io") {
        features.push("embedded-io");
    }
    if cfg!(feature = "embedded-io-async") {
        features.push("embedded-io-async");
    }
    if cfg!(feature = "psl") {
        features.push("psl");
    }
    if cfg!(feature = "webpki-roots") {
        features.push("webpki-roots");
    }
    if cfg!(feature = "ring") {
        features.push("ring");
    }
    let mut args = vec!["--no-default-features".to_string(), "--features".to_string(), features.join(",")];
    // The profile `cargo test` builds with, so its dependencies are reused as they are.
    args.push(if cfg!(debug_assertions) { "--profile=test" } else { "--release" }.into());
    args
}

/// What a finished example process printed.
#[derive(Debug)]
pub struct ExampleRun {
    /// Exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Builds the example `name` once per test binary (`cargo build --example`,
/// with this test's features, waiting at most `within`) and returns the path
/// of its executable, which cargo reports in its JSON messages.
pub fn example_binary(name: &str, within: Duration) -> PathBuf {
    static BUILT: std::sync::Mutex<Vec<(String, PathBuf)>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, path)) = built.iter().find(|(n, _)| n == name) {
        return path.clone();
    }
    let out = TempFile::with_contents(&format!("{name}-build-stdout"), b"");
    let err = TempFile::with_contents(&format!("{name}-build-stderr"), b"");
    let mut cmd = Command::new(env!("CARGO"));
    // Variables cargo sets for running tests: build scripts that watch them
    // (ring watches CARGO_MANIFEST_DIR) would otherwise be rebuilt here and
    // again by the next plain cargo command.
    for (key, _) in std::env::vars_os() {
        let k = key.to_string_lossy();
        if k.starts_with("CARGO_PKG_")
            || k.starts_with("CARGO_MANIFEST_")
            || ["CARGO_CRATE_NAME", "CARGO_BIN_NAME", "CARGO_PRIMARY_PACKAGE", "CARGO_TARGET_TMPDIR", "OUT_DIR"]
                .contains(&k.as_ref())
        {
            cmd.env_remove(&key);
        }
    }
    let mut child = cmd
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["build", "--quiet", "--message-format=json", "--example", name])
        .args(cargo_feature_args())
        .stdin(Stdio::null())
        .stdout(File::create(&out.0).expect("stdout file"))
        .stderr(File::create(&err.0).expect("stderr file"))
        .spawn()
        .expect("spawn cargo build");
    let status = wait_bounded(&mut child, within, &format!("cargo build --example {name}"), &err.0);
    let json = std::fs::read_to_string(&out.0).unwrap_or_default();
    assert!(
        status.success(),
        "cargo build --example {name} failed:\n{}",
        std::fs::read_to_string(&err.0).unwrap_or_default()
    );
    // One compiler-artifact line per target; ours has `"name":"<name>"` and an `"executable":"<path>"`.
    let exe = json
        .lines()
        .filter(|l| l.contains("compiler-artifact") && l.contains(&format!("\"name\":\"{name}\"")))
        .find_map(|l| {
            let start = l.find("\"executable\":\"")? + "\"executable\":\"".len();
            let end = start + l[start..].find('"')?;
            Some(PathBuf::from(&l[start..end]))
        })
        .unwrap_or_else(|| panic!("no executable for example {name} in cargo's output:\n{json}"));
    built.push((name.to_string(), exe.clone()));
    exe
}

fn wait_bounded(child: &mut Child, within: Duration, what: &str, stderr: &std::path::Path) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().expect("wait for child") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`{what}` did not finish within {within:?}; stderr:\n{}",
                std::fs::read_to_string(stderr).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Runs the example `name` with `args` (built once by [`example_binary`];
/// the build may take up to `within`, the run itself at most 60 s) and
/// returns its exit code and output.
pub fn run_example(name: &str, args: &[&str], within: Duration) -> ExampleRun {
    let exe = example_binary(name, within);
    let out = TempFile::with_contents(&format!("{name}-stdout"), b"");
    let err = TempFile::with_contents(&format!("{name}-stderr"), b"");
    let mut child = Command::new(&exe)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(File::create(&out.0).expect("stdout file"))
        .stderr(File::create(&err.0).expect("stderr file"))
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {}: {e}", exe.display()));
    let status =
        wait_bounded(&mut child, Duration::from_secs(60), &format!("example {name} {}", args.join(" ")), &err.0);
    ExampleRun {
        code: status.code(),
        stdout: std::fs::read_to_string(&out.0).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err.0).unwrap_or_default(),
    }
}
