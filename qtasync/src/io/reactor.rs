//! The reactor: one OS poller (`poller.rs`: epoll on Linux, kqueue on macOS) per thread, whose
//! own descriptor is the only one Qt watches. When Qt finds it readable, [`Reactor::turn`]
//! collects the ready events without blocking and wakes only those waiters, so a turn costs the
//! same with ten idle sockets or ten thousand, and an idle loop is never woken.
//!
//! Interest is level-triggered while someone waits, and stays armed after an event for the
//! task that was woken, which usually waits again at once (no `epoll_ctl` per wait); it is
//! dropped when an event finds no one waiting (`Source::settle`). A descriptor with no interest
//! is held one-shot, so that even a hang-up or error is reported at most once. State is per
//! thread (tasks are `!Send` and polled on their loop's thread).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io;
use std::os::fd::{BorrowedFd, RawFd};
use std::rc::{Rc, Weak};
use std::task::Waker;
use std::time::{Duration, Instant};

use super::poller::{Events, Poller};
use super::source::{Direction, DueCallback, Source, SourceHost};
use crate::driver::io::IoWatch;

/// How many events one turn collects; more stay ready in the poller, whose descriptor then
/// stays readable, so Qt calls again on its next iteration (its other events get their turn).
const EVENTS_PER_TURN: usize = 1024;

/// At most this many collections per Qt event, and no new one after [`TURN_TIME`]: Qt's own
/// events (input, paint, timers) wait for a turn at most about that long plus one dispatch.
const ROUNDS_PER_TURN: usize = 16;
const TURN_TIME: Duration = Duration::from_millis(1);

pub(crate) struct Reactor {
    poller: Poller,
    watch: IoWatch,
    /// Key -> source. The owners (`Async`, `add_reader`) hold the `Rc`s.
    sources: RefCell<Vec<Option<Weak<Source>>>>,
    free_keys: RefCell<Vec<usize>>,
    live_sources: Cell<usize>,
    live_waiters: Cell<usize>,
    /// The descriptors of `add_reader`/`add_writer`: the reactor owns these sources.
    callback_sources: RefCell<HashMap<RawFd, Rc<Source>>>,
    events: RefCell<Events>,
    /// The turn's lists of ready sources and of wakers to call, kept for the next turn.
    scratch: Cell<(ReadyList, Vec<Waker>)>,
    turns: Cell<u64>,
}

type ReadyList = Vec<(Rc<Source>, bool, bool)>;

thread_local! {
    // Leaked on purpose, one per thread that does I/O: its QSocketNotifier must never be
    // destroyed by a thread-local destructor after Qt's own per-thread data is gone.
    static REACTOR: Cell<Option<&'static Reactor>> = const { Cell::new(None) };
}

/// This thread's reactor, made on first use. An error when the poller cannot be made, or when
/// the thread has no Qt event dispatcher (create the application, or a qtasync loop, first).
pub(crate) fn get() -> io::Result<&'static Reactor> {
    let reactor = match REACTOR.with(Cell::get) {
        Some(reactor) => reactor,
        None => {
            let poller = Poller::new()?;
            let fd = std::os::fd::AsRawFd::as_raw_fd(&poller);
            let watch = IoWatch::new(
                fd,
                Box::new(|| {
                    if let Some(reactor) = REACTOR.with(Cell::get) {
                        reactor.turn();
                    }
                }),
            );
            let reactor: &'static Reactor = Box::leak(Box::new(Reactor {
                poller,
                watch,
                sources: RefCell::new(Vec::new()),
                free_keys: RefCell::new(Vec::new()),
                live_sources: Cell::new(0),
                live_waiters: Cell::new(0),
                callback_sources: RefCell::new(HashMap::new()),
                events: RefCell::new(Events::with_capacity(EVENTS_PER_TURN)),
                scratch: Cell::new((Vec::new(), Vec::new())),
                turns: Cell::new(0),
            }));
            REACTOR.with(|cell| cell.set(Some(reactor)));
            reactor
        }
    };
    if !reactor.watch.ensure() {
        return Err(io::Error::other(
            "qtasync I/O needs a Qt event loop on this thread: create the application or a \
             qtasync EventLoop first",
        ));
    }
    Ok(reactor)
}

/// This thread's reactor if it exists (for counters and removals).
pub(crate) fn existing() -> Option<&'static Reactor> {
    REACTOR.try_with(Cell::get).ok().flatten()
}

/// Descriptors registered with this thread's poller (`Async`s and `add_reader`/`add_writer`).
pub(crate) fn live_sources() -> usize {
    existing().map_or(0, |r| r.live_sources.get())
}

/// Tasks or futures waiting for readiness on this thread.
pub(crate) fn live_waiters() -> usize {
    existing().map_or(0, |r| r.live_waiters.get())
}

/// How many times Qt reported the poller readable on this thread.
pub(crate) fn turns() -> u64 {
    existing().map_or(0, |r| r.turns.get())
}

impl Reactor {
    /// Adds `fd` to the poller (with no interest yet).
    pub(crate) fn register(&'static self, fd: RawFd) -> io::Result<Rc<Source>> {
        let key = self.free_keys.borrow_mut().pop().unwrap_or_else(|| {
            let mut sources = self.sources.borrow_mut();
            sources.push(None);
            sources.len() - 1
        });
        // SAFETY: the borrow lives for this one `epoll_ctl` call, which only reads the number.
        // The source is deleted from the poller before the descriptor closes (`Async`
        // deregisters before dropping its I/O object; `remove_reader` comes before the caller's
        // close, as documented); should a caller close first anyway, the kernel drops the
        // closed descriptor from its set itself: bookkeeping, not memory.
        let added = self.poller.add(unsafe { BorrowedFd::borrow_raw(fd) }, key);
        if let Err(error) = added {
            self.free_keys.borrow_mut().push(key);
            return Err(error);
        }
        let source = Rc::new(Source::new(fd, key, self));
        self.sources.borrow_mut()[key] = Some(Rc::downgrade(&source));
        self.live_sources.set(self.live_sources.get() + 1);
        Ok(source)
    }

    pub(crate) fn callback_source(&self, fd: RawFd) -> Option<Rc<Source>> {
        self.callback_sources.borrow().get(&fd).cloned()
    }

    pub(crate) fn keep_callback_source(&self, source: Rc<Source>) {
        self.callback_sources.borrow_mut().insert(source.fd, source);
    }

    /// Forgets the `add_reader` source of `fd` once it has no callback left.
    pub(crate) fn release_callback_source(&self, fd: RawFd) {
        let released = {
            let mut sources = self.callback_sources.borrow_mut();
            match sources.get(&fd) {
                Some(source) if !source.has_callbacks() => sources.remove(&fd),
                _ => None,
            }
        };
        drop(released); // outside the borrow: dropping deregisters
    }

    /// Qt found the poller readable: collect what is ready, without blocking, wake it, and run
    /// the woken tasks at once. What they do often makes more ready (an echo's answer arrives
    /// within the `send` that wrote it), so the turn collects again, up to [`ROUNDS_PER_TURN`]
    /// times and [`TURN_TIME`], while it finds something: one Qt event then carries several
    /// round trips instead of one Qt iteration (a `poll` and GLib's bookkeeping) each.
    fn turn(&self) {
        self.turns.set(self.turns.get() + 1);
        let started = Instant::now();
        // Reused between turns (taken, so that a turn nested in a task's Qt loop gets its own).
        let (mut ready, mut wakers) = self.scratch.take();
        for _ in 0..ROUNDS_PER_TURN {
            ready.clear();
            if !self.collect(&mut ready) || ready.is_empty() {
                break;
            }
            // The woken tasks run in this same Qt event (no wake event posted in between).
            let dispatched = crate::event_loop::wake_then_dispatch(|| {
                for (source, readable, writable) in ready.drain(..) {
                    let fired = source.fire(readable, writable, &mut wakers);
                    let _ = source.settle(fired.idle);
                    for waker in wakers.drain(..) {
                        waker.wake();
                    }
                    for due in fired.callbacks {
                        schedule_callback(&source, due);
                    }
                }
            });
            // Without a dispatch here nothing ran, so nothing new can be ready.
            if !dispatched || started.elapsed() >= TURN_TIME {
                break;
            }
        }
        ready.clear();
        self.scratch.set((ready, wakers));
    }

    /// Adds what the poller has ready now (without blocking) to `ready`; false if it failed.
    fn collect(&self, ready: &mut Vec<(Rc<Source>, bool, bool)>) -> bool {
        let mut events = self.events.borrow_mut();
        let sources = self.sources.borrow();
        let collected = self.poller.collect(&mut events, |event| {
            let source = sources.get(event.key).and_then(|slot| slot.as_ref()?.upgrade());
            if let Some(source) = source {
                ready.push((source, event.readable, event.writable));
            }
        });
        if let Err(error) = &collected {
            if error.kind() != io::ErrorKind::Interrupted {
                eprintln!("qtasync: polling for I/O readiness failed: {error}");
            }
        }
        collected.is_ok()
    }
}

/// Queues one run of an `add_reader`/`add_writer` callback on its loop, under the loop's panic
/// guard; the descriptor is watched again once it has run (level-triggered, as in asyncio).
/// How sources reach the poller (`source.rs` never names the reactor).
impl SourceHost for Reactor {
    fn count_waiters(&self, delta: isize) {
        self.live_waiters.set(self.live_waiters.get().wrapping_add_signed(delta));
    }

    fn update_interest(&self, source: &Source) -> io::Result<()> {
        let wanted = source.wanted();
        if wanted == source.armed() {
            return Ok(());
        }
        // SAFETY: the borrow lives for this one `epoll_ctl` call, which only reads the number: a
        // descriptor closed behind the owner's back makes it fail with EBADF, nothing worse.
        let fd = unsafe { BorrowedFd::borrow_raw(source.fd) };
        self.poller.modify(fd, source.key, wanted.0, wanted.1)?;
        source.set_armed(wanted);
        Ok(())
    }

    /// Removes `source` from the poller; its waiters are dropped with it.
    fn deregister(&self, source: &Source) {
        // SAFETY: as in `update_interest`: the borrow lives for one `epoll_ctl` call.
        let fd = unsafe { BorrowedFd::borrow_raw(source.fd) };
        // EBADF/ENOENT: the descriptor was closed already, and the poller dropped it itself.
        let _ = self.poller.delete(fd);
        if let Some(slot) = self.sources.borrow_mut().get_mut(source.key) {
            *slot = None;
        }
        self.free_keys.borrow_mut().push(source.key);
        self.live_sources.set(self.live_sources.get() - 1);
        self.count_waiters(-(source.waiter_count() as isize));
    }
}

fn schedule_callback(source: &Rc<Source>, due: DueCallback) {
    let DueCallback { direction, run, event_loop, id } = due;
    /// Re-arms after the callback, also when it panicked.
    struct Rearm(Weak<Source>, Direction, u64);
    impl Drop for Rearm {
        fn drop(&mut self) {
            if let Some(source) = self.0.upgrade() {
                if source.callback_ran(self.1, self.2) {
                    let _ = source.update_interest();
                }
            }
        }
    }
    let rearm = Rearm(Rc::downgrade(source), direction, id);
    let Some(event_loop) = event_loop else {
        // qtasync's own callback: run now (it reaps a child; nothing of the user's runs).
        run();
        drop(rearm);
        return;
    };
    let queued = event_loop.call_soon(move || {
        let _rearm = rearm;
        run();
    });
    if queued.is_err() {
        // The loop is closed: the registration goes, and with it the descriptor.
        source.take_callback(direction);
        if let Some(reactor) = existing() {
            reactor.release_callback_source(source.fd);
        }
    }
}
