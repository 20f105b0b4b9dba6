//! The shared half of the no_std checks (issue 7 part 2, issue 17 item 1):
//! libc output, the panic handler, a counting bump allocator, a
//! deterministic RNG, an in-memory byte pipe and a scripted TLS 1.3 PSK
//! server built only from embertls' public hazmat modules (`msgs`, `codec`,
//! `crypto`, `key_schedule`, `record`). The binaries are `src/main.rs` (the
//! `Client` engine driven by hand) and `src/bin/async_psk.rs` (the no_std,
//! no-alloc example of `AsyncTlsStream` over embedded-io-async).
//!
//! `unsafe` is confined to this check crate (libc calls, the allocator);
//! the library itself is `#![forbid(unsafe_code)]`.

#![no_std]

// Only for the allocator self-test: embertls itself is built without `alloc`.
extern crate alloc;

use core::alloc::{GlobalAlloc, Layout};
use core::cell::{Cell, UnsafeCell};
use core::convert::Infallible;
use core::fmt;

use embertls::codec::{DecodeError, Reader, WriteError, Writer};
use embertls::crypto::{AeadAlg, Digest, HashAlg, KeyShare, RustCrypto, Secret, Transcript};
use embertls::key_schedule::{finished_verify_data, psk_binder, EarlySecret, HandshakeSecret, TrafficKeys};
use embertls::msgs::client_hello::{ClientHello, PSK_DHE_KE};
use embertls::msgs::enums::{ContentType, ExtensionType, HandshakeType};
use embertls::msgs::extensions::write_extension;
use embertls::msgs::handshake::{write_handshake, HandshakeMessage};
use embertls::record::{Header, Protection, HEADER_LEN};
use embertls::{AlertDescription, CipherSuite, Error, NamedGroup, ProtocolVersion};
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
pub struct Fd(pub i32);

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

#[macro_export]
macro_rules! say {
    ($($t:tt)*) => {{
        use core::fmt::Write as _;
        let _ = writeln!($crate::Fd(1), $($t)*);
    }};
}

#[macro_export]
macro_rules! complain {
    ($($t:tt)*) => {{
        use core::fmt::Write as _;
        let _ = writeln!($crate::Fd(2), $($t)*);
    }};
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

pub struct BumpAlloc {
    heap: UnsafeCell<[u8; HEAP_SIZE]>,
    next: Cell<usize>,
    /// Allocations so far.
    pub allocs: Cell<usize>,
    /// Bytes allocated so far.
    pub bytes: Cell<usize>,
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
pub static HEAP: BumpAlloc =
    BumpAlloc { heap: UnsafeCell::new([0; HEAP_SIZE]), next: Cell::new(0), allocs: Cell::new(0), bytes: Cell::new(0) };
// ---------------------------------------------------------------------------
// A deterministic counter RNG (splitmix64 over a counter). NOT secure: it
// only makes the check reproducible.
// ---------------------------------------------------------------------------

pub struct CounterRng(pub u64);

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

pub enum Fail {
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

pub fn ensure(ok: bool, what: &'static str) -> Result<(), Fail> {
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
pub struct Pipe {
    pub buf: [u8; 8192],
    pub len: usize,
}

impl Default for Pipe {
    fn default() -> Self {
        Self::new()
    }
}

impl Pipe {
    /// An empty pipe.
    pub const fn new() -> Self {
        Pipe { buf: [0; 8192], len: 0 }
    }

    pub fn push(&mut self, data: &[u8]) -> Result<(), Fail> {
        let end = self.len + data.len();
        ensure(end <= self.buf.len(), "the in-memory pipe is full")?;
        self.buf[self.len..end].copy_from_slice(data);
        self.len = end;
        Ok(())
    }

    pub fn consume(&mut self, n: usize) {
        self.buf.copy_within(n..self.len, 0);
        self.len -= n;
    }

    /// Takes the next whole record into `out`; returns (type, record length).
    pub fn take_record(&mut self, out: &mut [u8]) -> Result<(ContentType, usize), Fail> {
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
pub const READ_CHUNK: usize = 97;
// ---------------------------------------------------------------------------
// The scripted server
// ---------------------------------------------------------------------------

pub const IDENTITY: &[u8] = b"no-std-device-17";
pub const KEY: [u8; 32] = [
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x0f, 0x1e, 0x2d,
    0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0,
];
pub const SUITE: CipherSuite = CipherSuite::Tls13Aes128GcmSha256;
const HASH: HashAlg = HashAlg::Sha256;
const AEAD: AeadAlg = AeadAlg::Aes128Gcm;

pub const CLIENT_MESSAGE: &[u8] = b"ping from a no_std client";
pub const SERVER_MESSAGE: &[u8] = b"pong from the scripted server";

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
pub fn send_plain(wire: &mut Pipe, typ: ContentType, body: &[u8]) -> Result<(), Fail> {
    let mut header = [0u8; HEADER_LEN];
    Header::write(typ, body.len(), &mut header);
    wire.push(&header)?;
    wire.push(body)
}

/// A protected record of inner type `typ` around `plain`, onto the wire.
pub fn send_sealed(
    wire: &mut Pipe,
    prot: &mut Protection<RustCrypto>,
    typ: ContentType,
    plain: &[u8],
) -> Result<(), Fail> {
    let mut rec = [0u8; 1024];
    ensure(HEADER_LEN + plain.len() + 17 <= rec.len(), "server record too large")?;
    rec[HEADER_LEN..HEADER_LEN + plain.len()].copy_from_slice(plain);
    let n = prot.seal(&mut RustCrypto, typ, &mut rec, plain.len()).map_err(Fail::Client)?;
    wire.push(&rec[..n])
}

/// The next protected client record (change_cipher_spec skipped), opened in
/// `buf`; returns (inner type, plaintext range).
pub fn open_client_record(
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
pub struct ServerSession {
    /// Seals server records (server_application_traffic_secret_0).
    pub write: Protection<RustCrypto>,
    /// Opens client records (client_application_traffic_secret_0).
    pub read: Protection<RustCrypto>,
}

/// The server's answer to a ClientHello.
#[allow(clippy::large_enum_variant)] // lives on the stack once per scenario
pub enum Answer {
    /// ServerHello and {EncryptedExtensions, Finished} are on the wire; the
    /// client's Finished is next ([`verify_finished`]).
    Sent(AwaitingFinished),
    /// The server refused the PSK with this alert (also on the wire).
    Refused(AlertDescription),
}

/// What the server keeps between its flight and the client's Finished.
pub struct AwaitingFinished {
    handshake_secret: HandshakeSecret,
    client_handshake_secret: Secret,
    client_handshake_read: Protection<RustCrypto>,
    /// Transcript<RustCrypto> hash over ClientHello..server Finished.
    server_finished_hash: Digest,
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

/// The server's first half: reads the ClientHello from `c2s` (change_cipher_spec
/// skipped), checks the PSK identity and binder (RFC 8446 §4.2.11.2) and
/// answers on `s2c` with ServerHello and {EncryptedExtensions, Finished}
/// (psk_dhe_ke with X25519), or with an alert.
pub fn answer_hello(c2s: &mut Pipe, s2c: &mut Pipe, rng: &mut CounterRng) -> Result<Answer, Fail> {
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
        return Ok(Answer::Refused(AlertDescription::UnknownPskIdentity));
    }
    let truncated = &ch_msg[..ch_msg.len() - psk.binders_len];
    let expected = psk_binder(&mut RustCrypto, HASH, &KEY, false, &HASH.hash(&mut RustCrypto, truncated));
    if !ct_eq(psk.binder, expected.as_bytes()) {
        send_plain(s2c, ContentType::Alert, &[2, AlertDescription::DecryptError.to_wire()])?;
        return Ok(Answer::Refused(AlertDescription::DecryptError));
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
    let client_hs_read = Protection::new(TrafficKeys::derive(&mut RustCrypto, HASH, AEAD, &client_hs));

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

    Ok(Answer::Sent(AwaitingFinished {
        handshake_secret: hs_secret,
        client_handshake_secret: client_hs,
        client_handshake_read: client_hs_read,
        server_finished_hash,
    }))
}

/// The server's second half: opens the client's Finished (the next
/// protected record on `c2s`), verifies it (RFC 8446 §4.4.4) and derives the
/// application traffic keys (§7.1).
pub fn verify_finished(mut state: AwaitingFinished, c2s: &mut Pipe) -> Result<ServerSession, Fail> {
    let mut rec = [0u8; 256];
    let (typ, range) = open_client_record(c2s, &mut state.client_handshake_read, &mut rec)?;
    ensure(typ == ContentType::Handshake, "the client's Finished is not a handshake record")?;
    let expected =
        finished_verify_data(&mut RustCrypto, HASH, &state.client_handshake_secret, &state.server_finished_hash);
    let mut fin = [0u8; 64];
    let fin_len = message(&mut fin, HandshakeType::Finished, |w| w.bytes(expected.as_bytes()))?;
    ensure(ct_eq(&rec[range], &fin[..fin_len]), "the client's Finished does not verify")?;
    let hash = &state.server_finished_hash;
    let master = state.handshake_secret.into_master(&mut RustCrypto);
    let write = Protection::new(TrafficKeys::derive(
        &mut RustCrypto,
        HASH,
        AEAD,
        &master.server_traffic_secret(&mut RustCrypto, hash),
    ));
    let read = Protection::new(TrafficKeys::derive(
        &mut RustCrypto,
        HASH,
        AEAD,
        &master.client_traffic_secret(&mut RustCrypto, hash),
    ));
    Ok(ServerSession { write, read })
}

/// Proves the counting allocator sees allocations at all (one `Box`).
pub fn check_allocator_counts() -> Result<(), Fail> {
    let before = HEAP.allocs.get();
    let b = alloc::boxed::Box::new([7u8; 32]);
    ensure(b[31] == 7 && HEAP.allocs.get() == before + 1, "the counting allocator does not count")?;
    Ok(())
}
