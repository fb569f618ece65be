//! One live Qt connection from a signal to Rust: the `Link` that futures, streams and connected
//! coroutines own, and the [`SignalSink`] that Qt owns.
//!
//! ```text
//!   Qt (the sender's connection list)          Rust (the future / stream / SignalConnection)
//!   handler closure ── SignalSink ── Weak ──▶  Rc<Link<S>> { connection, watch, state: S }
//!   destroyed() ── ObjectWatch ── Weak ─────▶        │
//! ```
//!
//! Qt owns only weak references, so dropping the Rust side's `Rc` drops the `Link`, which
//! disconnects: nothing stays registered with Qt after its future, stream or guard is gone.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::rc::{Rc, Weak};

use cxx_qt::casting::Upcast;
use cxx_qt::{QMetaObjectConnection, QMetaObjectConnectionGuard, QObject};

use crate::core::exception::{default_exception_handler, ExceptionContext};
use crate::driver::object_watch::ObjectWatch;
use crate::event_loop::get_running_loop;
use crate::thread_bound::ThreadBound;

use super::ffi::bridge;

/// How a [`Signal`](super::Signal) makes its Qt connection: calls cxx-qt's generated
/// `on_<signal>` on the sender with a closure that passes each emission to the sink.
/// [`signal!`](crate::signal) writes it.
pub type ConnectFn<T, Args> = fn(Pin<&mut T>, SignalSink<Args>) -> QMetaObjectConnectionGuard;

/// What a `Link` does with emissions and with the sender's destruction.
pub(crate) trait Receiver: Sized + 'static {
    /// The signal's arguments, owned.
    type Args: 'static;

    /// One emission (on the sender's thread, from inside Qt's `emit`).
    fn emitted(link: &Link<Self>, args: Self::Args);

    /// The sender is being destroyed (from inside its `destroyed()` signal).
    fn destroyed(link: &Rc<Link<Self>>);
}

/// A Qt connection with its destroyed-watch and what receives its emissions.
pub(crate) struct Link<S> {
    connection: QMetaObjectConnection,
    /// Dropped after `connection` is disconnected (in `Drop`), never from inside its own
    /// `destroyed()` callback (see `release_after_destroyed`).
    _watch: ObjectWatch,
    /// The signal's name, for reports.
    pub(crate) signal: &'static str,
    pub(crate) state: S,
}

impl<S: Receiver> Link<S> {
    /// Connects `connect`'s signal of `object` to a new `Link` around `state`. The caller
    /// checked the thread ([`check_thread`]).
    pub(crate) fn open<T: Upcast<QObject>>(
        mut object: Pin<&mut T>,
        signal: &'static str,
        connect: ConnectFn<T, S::Args>,
        state: S,
    ) -> Rc<Link<S>> {
        empty_graveyard();
        Rc::new_cyclic(|weak: &Weak<Link<S>>| {
            let watch = ObjectWatch::new(object.as_mut().upcast_pin());
            let sink: Weak<dyn Emit<S::Args>> = weak.clone();
            let guard = connect(object, SignalSink { target: ThreadBound::new(sink) });
            let on_destroyed = weak.clone();
            watch.state.on_destroyed(move || {
                guarded(signal, "the sender's destroyed() handler", || {
                    if let Some(link) = on_destroyed.upgrade() {
                        S::destroyed(&link);
                        release_after_destroyed(link);
                    }
                });
            });
            Link { connection: guard.release(), _watch: watch, signal, state }
        })
    }
}

impl<S> Link<S> {
    /// Removes the Qt connection now (also safe from inside its own handler: Qt keeps the
    /// handler alive until it returns, and calls it no more).
    pub(crate) fn disconnect(&self) {
        self.connection.disconnect();
    }
}

impl<S> Drop for Link<S> {
    fn drop(&mut self) {
        // Safe after the sender's destruction too: Qt then reports "not connected".
        self.connection.disconnect();
    }
}

/// The type-erased view of a `Link` that Qt's handler closure reaches.
trait Emit<Args> {
    fn emit(&self, args: Args);
    fn signal(&self) -> &'static str;
}

impl<S: Receiver> Emit<S::Args> for Link<S> {
    fn emit(&self, args: S::Args) {
        S::emitted(self, args);
    }

    fn signal(&self) -> &'static str {
        self.signal
    }
}

/// Handed to the closure connected to the signal: passes each emission, as owned arguments, to
/// the future, stream or coroutine that made the connection. It holds only a weak reference,
/// so it does nothing once that is gone; it is `Send` (cxx-qt wants a `Send` closure) but works
/// only on the thread that made it, the sender's thread.
pub struct SignalSink<Args: 'static> {
    target: ThreadBound<Weak<dyn Emit<Args>>>,
}

impl<Args: 'static> SignalSink<Args> {
    /// One emission: `args` builds the owned arguments (from those Qt lent to the handler).
    /// A panic, here or in what receives the emission, is reported to the running loop's
    /// exception handler and never reaches Qt.
    pub fn emit(&self, args: impl FnOnce() -> Args) {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let Some(target) = self.target.get().upgrade() else { return };
            let signal = target.signal();
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| target.emit(args()))) {
                report(signal, "an emission's handler", payload);
            }
        }));
        if let Err(payload) = outcome {
            // `ThreadBound::get` refused: Qt called the handler on another thread.
            report("?", "an emission's handler", payload);
        }
    }
}

/// Runs `f`, reporting a panic instead of letting it unwind into Qt.
pub(crate) fn guarded(signal: &'static str, what: &str, f: impl FnOnce()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
        report(signal, what, payload);
    }
}

/// Reports a caught panic to the running loop's exception handler (the default one without a
/// loop). Never panics itself: a panicking handler is written to standard error.
pub(crate) fn report(signal: &str, what: &str, payload: Box<dyn Any + Send>) {
    let context = ExceptionContext::panic(
        &format!("qtasync: a panic in {what} of signal `{signal}`; it did not reach Qt"),
        payload,
    );
    let reported = catch_unwind(AssertUnwindSafe(|| match get_running_loop() {
        Ok(event_loop) => event_loop.call_exception_handler(&context),
        Err(_) => default_exception_handler(&context),
    }));
    if reported.is_err() {
        eprintln!("qtasync: the exception handler panicked while reporting: {context}");
    }
}

/// Refuses a sender that lives on another thread: Qt would call its handlers there, and the
/// Rust state they reach (`Rc`, `RefCell`, wakers) belongs to this thread.
#[track_caller]
pub(crate) fn check_thread<T: Upcast<QObject>>(object: &Pin<&mut T>, signal: &'static str) {
    let object: &T = object;
    if !bridge::object_thread_is_current(object.upcast()) {
        panic!(
            "qtasync::signal!: the sender of `{signal}` lives on another thread than the caller; \
             await, stream or connect a QObject's signals on the thread it lives on"
        );
    }
}

/// Drops a `Link` reached from inside a `destroyed()` callback of its own watch (or of a
/// receiver's, which it keeps). When that was
/// the last reference (its owner was dropped meanwhile: a detached connection, or a waker that
/// dropped its future), dropping it here would delete the watch whose callback is running, so it
/// is dropped by the loop right after, or, with no loop running, kept until the next connection
/// is made on this thread.
pub(crate) fn release_after_destroyed<S: 'static>(link: Rc<Link<S>>) {
    if Rc::strong_count(&link) > 1 {
        return;
    }
    let open_loop = get_running_loop().ok().filter(|event_loop| !event_loop.is_closed());
    if let Some(event_loop) = open_loop {
        // Shared with the callback, so that a refused callback drops only its own handle.
        let slot = Rc::new(Cell::new(Some(link)));
        let in_callback = slot.clone();
        if event_loop.call_soon(move || drop(in_callback.take())).is_err() {
            if let Some(link) = slot.take() {
                bury(link);
            }
        }
        return;
    }
    bury(link);
}

thread_local! {
    /// Links released inside a `destroyed()` callback with no loop to drop them later.
    static GRAVEYARD: RefCell<Vec<Rc<dyn Any>>> = const { RefCell::new(Vec::new()) };
}

fn bury(link: Rc<dyn Any>) {
    GRAVEYARD.with(|graveyard| graveyard.borrow_mut().push(link));
}

/// Drops the links `bury` kept (outside any callback: `Link::open` calls it).
fn empty_graveyard() {
    let buried = GRAVEYARD.with(|graveyard| std::mem::take(&mut *graveyard.borrow_mut()));
    drop(buried);
}
