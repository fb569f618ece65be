//! The scheduler core: plain Rust, no Qt, no FFI. The ready queue, the timer heap, tasks and
//! their wakers, asyncio's future, and error reports. `crate::driver` connects it to Qt.

pub(crate) mod arena;
pub(crate) mod callback;
pub(crate) mod clock;
pub(crate) mod done_callbacks;
pub(crate) mod exception;
pub(crate) mod loop_future;
pub(crate) mod scheduler;
pub(crate) mod shared;
pub(crate) mod task;
pub(crate) mod thread_token;
pub(crate) mod timers;
pub(crate) mod waker;
