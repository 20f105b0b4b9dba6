//! **DANGER, debugging only** (feature `danger-keylog`): a connection's
//! secrets in the NSS key log format (`SSLKEYLOGFILE`, RFC 9850), so that
//! Wireshark can decrypt a capture of it.
//!
//! Whoever reads these lines can decrypt the connections they name, and
//! with a TLS 1.2 master secret or a TLS 1.3 traffic secret also forge data
//! in them. Enable the feature in a development build only; a build without
//! it contains no key logging code, and a [`ClientConfig`](crate::ClientConfig) without
//! [`ClientConfig::danger_with_key_log`](crate::ClientConfig::danger_with_key_log) logs nothing.
//!
//! Each line is `<label> <client random, hex> <secret, hex>`; the client
//! random (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2) names the connection. Labels
//! logged: TLS 1.3 [`CLIENT_HANDSHAKE_TRAFFIC_SECRET`],
//! [`SERVER_HANDSHAKE_TRAFFIC_SECRET`], [`CLIENT_TRAFFIC_SECRET_0`],
//! [`SERVER_TRAFFIC_SECRET_0`] and [`EXPORTER_SECRET`] (RFC 8446 §7.1);
//! TLS 1.2 [`CLIENT_RANDOM`] with the master secret (RFC 5246 §8.1), for
//! full and resumed handshakes. The format has no label for the secrets
//! after a KeyUpdate: Wireshark derives them from the `_0` ones (RFC 8446
//! §7.2). No early data is sent, so there is no early traffic secret.
//!
//! ```
//! # #[cfg(feature = "std")] {
//! use embertls::keylog::KeyLogWriter;
//! use embertls::{ClientConfig, ServerVerification};
//!
//! // Lines go to the file SSLKEYLOGFILE names; nothing is logged if it is unset.
//! let key_log = KeyLogWriter::from_env().expect("SSLKEYLOGFILE cannot be opened");
//! let mut config = ClientConfig::new(ServerVerification::danger_accept_any());
//! if let Some(log) = &key_log {
//!     config = config.danger_with_key_log(log);
//! }
//! # }
//! ```
//!
//! On a device, implement [`KeyLog`] and print each [`KeyLogLine`] over a
//! debug channel (RTT, UART) into a file for Wireshark.

/// TLS 1.2: the 48-byte master secret (RFC 5246 §8.1).
pub const CLIENT_RANDOM: &str = "CLIENT_RANDOM";
/// TLS 1.3: client_handshake_traffic_secret (RFC 8446 §7.1).
pub const CLIENT_HANDSHAKE_TRAFFIC_SECRET: &str = "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
/// TLS 1.3: server_handshake_traffic_secret (RFC 8446 §7.1).
pub const SERVER_HANDSHAKE_TRAFFIC_SECRET: &str = "SERVER_HANDSHAKE_TRAFFIC_SECRET";
/// TLS 1.3: client_application_traffic_secret_0 (RFC 8446 §7.1).
pub const CLIENT_TRAFFIC_SECRET_0: &str = "CLIENT_TRAFFIC_SECRET_0";
/// TLS 1.3: server_application_traffic_secret_0 (RFC 8446 §7.1).
pub const SERVER_TRAFFIC_SECRET_0: &str = "SERVER_TRAFFIC_SECRET_0";
/// TLS 1.3: exporter_master_secret (RFC 8446 §7.1, §7.5).
pub const EXPORTER_SECRET: &str = "EXPORTER_SECRET";

/// Receives the secrets of every connection made under a configuration
/// given to [`ClientConfig::danger_with_key_log`](crate::ClientConfig::danger_with_key_log): **anyone who sees them
/// can decrypt those connections**.
pub trait KeyLog {
    /// One secret as it is derived: `label` is one of this module's
    /// constants, `client_random` the ClientHello.random naming the
    /// connection, `secret` the secret itself. Called from inside the
    /// handshake: keep it short, and do not fail it (there is no way to
    /// report an error from here).
    fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]);
}

/// One line of the key log, without its line end:
/// `<label> <client random, 64 hex digits> <secret, hex>`.
///
/// ```
/// use embertls::keylog::KeyLogLine;
/// let line = KeyLogLine { label: "CLIENT_RANDOM", client_random: &[0xab; 32], secret: &[1, 2] };
/// assert_eq!(line.to_string(), format!("CLIENT_RANDOM {} 0102", "ab".repeat(32)));
/// ```
#[derive(Clone, Copy)]
pub struct KeyLogLine<'a> {
    /// The label (one of this module's constants).
    pub label: &'a str,
    /// ClientHello.random.
    pub client_random: &'a [u8; 32],
    /// The secret.
    pub secret: &'a [u8],
}

impl core::fmt::Display for KeyLogLine<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.label)?;
        for bytes in [&self.client_random[..], self.secret] {
            f.write_str(" ")?;
            // Lower-case hex in constant time (these are secrets), 48 bytes at a time.
            let mut buf = [0u8; 96];
            for chunk in bytes.chunks(48) {
                let hex = base16ct::lower::encode_str(chunk, &mut buf).map_err(|_| core::fmt::Error)?;
                f.write_str(hex)?;
            }
            zeroize::Zeroize::zeroize(&mut buf);
        }
        Ok(())
    }
}

/// A [`KeyLog`] that appends each line to a writer, such as the file the
/// `SSLKEYLOGFILE` environment variable names (feature `std`). The first
/// write error is kept for [`KeyLogWriter::take_error`]; lines after it are
/// still tried.
#[cfg(feature = "std")]
pub struct KeyLogWriter<W> {
    inner: std::sync::Mutex<(W, Option<std::io::Error>)>,
}

#[cfg(feature = "std")]
impl KeyLogWriter<std::fs::File> {
    /// Appends to the file `SSLKEYLOGFILE` names (created if missing), as
    /// browsers, curl and OpenSSL-based tools do; `Ok(None)` if the variable
    /// is unset or empty.
    pub fn from_env() -> std::io::Result<Option<Self>> {
        match std::env::var_os("SSLKEYLOGFILE") {
            Some(path) if !path.is_empty() => {
                let file = std::fs::OpenOptions::new().append(true).create(true).open(path)?;
                Ok(Some(Self::new(file)))
            }
            _ => Ok(None),
        }
    }
}

#[cfg(feature = "std")]
impl<W: std::io::Write> KeyLogWriter<W> {
    /// Writes lines to `out`, flushing after each.
    pub fn new(out: W) -> Self {
        KeyLogWriter { inner: std::sync::Mutex::new((out, None)) }
    }

    /// The first write error since the last call, if any.
    pub fn take_error(&self) -> Option<std::io::Error> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).1.take()
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.inner.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner).0
    }
}

#[cfg(feature = "std")]
impl<W: std::io::Write> KeyLog for KeyLogWriter<W> {
    fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]) {
        let mut inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (out, error) = &mut *inner;
        let line = KeyLogLine { label, client_random, secret };
        let written = writeln!(out, "{line}").and_then(|()| out.flush());
        if let (Err(e), None) = (written, &error) {
            *error = Some(e);
        }
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    /// A writer that fails every write.
    struct Broken;

    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::StorageFull.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn writer_appends_one_line_per_secret() {
        let w = KeyLogWriter::new(Vec::new());
        w.log(CLIENT_RANDOM, &[0x0f; 32], &[0xa0; 48]);
        w.log(EXPORTER_SECRET, &[1; 32], &[0xff; 50]); // longer than one hex chunk
        let text = String::from_utf8(w.into_inner()).unwrap();
        let expected = format!(
            "CLIENT_RANDOM {} {}\nEXPORTER_SECRET {} {}\n",
            "0f".repeat(32),
            "a0".repeat(48),
            "01".repeat(32),
            "ff".repeat(50)
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn write_errors_are_kept() {
        let w = KeyLogWriter::new(Broken);
        assert!(w.take_error().is_none());
        w.log(CLIENT_RANDOM, &[0; 32], &[0; 48]);
        assert_eq!(w.take_error().map(|e| e.kind()), Some(std::io::ErrorKind::StorageFull));
        assert!(w.take_error().is_none(), "taken");
    }
}
