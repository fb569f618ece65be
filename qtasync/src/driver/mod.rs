//! The thin Qt driver: one dispatcher QObject per loop (wake events posted from any thread, one
//! precise timer, aboutToQuit, SIGINT), running Qt's event loop, and the application lifecycle.
//! All of qtasync's FFI and nearly all of its `unsafe` live here.

mod ffi;
pub(crate) mod io;
mod io_ffi;
pub(crate) mod object_watch;
#[cfg(feature = "widgets")]
pub(crate) mod widgets;

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use cxx::UniquePtr;

use crate::core::shared::{Shared, WakeSink};
use ffi::bridge::{self, DriverEvent};

/// What the dispatcher calls back into; implemented by the event loop.
pub(crate) trait DriverTarget {
    fn on_wake(&self);
    fn on_timer(&self);
    fn on_about_to_quit(&self);
    fn on_sigint(&self);
}

/// Owned by the C++ dispatcher; routes its events to the loop, which may be gone already.
pub(crate) struct DriverContext {
    target: std::rc::Weak<dyn DriverTarget>,
}

/// Entry point from C++. A panic must never unwind into Qt's frames: everything user-visible is
/// caught deeper (per callback and per task step); this last guard catches qtasync's own bugs.
pub(crate) fn driver_dispatch(context: &DriverContext, event: DriverEvent) {
    let Some(target) = context.target.upgrade() else { return };
    let outcome = catch_unwind(AssertUnwindSafe(|| match event {
        DriverEvent::Wake => target.on_wake(),
        DriverEvent::Timer => target.on_timer(),
        DriverEvent::AboutToQuit => target.on_about_to_quit(),
        DriverEvent::Sigint => target.on_sigint(),
        _ => {}
    }));
    if let Err(payload) = outcome {
        let panic = crate::core::exception::Panic::new(payload);
        eprintln!("qtasync: internal error in the Qt driver ({panic}); the event was dropped");
    }
}

/// Posts wake events to a dispatcher from any thread.
struct QtWakeSink {
    dispatcher: *const bridge::Dispatcher,
}

// SAFETY: `post_wake` only calls `QCoreApplication::postEvent`, which Qt documents as
// thread-safe. The pointer is dereferenced only under `Shared`'s sink lock, and `Driver::drop`
// removes the sink under that same lock before it deletes the dispatcher, so no thread can use
// the pointer after the object is gone.
unsafe impl Send for QtWakeSink {}

impl WakeSink for QtWakeSink {
    fn post_wake(&self) {
        // SAFETY: see the `Send` impl: the dispatcher outlives every call made under the lock.
        let dispatcher = unsafe { &*self.dispatcher };
        bridge::dispatcher_post_wake(dispatcher);
    }
}

/// The application a driver was created with is gone.
#[derive(Debug)]
pub(crate) struct NoApplication;

/// Which Qt event loop a run uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Engine {
    /// `QCoreApplication::exec()`: ends with the application (aboutToQuit is emitted).
    Application,
    /// A local `QEventLoop`: leaves the application alone (nestable, any thread).
    LocalLoop,
}

/// One loop's Qt side. Lives on the loop's thread.
pub(crate) struct Driver {
    dispatcher: UniquePtr<bridge::Dispatcher>,
    shared: std::sync::Arc<Shared>,
    armed: Cell<Option<Instant>>,
}

impl Driver {
    pub(crate) fn new(
        target: std::rc::Weak<dyn DriverTarget>,
        shared: std::sync::Arc<Shared>,
    ) -> Self {
        let dispatcher = bridge::new_dispatcher(Box::new(DriverContext { target }));
        let sink = QtWakeSink { dispatcher: dispatcher.as_ref().expect("new_dispatcher") };
        shared.set_sink(Some(Box::new(sink)));
        Driver { dispatcher, shared, armed: Cell::new(None) }
    }

    fn dispatcher(&self) -> &bridge::Dispatcher {
        self.dispatcher.as_ref().expect("the dispatcher lives as long as the driver")
    }

    /// Arms the one timer for `deadline` (or disarms it); does nothing if already so armed.
    pub(crate) fn arm(&self, deadline: Option<Instant>) {
        if self.armed.get() == deadline {
            return;
        }
        self.armed.set(deadline);
        match deadline {
            Some(deadline) => {
                let nanos = deadline.saturating_duration_since(Instant::now()).as_nanos();
                let nanos = u64::try_from(nanos).unwrap_or(u64::MAX);
                bridge::dispatcher_arm_timer(self.dispatcher(), nanos);
            }
            None => bridge::dispatcher_disarm_timer(self.dispatcher()),
        }
    }

    /// The armed timer fired: it is no longer armed.
    pub(crate) fn timer_fired(&self) {
        self.armed.set(None);
    }

    pub(crate) fn set_sigint_enabled(&self, enabled: bool) -> bool {
        bridge::dispatcher_set_sigint_enabled(self.dispatcher(), enabled)
    }

    /// Runs Qt's event loop until `exit` (or the application quits). Qt re-enters Rust through
    /// `driver_dispatch` meanwhile; only shared references to the dispatcher exist. An error,
    /// without running, when the application the driver was created with is gone.
    pub(crate) fn exec(&self, engine: Engine) -> Result<i32, NoApplication> {
        if !self.application_alive() {
            return Err(NoApplication);
        }
        Ok(bridge::dispatcher_exec_loop(self.dispatcher(), engine == Engine::Application))
    }

    /// Whether the application this driver was created with is still the live application.
    pub(crate) fn application_alive(&self) -> bool {
        bridge::dispatcher_application_alive(self.dispatcher())
    }

    pub(crate) fn exit(&self) {
        bridge::dispatcher_exit_loop(self.dispatcher());
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // First stop other threads from posting, then delete the QObject (Qt discards events
        // still queued for it).
        drop(self.shared.set_sink(None));
        let _ = self.set_sigint_enabled(false);
    }
}

/// Application lifecycle helpers.
pub(crate) mod app {
    use super::bridge;

    /// Whether the calling thread is the application's (main) thread.
    pub(crate) fn on_application_thread() -> bool {
        bridge::on_application_thread()
    }

    /// Creates a `QCoreApplication` when none exists; `true` if this call created it: the
    /// caller then owns it, and is the only one that may later call [`delete_owned`].
    pub(crate) fn ensure() -> bool {
        bridge::ensure_core_application()
    }

    /// Deletes the application qtasync created, for its owner (see [`ensure`]): only on the
    /// application's thread, and only when no loop of any thread still uses it.
    pub(crate) fn delete_owned() -> bool {
        bridge::delete_owned_application()
    }

    /// How many Qt event loops are running on this thread.
    pub(crate) fn loop_level() -> i32 {
        bridge::loop_level()
    }

    /// `QCoreApplication::quit()`.
    pub(crate) fn quit() {
        bridge::quit_application()
    }

    /// Runs a nested `QEventLoop` on this thread for `millis` milliseconds.
    pub(crate) fn run_nested_event_loop(millis: u32) {
        bridge::run_nested_event_loop(millis)
    }
}
