//! Time on the loop: `sleep` (asyncio.sleep), `timeout` (asyncio.timeout / wait_for),
//! `yield_now` (asyncio.sleep(0)), all on the loop's one timer heap, and time that tests control
//! ([`pause`], [`advance`], [`resume`], [`now`]).

mod control;

pub use control::{advance, now, pause, resume};

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use crate::core::callback::{Callback, TimerHandle};

/// Waits until `duration` has passed (never less). Like asyncio's `sleep`, it always yields to
/// the loop at least once, even for a zero duration.
///
/// # Panics
/// When polled outside a running qtasync loop (as `tokio::time::sleep` does outside tokio).
///
/// The duration counts on the loop's clock ([`now`]) from this call when a loop runs on this
/// thread, otherwise from the first poll (which is always on a running loop).
///
/// ```
/// use std::time::{Duration, Instant};
/// use qtasync::{sleep, Runner};
///
/// let started = Instant::now();
/// Runner::new().keep_running(false).run(sleep(Duration::from_millis(20))).unwrap();
/// assert!(started.elapsed() >= Duration::from_millis(20));
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    match crate::core::scheduler::running() {
        Some(scheduler) => sleep_until(after(scheduler.clock().now(), duration)),
        None => Sleep { deadline: Deadline::After(duration), timer: None },
    }
}

/// Waits until `deadline` on the loop's clock ([`now`], `EventLoop::time`); never earlier.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep { deadline: Deadline::At(deadline), timer: None }
}

/// `now + duration`, or about 30 years from `now` when that overflows (later than any realistic
/// deadline, and still representable).
pub(crate) fn after(now: Instant, duration: Duration) -> Instant {
    now.checked_add(duration).unwrap_or_else(|| now + Duration::from_secs(86_400 * 365 * 30))
}

#[derive(Clone, Copy)]
enum Deadline {
    At(Instant),
    /// Made outside a running loop: counts from the first poll.
    After(Duration),
}

/// A sleep's timer: the timer-heap callback and the sleeper's waker in one allocation.
struct Alarm {
    fired: Cell<bool>,
    cancelled: Cell<bool>,
    in_heap: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

impl Callback for Alarm {
    fn run(&self) {
        if !self.cancelled.get() && !self.fired.replace(true) {
            if let Some(waker) = self.waker.borrow_mut().take() {
                waker.wake();
            }
        }
    }

    fn cancel(&self) {
        if !self.cancelled.replace(true) {
            drop(self.waker.borrow_mut().take());
        }
    }

    fn cancelled(&self) -> bool {
        self.cancelled.get()
    }

    fn location(&self) -> &'static Location<'static> {
        static SLEEP: &Location<'static> = Location::caller();
        SLEEP
    }

    fn set_in_heap(&self, in_heap: bool) {
        self.in_heap.set(in_heap);
    }

    fn in_heap(&self) -> bool {
        self.in_heap.get()
    }

    fn wakes_task(&self) -> bool {
        true
    }
}

/// The future of [`sleep`].
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    deadline: Deadline,
    timer: Option<(TimerHandle, Rc<Alarm>)>,
}

impl Sleep {
    /// When the sleep ends, on the loop's clock. For a sleep made outside a running loop and
    /// not yet polled: as if it started now.
    pub fn deadline(&self) -> Instant {
        match self.deadline {
            Deadline::At(deadline) => deadline,
            Deadline::After(duration) => after(now(), duration),
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some((_, alarm)) = &self.timer {
            if alarm.fired.get() {
                return Poll::Ready(());
            }
            let mut waker = alarm.waker.borrow_mut();
            if !waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *waker = Some(cx.waker().clone());
            }
            return Poll::Pending;
        }
        let scheduler = crate::core::scheduler::running()
            .expect("qtasync::sleep must be awaited inside a running qtasync event loop");
        let deadline = match self.deadline {
            Deadline::At(deadline) => deadline,
            Deadline::After(duration) => after(scheduler.clock().now(), duration),
        };
        self.deadline = Deadline::At(deadline);
        let alarm = Rc::new(Alarm {
            fired: Cell::new(false),
            cancelled: Cell::new(false),
            in_heap: Cell::new(false),
            waker: RefCell::new(Some(cx.waker().clone())),
        });
        match scheduler.schedule_at(deadline, alarm.clone()) {
            Ok(handle) => {
                self.timer = Some((handle, alarm));
                Poll::Pending
            }
            // A closing loop drops its tasks anyway; finishing is the least surprising answer.
            Err(_) => Poll::Ready(()),
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some((handle, _)) = &self.timer {
            handle.cancel();
        }
    }
}

/// The deadline of a [`timeout`] passed first (asyncio's `TimeoutError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elapsed {
    /// The deadline that passed.
    pub deadline: Instant,
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

pin_project_lite::pin_project! {
    /// The future of [`timeout`].
    #[must_use = "futures do nothing unless awaited"]
    pub struct Timeout<F> {
        #[pin]
        future: F,
        sleep: Sleep,
    }
}

/// Runs `future`, giving up (and dropping it) when `duration` passes first.
///
/// ```
/// use std::time::Duration;
/// use qtasync::{sleep, timeout, Runner};
///
/// let outcome = Runner::new().keep_running(false).start_paused(true).run(async {
///     let quick = timeout(Duration::from_secs(1), async { 7 }).await;
///     let slow = timeout(Duration::from_secs(1), sleep(Duration::from_secs(60))).await;
///     (quick, slow.is_err())
/// }).unwrap();
/// assert_eq!(outcome, Some((Ok(7), true)));
/// ```
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout { future, sleep: sleep(duration) }
}

/// Runs `future`, giving up at `deadline`.
pub fn timeout_at<F: Future>(deadline: Instant, future: F) -> Timeout<F> {
    Timeout { future, sleep: sleep_until(deadline) }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(output) = this.future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        match Pin::new(&mut *this.sleep).poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed { deadline: this.sleep.deadline() })),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Yields once to the loop: other ready callbacks and tasks run before this task goes on.
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future of [`yield_now`].
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
