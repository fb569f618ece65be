//! Time on the loop: `sleep` (asyncio.sleep), `timeout` (asyncio.timeout / wait_for),
//! `yield_now` (asyncio.sleep(0)), all on the loop's one timer heap, and time that tests control
//! ([`pause`], [`advance`], [`resume`], [`now`]).

mod control;

pub use control::{advance, now, pause, resume};

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Weak;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::core::scheduler::Scheduler;
use crate::core::timers::TimerKey;

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
        None => Sleep { state: State::After(duration) },
    }
}

/// Waits until `deadline` on the loop's clock ([`now`], `EventLoop::time`); never earlier.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep { state: State::At(deadline) }
}

/// `now + duration`, or about 30 years from `now` when that overflows (later than any realistic
/// deadline, and still representable).
pub(crate) fn after(now: Instant, duration: Duration) -> Instant {
    now.checked_add(duration).unwrap_or_else(|| now + Duration::from_secs(86_400 * 365 * 30))
}

/// One enum rather than a deadline beside an optional registration: a `Sleep` is 32 bytes, not
/// 40, and a task's future often holds it twice (the value it captured and the one it awaits).
enum State {
    /// Not polled yet.
    At(Instant),
    /// Made outside a running loop, not polled yet: counts from the first poll.
    After(Duration),
    /// Polled: the timer's slot in the loop's heap, which keeps the task's waker (no
    /// allocation of the sleep's own), and the loop.
    Registered { deadline: Instant, key: TimerKey, scheduler: Weak<Scheduler> },
}

/// The future of [`sleep`].
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    state: State,
}

// The size the comment on `State` promises (the tag sits in the `Instant`'s niche).
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Sleep>() == 32);

impl Sleep {
    /// When the sleep ends, on the loop's clock. For a sleep made outside a running loop and
    /// not yet polled: as if it started now.
    pub fn deadline(&self) -> Instant {
        match self.state {
            State::At(deadline) | State::Registered { deadline, .. } => deadline,
            State::After(duration) => after(now(), duration),
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let State::Registered { key, scheduler, .. } = &self.state {
            // A gone loop (or a fired timer) ends the sleep.
            return match scheduler.upgrade() {
                Some(scheduler) if scheduler.sleep_pending(*key, cx.waker()) => Poll::Pending,
                _ => Poll::Ready(()),
            };
        }
        let scheduler = crate::core::scheduler::running()
            .expect("qtasync::sleep must be awaited inside a running qtasync event loop");
        let deadline = match self.state {
            State::After(duration) => after(scheduler.clock().now(), duration),
            State::At(deadline) | State::Registered { deadline, .. } => deadline,
        };
        self.state = State::At(deadline);
        match scheduler.sleep_until(deadline, cx.waker()) {
            Ok(key) => {
                self.state = State::Registered { deadline, key, scheduler: scheduler.weak() };
                Poll::Pending
            }
            // A closing loop drops its tasks anyway; finishing is the least surprising answer.
            Err(_) => Poll::Ready(()),
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let State::Registered { key, scheduler, .. } = &self.state {
            if let Some(scheduler) = scheduler.upgrade() {
                scheduler.cancel_sleep(*key);
            }
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
