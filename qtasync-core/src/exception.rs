//! Error reports: asyncio's exception handler contexts, and the handler used when none is set.

use std::any::Any;
use std::error::Error;
use std::fmt;
use std::panic::Location;
use std::rc::Rc;

pub use super::panic::Panic;
use super::task_ref::TaskRef;

/// An error value stored in a [`LoopFuture`](crate::loop_future::LoopFuture) or carried by a report.
pub type Exception = Rc<dyn Error + 'static>;

/// What the loop tells its exception handler (asyncio's `context` dict, as a struct).
#[derive(Clone)]
#[non_exhaustive]
pub struct ExceptionContext {
    /// What happened, e.g. "Task exception was never retrieved".
    pub message: String,
    /// The error, when there is one (a caught panic is a [`Panic`]).
    pub exception: Option<Exception>,
    /// The task concerned, if any.
    pub task: Option<TaskRef>,
    /// Where the failing callback was scheduled, if known.
    pub location: Option<&'static Location<'static>>,
}

impl ExceptionContext {
    /// A context with only a message.
    pub fn new(message: impl Into<String>) -> Self {
        ExceptionContext { message: message.into(), exception: None, task: None, location: None }
    }

    /// Adds the error.
    pub fn with_exception(mut self, exception: Exception) -> Self {
        self.exception = Some(exception);
        self
    }

    /// Adds the task.
    pub fn with_task(mut self, task: TaskRef) -> Self {
        self.task = Some(task);
        self
    }

    /// Adds where the callback was scheduled.
    pub fn with_location(mut self, location: &'static Location<'static>) -> Self {
        self.location = Some(location);
        self
    }

    pub fn panic(message: &str, payload: Box<dyn Any + Send>) -> Self {
        ExceptionContext::new(message).with_exception(Rc::new(Panic::new(payload)))
    }
}

impl fmt::Debug for ExceptionContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExceptionContext")
            .field("message", &self.message)
            .field("exception", &self.exception.as_ref().map(|e| e.to_string()))
            .field("task", &self.task.as_ref().map(|t| t.name()))
            .field("location", &self.location.map(|l| l.to_string()))
            .finish()
    }
}

impl fmt::Display for ExceptionContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(task) = &self.task {
            write!(f, "\n  task: {}", task.name())?;
        }
        if let Some(location) = self.location {
            write!(f, "\n  scheduled at: {location}")?;
        }
        if let Some(exception) = &self.exception {
            write!(f, "\n  exception: {exception}")?;
            let mut source = exception.source();
            while let Some(cause) = source {
                write!(f, "\n  caused by: {cause}")?;
                source = cause.source();
            }
        }
        Ok(())
    }
}

/// What happens to a report when no handler is set: it is written to standard error.
pub fn default_exception_handler(context: &ExceptionContext) {
    eprintln!("qtasync: {context}");
}
