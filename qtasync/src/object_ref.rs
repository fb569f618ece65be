//! `ObjectRef<T>`: a cxx-qt QObject kept reachable across `.await`. Async slots get one in place
//! of `self`; it knows when Qt destroys the object, and then cancels the slot's task, so the
//! object is never touched again.

use std::cell::Cell;
use std::fmt;
use std::pin::Pin;
use std::ptr::NonNull;
use std::rc::Rc;

use cxx_qt::casting::Upcast;
use cxx_qt::QObject;

use crate::driver::object_watch::ObjectWatch;

/// Why [`ObjectRef::try_with`] could not reach the object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectAccessError {
    /// Qt destroyed the object.
    Destroyed,
    /// `with` was called again from inside `with` on the same object.
    AlreadyInUse,
}

impl fmt::Display for ObjectAccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ObjectAccessError::Destroyed => "the QObject was destroyed",
            ObjectAccessError::AlreadyInUse => "the QObject is already borrowed by an outer `with`",
        })
    }
}

impl std::error::Error for ObjectAccessError {}

struct Shared {
    watch: ObjectWatch,
    in_use: Cell<bool>,
}

/// A reference to a QObject that survives `.await`: reach the object with
/// [`with`](Self::with), which fails instead of touching a destroyed object. `!Send`: it stays on
/// the object's thread. Cloning is cheap.
pub struct ObjectRef<T> {
    object: NonNull<T>,
    shared: Rc<Shared>,
}

impl<T> Clone for ObjectRef<T> {
    fn clone(&self) -> Self {
        ObjectRef { object: self.object, shared: self.shared.clone() }
    }
}

impl<T> fmt::Debug for ObjectRef<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectRef").field("alive", &self.is_alive()).finish()
    }
}

impl<T: Upcast<QObject>> ObjectRef<T> {
    /// Starts watching `object`.
    pub fn new(object: Pin<&mut T>) -> Self {
        // SAFETY: only the address is taken; the object is never moved through it.
        let raw: *mut T = unsafe { Pin::into_inner_unchecked(object) as *mut T };
        // SAFETY: `raw` comes from a live pinned `&mut T` that this function consumed.
        let pinned = unsafe { Pin::new_unchecked(&mut *raw) };
        let watch = ObjectWatch::new(pinned.upcast_pin());
        ObjectRef {
            object: NonNull::new(raw).expect("a reference is never null"),
            shared: Rc::new(Shared { watch, in_use: Cell::new(false) }),
        }
    }
}

impl<T> ObjectRef<T> {
    /// Whether the object is still alive.
    pub fn is_alive(&self) -> bool {
        self.shared.watch.alive()
    }

    /// Runs `f` with the object, or says why it cannot.
    pub fn try_with<R>(&self, f: impl FnOnce(Pin<&mut T>) -> R) -> Result<R, ObjectAccessError> {
        if !self.is_alive() {
            return Err(ObjectAccessError::Destroyed);
        }
        if self.shared.in_use.replace(true) {
            return Err(ObjectAccessError::AlreadyInUse);
        }
        struct Release<'a>(&'a Cell<bool>);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                self.0.set(false);
            }
        }
        let _release = Release(&self.shared.in_use);
        // SAFETY: the object is alive: its QPointer is set and destroyed() has not been emitted,
        // so the C++ object and the Rust struct it owns exist. `ObjectRef` is `!Send`, so this
        // runs on the object's thread. The `in_use` flag makes this the only `&mut` handed out by
        // any `ObjectRef` to this object, and the closure cannot keep it (no `.await` inside a
        // closure), so it never lives across a suspension point where Qt could destroy the object.
        // The object is pinned in C++ memory and never moved.
        let object = unsafe { Pin::new_unchecked(&mut *self.object.as_ptr()) };
        Ok(f(object))
    }

    /// Runs `f` with the object.
    ///
    /// # Panics
    /// If the object was destroyed or is already in use by an outer `with`. In an async slot the
    /// first cannot happen: destroying the object cancels the slot's task before it resumes.
    #[track_caller]
    pub fn with<R>(&self, f: impl FnOnce(Pin<&mut T>) -> R) -> R {
        match self.try_with(f) {
            Ok(value) => value,
            Err(error) => panic!("ObjectRef::with: {error}"),
        }
    }

    /// Runs `callback` when Qt destroys the object (at once if it already did).
    pub fn on_destroyed(&self, callback: impl FnOnce() + 'static) {
        self.shared.watch.state.on_destroyed(callback);
    }

    /// The object's address: identifies it while it lives.
    pub fn address(&self) -> usize {
        self.object.as_ptr() as usize
    }
}
