//! tokio interop (the `tokio` feature): tokio futures inside qtasync tasks and Qt slots.
//!
//! tokio's I/O and timers need a runtime context: polled elsewhere they panic with "there is no
//! reactor running". With this feature every dispatch of a qtasync loop (on any thread) runs
//! inside a tokio multi-thread runtime's context, so inside qtasync tasks, async slots and
//! callbacks, `tokio::net`, `tokio::time`, `tokio::spawn`, `tokio::task::spawn_blocking`,
//! `tokio::sync` and the crates built on them (reqwest, tonic, sqlx ...) just work:
//!
//! ```
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! let reply = qtasync::Runner::new().keep_running(false).run(async {
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
//!     let address = listener.local_addr().unwrap();
//!     tokio::spawn(async move {               // on a tokio worker
//!         let (mut socket, _) = listener.accept().await.unwrap();
//!         socket.write_all(b"hello from tokio").await.unwrap();
//!     });
//!     let mut stream = tokio::net::TcpStream::connect(address).await.unwrap(); // on the Qt thread
//!     let mut reply = String::new();
//!     stream.read_to_string(&mut reply).await.unwrap();
//!     reply
//! });
//! assert_eq!(reply.unwrap().as_deref(), Some("hello from tokio"));
//! ```
//!
//! ## Which futures run where
//!
//! | what | polled on | notes |
//! |---|---|---|
//! | a qtasync task, async slot or callback, and every tokio future it awaits directly | the loop's thread (the Qt thread) | may be `!Send`, may touch Qt objects |
//! | tokio's reactor (sockets) and timer wheel | the runtime's worker threads | they only wake the Qt thread's tasks |
//! | `tokio::spawn(f)`, [`spawn`]`(f)` | the runtime's workers | `Send`; await the handle on the Qt thread |
//! | `tokio::task::spawn_blocking(f)`, [`spawn_blocking`]`(f)` | tokio's blocking pool | |
//!
//! The runtime entered is, in this order: one the thread has entered already (the caller's own
//! `let _guard = runtime.enter();` around `qtasync::run`, or [`with_runtime`] for one future),
//! the one given to [`set_runtime`], else a default runtime with
//! [`DEFAULT_WORKER_THREADS`] workers, started the first time a loop dispatches.
//!
//! Not available on the Qt thread: `tokio::task::spawn_local` (no `LocalSet`; use
//! [`qtasync::spawn`](crate::spawn), which takes `!Send` futures) and
//! `tokio::task::block_in_place` (the Qt thread is no tokio worker); they panic, and the task
//! that called them fails with that panic.
//!
//! ## `#[qtasync::main]`'s and `#[qtasync::test]`'s runtime
//!
//! `#[qtasync::main(tokio_workers = 4)]` makes a multi-thread runtime of 4 workers before the
//! loop starts, makes it the runtime of every qtasync loop and of [`spawn`] ([`set_runtime`]),
//! and shuts it down once the loop is over (async tasks dropped, blocking jobs given
//! [`SHUTDOWN_TIMEOUT`]). `#[qtasync::main(tokio_runtime = my_app::handle)]` uses the runtime of
//! the `Handle` a function of yours returns, `#[qtasync::main(tokio)]` starts the default runtime
//! before the loop. `#[qtasync::test]` takes the same options, for the test's own loop only.
//!
//! ```
//! #[qtasync::main(tokio_workers = 4, keep_running = false)]
//! async fn main() {
//!     let runtime = tokio::runtime::Handle::current();
//!     assert_eq!(runtime.metrics().num_workers(), 4);
//!     let on_tokio = qtasync::tokio::spawn(async { 6 * 7 }).await.unwrap(); // on a worker
//!     assert_eq!(on_tokio, 42);
//! }
//! ```
//!
//! ## When the runtime shuts down
//!
//! A [`TokioTask`] then ends with [`TokioTaskError::RuntimeShutdown`]; tokio futures awaited
//! directly end the tokio way: I/O with an `io::Error`, `tokio::time::sleep` with a panic
//! ("timer is shutdown"), which ends the awaiting qtasync task with `TaskError::Panicked`.
//! Nothing waits forever. A tokio future dropped with its task (cancelled, or its loop closed)
//! releases its registration on the Qt thread.

mod entry;
mod runtime;
mod scope;
mod spawn;

pub use entry::SHUTDOWN_TIMEOUT;
#[doc(hidden)]
pub use entry::{Entry, EntryRuntime};
pub(crate) use runtime::within;
pub use runtime::{
    runtime, set_runtime, unset_runtime, RuntimeUnavailable, DEFAULT_WORKER_THREADS,
};
pub use scope::{with_runtime, WithRuntime};
pub use spawn::{spawn, spawn_blocking, TokioTask, TokioTaskError};
