//! The macros of [qtasync](https://docs.rs/qtasync): `#[qtasync::main]`, `#[qtasync::test]` and
//! `#[qt_slot_async]`, and `signal!`'s expansion. Use them through the `qtasync` crate, which re-exports them.
//!
//! Each entry point only converts tokens; `entry.rs` and `slot.rs` do the work, `options.rs`
//! parses `key = value` options.

mod entry;
mod options;
mod signal;
mod slot;
mod tokio_option;

use proc_macro::TokenStream;

/// Runs `async fn main` on Qt's event loop with `qtasync::Runner`.
///
/// Options (QtAsyncio's names and defaults): `keep_running = true`, `quit_qapp = true`,
/// `handle_sigint = false`, `debug = false`, `app = "core" | "gui" | "widgets"` (the application
/// to create: `QCoreApplication`, `QGuiApplication` with the `gui` feature, `QApplication` with
/// the `widgets` feature), `crate = "path"` (where qtasync is, for re-exports).
///
/// tokio options (they need qtasync's `tokio` feature; without it they are a compile error at
/// the option): `tokio` starts qtasync's tokio runtime before the loop (the one given to
/// `qtasync::tokio::set_runtime`, else the default one); `tokio_workers = 4` makes a
/// multi-thread runtime of that many workers for the application's life, the runtime of every
/// qtasync loop and of `qtasync::tokio::spawn` (through `set_runtime`), shut down when `main`
/// returns (blocking jobs get `qtasync::tokio::SHUTDOWN_TIMEOUT`); `tokio_runtime = path::to_fn`
/// uses the runtime whose `tokio::runtime::Handle` the function returns (its owner shuts it
/// down). See `qtasync::tokio` for an example.
///
/// `main` may return `()` or `Result<(), E>`. A panic in the body stays a panic; SIGINT (with
/// `handle_sigint = true`) exits with status 130; a loop error exits with status 1.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::main(args.into(), item.into()).into()
}

/// An async test on the Qt loop: every test of a binary shares one application on one Qt
/// thread, each gets a fresh loop. Options: `timeout = "5s"` (also `ms`, `m`; real time),
/// `start_paused = true` (the loop's clock starts paused: virtual time, see `qtasync::time`),
/// `allow_leftovers = true` (by default a test that ends with tasks still running or callbacks
/// still scheduled fails, naming them), `crate = "path"`. With qtasync's `tokio` feature, the
/// tokio options of `#[qtasync::main]`: `tokio_workers = 2` makes a runtime for this test
/// alone (entered around its loop, shut down when it ends), `tokio_runtime = path::to_fn` enters
/// the returned handle's runtime, `tokio` only checks the feature (the default runtime is there).
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::test(args.into(), item.into()).into()
}

/// Turns an `async fn` into a synchronous function of the same name that spawns the body as a
/// task on the running loop and returns at once: a Qt slot (`#[qinvokable]`) for a cxx-qt
/// QObject method taking `self: Pin<&mut Self>`, or a plain callback for a free function.
///
/// In a method, `self` inside the body is a `qtasync::ObjectRef<Self>`: reach the object with
/// `self.with(|this| ...)` between awaits. If Qt destroys the object while the task is
/// suspended, the task is cancelled and never touches it again.
///
/// Options: `exclusive` (a new call cancels the previous run if it still runs; per object for
/// methods), `name = "..."` (the task's name), `crate = "path"`.
#[proc_macro_attribute]
pub fn qt_slot_async(args: TokenStream, item: TokenStream) -> TokenStream {
    slot::qt_slot_async(args.into(), item.into()).into()
}

/// What `qtasync::signal!` expands to: `signal_impl!($crate; sender.signal_name(_, ..))`. Not a
/// public API: use `qtasync::signal!`.
#[doc(hidden)]
#[proc_macro]
pub fn signal_impl(input: TokenStream) -> TokenStream {
    signal::signal(input.into()).into()
}
