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
        // is being destroyed (the closure deleted it itself, say by dropping its owner). When this returns,
        // the closure would resume with a dangling reference: no sound way on exists, and a panic
        // cannot unwind through Qt's frames, so the process ends here, before any further access.
        abort_with("a QObject was destroyed while ObjectRef::with was using it");
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

/// Called by Qt when the object is about to move to another thread (`QEvent::ThreadChange`, on
/// the object's current thread, which is the watch's: an object is moved only from its own
/// thread). The C++ watch stops reading the object from then on.
pub(crate) fn object_watch_moved_away(context: &WatchContext) {
    let Some(state) = context.state.upgrade() else { return };
    if state.in_use.get() {
        // The `with` closure holding `Pin<&mut T>` is on this thread's stack; once the object
        // lives on another thread, that thread may touch or delete it while the closure still
        // holds the reference. A panic cannot unwind through `moveToThread`'s frames.
        abort_with("a QObject was moved to another thread while ObjectRef::with was using it");
    }
}

/// Called by the nested-loop guard: an event loop started inside `ObjectRef::with` is about to
/// deliver an event. Code run by that event (a slot, a property read, a task, a deletion) could
/// reach the object the closure holds as `Pin<&mut T>`, a second reference to it that Rust's
/// aliasing rules forbid. There is no sound way on, and a panic cannot unwind through Qt.
pub(crate) fn with_guard_nested_loop() {
    abort_with(
        "an event loop (a modal dialog's exec(), QEventLoop::exec) ran inside ObjectRef::with",
    );
}

fn abort_with(what: &str) -> ! {
    eprintln!(
        "qtasync: {what}; aborting before the object is reached twice. Leave `with` before \
         running dialogs and other nested loops."
    );
    std::process::abort();
}

/// Marks the stretch in which an `ObjectRef::with` closure runs, for the nested-loop guard.
pub(crate) struct WithGuard(());

impl WithGuard {
    pub(crate) fn enter() -> Self {
        bridge::with_guard_enter();
        WithGuard(())
    }
}

impl Drop for WithGuard {
    fn drop(&mut self) {
        bridge::with_guard_exit();
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

    /// Whether the object is alive and has never left the calling thread (the watch's). Reads
    /// only the watch's state, never the object.
    pub(crate) fn on_current_thread(&self) -> bool {
        self.cpp.as_ref().is_some_and(bridge::object_watch_on_current_thread)
    }

    /// Connects `destroyed()` again if a `QObject::disconnect()` of all the object's signals
    /// removed it. Call only while `on_current_thread()`.
    pub(crate) fn ensure_connected(&self) {
        if let Some(cpp) = self.cpp.as_ref() {
            bridge::object_watch_ensure_connected(cpp);
        }
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
