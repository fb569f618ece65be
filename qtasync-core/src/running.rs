//! What runs on this thread: the loop that is dispatching (asyncio's running loop) and the task
//! being polled (asyncio's `current_task()`). One registry, set by the scheduler's `enter` and
//! read by wakers (the same-thread fast path) and by the API above.
//!
//! The loop is held as a [`RunningLoop`] trait object, so that this file and the wakers sit below
//! the scheduler and never name it.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use super::arena::TaskId;
use super::shared::Shared;
use super::task_ref::TaskRef;
use super::thread_token;

/// A loop as the thread's registry sees it (the scheduler implements it).
pub trait RunningLoop: Any {
    /// The loop's cross-thread half: what identifies it to wakers.
    fn shared(&self) -> &Arc<Shared>;
    /// Queues task `id` on this loop's ready queue (called on its thread while it runs).
    fn push_ready_task(&self, id: TaskId);
    /// For [`running_as`]: the loop as `Any`, to recover its concrete type.
    fn into_any(self: Rc<Self>) -> Rc<dyn Any>;
}

thread_local! {
    /// The loop running on this thread, if any.
    static RUNNING: RefCell<Option<Rc<dyn RunningLoop>>> = const { RefCell::new(None) };
    /// The task being polled on this thread: null, or the `TaskRef` borrowed by the innermost
    /// [`current_task_is`] call still under way on this thread (see `with_current_task` for
    /// why it is valid). A plain
    /// pointer in a `Cell` keeps the per-step cost to two thread-local stores.
    static CURRENT_TASK: Cell<*const TaskRef> = const { Cell::new(std::ptr::null()) };
}

/// The loop running on this thread, as its concrete type `L`.
pub fn running_as<L: RunningLoop>() -> Option<Rc<L>> {
    let running = RUNNING.try_with(|running| running.borrow().clone()).ok().flatten()?;
    running.into_any().downcast::<L>().ok()
}

/// Whether `this` is the loop running on this thread.
pub fn is_running(this: &dyn RunningLoop) -> bool {
    RUNNING
        .try_with(|running| {
            running.borrow().as_ref().is_some_and(|running| {
                std::ptr::addr_eq(Rc::as_ptr(running), this as *const dyn RunningLoop)
            })
        })
        .unwrap_or(false)
}

/// The task being polled on this thread.
pub fn current_task() -> Option<TaskRef> {
    with_current_task(|task| task.cloned())
}

/// Calls `f` with the task being polled on this thread (without cloning it).
pub fn with_current_task<R>(f: impl FnOnce(Option<&TaskRef>) -> R) -> R {
    let current = CURRENT_TASK.try_with(Cell::get).unwrap_or(std::ptr::null());
    // SAFETY: a non-null pointer was stored by a `current_task_is` call that is still under way
    // further up this thread's stack (each such call puts back the value it found when it
    // returns or unwinds, so calls nest like the stack; nothing else stores a non-null value),
    // and that call borrows the `TaskRef` for its whole duration: it is alive, and only shared
    // references to it exist. The reference given to `f` cannot outlive this call.
    f(unsafe { current.as_ref() })
}

/// Runs `f` with `task` as the current task (`None`: with none, as a loop's dispatch does), and
/// puts back the previous one afterwards, also when `f` unwinds.
pub fn current_task_is<R>(task: Option<&TaskRef>, f: impl FnOnce() -> R) -> R {
    struct Restore(*const TaskRef);
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = CURRENT_TASK.try_with(|current| current.set(self.0));
        }
    }
    let new = task.map_or(std::ptr::null(), |task| task as *const TaskRef);
    let _restore = Restore(CURRENT_TASK.with(|current| current.replace(new)));
    f()
}

/// The fast path of a wake: on the loop's own thread, while it runs, straight onto its ready
/// queue. Returns `false` when the caller must go through the shared queue instead.
pub fn push_local_wake(shared: &Arc<Shared>, id: TaskId) -> bool {
    if shared.owner != thread_token::current() {
        return false;
    }
    RUNNING
        .try_with(|running| match &*running.borrow() {
            Some(running) if Arc::ptr_eq(running.shared(), shared) => {
                running.push_ready_task(id);
                true
            }
            _ => false,
        })
        .unwrap_or(false)
}

/// Why a loop cannot start running on this thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnterError {
    WrongThread,
    AlreadyRunning,
    AnotherLoopRunning,
}

/// Whether `this` could start running on this thread now (the checks of [`enter`]).
pub fn check_enter(this: &dyn RunningLoop) -> Result<(), EnterError> {
    if this.shared().owner != thread_token::current() {
        return Err(EnterError::WrongThread);
    }
    RUNNING.with(|running| match &*running.borrow() {
        Some(other) if std::ptr::addr_eq(Rc::as_ptr(other), this as *const dyn RunningLoop) => {
            Err(EnterError::AlreadyRunning)
        }
        Some(_) => Err(EnterError::AnotherLoopRunning),
        None => Ok(()),
    })
}

/// Registers `this` as the loop running on this thread until the guard is dropped. (A loop run
/// inside a task's poll dispatches with no current task: `dispatch` clears it for its duration.)
pub fn enter(this: Rc<dyn RunningLoop>) -> Result<RunningGuard, EnterError> {
    check_enter(&*this)?;
    RUNNING.with(|running| *running.borrow_mut() = Some(this));
    Ok(RunningGuard { _not_send: std::marker::PhantomData })
}

/// Marks a loop as running on this thread until dropped (on this thread: it is not `Send`).
pub struct RunningGuard {
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        let _ = RUNNING.try_with(|running| running.borrow_mut().take());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_running_guard_stays_on_its_thread() {
        // Compiles only while `RunningGuard` is not `Send`: were it `Send`, both impls would
        // apply and the call below would be ambiguous.
        trait AmbiguousIfSend<A> {
            fn check() {}
        }
        impl<T: ?Sized> AmbiguousIfSend<()> for T {}
        impl<T: ?Sized + Send> AmbiguousIfSend<u8> for T {}
        <super::RunningGuard as AmbiguousIfSend<_>>::check();
    }
}
