//! qtasync's scheduler core: plain Rust, no Qt, no FFI. The ready queue, the timer heap, tasks and
//! their wakers, asyncio's future, and error reports. The `qtasync` crate's driver connects it to
//! Qt and its public API re-exports what users name (`Task`, `TaskRef`, `LoopFuture`, ...).
//!
//! An implementation detail of qtasync with no stable API of its own: depend on `qtasync`.
//! It is a crate of its own so that Miri checks it without building Qt, and so that nothing in
//! it can reach the Qt layer above it.

pub mod arena;
pub mod callback;
pub mod clock;
pub mod done_callbacks;
pub mod exception;
pub mod loop_future;
pub mod panic;
pub mod running;
pub mod scheduler;
pub mod shared;
pub mod task;
pub mod task_error;
pub mod task_ref;
pub mod thread_token;
pub mod timers;
pub mod waker;
