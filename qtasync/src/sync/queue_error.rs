//! The queue's errors (asyncio's `QueueFull`, `QueueEmpty`, `QueueShutDown`, and the
//! `ValueError` of one `task_done` too many). Errors of a refused put give the item back.

use std::error::Error;
use std::fmt;

/// `put_nowait` on a full queue; holds the item that was not put.
pub struct QueueFull<T>(pub T);

/// `get_nowait` on an empty queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueEmpty;

/// The queue was shut down: `put` refuses items (and gives the item back, `T`), `get` fails
/// once no item is left (`T = ()`).
pub struct QueueShutDown<T = ()>(pub T);

/// Why [`put_nowait`](super::Queue::put_nowait) did not put the item.
pub enum PutNowaitError<T> {
    /// The queue holds `maxsize` items.
    Full(QueueFull<T>),
    /// The queue was shut down.
    ShutDown(QueueShutDown<T>),
}

impl<T> PutNowaitError<T> {
    /// The item that was not put.
    pub fn into_item(self) -> T {
        match self {
            PutNowaitError::Full(QueueFull(item))
            | PutNowaitError::ShutDown(QueueShutDown(item)) => item,
        }
    }
}

/// Why [`get_nowait`](super::Queue::get_nowait) returned no item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GetNowaitError {
    /// The queue is empty.
    Empty(QueueEmpty),
    /// The queue is empty and was shut down, or was shut down with `immediate`.
    ShutDown(QueueShutDown),
}

/// [`task_done`](super::Queue::task_done) was called more times than items were put.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskDoneError;

impl<T> fmt::Debug for QueueFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QueueFull(..)")
    }
}

impl<T> fmt::Display for QueueFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is full")
    }
}

impl<T> Error for QueueFull<T> {}

impl fmt::Display for QueueEmpty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is empty")
    }
}

impl Error for QueueEmpty {}

impl<T> fmt::Debug for QueueShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QueueShutDown(..)")
    }
}

impl<T> fmt::Display for QueueShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue was shut down")
    }
}

impl<T> Error for QueueShutDown<T> {}

impl<T: PartialEq> PartialEq for QueueShutDown<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<T: Eq> Eq for QueueShutDown<T> {}

impl<T: Clone> Clone for QueueShutDown<T> {
    fn clone(&self) -> Self {
        QueueShutDown(self.0.clone())
    }
}

impl<T: Copy> Copy for QueueShutDown<T> {}

impl<T> fmt::Debug for PutNowaitError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutNowaitError::Full(error) => f.debug_tuple("Full").field(error).finish(),
            PutNowaitError::ShutDown(error) => f.debug_tuple("ShutDown").field(error).finish(),
        }
    }
}

impl<T> fmt::Display for PutNowaitError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutNowaitError::Full(error) => error.fmt(f),
            PutNowaitError::ShutDown(error) => error.fmt(f),
        }
    }
}

impl<T> Error for PutNowaitError<T> {}

impl fmt::Display for GetNowaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GetNowaitError::Empty(error) => error.fmt(f),
            GetNowaitError::ShutDown(error) => error.fmt(f),
        }
    }
}

impl Error for GetNowaitError {}

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done() called too many times")
    }
}

impl Error for TaskDoneError {}
