//! Awaiting Qt signals: any cxx-qt signal (a `#[qsignal]` of an `extern "RustQt"` QObject or
//! of an `extern "C++Qt"` one) as a future of its next emission, a stream of every emission,
//! or a coroutine run at each emission. [`signal!`](crate::signal) names the signal:
//!
//! ```no_run
//! use std::pin::Pin;
//! use std::time::Duration;
//! use futures::StreamExt;
//! use qtasync::qt::{ConnectOptions, WaitError};
//!
//! #[cxx_qt::bridge]
//! mod ffi {
//!     unsafe extern "C++" {
//!         include!("cxx-qt-lib/qstring.h");
//!         type QString = cxx_qt_lib::QString;
//!     }
//!     unsafe extern "C++Qt" {
//!         include!(<QtWidgets/QLineEdit>);
//!         #[qobject]
//!         type QLineEdit;
//!         #[qsignal]
//!         #[cxx_name = "textChanged"]
//!         fn text_changed(self: Pin<&mut QLineEdit>, text: &QString);
//!         #[qsignal]
//!         #[cxx_name = "returnPressed"]
//!         fn return_pressed(self: Pin<&mut QLineEdit>);
//!     }
//! }
//!
//! async fn edit(mut line: Pin<&mut ffi::QLineEdit>) -> Result<(), WaitError> {
//!     // The next emission, as owned values (the `&QString` is cloned):
//!     let (text,) = qtasync::signal!(line.as_mut().text_changed(_)).await?;
//!     println!("first edit: {text}");
//!
//!     // With a deadline: Err(WaitError::Timeout) if Return is not pressed within 10 s.
//!     qtasync::signal!(line.as_mut().return_pressed()).timeout(Duration::from_secs(10)).await?;
//!
//!     // A coroutine per emission, the newest one cancelling the previous (a search box):
//!     let _search = qtasync::signal!(line.as_mut().text_changed(_)).connect_with(
//!         ConnectOptions::new().exclusive(),
//!         |(text,)| async move {
//!             qtasync::sleep(Duration::from_millis(300)).await; // debounce
//!             println!("searching {text}");
//!         },
//!     );
//!
//!     // Every emission, in order, until the line edit is destroyed:
//!     let mut edits = qtasync::signal!(line.as_mut().text_changed(_)).stream();
//!     while let Some((text,)) = edits.next().await {
//!         println!("now: {text}");
//!     }
//!     Ok(())
//! }
//! # fn main() {} // the bridge must be a module item, not inside rustdoc's `main`
//! ```
//!
//! | QCoro / asyncio | qtasync |
//! |---|---|
//! | `co_await qCoro(obj, &Obj::sig)` | `signal!(obj.sig(_)).await` → `Result<(args..), SenderDestroyed>` |
//! | `qCoro(obj, &Obj::sig, timeout)` / `asyncio.wait_for` | `signal!(obj.sig(_)).timeout(d).await` → `Result<_, WaitError>` |
//! | `qCoroSignalListener(obj, &Obj::sig)` | `signal!(obj.sig(_)).stream()` / `.stream_with(Backlog::DropOldest(n))` |
//! | `QObject::connect(obj, &Obj::sig, coroutine)` | `signal!(obj.sig(_)).connect(\|(args..)\| async move { .. })` |
//!
//! **Connections.** Each of these connects to Qt when it is made, not when first polled (no
//! emission is missed in between), and no longer borrows the sender. Dropping the future, the
//! stream or the [`SignalConnection`] removes the Qt connection; the future also removes it as
//! soon as the signal is emitted. Qt holds only a weak reference to the Rust side.
//!
//! **Destruction.** Each watches the sender's `destroyed()`: the future resolves with
//! [`SenderDestroyed`], the stream ends, connected coroutines are cancelled.
//!
//! **Threads.** Qt calls a signal's handlers on the sender's thread; the Rust side is
//! `Rc`/`RefCell` state of the caller's thread. [`Signal::new`] (so `signal!`) panics if the
//! sender lives on another thread. Should the sender later be moved to another thread, its
//! emissions there are refused (and reported), never touch this thread's state.
//!
//! **Panics** in a connected closure or coroutine, or in a waker, are caught before they reach
//! Qt and reported to the running loop's exception handler.

mod arg;
mod connect;
pub(crate) mod ffi;
mod link;
mod next;
mod signal;
mod stream;

pub use arg::SignalArg;
pub use connect::{Concurrency, ConnectOptions, SignalConnection};
pub use link::{ConnectFn, SignalSink};
pub use next::{NextEmission, NextEmissionTimeout, SenderDestroyed, WaitError};
pub use signal::Signal;
pub use stream::{Backlog, SignalStream};
