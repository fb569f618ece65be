//! Task wakers: `Send + Sync`, carrying only the loop's shared half and a task id, so the task's
//! (possibly `!Send`) future never leaves the loop's thread. Repeated wakes before the next poll
//! schedule the task once.
//!
//! A task polls with a *borrowed* waker ([`LazyWaker::with_waker`]) that points at the task's
//! own allocation and costs nothing; only when a future keeps the waker (clones it) or wakes it
//! is the `Arc<TaskWaker>` allocated, once per task. A task that finishes in its first step (most
//! spawned tasks) never allocates one.

use std::mem::ManuallyDrop;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{RawWaker, RawWakerVTable, Waker};

use super::arena::TaskId;
use super::running;
use super::shared::{Remote, Shared};

pub struct TaskWaker {
    pub shared: Arc<Shared>,
    pub id: TaskId,
    /// True from a wake until the poll that follows it begins.
    notified: AtomicBool,
}

impl TaskWaker {
    /// Called just before the task is polled: wakes from now on schedule it again.
    pub fn clear(&self) {
        self.notified.store(false, Ordering::Release);
    }

    fn schedule(&self) {
        if self.notified.swap(true, Ordering::AcqRel) {
            return;
        }
        if running::push_local_wake(&self.shared, self.id) {
            return;
        }
        // Another thread, or the owner thread while the loop is not running. After close the
        // push fails; the task's future is already gone then, so there is nothing to wake.
        let _ = self.shared.push(Remote::Wake(self.id));
    }
}

// The vtable of an owned waker (what a clone of the lent waker is): `data` is an
// `Arc<TaskWaker>` turned into a raw pointer, the layout `std`'s `Waker::from(Arc<_>)` uses,
// spelled out so that the lent waker's clone can make one.
static ARC_VTABLE: RawWakerVTable =
    RawWakerVTable::new(arc_clone, arc_wake, arc_wake_by_ref, arc_drop);

unsafe fn arc_clone(data: *const ()) -> RawWaker {
    // SAFETY: `data` is a live `Arc<TaskWaker>` (the waker being cloned holds it).
    unsafe { Arc::increment_strong_count(data.cast::<TaskWaker>()) };
    RawWaker::new(data, &ARC_VTABLE)
}

unsafe fn arc_wake(data: *const ()) {
    // SAFETY: `wake` consumes the waker, and so the reference count it holds.
    let waker = unsafe { Arc::from_raw(data.cast::<TaskWaker>()) };
    waker.schedule();
}

unsafe fn arc_wake_by_ref(data: *const ()) {
    // SAFETY: the waker holds a reference count for as long as this call lasts.
    let waker = unsafe { &*data.cast::<TaskWaker>() };
    waker.schedule();
}

unsafe fn arc_drop(data: *const ()) {
    // SAFETY: dropping the waker gives back the reference count it held.
    drop(unsafe { Arc::from_raw(data.cast::<TaskWaker>()) });
}

/// A task's waker, made on first use: lives inside the task's allocation (which never moves).
pub struct LazyWaker {
    shared: Arc<Shared>,
    /// The task's id (`TaskId::to_bits`, 63 bits, never changed) and, in the top bit, `WOKEN`:
    /// the lent waker was woken during the poll (`yield_now`), so the scheduler queues the task
    /// again when the poll returns, with no `Arc` and no trip through the wake path. (One word
    /// for both keeps every task's allocation 8 bytes smaller.)
    id_and_woken: AtomicU64,
    /// Null until a future clones or wakes the task's waker; then an `Arc::into_raw` that this
    /// struct owns one count of, until it is dropped.
    arc: AtomicPtr<TaskWaker>,
}

const WOKEN: u64 = 1 << 63;

impl LazyWaker {
    pub fn new(shared: Arc<Shared>, id: TaskId) -> Self {
        LazyWaker {
            shared,
            id_and_woken: AtomicU64::new(id.to_bits()),
            arc: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// The cross-thread queue of the scheduler the task belongs to.
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    pub fn id(&self) -> TaskId {
        // (`from_bits` ignores the top bit; the id bits never change.)
        TaskId::from_bits(self.id_and_woken.load(Ordering::Relaxed))
    }

    /// The task's `Arc<TaskWaker>`, made now if it does not exist yet. Callable from any thread
    /// (a borrowed waker may be cloned on a scoped thread during the poll).
    fn get(&self) -> *const TaskWaker {
        let current = self.arc.load(Ordering::Acquire);
        if !current.is_null() {
            return current;
        }
        let fresh = Arc::into_raw(Arc::new(TaskWaker {
            shared: self.shared.clone(),
            id: self.id(),
            notified: AtomicBool::new(false),
        }))
        .cast_mut();
        match self.arc.compare_exchange(ptr::null_mut(), fresh, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => fresh,
            Err(winner) => {
                // SAFETY: `fresh` was made above and lost the race: nobody else has seen it.
                drop(unsafe { Arc::from_raw(fresh) });
                winner
            }
        }
    }

    /// Wakes the task (from the loop's thread: `cancel`).
    pub fn wake(&self) {
        // SAFETY: `get` returns the live `Arc` this struct holds a count of until it is dropped,
        // and `self` is borrowed for the whole call.
        unsafe { &*self.get() }.schedule();
    }

    /// Before a poll: wakes from now on schedule the task again.
    pub fn clear(&self) {
        let arc = self.arc.load(Ordering::Acquire);
        if !arc.is_null() {
            // SAFETY: a non-null pointer is the live `Arc` this struct holds a count of.
            unsafe { &*arc }.clear();
        }
    }

    /// After a poll that returned `Pending`: whether the lent waker was woken during it, and the
    /// task must be queued again (not if a clone's wake already queued it).
    pub fn take_woken(&self) -> bool {
        // Relaxed: the lent waker is used only during the poll, on this thread or on a thread
        // the poll joined before returning.
        if self.id_and_woken.load(Ordering::Relaxed) & WOKEN == 0 {
            return false;
        }
        self.id_and_woken.fetch_and(!WOKEN, Ordering::Relaxed);
        let arc = self.arc.load(Ordering::Acquire);
        // SAFETY: a non-null pointer is the live `Arc` this struct holds a count of.
        arc.is_null() || !unsafe { &*arc }.notified.swap(true, Ordering::AcqRel)
    }

    /// Calls `f` with a waker borrowed from `self`: no allocation and no reference count.
    pub fn with_waker<R>(&self, f: impl FnOnce(&Waker) -> R) -> R {
        let data = (self as *const LazyWaker).cast::<()>();
        // SAFETY: the borrowed waker lives only inside this call (it is never dropped: the
        // `ManuallyDrop`; and it cannot be moved out of the `&Waker` given to `f`), so `self`
        // outlives every use of `data`. Its vtable touches only `LazyWaker`, which is `Sync`:
        // a clone or wake from another thread during `f` is sound.
        let waker =
            ManuallyDrop::new(unsafe { Waker::from_raw(RawWaker::new(data, &LAZY_VTABLE)) });
        f(&waker)
    }
}

impl Drop for LazyWaker {
    fn drop(&mut self) {
        let arc = *self.arc.get_mut();
        if !arc.is_null() {
            // SAFETY: the count this struct held since `get` made the `Arc`.
            drop(unsafe { Arc::from_raw(arc) });
        }
    }
}

// The vtable of a borrowed waker: `data` is a `&LazyWaker` valid while the waker is in use (see
// `with_waker`). Clones are owned wakers of the `ARC_VTABLE` kind; it is never dropped or
// consumed by `wake` (only a `Waker` that is owned can be, and this one is never handed out).
static LAZY_VTABLE: RawWakerVTable =
    RawWakerVTable::new(lazy_clone, lazy_wake, lazy_wake_by_ref, lazy_drop);

unsafe fn lazy_clone(data: *const ()) -> RawWaker {
    // SAFETY: `with_waker` keeps the `LazyWaker` alive while its borrowed waker is in use.
    let lazy = unsafe { &*data.cast::<LazyWaker>() };
    let arc = lazy.get();
    // SAFETY: `arc` is the live `Arc` the `LazyWaker` holds a count of; the clone gets its own.
    unsafe { Arc::increment_strong_count(arc) };
    RawWaker::new(arc.cast::<()>(), &ARC_VTABLE)
}

unsafe fn lazy_wake(data: *const ()) {
    // SAFETY: as in `lazy_clone` (never reached in practice: the waker is never owned).
    unsafe { lazy_wake_by_ref(data) }
}

unsafe fn lazy_wake_by_ref(data: *const ()) {
    // SAFETY: as in `lazy_clone`.
    let lazy = unsafe { &*data.cast::<LazyWaker>() };
    // The poll is under way (the lent waker exists only during it): the scheduler looks at the
    // flag when it returns (`take_woken`).
    lazy.id_and_woken.fetch_or(WOKEN, Ordering::Relaxed);
}

unsafe fn lazy_drop(_: *const ()) {}
