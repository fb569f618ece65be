//! The type-erased half of a task: its state that does not depend on the output type
//! ([`TaskMeta`]: name, cancellation requests, done callbacks), the [`TaskRef`] users hold, and
//! [`TaskHost`], the little a task needs from the loop that runs it.
//!
//! Tasks reach their loop only through [`TaskHost`] (the scheduler implements it), so this file
//! and `task.rs` sit below the scheduler and never name it.

use std::cell::{Cell, OnceCell, RefCell};
use std::error::Error;
use std::fmt;
use std::panic::Location;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::Waker;

use super::arena::TaskId;
use super::done_callbacks::DoneCallbacks;
use super::panic::Panic;
use super::shared::Shared;
use super::task_error::TaskError;

static NEXT_TASK_NUMBERS: AtomicU64 = AtomicU64::new(1);

/// The `N` of a new task's default name `Task-N`: unique in the process. Each thread takes
/// numbers in blocks from the one atomic counter, so spawning costs no atomic operation per
/// task (numbers stay increasing on each thread; threads interleave by blocks).
fn next_task_number() -> u64 {
    const BLOCK: u64 = 1024;
    thread_local! {
        /// The next number of this thread's block, and the end of the block.
        static BLOCK_LEFT: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
    }
    BLOCK_LEFT
        .try_with(|block| {
            let (mut next, mut end) = block.get();
            if next == end {
                next = NEXT_TASK_NUMBERS.fetch_add(BLOCK, Ordering::Relaxed);
                end = next + BLOCK;
            }
            block.set((next + 1, end));
            next
        })
        .unwrap_or_else(|_| NEXT_TASK_NUMBERS.fetch_add(1, Ordering::Relaxed))
}

/// What a task needs from the loop that runs it (the scheduler implements it).
pub trait TaskHost {
    /// Schedules a done callback (asyncio's `call_soon`); dropped once the loop is closed, as
    /// asyncio drops them then.
    fn schedule(&self, callback: Box<dyn FnOnce()>, location: &'static Location<'static>);
    /// Reports an error nobody else can see (a detached task's panic, a panicking `Drop` of its
    /// output) to the loop's exception handler, naming the task.
    fn report_error(&self, message: &'static str, error: Rc<dyn Error>, task: Option<TaskRef>);
}

/// How a task ended; kept after the join handle takes the result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Running,
    Finished,
    Cancelled,
    Panicked,
}

/// The parts of a task that do not depend on its output type.
pub struct TaskMeta {
    /// The `N` of the default name `Task-N`.
    number: u64,
    pub(crate) outcome: Cell<Outcome>,
    pub(crate) cancelling: Cell<u32>,
    must_cancel: Cell<bool>,
    /// The join handle was dropped: nobody can retrieve an error any more.
    pub(crate) detached: Cell<bool>,
    /// What most tasks never use, allocated on first use: a task that only runs costs less.
    rare: OnceCell<Box<RefCell<Rare>>>,
    /// Where the task was created.
    location: &'static Location<'static>,
}

#[derive(Default)]
struct Rare {
    name: Option<String>,
    cancel_message: Option<String>,
    done_callbacks: DoneCallbacks<TaskRef>,
}

/// What one [`TaskHeader::poll_step`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The future is being polled (or dropped) further up this thread's stack (a nested Qt loop
    /// inside its step): try again when that ends.
    Busy,
    Pending,
    /// Pending, and woken during the poll (as `yield_now` does): queue it again.
    Woken,
    /// The future finished; it is dropped and the task completed with its output.
    Ready,
    /// There is no future (not set yet, or already dropped).
    Gone,
}

/// Type-erased access to a task (what the scheduler and [`TaskRef`] hold).
pub trait TaskHeader {
    fn meta(&self) -> &TaskMeta;
    /// The loop that runs the task, while it lives.
    fn host(&self) -> Option<Rc<dyn TaskHost>>;
    fn done(&self) -> bool;
    /// Done by cancellation.
    fn cancelled(&self) -> bool;
    /// Completes the task with an error (cancellation, panic, loop closed). (Methods that may
    /// complete the task take the `Rc`: done callbacks and reports name the task, and the task
    /// keeps no pointer to itself.)
    fn fail(self: Rc<Self>, error: TaskError);
    /// Polls the future once with the task's own waker. A panic of the future's propagates
    /// (the scheduler catches it, then drops the future and fails the task).
    fn poll_step(self: Rc<Self>) -> Step;
    /// Drops the future in place, here (a panic of its `Drop` propagates to the caller's
    /// guard). `false` when it is being polled further up the stack (see [`Step::Busy`]).
    fn drop_future(&self) -> bool;
    /// Schedules a step of the task (what `cancel` uses to deliver the request).
    fn wake(&self);
    /// The task's id if `waker` is the one its polls lend (see `LazyWaker::with_waker`): then
    /// a timer may keep the id rather than a clone of the waker.
    fn lent_waker_id(&self, waker: &Waker) -> Option<TaskId>;
    /// Whether this task belongs to the scheduler whose cross-thread queue is `shared` (its ids
    /// mean something only there).
    fn is_scheduled_by(&self, shared: &Arc<Shared>) -> bool;
}

impl TaskMeta {
    pub(crate) fn new(location: &'static Location<'static>) -> Self {
        TaskMeta {
            number: next_task_number(),
            outcome: Cell::new(Outcome::Running),
            cancelling: Cell::new(0),
            must_cancel: Cell::new(false),
            detached: Cell::new(false),
            rare: OnceCell::new(),
            location,
        }
    }

    fn rare(&self) -> std::cell::RefMut<'_, Rare> {
        self.rare.get_or_init(Default::default).borrow_mut()
    }

    /// Whether the task ever used its rarely needed state (a name, a cancel message, done
    /// callbacks); most tasks never do.
    pub(crate) fn has_rare(&self) -> bool {
        self.rare.get().is_some()
    }

    pub fn must_cancel(&self) -> bool {
        self.must_cancel.get()
    }

    pub fn cancel_message(&self) -> Option<String> {
        self.rare.get().and_then(|rare| rare.borrow().cancel_message.clone())
    }
}

/// What completing a task runs of the loop's: its done callbacks and its error reports, which
/// name it.
impl TaskRef {
    /// Schedules the task's done callbacks.
    pub(crate) fn schedule_done_callbacks(&self) {
        let callbacks = match self.meta().rare.get() {
            Some(rare) => rare.borrow().done_callbacks.take(),
            None => return,
        };
        if callbacks.is_empty() {
            return;
        }
        let Some(host) = self.header.host() else {
            return;
        };
        for callback in callbacks {
            let task = self.clone();
            host.schedule(Box::new(move || callback(&task)), Location::caller());
        }
    }

    /// Runs `f` (a drop of something of the user's) under a guard; a panic is reported to the
    /// loop's exception handler, naming this task.
    pub(crate) fn guarded(&self, what: &'static str, f: impl FnOnce()) {
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        if let Err(payload) = done {
            self.report(what, Rc::new(Panic::new(payload)));
        }
    }

    pub(crate) fn report_panic(&self, what: &'static str, panic: Panic) {
        self.report(what, Rc::new(panic));
    }

    pub(crate) fn report_never_retrieved(&self, message: String) {
        self.report("Task exception was never retrieved", Rc::new(NeverRetrieved(message)));
    }

    /// Reports `error`, naming this task, to its loop's exception handler (to standard error,
    /// in the default handler's form, once the loop is gone).
    fn report(&self, message: &'static str, error: Rc<dyn Error>) {
        match self.header.host() {
            Some(host) => host.report_error(message, error, Some(self.clone())),
            None => {
                eprintln!("qtasync: {message}\n  task: {}\n  exception: {error}", self.name())
            }
        }
    }
}

#[derive(Debug)]
struct NeverRetrieved(String);
impl fmt::Display for NeverRetrieved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl Error for NeverRetrieved {}

/// Identifies a done callback for [`TaskRef::remove_done_callback`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DoneCallbackId(u64);

/// A type-erased, cloneable reference to a task: what done callbacks, error reports and
/// qtasync's `current_task` give you. Holding one does not keep the task running
/// or stop it; dropping it does nothing.
#[derive(Clone)]
pub struct TaskRef {
    pub(crate) header: Rc<dyn TaskHeader>,
}

impl TaskRef {
    fn meta(&self) -> &TaskMeta {
        self.header.meta()
    }

    /// The task's name (asyncio's `get_name`); by default `Task-N`.
    pub fn name(&self) -> String {
        let meta = self.meta();
        match meta.rare.get().and_then(|rare| rare.borrow().name.clone()) {
            Some(name) => name,
            None => format!("Task-{}", meta.number),
        }
    }

    /// Renames the task.
    pub fn set_name(&self, name: impl Into<String>) {
        self.meta().rare().name = Some(name.into());
    }

    /// Where the task was created (`create_task`, `spawn`, a group's `spawn`).
    pub fn spawn_location(&self) -> &'static Location<'static> {
        self.meta().location
    }

    /// Asks for the task to be cancelled: at its next step its future is dropped and it finishes
    /// with [`TaskError::Cancelled`] carrying `message`. Returns `false` if it is already done.
    /// Each call counts once in [`cancelling`](Self::cancelling); the last message wins.
    pub fn cancel(&self, message: Option<&str>) -> bool {
        if self.header.done() {
            return false;
        }
        let meta = self.meta();
        meta.cancelling.set(meta.cancelling.get() + 1);
        meta.must_cancel.set(true);
        let message = message.map(str::to_owned);
        if message.is_some() || meta.rare.get().is_some() {
            meta.rare().cancel_message = message;
        }
        self.header.wake();
        true
    }

    /// Withdraws one cancellation request and returns how many remain. When none remain before
    /// the cancellation was delivered, the task goes on as if it had not been cancelled.
    pub fn uncancel(&self) -> u32 {
        let meta = self.meta();
        let left = meta.cancelling.get().saturating_sub(1);
        meta.cancelling.set(left);
        if left == 0 {
            meta.must_cancel.set(false);
        }
        left
    }

    /// How many cancellation requests are pending (asyncio's `cancelling()`).
    pub fn cancelling(&self) -> u32 {
        self.meta().cancelling.get()
    }

    /// Whether the task finished (with an output, an error or a cancellation).
    pub fn done(&self) -> bool {
        self.header.done()
    }

    /// Whether the task finished by cancellation.
    pub fn cancelled(&self) -> bool {
        self.header.cancelled()
    }

    /// Runs `callback` (through `call_soon`) once the task is done; at once if it already is.
    pub fn add_done_callback(&self, callback: impl FnOnce(&TaskRef) + 'static) -> DoneCallbackId {
        let meta = self.meta();
        let id = meta.rare().done_callbacks.add(callback);
        if self.done() {
            self.schedule_done_callbacks();
        }
        DoneCallbackId(id)
    }

    /// Removes a done callback that has not been scheduled yet; returns how many were removed.
    pub fn remove_done_callback(&self, id: DoneCallbackId) -> usize {
        let removed = match self.meta().rare.get() {
            Some(rare) => rare.borrow().done_callbacks.remove(id.0),
            None => Vec::new(),
        };
        // Dropped with no borrow held: a captured value's `Drop` may use this task again.
        removed.len()
    }

    /// Whether two references name the same task.
    pub fn ptr_eq(&self, other: &TaskRef) -> bool {
        Rc::ptr_eq(&self.header, &other.header)
    }
}

impl fmt::Debug for TaskRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskRef")
            .field("name", &self.name())
            .field("done", &self.done())
            .field("cancelling", &self.cancelling())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::next_task_number;

    #[test]
    fn task_numbers_are_unique_across_threads_and_increase_on_each() {
        // Enough per thread to cross a block boundary (1024); fewer threads under Miri (slow).
        let threads = if cfg!(miri) { 2 } else { 4 };
        let threads: Vec<_> = (0..threads)
            .map(|_| std::thread::spawn(|| (0..1100).map(|_| next_task_number()).collect()))
            .collect();
        let mut all: Vec<u64> = Vec::new();
        for thread in threads {
            let numbers: Vec<u64> = thread.join().unwrap();
            assert!(numbers.windows(2).all(|pair| pair[0] < pair[1]));
            all.extend(numbers);
        }
        let count = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), count, "a number was given twice");
    }
}
