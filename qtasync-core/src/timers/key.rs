//! Deadlines as nanoseconds ([`Nanos`]) and the keys that name sleeps' timers ([`TimerKey`]).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A deadline in nanoseconds from a process-wide epoch (the first use), negative before it;
/// exact for every `Instant` within 292 years of it (later ones saturate to `Nanos::MAX`, which
/// the heap treats as never).
pub type Nanos = i64;

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

pub fn to_nanos(when: Instant) -> Nanos {
    let epoch = epoch();
    match when.checked_duration_since(epoch) {
        Some(after) => i64::try_from(after.as_nanos()).unwrap_or(i64::MAX),
        None => i64::try_from(epoch.duration_since(when).as_nanos()).map_or(i64::MIN, |n| -n),
    }
}

pub fn to_instant(nanos: Nanos) -> Instant {
    let epoch = epoch();
    let offset = Duration::from_nanos(nanos.unsigned_abs());
    if nanos >= 0 {
        epoch + offset
    } else {
        epoch - offset
    }
}

/// The kind bit of an entry's target and of a key's id: set for a task id (a sleep awaited by
/// its own task), clear for a slot.
pub(super) const TASK: u64 = 1 << 63;

/// Names a sleep's timer: its deadline and an id (a task's, or a slot's index and generation;
/// see the module's notes). Ids never exceed [`TimerKey::MAX_ID`], so a holder may use the values
/// above it for states of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerKey {
    pub(super) when: Nanos,
    pub(super) id: u64,
}

impl TimerKey {
    pub const MAX_ID: u64 = u64::MAX - 2;

    /// A key from the parts a holder stored apart ([`when`](Self::when), [`id`](Self::id)).
    pub fn from_parts(when: Nanos, id: u64) -> TimerKey {
        TimerKey { when, id }
    }

    pub fn when(self) -> Nanos {
        self.when
    }

    pub fn id(self) -> u64 {
        self.id
    }

    /// The deadline as an `Instant` on the loop's clock.
    pub fn deadline(self) -> Instant {
        to_instant(self.when)
    }

    pub(super) fn slot(index: u32, generation: u32) -> u64 {
        (u64::from(index) << 32) | u64::from(generation)
    }

    /// For a slot's key: its index and generation.
    pub(super) fn slot_parts(self) -> Option<(u32, u32)> {
        (self.id & TASK == 0).then_some(((self.id >> 32) as u32, self.id as u32))
    }
}
