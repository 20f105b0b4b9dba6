//! The no_std, no-alloc example of `AsyncTlsStream` (issue 17 item 1): the
//! path a HAL program takes (embassy-net's `TcpSocket`, or any
//! `embedded_io_async::{Read, Write}` transport), compiled without `std` and
//! without `alloc` and run by `tests/no_std_check/run.sh` on every CI run.
//!
//! [`device`] is what firmware writes: a TLS 1.3 external-PSK connection
//! (psk_dhe_ke with X25519) over an async socket, one message each way,
//! close_notify both ways, buffers on the task's own stack frame. Here the
//! socket is one end of an in-memory pair whose other end is the crate's
//! scripted server (built from embertls' hazmat modules, as in `main.rs`),
//! and a ten-line poll loop with a no-op waker stands in for the executor:
//! it polls the device and the server in turn until both are done.
//!
//! Scenarios: the handshake and data exchange; then the wrong PSK key, which
//! the server refuses (decrypt_error) and the device reports as
//! `TlsIoError::Tls(Error::PskRefused)`. The library must allocate nothing.
//! Exit status 0 and the line "no_std async example ok" mean all held.

#![no_std]
#![no_main]

use core::cell::RefCell;
use core::convert::Infallible;
use core::future::{poll_fn, Future};
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use embedded_io_async::{ErrorType, Read, ReadExactError, Write};
use embertls::msgs::enums::ContentType;
use embertls::record::{Header, HEADER_LEN};
use embertls::{
    AlertDescription, AsyncTlsStream, ClientConfig, ConnectOptions, Error, ExternalPsk, NamedGroup, ProtocolVersion,
    ServerName, ServerVerification, TlsIoError, Trust,
};
use no_std_check::{
    answer_hello, check_allocator_counts, complain, ensure, open_client_record, say, send_sealed, verify_finished,
    Answer, CounterRng, Fail, Pipe, CLIENT_MESSAGE, HEAP, IDENTITY, KEY, READ_CHUNK, SERVER_MESSAGE, SUITE,
};

/// The device's TLS buffers: 4 KiB each way (the client asks the server
/// for small records with max_fragment_length / record_size_limit).
const RX_LEN: usize = 4096;
const TX_LEN: usize = 4096;

// ---------------------------------------------------------------------------
// The device: what firmware writes
// ---------------------------------------------------------------------------

/// Connects over `socket` with `psk`, sends [`CLIENT_MESSAGE`], expects
/// [`SERVER_MESSAGE`], and closes (close_notify both ways).
async fn device<S: Read + Write>(socket: S, psk: &ExternalPsk) -> Result<(), TlsIoError<S::Error>> {
    // The verifier is not consulted for a PSK handshake: knowing the key
    // authenticates the server (summary.trust == Trust::PreSharedKey).
    let config = ClientConfig::new(ServerVerification::danger_accept_any()).with_psk(psk);
    let (mut rx, mut tx) = ([0u8; RX_LEN], [0u8; TX_LEN]);
    // A device passes its hardware RNG here (CounterRng is deterministic, for the check only).
    let rng = CounterRng(1);
    let options = ConnectOptions::new(&config, ServerName::Dns("device.local"));
    let mut tls = AsyncTlsStream::connect(options, rng, socket, &mut rx[..], &mut tx[..], None).await?;
    let s = tls.summary();
    say!("  handshake: {} {} group={:?} trust={:?}", s.version, s.cipher_suite, s.group, s.trust);
    let expected = (ProtocolVersion::Tls13, SUITE, Some(NamedGroup::X25519), Trust::PreSharedKey);
    if (s.version, s.cipher_suite, s.group, s.trust) != expected {
        return Err(Error::Api("not the psk_dhe_ke handshake the server offers").into());
    }

    tls.write_all(CLIENT_MESSAGE).await?;
    tls.flush().await?;
    let mut reply = [0u8; SERVER_MESSAGE.len()];
    tls.read_exact(&mut reply).await.map_err(|e| match e {
        ReadExactError::UnexpectedEof => TlsIoError::Tls(Error::Closed),
        ReadExactError::Other(e) => e,
    })?;
    if reply != SERVER_MESSAGE {
        return Err(Error::Api("the server's message arrived changed").into());
    }
    say!("  device got: {:?}", core::str::from_utf8(&reply).unwrap_or("?"));

    tls.close().await?;
    // After close_notify from the server, read returns 0.
    if tls.read(&mut reply).await? != 0 {
        return Err(Error::Api("data after close").into());
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The in-memory socket pair
// ---------------------------------------------------------------------------

/// One end of the pair: reads from `inbound`, writes to `outbound`. The
/// poll loop polls both sides in turn, so a pending read needs no waker.
struct Socket<'p> {
    inbound: &'p RefCell<Pipe>,
    outbound: &'p RefCell<Pipe>,
}

impl ErrorType for Socket<'_> {
    type Error = Infallible;
}

impl Read for Socket<'_> {
    /// At most [`READ_CHUNK`] bytes per read, so records arrive in pieces.
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        poll_fn(|_| {
            let mut pipe = self.inbound.borrow_mut();
            let n = buf.len().min(pipe.len).min(READ_CHUNK);
            if n == 0 && !buf.is_empty() {
                return Poll::Pending;
            }
            buf[..n].copy_from_slice(&pipe.buf[..n]);
            pipe.consume(n);
            Poll::Ready(Ok(n))
        })
        .await
    }
}

impl Write for Socket<'_> {
    async fn write(&mut self, data: &[u8]) -> Result<usize, Infallible> {
        poll_fn(|_| {
            let mut pipe = self.outbound.borrow_mut();
            let n = data.len().min(pipe.buf.len() - pipe.len);
            if n == 0 && !data.is_empty() {
                return Poll::Pending;
            }
            let _ = pipe.push(&data[..n]); // fits: n is at most the free space
            Poll::Ready(Ok(n))
        })
        .await
    }

    /// Written bytes are at once readable at the other end.
    async fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// The server side
// ---------------------------------------------------------------------------

/// Whether `pipe` holds a whole record of type `typ`.
fn holds_record(pipe: &Pipe, typ: ContentType) -> bool {
    let mut at = 0;
    while let Some(Ok(h)) = Header::parse(&pipe.buf[at..pipe.len]) {
        let end = at + HEADER_LEN + h.len;
        if end > pipe.len {
            return false;
        }
        if h.typ == typ {
            return true;
        }
        at = end;
    }
    false
}

/// Waits until the client has sent a whole record of type `typ`.
async fn client_sent(c2s: &RefCell<Pipe>, typ: ContentType) {
    poll_fn(|_| if holds_record(&c2s.borrow(), typ) { Poll::Ready(()) } else { Poll::Pending }).await
}

/// The scripted server over the other end of the pair; the alert it
/// refused the PSK with, if it did.
async fn server(c2s: &RefCell<Pipe>, s2c: &RefCell<Pipe>) -> Result<Option<AlertDescription>, Fail> {
    let mut rng = CounterRng(0x5e5e_5e5e);
    client_sent(c2s, ContentType::Handshake).await;
    let awaiting = match answer_hello(&mut c2s.borrow_mut(), &mut s2c.borrow_mut(), &mut rng)? {
        Answer::Sent(awaiting) => awaiting,
        Answer::Refused(alert) => return Ok(Some(alert)),
    };
    client_sent(c2s, ContentType::ApplicationData).await;
    let mut session = verify_finished(awaiting, &mut c2s.borrow_mut())?;

    let mut rec = [0u8; 1024];
    client_sent(c2s, ContentType::ApplicationData).await;
    let (typ, range) = open_client_record(&mut c2s.borrow_mut(), &mut session.read, &mut rec)?;
    ensure(typ == ContentType::ApplicationData && &rec[range] == CLIENT_MESSAGE, "server got wrong client data")?;
    send_sealed(&mut s2c.borrow_mut(), &mut session.write, ContentType::ApplicationData, SERVER_MESSAGE)?;

    client_sent(c2s, ContentType::ApplicationData).await;
    let (typ, range) = open_client_record(&mut c2s.borrow_mut(), &mut session.read, &mut rec)?;
    ensure(typ == ContentType::Alert && rec[range] == [1, 0], "the client's close_notify is wrong")?;
    let close_notify = [1, AlertDescription::CloseNotify.to_wire()];
    send_sealed(&mut s2c.borrow_mut(), &mut session.write, ContentType::Alert, &close_notify)?;
    Ok(None)
}

// ---------------------------------------------------------------------------
// The poll loop
// ---------------------------------------------------------------------------

/// Rounds after which a side that has not finished counts as stuck.
const MAX_ROUNDS: usize = 10_000;

/// Polls `a` and `b` in turn until both are ready; `None` for a side still
/// pending after [`MAX_ROUNDS`] (a stuck exchange fails instead of hanging).
fn run_pair<A: Future, B: Future>(a: A, b: B) -> (Option<A::Output>, Option<B::Output>, usize) {
    let mut cx = Context::from_waker(Waker::noop());
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut out_a, mut out_b) = (None, None);
    for round in 1..=MAX_ROUNDS {
        if out_a.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(&mut cx) {
                out_a = Some(v);
            }
        }
        if out_b.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(&mut cx) {
                out_b = Some(v);
            }
        }
        if out_a.is_some() && out_b.is_some() {
            return (out_a, out_b, round);
        }
    }
    (out_a, out_b, MAX_ROUNDS)
}

/// How one connection ended: the device's result, and the alert the server
/// refused the PSK with, if it did.
type Outcome = (Result<(), TlsIoError<Infallible>>, Option<AlertDescription>);

/// Runs the device with `psk` against the server.
fn connect(psk: &ExternalPsk) -> Result<Outcome, Fail> {
    let (c2s, s2c) = (RefCell::new(Pipe::new()), RefCell::new(Pipe::new()));
    let socket = Socket { inbound: &s2c, outbound: &c2s };
    let device_task = device(socket, psk);
    say!("  the device task holds {} bytes (TLS buffers included)", core::mem::size_of_val(&device_task));
    match run_pair(device_task, server(&c2s, &s2c)) {
        (Some(dev), Some(srv), rounds) => {
            say!("  both sides finished after {rounds} rounds of the poll loop");
            Ok((dev, srv?))
        }
        (dev, srv, _) => {
            if let Some(Err(e)) = dev {
                complain!("  device: {e}");
            }
            if let Some(Err(f)) = srv {
                complain!("  server: {f}");
            }
            Err(Fail::Check("the exchange got stuck (a side is still waiting)"))
        }
    }
}

fn run() -> Result<(), Fail> {
    check_allocator_counts()?;
    let baseline = HEAP.allocs.get();

    say!("async scenario 1: psk_dhe_ke over an embedded-io-async socket, data both ways, close_notify");
    let psk = ExternalPsk::new(IDENTITY, &KEY)?;
    match connect(&psk)? {
        (Ok(()), None) => {}
        (Err(e), _) => {
            complain!("  device: {e}");
            return Err(Fail::Check("the device failed"));
        }
        (Ok(()), Some(_)) => return Err(Fail::Check("the server refused the right PSK")),
    }

    say!("async scenario 2: wrong PSK key on the device (expected refusal)");
    let mut wrong = KEY;
    wrong[31] ^= 1;
    let refused = Error::PskRefused { alert: Some(AlertDescription::DecryptError) };
    match connect(&ExternalPsk::new(IDENTITY, &wrong)?)? {
        (Err(TlsIoError::Tls(e)), Some(AlertDescription::DecryptError)) if e == refused => say!("  device: {e}"),
        (Err(e), _) => {
            complain!("  device: {e}");
            return Err(Fail::Check("the device failed, but not with PskRefused(decrypt_error)"));
        }
        (Ok(()), _) => return Err(Fail::Check("the device connected with a wrong PSK")),
    }

    let allocs = HEAP.allocs.get() - baseline;
    say!("heap allocations by embertls: {allocs}");
    ensure(allocs == 0, "embertls allocated on the heap although built without `alloc`")?;
    Ok(())
}

#[no_mangle]
pub extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
    match run() {
        Ok(()) => {
            say!("no_std async example ok");
            0
        }
        Err(f) => {
            complain!("no_std async example FAILED: {f}");
            1
        }
    }
}
