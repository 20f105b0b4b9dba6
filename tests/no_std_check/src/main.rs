//! no_std proof for embertls (issue 7, part 2).
//!
//! A `#![no_std]` + `#![no_main]` host binary that links embertls built with
//! `default-features = false` (no `std`, no `alloc`), links only libc (for
//! `write` and `abort`), brings its own panic handler and a counting bump
//! allocator, and runs TLS 1.3 handshakes over an in-memory transport:
//!
//! 1. psk_dhe_ke (external PSK + X25519) against a scripted server built only
//!    from embertls' public hazmat modules (`msgs`, `codec`, `crypto`,
//!    `key_schedule`, `record`): the server checks the PSK identity and
//!    verifies the binder (RFC 8446 §4.2.11.2), answers ServerHello +
//!    {EncryptedExtensions, Finished}, verifies the client's Finished, then
//!    one application-data message each way and close_notify both ways;
//! 2. the client holds the wrong PSK key: the server refuses the binder with
//!    decrypt_error and the client reports `Error::PskRefused`;
//! 3. the client holds an unknown PSK identity: unknown_psk_identity, and
//!    again `Error::PskRefused`.
//!
//! The allocator counts allocations; the library must make none (a self-test
//! first proves the counter sees allocations at all). Exit status 0 and the
//! line "no_std handshake ok" mean everything held; anything else prints the
//! reason and exits non-zero.
//!
//! `unsafe` is confined to this check crate (libc calls, the allocator);
//! the library itself is `#![forbid(unsafe_code)]`.

#![no_std]
#![no_main]

// Only for the allocator self-test: embertls itself is built without `alloc`.
extern crate alloc;

use core::alloc::{GlobalAlloc, Layout};
use core::cell::{Cell, UnsafeCell};
use core::convert::Infallible;
use core::fmt::{self, Write as _};

use embertls::codec::{DecodeError, Reader, WriteError, Writer};
use embertls::crypto::{AeadAlg, HashAlg, KeyShare, RustCrypto, Transcript};
use embertls::key_schedule::{finished_verify_data, psk_binder, EarlySecret, TrafficKeys};
use embertls::msgs::client_hello::{ClientHello, PSK_DHE_KE};
use embertls::msgs::enums::{ContentType, ExtensionType, HandshakeType};
use embertls::msgs::extensions::write_extension;
use embertls::msgs::handshake::{write_handshake, HandshakeMessage};
use embertls::record::{Header, Protection, HEADER_LEN};
use embertls::{
    AlertDescription, CipherSuite, Client, ClientConfig, Error, Event, ExternalPsk, NamedGroup, ProtocolVersion,
    ServerName, ServerVerification, Trust,
};
use rand_core::{TryCryptoRng, TryRng};

// ---------------------------------------------------------------------------
// libc, output, panics
// ---------------------------------------------------------------------------

#[link(name = "c")]
extern "C" {
    fn write(fd: i32, buf: *const u8, count: usize) -> isize;
    fn abort() -> !;
}

/// A file descriptor as a `core::fmt::Write` sink (no buffering, no heap).
struct Fd(i32);

impl fmt::Write for Fd {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut b = s.as_bytes();
        while !b.is_empty() {
            // SAFETY: `b` is a valid, initialized slice for the duration of the call.
            let n = unsafe { write(self.0, b.as_ptr(), b.len()) };
            if n <= 0 {
                return Err(fmt::Error);
            }
            b = &b[n as usize..];
        }
        Ok(())
    }
}

macro_rules! say {
    ($($t:tt)*) => {{ let _ = writeln!(Fd(1), $($t)*); }};
}

macro_rules! complain {
    ($($t:tt)*) => {{ let _ = writeln!(Fd(2), $($t)*); }};
}

/// The precompiled `liballoc` of the host target is built with unwinding
/// and refers to the personality routine even though this binary uses
/// panic=abort (the allocator self-test links `alloc`); the `eh_personality`
/// lang item is unstable, so an empty symbol satisfies the linker. It is
/// never called: nothing unwinds.
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    complain!("no_std check FAILED: panic: {info}");
    // SAFETY: abort() never returns and has no preconditions.
    unsafe { abort() }
}

// ---------------------------------------------------------------------------
// A counting bump allocator over a static array (single-threaded program)
// ---------------------------------------------------------------------------

const HEAP_SIZE: usize = 16 * 1024;

struct BumpAlloc {
    heap: UnsafeCell<[u8; HEAP_SIZE]>,
    next: Cell<usize>,
    allocs: Cell<usize>,
    bytes: Cell<usize>,
}

// SAFETY: the program has one thread (a C `main`, no thread is ever spawned).
unsafe impl Sync for BumpAlloc {}

unsafe impl GlobalAlloc for BumpAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.allocs.set(self.allocs.get() + 1);
        self.bytes.set(self.bytes.get() + layout.size());
        let base = self.heap.get() as *mut u8 as usize;
        let start = (base + self.next.get() + layout.align() - 1) & !(layout.align() - 1);
        let end = start + layout.size();
        if end > base + HEAP_SIZE {
            return core::ptr::null_mut();
        }
        self.next.set(end - base);
        start as *mut u8
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
}

#[global_allocator]
static HEAP: BumpAlloc =
    BumpAlloc { heap: UnsafeCell::new([0; HEAP_SIZE]), next: Cell::new(0), allocs: Cell::new(0), bytes: Cell::new(0) };

// ---------------------------------------------------------------------------
// A deterministic counter RNG (splitmix64 over a counter). NOT secure: it
// only makes the check reproducible.
// ---------------------------------------------------------------------------

struct CounterRng(u64);

impl CounterRng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

impl TryRng for CounterRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.next() as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}

impl TryCryptoRng for CounterRng {}

// ---------------------------------------------------------------------------
// Failures
// ---------------------------------------------------------------------------

enum Fail {
    /// A check of the scripted server or of the scenario did not hold.
    Check(&'static str),
    /// The client returned an error.
    Client(Error),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Client(e)
    }
}

impl From<DecodeError> for Fail {
    fn from(e: DecodeError) -> Self {
        Fail::Check(e.0)
    }
}

impl From<WriteError> for Fail {
    fn from(_: WriteError) -> Self {
        Fail::Check("a server message did not fit its buffer")
    }
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fail::Check(what) => write!(f, "check failed: {what}"),
            Fail::Client(e) => write!(f, "client error: {e} ({e:?})"),
        }
    }
}

fn ensure(ok: bool, what: &'static str) -> Result<(), Fail> {
    if ok {
        Ok(())
    } else {
        Err(Fail::Check(what))
    }
}

// ---------------------------------------------------------------------------
// In-memory transport
// ---------------------------------------------------------------------------

/// One direction of the wire: a byte queue.
struct Pipe {
    buf: [u8; 8192],
    len: usize,
}

impl Pipe {
    const fn new() -> Self {
        Pipe { buf: [0; 8192], len: 0 }
    }

    fn push(&mut self, data: &[u8]) -> Result<(), Fail> {
        let end = self.len + data.len();
        ensure(end <= self.buf.len(), "the in-memory pipe is full")?;
        self.buf[self.len..end].copy_from_slice(data);
        self.len = end;
        Ok(())
    }

    fn consume(&mut self, n: usize) {
        self.buf.copy_within(n..self.len, 0);
        self.len -= n;
    }

    /// Takes the next whole record into `out`; returns (type, record length).
    fn take_record(&mut self, out: &mut [u8]) -> Result<(ContentType, usize), Fail> {
        let header = match Header::parse(&self.buf[..self.len]) {
            Some(Ok(h)) => h,
            Some(Err(_)) => return Err(Fail::Check("the client sent a malformed record header")),
            None => return Err(Fail::Check("expected a record from the client, got nothing")),
        };
        let n = HEADER_LEN + header.len;
        ensure(n <= self.len, "the client sent a partial record")?;
        ensure(n <= out.len(), "a client record is larger than the server's buffer")?;
        out[..n].copy_from_slice(&self.buf[..n]);
        self.consume(n);
        Ok((header.typ, n))
    }
}

/// Bytes the transport hands the client per read: small, so records and
/// handshake messages arrive split across reads.
const READ_CHUNK: usize = 97;

/// Moves everything the client queued onto the wire.
fn client_flush<R: rand_core::CryptoRng>(client: &mut Client<'_, R, &mut [u8]>, wire: &mut Pipe) -> Result<(), Fail> {
    let out = client.outgoing();
    let n = out.len();
    wire.push(out)?;
    client.sent(n);
    Ok(())
}

/// Runs the client until it has an event other than NeedData, feeding it
/// from `wire` in small reads; NeedData once the wire is empty.
fn client_next<'a, R: rand_core::CryptoRng>(
    client: &mut Client<'a, R, &mut [u8]>,
    wire: &mut Pipe,
) -> Result<Event<'a>, Error> {
    loop {
        match client.process()? {
            Event::NeedData => {
                if wire.len == 0 {
                    return Ok(Event::NeedData);
                }
                let space = client.receive_buffer();
                let n = space.len().min(wire.len).min(READ_CHUNK);
                if n == 0 {
                    return Err(Error::Api("receive buffer full although process() wants data"));
                }
                space[..n].copy_from_slice(&wire.buf[..n]);
                wire.consume(n);
                client.received(n);
            }
            ev => return Ok(ev),
        }
    }
}

// ---------------------------------------------------------------------------
// The scripted server
// ---------------------------------------------------------------------------

const IDENTITY: &[u8] = b"no-std-device-17";
const KEY: [u8; 32] = [
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x0f, 0x1e, 0x2d,
    0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0,
];
const SUITE: CipherSuite = CipherSuite::Tls13Aes128GcmSha256;
const HASH: HashAlg = HashAlg::Sha256;
const AEAD: AeadAlg = AeadAlg::Aes128Gcm;

const CLIENT_MESSAGE: &[u8] = b"ping from a no_std client";
const SERVER_MESSAGE: &[u8] = b"pong from the scripted server";

/// Writes one handshake message into `buf` and returns its length.
fn message(
    buf: &mut [u8],
    typ: HandshakeType,
    body: impl FnOnce(&mut Writer<'_>) -> Result<(), WriteError>,
) -> Result<usize, Fail> {
    let mut w = Writer::new(buf);
    write_handshake(&mut w, typ, body)?;
    Ok(w.len())
}

/// A plaintext record of `typ` around `body`, onto the wire.
fn send_plain(wire: &mut Pipe, typ: ContentType, body: &[u8]) -> Result<(), Fail> {
    let mut header = [0u8; HEADER_LEN];
    Header::write(typ, body.len(), &mut header);
    wire.push(&header)?;
    wire.push(body)
}

/// A protected record of inner type `typ` around `plain`, onto the wire.
fn send_sealed(wire: &mut Pipe, prot: &mut Protection<RustCrypto>, typ: ContentType, plain: &[u8]) -> Result<(), Fail> {
    let mut rec = [0u8; 1024];
    ensure(HEADER_LEN + plain.len() + 17 <= rec.len(), "server record too large")?;
    rec[HEADER_LEN..HEADER_LEN + plain.len()].copy_from_slice(plain);
    let n = prot.seal(&mut RustCrypto, typ, &mut rec, plain.len()).map_err(Fail::Client)?;
    wire.push(&rec[..n])
}

/// The next protected client record (change_cipher_spec skipped), opened in
/// `buf`; returns (inner type, plaintext range).
fn open_client_record(
    wire: &mut Pipe,
    prot: &mut Protection<RustCrypto>,
    buf: &mut [u8],
) -> Result<(ContentType, core::ops::Range<usize>), Fail> {
    loop {
        let (typ, n) = wire.take_record(buf)?;
        match typ {
            ContentType::ChangeCipherSpec => {
                ensure(n == HEADER_LEN + 1 && buf[HEADER_LEN] == 1, "bad change_cipher_spec from the client")?;
            }
            ContentType::ApplicationData => {
                let (inner, len) = prot
                    .open(&mut RustCrypto, &mut buf[..n])
                    .map_err(|_| Fail::Check("a client record did not authenticate"))?;
                return Ok((inner, HEADER_LEN..HEADER_LEN + len));
            }
            _ => return Err(Fail::Check("expected a protected record from the client")),
        }
    }
}

/// What the server knows once the handshake is over.
struct ServerSession {
    /// Seals server records (server_application_traffic_secret_0).
    write: Protection<RustCrypto>,
    /// Opens client records (client_application_traffic_secret_0).
    read: Protection<RustCrypto>,
}

/// The server's verdict on a ClientHello.
#[allow(clippy::large_enum_variant)] // lives on the stack once per scenario
enum Verdict {
    /// A handshake completed (the client's Finished was verified).
    Accepted(ServerSession),
    /// The server refused the PSK with this alert.
    Refused(AlertDescription),
}

/// The parts of the client's pre_shared_key extension a server needs.
struct OfferedPsk<'a> {
    identity: &'a [u8],
    binder: &'a [u8],
    /// Bytes the binders list takes at the end of the ClientHello.
    binders_len: usize,
}

fn offered_psk(data: &[u8]) -> Result<OfferedPsk<'_>, Fail> {
    let mut r = Reader::new(data);
    let mut ids = Reader::new(r.vec16("PreSharedKeyExtension.identities")?);
    let identity = ids.vec16("PskIdentity.identity")?;
    let _obfuscated_age = ids.u32("PskIdentity.obfuscated_ticket_age")?;
    ensure(ids.is_empty(), "the client offered more than one PSK identity")?;
    let binders_body = r.vec16("PreSharedKeyExtension.binders")?;
    r.finish("pre_shared_key (trailing bytes)")?;
    let mut b = Reader::new(binders_body);
    let binder = b.vec8("PskBinderEntry")?;
    b.finish("binders (more than one)")?;
    Ok(OfferedPsk { identity, binder, binders_len: 2 + binders_body.len() })
}

/// The client's X25519 public key from key_share.
fn client_x25519(data: &[u8]) -> Result<&[u8], Fail> {
    let mut r = Reader::new(data);
    let mut shares = Reader::new(r.vec16("KeyShareClientHello.client_shares")?);
    while !shares.is_empty() {
        let group = shares.u16("KeyShareEntry.group")?;
        let key = shares.vec16("KeyShareEntry.key_exchange")?;
        if group == NamedGroup::X25519.to_wire() {
            return Ok(key);
        }
    }
    Err(Fail::Check("the client sent no X25519 key share"))
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The server side of one connection: reads the ClientHello from `c2s`,
/// answers on `s2c`, and (when it accepts) lets the client consume the
/// server flight, then verifies the client's Finished.
fn serve<'a, R: rand_core::CryptoRng>(
    client: &mut Client<'a, R, &mut [u8]>,
    c2s: &mut Pipe,
    s2c: &mut Pipe,
    rng: &mut CounterRng,
) -> Result<(Verdict, Option<Event<'a>>), Fail> {
    // --- ClientHello ---
    let mut rec = [0u8; 2048];
    let ch_len = loop {
        let (typ, n) = c2s.take_record(&mut rec)?;
        match typ {
            ContentType::ChangeCipherSpec => continue,
            ContentType::Handshake => break n,
            _ => return Err(Fail::Check("the client's first record is not a handshake record")),
        }
    };
    let ch_msg = &rec[HEADER_LEN..ch_len];
    let hs = HandshakeMessage::decode(ch_msg)?;
    ensure(hs.typ == HandshakeType::ClientHello, "the first message is not a ClientHello")?;
    let hello = ClientHello::decode(hs.body).map_err(|_| Fail::Check("the ClientHello does not parse"))?;
    ensure(hello.cipher_suites.iter().any(|s| s == SUITE.to_wire()), "TLS_AES_128_GCM_SHA256 not offered")?;
    let exts = hello.extensions;
    let versions = exts.get(ExtensionType::SupportedVersions.to_wire()).ok_or(Fail::Check("no supported_versions"))?;
    ensure(
        versions
            .get(1..)
            .is_some_and(|v| v.chunks_exact(2).any(|c| c == ProtocolVersion::Tls13.to_wire().to_be_bytes())),
        "TLS 1.3 not offered",
    )?;
    let modes =
        exts.get(ExtensionType::PskKeyExchangeModes.to_wire()).ok_or(Fail::Check("no psk_key_exchange_modes"))?;
    ensure(modes.get(1..).is_some_and(|m| m.contains(&PSK_DHE_KE)), "psk_dhe_ke not offered")?;
    let client_pub = client_x25519(exts.get(ExtensionType::KeyShare.to_wire()).ok_or(Fail::Check("no key_share"))?)?;
    // §4.2.11: pre_shared_key must be the last extension.
    let last = exts.iter().last().map(|(t, _)| t);
    ensure(last == Some(ExtensionType::PreSharedKey.to_wire()), "pre_shared_key is not the last extension")?;
    let psk = offered_psk(exts.get(ExtensionType::PreSharedKey.to_wire()).ok_or(Fail::Check("no pre_shared_key"))?)?;

    // --- PSK identity and binder (§4.2.11.2) ---
    if psk.identity != IDENTITY {
        send_plain(s2c, ContentType::Alert, &[2, AlertDescription::UnknownPskIdentity.to_wire()])?;
        return Ok((Verdict::Refused(AlertDescription::UnknownPskIdentity), None));
    }
    let truncated = &ch_msg[..ch_msg.len() - psk.binders_len];
    let expected = psk_binder(&mut RustCrypto, HASH, &KEY, false, &HASH.hash(&mut RustCrypto, truncated));
    if !ct_eq(psk.binder, expected.as_bytes()) {
        send_plain(s2c, ContentType::Alert, &[2, AlertDescription::DecryptError.to_wire()])?;
        return Ok((Verdict::Refused(AlertDescription::DecryptError), None));
    }

    // --- ServerHello ---
    let mut transcript = Transcript::new(&mut RustCrypto, HASH);
    transcript.update(&mut RustCrypto, ch_msg);
    let share = KeyShare::generate(&mut RustCrypto, NamedGroup::X25519, rng)
        .map_err(|_| Fail::Check("server X25519 key generation"))?;
    let pk = share.public();
    let pk_len = pk.len();
    let shared =
        share.agree(&mut RustCrypto, client_pub).ok_or(Fail::Check("X25519 agreement with the client's share"))?;
    let mut random = [0u8; 32];
    let _ = rng.try_fill_bytes(&mut random);
    let mut sh = [0u8; 256];
    let sh_len = message(&mut sh, HandshakeType::ServerHello, |w| {
        w.u16(ProtocolVersion::Tls12.to_wire())?;
        w.bytes(&random)?;
        w.vec(1, hello.session_id)?;
        w.u16(SUITE.to_wire())?;
        w.u8(0)?;
        let m = w.begin(2)?;
        write_extension(w, ExtensionType::SupportedVersions.to_wire(), |w| w.u16(ProtocolVersion::Tls13.to_wire()))?;
        write_extension(w, ExtensionType::KeyShare.to_wire(), |w| {
            w.u16(NamedGroup::X25519.to_wire())?;
            w.vec(2, &pk[..pk_len])
        })?;
        write_extension(w, ExtensionType::PreSharedKey.to_wire(), |w| w.u16(0))?; // selected_identity 0
        w.end(m)
    })?;
    let sh = &sh[..sh_len];
    transcript.update(&mut RustCrypto, sh);

    // --- Handshake keys ---
    let hs_secret =
        EarlySecret::new(&mut RustCrypto, HASH, Some(&KEY)).into_handshake(&mut RustCrypto, Some(shared.as_bytes()));
    let hello_hash = transcript.current(&mut RustCrypto);
    let server_hs = hs_secret.server_traffic_secret(&mut RustCrypto, &hello_hash);
    let client_hs = hs_secret.client_traffic_secret(&mut RustCrypto, &hello_hash);
    let mut server_hs_write = Protection::new(TrafficKeys::derive(&mut RustCrypto, HASH, AEAD, &server_hs));
    let mut client_hs_read = Protection::new(TrafficKeys::derive(&mut RustCrypto, HASH, AEAD, &client_hs));

    // --- {EncryptedExtensions, Finished} in one protected record ---
    let mut flight = [0u8; 256];
    let ee_len = message(&mut flight, HandshakeType::EncryptedExtensions, |w| w.vec(2, &[]))?;
    transcript.update(&mut RustCrypto, &flight[..ee_len]);
    let verify = finished_verify_data(&mut RustCrypto, HASH, &server_hs, &transcript.current(&mut RustCrypto));
    let fin_len = message(&mut flight[ee_len..], HandshakeType::Finished, |w| w.bytes(verify.as_bytes()))?;
    transcript.update(&mut RustCrypto, &flight[ee_len..ee_len + fin_len]);
    let server_finished_hash = transcript.current(&mut RustCrypto);

    send_plain(s2c, ContentType::Handshake, sh)?;
    send_plain(s2c, ContentType::ChangeCipherSpec, &[1])?; // middlebox compatibility (App. D.4)
    send_sealed(s2c, &mut server_hs_write, ContentType::Handshake, &flight[..ee_len + fin_len])?;

    // --- The client consumes the flight and answers with its Finished ---
    let ev = client_next(client, s2c)?;
    ensure(matches!(ev, Event::HandshakeComplete(_)), "the client did not complete the handshake")?;
    client_flush(client, c2s)?;
    let (typ, range) = open_client_record(c2s, &mut client_hs_read, &mut rec)?;
    ensure(typ == ContentType::Handshake, "the client's Finished is not a handshake record")?;
    let expected = finished_verify_data(&mut RustCrypto, HASH, &client_hs, &server_finished_hash);
    let mut fin = [0u8; 64];
    let fin_len = message(&mut fin, HandshakeType::Finished, |w| w.bytes(expected.as_bytes()))?;
    ensure(ct_eq(&rec[range], &fin[..fin_len]), "the client's Finished does not verify")?;
    ensure(c2s.len == 0, "the client sent more than its Finished")?;

    // --- Application keys (over ClientHello..server Finished) ---
    let master = hs_secret.into_master(&mut RustCrypto);
    let write = Protection::new(TrafficKeys::derive(
        &mut RustCrypto,
        HASH,
        AEAD,
        &master.server_traffic_secret(&mut RustCrypto, &server_finished_hash),
    ));
    let read = Protection::new(TrafficKeys::derive(
        &mut RustCrypto,
        HASH,
        AEAD,
        &master.client_traffic_secret(&mut RustCrypto, &server_finished_hash),
    ));
    Ok((Verdict::Accepted(ServerSession { write, read }), Some(ev)))
}

// ---------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------

const RX_LEN: usize = 4096;
const TX_LEN: usize = 4096;

type TheClient<'a, 'b> = Client<'a, CounterRng, &'b mut [u8]>;

/// The full handshake, data both ways and close_notify both ways.
fn scenario_ok() -> Result<(), Fail> {
    let psk = ExternalPsk::new(IDENTITY, &KEY)?;
    let config = ClientConfig::new(ServerVerification::danger_accept_any()).with_psk(&psk);
    let mut rx = [0u8; RX_LEN];
    let mut tx = [0u8; TX_LEN];
    let (mut c2s, mut s2c) = (Pipe::new(), Pipe::new());
    let mut server_rng = CounterRng(0x5e5e_5e5e);
    let mut client: TheClient<'_, '_> = Client::new(
        embertls::ConnectOptions::new(&config, ServerName::Dns("device.local")),
        CounterRng(1),
        &mut rx[..],
        &mut tx[..],
    )?;
    client_flush(&mut client, &mut c2s)?;

    let (verdict, ev) = serve(&mut client, &mut c2s, &mut s2c, &mut server_rng)?;
    let mut session = match verdict {
        Verdict::Accepted(s) => s,
        Verdict::Refused(a) => {
            complain!("  server refused the PSK with {a}");
            return Err(Fail::Check("the server refused the correct PSK"));
        }
    };
    let Some(Event::HandshakeComplete(summary)) = ev else {
        return Err(Fail::Check("no HandshakeComplete"));
    };
    say!(
        "  handshake: {} {} group={:?} trust={:?} resumed={} hello_retry={}",
        summary.version,
        summary.cipher_suite,
        summary.group,
        summary.trust,
        summary.resumed,
        summary.hello_retry
    );
    ensure(summary.version == ProtocolVersion::Tls13, "version is not TLS 1.3")?;
    ensure(summary.cipher_suite == SUITE, "unexpected cipher suite")?;
    ensure(summary.group == Some(NamedGroup::X25519), "not psk_dhe_ke with X25519")?;
    ensure(summary.trust == Trust::PreSharedKey, "trust is not PreSharedKey")?;
    ensure(summary.is_verified() && !summary.resumed && !summary.hello_retry, "unexpected summary flags")?;
    ensure(client.is_handshake_complete(), "is_handshake_complete() is false")?;

    // Client -> server.
    let n = client.write(CLIENT_MESSAGE)?;
    ensure(n == CLIENT_MESSAGE.len(), "client write() took a short count")?;
    client_flush(&mut client, &mut c2s)?;
    let mut rec = [0u8; 1024];
    let (typ, range) = open_client_record(&mut c2s, &mut session.read, &mut rec)?;
    ensure(typ == ContentType::ApplicationData && &rec[range] == CLIENT_MESSAGE, "server got wrong client data")?;
    say!("  client -> server: {:?}", core::str::from_utf8(CLIENT_MESSAGE).unwrap_or("?"));

    // Server -> client.
    send_sealed(&mut s2c, &mut session.write, ContentType::ApplicationData, SERVER_MESSAGE)?;
    let mut got = [0u8; 64];
    let mut got_len = 0;
    while got_len < SERVER_MESSAGE.len() {
        match client_next(&mut client, &mut s2c)? {
            Event::ApplicationData(_) => got_len += client.read(&mut got[got_len..]),
            Event::NeedData => return Err(Fail::Check("the client wants data but the server's message was sent")),
            _ => return Err(Fail::Check("unexpected client event while reading application data")),
        }
    }
    ensure(&got[..got_len] == SERVER_MESSAGE, "client got wrong server data")?;
    say!("  server -> client: {:?}", core::str::from_utf8(&got[..got_len]).unwrap_or("?"));

    // close_notify both ways (RFC 8446 §6.1).
    client.close();
    client_flush(&mut client, &mut c2s)?;
    let (typ, range) = open_client_record(&mut c2s, &mut session.read, &mut rec)?;
    ensure(typ == ContentType::Alert && rec[range] == [1, 0], "the client's close_notify is wrong")?;
    send_sealed(&mut s2c, &mut session.write, ContentType::Alert, &[1, AlertDescription::CloseNotify.to_wire()])?;
    ensure(matches!(client_next(&mut client, &mut s2c)?, Event::PeerClosed), "the client did not see close_notify")?;
    ensure(client.write(b"x") == Err(Error::Closed), "write() after close() is not Error::Closed")?;
    say!("  close_notify both ways");
    Ok(())
}

/// The client offers `psk`; the server must refuse with `alert` and the
/// client must report `Error::PskRefused { alert: Some(alert) }`.
fn scenario_refused(psk: &ExternalPsk, alert: AlertDescription) -> Result<(), Fail> {
    let config = ClientConfig::new(ServerVerification::danger_accept_any()).with_psk(psk);
    let mut rx = [0u8; RX_LEN];
    let mut tx = [0u8; TX_LEN];
    let (mut c2s, mut s2c) = (Pipe::new(), Pipe::new());
    let mut server_rng = CounterRng(0x5e5e_5e5e);
    let mut client: TheClient<'_, '_> = Client::new(
        embertls::ConnectOptions::new(&config, ServerName::Dns("device.local")),
        CounterRng(2),
        &mut rx[..],
        &mut tx[..],
    )?;
    client_flush(&mut client, &mut c2s)?;
    match serve(&mut client, &mut c2s, &mut s2c, &mut server_rng)? {
        (Verdict::Refused(a), _) if a == alert => say!("  server refused the PSK: {a}"),
        (Verdict::Refused(_), _) => return Err(Fail::Check("the server refused with another alert")),
        (Verdict::Accepted(_), _) => return Err(Fail::Check("the server accepted a wrong PSK")),
    }
    match client_next(&mut client, &mut s2c) {
        Err(e @ Error::PskRefused { alert: Some(a) }) if a == alert => {
            say!("  client: {e}");
            // The connection stays dead and queues nothing in answer to an alert.
            ensure(client.process() == Err(e.clone()), "process() after the error differs")?;
            ensure(client.outgoing().is_empty(), "the client queued something after a fatal alert")?;
            Ok(())
        }
        Err(e) => Err(Fail::Client(e)),
        Ok(_) => Err(Fail::Check("the client did not fail on the server's alert")),
    }
}

fn check_allocator_counts() -> Result<(), Fail> {
    let before = HEAP.allocs.get();
    let b = alloc::boxed::Box::new([7u8; 32]);
    ensure(b[31] == 7 && HEAP.allocs.get() == before + 1, "the counting allocator does not count")?;
    Ok(())
}

fn run() -> Result<(), Fail> {
    check_allocator_counts()?;
    let baseline = HEAP.allocs.get();
    say!(
        "size_of::<Client<CounterRng, &mut [u8]>>() = {} bytes; buffers rx {} + tx {} bytes",
        core::mem::size_of::<TheClient<'static, 'static>>(),
        RX_LEN,
        TX_LEN
    );
    say!(
        "size_of::<ClientConfig>() = {} bytes; size_of::<ExternalPsk>() = {} bytes",
        core::mem::size_of::<ClientConfig<'static>>(),
        core::mem::size_of::<ExternalPsk>()
    );

    say!("scenario 1: psk_dhe_ke (external PSK, X25519) handshake, data both ways, close_notify");
    scenario_ok()?;

    say!("scenario 2: wrong PSK key on the client (expected refusal)");
    let mut wrong = KEY;
    wrong[31] ^= 1;
    scenario_refused(&ExternalPsk::new(IDENTITY, &wrong)?, AlertDescription::DecryptError)?;

    say!("scenario 3: unknown PSK identity on the client (expected refusal)");
    scenario_refused(&ExternalPsk::new(b"someone-else", &KEY)?, AlertDescription::UnknownPskIdentity)?;

    let allocs = HEAP.allocs.get() - baseline;
    say!("heap allocations by embertls: {allocs}");
    ensure(allocs == 0, "embertls allocated on the heap although built without `alloc`")?;
    Ok(())
}

#[no_mangle]
pub extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
    match run() {
        Ok(()) => {
            say!("no_std handshake ok");
            0
        }
        Err(f) => {
            complain!("no_std check FAILED: {f}");
            1
        }
    }
}
