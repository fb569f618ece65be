//! The loop's one timer structure: a binary heap ordered by deadline, then by scheduling order
//! (equal deadlines run first-in first-out). The Qt driver arms a single OS timer for the earliest
//! deadline. Cancelled entries are skipped when they surface and purged in bulk when they become
//! the majority, so cancelling costs O(1) now and nothing later.

use std::cell::Cell;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::rc::Rc;
use std::time::Instant;

use super::callback::Callback;

struct Entry {
    when: Instant,
    seq: u64,
    callback: Rc<dyn Callback>,
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

/// Below this size a purge is not worth it.
const PURGE_MIN_LEN: usize = 64;

pub struct TimerHeap {
    heap: BinaryHeap<Entry>,
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
        TimerHeap { heap: BinaryHeap::new(), next_seq: 0, cancelled: Rc::new(Cell::new(0)) }
    }

    /// The counter a `TimerHandle` bumps when it is cancelled while in the heap.
    pub fn cancelled_counter(&self) -> Rc<Cell<usize>> {
        self.cancelled.clone()
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn push(&mut self, when: Instant, callback: Rc<dyn Callback>) {
        callback.set_in_heap(true);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { when, seq, callback });
        self.purge_if_mostly_cancelled();
    }

    /// The earliest deadline of a live (not cancelled) timer.
    pub fn next_deadline(&mut self) -> Option<Instant> {
        self.drop_cancelled_on_top();
        self.heap.peek().map(|entry| entry.when)
    }

    /// Moves every live timer due at `now` into `out`, in deadline-then-FIFO order.
    pub fn pop_due(&mut self, now: Instant, mut out: impl FnMut(Rc<dyn Callback>)) {
        loop {
            self.drop_cancelled_on_top();
            match self.heap.peek() {
                Some(entry) if entry.when <= now => {}
                _ => return,
            }
            let entry = self.heap.pop().expect("peeked");
            entry.callback.set_in_heap(false);
            out(entry.callback);
        }
    }

    /// The live (not cancelled) callbacks, in no particular order.
    pub fn live(&self) -> impl Iterator<Item = &Rc<dyn Callback>> {
        self.heap.iter().map(|entry| &entry.callback).filter(|callback| !callback.cancelled())
    }

    /// Empties the heap, handing back every entry (for dropping outside any borrow).
    pub fn take_all(&mut self) -> Vec<Rc<dyn Callback>> {
        self.cancelled.set(0);
        let entries = std::mem::take(&mut self.heap).into_vec();
        entries
            .into_iter()
            .map(|entry| {
                entry.callback.set_in_heap(false);
                entry.callback
            })
            .collect()
    }

    fn drop_cancelled_on_top(&mut self) {
        while self.heap.peek().is_some_and(|entry| entry.callback.cancelled()) {
            let entry = self.heap.pop().expect("peeked");
            entry.callback.set_in_heap(false);
            self.cancelled.set(self.cancelled.get().saturating_sub(1));
        }
    }

    fn purge_if_mostly_cancelled(&mut self) {
        let cancelled = self.cancelled.get();
        if self.heap.len() >= PURGE_MIN_LEN && cancelled * 2 > self.heap.len() {
            let entries = std::mem::take(&mut self.heap).into_vec();
            let live: Vec<Entry> = entries
                .into_iter()
                .filter(|entry| {
                    let keep = !entry.callback.cancelled();
                    if !keep {
                        entry.callback.set_in_heap(false);
                    }
                    keep
                })
                .collect();
            self.heap = BinaryHeap::from(live);
            self.cancelled.set(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callback::new_callback;
    use std::cell::RefCell;
    use std::panic::Location;
    use std::time::Duration;

    #[test]
    fn pops_by_deadline_then_fifo_and_skips_cancelled() {
        let order = Rc::new(RefCell::new(Vec::new()));
        let mut heap = TimerHeap::new();
        let t0 = Instant::now();
        let mut callbacks = Vec::new();
        for (i, ms) in [(0, 30u64), (1, 10), (2, 20), (3, 10), (4, 10)] {
            let order = order.clone();
            let callback = new_callback(move || order.borrow_mut().push(i), Location::caller());
            heap.push(t0 + Duration::from_millis(ms), callback.clone());
            callbacks.push(callback);
        }
        callbacks[3].cancel();
        heap.cancelled.set(1);
        assert_eq!(heap.next_deadline(), Some(t0 + Duration::from_millis(10)));
        heap.pop_due(t0 + Duration::from_millis(20), |callback| callback.run());
        assert_eq!(*order.borrow(), vec![1, 4, 2]);
        assert_eq!(heap.next_deadline(), Some(t0 + Duration::from_millis(30)));
        heap.pop_due(t0 + Duration::from_millis(29), |callback| callback.run());
        assert_eq!(order.borrow().len(), 3);
    }

    #[test]
    fn purges_when_most_entries_are_cancelled() {
        let mut heap = TimerHeap::new();
        let t0 = Instant::now();
        let mut handles = Vec::new();
        for i in 0..200u64 {
            let callback = new_callback(|| {}, Location::caller());
            heap.push(t0 + Duration::from_millis(i), callback.clone());
            handles.push(callback);
        }
        for callback in &handles[..150] {
            callback.cancel();
            heap.cancelled.set(heap.cancelled.get() + 1);
        }
        heap.push(t0, new_callback(|| {}, Location::caller()));
        assert_eq!(heap.len(), 51);
        assert_eq!(heap.cancelled.get(), 0);
        assert!(!handles[0].in_heap());
        assert!(handles[199].in_heap());
    }
}
