//! Panics turned into values: what a task's handle, a future or an error report carries when the
//! code the loop ran panicked.

use std::any::Any;
use std::error::Error;
use std::fmt;

/// A panic caught by the loop (in a callback, a task, a done callback, an executor job ...).
pub struct Panic(Box<PanicParts>);

/// Boxed so that a `Result<T, TaskError>` stays small in every task.
struct PanicParts {
    message: String,
    payload: Box<dyn Any + Send>,
}

impl Panic {
    pub fn new(payload: Box<dyn Any + Send>) -> Self {
        let message = if let Some(text) = payload.downcast_ref::<&'static str>() {
            (*text).to_owned()
        } else if let Some(text) = payload.downcast_ref::<String>() {
            text.clone()
        } else {
            "Box<dyn Any>".to_owned()
        };
        Panic(Box::new(PanicParts { message, payload }))
    }

    /// The panic's message (`"Box<dyn Any>"` when the payload was not a string).
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The original payload, e.g. for [`std::panic::resume_unwind`].
    pub fn into_payload(self) -> Box<dyn Any + Send> {
        self.0.payload
    }
}

impl fmt::Debug for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Panic").field(&self.0.message).finish()
    }
}

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "panicked: {}", self.0.message)
    }
}

impl Error for Panic {}
