//! Unix signals on Qt's loop: asyncio's [`add_signal_handler`](crate::EventLoop::add_signal_handler)
//! / [`remove_signal_handler`](crate::EventLoop::remove_signal_handler), and [`Signals`], a
//! stream of the signals received.
//!
//! Built on signal-hook-registry and a self-pipe per thread: the signal action only writes
//! the signal's number into the pipe (async-signal-safe); the pipe is watched by the thread's
//! one I/O reactor, and the callbacks and streams run on Qt's loop, as ordinary code.
//!
//! Differences from asyncio: after the last handler of a signal is removed, the signal is
//! ignored rather than set back to its default action (signal-hook-registry keeps its handler
//! installed). Do not combine a handler for SIGINT with `Runner::handle_sigint(true)`, which
//! owns SIGINT.
//!
//! ```
//! use futures::StreamExt;
//! use qtasync::signal::Signals;
//!
//! qtasync::Runner::new().keep_running(false).run(async {
//!     let mut signals = Signals::new(&[libc::SIGUSR1]).unwrap();
//!     // SAFETY: kill(2) with our own pid sends SIGUSR1, which `signals` handles.
//!     unsafe { libc::kill(libc::getpid(), libc::SIGUSR1) };
//!     assert_eq!(signals.next().await, Some(libc::SIGUSR1));
//! }).unwrap();
//! ```

mod hub;
mod loop_methods;

use std::fmt;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_core::Stream;

/// The signals received for the given numbers, as a `Stream` (it never ends). Dropping it
/// stops handling them (unless a handler or another stream still wants them).
#[must_use = "streams do nothing unless polled"]
pub struct Signals {
    state: Rc<hub::StreamState>,
    signals: Vec<i32>,
}

impl Signals {
    /// Starts handling `signals` on this thread. `InvalidInput` for a number that is not a
    /// signal or cannot be handled (SIGKILL, SIGSTOP, SIGILL, SIGFPE, SIGSEGV).
    pub fn new(signals: &[i32]) -> io::Result<Signals> {
        for &signal in signals {
            hub::check(signal)?;
        }
        let hub = hub::get()?;
        let state = Rc::new(hub::StreamState::default());
        let mut this = Signals { state, signals: Vec::new() };
        for &signal in signals {
            hub.add_stream(signal, &this.state)?;
            this.signals.push(signal); // dropped `this` releases only what it added
        }
        Ok(this)
    }
}

impl Stream for Signals {
    type Item = i32;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<i32>> {
        if let Some(signal) = self.state.pending.borrow_mut().pop_front() {
            return Poll::Ready(Some(signal));
        }
        *self.state.waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for Signals {
    fn drop(&mut self) {
        // The state's strong count falls with `self`; release after it is gone.
        let signals = std::mem::take(&mut self.signals);
        let state = std::mem::take(&mut self.state);
        drop(state);
        if let Some(hub) = hub::existing() {
            for signal in signals {
                hub.remove_stream(signal);
            }
        }
    }
}

impl fmt::Debug for Signals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signals").field("signals", &self.signals).finish()
    }
}

/// qtasync's own listener of a signal on this thread (the SIGCHLD child watcher): `listener`
/// runs inside the reactor each time the signal is received, until the watch is dropped. It
/// shares the thread's self-pipe with handlers and streams and never displaces them.
pub(crate) struct SignalWatch {
    signal: i32,
    id: u64,
}

pub(crate) fn watch(signal: i32, listener: Rc<dyn Fn()>) -> io::Result<SignalWatch> {
    hub::check(signal)?;
    let id = hub::get()?.add_internal(signal, listener)?;
    Ok(SignalWatch { signal, id })
}

impl Drop for SignalWatch {
    fn drop(&mut self) {
        if let Some(hub) = hub::existing() {
            hub.remove_internal(self.signal, self.id);
        }
    }
}

/// Signals handled on this thread (by handlers or streams). Not a stable API.
#[doc(hidden)]
pub fn registrations() -> usize {
    hub::existing().map_or(0, |hub| hub.registered())
}
