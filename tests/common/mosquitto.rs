//! The Debian mosquitto broker (2.0, OpenSSL 3) with a TLS-PSK listener on
//! loopback (or, for tests/embassy_tap.rs, PSK and certificate listeners in
//! a network namespace), and the reference `mosquitto_sub` client.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::process::Stdio;
use std::time::Duration;

use super::peer::{command_in, free_port, require, CertKind, Proc, TempFile};

// The broker's psk_file: the identity and key of the client under test
// (PUB_*) and of the reference subscriber (SUB_*).
pub const PUB_ID: &str = "embertls-pub";
pub const PUB_KEY: &str = "00112233445566778899aabbccddeeff";
pub const SUB_ID: &str = "mosquitto-sub";
pub const SUB_KEY: &str = "ffeeddccbbaa99887766554433221100";
/// The Debian packages of the broker and of `mosquitto_sub`.
pub const MOSQUITTO: &str = "mosquitto mosquitto-clients";

/// A mosquitto broker with one TLS-PSK listener on a free loopback port
/// (or, from [`Broker::start_in_netns`], a PSK and a certificate listener
/// inside a network namespace); its `proc` output is the broker's log
/// (`log_type all`). The PSK identity becomes the user name, which is all
/// the authentication needed here.
pub struct Broker {
    /// The broker process.
    pub proc: Proc,
    /// The port of the TLS-PSK listener.
    pub port: u16,
    /// The port of the certificate listener (anonymous clients), if any.
    pub cert_port: Option<u16>,
    /// The address the listeners are bound to.
    pub host: String,
    /// The network namespace the broker runs in, if not this one.
    netns: Option<String>,
    /// `--tls-version` for [`Broker::subscribe`].
    tls_version: &'static str,
    _files: Vec<TempFile>,
}

/// The broker's psk_file: the client under test and the reference subscriber.
fn psk_file() -> TempFile {
    TempFile::with_contents("mosquitto-psk", format!("{PUB_ID}:{PUB_KEY}\n{SUB_ID}:{SUB_KEY}\n").as_bytes())
}

/// The settings after the listeners: log everything to stderr, stay root.
const LOGGING: &str = "log_dest stderr\nlog_type all\nuser root\n";

impl Broker {
    /// mosquitto's defaults: TLS 1.3 (and 1.2).
    pub fn start() -> Broker {
        Self::start_with("", "tlsv1.3", None)
    }

    /// TLS 1.2 only.
    ///
    /// mosquitto's `tls_version tlsv1.2` is a minimum: without more, a client
    /// offering TLS 1.3 gets TLS 1.3 (seen with s_client). So the broker also
    /// runs with `OPENSSL_CONF` pointing at a file whose system_default sets
    /// `MaxProtocol = TLSv1.2`: then s_client gets TLS 1.2 by default, and
    /// `mosquitto_pub --tls-version tlsv1.3` is refused with protocol_version.
    /// Checked with `mosquitto_pub/sub --tls-version tlsv1.2 --psk`; all four
    /// of our PSK suites connect (s_client -cipher each); OpenSSL's own client
    /// gets DHE-PSK-AES256-GCM-SHA384, which we do not offer.
    pub fn start_tls12() -> Broker {
        let openssl_conf = "openssl_conf = openssl_init\n\
                            [openssl_init]\n\
                            ssl_conf = ssl_sect\n\
                            [ssl_sect]\n\
                            system_default = system_default_sect\n\
                            [system_default_sect]\n\
                            MaxProtocol = TLSv1.2\n";
        Self::start_with("tls_version tlsv1.2\n", "tlsv1.2", Some(openssl_conf))
    }

    /// Inside the network namespace `netns` (made by the caller, so the ports
    /// are free there), on `host`: a TLS-PSK listener on `psk_port` as
    /// [`Broker::start`] has, and on `cert_port` a listener presenting the
    /// `cert` identity of `vectors/peer/` to anonymous clients (no client
    /// certificate, no PSK).
    pub fn start_in_netns(netns: &str, host: &str, psk_port: u16, cert_port: u16, cert: CertKind) -> Broker {
        let psk = psk_file();
        let conf = format!(
            "per_listener_settings true\n\
             listener {psk_port} {host}\n\
             psk_hint embertls-test\n\
             psk_file {}\n\
             use_identity_as_username true\n\
             allow_anonymous false\n\
             listener {cert_port} {host}\n\
             certfile {}\n\
             keyfile {}\n\
             allow_anonymous true\n\
             {LOGGING}",
            psk.arg(),
            cert.cert_path().display(),
            cert.key_path().display(),
        );
        match Self::launch(Some(netns), &conf, None, vec![psk]) {
            Ok((proc, files)) => Broker {
                proc,
                port: psk_port,
                cert_port: Some(cert_port),
                host: host.into(),
                netns: Some(netns.into()),
                tls_version: "tlsv1.3",
                _files: files,
            },
            Err(log) => panic!("mosquitto did not start in {netns}; output:\n{log}"),
        }
    }

    /// Starts the broker with `listener_extra` in its listener settings and,
    /// if given, `openssl_conf` as its `OPENSSL_CONF`; waits (at most 5 s) for
    /// its " running" line, three attempts on fresh ports.
    fn start_with(listener_extra: &str, tls_version: &'static str, openssl_conf: Option<&str>) -> Broker {
        let mut last = String::new();
        for _attempt in 0..3 {
            let port = free_port();
            let psk = psk_file();
            // psk_hint turns TLS-PSK on for the listener.
            let conf = format!(
                "per_listener_settings false\n\
                 listener {port} 127.0.0.1\n\
                 psk_hint embertls-test\n\
                 psk_file {}\n\
                 {listener_extra}\
                 use_identity_as_username true\n\
                 allow_anonymous false\n\
                 {LOGGING}",
                psk.arg()
            );
            match Self::launch(None, &conf, openssl_conf, vec![psk]) {
                Ok((proc, files)) => {
                    let host = "127.0.0.1".into();
                    return Broker { proc, port, cert_port: None, host, netns: None, tls_version, _files: files };
                }
                Err(log) => last = log,
            }
        }
        panic!("mosquitto did not start three times; last output:\n{last}");
    }

    /// Runs the broker with the configuration `conf` (and `OPENSSL_CONF`
    /// from `openssl_conf`) and waits (at most 5 s) for its " running" line;
    /// the broker and the files it reads, or its output.
    fn launch(
        netns: Option<&str>,
        conf: &str,
        openssl_conf: Option<&str>,
        mut files: Vec<TempFile>,
    ) -> Result<(Proc, Vec<TempFile>), String> {
        let bin = require("mosquitto", MOSQUITTO);
        require("mosquitto_sub", MOSQUITTO);
        let conf_file = TempFile::with_contents("mosquitto.conf", conf.as_bytes());
        let mut cmd = command_in(netns, &bin);
        cmd.args(["-c", &conf_file.arg()]).stdin(Stdio::null());
        files.push(conf_file);
        if let Some(text) = openssl_conf {
            let file = TempFile::with_contents("openssl.cnf", text.as_bytes());
            cmd.env("OPENSSL_CONF", &file.0);
            files.push(file);
        }
        let proc = Proc::spawn(&mut cmd);
        if proc.wait_for(Duration::from_secs(5), |log| log.contains(" running")) {
            Ok((proc, files))
        } else {
            Err(proc.output())
        }
    }

    /// `HOST:PORT` of the TLS-PSK listener.
    pub fn addr(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// `mosquitto_sub` with its own PSK, over the broker's TLS version,
    /// waiting for one message on `topic`; returns once the broker has
    /// acknowledged the subscription. Its standard output is the message.
    pub fn subscribe(&self, topic: &str) -> Proc {
        let port = self.port.to_string();
        let args = [
            "-h",
            &self.host,
            "-p",
            &port,
            "--psk",
            SUB_KEY,
            "--psk-identity",
            SUB_ID,
            "--tls-version",
            self.tls_version,
            "-t",
            topic,
            "-C",
            "1",
            "-W",
            "10",
        ];
        let sub = Proc::spawn_split(
            command_in(self.netns.as_deref(), require("mosquitto_sub", MOSQUITTO)).args(args).stdin(Stdio::null()),
        );
        assert!(
            self.proc.wait_for(Duration::from_secs(5), |log| log.contains("Sending SUBACK")),
            "the subscriber did not subscribe within 5 s\n$ {}\n{}\n{}",
            sub.what,
            sub.output(),
            self.proc.output()
        );
        sub
    }
}
