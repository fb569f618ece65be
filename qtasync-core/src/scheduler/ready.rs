//! The ready queue: one FIFO of what runs next (callbacks, task steps, due sleeps' wakers).
//!
//! A `call_soon` callback lives in its queue entry, not in an allocation of its own (a closure
//! that captures nothing costs no allocation at all). Its [`Handle`](super::Handle) names the
//! entry by its sequence number: entries are only pushed at the back and popped at the front,
//! so the entry pushed as number `seq` sits at `seq - popped` while it is queued, and cancelling
//! drops its closure in place.

use std::collections::VecDeque;
use std::panic::Location;
use std::rc::Rc;
use std::task::Waker;

use crate::arena::TaskId;
use crate::callback::Callback;

pub(super) enum Ready {
    /// A `call_soon` callback (`None` once cancelled) and where it was scheduled (`None`: a
    /// `call_soon_threadsafe` callback, which records no location).
    Soon(Option<Box<dyn FnOnce()>>, Option<&'static Location<'static>>),
    /// A due `call_later`/`call_at` callback (its handle shares it).
    Timer(Rc<dyn Callback>),
    Task(TaskId),
    /// A sleep's timer came due: wake its task.
    Wake(Waker),
}

/// One ring buffer, not a list of blocks: blocks freed after a burst leave holes between the
/// burst's task allocations that the process keeps (measured: 32 more bytes of RSS per task
/// after a million-task burst), where one large buffer goes back to the system when it shrinks.
#[derive(Default)]
pub(super) struct ReadyQueue {
    items: VecDeque<Ready>,
    /// Entries ever popped or taken: the sequence number of the front entry.
    popped: u64,
}

/// After a burst (a million callbacks queued at once) the queue gives its memory back once it
/// is nearly empty again, down to this many entries.
const KEEP: usize = 4096;

impl ReadyQueue {
    /// Queues `item`; its sequence number.
    #[inline]
    pub(super) fn push(&mut self, item: Ready) -> u64 {
        let seq = self.popped + self.items.len() as u64;
        self.items.push_back(item);
        seq
    }

    #[inline]
    pub(super) fn pop(&mut self) -> Option<Ready> {
        let item = self.items.pop_front()?;
        self.popped += 1;
        Some(item)
    }

    pub(super) fn len(&self) -> usize {
        self.items.len()
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &Ready> {
        self.items.iter()
    }

    /// Everything queued, for `close` (the queue is empty afterwards).
    pub(super) fn take_all(&mut self) -> VecDeque<Ready> {
        self.popped += self.items.len() as u64;
        std::mem::take(&mut self.items)
    }

    /// Takes the closure of the `call_soon` entry numbered `seq` if it is still queued (the
    /// caller drops it, outside any borrow of the queue).
    pub(super) fn cancel_soon(&mut self, seq: u64) -> Option<Box<dyn FnOnce()>> {
        let index = usize::try_from(seq.checked_sub(self.popped)?).ok()?;
        match self.items.get_mut(index)? {
            Ready::Soon(callback, _) => callback.take(),
            _ => None,
        }
    }

    /// After a burst, gives memory back once at most a quarter of the capacity is in use: a
    /// queue that stays busy keeps its capacity, one that drained does not hold it for the rest
    /// of the program.
    #[inline]
    pub(super) fn release_burst_memory(&mut self) {
        let capacity = self.items.capacity();
        if capacity > 16 * KEEP && self.items.len() <= capacity / 4 {
            self.shrink();
        }
    }

    #[cold]
    fn shrink(&mut self) {
        self.items.shrink_to(KEEP.max(2 * self.items.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_find_their_entries_while_the_front_moves() {
        let log = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let soon = |i: usize| {
            let log = log.clone();
            Ready::Soon(Some(Box::new(move || log.borrow_mut().push(i))), None)
        };
        let run = |item: Ready| {
            if let Ready::Soon(Some(callback), _) = item {
                callback();
            }
        };
        let mut queue = ReadyQueue::default();
        let mut cancelled = std::collections::BTreeSet::new();
        let (mut pushed, mut popped) = (0usize, 0usize);
        // Pushes and pops interleaved (the ring wraps and grows); then every third entry is
        // cancelled through its sequence number: exactly those still queued (and not
        // cancelled before) hand their closure back.
        let (rounds, size) = if cfg!(miri) { (3, 40) } else { (5, 300) };
        for round in 0..rounds {
            for _ in 0..(size + 37 * round) {
                assert_eq!(queue.push(soon(pushed)), pushed as u64);
                pushed += 1;
            }
            for _ in 0..(size / 2 + 11 * round) {
                run(queue.pop().unwrap());
                popped += 1;
            }
            for i in (0..pushed).step_by(3) {
                let queued = i >= popped && !cancelled.contains(&i);
                assert_eq!(queue.cancel_soon(i as u64).is_some(), queued, "entry {i}");
                if queued {
                    cancelled.insert(i);
                }
            }
        }
        while let Some(item) = queue.pop() {
            run(item);
        }
        let expected: Vec<usize> = (0..pushed).filter(|i| !cancelled.contains(i)).collect();
        assert_eq!(*log.borrow(), expected, "FIFO order, and no cancelled entry ran");
        assert!(!cancelled.is_empty() && queue.len() == 0);
        let _ = queue.take_all();
        assert_eq!(queue.push(soon(0)), pushed as u64, "numbers go on after take_all");
    }
}
