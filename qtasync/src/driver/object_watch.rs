//! Watching a QObject from Rust: whether it is alive (a `QPointer`), and a callback when Qt
//! destroys it (its `destroyed()` signal). The driver half of [`ObjectRef`](crate::ObjectRef).

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::rc::{Rc, Weak};

use cxx::UniquePtr;

use super::ffi::bridge;

/// Shared between the Rust watch and the C++ one (which owns a `WatchContext` pointing here).
#[derive(Default)]
pub(crate) struct WatchState {
    destroyed: Cell<bool>,
    on_destroyed: RefCell<Vec<Box<dyn FnOnce()>>>,
}

impl WatchState {
    pub(crate) fn destroyed(&self) -> bool {
        self.destroyed.get()
    }

    /// Runs `callback` when the object is destroyed; at once if it already was.
    pub(crate) fn on_destroyed(&self, callback: impl FnOnce() + 'static) {
        if self.destroyed.get() {
            callback();
        } else {
            self.on_destroyed.borrow_mut().push(Box::new(callback));
        }
    }
}

/// Owned by the C++ `ObjectWatch`.
pub(crate) struct WatchContext {
    state: Weak<WatchState>,
}

/// Called by Qt from the object's `destroyed()` signal (inside `~QObject`): no panic may leave.
pub(crate) fn object_watch_destroyed(context: &WatchContext) {
    let Some(state) = context.state.upgrade() else { return };
    state.destroyed.set(true);
    let callbacks = std::mem::take(&mut *state.on_destroyed.borrow_mut());
    for callback in callbacks {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(callback)) {
            let panic = crate::core::exception::Panic::new(payload);
            eprintln!("qtasync: a destroyed() callback {panic}");
        }
    }
}

/// A live watch on one QObject.
pub(crate) struct ObjectWatch {
    cpp: UniquePtr<bridge::ObjectWatch>,
    pub(crate) state: Rc<WatchState>,
}

impl ObjectWatch {
    pub(crate) fn new(object: Pin<&mut cxx_qt::QObject>) -> Self {
        let state = Rc::new(WatchState::default());
        let context = Box::new(WatchContext { state: Rc::downgrade(&state) });
        let cpp = bridge::new_object_watch(object, context);
        ObjectWatch { cpp, state }
    }

    /// Whether the object is still alive (its QPointer is set).
    pub(crate) fn alive(&self) -> bool {
        !self.state.destroyed() && self.cpp.as_ref().is_some_and(bridge::object_watch_alive)
    }
}
