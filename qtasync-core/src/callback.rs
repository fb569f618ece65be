//! Timer callbacks and their handles (asyncio's `TimerHandle`). A `call_later` callback is stored
//! once, in one allocation shared by the timer heap and the handle; cancelling drops it at once,
//! so a cancelled callback never runs and frees what it captured. (`call_soon`'s callbacks live
//! in the ready queue itself: see `scheduler/ready.rs`.)

use std::cell::Cell;
use std::fmt;
use std::panic::Location;
use std::rc::Rc;
use std::time::Instant;

pub trait Callback {
    /// Runs the callback unless cancelled; a second call does nothing.
    fn run(&self);
    fn cancel(&self);
    fn cancelled(&self) -> bool;
    /// Where the callback was scheduled (for error reports and debug warnings).
    fn location(&self) -> &'static Location<'static>;
    /// For timers: whether the callback is still in the timer heap.
    fn set_in_heap(&self, in_heap: bool);
    fn in_heap(&self) -> bool;
}

struct CallbackCell<F> {
    callback: Cell<Option<F>>,
    cancelled: Cell<bool>,
    in_heap: Cell<bool>,
    location: &'static Location<'static>,
}

impl<F: FnOnce()> Callback for CallbackCell<F> {
    fn run(&self) {
        if !self.cancelled.get() {
            if let Some(callback) = self.callback.take() {
                callback();
            }
        }
    }

    fn cancel(&self) {
        if !self.cancelled.replace(true) {
            drop(self.callback.take());
        }
    }

    fn cancelled(&self) -> bool {
        self.cancelled.get()
    }

    fn location(&self) -> &'static Location<'static> {
        self.location
    }

    fn set_in_heap(&self, in_heap: bool) {
        self.in_heap.set(in_heap);
    }

    fn in_heap(&self) -> bool {
        self.in_heap.get()
    }
}

pub fn new_callback<F: FnOnce() + 'static>(
    callback: F,
    location: &'static Location<'static>,
) -> Rc<dyn Callback> {
    Rc::new(CallbackCell {
        callback: Cell::new(Some(callback)),
        cancelled: Cell::new(false),
        in_heap: Cell::new(false),
        location,
    })
}

/// A callback scheduled with `call_later` or `call_at` (asyncio's `TimerHandle`).
#[derive(Clone)]
pub struct TimerHandle {
    pub callback: Rc<dyn Callback>,
    pub when: Instant,
    /// Counts cancelled entries still in the heap, so the heap can drop them in bulk.
    pub heap_cancelled: Rc<Cell<usize>>,
}

impl TimerHandle {
    /// Cancels the callback; a cancelled timer costs nothing when its deadline comes.
    pub fn cancel(&self) {
        let callback = &self.callback;
        if !callback.cancelled() && callback.in_heap() {
            self.heap_cancelled.set(self.heap_cancelled.get() + 1);
        }
        callback.cancel();
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn cancelled(&self) -> bool {
        self.callback.cancelled()
    }

    /// The deadline, on the loop's monotonic clock (qtasync's `EventLoop::time`).
    pub fn when(&self) -> Instant {
        self.when
    }

    /// Where the callback was scheduled.
    pub fn location(&self) -> &'static Location<'static> {
        self.callback.location()
    }
}

impl fmt::Debug for TimerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimerHandle")
            .field("when", &self.when)
            .field("cancelled", &self.cancelled())
            .field("location", &format_args!("{}", self.location()))
            .finish()
    }
}
