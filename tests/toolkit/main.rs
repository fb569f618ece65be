//! asyncio's task toolkit (`gather`, `wait`, `as_completed`, `TaskGroup`, `shield`,
//! `wait_for`) and sync primitives (`qtasync::sync`), on the real Qt loop. No assertion depends
//! on timing: order is forced with events and channels, and "still waiting" is checked after
//! the loop has had many turns to get it wrong.

use std::cell::{Cell, RefCell};
use std::num::NonZeroUsize;
use std::rc::Rc;
use std::time::Duration;

use futures::StreamExt;
use qtasync::sync::{
    Barrier, BarrierAborted, BoundedSemaphore, Condition, Event, GetNowaitError, Lock,
    PutNowaitError, Queue, QueueEmpty, QueueFull, QueueShutDown, ReleaseError, Semaphore,
    TaskDoneError,
};
use qtasync::task::{ChildError, GroupSpawnError};
use qtasync::{
    as_completed, gather, gather_settled, shield, sleep, spawn, wait, wait_for, yield_now,
    ReturnWhen, TaskError, TaskGroup,
};
use qtasync_tests::{let_others_run, until};

const FOREVER: Duration = Duration::from_secs(3600);

/// Sets its flag when dropped: shows a cancelled future's destructors ran.
struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

fn flag() -> Rc<Cell<bool>> {
    Rc::new(Cell::new(false))
}

/// A child that panics (typed like its fallible siblings).
async fn panics(message: &'static str) -> Result<(), String> {
    panic!("{message}")
}

mod conditions_barriers_events;
mod gather_and_wait;
mod locks_and_semaphores;
mod queue;
mod shield_and_wait_for;
mod task_group;
