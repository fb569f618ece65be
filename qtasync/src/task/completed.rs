//! A finished task with its place in the input: what [`wait`](super::wait) and
//! [`as_completed`](super::as_completed) yield, and the future that produces it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::core::task::{Task, TaskError, TaskRef};

/// A task that finished: where it was in the input, the task itself, and its result.
pub struct Completed<T> {
    /// The task's position in the input of [`wait`](super::wait) or
    /// [`as_completed`](super::as_completed).
    pub index: usize,
    /// The task (its name, whether it was cancelled).
    pub task: TaskRef,
    /// Its output, or why it has none.
    pub result: Result<T, TaskError>,
}

impl<T> Completed<T> {
    /// Whether the task ended by panicking (asyncio: "finished with an exception").
    pub fn panicked(&self) -> bool {
        matches!(self.result, Err(TaskError::Panicked(_)))
    }
}

impl<T: fmt::Debug> fmt::Debug for Completed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Completed")
            .field("index", &self.index)
            .field("task", &self.task)
            .field("result", &self.result)
            .finish()
    }
}

/// Awaits one task and tags its result with the task's input position.
pub(crate) struct Indexed<T> {
    pub(crate) index: usize,
    pub(crate) task: Task<T>,
}

impl<T: 'static> Future for Indexed<T> {
    type Output = Completed<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Completed<T>> {
        let this = self.get_mut();
        Pin::new(&mut this.task).poll(cx).map(|result| Completed {
            index: this.index,
            task: this.task.task_ref(),
            result,
        })
    }
}

/// Tags each task with its input position.
pub(crate) fn indexed<T, I>(tasks: I) -> impl Iterator<Item = Indexed<T>>
where
    I: IntoIterator<Item = Task<T>>,
{
    tasks.into_iter().enumerate().map(|(index, task)| Indexed { index, task })
}
