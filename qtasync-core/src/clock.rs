//! The loop's clock: real monotonic time until a test (or a user's harness) pauses it; then
//! virtual. Paused, it moves only when told to (`advance`) or when the scheduler finds nothing
//! to run but timers, and jumps to the earliest deadline (tokio's paused time, on Qt's loop).
//!
//! Virtual time is `base + (time since resume)`: never paused, that is exactly `Instant::now()`.
//! Executor jobs hold the clock (`TimeHold`): their results arrive in real time, so virtual time
//! does not jump ahead of them.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::shared::Shared;
use std::time::{Duration, Instant};

pub struct Clock {
    /// The clock's reading when it was last paused, resumed or advanced.
    base: Cell<Instant>,
    /// When the clock was last resumed (`None` while paused).
    running_since: Cell<Option<Instant>>,
    /// Never paused nor advanced: `now()` is `Instant::now()` (the fast path).
    real: Cell<bool>,
    holds: Arc<AtomicUsize>,
}

/// Keeps a paused clock from jumping ahead while something outside the loop is in flight (an
/// executor job: the worker drops it once the result is sent). `Send`. The last one released
/// asks the loop for a dispatch: the loop may have gone idle while it was held.
pub struct TimeHold {
    holds: Arc<AtomicUsize>,
    shared: Arc<Shared>,
}

impl Drop for TimeHold {
    fn drop(&mut self) {
        if self.holds.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.shared.request_wake();
        }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock {
    pub fn new() -> Self {
        let now = Instant::now();
        Clock {
            base: Cell::new(now),
            running_since: Cell::new(Some(now)),
            real: Cell::new(true),
            holds: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn now(&self) -> Instant {
        if self.real.get() {
            return Instant::now();
        }
        match self.running_since.get() {
            Some(since) => self.base.get() + since.elapsed(),
            None => self.base.get(),
        }
    }

    pub fn is_paused(&self) -> bool {
        self.running_since.get().is_none()
    }

    /// Stops the clock at its current reading. Nothing if already paused.
    pub fn pause(&self) {
        if !self.is_paused() {
            self.base.set(self.now());
            self.running_since.set(None);
            self.real.set(false);
        }
    }

    /// Lets the clock run again from its current reading. Nothing if running.
    pub fn resume(&self) {
        if self.is_paused() {
            self.running_since.set(Some(Instant::now()));
        }
    }

    /// Moves the clock forward by `by` (paused or not; a running clock keeps the lead).
    pub fn advance(&self, by: Duration) {
        let now = self.now();
        self.base.set(now.checked_add(by).unwrap_or(now));
        if !self.is_paused() {
            self.running_since.set(Some(Instant::now()));
        }
        self.real.set(false);
    }

    /// Moves a paused clock forward to `to` (if later).
    pub fn jump_to(&self, to: Instant) {
        if self.is_paused() && to > self.base.get() {
            self.base.set(to);
        }
    }

    /// The real instant at which the clock reads `deadline`; `None` while paused (a paused
    /// clock reaches deadlines by jumping, not by waiting).
    pub fn to_real(&self, deadline: Instant) -> Option<Instant> {
        if self.real.get() {
            return Some(deadline);
        }
        self.running_since.get()?;
        Some(Instant::now() + deadline.saturating_duration_since(self.now()))
    }

    /// Holds a paused clock where it is until the hold is dropped; releasing the last hold
    /// requests a dispatch through `shared`.
    pub fn hold(&self, shared: &Arc<Shared>) -> TimeHold {
        self.holds.fetch_add(1, Ordering::SeqCst);
        TimeHold { holds: self.holds.clone(), shared: shared.clone() }
    }

    pub fn held(&self) -> bool {
        self.holds.load(Ordering::SeqCst) > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paused_clock_moves_only_when_advanced() {
        let clock = Clock::new();
        clock.pause();
        let t0 = clock.now();
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(clock.now(), t0);
        clock.advance(Duration::from_secs(600));
        assert_eq!(clock.now(), t0 + Duration::from_secs(600));
        assert_eq!(clock.to_real(t0), None);
        clock.jump_to(t0 + Duration::from_secs(601));
        assert_eq!(clock.now(), t0 + Duration::from_secs(601));
        clock.jump_to(t0);
        assert_eq!(clock.now(), t0 + Duration::from_secs(601), "never backwards");
    }

    #[test]
    fn a_resumed_clock_keeps_its_lead_and_runs() {
        let clock = Clock::new();
        clock.pause();
        clock.advance(Duration::from_secs(10));
        let lead = clock.now();
        clock.resume();
        std::thread::sleep(Duration::from_millis(2));
        assert!(clock.now() >= lead + Duration::from_millis(2));
        let real = clock.to_real(clock.now() + Duration::from_secs(1)).unwrap();
        let until = real.saturating_duration_since(Instant::now());
        assert!(until <= Duration::from_secs(1) && until > Duration::from_millis(900));
    }

    #[test]
    fn holds_are_counted() {
        let clock = Clock::new();
        let shared = Arc::new(Shared::new(crate::thread_token::current()));
        let a = clock.hold(&shared);
        let b = clock.hold(&shared);
        drop(a);
        assert!(clock.held());
        drop(b);
        assert!(!clock.held());
    }
}
