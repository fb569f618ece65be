//! qtasync runs async Rust on Qt's own event loop, with an asyncio-shaped API (the Rust
//! counterpart of PySide6's QtAsyncio).
//!
//! The layers: [`core`](crate) (scheduler: ready queue, timer heap, tasks, wakers; plain Rust),
//! the Qt driver (one dispatcher QObject per loop: posted wake events, one precise timer,
//! `QCoreApplication::exec`/`QEventLoop`), and the public API ([`EventLoop`], [`run`], [`Runner`],
//! tasks, futures, time, executor).

// cxx-qt-build's generated initializer for this crate calls the initializers of cxx-qt and
// cxx-qt-lib; without a Rust reference rustc would not link those crates at all.
extern crate cxx_qt as _;
extern crate cxx_qt_lib as _;

mod asyncgen;
mod core;
mod driver;
mod error;
mod event_loop;
mod executor;
mod runner;
pub mod testing;
mod time;

pub use crate::asyncgen::TrackedStream;
pub use crate::core::callback::{Handle, TimerHandle};
pub use crate::core::exception::{default_exception_handler, Exception, ExceptionContext, Panic};
pub use crate::core::loop_future::{FutureCallbackId, FutureError, InvalidStateError, LoopFuture};
pub use crate::core::scheduler::LoopClosed;
pub use crate::core::task::{DoneCallbackId, Task, TaskError, TaskRef};
pub use crate::error::{ExecutorError, LoopError, NoRunningLoop, RunError};
pub use crate::event_loop::{
    current_task, get_running_loop, spawn, EventLoop, ExceptionHandler, LoopHandle, SpawnError,
    TaskFactory, TaskSpec,
};
pub use crate::executor::{Executor, ExecutorJob, Job, ThreadPool};
pub use crate::runner::{run, Runner};
/// Asks the Qt application to quit (`QCoreApplication::quit()`), as closing the last window does.
/// A running loop then ends: `run_forever` returns [`RunError::ApplicationQuit`].
pub fn quit_application() {
    driver::app::quit();
}

pub use crate::time::{
    sleep, sleep_until, timeout, timeout_at, yield_now, Elapsed, Sleep, Timeout, YieldNow,
};
