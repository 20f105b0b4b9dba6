//! [`Shared`]: a value that verifiers and signers change through `&self`
//! and that may still be shared between tasks and threads (`Sync`), so a
//! [`crate::ClientConfig`] holding them can be a `static`.
//!
//! With `std` it is a `std::sync::Mutex`; without, a
//! `critical_section::Mutex`, whose implementation the HAL provides
//! (esp-hal, embassy, `cortex-m`'s `critical-section-single-core`, ...).
//! Every use is a short copy in or out, never a signature or a parse.

#[cfg(not(feature = "std"))]
use core::cell::RefCell;

/// A `Sync` cell; see the module documentation.
pub(crate) struct Shared<T> {
    #[cfg(feature = "std")]
    inner: std::sync::Mutex<T>,
    #[cfg(not(feature = "std"))]
    inner: critical_section::Mutex<RefCell<T>>,
}

impl<T> Shared<T> {
    pub(crate) const fn new(value: T) -> Self {
        Shared {
            #[cfg(feature = "std")]
            inner: std::sync::Mutex::new(value),
            #[cfg(not(feature = "std"))]
            inner: critical_section::Mutex::new(RefCell::new(value)),
        }
    }

    /// Runs `f` on the value, alone. Keep `f` short: without `std` it runs
    /// with interrupts masked. A panic elsewhere while holding it does not
    /// lock it forever (the value is taken as it was left).
    pub(crate) fn with<U>(&self, f: impl FnOnce(&mut T) -> U) -> U {
        #[cfg(feature = "std")]
        {
            let mut guard = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut guard)
        }
        #[cfg(not(feature = "std"))]
        critical_section::with(|cs| f(&mut self.inner.borrow_ref_mut(cs)))
    }
}

impl<T: Default> Default for Shared<T> {
    fn default() -> Self {
        Shared::new(T::default())
    }
}

impl<T: core::fmt::Debug> core::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.with(|v| core::fmt::Debug::fmt(v, f))
    }
}
