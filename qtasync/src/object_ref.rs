//! `ObjectRef<T>`: a cxx-qt QObject kept reachable across `.await`. Async slots get one in place
//! of `self`; it knows when Qt destroys the object, and then cancels the slot's task, so the
//! object is never touched again.
//!
//! Exclusivity is per object: every `ObjectRef` that reaches one QObject on this thread, however
//! it was made, shares one [`ObjectState`], whose `in_use` flag lets one `with` at a time hand
//! out the object's `Pin<&mut T>`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::pin::Pin;
use std::ptr::NonNull;
use std::rc::{Rc, Weak};

use cxx_qt::casting::Upcast;
use cxx_qt::QObject;

use crate::driver::object_watch::{self, ObjectWatch, WithGuard};

/// Why [`ObjectRef::try_with`] could not reach the object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ObjectAccessError {
    /// Qt destroyed the object.
    Destroyed,
    /// The object is already borrowed by a `with` further up the stack (through this or any
    /// other `ObjectRef` to the same object).
    AlreadyInUse,
    /// The object was moved to another thread (`QObject::moveToThread`): only that thread may
    /// touch it now.
    WrongThread,
}

impl fmt::Display for ObjectAccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ObjectAccessError::Destroyed => "the QObject was destroyed",
            ObjectAccessError::AlreadyInUse => "the QObject is already borrowed by an outer `with`",
            ObjectAccessError::WrongThread => "the QObject lives on another thread",
        })
    }
}

impl std::error::Error for ObjectAccessError {}

/// One per QObject (per thread): what every `ObjectRef` to it shares.
struct ObjectState {
    watch: ObjectWatch,
    key: usize,
}

impl Drop for ObjectState {
    fn drop(&mut self) {
        let key = self.key;
        let _ = OBJECTS.try_with(|objects| {
            let mut objects = objects.borrow_mut();
            if objects.get(&key).is_some_and(|weak| weak.strong_count() == 0) {
                objects.remove(&key);
            }
        });
    }
}

thread_local! {
    /// The state of each watched object on this thread, by the address of its QObject base.
    /// An entry whose object was destroyed is replaced when the address is reused.
    static OBJECTS: RefCell<HashMap<usize, Weak<ObjectState>>> = RefCell::new(HashMap::new());
}

/// A reference to a QObject that survives `.await`: reach the object with
/// [`with`](Self::with), which fails instead of touching a destroyed object. `!Send`: it stays on
/// the object's thread. Cloning is cheap.
///
/// # The rules that keep it sound
/// - **One `&mut` per object.** While a `with` closure runs, every other `with` on the same
///   object (through any `ObjectRef`, from any task) fails with
///   [`ObjectAccessError::AlreadyInUse`].
/// - **Never a destroyed object.** `with` checks that the object is alive and on this thread
///   before each access; an async slot's task is cancelled when its object is destroyed.
/// - **No event loop inside `with`.** Code that a nested event loop runs (a slot, a QML
///   property read, a task, a deletion) could reach the object while the closure holds it as
///   `&mut`. So an event loop started inside the closure (a modal `QDialog::exec`,
///   `QMessageBox`, `QMenu::exec`, `QEventLoop::exec`, `QCoreApplication::processEvents`,
///   `run_until_complete`) aborts the process before it delivers its first event, loudly and
///   every time rather than corrupting memory now and then. Take what you need from the object,
///   leave the closure, then `exec()`.
/// - **Neither destroyed nor moved during `with`.** If the closure itself deletes the object (by
///   dropping its owner) or moves it to another thread, qtasync aborts before the closure can
///   touch it again. A `deleteLater()` is carried out after `with` returns, as usual.
/// - **Moved away means gone.** Once the object moves to another thread (`moveToThread`), every
///   `with` from this thread fails with [`ObjectAccessError::WrongThread`], without ever reading
///   the object again (its new thread may be deleting it).
///
/// ```compile_fail
/// fn must_be_send<T: Send>() {}
/// must_be_send::<qtasync::ObjectRef<cxx_qt::QObject>>();
/// ```
pub struct ObjectRef<T> {
    object: NonNull<T>,
    state: Rc<ObjectState>,
}

impl<T> Clone for ObjectRef<T> {
    fn clone(&self) -> Self {
        ObjectRef { object: self.object, state: self.state.clone() }
    }
}

impl<T> fmt::Debug for ObjectRef<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectRef").field("alive", &self.is_alive()).finish()
    }
}

impl<T: Upcast<QObject>> ObjectRef<T> {
    /// Starts watching `object` (or joins the watch that other `ObjectRef`s to it share).
    ///
    /// # Safety
    /// From this call on, the object may be reached mutably only through `ObjectRef`s (whose
    /// `with` makes every `&mut` exclusive): the caller must not use `object`, nor any other
    /// reference to the object that it holds or obtains outside qtasync, while an `ObjectRef` to
    /// it may be inside `with`. In particular, do not keep using a reference from which `object`
    /// was reborrowed. Async slots (`#[qt_slot_async]`) meet this by construction: the slot's
    /// `self` is moved into the `ObjectRef`. Qt may keep calling the object's slots and
    /// destroying it as usual.
    ///
    /// # Panics
    /// If the object lives on another thread than the caller.
    pub unsafe fn new(object: Pin<&mut T>) -> Self {
        let base: &QObject = object.as_ref().get_ref().upcast();
        assert!(
            object_watch::on_current_thread(base),
            "ObjectRef::new: the QObject lives on another thread; create the ObjectRef there"
        );
        let key = object_watch::address(base);
        // SAFETY: only the address is taken; the object is never moved through it.
        let raw: *mut T = unsafe { Pin::into_inner_unchecked(object) as *mut T };
        let existing = OBJECTS.with(|objects| objects.borrow().get(&key).and_then(Weak::upgrade));
        let state = match existing {
            // A state whose object moved away (and back) is replaced: nothing can be inside its
            // `with`, since moving the object while `with` holds it aborts.
            Some(state) if state.watch.on_current_thread() => state,
            _ => {
                // SAFETY: `raw` comes from the live pinned `&mut T` this function consumed; the
                // new reference is used only for this upcast, before this function returns.
                let pinned = unsafe { Pin::new_unchecked(&mut *raw) };
                let state =
                    Rc::new(ObjectState { watch: ObjectWatch::new(pinned.upcast_pin()), key });
                OBJECTS.with(|objects| objects.borrow_mut().insert(key, Rc::downgrade(&state)));
                state
            }
        };
        ObjectRef { object: NonNull::new(raw).expect("a reference is never null"), state }
    }
}

impl<T> ObjectRef<T> {
    /// Whether the object is still alive.
    pub fn is_alive(&self) -> bool {
        self.state.watch.alive()
    }

    /// Runs `f` with the object, or says why it cannot.
    pub fn try_with<R>(&self, f: impl FnOnce(Pin<&mut T>) -> R) -> Result<R, ObjectAccessError> {
        if !self.is_alive() {
            return Err(ObjectAccessError::Destroyed);
        }
        if !self.state.watch.on_current_thread() {
            return Err(ObjectAccessError::WrongThread);
        }
        let in_use = &self.state.watch.state.in_use;
        if in_use.replace(true) {
            return Err(ObjectAccessError::AlreadyInUse);
        }
        struct Release<'a>(&'a std::cell::Cell<bool>);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                self.0.set(false);
            }
        }
        let _release = Release(in_use);
        // A `QObject::disconnect()` of all the object's signals also removes the watch's
        // destroyed() connection: restore it before handing out the object.
        self.state.watch.ensure_connected();
        let _nested_loop_guard = WithGuard::enter();
        // SAFETY: the object is alive (its QPointer is set, destroyed() has not been reported)
        // and lives on this thread, where nothing else runs while we do; `ObjectRef` is `!Send`,
        // so the Rust state is this thread's. Every `ObjectRef` to this object shares this
        // `in_use` flag (one `ObjectState` per object, by address, replaced only once the object
        // is gone), and `new`'s contract keeps references from outside qtasync unused, so this is
        // the only live `&mut`. The closure cannot keep it (it is not `'static` and no `.await`
        // happens inside a closure). Should Qt destroy the object while the closure runs (a
        // nested event loop), `object_watch_destroyed` sees `in_use` and aborts before the
        // closure resumes. The object is pinned in C++ memory and never moved.
        let object = unsafe { Pin::new_unchecked(&mut *self.object.as_ptr()) };
        Ok(f(object))
    }

    /// Runs `f` with the object.
    ///
    /// # Panics
    /// If the object was destroyed, lives on another thread now, or is already in use by an
    /// outer `with`. In an async slot the first cannot happen: destroying the object cancels the
    /// slot's task before it resumes.
    #[track_caller]
    pub fn with<R>(&self, f: impl FnOnce(Pin<&mut T>) -> R) -> R {
        match self.try_with(f) {
            Ok(value) => value,
            Err(error) => panic!("ObjectRef::with: {error}"),
        }
    }

    /// Runs `callback` when Qt destroys the object (at once if it already did).
    pub fn on_destroyed(&self, callback: impl FnOnce() + 'static) {
        self.state.watch.state.on_destroyed(callback);
    }

    /// The object's address: identifies it while it lives.
    pub fn address(&self) -> usize {
        self.object.as_ptr() as usize
    }

    /// Whether two references reach the same object (and so share one `with` at a time).
    pub fn same_object<U>(&self, other: &ObjectRef<U>) -> bool {
        Rc::ptr_eq(&self.state, &other.state)
    }
}
