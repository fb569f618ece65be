//! `Condition`: wait for a notification while holding a lock.

use std::fmt;

/// A condition variable for tasks (asyncio's `Condition`): a lock, plus waiting for a
/// notification with the lock released. The lock is held while a [`ConditionGuard`] lives;
/// waiting and notifying are methods of the guard, so they cannot be called without the lock
/// (asyncio's `RuntimeError: cannot notify on un-acquired lock` cannot happen). `Send + Sync`.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use qtasync::sync::Condition;
/// use qtasync::{spawn, Runner};
///
/// let out = Runner::new().keep_running(false).run(async {
///     let condition = Rc::new(Condition::new());
///     let ready = Rc::new(Cell::new(false));
///     let (c, r) = (condition.clone(), ready.clone());
///     let waiter = spawn(async move {
///         let guard = c.acquire().await;
///         let _guard = guard.wait_for(|| r.get()).await; // releases the lock while waiting
///         "saw it"
///     }).unwrap();
///     qtasync::yield_now().await; // the waiter is now waiting
///     let guard = condition.acquire().await;
///     ready.set(true);
///     guard.notify_all();
///     drop(guard);
///     waiter.await.unwrap()
/// }).unwrap();
/// assert_eq!(out, Some("saw it"));
/// ```
pub struct Condition {
    mutex: async_lock::Mutex<()>,
    waiters: event_listener::Event,
}

/// Holds a [`Condition`]'s lock; dropping it releases the lock.
#[must_use = "the lock is released when the guard is dropped"]
pub struct ConditionGuard<'a> {
    condition: &'a Condition,
    _guard: async_lock::MutexGuard<'a, ()>,
}

impl Condition {
    /// A new condition with its own lock.
    pub fn new() -> Self {
        Condition { mutex: async_lock::Mutex::new(()), waiters: event_listener::Event::new() }
    }

    /// Waits for the lock and takes it.
    pub async fn acquire(&self) -> ConditionGuard<'_> {
        ConditionGuard { condition: self, _guard: self.mutex.lock().await }
    }

    /// Takes the lock if it is free, without waiting.
    pub fn try_acquire(&self) -> Option<ConditionGuard<'_>> {
        self.mutex.try_lock().map(|guard| ConditionGuard { condition: self, _guard: guard })
    }

    /// Whether the lock is held.
    pub fn locked(&self) -> bool {
        self.mutex.try_lock().is_none()
    }
}

impl<'a> ConditionGuard<'a> {
    /// Releases the lock, waits for a [`notify`](Self::notify) or
    /// [`notify_all`](Self::notify_all), and takes the lock again. Dropping the future while it
    /// waits leaves the lock released.
    pub async fn wait(self) -> ConditionGuard<'a> {
        let condition = self.condition;
        // Listening before the lock is released: a notify right after the release is not lost.
        let listener = condition.waiters.listen();
        drop(self);
        listener.await;
        condition.acquire().await
    }

    /// Waits until `predicate` is true (checked with the lock held, first before waiting).
    pub async fn wait_for(self, mut predicate: impl FnMut() -> bool) -> ConditionGuard<'a> {
        let mut guard = self;
        while !predicate() {
            guard = guard.wait().await;
        }
        guard
    }

    /// Wakes up to `n` waiters not yet woken.
    pub fn notify(&self, n: usize) {
        self.condition.waiters.notify_additional(n);
    }

    /// Wakes every waiter.
    pub fn notify_all(&self) {
        self.condition.waiters.notify(usize::MAX);
    }
}

impl Default for Condition {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition").field("locked", &self.locked()).finish()
    }
}

impl fmt::Debug for ConditionGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ConditionGuard")
    }
}
