//! asyncio's `add_signal_handler`/`remove_signal_handler` on [`EventLoop`].

use std::io;
use std::rc::Rc;

use super::hub;
use crate::EventLoop;

/// Unix signal handlers (asyncio's `add_signal_handler`). The callback runs on this loop
/// through [`call_soon`](EventLoop::call_soon), under its panic guard, once per signal
/// received (signals that arrive together may be merged by the kernel).
///
/// ```
/// use std::rc::Rc;
///
/// qtasync::Runner::new().keep_running(false).run(async {
///     let event_loop = qtasync::get_running_loop().unwrap();
///     let received = Rc::new(qtasync::sync::Event::new());
///     let flag = received.clone();
///     event_loop.add_signal_handler(libc::SIGUSR2, move || flag.set()).unwrap();
///     // SAFETY: kill(2) with our own pid sends SIGUSR2, which the loop now handles.
///     unsafe { libc::kill(libc::getpid(), libc::SIGUSR2) };
///     received.wait().await;
///     assert!(event_loop.remove_signal_handler(libc::SIGUSR2));
/// }).unwrap();
/// ```
impl EventLoop {
    /// Calls `callback` on this loop each time `signal` is received; replaces an earlier
    /// handler of it. `InvalidInput` for a number that is not a signal or cannot be handled.
    pub fn add_signal_handler(&self, signal: i32, callback: impl Fn() + 'static) -> io::Result<()> {
        hub::check(signal)?;
        if self.is_closed() {
            return Err(io::Error::other(crate::LoopClosed));
        }
        hub::get()?.set_callback(signal, Rc::new(callback), self.clone())
    }

    /// Removes the handler of `signal`; whether there was one. A signal received but not yet
    /// delivered when its handler is removed is dropped.
    pub fn remove_signal_handler(&self, signal: i32) -> bool {
        hub::existing().is_some_and(|hub| hub.remove_callback(signal))
    }
}
