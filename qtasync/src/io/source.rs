//! One registered descriptor: who waits for it to become readable or writable (task wakers and
//! asyncio-style reader/writer callbacks), and which interest the OS poller holds for it.
//! Plain Rust; the reactor (`reactor.rs`) owns the poller and is reached only through
//! [`SourceHost`], so this file never names it.

use std::cell::{Cell, RefCell};
use std::io;
use std::os::fd::RawFd;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// What a source needs from the poller that holds it (the reactor implements it).
pub(crate) trait SourceHost {
    /// Adds `delta` to the count of pending waiters (a registration counter for tests).
    fn count_waiters(&self, delta: isize);
    /// Brings the poller's interest for `source` in line with its waiters and callbacks.
    fn update_interest(&self, source: &Source) -> io::Result<()>;
    /// Removes `source` from the poller (its last owner dropped it).
    fn deregister(&self, source: &Source);
}

/// Read or write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Read = 0,
    Write = 1,
}

/// A callback registered with `add_reader`/`add_writer`: called (through the loop's
/// `call_soon`) each time the descriptor is ready, until removed.
pub(crate) struct ReadyCallback {
    pub(crate) run: Rc<dyn Fn()>,
    /// `None`: qtasync's own callback (a child reaper), run inline by the reactor.
    pub(crate) event_loop: Option<crate::EventLoop>,
    /// Queued on the loop and not run yet: the poller's interest waits until it has run.
    pub(crate) scheduled: bool,
    /// Names this registration, so that a run queued for a removed callback does nothing.
    pub(crate) id: u64,
}

struct Waiter {
    id: u64,
    waker: Waker,
    fired: bool,
}

#[derive(Default)]
struct Side {
    waiters: Vec<Waiter>,
    callback: Option<ReadyCallback>,
}

impl Side {
    fn wants(&self) -> bool {
        self.waiters.iter().any(|w| !w.fired)
            || self.callback.as_ref().is_some_and(|c| !c.scheduled)
    }
}

/// What became due when the poller reported a source ready.
#[derive(Default)]
pub(crate) struct Fired {
    pub(crate) callbacks: Vec<DueCallback>,
    /// A ready side had no one to tell (nobody waits on it any more).
    pub(crate) idle: bool,
}

/// A callback to queue on its loop.
pub(crate) struct DueCallback {
    pub(crate) direction: Direction,
    pub(crate) run: Rc<dyn Fn()>,
    pub(crate) event_loop: Option<crate::EventLoop>,
    pub(crate) id: u64,
}

/// One descriptor in the poller. Owned through `Rc` by an `Async` (or by the reactor's table of
/// `add_reader` descriptors); dropping the last owner removes it from the poller.
pub(crate) struct Source {
    pub(crate) fd: RawFd,
    pub(crate) key: usize,
    /// This thread's reactor (leaked per thread, hence `'static`).
    host: &'static dyn SourceHost,
    sides: RefCell<[Side; 2]>,
    /// The interest the poller holds right now. Level-triggered while a side is armed: it stays
    /// after an event (see [`settle`](Self::settle)), so a task that reads and waits again
    /// costs no system call to re-arm.
    armed: Cell<(bool, bool)>,
    next_id: Cell<u64>,
}

impl Source {
    pub(crate) fn new(fd: RawFd, key: usize, host: &'static dyn SourceHost) -> Self {
        Source {
            fd,
            key,
            host,
            sides: RefCell::new(Default::default()),
            armed: Cell::new((false, false)),
            next_id: Cell::new(0),
        }
    }

    fn fresh_id(&self) -> u64 {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        id
    }

    /// The interest the registrations call for: (read, write).
    pub(crate) fn wanted(&self) -> (bool, bool) {
        let sides = self.sides.borrow();
        (sides[0].wants(), sides[1].wants())
    }

    pub(crate) fn armed(&self) -> (bool, bool) {
        self.armed.get()
    }

    pub(crate) fn set_armed(&self, armed: (bool, bool)) {
        self.armed.set(armed);
    }

    /// Polls the waiter kept in `slot` (a future's or an `Async`'s): `Ready` once the poller
    /// reported `direction` ready after the waiter was registered. Registers one on first poll.
    pub(crate) fn poll_ready(
        self: &Rc<Self>,
        direction: Direction,
        slot: &mut Option<u64>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        {
            let mut sides = self.sides.borrow_mut();
            let side = &mut sides[direction as usize];
            if let Some(id) = *slot {
                if let Some(index) = side.waiters.iter().position(|w| w.id == id) {
                    if side.waiters[index].fired {
                        side.waiters.swap_remove(index);
                        *slot = None;
                        self.host.count_waiters(-1);
                        return Poll::Ready(Ok(()));
                    }
                    if !side.waiters[index].waker.will_wake(cx.waker()) {
                        side.waiters[index].waker = cx.waker().clone();
                    }
                    return Poll::Pending;
                }
                *slot = None;
            }
            let id = self.fresh_id();
            side.waiters.push(Waiter { id, waker: cx.waker().clone(), fired: false });
            self.host.count_waiters(1);
            *slot = Some(id);
        }
        match self.update_interest() {
            Ok(()) => Poll::Pending,
            Err(error) => {
                self.remove_waiter(direction, slot);
                Poll::Ready(Err(error))
            }
        }
    }

    /// Drops the waiter in `slot`, if any (a dropped future, or one whose readiness was used
    /// up). A waiter still pending withdraws its interest at once; one that fired leaves it
    /// armed, as after any event (see [`settle`](Self::settle)).
    pub(crate) fn remove_waiter(&self, direction: Direction, slot: &mut Option<u64>) {
        let Some(id) = slot.take() else { return };
        let removed = {
            let mut sides = self.sides.borrow_mut();
            let waiters = &mut sides[direction as usize].waiters;
            let index = waiters.iter().position(|w| w.id == id);
            index.map(|index| waiters.swap_remove(index))
        };
        if let Some(waiter) = removed {
            self.host.count_waiters(-1);
            if !waiter.fired {
                // Failing to lower the interest only costs a spurious event later.
                let _ = self.update_interest();
            }
        }
    }

    /// Sets the callback of `direction`; true if one was replaced.
    pub(crate) fn set_callback(
        &self,
        direction: Direction,
        run: Rc<dyn Fn()>,
        event_loop: Option<crate::EventLoop>,
    ) -> bool {
        let id = self.fresh_id();
        let callback = ReadyCallback { run, event_loop, scheduled: false, id };
        self.sides.borrow_mut()[direction as usize].callback.replace(callback).is_some()
    }

    /// Removes the callback of `direction`; true if there was one.
    pub(crate) fn take_callback(&self, direction: Direction) -> bool {
        let taken = self.sides.borrow_mut()[direction as usize].callback.take();
        taken.is_some()
    }

    pub(crate) fn has_callbacks(&self) -> bool {
        let sides = self.sides.borrow();
        sides[0].callback.is_some() || sides[1].callback.is_some()
    }

    /// A queued callback run `id` has finished: the poller may report the descriptor again.
    /// False when that registration was removed or replaced meanwhile.
    pub(crate) fn callback_ran(&self, direction: Direction, id: u64) -> bool {
        let mut sides = self.sides.borrow_mut();
        match &mut sides[direction as usize].callback {
            Some(callback) if callback.id == id => {
                callback.scheduled = false;
                true
            }
            _ => false,
        }
    }

    /// The poller reported the source ready: marks the waiters of each ready side fired and
    /// collects their wakers and due callbacks. The interest stays armed; [`settle`] follows.
    ///
    /// [`settle`]: Self::settle
    /// The wakers go to `wakers` (the reactor's, reused: no allocation per event).
    pub(crate) fn fire(&self, readable: bool, writable: bool, wakers: &mut Vec<Waker>) -> Fired {
        let mut fired = Fired::default();
        let mut sides = self.sides.borrow_mut();
        for (direction, ready) in [(Direction::Read, readable), (Direction::Write, writable)] {
            if !ready {
                continue;
            }
            let side = &mut sides[direction as usize];
            fired.idle |= !side.wants();
            for waiter in side.waiters.iter_mut().filter(|w| !w.fired) {
                waiter.fired = true;
                wakers.push(waiter.waker.clone());
            }
            if let Some(callback) = side.callback.as_mut().filter(|c| !c.scheduled) {
                callback.scheduled = true;
                fired.callbacks.push(DueCallback {
                    direction,
                    run: callback.run.clone(),
                    event_loop: callback.event_loop.clone(),
                    id: callback.id,
                });
            }
        }
        fired
    }

    /// After an event (`idle`: a ready side had no one to tell): the read interest stays armed
    /// for the task just woken, which usually reads and waits again at once; it goes when an
    /// event finds no one waiting, as a level-triggered interest would otherwise report the
    /// descriptor at every turn. The write interest goes at once when no one wants it: a socket
    /// stays writable, and writers seldom wait again right after a wait.
    pub(crate) fn settle(&self, idle: bool) -> io::Result<()> {
        let (wanted, armed) = (self.wanted(), self.armed.get());
        if idle || (armed.1 && !wanted.1) {
            self.update_interest()
        } else {
            Ok(())
        }
    }

    /// Brings the poller's interest in line with this source's waiters and callbacks.
    pub(crate) fn update_interest(&self) -> io::Result<()> {
        self.host.update_interest(self)
    }

    /// Pending waiters and callbacks, for the registration counters.
    pub(crate) fn waiter_count(&self) -> usize {
        let sides = self.sides.borrow();
        sides[0].waiters.len() + sides[1].waiters.len()
    }
}

impl Drop for Source {
    fn drop(&mut self) {
        self.host.deregister(self);
    }
}
