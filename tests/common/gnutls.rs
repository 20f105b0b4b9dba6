//! `gnutls-serv` (package gnutls-bin) as a real TLS 1.2 peer on loopback.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::process::{Command, Stdio};
use std::time::Duration;

use super::peer::{free_port, require, CertKind, Proc, TempFile};

/// A running `gnutls-serv --echo` (a [`Proc`]: killed on drop, its output
/// printed if the test panics). It listens on 0.0.0.0 and :: (it has no
/// address option) and answers each line with the same line;
/// `**REHANDSHAKE**` makes it send a HelloRequest.
pub struct GnutlsServer {
    proc: Proc,
    /// The port it listens on.
    pub port: u16,
    /// The command line, for failure messages.
    pub args: String,
    _files: Vec<TempFile>,
}

impl GnutlsServer {
    /// `gnutls-serv --echo -p PORT` plus `args` on a free port; waits (at
    /// most 5 s per attempt) for "listening on IPv4 ... done". A failed bind
    /// does not stop gnutls-serv ("bind() failed"), so it is killed and
    /// another port tried.
    pub fn start(args: &[&str]) -> Self {
        Self::start_with_files(args, Vec::new())
    }

    /// As [`GnutlsServer::start`], keeping `files` (named in `args`) for the
    /// server's lifetime.
    fn start_with_files(args: &[&str], files: Vec<TempFile>) -> Self {
        let bin = require("gnutls-serv", "gnutls-bin");
        let mut last = String::new();
        for _attempt in 0..3 {
            let port = free_port();
            let proc = Proc::spawn(
                Command::new(&bin).args(["--echo", "-p", &port.to_string()]).args(args).stdin(Stdio::null()),
            );
            let ready = format!("IPv4 0.0.0.0 port {port}...done");
            let failed = format!("IPv4 0.0.0.0 port {port}...bind() failed");
            proc.wait_for(Duration::from_secs(5), |log| log.contains(&ready) || log.contains(&failed));
            let text = proc.output();
            if text.contains(&ready) {
                return GnutlsServer { args: proc.what.clone(), proc, port, _files: files };
            }
            last = format!("{}:\n{text}", proc.what);
        }
        panic!("gnutls-serv did not start listening three times; last attempt: {last}");
    }

    /// `gnutls-serv` with the `cert` identity, the priority string
    /// `priority` and `extra` arguments (`-a`: no CertificateRequest; without
    /// it gnutls-serv asks for an optional client certificate).
    pub fn with_cert(cert: CertKind, priority: &str, extra: &[&str]) -> Self {
        let (c, k) = (cert.cert_path().display().to_string(), cert.key_path().display().to_string());
        let mut args = vec!["--x509certfile", &c, "--x509keyfile", &k, "--priority", priority];
        args.extend_from_slice(extra);
        Self::start(&args)
    }

    /// `gnutls-serv` with only the PSK `identity` / `key_hex` in its
    /// `--pskpasswd` file, the hint `hint`, and the priority string `priority`.
    pub fn with_psk(identity: &str, key_hex: &str, priority: &str, hint: &str) -> Self {
        let file = TempFile::with_contents("gnutls-psk", format!("{identity}:{key_hex}\n").as_bytes());
        let path = file.arg();
        Self::start_with_files(&["-a", "--pskpasswd", &path, "--pskhint", hint, "--priority", priority], vec![file])
    }

    /// Everything the server printed so far.
    pub fn log(&self) -> String {
        self.proc.output()
    }

    /// Waits (at most `within`) until the server's output contains `needle`;
    /// returns whether it did.
    pub fn wait_log(&self, needle: &str, within: Duration) -> bool {
        self.proc.wait_for(within, |log| log.contains(needle))
    }
}

/// The GnuTLS priority string for exactly one TLS 1.2 suite (key exchange
/// and cipher names) and, if given, one group.
pub fn gnutls_priority(kx: &str, cipher: &str, group: Option<&str>) -> String {
    let mut p = format!("NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+{kx}:-CIPHER-ALL:+{cipher}");
    if let Some(g) = group {
        p.push_str(&format!(":-GROUP-ALL:+GROUP-{g}"));
    }
    p
}
