//! The loop's one timer structure: a binary heap ordered by deadline, then by scheduling order
//! (equal deadlines run first-in first-out). The Qt driver arms a single OS timer for the earliest
//! deadline. Cancelled entries are skipped when they surface and purged in bulk when they become
//! the majority, so cancelling costs O(1) now and nothing later.
//!
//! Deadlines are nanoseconds from a process-wide epoch ([`Nanos`]): an entry is 24 bytes
//! (deadline, order, target). What an entry fires is one of two kinds:
//! - **A sleep awaited by its own task** (polled with the waker the task lends): the task's id,
//!   in the entry itself, with nothing else allocated. Its [`TimerKey`] is the deadline and the
//!   id. `pop_due` takes every entry due at the `now` it is given, so such an entry is in the
//!   heap exactly while its deadline is after the latest such `now` (`popped_through`): a key
//!   answers "still pending?" without a lookup. Cancelling one records (deadline, id) in a
//!   small multiset that the entry meets when it surfaces (entries with the same deadline and
//!   task are interchangeable). A sleep whose deadline had already passed when it was pushed
//!   reads as fired at once and, if dropped first, leaves its entry to surface at the next
//!   collection (an extra wake of its task at most).
//! - **A `call_later` callback, or a sleep polled with any other waker**: a slot of its own,
//!   named by index and generation, so that a key whose timer fired (and whose slot was reused
//!   since) no longer reaches it.

use std::cell::Cell;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::rc::Rc;
use std::task::Waker;
use std::time::Instant;

use super::arena::TaskId;
use super::callback::Callback;

mod key;
use key::TASK;
pub use key::{to_instant, to_nanos, Nanos, TimerKey};

struct Entry {
    when: Nanos,
    seq: u64,
    /// `TASK | TaskId::to_bits()`, or a slot index.
    target: u64,
}

impl Entry {
    fn task(&self) -> Option<TaskId> {
        (self.target & TASK != 0).then(|| TaskId::from_bits(self.target))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.when, self.seq) == (other.when, other.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    // Reversed: `BinaryHeap` is a max-heap and we want the earliest entry on top.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.when, other.seq).cmp(&(self.when, self.seq))
    }
}

/// What a slot holds.
enum Fire {
    Call(Rc<dyn Callback>),
    /// A sleep's waker; `None` once the sleep was dropped (cancelled) before its deadline.
    Wake(Option<Waker>),
    Vacant,
}

struct Slot {
    generation: u32,
    fire: Fire,
}

/// A due timer, handed to the ready queue.
pub enum Fired {
    Call(Rc<dyn Callback>),
    Wake(Waker),
    Task(TaskId),
}

/// What a sleep's timer wakes: its task by id (the task's poll lent the waker) or a waker
/// (owned: cloned before the heap was borrowed).
pub enum SleepTarget {
    Task(TaskId),
    Waker(Waker),
}

impl SleepTarget {
    fn into_waker(self) -> Option<Waker> {
        match self {
            SleepTarget::Waker(waker) => Some(waker),
            SleepTarget::Task(_) => None,
        }
    }
}

/// Below this size a purge is not worth it.
const PURGE_MIN_LEN: usize = 64;

pub struct TimerHeap {
    heap: BinaryHeap<Entry>,
    slots: Vec<Slot>,
    free: Vec<u32>,
    next_seq: u64,
    /// Every entry due at or before this was taken by `pop_due`.
    popped_through: Nanos,
    /// Task entries cancelled while in the heap: (deadline, target) -> how many.
    cancelled_tasks: HashMap<(Nanos, u64), u32>,
    cancelled: Rc<Cell<usize>>,
}

impl Default for TimerHeap {
    fn default() -> Self {
        Self::new()
    }
}

impl TimerHeap {
    pub fn new() -> Self {
        TimerHeap {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            next_seq: 0,
            popped_through: Nanos::MIN,
            cancelled_tasks: HashMap::new(),
            cancelled: Rc::new(Cell::new(0)),
        }
    }

    /// The counter a `TimerHandle` bumps when it is cancelled while in the heap.
    pub fn cancelled_counter(&self) -> Rc<Cell<usize>> {
        self.cancelled.clone()
    }

    /// No entry at all (not even a cancelled one).
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn push(&mut self, when: Instant, callback: Rc<dyn Callback>) {
        callback.set_in_heap(true);
        self.push_slot(to_nanos(when), Fire::Call(callback));
    }

    /// A sleep's timer: at `when`, queues the task (the task's poll lent the waker, so the id
    /// is all the timer needs) or wakes the waker.
    pub fn push_wake(&mut self, when: Instant, target: SleepTarget) -> TimerKey {
        self.push_wake_at(to_nanos(when), target)
    }

    fn push_wake_at(&mut self, when: Nanos, target: SleepTarget) -> TimerKey {
        match target {
            SleepTarget::Task(id) => {
                let target = TASK | id.to_bits();
                self.push_entry(when, target);
                TimerKey { when, id: target }
            }
            SleepTarget::Waker(waker) => self.push_slot(when, Fire::Wake(Some(waker))),
        }
    }

    fn push_slot(&mut self, when: Nanos, fire: Fire) -> TimerKey {
        let index = match self.free.pop() {
            Some(index) => {
                self.slots[index as usize].fire = fire;
                index
            }
            None => {
                let index = u32::try_from(self.slots.len())
                    .ok()
                    .filter(|index| u64::from(*index) < TASK >> 32)
                    .expect("fewer than 2^31 live timer slots");
                self.slots.push(Slot { generation: 0, fire });
                index
            }
        };
        self.push_entry(when, u64::from(index));
        TimerKey { when, id: TimerKey::slot(index, self.slots[index as usize].generation) }
    }

    fn push_entry(&mut self, when: Nanos, target: u64) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { when, seq, target });
        self.purge_if_mostly_cancelled();
    }

    /// A sleep's slot while its timer waits (not fired, not cancelled).
    fn live_slot(&mut self, key: TimerKey) -> Option<&mut Option<Waker>> {
        let (index, generation) = key.slot_parts()?;
        let slot = self.slots.get_mut(index as usize)?;
        match &mut slot.fire {
            Fire::Wake(waker @ Some(_)) if slot.generation == generation => Some(waker),
            _ => None,
        }
    }

    /// Whether the sleep's timer is still waiting; if so, it will wake `target` (a timer that
    /// changes kind, task id to waker or back, is pushed again under a new key, after the
    /// timers with its deadline). A waker left over (the replaced one, or `target`'s own when
    /// the slot already wakes the same task) is handed back, to be dropped outside any borrow.
    /// Wakers come in owned, cloned by the caller before it borrowed the heap: a waker's
    /// `clone` may be anyone's code.
    pub fn update_wake(
        &mut self,
        key: &mut TimerKey,
        target: SleepTarget,
    ) -> (bool, Option<Waker>) {
        if key.id & TASK != 0 {
            if key.when <= self.popped_through {
                return (false, target.into_waker());
            }
            if let SleepTarget::Task(id) = &target {
                if TASK | id.to_bits() == key.id {
                    return (true, None);
                }
            }
            self.cancel_wake(*key);
            *key = self.push_wake_at(key.when, target);
            return (true, None);
        }
        let Some(current) = self.live_slot(*key) else {
            return (false, target.into_waker());
        };
        match target {
            SleepTarget::Waker(waker) => match current {
                Some(current) if current.will_wake(&waker) => (true, Some(waker)),
                _ => (true, current.replace(waker)),
            },
            task @ SleepTarget::Task(_) => {
                let old = self.cancel_wake(*key);
                *key = self.push_wake_at(key.when, task);
                (true, old)
            }
        }
    }

    /// Cancels a sleep's timer (its entry is skipped when it surfaces); hands back the waker.
    /// A fired or stale key does nothing.
    pub fn cancel_wake(&mut self, key: TimerKey) -> Option<Waker> {
        if key.id & TASK != 0 {
            if key.when > self.popped_through {
                *self.cancelled_tasks.entry((key.when, key.id)).or_insert(0) += 1;
                self.cancelled.set(self.cancelled.get() + 1);
            }
            return None;
        }
        let waker = self.live_slot(key)?.take();
        self.cancelled.set(self.cancelled.get() + 1);
        waker
    }

    /// The earliest deadline of a live (not cancelled) timer. A deadline that saturated
    /// ([`Nanos::MAX`], 292 years or more away) never comes: it is not a deadline here.
    pub fn next_deadline(&mut self) -> Option<Instant> {
        self.drop_cancelled_on_top();
        self.heap.peek().filter(|entry| entry.when < Nanos::MAX).map(|entry| to_instant(entry.when))
    }

    /// Moves every live timer due at `now` into `out`, in deadline-then-FIFO order (never one
    /// whose deadline saturated: `now` is read as at most `Nanos::MAX - 1`, so only `take_all`
    /// makes every key read as fired).
    pub fn pop_due(&mut self, now: Instant, mut out: impl FnMut(Fired)) {
        let now = to_nanos(now).min(Nanos::MAX - 1);
        self.popped_through = self.popped_through.max(now);
        loop {
            self.drop_cancelled_on_top();
            match self.heap.peek() {
                Some(entry) if entry.when <= now => {}
                _ => return,
            }
            let entry = self.heap.pop().expect("peeked");
            if let Some(id) = entry.task() {
                out(Fired::Task(id));
                continue;
            }
            match self.free_slot(entry.target as u32) {
                Fire::Call(callback) => out(Fired::Call(callback)),
                Fire::Wake(Some(waker)) => out(Fired::Wake(waker)),
                Fire::Wake(None) | Fire::Vacant => {}
            }
        }
    }

    /// The live (not cancelled) callbacks, in no particular order (sleeps are not listed: their
    /// tasks are).
    pub fn live(&self) -> impl Iterator<Item = &Rc<dyn Callback>> {
        self.slots.iter().filter_map(|slot| match &slot.fire {
            Fire::Call(callback) if !callback.cancelled() => Some(callback),
            _ => None,
        })
    }

    /// Empties the heap for good (the loop closes), handing back every callback (to cancel) and
    /// waker (for dropping outside any borrow). Every key reads as fired afterwards.
    pub fn take_all(&mut self) -> (Vec<Rc<dyn Callback>>, Vec<Waker>) {
        self.cancelled.set(0);
        self.cancelled_tasks = HashMap::new();
        self.popped_through = Nanos::MAX;
        let mut callbacks = Vec::new();
        let mut wakers = Vec::new();
        for entry in std::mem::take(&mut self.heap).into_vec() {
            if entry.task().is_some() {
                continue;
            }
            match self.free_slot(entry.target as u32) {
                Fire::Call(callback) => callbacks.push(callback),
                Fire::Wake(Some(waker)) => wakers.push(waker),
                Fire::Wake(None) | Fire::Vacant => {}
            }
        }
        (callbacks, wakers)
    }

    /// Frees the slot of an entry that left the heap: its key goes stale.
    fn free_slot(&mut self, index: u32) -> Fire {
        let slot = &mut self.slots[index as usize];
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(index);
        let fire = std::mem::replace(&mut slot.fire, Fire::Vacant);
        if let Fire::Call(callback) = &fire {
            callback.set_in_heap(false);
        }
        fire
    }

    fn is_cancelled(&self, entry: &Entry) -> bool {
        if entry.task().is_some() {
            return !self.cancelled_tasks.is_empty()
                && self.cancelled_tasks.contains_key(&(entry.when, entry.target));
        }
        match &self.slots[entry.target as usize].fire {
            Fire::Call(callback) => callback.cancelled(),
            Fire::Wake(waker) => waker.is_none(),
            Fire::Vacant => true,
        }
    }

    /// Forgets a cancelled entry that left the heap.
    fn release_cancelled(&mut self, entry: &Entry) {
        if entry.task().is_none() {
            self.free_slot(entry.target as u32);
            return;
        }
        let key = (entry.when, entry.target);
        if let Some(count) = self.cancelled_tasks.get_mut(&key) {
            *count -= 1;
            if *count == 0 {
                self.cancelled_tasks.remove(&key);
            }
        }
    }

    fn drop_cancelled_on_top(&mut self) {
        while self.heap.peek().is_some_and(|entry| self.is_cancelled(entry)) {
            let entry = self.heap.pop().expect("peeked");
            self.release_cancelled(&entry);
            self.cancelled.set(self.cancelled.get().saturating_sub(1));
        }
    }

    fn purge_if_mostly_cancelled(&mut self) {
        let cancelled = self.cancelled.get();
        if self.heap.len() >= PURGE_MIN_LEN && cancelled * 2 > self.heap.len() {
            let entries = std::mem::take(&mut self.heap).into_vec();
            let mut live = Vec::with_capacity(entries.len() - cancelled.min(entries.len()));
            for entry in entries {
                if self.is_cancelled(&entry) {
                    self.release_cancelled(&entry);
                } else {
                    live.push(entry);
                }
            }
            self.heap = BinaryHeap::from(live);
            self.cancelled.set(0);
            if self.cancelled_tasks.capacity() > 64 && self.cancelled_tasks.is_empty() {
                self.cancelled_tasks = HashMap::new();
            }
        }
    }
}

#[cfg(test)]
mod tests;
