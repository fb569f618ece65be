//! Which tokio runtime qtasync's dispatches enter: one the thread entered already, else the one
//! given to [`set_runtime`], else a default multi-thread runtime made on first use.
//!
//! Plain Rust over tokio: nothing here knows about Qt or the loop.

use std::fmt;
use std::sync::{OnceLock, RwLock};

use ::tokio::runtime::{Builder, Handle, Runtime};

/// Worker threads of the default runtime: its reactor and timers need few, and the Qt thread
/// does the polling of what qtasync's tasks await.
pub const DEFAULT_WORKER_THREADS: usize = 2;

/// The runtime chosen with [`set_runtime`], if any.
static CHOSEN: RwLock<Option<Handle>> = RwLock::new(None);

/// The default runtime, built the first time it is needed (or why it could not be).
static DEFAULT: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// The default runtime could not be built (its worker threads could not be started).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeUnavailable(String);

impl RuntimeUnavailable {
    pub(crate) fn new(reason: String) -> Self {
        RuntimeUnavailable(reason)
    }
}

impl fmt::Display for RuntimeUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "qtasync could not start its tokio runtime: {}", self.0)
    }
}

impl std::error::Error for RuntimeUnavailable {}

/// Makes `handle` the runtime that qtasync's loops enter from now on (on every thread), and that
/// [`spawn`](super::spawn) uses outside a runtime context; returns the runtime chosen before, if
/// any. Futures already registered with the previous runtime stay with it (tokio binds I/O and
/// timers to the runtime they were created in), so choose before the first loop runs.
///
/// ```
/// let runtime = tokio::runtime::Builder::new_multi_thread()
///     .worker_threads(1)
///     .enable_all()
///     .build()
///     .unwrap();
/// qtasync::tokio::set_runtime(runtime.handle().clone());
/// let seen = qtasync::Runner::new().keep_running(false).run(async {
///     tokio::runtime::Handle::current().id()
/// });
/// assert_eq!(seen.unwrap(), Some(runtime.handle().id()));
/// qtasync::tokio::unset_runtime(); // back to the default runtime
/// ```
pub fn set_runtime(handle: Handle) -> Option<Handle> {
    let mut chosen = CHOSEN.write().unwrap_or_else(|poison| poison.into_inner());
    chosen.replace(handle)
}

/// Forgets the runtime given to [`set_runtime`]: later dispatches enter the default runtime.
/// Returns the runtime that was chosen, if any.
pub fn unset_runtime() -> Option<Handle> {
    let mut chosen = CHOSEN.write().unwrap_or_else(|poison| poison.into_inner());
    chosen.take()
}

/// The runtime qtasync uses when the calling thread has entered none: the one given to
/// [`set_runtime`], else the default runtime ([`DEFAULT_WORKER_THREADS`] workers named
/// `qtasync-tokio`, I/O and timers enabled), started now if it was not yet.
pub fn runtime() -> Result<Handle, RuntimeUnavailable> {
    if let Some(handle) = CHOSEN.read().unwrap_or_else(|poison| poison.into_inner()).as_ref() {
        return Ok(handle.clone());
    }
    let default = DEFAULT.get_or_init(|| {
        Builder::new_multi_thread()
            .worker_threads(DEFAULT_WORKER_THREADS)
            .thread_name("qtasync-tokio")
            .enable_all()
            .build()
            .map_err(|error| error.to_string())
    });
    match default {
        Ok(runtime) => Ok(runtime.handle().clone()),
        Err(reason) => Err(RuntimeUnavailable(reason.clone())),
    }
}

/// The runtime for work started from the calling thread: the entered one, else [`runtime`].
pub(crate) fn current_or_configured() -> Result<Handle, RuntimeUnavailable> {
    match Handle::try_current() {
        Ok(handle) => Ok(handle),
        Err(_) => runtime(),
    }
}

/// Runs `f` (one dispatch of a qtasync loop) inside a tokio runtime context, so that the futures
/// and callbacks it polls find a reactor and timers. A context the thread entered already (the
/// user's own `Handle::enter()`, a [`with_runtime`](super::with_runtime) further up) is kept.
/// The guard is dropped when `f` returns, so nested dispatches (a modal dialog's loop inside a
/// task) enter and leave in stack order, as tokio requires.
pub(crate) fn within<R>(f: impl FnOnce() -> R) -> R {
    if Handle::try_current().is_ok() {
        return f();
    }
    match runtime() {
        Ok(handle) => {
            let _entered = handle.enter();
            f()
        }
        // Reported once, when the default runtime failed to start; tokio futures then fail
        // with tokio's own "no reactor running" panic, which the task reports.
        Err(_) => f(),
    }
}
