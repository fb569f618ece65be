//! The OS poller under the reactor, cut down to what a collector that Qt wakes needs: add a
//! descriptor with no interest, set its interest (level-triggered; one-shot when none, so that
//! a hang-up or error, which epoll reports regardless of interest, comes once), remove it, and
//! take what is ready without blocking.
//!
//! On Linux this is epoll through `rustix`. `polling::Poller::wait` is made for threads that
//! block in it and are woken by `notify`, and pays for that on every call even with a zero
//! timeout: a timerfd set and re-armed, its eventfd drained and re-armed (four system calls
//! beside `epoll_wait`, measured with `strace -c`: BENCHMARKS.md, "Network rows"). The reactor
//! never blocks in the poller and never needs `notify`. Elsewhere (kqueue) `polling` serves.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};

/// One ready descriptor, by the key it was added with.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ready {
    pub(crate) key: usize,
    pub(crate) readable: bool,
    pub(crate) writable: bool,
}

#[cfg(target_os = "linux")]
pub(crate) use linux::{Events, Poller};
#[cfg(not(target_os = "linux"))]
pub(crate) use portable::{Events, Poller};

#[cfg(target_os = "linux")]
mod linux {
    use super::*;
    use rustix::event::epoll::{self, EventData, EventFlags};
    use std::os::fd::OwnedFd;

    pub(crate) struct Poller {
        epoll: OwnedFd,
    }

    /// Room for the events of one collection.
    pub(crate) struct Events(Vec<epoll::Event>);

    impl Events {
        pub(crate) fn with_capacity(capacity: usize) -> Events {
            Events(Vec::with_capacity(capacity))
        }
    }

    /// The flags `polling` uses too: hang-ups and errors count as both directions, so a waiter
    /// always learns of them (its next operation reports what happened). Level-triggered with
    /// interest, one-shot without.
    fn flags(readable: bool, writable: bool) -> EventFlags {
        let mut flags = EventFlags::empty();
        if !readable && !writable {
            flags |= EventFlags::ONESHOT;
        }
        if readable {
            flags |= EventFlags::IN | EventFlags::HUP | EventFlags::ERR | EventFlags::PRI;
        }
        if writable {
            flags |= EventFlags::OUT | EventFlags::HUP | EventFlags::ERR;
        }
        flags
    }

    impl Poller {
        pub(crate) fn new() -> io::Result<Poller> {
            Ok(Poller { epoll: epoll::create(epoll::CreateFlags::CLOEXEC)? })
        }

        /// Adds `fd` under `key` with no interest yet.
        pub(crate) fn add(&self, fd: BorrowedFd<'_>, key: usize) -> io::Result<()> {
            Ok(epoll::add(&self.epoll, fd, EventData::new_u64(key as u64), flags(false, false))?)
        }

        /// Sets the interest (none for `false, false`).
        pub(crate) fn modify(
            &self,
            fd: BorrowedFd<'_>,
            key: usize,
            readable: bool,
            writable: bool,
        ) -> io::Result<()> {
            let data = EventData::new_u64(key as u64);
            Ok(epoll::modify(&self.epoll, fd, data, flags(readable, writable))?)
        }

        pub(crate) fn delete(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
            Ok(epoll::delete(&self.epoll, fd)?)
        }

        /// Takes what is ready now, without blocking (at most the capacity of `events`).
        pub(crate) fn collect(
            &self,
            events: &mut Events,
            mut each: impl FnMut(Ready),
        ) -> io::Result<()> {
            events.0.clear();
            let zero = rustix::event::Timespec { tv_sec: 0, tv_nsec: 0 };
            epoll::wait(&self.epoll, rustix::buffer::spare_capacity(&mut events.0), Some(&zero))?;
            let read = EventFlags::IN | EventFlags::HUP | EventFlags::ERR | EventFlags::PRI;
            let write = EventFlags::OUT | EventFlags::HUP | EventFlags::ERR;
            for event in &events.0 {
                let (flags, data) = (event.flags, event.data);
                each(Ready {
                    key: data.u64() as usize,
                    readable: flags.intersects(read),
                    writable: flags.intersects(write),
                });
            }
            Ok(())
        }
    }

    impl AsRawFd for Poller {
        fn as_raw_fd(&self) -> RawFd {
            self.epoll.as_raw_fd()
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod portable {
    use super::*;
    use std::num::NonZeroUsize;
    use std::time::Duration;

    pub(crate) struct Poller(polling::Poller);

    /// Room for the events of one collection.
    pub(crate) struct Events(polling::Events);

    impl Events {
        pub(crate) fn with_capacity(capacity: usize) -> Events {
            Events(polling::Events::with_capacity(NonZeroUsize::new(capacity).expect("non-zero")))
        }
    }

    fn event(key: usize, readable: bool, writable: bool) -> polling::Event {
        let mut event = polling::Event::none(key);
        event.readable = readable;
        event.writable = writable;
        event
    }

    impl Poller {
        pub(crate) fn new() -> io::Result<Poller> {
            Ok(Poller(polling::Poller::new()?))
        }

        pub(crate) fn add(&self, fd: BorrowedFd<'_>, key: usize) -> io::Result<()> {
            // SAFETY: `Poller::add` asks that the source be deleted before it is closed; the
            // reactor's sources guarantee it (see `Reactor::register`). A descriptor closed
            // first anyway is dropped from the kernel's set: bookkeeping, not memory.
            unsafe { self.0.add(fd.as_raw_fd(), polling::Event::none(key)) }
        }

        pub(crate) fn modify(
            &self,
            fd: BorrowedFd<'_>,
            key: usize,
            readable: bool,
            writable: bool,
        ) -> io::Result<()> {
            if readable || writable {
                self.0.modify_with_mode(
                    fd,
                    event(key, readable, writable),
                    polling::PollMode::Level,
                )
            } else {
                self.0.modify(fd, polling::Event::none(key))
            }
        }

        pub(crate) fn delete(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
            self.0.delete(fd)
        }

        pub(crate) fn collect(
            &self,
            events: &mut Events,
            mut each: impl FnMut(Ready),
        ) -> io::Result<()> {
            events.0.clear();
            self.0.wait(&mut events.0, Some(Duration::ZERO))?;
            for event in events.0.iter() {
                each(Ready { key: event.key, readable: event.readable, writable: event.writable });
            }
            Ok(())
        }
    }

    impl AsRawFd for Poller {
        fn as_raw_fd(&self) -> RawFd {
            self.0.as_raw_fd()
        }
    }
}
