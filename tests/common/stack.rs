//! Stack high-water marks by painting (issue 12), the way FreeRTOS's
//! `uxTaskGetStackHighWaterMark` measures a task: fill the stack below the
//! current frame with a pattern, run the code, find the lowest word that no
//! longer holds the pattern. Deterministic for a given code path (no sampling),
//! and it counts what was written, which is what overflows a task's stack.
//!
//! x86_64 Linux only. Run on a thread with a large stack ([`on_big_stack`]).
#![allow(dead_code)]
#![allow(unsafe_code)] // reads the stack pointer and writes below it; see each block

/// The pattern painted below the frame: unlikely as data, address or length.
const PATTERN: u64 = 0x5AA5_C33C_9669_F00F;
/// How far below the caller's frame is painted.
const PAINT: usize = 512 * 1024;
/// Left unpainted just below the frame: room for `paint`'s own frame.
const GAP: usize = 256;
/// Stack of the measuring thread: comfortably more than `PAINT`.
const THREAD_STACK: usize = 4 * 1024 * 1024;

/// Runs `f` on a fresh thread with a 4 MiB stack (so `PAINT` bytes below
/// any frame near its top are mapped) and returns its result.
pub fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .name("stack-measure".into())
        .stack_size(THREAD_STACK)
        .spawn(f)
        .expect("spawn measuring thread")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

#[inline(never)]
fn paint(lo: usize, hi: usize) {
    let mut p = lo;
    while p < hi {
        // SAFETY: [lo, hi) lies in this thread's stack (THREAD_STACK > PAINT)
        // below every live frame: `paint`'s own frame ends within GAP bytes
        // of the caller's stack pointer, and hi = that pointer - GAP.
        unsafe { (p as *mut u64).write_volatile(PATTERN) };
        p += 8;
    }
}

#[inline(never)]
fn lowest_written(lo: usize, hi: usize) -> usize {
    let mut p = lo;
    while p < hi {
        // SAFETY: as in `paint`; the words were written there and are only read.
        if unsafe { (p as *const u64).read_volatile() } != PATTERN {
            return p;
        }
        p += 8;
    }
    hi
}

/// Runs `f` and returns its result and the bytes of stack it used below
/// this function's frame (its own frames, and every callee's).
#[inline(never)]
pub fn deepest<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let sp: usize;
    // SAFETY: copies the stack pointer register into a variable; touches no memory.
    unsafe { core::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    let lo = sp - PAINT;
    paint(lo, sp - GAP);
    let r = call_below(f);
    let low = lowest_written(lo, sp - GAP);
    assert!(low > lo, "the measured code used more than {PAINT} bytes of stack");
    (r, sp - low)
}

/// Calls `f` in a frame of its own, so that nothing of `f` is inlined into
/// the measuring frame (whose stack pointer is the reference).
#[inline(never)]
fn call_below<T>(f: impl FnOnce() -> T) -> T {
    std::hint::black_box(f)()
}

/// The deepest of several measured calls, and which call it was
/// (`STACK_TRACE=1` prints every call).
#[derive(Clone, Copy, Debug, Default)]
pub struct HighWater(pub usize, pub &'static str);

impl HighWater {
    /// Runs `f` measured, keeping the deepest use seen.
    pub fn call<T>(&mut self, f: impl FnOnce() -> T) -> T {
        self.named("", f)
    }

    /// As [`HighWater::call`], remembering `what` if this call is the deepest so far.
    pub fn named<T>(&mut self, what: &'static str, f: impl FnOnce() -> T) -> T {
        let (r, used) = deepest(f);
        if std::env::var_os("STACK_TRACE").is_some() {
            println!("    {used:6} {what}");
        }
        if used > self.0 {
            *self = HighWater(used, what);
        }
        r
    }
}
