//! `Semaphore` and `BoundedSemaphore`: a counter of permits.
//!
//! One counter serves both, with asyncio's semantics: `release` adds a permit (a bounded
//! semaphore refuses one beyond its initial value), permits are counted exactly. `async-lock`'s
//! semaphore cannot tell how many permits it has, which `BoundedSemaphore` needs.

use std::fmt;
use std::sync::Mutex;

use super::lock;

struct Counter {
    /// Permits available, and permits held by live [`SemaphorePermit`] guards.
    state: Mutex<Counts>,
    released: event_listener::Event,
    /// A bounded semaphore's initial value.
    bound: Option<usize>,
}

#[derive(Clone, Copy)]
struct Counts {
    available: usize,
    guards: usize,
}

impl Counter {
    fn new(value: usize, bound: Option<usize>) -> Self {
        Counter {
            state: Mutex::new(Counts { available: value, guards: 0 }),
            released: event_listener::Event::new(),
            bound,
        }
    }

    fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        let mut counts = lock(&self.state);
        if counts.available == 0 {
            return None;
        }
        counts.available -= 1;
        counts.guards += 1;
        Some(SemaphorePermit { counter: self, released: false })
    }

    async fn acquire(&self) -> SemaphorePermit<'_> {
        loop {
            let listener = {
                let mut counts = lock(&self.state);
                if counts.available > 0 {
                    counts.available -= 1;
                    counts.guards += 1;
                    let more = counts.available > 0;
                    drop(counts);
                    if more {
                        // Another waiter may have been woken for a permit this one took first.
                        self.released.notify(1);
                    }
                    return SemaphorePermit { counter: self, released: false };
                }
                // Registered under the state lock: a release after it wakes this listener.
                self.released.listen()
            };
            listener.await;
        }
    }

    fn add_permit(&self) -> Result<(), ReleaseError> {
        let mut counts = lock(&self.state);
        if let Some(bound) = self.bound {
            if counts.available + counts.guards >= bound {
                return Err(ReleaseError { bound });
            }
        }
        counts.available += 1;
        drop(counts);
        self.released.notify_additional(1);
        Ok(())
    }

    fn available(&self) -> usize {
        lock(&self.state).available
    }
}

/// A held permit; dropping it gives the permit back. [`forget`](Self::forget) keeps it taken,
/// to be given back later with `release` (asyncio's acquire/release pairs).
#[must_use = "the permit is given back when the guard is dropped"]
pub struct SemaphorePermit<'a> {
    counter: &'a Counter,
    released: bool,
}

impl SemaphorePermit<'_> {
    /// Keeps the permit taken without a guard; give it back with `release()`.
    pub fn forget(mut self) {
        self.released = true;
        lock(&self.counter.state).guards -= 1;
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        if !self.released {
            let mut counts = lock(&self.counter.state);
            counts.guards -= 1;
            counts.available += 1;
            drop(counts);
            self.counter.released.notify_additional(1);
        }
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SemaphorePermit")
    }
}

/// [`BoundedSemaphore::release`] would raise the count above the initial value (asyncio's
/// `ValueError: BoundedSemaphore released too many times`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReleaseError {
    /// The semaphore's initial value, which the count may not exceed.
    pub bound: usize,
}

impl fmt::Display for ReleaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BoundedSemaphore released too many times (its bound is {})", self.bound)
    }
}

impl std::error::Error for ReleaseError {}

/// A counter of permits that limits concurrency (asyncio's `Semaphore`): [`acquire`](Self::acquire)
/// waits while none is available. [`release`](Self::release) may add permits beyond the initial
/// value; [`BoundedSemaphore`] refuses that. `Send + Sync`.
///
/// ```
/// use qtasync::sync::Semaphore;
/// use qtasync::Runner;
///
/// let out = Runner::new().keep_running(false).run(async {
///     let slots = Semaphore::new(2);
///     let a = slots.acquire().await;
///     let _b = slots.acquire().await;
///     assert!(slots.try_acquire().is_none()); // both taken
///     drop(a);
///     let again = slots.try_acquire();
///     (again.is_some(), slots.available())
/// }).unwrap();
/// assert_eq!(out, Some((true, 0)));
/// ```
pub struct Semaphore {
    counter: Counter,
}

impl Semaphore {
    /// A semaphore with `value` permits.
    pub fn new(value: usize) -> Self {
        Semaphore { counter: Counter::new(value, None) }
    }

    /// Waits for a permit and takes it. Cancel-safe.
    pub async fn acquire(&self) -> SemaphorePermit<'_> {
        self.counter.acquire().await
    }

    /// Takes a permit if one is available, without waiting.
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        self.counter.try_acquire()
    }

    /// Adds a permit, waking a waiter (asyncio's `release`; pairs with [`SemaphorePermit::forget`]).
    pub fn release(&self) {
        // Unbounded: never an error.
        let _ = self.counter.add_permit();
    }

    /// Whether no permit is available (asyncio's `locked`).
    pub fn locked(&self) -> bool {
        self.available() == 0
    }

    /// How many permits are available.
    pub fn available(&self) -> usize {
        self.counter.available()
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore").field("available", &self.available()).finish()
    }
}

/// A [`Semaphore`] whose count may not exceed its initial value (asyncio's `BoundedSemaphore`):
/// [`release`](Self::release) beyond it is a [`ReleaseError`]. A permit guard's drop never
/// counts as one too many. `Send + Sync`.
///
/// ```
/// use qtasync::sync::{BoundedSemaphore, ReleaseError};
/// use qtasync::Runner;
///
/// let out = Runner::new().keep_running(false).run(async {
///     let slots = BoundedSemaphore::new(1);
///     slots.acquire().await.forget(); // taken, to be given back by hand
///     assert_eq!(slots.release(), Ok(()));
///     slots.release()
/// }).unwrap();
/// assert_eq!(out, Some(Err(ReleaseError { bound: 1 })));
/// ```
pub struct BoundedSemaphore {
    counter: Counter,
}

impl BoundedSemaphore {
    /// A semaphore with `value` permits, and never more.
    pub fn new(value: usize) -> Self {
        BoundedSemaphore { counter: Counter::new(value, Some(value)) }
    }

    /// Waits for a permit and takes it. Cancel-safe.
    pub async fn acquire(&self) -> SemaphorePermit<'_> {
        self.counter.acquire().await
    }

    /// Takes a permit if one is available, without waiting.
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        self.counter.try_acquire()
    }

    /// Gives back a permit taken with [`SemaphorePermit::forget`]; a [`ReleaseError`] when that
    /// would make more permits than the initial value (counting those held by live guards).
    pub fn release(&self) -> Result<(), ReleaseError> {
        self.counter.add_permit()
    }

    /// Whether no permit is available.
    pub fn locked(&self) -> bool {
        self.available() == 0
    }

    /// How many permits are available.
    pub fn available(&self) -> usize {
        self.counter.available()
    }
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedSemaphore").field("available", &self.available()).finish()
    }
}
