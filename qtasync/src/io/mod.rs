//! Readiness-based I/O on Qt's loop: [`Async`] over any descriptor, and asyncio's
//! `add_reader`/`add_writer` on [`EventLoop`](crate::EventLoop).
//!
//! One OS poller per thread (epoll on Linux through `rustix`, kqueue elsewhere through
//! `polling`) holds every
//! registered descriptor; its own descriptor is the only one Qt watches, with one
//! `QSocketNotifier`. When Qt finds it readable, the ready events are collected without
//! blocking and only their waiters are woken: a loop iteration costs the same however many idle
//! sockets are registered, and an idle loop is never woken. No helper thread.

mod async_fd;
mod loop_methods;
mod poller;
mod reactor;
mod source;

pub use async_fd::{Async, Readiness};

pub(crate) use source::Direction;

/// qtasync's own watch on a descriptor (no loop needed): `callback` runs inside the reactor
/// whenever `fd` is readable, until the watch is dropped.
pub(crate) struct InternalWatch {
    _source: std::rc::Rc<source::Source>,
}

thread_local! {
    static INTERNAL_WATCHES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

pub(crate) fn watch_readable(
    fd: std::os::fd::RawFd,
    callback: std::rc::Rc<dyn Fn()>,
) -> std::io::Result<InternalWatch> {
    let source = reactor::get()?.register(fd)?;
    source.set_callback(Direction::Read, callback, None);
    source.update_interest()?;
    let _ = INTERNAL_WATCHES.try_with(|count| count.set(count.get() + 1));
    Ok(InternalWatch { _source: source })
}

impl Drop for InternalWatch {
    fn drop(&mut self) {
        let _ = INTERNAL_WATCHES.try_with(|count| count.set(count.get() - 1));
    }
}

/// Descriptors registered with this thread's reactor. For tests: nothing may stay registered
/// after its owner is dropped. Not a stable API.
#[doc(hidden)]
pub fn registrations() -> usize {
    reactor::live_sources()
}

/// Of [`registrations`], those that are qtasync's own on this thread: the signal self-pipe
/// (kept for the thread's lifetime once made) and the pidfds of dropped children not reaped
/// yet. Not a stable API.
#[doc(hidden)]
pub fn internal_registrations() -> usize {
    INTERNAL_WATCHES.try_with(std::cell::Cell::get).unwrap_or(0)
}

/// Futures and `Async`s waiting for readiness on this thread. Not a stable API.
#[doc(hidden)]
pub fn waiters() -> usize {
    reactor::live_waiters()
}

/// How many times Qt reported this thread's poller readable. Not a stable API.
#[doc(hidden)]
pub fn reactor_turns() -> u64 {
    reactor::turns()
}
