//! Debugging hooks that cost nothing when their feature is off: the
//! handshake trace (features `log` and `defmt`: messages in and out, what
//! was negotiated, why a connection failed) and the key log hook
//! ([`key_log!`], feature `danger-keylog`).
//!
//! [`trace!`], [`debug!`] and [`warning!`] go to the `log` crate with feature
//! `log`, to `defmt` with feature `defmt` alone, and expand to nothing
//! without either (their arguments are type-checked in dead code, so no
//! code is generated). With both features on, `log` gets the trace: a host
//! build (and this crate's `--all-features` tests) has a `log` logger, while
//! `defmt` output needs a global logger a host test binary does not have.
//!
//! Format strings use only `{}` and `{:?}`, which both crates accept:
//! arguments implement `Display` (or `Debug`) and `defmt::Format`.
//!
//! Levels: `trace` for each handshake message and change_cipher_spec,
//! `debug` for what was negotiated, resumption, HelloRetryRequest, key
//! updates and alerts, `warn` for the error that ended a connection.

#[cfg(feature = "log")]
macro_rules! trace_at {
    ($level:ident, $($arg:tt)+) => { ::log::$level!($($arg)+) };
}

#[cfg(all(feature = "defmt", not(feature = "log")))]
macro_rules! trace_at {
    ($level:ident, $($arg:tt)+) => { ::defmt::$level!($($arg)+) };
}

#[cfg(not(any(feature = "log", feature = "defmt")))]
macro_rules! trace_at {
    ($level:ident, $fmt:literal $(, $arg:expr)* $(,)?) => {
        if false {
            $(let _ = &$arg;)*
        }
    };
}

/// One line per handshake message or change_cipher_spec.
macro_rules! trace {
    ($($arg:tt)+) => { $crate::trace::trace_at!(trace, $($arg)+) };
}

/// What was negotiated, resumption, HelloRetryRequest, key updates, alerts.
macro_rules! debug {
    ($($arg:tt)+) => { $crate::trace::trace_at!(debug, $($arg)+) };
}

/// The error that ended a connection (level `warn`).
macro_rules! warning {
    ($($arg:tt)+) => { $crate::trace::trace_at!(warn, $($arg)+) };
}

/// Traces the handshake messages (RFC 8446 §4: type, 24-bit length) in the
/// content of one outgoing record, before it is sealed.
#[cfg(any(feature = "log", feature = "defmt"))]
macro_rules! sent {
    ($typ:expr, $content:expr) => {
        $crate::trace::sent_record($typ, $content)
    };
}

#[cfg(not(any(feature = "log", feature = "defmt")))]
macro_rules! sent {
    ($typ:expr, $content:expr) => {
        if false {
            let _ = (&$typ, &$content);
        }
    };
}

/// Hands a secret to the configuration's key log (feature `danger-keylog`):
/// `key_log!(config, LABEL, client_random, secret)` with `LABEL` one of the
/// constants of [`crate::keylog`]. Without the feature it expands to
/// nothing, and its arguments are not even compiled.
#[cfg(feature = "danger-keylog")]
macro_rules! key_log {
    ($config:expr, $label:ident, $client_random:expr, $secret:expr) => {
        $config.log_secret($crate::keylog::$label, $client_random, $secret)
    };
}

#[cfg(not(feature = "danger-keylog"))]
macro_rules! key_log {
    ($($arg:tt)*) => {};
}

pub(crate) use {debug, key_log, sent, trace, trace_at, warning};

/// An ALPN protocol name for the trace: printable ASCII as is, `-` for none.
pub(crate) struct Alpn<'a>(pub Option<&'a [u8]>);

impl core::fmt::Display for Alpn<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0 {
            None => f.write_str("-"),
            Some(p) => p.iter().try_for_each(|&b| match b {
                0x20..=0x7e => core::fmt::Write::write_char(f, char::from(b)),
                _ => write!(f, "\\x{b:02x}"),
            }),
        }
    }
}

/// An optional value for the trace: the value, or `-` for none.
pub(crate) struct Opt<T>(pub Option<T>);

impl<T: core::fmt::Display> core::fmt::Display for Opt<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.0 {
            None => f.write_str("-"),
            Some(v) => v.fmt(f),
        }
    }
}

#[cfg(feature = "defmt")]
impl<T: defmt::Format> defmt::Format for Opt<T> {
    fn format(&self, f: defmt::Formatter<'_>) {
        match &self.0 {
            None => defmt::write!(f, "-"),
            Some(v) => defmt::write!(f, "{}", v),
        }
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Alpn<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self.0 {
            None => defmt::write!(f, "-"),
            Some(p) => defmt::write!(f, "{=[u8]:a}", p),
        }
    }
}

#[cfg(any(feature = "log", feature = "defmt"))]
pub(crate) use on::*;

#[cfg(any(feature = "log", feature = "defmt"))]
mod on {
    use crate::msgs::enums::{ContentType, HandshakeType};

    /// See the `sent!` macro. Alerts are traced where they are queued, and
    /// application data is not traced.
    #[inline(never)]
    pub(crate) fn sent_record(typ: ContentType, content: &[u8]) {
        match typ {
            ContentType::Handshake => {
                let mut rest = content;
                while let [t, a, b, c, ..] = *rest {
                    let len = usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c);
                    trace!("sent {} ({} bytes)", HandshakeType::from_wire(t), 4 + len);
                    rest = rest.get(4 + len..).unwrap_or(&[]);
                }
            }
            ContentType::ChangeCipherSpec => trace!("sent change_cipher_spec"),
            _ => {}
        }
    }
}
