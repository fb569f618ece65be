//! `Lock`: mutual exclusion between tasks.

use std::fmt;

/// A lock between tasks (asyncio's `Lock`), held while its [`LockGuard`] lives. Waiters are woken
/// one at a time, oldest first. Unlike asyncio's lock, a task that calls `acquire` just as the
/// lock is released may take it ahead of the woken waiter (`async-lock`'s `Mutex`, which this
/// is, then favours the waiters that lost). `Send + Sync`.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use qtasync::sync::Lock;
/// use qtasync::{gather, spawn, yield_now, Runner};
///
/// let log = Runner::new().keep_running(false).run(async {
///     let lock = Rc::new(Lock::new());
///     let log = Rc::new(RefCell::new(Vec::new()));
///     let tasks: Vec<_> = (0..2).map(|n| {
///         let (lock, log) = (lock.clone(), log.clone());
///         spawn(async move {
///             let _held = lock.acquire().await;
///             log.borrow_mut().push(format!("{n} in"));
///             yield_now().await; // the other task runs, but cannot enter
///             log.borrow_mut().push(format!("{n} out"));
///         }).unwrap()
///     }).collect();
///     gather(tasks).await.unwrap();
///     log.take()
/// }).unwrap();
/// assert_eq!(log, Some(vec!["0 in".into(), "0 out".into(), "1 in".into(), "1 out".into()]));
/// ```
pub struct Lock {
    mutex: async_lock::Mutex<()>,
}

/// Holds a [`Lock`]; dropping it releases the lock (asyncio's `release`).
#[must_use = "the lock is released when the guard is dropped"]
pub struct LockGuard<'a> {
    _guard: async_lock::MutexGuard<'a, ()>,
}

impl Lock {
    /// A new, unlocked lock.
    pub fn new() -> Self {
        Lock { mutex: async_lock::Mutex::new(()) }
    }

    /// Waits for the lock and takes it. Cancel-safe: dropping the future while it waits gives up
    /// the place in the queue.
    pub async fn acquire(&self) -> LockGuard<'_> {
        LockGuard { _guard: self.mutex.lock().await }
    }

    /// Takes the lock if it is free, without waiting.
    pub fn try_acquire(&self) -> Option<LockGuard<'_>> {
        self.mutex.try_lock().map(|guard| LockGuard { _guard: guard })
    }

    /// Whether the lock is held.
    pub fn locked(&self) -> bool {
        self.mutex.try_lock().is_none()
    }
}

impl Default for Lock {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock").field("locked", &self.locked()).finish()
    }
}

impl fmt::Debug for LockGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LockGuard")
    }
}
