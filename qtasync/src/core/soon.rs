//! The `call_soon` callbacks: each lives in a slot of a generational slab that the ready queue
//! and the callback's `Handle`s name by key, so scheduling one costs no allocation of its own
//! (only its closure's, and none for a closure that captures nothing). A slot stays taken while
//! the callback is queued or a `Handle` names it; cancelling drops the closure at once.

use std::panic::Location;

/// Names one slot (and, through its generation, one use of it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SoonKey {
    index: u32,
    generation: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Pending,
    Cancelled,
    /// Ran, or was dropped unrun by `close()`.
    Finished,
}

type SoonCallback = Box<dyn FnOnce()>;

struct Slot {
    generation: u32,
    taken: bool,
    state: State,
    /// Still in the ready queue.
    queued: bool,
    /// How many `Handle`s name this slot.
    handles: u32,
    callback: Option<SoonCallback>,
    location: &'static Location<'static>,
}

#[derive(Default)]
pub(crate) struct SoonSlab {
    slots: Vec<Slot>,
    free: Vec<u32>,
    taken: usize,
}

impl SoonSlab {
    /// Stores a queued callback named by one handle.
    pub(crate) fn insert(
        &mut self,
        callback: SoonCallback,
        location: &'static Location<'static>,
    ) -> SoonKey {
        self.taken += 1;
        let new_slot = |generation| Slot {
            generation,
            taken: true,
            state: State::Pending,
            queued: true,
            handles: 1,
            callback: Some(callback),
            location,
        };
        match self.free.pop() {
            Some(index) => {
                let slot = &mut self.slots[index as usize];
                *slot = new_slot(slot.generation);
                SoonKey { index, generation: slot.generation }
            }
            None => {
                let index = u32::try_from(self.slots.len()).expect("fewer than 2^32 callbacks");
                self.slots.push(new_slot(0));
                SoonKey { index, generation: 0 }
            }
        }
    }

    fn slot(&mut self, key: SoonKey) -> Option<&mut Slot> {
        self.slots
            .get_mut(key.index as usize)
            .filter(|slot| slot.taken && slot.generation == key.generation)
    }

    /// The queue reached this callback: hands it over to run unless it was cancelled.
    pub(crate) fn take_to_run(
        &mut self,
        key: SoonKey,
    ) -> Option<(SoonCallback, &'static Location<'static>)> {
        let slot = self.slot(key)?;
        slot.queued = false;
        let run = match slot.state {
            State::Pending => {
                slot.state = State::Finished;
                slot.callback.take().map(|callback| (callback, slot.location))
            }
            State::Cancelled | State::Finished => None,
        };
        self.release_if_unused(key.index);
        run
    }

    /// Cancels a pending callback; returns its closure for the caller to drop outside any borrow.
    pub(crate) fn cancel(&mut self, key: SoonKey) -> Option<SoonCallback> {
        let slot = self.slot(key)?;
        if slot.state != State::Pending {
            return None;
        }
        slot.state = State::Cancelled;
        slot.callback.take()
    }

    pub(crate) fn cancelled(&mut self, key: SoonKey) -> Option<bool> {
        self.slot(key).map(|slot| slot.state == State::Cancelled)
    }

    /// Another handle names `key`.
    pub(crate) fn add_handle(&mut self, key: SoonKey) {
        if let Some(slot) = self.slot(key) {
            slot.handles += 1;
        }
    }

    /// A handle naming `key` was dropped.
    pub(crate) fn drop_handle(&mut self, key: SoonKey) {
        if let Some(slot) = self.slot(key) {
            slot.handles = slot.handles.saturating_sub(1);
            self.release_if_unused(key.index);
        }
    }

    /// Frees the (taken) slot at `index` once neither the queue nor a handle names it.
    fn release_if_unused(&mut self, index: u32) {
        let slot = &mut self.slots[index as usize];
        if slot.queued || slot.handles > 0 {
            return;
        }
        slot.taken = false;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(index);
        self.taken -= 1;
    }

    /// For `close()`: every callback not yet run, for the caller to drop outside any borrow; the
    /// slots stay for the handles that still name them.
    pub(crate) fn take_all(&mut self) -> Vec<SoonCallback> {
        let mut left = Vec::new();
        for index in 0..self.slots.len() {
            let slot = &mut self.slots[index];
            if !slot.taken {
                continue;
            }
            if let Some(callback) = slot.callback.take() {
                left.push(callback);
            }
            if slot.state == State::Pending {
                slot.state = State::Finished;
            }
            slot.queued = false;
            self.release_if_unused(index as u32);
        }
        left
    }

    /// After a burst, when no slot is taken, gives the slab's memory back.
    pub(crate) fn release_memory_if_empty(&mut self, keep: usize) {
        if self.taken == 0 && self.slots.capacity() > keep {
            self.slots = Vec::new();
            self.free = Vec::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    #[test]
    fn a_slot_lives_while_queued_or_named_and_is_reused_with_a_new_generation() {
        let mut slab = SoonSlab::default();
        let ran = Rc::new(Cell::new(0));
        let counter = ran.clone();
        let key = slab.insert(Box::new(move || counter.set(counter.get() + 1)), Location::caller());
        let (callback, _) = slab.take_to_run(key).expect("pending");
        callback();
        assert_eq!(ran.get(), 1);
        assert_eq!(slab.cancelled(key), Some(false), "the handle still names the slot");
        assert!(slab.cancel(key).is_none(), "a callback that ran cannot be cancelled");
        slab.drop_handle(key);
        assert_eq!(slab.cancelled(key), None, "freed");
        let again = slab.insert(Box::new(|| {}), Location::caller());
        assert_eq!(again.index, key.index);
        assert_ne!(again.generation, key.generation);
        assert!(slab.take_to_run(key).is_none(), "a stale key reaches nothing");
    }

    #[test]
    fn cancelling_drops_the_closure_and_the_queue_skips_it() {
        let mut slab = SoonSlab::default();
        let captured = Rc::new(());
        let held = captured.clone();
        let key = slab.insert(Box::new(move || drop(held)), Location::caller());
        drop(slab.cancel(key));
        assert_eq!(Rc::strong_count(&captured), 1, "what it captured is gone");
        assert_eq!(slab.cancelled(key), Some(true));
        assert!(slab.take_to_run(key).is_none());
        slab.drop_handle(key);
        slab.release_memory_if_empty(0);
        assert_eq!(slab.slots.capacity(), 0);
    }
}
