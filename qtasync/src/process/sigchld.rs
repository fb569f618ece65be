//! The SIGCHLD fallback (no pidfd): a thread with children handles SIGCHLD through the
//! signal module's self-pipe; each SIGCHLD drained there wakes the thread's waiting children,
//! which look at their own pid with `waitpid(pid, WNOHANG)` (`std::process::Child::try_wait`),
//! and reaps the thread's dropped children that have exited. Never `waitpid(-1)`: other
//! threads' children and those of other code in the process are left to their owners.
//!
//! SIGCHLD goes to the process, not to the thread of the child: every thread with a watcher
//! registers its own signal action (signal-hook-registry runs them all), so each hears every
//! SIGCHLD and checks only its own children. Signals merge (two exits may give one SIGCHLD),
//! which is why a SIGCHLD wakes every waiting child of the thread, not one.
//!
//! No exit is missed: a child registers its `ExitWatch` right after the spawn, and `wait`
//! always calls `try_wait` before it sleeps; an exit before the watch was registered is seen
//! by that `try_wait`, an exit after it writes to the pipe, which the reactor drains later on
//! this same thread.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

use crate::signal::SignalWatch;

/// This thread's SIGCHLD registration, while any child (running or dropped and not reaped)
/// needs it.
struct Shared {
    /// SIGCHLDs drained on this thread so far.
    generation: Cell<u64>,
    /// The `Changed` futures waiting, by id.
    wakers: RefCell<Vec<(u64, Waker)>>,
    next_id: Cell<u64>,
    _signal: SignalWatch,
}

thread_local! {
    static SHARED: RefCell<Weak<Shared>> = const { RefCell::new(Weak::new()) };
}

/// One child's hold on this thread's SIGCHLD registration; the last one dropped removes it.
pub(crate) struct ExitWatch {
    shared: Rc<Shared>,
}

impl ExitWatch {
    /// Joins (or makes) this thread's SIGCHLD registration. Needs a Qt event loop on the
    /// thread (the self-pipe is watched by its reactor).
    pub(crate) fn new() -> io::Result<ExitWatch> {
        if let Some(shared) = SHARED.with(|shared| shared.borrow().upgrade()) {
            return Ok(ExitWatch { shared });
        }
        let signal = crate::signal::watch(libc::SIGCHLD, Rc::new(on_sigchld))?;
        let shared = Rc::new(Shared {
            generation: Cell::new(0),
            wakers: RefCell::new(Vec::new()),
            next_id: Cell::new(0),
            _signal: signal,
        });
        SHARED.with(|cell| *cell.borrow_mut() = Rc::downgrade(&shared));
        Ok(ExitWatch { shared })
    }

    /// Completes at the first SIGCHLD drained on this thread after its first poll.
    pub(crate) fn changed(&self) -> Changed<'_> {
        Changed { shared: &self.shared, seen: None, id: None }
    }
}

/// The listener in the signal hub: runs inside the reactor, once per drain of the pipe.
fn on_sigchld() {
    let wakers = SHARED
        .try_with(|shared| shared.borrow().upgrade())
        .ok()
        .flatten()
        .map(|shared| {
            shared.generation.set(shared.generation.get() + 1);
            std::mem::take(&mut *shared.wakers.borrow_mut())
        })
        .unwrap_or_default();
    for (_, waker) in wakers {
        waker.wake();
    }
    if let Some(hook) = AFTER_EACH.try_with(Cell::get).ok().flatten() {
        hook();
    }
}

thread_local! {
    /// Run after each SIGCHLD drained on this thread: the reaper's `reap_exited` once it holds a
    /// child watched this way (set by `after_each_sigchld`, so this file never names the reaper).
    static AFTER_EACH: Cell<Option<fn()>> = const { Cell::new(None) };
}

/// Runs `hook` after each SIGCHLD drained on this thread from now on.
pub(crate) fn after_each_sigchld(hook: fn()) {
    let _ = AFTER_EACH.try_with(|after| after.set(Some(hook)));
}

/// See [`ExitWatch::changed`]. Dropping it withdraws its waker at once.
pub(crate) struct Changed<'a> {
    shared: &'a Shared,
    seen: Option<u64>,
    id: Option<u64>,
}

impl Future for Changed<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let generation = self.shared.generation.get();
        if *self.seen.get_or_insert(generation) != generation {
            self.withdraw();
            return Poll::Ready(());
        }
        let id = match self.id {
            Some(id) => id,
            None => {
                let id = self.shared.next_id.get();
                self.shared.next_id.set(id + 1);
                self.id = Some(id);
                id
            }
        };
        let mut wakers = self.shared.wakers.borrow_mut();
        match wakers.iter_mut().find(|(other, _)| *other == id) {
            Some((_, waker)) => waker.clone_from(cx.waker()),
            None => wakers.push((id, cx.waker().clone())),
        }
        Poll::Pending
    }
}

impl Changed<'_> {
    fn withdraw(&mut self) {
        if let Some(id) = self.id.take() {
            self.shared.wakers.borrow_mut().retain(|(other, _)| *other != id);
        }
    }
}

impl Drop for Changed<'_> {
    fn drop(&mut self) {
        self.withdraw();
    }
}
