//! The loop's one timer structure: a binary heap ordered by deadline, then by scheduling order
//! (equal deadlines run first-in first-out). The Qt driver arms a single OS timer for the earliest
//! deadline. Cancelled entries are skipped when they surface and purged in bulk when they become
//! the majority, so cancelling costs O(1) now and nothing later.
//!
//! A heap entry is small (deadline, order, slot number); what fires lives in a slot of its own:
//! a callback (`call_later`), or for a `sleep` just the sleeping task's waker, with no allocation
//! of its own. A sleep names its slot by a [`TimerKey`] (index and generation), so that a key
//! whose timer fired (and whose slot was reused since) no longer reaches it.

use std::cell::Cell;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::rc::Rc;
use std::task::Waker;
use std::time::Instant;

use super::arena::TaskId;
use super::callback::Callback;

struct Entry {
    when: Instant,
    seq: u64,
    slot: u32,
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
    /// A sleep awaited directly by a task (polled with the waker the task lends): the task's
    /// id is all it takes.
    Task(TaskId),
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

/// Names a sleep's timer slot (see the module's notes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerKey {
    index: u32,
    generation: u32,
}

/// Below this size a purge is not worth it.
const PURGE_MIN_LEN: usize = 64;

pub struct TimerHeap {
    heap: BinaryHeap<Entry>,
    slots: Vec<Slot>,
    free: Vec<u32>,
    next_seq: u64,
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
        self.push_fire(when, Fire::Call(callback));
    }

    /// A sleep's timer: at `when`, wakes the waker or queues the task (the task's poll lent the
    /// waker, so the id is all the timer needs).
    pub fn push_wake(&mut self, when: Instant, target: SleepTarget) -> TimerKey {
        let fire = match target {
            SleepTarget::Task(id) => Fire::Task(id),
            SleepTarget::Waker(waker) => Fire::Wake(Some(waker)),
        };
        self.push_fire(when, fire)
    }

    fn push_fire(&mut self, when: Instant, fire: Fire) -> TimerKey {
        let index = match self.free.pop() {
            Some(index) => {
                self.slots[index as usize].fire = fire;
                index
            }
            None => {
                let index = u32::try_from(self.slots.len()).expect("fewer than 2^32 live timers");
                self.slots.push(Slot { generation: 0, fire });
                index
            }
        };
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { when, seq, slot: index });
        let key = TimerKey { index, generation: self.slots[index as usize].generation };
        self.purge_if_mostly_cancelled();
        key
    }

    /// A sleep's slot while its timer waits (not fired, not cancelled).
    fn live_slot(&mut self, key: TimerKey) -> Option<&mut Fire> {
        let slot = self.slots.get_mut(key.index as usize)?;
        let live = matches!(slot.fire, Fire::Wake(Some(_)) | Fire::Task(_));
        (live && slot.generation == key.generation).then_some(&mut slot.fire)
    }

    /// Whether the sleep's timer is still waiting; if so, it will wake `target`. A waker left
    /// over (the replaced one, or `target`'s own when the slot already wakes the same task) is
    /// handed back, to be dropped outside any borrow. Wakers come in owned, cloned by the caller
    /// before it borrowed the heap: a waker's `clone` may be anyone's code.
    pub fn update_wake(&mut self, key: TimerKey, target: SleepTarget) -> (bool, Option<Waker>) {
        let Some(fire) = self.live_slot(key) else {
            return (false, target.into_waker());
        };
        match (&*fire, target) {
            (Fire::Task(current), SleepTarget::Task(id)) if *current == id => (true, None),
            (Fire::Wake(Some(current)), SleepTarget::Waker(waker)) if current.will_wake(&waker) => {
                (true, Some(waker))
            }
            (_, target) => {
                let new = match target {
                    SleepTarget::Task(id) => Fire::Task(id),
                    SleepTarget::Waker(waker) => Fire::Wake(Some(waker)),
                };
                match std::mem::replace(fire, new) {
                    Fire::Wake(old) => (true, old),
                    _ => (true, None),
                }
            }
        }
    }

    /// Cancels a sleep's timer (its entry is skipped when it surfaces); hands back the waker.
    pub fn cancel_wake(&mut self, key: TimerKey) -> Option<Waker> {
        let fire = self.live_slot(key)?;
        let old = std::mem::replace(fire, Fire::Wake(None));
        self.cancelled.set(self.cancelled.get() + 1);
        match old {
            Fire::Wake(waker) => waker,
            _ => None,
        }
    }

    /// The earliest deadline of a live (not cancelled) timer.
    pub fn next_deadline(&mut self) -> Option<Instant> {
        self.drop_cancelled_on_top();
        self.heap.peek().map(|entry| entry.when)
    }

    /// Moves every live timer due at `now` into `out`, in deadline-then-FIFO order.
    pub fn pop_due(&mut self, now: Instant, mut out: impl FnMut(Fired)) {
        loop {
            self.drop_cancelled_on_top();
            match self.heap.peek() {
                Some(entry) if entry.when <= now => {}
                _ => return,
            }
            let entry = self.heap.pop().expect("peeked");
            match self.free_slot(entry.slot) {
                Fire::Call(callback) => out(Fired::Call(callback)),
                Fire::Wake(Some(waker)) => out(Fired::Wake(waker)),
                Fire::Task(id) => out(Fired::Task(id)),
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

    /// Empties the heap, handing back every callback (to cancel) and waker (for dropping
    /// outside any borrow). Keys of sleeps still waiting stop reaching their slots.
    pub fn take_all(&mut self) -> (Vec<Rc<dyn Callback>>, Vec<Waker>) {
        self.cancelled.set(0);
        let mut callbacks = Vec::new();
        let mut wakers = Vec::new();
        for entry in std::mem::take(&mut self.heap).into_vec() {
            match self.free_slot(entry.slot) {
                Fire::Call(callback) => callbacks.push(callback),
                Fire::Wake(Some(waker)) => wakers.push(waker),
                Fire::Task(_) | Fire::Wake(None) | Fire::Vacant => {}
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
        match &self.slots[entry.slot as usize].fire {
            Fire::Call(callback) => callback.cancelled(),
            Fire::Wake(waker) => waker.is_none(),
            Fire::Task(_) => false,
            Fire::Vacant => true,
        }
    }

    fn drop_cancelled_on_top(&mut self) {
        while self.heap.peek().is_some_and(|entry| self.is_cancelled(entry)) {
            let entry = self.heap.pop().expect("peeked");
            self.free_slot(entry.slot);
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
                    self.free_slot(entry.slot);
                } else {
                    live.push(entry);
                }
            }
            self.heap = BinaryHeap::from(live);
            self.cancelled.set(0);
        }
    }
}

#[cfg(test)]
mod tests;
