//! The driving loop of the stream adapters (`TlsStream`, `EmbeddedTlsStream`,
//! `AsyncTlsStream`), without I/O: [`Drive::next`] says what to do next for
//! one adapter call (connect, read, write, flush) over a [`Client`]; the
//! adapter does it with its own transport call (blocking or `.await`) and
//! asks again, until [`Next::Stop`]; [`Drive::outcome`] is then the call's result.
//!
//! One turn of the engine is: `process`, send what it queued (best effort
//! if it failed: its alert), flush the transport, and read from the
//! transport if it needs data.

use rand_core::CryptoRng;

use crate::client::{Client, Event};
use crate::crypto::CryptoProvider;
use crate::error::Error;
use crate::handshake::HandshakeSummary;

/// What the adapter does next: small and `Copy`, so that each turn of the
/// adapter's loop moves no event, error or summary through its frame; the
/// result of the call waits in the [`Drive`] ([`Drive::outcome`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Write [`Client::outgoing`] (not empty) to the transport and report the
    /// count with [`Client::sent`]; 0 bytes written is a failure.
    Send,
    /// Flush the transport.
    Flush,
    /// Read from the transport into [`Client::receive_buffer`] (not empty) and
    /// report the count with [`Client::received`] (0: end of file).
    Receive,
    /// Keep the session just announced ([`Client::session_ticket`]).
    KeepTicket,
    /// The call is over, completed or failed: [`Drive::outcome`] says which.
    Stop,
}

/// The result of a completed call.
pub(crate) enum Done<'a> {
    /// The handshake completed (and all it queued was sent).
    Connected(HandshakeSummary<'a>),
    /// Bytes read or taken for writing (0 for a flush or an empty buffer, and
    /// for reads after the server closed).
    Bytes(usize),
    /// The server closed the connection with close_notify (a read returns 0).
    PeerClosed,
}

impl<'a> Done<'a> {
    /// The summary of a completed handshake.
    pub(crate) fn summary(self) -> Result<HandshakeSummary<'a>, Error> {
        match self {
            Done::Connected(summary) => Ok(summary),
            _ => Err(Error::Internal("the handshake call ended without completing")),
        }
    }

    /// The byte count of a read, write or flush (0 once the server closed).
    pub(crate) fn bytes(self) -> Result<usize, Error> {
        match self {
            Done::Bytes(n) => Ok(n),
            Done::PeerClosed => Ok(0),
            Done::Connected(_) => Err(Error::Internal("a read, write or flush completed a handshake")),
        }
    }
}

/// One adapter call in progress.
pub(crate) struct Drive<'o, 'a> {
    job: Job<'o>,
    step: Step,
    /// What follows sending and flushing; meaningful from [`Step::Send`] on.
    then: Then<'a>,
}

enum Job<'o> {
    Handshake,
    /// Read into the buffer; `closed`: the server closed already.
    Read {
        out: &'o mut [u8],
        closed: bool,
    },
    /// Write the data; `through`: send it before returning.
    Write {
        data: &'o [u8],
        through: bool,
    },
    Flush,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Start of the call, or of the next turn of the engine.
    Begin,
    /// Sending what the engine queued; then flushing the transport.
    Send,
    /// Sent and flushed (or given up, after a TLS error): act on `then`.
    Sent,
}

/// What follows sending and flushing.
enum Then<'a> {
    /// Act on what `Client::process` returned.
    Event(Event<'a>),
    /// Report the TLS error whose alert was just sent (or could not be).
    Fail(Error),
    /// Encrypt the data of the write.
    Encrypt,
    Done(Done<'a>),
}

impl<'o, 'a> Drive<'o, 'a> {
    /// Completes the handshake of a new client (its ClientHello queued); a
    /// ticket may arrive on the way (TLS 1.2, RFC 5077 §3.3).
    pub(crate) fn handshake() -> Self {
        Self::new(Job::Handshake)
    }

    /// Reads application data into `out`, receiving as needed; `closed`: the
    /// server has closed already (the result is 0 without any I/O).
    pub(crate) fn read(out: &'o mut [u8], closed: bool) -> Self {
        Self::new(Job::Read { out, closed })
    }

    /// Sends what is queued, then encrypts what of `data` fits the send
    /// buffer (at least one byte, else an error); `through`: and sends it
    /// too. No transport call comes between encrypting and [`Next::Stop`]
    /// unless `through`, so an async write dropped before it is done took nothing.
    pub(crate) fn write(data: &'o [u8], through: bool) -> Self {
        Self::new(Job::Write { data, through })
    }

    /// Sends what is queued and flushes the transport.
    pub(crate) fn flush() -> Self {
        Self::new(Job::Flush)
    }

    fn new(job: Job<'o>) -> Self {
        Drive { job, step: Step::Begin, then: Then::Encrypt }
    }

    /// What to do next. After [`Next::Stop`] the call is over: take its
    /// [`Drive::outcome`] and do not ask again. Inlined into each adapter's
    /// one caller: a frame less above `Client::process` (issue 12, stack).
    #[inline]
    pub(crate) fn next<R, Rx, Tx, P: CryptoProvider>(&mut self, client: &mut Client<'a, R, Rx, Tx, P>) -> Next
    where
        R: CryptoRng,
        Rx: AsMut<[u8]> + AsRef<[u8]>,
        Tx: AsMut<[u8]> + AsRef<[u8]>,
    {
        loop {
            match self.step {
                Step::Begin => match &mut self.job {
                    Job::Handshake => self.turn(client),
                    Job::Read { out, closed } => {
                        if out.is_empty() || *closed {
                            return self.stop(Then::Done(Done::Bytes(0)));
                        }
                        let n = client.read(out);
                        if n > 0 {
                            return self.stop(Then::Done(Done::Bytes(n)));
                        }
                        self.turn(client);
                    }
                    Job::Write { data, .. } => {
                        if data.is_empty() {
                            return self.stop(Then::Done(Done::Bytes(0)));
                        }
                        // Room first, so a full send buffer is not mistaken for "too small".
                        self.send_then(Then::Encrypt);
                    }
                    Job::Flush => self.send_then(Then::Done(Done::Bytes(0))),
                },
                Step::Send => {
                    if client.outgoing().is_empty() {
                        self.step = Step::Sent;
                        return Next::Flush;
                    }
                    return Next::Send;
                }
                Step::Sent => match (&self.then, &self.job) {
                    (Then::Fail(_) | Then::Done(_), _) => return Next::Stop,
                    (Then::Encrypt, _) => {
                        if let Some(next) = self.encrypt(client) {
                            return next;
                        }
                    }
                    (Then::Event(event), job) => {
                        let next = match (event, job) {
                            (Event::NeedData, _) if client.receive_buffer().is_empty() => {
                                return self.stop(Then::Fail(no_receive_space()));
                            }
                            (Event::NeedData, _) => Some(Next::Receive),
                            (Event::SessionTicket, _) => Some(Next::KeepTicket),
                            (Event::HandshakeComplete(summary), Job::Handshake) => {
                                let done = Then::Done(Done::Connected(*summary));
                                self.send_then(done);
                                continue;
                            }
                            (Event::PeerClosed, Job::Handshake) => return self.stop(Then::Fail(Error::Closed)),
                            (Event::PeerClosed, _) => return self.stop(Then::Done(Done::PeerClosed)),
                            // Anything else: turn again (a read takes application
                            // data before it turns; a handshake sees none before it completes).
                            _ => None,
                        };
                        self.step = Step::Begin;
                        if let Some(next) = next {
                            return next;
                        }
                    }
                },
            }
        }
    }

    /// The result of the call, after [`Next::Stop`], with the engine's error
    /// as the adapter reports it. Out of line and by reference: the result
    /// is not carried through the frame of the adapter's loop (issue 12).
    #[inline(never)]
    pub(crate) fn outcome<E: From<Error>>(&mut self) -> Result<Done<'a>, E> {
        if self.step != Step::Sent {
            return Err(Error::Internal("the outcome of an adapter call was taken before it stopped").into());
        }
        match core::mem::replace(&mut self.then, Then::Encrypt) {
            Then::Done(done) => Ok(done),
            Then::Fail(e) => Err(e.into()),
            _ => Err(Error::Internal("the outcome of an adapter call was taken before it stopped").into()),
        }
    }

    /// Completes the transport call `asked` ([`Next::Send`], [`Next::Flush`]
    /// or [`Next::Receive`]) with its `result`: the bytes written or read go
    /// to the client ([`Client::sent`], [`Client::received`]; a flush's count
    /// is ignored). `Err`: the call ends with the transport's error (`None`:
    /// a write took no bytes). Not while the alert of a TLS error was being
    /// sent (best effort): [`Drive::next`] then stops with that TLS error as
    /// the outcome, which says more.
    pub(crate) fn settle<E, R, Rx, Tx, P: CryptoProvider>(
        &mut self,
        client: &mut Client<'a, R, Rx, Tx, P>,
        asked: Next,
        result: Result<usize, E>,
    ) -> Result<(), Option<E>>
    where
        R: CryptoRng,
        Rx: AsMut<[u8]> + AsRef<[u8]>,
        Tx: AsMut<[u8]> + AsRef<[u8]>,
    {
        let failure = match (asked, result) {
            (Next::Send, Ok(0)) => None,
            (Next::Send, Ok(n)) => {
                client.sent(n);
                return Ok(());
            }
            (Next::Receive, Ok(n)) => {
                client.received(n);
                return Ok(());
            }
            (_, Ok(_)) => return Ok(()),
            (_, Err(e)) => Some(e),
        };
        if self.step != Step::Begin && matches!(self.then, Then::Fail(_)) {
            self.step = Step::Sent;
            return Ok(());
        }
        Err(failure)
    }

    /// Encrypts the data of a write; `None`: send it (write-through).
    /// Out of line: its result and error are not in the frame of the
    /// adapter's loop, above `Client::process` (issue 12, stack).
    #[inline(never)]
    fn encrypt<R, Rx, Tx, P: CryptoProvider>(&mut self, client: &mut Client<'a, R, Rx, Tx, P>) -> Option<Next>
    where
        R: CryptoRng,
        Rx: AsMut<[u8]> + AsRef<[u8]>,
        Tx: AsMut<[u8]> + AsRef<[u8]>,
    {
        let Job::Write { data, through } = self.job else {
            return Some(self.stop(Then::Fail(Error::Internal("encrypting without a write"))));
        };
        match client.write(data) {
            Err(e) => Some(self.stop(Then::Fail(e))),
            Ok(0) => Some(self.stop(Then::Fail(no_send_space()))),
            Ok(n) if through => {
                self.send_then(Then::Done(Done::Bytes(n)));
                None
            }
            Ok(n) => Some(self.stop(Then::Done(Done::Bytes(n)))),
        }
    }

    /// A turn of the engine: `Client::process`; what it queued (after an
    /// error: its alert) goes out first. Marked `inline`: at opt-level "s"
    /// and "z" it was a 184-byte frame of its own above `process` (issue 12).
    #[inline]
    fn turn<R, Rx, Tx, P: CryptoProvider>(&mut self, client: &mut Client<'a, R, Rx, Tx, P>)
    where
        R: CryptoRng,
        Rx: AsMut<[u8]> + AsRef<[u8]>,
        Tx: AsMut<[u8]> + AsRef<[u8]>,
    {
        let then = match client.process() {
            Ok(event) => Then::Event(event),
            Err(e) => Then::Fail(e),
        };
        self.send_then(then);
    }

    /// Sends what is queued, flushes, then acts on `then`.
    fn send_then(&mut self, then: Then<'a>) {
        self.then = then;
        self.step = Step::Send;
    }

    /// Ends the call with `then` (a result or an error), without more I/O.
    fn stop(&mut self, then: Then<'a>) -> Next {
        self.then = then;
        self.step = Step::Sent;
        Next::Stop
    }
}

/// The engine wants more bytes but its receive buffer has no free space.
/// The engine reports a record that cannot fit itself, so this is a safety
/// net: reading into an empty slice would look like end of file.
fn no_receive_space() -> Error {
    Error::Config("the receive buffer is full although the engine needs more data; use a larger receive buffer")
}

/// The send buffer cannot take one byte of application data although
/// everything queued was sent.
fn no_send_space() -> Error {
    Error::Config("the send buffer cannot hold a single application data record; use a larger send buffer")
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use std::vec;
    use std::vec::Vec;

    use super::{Done, Drive, Next};
    use crate::{Client, ClientConfig, ConnectOptions, Error, ServerName, ServerVerification};

    type Rng = rand_core::UnwrapErr<getrandom::SysRng>;

    fn client<'a>(config: &'a ClientConfig<'a>) -> Client<'a, Rng, Vec<u8>> {
        let options = ConnectOptions::new(config, ServerName::parse("localhost"));
        Client::new(options, rand_core::UnwrapErr(getrandom::SysRng), vec![0; 4096], vec![0; 2048]).expect("client")
    }

    /// What `next` asks, with every Send taking all that is queued and
    /// nothing received, up to and including the first Receive or Stop.
    fn steps<'a>(drive: &mut Drive<'_, 'a>, c: &mut Client<'a, Rng, Vec<u8>>) -> Vec<&'static str> {
        let mut seen = Vec::new();
        loop {
            let (name, last) = match drive.next(c) {
                Next::Send => {
                    let n = c.outgoing().len();
                    c.sent(n);
                    ("send", false)
                }
                Next::Flush => ("flush", false),
                Next::KeepTicket => ("ticket", false),
                Next::Receive => ("receive", true),
                Next::Stop => ("stop", true),
            };
            seen.push(name);
            if last {
                return seen;
            }
        }
    }

    /// The outcome of a call that stops at once.
    fn at_once<'a>(mut drive: Drive<'_, 'a>, c: &mut Client<'a, Rng, Vec<u8>>) -> Result<Done<'a>, Error> {
        assert_eq!(drive.next(c), Next::Stop);
        drive.outcome()
    }

    /// A turn: process, send what it queued (the ClientHello), flush, receive.
    #[test]
    fn a_handshake_turn_sends_flushes_then_receives() {
        let config = ClientConfig::new(ServerVerification::danger_accept_any());
        let mut c = client(&config);
        assert_eq!(steps(&mut Drive::handshake(), &mut c), ["send", "flush", "receive"]);
    }

    /// A failed `process` queues an alert: it is sent before the error is
    /// reported, and if the transport fails to take it the TLS error is still
    /// the outcome. Any other transport failure is the adapter's to report.
    #[test]
    fn a_tls_error_outlives_a_transport_that_cannot_take_its_alert() {
        let config = ClientConfig::new(ServerVerification::danger_accept_any());
        let mut c = client(&config);
        let mut drive = Drive::handshake();
        assert_eq!(drive.next(&mut c), Next::Send);
        assert_eq!(drive.settle(&mut c, Next::Send, Ok::<_, ()>(0)), Err(None), "it took no bytes");
        let mut drive = Drive::handshake();
        assert_eq!(drive.next(&mut c), Next::Send);
        assert_eq!(
            drive.settle(&mut c, Next::Send, Err("io")),
            Err(Some("io")),
            "the ClientHello's failure is the transport's"
        );

        let mut c = client(&config);
        let mut drive = Drive::handshake();
        assert_eq!(steps(&mut drive, &mut c), ["send", "flush", "receive"]);
        let reply = b"HTTP/1.1 400 Bad Request\r\n\r\n";
        c.receive_buffer()[..reply.len()].copy_from_slice(reply);
        c.received(reply.len());
        assert_eq!(drive.next(&mut c), Next::Send, "the alert is sent first");
        assert_eq!(drive.settle(&mut c, Next::Send, Err("io")), Ok(()), "a failed alert is not the error reported");
        assert_eq!(drive.next(&mut c), Next::Stop, "the TLS error follows");
        let Err::<_, Error>(e) = drive.outcome() else { panic!("the TLS error is the outcome") };
        assert!(e.alert().is_some(), "{e:?}");
        assert_eq!(c.process(), Err(e), "the error the engine gives");
    }

    /// A write sends what is queued first and encrypts after: before the
    /// handshake that fails with the engine's error. Empty writes and reads,
    /// and reads after the server closed, do nothing.
    #[test]
    fn writes_send_the_queue_first_and_empty_calls_do_nothing() {
        let config = ClientConfig::new(ServerVerification::danger_accept_any());
        let mut c = client(&config);
        let mut drive = Drive::write(b"data", false);
        assert_eq!(steps(&mut drive, &mut c), ["send", "flush", "stop"]);
        assert!(matches!(drive.outcome::<Error>(), Err(Error::Api(_))));
        let mut drive = Drive::write(b"data", true);
        assert_eq!(drive.next(&mut c), Next::Flush, "nothing queued: flush, then encrypt");
        assert!(matches!(at_once(drive, &mut c), Err(Error::Api(_))));

        let mut c = client(&config);
        assert!(matches!(at_once(Drive::write(b"", true), &mut c), Ok(Done::Bytes(0))));
        assert!(matches!(at_once(Drive::read(&mut [], false), &mut c), Ok(Done::Bytes(0))));
        assert!(matches!(at_once(Drive::read(&mut [0; 8], true), &mut c), Ok(Done::Bytes(0))));
        assert!(!c.outgoing().is_empty(), "the ClientHello was not touched");
        let mut drive = Drive::flush();
        assert_eq!(steps(&mut drive, &mut c), ["send", "flush", "stop"]);
        assert!(matches!(drive.outcome::<Error>(), Ok(Done::Bytes(0))));
    }
}
