//! `defmt::Format` for the public types users print (feature `defmt`,
//! issue 17 item 4): every one implements it (checked at compile time), and
//! formatting them through a capturing global logger writes their contents.
//!
//! The trace itself goes to `log` when both features are on (as in
//! `cargo test --all-features`); CI builds the `defmt` trace with
//! `DEFMT_LOG=trace` (`.ci/run`), which a host test cannot link without a logger.
#![cfg(feature = "defmt")]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use embertls::x509::{Pin, Profile, Rule};
use embertls::{
    AlertDescription, CertError, CipherSuite, Error, Event, Flood, HandshakeSummary, Incompatibility, Misbehavior,
    NamedGroup, ProtocolVersion, PskMode, Received, ServerName, SignError, SignatureScheme, Trust, UnixTime,
};

fn is_format<T: defmt::Format + ?Sized>() {}

#[test]
fn public_types_implement_format() {
    is_format::<Error>();
    is_format::<CertError>();
    is_format::<Misbehavior>();
    is_format::<Incompatibility>();
    is_format::<Received>();
    is_format::<Flood>();
    is_format::<SignError>();
    is_format::<ProtocolVersion>();
    is_format::<CipherSuite>();
    is_format::<NamedGroup>();
    is_format::<SignatureScheme>();
    is_format::<AlertDescription>();
    is_format::<HandshakeSummary<'_>>();
    is_format::<Event<'_>>();
    is_format::<ServerName<'_>>();
    is_format::<Trust>();
    is_format::<UnixTime>();
    is_format::<PskMode>();
    is_format::<Pin>();
    is_format::<Profile>();
    is_format::<Rule>();
    #[cfg(feature = "alloc")]
    {
        is_format::<embertls::x509::CertId>();
        is_format::<embertls::pem::PemError>();
    }
    #[cfg(feature = "embedded-io")]
    is_format::<embertls::TlsIoError<u8>>();
}

/// The bytes of every defmt frame written in this test binary.
static FRAMES: Mutex<Vec<u8>> = Mutex::new(Vec::new());
/// Taken from `acquire` to `release`: one frame at a time.
static BUSY: AtomicBool = AtomicBool::new(false);

#[defmt::global_logger]
struct Capture;

// SAFETY: `defmt::Logger` is an unsafe trait (frames must not interleave,
// and `write` is only called between `acquire` and `release`): BUSY is held
// from acquire to release. A host test binary has no other way to receive
// defmt output.
unsafe impl defmt::Logger for Capture {
    fn acquire() {
        while BUSY.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
            std::thread::yield_now();
        }
    }
    unsafe fn flush() {}
    unsafe fn release() {
        BUSY.store(false, Ordering::Release);
    }
    unsafe fn write(bytes: &[u8]) {
        FRAMES.lock().unwrap().extend_from_slice(bytes);
    }
}

defmt::timestamp!("{=u8}", 0);

/// The frame that prints `value` (always from this one call site).
fn frame<T: defmt::Format>(value: T) -> Vec<u8> {
    FRAMES.lock().unwrap().clear();
    defmt::println!("{}", value);
    std::mem::take(&mut *FRAMES.lock().unwrap())
}

fn contains(haystack: &[u8], needle: impl AsRef<[u8]>) -> bool {
    let needle = needle.as_ref();
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Fields that are strings go over the wire as they are: the frames carry them.
#[test]
fn formatting_writes_the_contents() {
    let err = Error::Config("the receive buffer must be at least 512 bytes");
    let f = frame(err);
    assert!(contains(&f, "the receive buffer must be at least 512 bytes"), "{f:?}");

    let pin = Pin::Spki([0x5a; 32]);
    let f = frame(pin);
    assert!(contains(&f, pin.to_string()), "the pin's text form: {f:?}");

    let summary = HandshakeSummary {
        version: ProtocolVersion::Tls13,
        cipher_suite: CipherSuite::Tls13Aes128GcmSha256,
        group: Some(NamedGroup::X25519),
        alpn: Some(b"mqtt"),
        server_name: ServerName::Dns("broker.example"),
        trust: Trust::Verified,
        hello_retry: false,
        max_fragment: None,
        resumed: false,
    };
    let f = frame(Event::HandshakeComplete(summary));
    assert!(contains(&f, "broker.example") && contains(&f, "mqtt"), "{f:?}");
    // An IP address: two that differ in their last octet give frames that differ there only.
    let ip7 = frame(ServerName::parse("192.0.2.7"));
    let ip8 = frame(ServerName::parse("192.0.2.8"));
    let diff: Vec<_> = ip7.iter().zip(&ip8).filter(|(a, b)| a != b).collect();
    assert_eq!((ip7.len(), diff), (ip8.len(), vec![(&7, &8)]), "{ip7:?}");

    #[cfg(feature = "alloc")]
    {
        let e = Error::from(CertError::InvalidServerName { name: "a..b".into(), reason: "empty label" });
        let f = frame(e);
        assert!(contains(&f, "a..b") && contains(&f, "empty label"), "{f:?}");
        // Behind `CertRefusal`'s pointer, the pin of a refused leaf is written out too.
        let leaf = Pin::Spki([0x5b; 32]);
        let f = frame(Error::from(CertError::PinMismatch { leaf: Some(leaf), configured: 1 }));
        assert!(contains(&f, leaf.to_string()), "{f:?}");
    }
    // Unknown code points keep their value.
    let a = frame(CipherSuite::Unknown(0x1301 + 0x4000));
    assert!(contains(&a, 0x5301u16.to_le_bytes()), "{a:?}");
}
