//! What the macros expand to call: spawning async slots, and ending `#[qtasync::main]`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Debug;
use std::future::Future;
use std::rc::Rc;

use crate::core::exception::{default_exception_handler, ExceptionContext};
use crate::core::task::{TaskError, TaskRef};
use crate::error::RunError;
use crate::event_loop::get_running_loop;
use crate::object_ref::ObjectRef;

/// What an async slot may return: `()` or `Result<_, E: Debug>`; an `Err` is reported to the
/// loop's exception handler (nobody else could see it).
#[diagnostic::on_unimplemented(
    message = "an async slot returns `()` or `Result<_, E: Debug>`, not `{Self}`",
    label = "nobody receives what a slot returns: return `()`, or a `Result` whose errors are reported"
)]
pub trait SlotOutput {
    /// Reports an error, if this is one.
    fn report(self, slot: &'static str);
}

impl SlotOutput for () {
    fn report(self, _: &'static str) {}
}

impl<T, E: Debug> SlotOutput for Result<T, E> {
    fn report(self, slot: &'static str) {
        if let Err(error) = self {
            let context = ExceptionContext::new(format!("Error returned by async slot {slot}"))
                .with_exception(Rc::new(SlotError(format!("{error:?}"))));
            match get_running_loop() {
                Ok(event_loop) => event_loop.call_exception_handler(&context),
                Err(_) => default_exception_handler(&context),
            }
        }
    }
}

#[derive(Debug)]
struct SlotError(String);
impl std::fmt::Display for SlotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for SlotError {}

/// The object an async method slot runs for.
pub trait SlotObject {
    /// Cancels `task` when the object is destroyed.
    fn cancel_on_destroy(&self, task: TaskRef);
    /// Identifies the object for `exclusive`.
    fn key(&self) -> usize;
}

impl<T> SlotObject for ObjectRef<T> {
    fn cancel_on_destroy(&self, task: TaskRef) {
        self.on_destroyed(move || {
            task.cancel(Some("the QObject was destroyed"));
        });
    }

    fn key(&self) -> usize {
        self.address()
    }
}

thread_local! {
    /// Running `exclusive` slot tasks, by slot and object.
    static EXCLUSIVE: RefCell<HashMap<(&'static str, usize), TaskRef>> = RefCell::new(HashMap::new());
}

/// Spawns the body of an async slot (which reports its own errors through [`SlotOutput`]) as a
/// task on the running loop and returns at once.
/// `objects` are the slot's object (for a method) and its `ObjectRef` arguments: destroying any
/// of them cancels the task. With `exclusive`, a call cancels the previous run of the same slot
/// (on the same object, for a method) if it still runs. Without a running loop the call is
/// reported, not silently dropped.
pub fn spawn_slot<F>(
    slot: &'static str,
    name: Option<&'static str>,
    exclusive: bool,
    objects: &[&dyn SlotObject],
    body: F,
) -> Option<TaskRef>
where
    F: Future<Output = ()> + 'static,
{
    let event_loop = match get_running_loop() {
        Ok(event_loop) => event_loop,
        Err(error) => {
            default_exception_handler(&ExceptionContext::new(format!(
                "async slot {slot} was called with no running qtasync loop ({error}); the call \
                 did not run"
            )));
            return None;
        }
    };
    let task = match event_loop.create_task(body) {
        Ok(task) => task,
        Err(error) => {
            event_loop.call_exception_handler(&ExceptionContext::new(format!(
                "async slot {slot} was called on a closed loop ({error}); the call did not run"
            )));
            return None;
        }
    };
    task.set_name(name.unwrap_or(slot));
    let task = task.task_ref();
    for object in objects {
        object.cancel_on_destroy(task.clone());
    }
    if exclusive {
        let key = (slot, objects.first().map_or(0, |object| object.key()));
        let previous = EXCLUSIVE.with(|running| running.borrow_mut().insert(key, task.clone()));
        if let Some(previous) = previous {
            previous.cancel(Some("superseded by a newer call of the same slot"));
        }
        let mine = task.clone();
        task.add_done_callback(move |_| {
            EXCLUSIVE.with(|running| {
                let mut running = running.borrow_mut();
                if running.get(&key).is_some_and(|current| current.ptr_eq(&mine)) {
                    running.remove(&key);
                }
            });
        });
    }
    Some(task)
}

/// What `#[qtasync::main]` may return: `()` or `Result<(), E>`.
#[diagnostic::on_unimplemented(
    message = "#[qtasync::main] returns `()` or `Result<(), E>`, not `{Self}`",
    label = "return `()` or `Result<(), E>`"
)]
pub trait MainOutput {
    /// The value when the loop ended before `main`'s body finished (the application quit).
    fn ended_early() -> Self;
}

impl MainOutput for () {
    fn ended_early() -> Self {}
}

impl<E> MainOutput for Result<(), E> {
    fn ended_early() -> Self {
        Ok(())
    }
}

/// Turns the outcome of a run into `main`'s return value: a panic in the body goes on as a
/// panic; SIGINT exits with status 130; a loop error exits with status 1 after saying why.
pub fn finish_main<T: MainOutput>(result: Result<Option<T>, RunError>) -> T {
    match result {
        Ok(Some(output)) => output,
        Ok(None) => T::ended_early(),
        Err(RunError::Task(TaskError::Panicked(panic))) => {
            std::panic::resume_unwind(panic.into_payload())
        }
        Err(RunError::Interrupted) => std::process::exit(130),
        Err(error) => {
            eprintln!("qtasync: {error}");
            std::process::exit(1)
        }
    }
}
