//! asyncio's `Handle`: what `call_soon` returns. It holds no share of the callback: it names the
//! callback's entry in the ready queue (see `ready.rs`), so a callback that is never cancelled
//! costs no allocation for its handle.

use std::cell::Cell;
use std::fmt;
use std::panic::Location;
use std::rc::Weak;

use super::Scheduler;

/// A callback scheduled with `call_soon` (asyncio's `Handle`).
pub struct Handle {
    scheduler: Weak<Scheduler>,
    seq: u64,
    location: &'static Location<'static>,
    cancelled: Cell<bool>,
}

impl Handle {
    pub(super) fn new(
        scheduler: Weak<Scheduler>,
        seq: u64,
        location: &'static Location<'static>,
    ) -> Handle {
        Handle { scheduler, seq, location, cancelled: Cell::new(false) }
    }

    /// Cancels the callback: it will not run, and what it captured is dropped now. Cancelling a
    /// callback that already ran, or twice, does nothing (but [`cancelled`](Self::cancelled)
    /// says it was asked, as asyncio's does).
    pub fn cancel(&self) {
        if self.cancelled.replace(true) {
            return;
        }
        let Some(scheduler) = self.scheduler.upgrade() else { return };
        let callback = scheduler.ready.borrow_mut().cancel_soon(self.seq);
        // Dropped with no borrow held: its destructor may schedule more work.
        drop(callback);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn cancelled(&self) -> bool {
        self.cancelled.get()
    }

    /// Where the callback was scheduled.
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("cancelled", &self.cancelled())
            .field("location", &format_args!("{}", self.location()))
            .finish()
    }
}
