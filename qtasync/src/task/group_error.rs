//! How a [`TaskGroup`](super::TaskGroup) fails: every child's error, listed.

use std::error::Error;
use std::fmt;

use crate::core::exception::Panic;

/// One child's failure in a [`TaskGroupError`].
#[derive(Debug)]
pub enum ChildError<E> {
    /// The child returned `Err(error)`.
    Failed {
        /// The child task's name.
        task: String,
        /// What it returned.
        error: E,
    },
    /// The child panicked.
    Panicked {
        /// The child task's name.
        task: String,
        /// The panic, caught by the loop.
        panic: Panic,
    },
}

impl<E> ChildError<E> {
    /// The failed child's task name.
    pub fn task_name(&self) -> &str {
        match self {
            ChildError::Failed { task, .. } | ChildError::Panicked { task, .. } => task,
        }
    }

    /// The returned error, if the child returned one (rather than panicking).
    pub fn error(&self) -> Option<&E> {
        match self {
            ChildError::Failed { error, .. } => Some(error),
            ChildError::Panicked { .. } => None,
        }
    }

    /// The panic, if the child panicked.
    pub fn panic(&self) -> Option<&Panic> {
        match self {
            ChildError::Panicked { panic, .. } => Some(panic),
            ChildError::Failed { .. } => None,
        }
    }
}

impl<E: fmt::Display> fmt::Display for ChildError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChildError::Failed { task, error } => write!(f, "{task} failed: {error}"),
            ChildError::Panicked { task, panic } => write!(f, "{task} {panic}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> Error for ChildError<E> {}

/// A [`TaskGroup`](super::TaskGroup) ended with failed children (asyncio's `ExceptionGroup`):
/// every child error, in the order they happened. Children cancelled because a sibling failed
/// are not listed, as in asyncio.
#[derive(Debug)]
pub struct TaskGroupError<E> {
    errors: Vec<ChildError<E>>,
}

impl<E> TaskGroupError<E> {
    pub(crate) fn new(errors: Vec<ChildError<E>>) -> Self {
        TaskGroupError { errors }
    }

    /// The child errors, in the order they happened (never empty).
    pub fn errors(&self) -> &[ChildError<E>] {
        &self.errors
    }

    /// The child errors, by value.
    pub fn into_errors(self) -> Vec<ChildError<E>> {
        self.errors
    }
}

impl<E: fmt::Display> fmt::Display for TaskGroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.errors.len();
        write!(f, "{count} task group child{} failed", if count == 1 { "" } else { "ren" })?;
        for (n, error) in self.errors.iter().enumerate() {
            write!(f, "{} {error}", if n == 0 { ":" } else { ";" })?;
        }
        Ok(())
    }
}

impl<E: fmt::Debug + fmt::Display> Error for TaskGroupError<E> {}
