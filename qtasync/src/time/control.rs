//! Time that tests control: pause the loop's clock, advance it, resume it. While paused, the
//! clock also jumps by itself: when nothing is ready to run but timers, it moves to the earliest
//! deadline at once, so a test of a ten-minute timeout runs in milliseconds, on the real Qt loop.
//!
//! What follows the loop's clock: [`EventLoop::time`], [`now`], `call_later`/`call_at`,
//! [`sleep`](super::sleep), [`timeout`](super::timeout) and everything built on them. What keeps
//! real time: Qt's own `QTimer`s and animations, executor jobs (`run_in_executor`; while one is
//! in flight the paused clock does not jump, since its result arrives in real time), I/O and
//! other threads (the clock does not wait for them: a test that awaits those should not pause).

use std::time::{Duration, Instant};

use crate::error::NoRunningLoop;
use crate::event_loop::{get_running_loop, EventLoop};

/// The running loop's clock (its [`EventLoop::time`]); `Instant::now()` when no loop runs on
/// this thread.
pub fn now() -> Instant {
    match crate::core::scheduler::running() {
        Some(scheduler) => scheduler.clock().now(),
        None => Instant::now(),
    }
}

/// Pauses the running loop's clock (tokio's `time::pause`): from now on it moves only by
/// [`advance`] or by jumping to the next timer when nothing else is ready.
///
/// ```
/// use std::time::Duration;
/// use qtasync::time::{self, sleep};
///
/// qtasync::Runner::new().keep_running(false).run(async {
///     time::pause().unwrap();
///     let start = time::now();
///     sleep(Duration::from_secs(3600)).await; // returns at once, an hour later
///     assert_eq!(time::now() - start, Duration::from_secs(3600));
/// })
/// .unwrap();
/// ```
pub fn pause() -> Result<(), NoRunningLoop> {
    get_running_loop()?.pause_time();
    Ok(())
}

/// Lets the running loop's clock run again in step with real time, keeping the lead it has.
pub fn resume() -> Result<(), NoRunningLoop> {
    get_running_loop()?.resume_time();
    Ok(())
}

/// Moves the running loop's clock forward by `by`, then yields once, so that the timers now
/// due run before this returns.
///
/// # Panics
/// When awaited outside a running qtasync loop.
pub async fn advance(by: Duration) {
    let event_loop = get_running_loop()
        .expect("qtasync::time::advance must be awaited inside a running qtasync loop");
    event_loop.advance_time(by);
    // A timer at the new reading: it comes out of the heap after every timer due by then, so
    // those run before this task goes on.
    super::sleep_until(event_loop.time()).await;
}

impl EventLoop {
    /// Pauses this loop's clock; see [`pause`].
    pub fn pause_time(&self) {
        self.core().clock().pause();
    }

    /// Resumes this loop's clock; see [`resume`].
    pub fn resume_time(&self) {
        self.core().clock().resume();
        self.core().request_dispatch();
    }

    /// Moves this loop's clock forward by `by` (paused or not); timers now due run at the loop's
    /// next iteration.
    pub fn advance_time(&self, by: Duration) {
        self.core().clock().advance(by);
        self.core().request_dispatch();
    }

    /// Whether this loop's clock is paused.
    pub fn is_time_paused(&self) -> bool {
        self.core().clock().is_paused()
    }
}
