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
use crate::core::timers::{to_instant, to_nanos, Nanos, TimerKey};

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
        None => Sleep {
            nanos: i64::try_from(duration.as_nanos()).unwrap_or(i64::MAX),
            timer: AFTER,
            scheduler: Weak::new(),
        },
    }
}

/// Waits until `deadline` on the loop's clock ([`now`], `EventLoop::time`); never earlier.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep { nanos: to_nanos(deadline), timer: AT, scheduler: Weak::new() }
}

/// `now + duration`, or about 30 years from `now` when that overflows (later than any realistic
/// deadline, and still representable).
pub(crate) fn after(now: Instant, duration: Duration) -> Instant {
    now.checked_add(duration).unwrap_or_else(|| now + Duration::from_secs(86_400 * 365 * 30))
}

/// `Sleep::timer` before the first poll: `nanos` is the deadline.
const AT: u64 = TimerKey::MAX_ID + 1;
/// `Sleep::timer` before the first poll of a sleep made outside a running loop: `nanos` is the
/// duration, counted from that poll.
const AFTER: u64 = TimerKey::MAX_ID + 2;

/// The future of [`sleep`]. 24 bytes (a task's future often holds a sleep twice: the value it
/// captured and the one it awaits, which rustc keeps apart), so its state is three words rather
/// than an enum: the deadline in the timer heap's nanoseconds, the timer's id (or `AT` /
/// `AFTER` before the first poll) and the loop (a dangling `Weak` until then).
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    nanos: Nanos,
    timer: u64,
    scheduler: Weak<Scheduler>,
}

#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Sleep>() == 24);

impl Sleep {
    /// When the sleep ends, on the loop's clock. For a sleep made outside a running loop and
    /// not yet polled: as if it started now. (A deadline 292 years or more after the process
    /// started reads as that limit, and never comes.)
    pub fn deadline(&self) -> Instant {
        match self.timer {
            AFTER => after(now(), duration_of(self.nanos)),
            _ => to_instant(self.nanos),
        }
    }

    /// The timer's key once the sleep was polled.
    fn key(&self) -> Option<TimerKey> {
        (self.timer <= TimerKey::MAX_ID).then(|| TimerKey::from_parts(self.nanos, self.timer))
    }
}

fn duration_of(nanos: Nanos) -> Duration {
    Duration::from_nanos(nanos.max(0) as u64)
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(mut key) = self.key() {
            // A gone loop (or a fired timer) ends the sleep.
            let Some(scheduler) = self.scheduler.upgrade() else { return Poll::Ready(()) };
            if !scheduler.sleep_pending(&mut key, cx.waker()) {
                return Poll::Ready(());
            }
            self.timer = key.id(); // (a key changes when the timer changes kind)
            return Poll::Pending;
        }
        let scheduler = crate::core::scheduler::running()
            .expect("qtasync::sleep must be awaited inside a running qtasync event loop");
        let deadline = match self.timer {
            AFTER => after(scheduler.clock().now(), duration_of(self.nanos)),
            _ => to_instant(self.nanos),
        };
        self.nanos = to_nanos(deadline);
        self.timer = AT;
        match scheduler.sleep_until(deadline, cx.waker()) {
            Ok(key) => {
                self.nanos = key.when();
                self.timer = key.id();
                self.scheduler = scheduler.weak();
                Poll::Pending
            }
            // A closing loop drops its tasks anyway; finishing is the least surprising answer.
            Err(_) => Poll::Ready(()),
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(key) = self.key() {
            if let Some(scheduler) = self.scheduler.upgrade() {
                scheduler.cancel_sleep(key);
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
