//! `Event`: a flag tasks can wait for.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

/// A flag that tasks wait on (asyncio's `Event`): [`wait`](Self::wait) returns once it is set.
/// `Send + Sync`.
///
/// ```
/// use std::rc::Rc;
/// use qtasync::sync::Event;
/// use qtasync::{spawn, Runner};
///
/// let out = Runner::new().keep_running(false).run(async {
///     let ready = Rc::new(Event::new());
///     let waiter = ready.clone();
///     let task = spawn(async move { waiter.wait().await; "woken" }).unwrap();
///     ready.set();
///     task.await.unwrap()
/// }).unwrap();
/// assert_eq!(out, Some("woken"));
/// ```
pub struct Event {
    flag: AtomicBool,
    waiters: event_listener::Event,
}

impl Event {
    /// A new, clear event.
    pub fn new() -> Self {
        Event { flag: AtomicBool::new(false), waiters: event_listener::Event::new() }
    }

    /// Sets the flag and wakes every waiter; later waits return at once until [`clear`](Self::clear).
    pub fn set(&self) {
        self.flag.store(true, Ordering::SeqCst);
        self.waiters.notify(usize::MAX);
    }

    /// Clears the flag: later waits block until the next [`set`](Self::set).
    pub fn clear(&self) {
        self.flag.store(false, Ordering::SeqCst);
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Waits until the flag is set (at once if it is). A waiter woken by `set` returns even if
    /// the flag was cleared again before it ran, as in asyncio.
    pub async fn wait(&self) {
        if self.is_set() {
            return;
        }
        let listener = self.waiters.listen();
        if self.is_set() {
            return;
        }
        listener.await;
    }
}

impl Default for Event {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event").field("set", &self.is_set()).finish()
    }
}
