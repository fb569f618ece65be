//! The done-callback list shared by tasks and `LoopFuture`s: add, remove by id, take all once.

use std::cell::{Cell, RefCell};

type DoneCallback<A> = Box<dyn FnOnce(&A)>;

pub struct DoneCallbacks<A: ?Sized> {
    list: RefCell<Vec<(u64, DoneCallback<A>)>>,
    next_id: Cell<u64>,
}

impl<A: ?Sized> Default for DoneCallbacks<A> {
    fn default() -> Self {
        DoneCallbacks { list: RefCell::new(Vec::new()), next_id: Cell::new(0) }
    }
}

impl<A: ?Sized> DoneCallbacks<A> {
    pub fn add(&self, callback: impl FnOnce(&A) + 'static) -> u64 {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.list.borrow_mut().push((id, Box::new(callback)));
        id
    }

    /// Takes out the callbacks with `id` (none once the callback was scheduled). The caller
    /// drops them after its own borrows end: a captured value's `Drop` may add a callback.
    #[must_use = "drop the removed callbacks once no borrow is held"]
    pub fn remove(&self, id: u64) -> Vec<DoneCallback<A>> {
        let mut list = self.list.borrow_mut();
        let mut removed = Vec::new();
        let mut index = 0;
        while index < list.len() {
            if list[index].0 == id {
                removed.push(list.remove(index).1);
            } else {
                index += 1;
            }
        }
        removed
    }

    pub fn take(&self) -> Vec<DoneCallback<A>> {
        std::mem::take(&mut *self.list.borrow_mut()).into_iter().map(|(_, f)| f).collect()
    }
}
