//! The part of a loop that other threads may touch: a lock-free queue of wake-ups and `Send`
//! callbacks, and the "a wake event is posted" flag that makes many wakes cost one Qt event.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use concurrent_queue::ConcurrentQueue;

use super::arena::TaskId;

/// Something that reaches the loop's thread: the Qt driver posts an event to its dispatcher.
pub trait WakeSink: Send {
    /// Must be callable from any thread.
    fn post_wake(&self);
}

/// Work that arrives from other threads (or from the loop's own thread while it is not running).
pub enum Remote {
    Wake(TaskId),
    Call(Box<dyn FnOnce() + Send>),
}

pub struct Shared {
    /// Thread token of the thread that owns the loop.
    pub owner: usize,
    remote: ConcurrentQueue<Remote>,
    /// Set by the first wake after a drain started; cleared at the start of the next drain (before
    /// draining, so that a nested Qt loop started by a callback still gets woken).
    wake_pending: AtomicBool,
    /// `None` while no driver is attached (then a wake only queues; the next run posts).
    /// Posting happens under this lock, so detaching waits for any post in progress.
    sink: Mutex<Option<Box<dyn WakeSink>>>,
}

impl Shared {
    pub fn new(owner: usize) -> Self {
        Shared {
            owner,
            remote: ConcurrentQueue::unbounded(),
            wake_pending: AtomicBool::new(false),
            sink: Mutex::new(None),
        }
    }

    /// Queues `item`; fails (handing it back) once the loop is closed.
    pub fn push(&self, item: Remote) -> Result<(), Remote> {
        self.remote.push(item).map_err(|error| error.into_inner())?;
        self.request_wake();
        Ok(())
    }

    /// Posts one wake event unless one is already on its way.
    pub fn request_wake(&self) {
        if !self.wake_pending.swap(true, Ordering::AcqRel) {
            let sink = self.sink.lock().unwrap_or_else(|poison| poison.into_inner());
            if let Some(sink) = sink.as_ref() {
                sink.post_wake();
            }
        }
    }

    /// `request_wake` for the loop's own thread: a plain load first makes the common case (an
    /// event is already on its way) nearly free. Sound on the owner thread because the flag is
    /// only ever cleared there, by `begin_drain`, just before the dispatch that consumes it.
    pub fn request_wake_local(&self) {
        if !self.wake_pending.load(Ordering::Relaxed) {
            self.request_wake();
        }
    }

    /// Whether a wake was requested since the last `begin_drain` (a hint: pushes request one).
    pub fn wake_requested(&self) -> bool {
        self.wake_pending.load(Ordering::Relaxed)
    }

    /// For a dispatch the loop's thread is about to run itself (the I/O reactor's, inside its
    /// own Qt event): wakes until that dispatch begins post nothing, since it will see them.
    /// The dispatch's `begin_drain` clears the flag as usual.
    pub fn claim_wake(&self) {
        self.wake_pending.store(true, Ordering::Release);
    }

    /// Called by the loop's thread before it drains: later wakes post a new event.
    pub fn begin_drain(&self) {
        // A swap (not a store) so that this acquires every push that saw the flag set.
        self.wake_pending.swap(false, Ordering::AcqRel);
    }

    /// Pops what is queued now (not what arrives while draining, so a busy producer cannot keep
    /// the loop's thread here forever).
    pub fn drain(&self, mut each: impl FnMut(Remote)) {
        for _ in 0..self.remote.len() {
            match self.remote.pop() {
                Ok(item) => each(item),
                Err(_) => break,
            }
        }
    }

    pub fn set_sink(&self, sink: Option<Box<dyn WakeSink>>) -> Option<Box<dyn WakeSink>> {
        let mut slot = self.sink.lock().unwrap_or_else(|poison| poison.into_inner());
        std::mem::replace(&mut *slot, sink)
    }

    pub fn is_closed(&self) -> bool {
        self.remote.is_closed()
    }

    /// Refuses all later pushes and hands back what was accepted before.
    pub fn close(&self) -> Vec<Remote> {
        self.remote.close();
        let mut left = Vec::new();
        while let Ok(item) = self.remote.pop() {
            left.push(item);
        }
        left
    }
}
