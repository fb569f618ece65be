//! The done-callback list shared by tasks and `LoopFuture`s: add, remove by id, take all once.

use std::cell::{Cell, RefCell};

type DoneCallback<A> = Box<dyn FnOnce(&A)>;

pub(crate) struct DoneCallbacks<A: ?Sized> {
    list: RefCell<Vec<(u64, DoneCallback<A>)>>,
    next_id: Cell<u64>,
}

impl<A: ?Sized> Default for DoneCallbacks<A> {
    fn default() -> Self {
        DoneCallbacks { list: RefCell::new(Vec::new()), next_id: Cell::new(0) }
    }
}

impl<A: ?Sized> DoneCallbacks<A> {
    pub(crate) fn add(&self, callback: impl FnOnce(&A) + 'static) -> u64 {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.list.borrow_mut().push((id, Box::new(callback)));
        id
    }

    /// Returns how many were removed (0 once the callback was scheduled).
    pub(crate) fn remove(&self, id: u64) -> usize {
        let mut list = self.list.borrow_mut();
        let before = list.len();
        list.retain(|(each, _)| *each != id);
        before - list.len()
    }

    pub(crate) fn take(&self) -> Vec<DoneCallback<A>> {
        std::mem::take(&mut *self.list.borrow_mut()).into_iter().map(|(_, f)| f).collect()
    }
}
