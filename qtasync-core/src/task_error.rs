//! Why a task did not produce its output: cancelled, or panicked.

use std::error::Error;
use std::fmt;

use super::panic::Panic;

/// Why a task did not produce its output.
#[derive(Debug)]
pub enum TaskError {
    /// The task was cancelled (with the message given to `cancel`, if any).
    Cancelled(Option<String>),
    /// The task's future panicked; the loop caught the panic.
    Panicked(Panic),
}

impl TaskError {
    /// Whether this is a cancellation.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, TaskError::Cancelled(_))
    }

    /// Whether this is a panic.
    pub fn is_panic(&self) -> bool {
        matches!(self, TaskError::Panicked(_))
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Cancelled(None) => f.write_str("task was cancelled"),
            TaskError::Cancelled(Some(message)) => write!(f, "task was cancelled: {message}"),
            TaskError::Panicked(panic) => write!(f, "task {panic}"),
        }
    }
}

impl Error for TaskError {}
