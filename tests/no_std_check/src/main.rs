//! no_std proof for embertls (issue 7, part 2).
//!
//! A `#![no_std]` + `#![no_main]` host binary that links embertls built with
//! `default-features = false` (no `std`, no `alloc`), links only libc (for
//! `write` and `abort`), brings its own panic handler and a counting bump
//! allocator (those, and the scripted server, are in `lib.rs`, shared with
//! the async example `src/bin/async_psk.rs`), and runs TLS 1.3 handshakes
//! with the `Client` engine over an in-memory transport:
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

#![no_std]
#![no_main]

use embertls::msgs::enums::ContentType;
use embertls::{
    AlertDescription, Client, ClientConfig, Error, Event, ExternalPsk, NamedGroup, ProtocolVersion, ServerName,
    ServerVerification, Trust,
};
use no_std_check::{
    answer_hello, check_allocator_counts, complain, ensure, open_client_record, say, send_sealed, verify_finished,
    Answer, CounterRng, Fail, Pipe, ServerSession, CLIENT_MESSAGE, HEAP, IDENTITY, KEY, READ_CHUNK, SERVER_MESSAGE,
    SUITE,
};

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

/// The server's verdict on a ClientHello.
#[allow(clippy::large_enum_variant)] // lives on the stack once per scenario
enum Verdict {
    /// A handshake completed (the client's Finished was verified).
    Accepted(ServerSession),
    /// The server refused the PSK with this alert.
    Refused(AlertDescription),
}

/// One connection, client and server in turn: the server reads the
/// ClientHello from `c2s` and answers on `s2c`; when it accepts, the client
/// consumes the flight and its Finished is verified.
fn serve<'a, R: rand_core::CryptoRng>(
    client: &mut Client<'a, R, &mut [u8]>,
    c2s: &mut Pipe,
    s2c: &mut Pipe,
    rng: &mut CounterRng,
) -> Result<(Verdict, Option<Event<'a>>), Fail> {
    let awaiting = match answer_hello(c2s, s2c, rng)? {
        Answer::Sent(awaiting) => awaiting,
        Answer::Refused(alert) => return Ok((Verdict::Refused(alert), None)),
    };
    let ev = client_next(client, s2c)?;
    ensure(matches!(ev, Event::HandshakeComplete(_)), "the client did not complete the handshake")?;
    client_flush(client, c2s)?;
    let session = verify_finished(awaiting, c2s)?;
    ensure(c2s.len == 0, "the client sent more than its Finished")?;
    Ok((Verdict::Accepted(session), Some(ev)))
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
