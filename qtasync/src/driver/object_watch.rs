//! Watching a QObject from Rust: whether it is alive (a `QPointer`), on which thread it lives,
//! and a callback when Qt destroys it (its `destroyed()` signal, delivered on the watch's own
//! thread). The driver half of [`ObjectRef`](crate::ObjectRef).

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
    /// An `ObjectRef::with` closure holds the object right now.
    pub(crate) in_use: Cell<bool>,
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

/// Called by Qt from the object's `destroyed()` signal, on the watch's thread (inside `~QObject`
/// when the object dies on that thread): no panic may leave.
pub(crate) fn object_watch_destroyed(context: &WatchContext) {
    let Some(state) = context.state.upgrade() else { return };
    if state.in_use.get() {
        // A `with` closure further up this thread's stack holds `Pin<&mut T>` to the object that
        // is being destroyed (a nested event loop inside `with` deleted it). When this returns,
        // the closure would resume with a dangling reference: no sound way on exists, and a panic
        // cannot unwind through Qt's frames, so the process ends here, before any further access.
        eprintln!(
            "qtasync: a QObject was destroyed while ObjectRef::with was using it (a nested event \
             loop inside `with` deleted it); aborting before the dangling reference is used. \
             Run dialogs and other nested loops outside `with`."
        );
        std::process::abort();
    }
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
    /// Watches `object`, which must live on the calling thread (checked by the caller).
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

    /// Whether the object is alive and lives on the calling thread.
    pub(crate) fn on_current_thread(&self) -> bool {
        self.cpp.as_ref().is_some_and(bridge::object_watch_on_current_thread)
    }
}

/// Whether `object` lives on the calling thread.
pub(crate) fn on_current_thread(object: &cxx_qt::QObject) -> bool {
    bridge::object_on_current_thread(object)
}

/// The address of `object`'s QObject base: names one object while it lives.
pub(crate) fn address(object: &cxx_qt::QObject) -> usize {
    bridge::object_address(object)
}
