//! qtasync runs async Rust on Qt's own event loop, with an asyncio-shaped API (the Rust
//! counterpart of PySide6's QtAsyncio): [`EventLoop`] (`call_soon`, `call_later`, `call_at`,
//! `create_task`, `run_until_complete`, ...), [`run`]/[`Runner`] (`keep_running`, `quit_qapp`,
//! `handle_sigint`), [`Task`], [`LoopFuture`], [`sleep`]/[`timeout`], `run_in_executor`, and the
//! macros [`main`], [`test`], [`qt_slot_async`]; [`qt`] and [`signal!`] await Qt signals.
//! Level 2 (sockets, subprocesses, Unix signals) runs on the same loop: [`io`] (the reactor,
//! `Async<T>`, `add_reader`), [`net`], [`streams`] (`open_connection`, `start_server`),
//! [`process`] and [`signal`](mod@crate::signal) (`add_signal_handler`).
//!
//! ```
//! use std::time::Duration;
//! use qtasync::{get_running_loop, sleep, Runner};
//!
//! let total = Runner::new().keep_running(false).run(async {
//!     let event_loop = get_running_loop().unwrap();
//!     let a = event_loop.create_task(async {
//!         sleep(Duration::from_millis(5)).await;
//!         1
//!     }).unwrap();
//!     let b = event_loop.run_in_executor(|| 2).unwrap(); // on a worker thread
//!     a.await.unwrap() + b.await.unwrap()
//! }).unwrap();
//! assert_eq!(total, Some(3));
//! ```
//!
//! The layers: the scheduler core (ready queue, timer heap, tasks, wakers; plain Rust, no Qt),
//! the Qt driver (one dispatcher QObject per loop: posted wake events, one precise timer,
//! `QCoreApplication::exec`/`QEventLoop`; all FFI), and this public API.

//!
//! Which types may cross threads is part of the API, checked here so it cannot regress: the
//! loop, its tasks and object references stay on their thread...
//!
//! ```compile_fail
//! fn must_be_send<T: Send>() {}
//! must_be_send::<qtasync::EventLoop>();
//! ```
//! ```compile_fail
//! fn must_be_send<T: Send>() {}
//! must_be_send::<qtasync::Task<()>>();
//! ```
//! ```compile_fail
//! fn must_be_send<T: Send>() {}
//! must_be_send::<qtasync::TaskRef>();
//! ```
//! ```compile_fail
//! fn must_be_send<T: Send>() {}
//! must_be_send::<qtasync::ObjectRef<cxx_qt::QObject>>();
//! ```
//!
//! ...while the handle for other threads is `Send + Sync`:
//!
//! ```
//! fn must_be_send_sync<T: Send + Sync>() {}
//! must_be_send_sync::<qtasync::LoopHandle>();
//! ```

#![warn(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks)]

// cxx-qt-build's generated initializer for this crate calls the initializers of cxx-qt and
// cxx-qt-lib; without a Rust reference rustc would not link those crates at all.
extern crate cxx_qt as _;
extern crate cxx_qt_lib as _;

mod asyncgen;
// The scheduler core lives in its own crate (no Qt, checked by Miri); `crate::core::..` names it.
use qtasync_core as core;
mod driver;
pub mod error;
mod event_loop;
pub mod executor;
pub mod io;
pub mod net;
mod object_ref;
pub mod process;
#[cfg(feature = "qml")]
pub mod qml;
pub mod qt;
mod remote;
mod runner;
pub mod signal;
mod slot;
pub mod streams;
pub mod sync;
pub mod task;
pub mod testing;
mod thread_bound;
pub mod time;
mod to_thread;
#[cfg(feature = "tokio")]
pub mod tokio;
pub mod worker;

pub use crate::asyncgen::TrackedStream;
pub use crate::core::callback::TimerHandle;
pub use crate::core::exception::{default_exception_handler, Exception, ExceptionContext, Panic};
pub use crate::core::loop_future::{FutureCallbackId, FutureError, InvalidStateError, LoopFuture};
pub use crate::core::scheduler::Handle;
pub use crate::core::scheduler::LoopClosed;
pub use crate::core::task::{DoneCallbackId, Task, TaskError, TaskRef};
pub use crate::error::{ExecutorError, LoopError, NoRunningLoop, RunError};
pub use crate::event_loop::{
    current_task, get_running_loop, spawn, EventLoop, ExceptionHandler, LoopHandle, SpawnError,
    TaskFactory, TaskSpec,
};
pub use crate::executor::{Executor, ExecutorJob, Job, ThreadPool};
pub use crate::object_ref::{ObjectAccessError, ObjectRef};
pub use crate::remote::{RemoteError, RemoteTask};
pub use crate::runner::{run, Runner};
pub use crate::task::{
    as_completed, gather, gather_settled, shield, wait, wait_for, ReturnWhen, TaskGroup,
    TaskGroupError,
};
pub use crate::thread_bound::ThreadBound;
pub use crate::to_thread::to_thread;
/// Asks the Qt application to quit (`QCoreApplication::quit()`), as closing the last window does.
/// A running loop then ends: `run_forever` returns [`RunError::ApplicationQuit`].
pub fn quit_application() {
    driver::app::quit();
}

pub use crate::time::{
    sleep, sleep_until, timeout, timeout_at, yield_now, Elapsed, Sleep, Timeout, YieldNow,
};

#[cfg(feature = "widgets")]
pub use crate::driver::widgets::WidgetsApplication;

pub use qtasync_macros::{main, qt_slot_async, test};

/// What the macros expand to. Not a public API: no stability promise.
#[doc(hidden)]
pub mod __private {
    pub use crate::slot::{finish_main, spawn_slot, MainOutput, SlotObject, SlotOutput};
    pub use qtasync_macros::signal_impl;

    /// `app = "gui"`: the process's QGuiApplication.
    #[cfg(feature = "gui")]
    pub fn new_gui_application() -> cxx::UniquePtr<cxx_qt_lib::QGuiApplication> {
        cxx_qt_lib::QGuiApplication::new()
    }

    /// `app = "widgets"`: the process's QApplication.
    #[cfg(feature = "widgets")]
    pub fn new_widgets_application() -> crate::WidgetsApplication {
        crate::WidgetsApplication::new()
    }
}

/// A signal of a cxx-qt QObject, to await, stream or connect to a coroutine: write the sender
/// (a `Pin<&mut T>`), the signal's Rust name, and one `_` per signal argument (or a name, for
/// the reader), as if calling it. It makes a [`qt::Signal`]:
///
/// | | |
/// |---|---|
/// | `signal!(sender.sig(_, _)).await` | the next emission: `Result<(A, B), qt::SenderDestroyed>` |
/// | `signal!(sender.sig(_)).timeout(d).await` | the same or `Err(qt::WaitError::Timeout)` |
/// | `signal!(sender.sig()).next()` | connect now, await later |
/// | `signal!(sender.sig(_)).stream()` | every emission: a `Stream` of `(A,)` |
/// | `signal!(sender.sig(_)).connect(\|(a,)\| async move { .. })` | a task per emission, `qt::SignalConnection` |
///
/// The arguments come as a tuple of owned values ([`qt::SignalArg`]: `&QString` is cloned).
/// It uses cxx-qt's generated `on_<sig>`, so it works for `extern "RustQt"` and
/// `extern "C++Qt"` signals alike; a wrong name is a compile error at the name ("no method
/// named `on_..`"), a wrong count of `_` one at the `(..)` ("closure is expected to take N
/// arguments"). See [`qt`] for the connection, destruction and thread rules.
///
/// ```no_run
/// use std::pin::Pin;
/// use qtasync::qt::SenderDestroyed;
///
/// #[cxx_qt::bridge]
/// mod ffi {
///     unsafe extern "C++Qt" {
///         include!(<QtWidgets/QPushButton>);
///         #[qobject]
///         type QPushButton;
///         #[qsignal]
///         fn clicked(self: Pin<&mut QPushButton>, checked: bool);
///     }
/// }
///
/// async fn next_click(button: Pin<&mut ffi::QPushButton>) -> Result<bool, SenderDestroyed> {
///     let (checked,) = qtasync::signal!(button.clicked(_)).await?;
///     Ok(checked)
/// }
/// # fn main() {} // the bridge must be a module item, not inside rustdoc's `main`
/// ```
///
/// # Panics
/// If the sender lives on another thread than the caller.
#[macro_export]
macro_rules! signal {
    ($($input:tt)*) => {
        $crate::__private::signal_impl!($crate; $($input)*)
    };
}

/// Expands to nothing with the `gui` feature, to a compile error without it.
#[cfg(feature = "gui")]
#[doc(hidden)]
#[macro_export]
macro_rules! __qtasync_require_gui {
    () => {};
}

/// Expands to nothing with the `gui` feature, to a compile error without it.
#[cfg(not(feature = "gui"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __qtasync_require_gui {
    () => {
        compile_error!(
            "app = \"gui\" needs qtasync's `gui` feature: qtasync = { version = \"...\", features = [\"gui\"] }"
        );
    };
}

/// Expands to nothing with the `widgets` feature, to a compile error without it.
#[cfg(feature = "widgets")]
#[doc(hidden)]
#[macro_export]
macro_rules! __qtasync_require_widgets {
    () => {};
}

/// Expands to nothing with the `widgets` feature, to a compile error without it.
#[cfg(not(feature = "widgets"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __qtasync_require_widgets {
    () => {
        compile_error!(
            "app = \"widgets\" needs qtasync's `widgets` feature: qtasync = { version = \"...\", features = [\"widgets\"] }"
        );
    };
}

/// `#[qtasync::main]`'s and `#[qtasync::test]`'s tokio options: their runtime, with the `tokio`
/// feature.
#[cfg(feature = "tokio")]
#[doc(hidden)]
#[macro_export]
macro_rules! __qtasync_tokio_runtime {
    ($entry:ident default) => {
        $crate::tokio::EntryRuntime::default_runtime($crate::tokio::Entry::$entry)
    };
    ($entry:ident workers $workers:literal) => {
        $crate::tokio::EntryRuntime::workers($crate::tokio::Entry::$entry, $workers)
    };
    ($entry:ident handle $function:path) => {
        $crate::tokio::EntryRuntime::handle($function())
    };
}

/// `#[qtasync::main]`'s and `#[qtasync::test]`'s tokio options: a compile error without the
/// `tokio` feature.
#[cfg(not(feature = "tokio"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __qtasync_tokio_runtime {
    ($($request:tt)*) => {
        compile_error!(
            "the tokio options need qtasync's `tokio` feature: qtasync = { version = \"...\", features = [\"tokio\"] }"
        )
    };
}
