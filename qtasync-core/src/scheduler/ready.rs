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

/// Entries per block (8 KiB of 32-byte entries). The queue grows a block at a time and never
/// moves an entry: a burst (100k tasks spawned in one step, a million callbacks) costs no copy
/// of what is queued already, where a `VecDeque` that doubles copies it all, into fresh pages.
const BLOCK: usize = 256;

/// Emptied blocks kept for the next ones (the rest of a burst's memory is given back).
const SPARE: usize = 4;

#[derive(Default)]
pub(super) struct ReadyQueue {
    /// The front of the queue, at most `BLOCK` entries: while nothing overflows, a push and a
    /// pop are a plain ring buffer's.
    head: VecDeque<Ready>,
    /// What comes after `head`, in blocks of `BLOCK` entries, all full but the last (so the
    /// entry at a given position is found by arithmetic). Pushes go here once it is not empty;
    /// when `head` runs out, the first block becomes the new `head`.
    overflow: VecDeque<VecDeque<Ready>>,
    spare: Vec<VecDeque<Ready>>,
    len: usize,
    /// Entries ever popped or taken: the sequence number of the front entry.
    popped: u64,
}

impl ReadyQueue {
    /// Queues `item`; its sequence number.
    #[inline]
    pub(super) fn push(&mut self, item: Ready) -> u64 {
        let seq = self.popped + self.len as u64;
        if self.overflow.is_empty() && self.head.len() < BLOCK {
            self.head.push_back(item);
        } else {
            self.push_overflow(item);
        }
        self.len += 1;
        seq
    }

    fn push_overflow(&mut self, item: Ready) {
        match self.overflow.back_mut() {
            Some(back) if back.len() < BLOCK => back.push_back(item),
            _ => {
                let mut block = self.spare.pop().unwrap_or_else(|| VecDeque::with_capacity(BLOCK));
                block.push_back(item);
                self.overflow.push_back(block);
            }
        }
    }

    #[inline]
    pub(super) fn pop(&mut self) -> Option<Ready> {
        if self.head.is_empty() {
            self.refill()?;
        }
        let item = self.head.pop_front()?;
        self.len -= 1;
        self.popped += 1;
        Some(item)
    }

    /// The first overflow block becomes the head (the empty head is kept as a spare).
    fn refill(&mut self) -> Option<()> {
        let block = self.overflow.pop_front()?;
        let empty = std::mem::replace(&mut self.head, block);
        if self.spare.len() < SPARE && empty.capacity() >= BLOCK {
            self.spare.push(empty);
        }
        Some(())
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &Ready> {
        self.head.iter().chain(self.overflow.iter().flatten())
    }

    /// Everything queued, for `close` (the queue is empty afterwards).
    pub(super) fn take_all(&mut self) -> Vec<Ready> {
        self.popped += self.len as u64;
        self.len = 0;
        let mut all = Vec::from(std::mem::take(&mut self.head));
        all.extend(std::mem::take(&mut self.overflow).into_iter().flatten());
        all
    }

    /// The entry at `position` from the front.
    fn get_mut(&mut self, position: usize) -> Option<&mut Ready> {
        if position < self.head.len() {
            return self.head.get_mut(position);
        }
        let rest = position - self.head.len();
        self.overflow.get_mut(rest / BLOCK)?.get_mut(rest % BLOCK)
    }

    /// Takes the closure of the `call_soon` entry numbered `seq` if it is still queued (the
    /// caller drops it, outside any borrow of the queue).
    pub(super) fn cancel_soon(&mut self, seq: u64) -> Option<Box<dyn FnOnce()>> {
        let position = usize::try_from(seq.checked_sub(self.popped)?).ok()?;
        match self.get_mut(position)? {
            Ready::Soon(callback, _) => callback.take(),
            _ => None,
        }
    }

    /// After a burst, the list of blocks gives its capacity back once it is mostly unused.
    #[inline]
    pub(super) fn release_burst_memory(&mut self) {
        let capacity = self.overflow.capacity();
        if capacity > 64 && self.overflow.len() <= capacity / 4 {
            self.shrink();
        }
    }

    #[cold]
    fn shrink(&mut self) {
        self.overflow.shrink_to(16.max(2 * self.overflow.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn soon(log: &std::rc::Rc<std::cell::RefCell<Vec<usize>>>, i: usize) -> Ready {
        let log = log.clone();
        Ready::Soon(Some(Box::new(move || log.borrow_mut().push(i))), None)
    }

    fn run(item: Ready) {
        if let Ready::Soon(Some(callback), _) = item {
            callback();
        }
    }

    #[test]
    fn sequence_numbers_find_their_entries_across_blocks_while_the_front_moves() {
        let log = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let mut queue = ReadyQueue::default();
        let mut cancelled = std::collections::BTreeSet::new();
        let (mut pushed, mut popped) = (0usize, 0usize);
        // Pushes and pops interleaved so that the front block is partly consumed, over several
        // blocks; then every third entry is cancelled through its sequence number: exactly
        // those still queued (and not cancelled before) hand their closure back.
        for round in 0..5 {
            for _ in 0..(BLOCK + 37 * round) {
                assert_eq!(queue.push(soon(&log, pushed)), pushed as u64);
                pushed += 1;
            }
            for _ in 0..(BLOCK / 2 + 11 * round) {
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
        assert!(queue.cancel_soon(0).is_none());
        assert!(queue.spare.len() <= SPARE);
    }

    #[test]
    fn take_all_empties_the_queue_and_later_numbers_go_on() {
        let log = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let mut queue = ReadyQueue::default();
        for i in 0..(3 * BLOCK) {
            queue.push(soon(&log, i));
        }
        assert_eq!(queue.take_all().len(), 3 * BLOCK);
        assert_eq!(queue.len(), 0);
        let seq = queue.push(soon(&log, 0));
        assert_eq!(seq, 3 * BLOCK as u64);
        assert!(queue.cancel_soon(seq).is_some());
    }
}
