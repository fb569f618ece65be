//! One self-pipe per thread that handles Unix signals. The signal action (registered with
//! signal-hook-registry) only writes the signal's number into the pipe: `write(2)` is
//! async-signal-safe. The read end is a qtasync-internal watch in the thread's reactor, so the
//! signal reaches handlers and streams on Qt's loop.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::io::{self, Read};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::rc::{Rc, Weak};
use std::task::Waker;

use signal_hook_registry::SigId;

use crate::io::InternalWatch;

/// A `Signals` stream's queue.
#[derive(Default)]
pub(crate) struct StreamState {
    pub(crate) pending: RefCell<VecDeque<i32>>,
    pub(crate) waker: RefCell<Option<Waker>>,
}

struct Entry {
    id: SigId,
    callback: Option<(Rc<dyn Fn()>, crate::EventLoop)>,
    streams: Vec<Weak<StreamState>>,
    /// qtasync's own listeners (the SIGCHLD child watcher), by id: run inline when the signal
    /// is drained, with no loop needed; they never run user code.
    internal: Vec<(u64, Rc<dyn Fn()>)>,
}

pub(crate) struct Hub {
    read: UnixStream,
    write_fd: RawFd,
    _watch: InternalWatch,
    entries: RefCell<HashMap<i32, Entry>>,
    next_internal: Cell<u64>,
}

thread_local! {
    // Leaked: the pipe's write end must stay open for as long as any signal action might still
    // write into it (actions run on any thread, at any time).
    static HUB: Cell<Option<&'static Hub>> = const { Cell::new(None) };
}

/// Checks that `signal` can be handled: a real signal, not one that cannot or must not be caught.
pub(crate) fn check(signal: i32) -> io::Result<()> {
    if !(1..=64).contains(&signal) {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("no signal {signal}")));
    }
    if signal_hook_registry::FORBIDDEN.contains(&signal) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "signal {signal} cannot be handled (SIGKILL, SIGSTOP, SIGILL, SIGFPE, SIGSEGV)"
            ),
        ));
    }
    Ok(())
}

pub(crate) fn get() -> io::Result<&'static Hub> {
    if let Some(hub) = HUB.with(Cell::get) {
        return Ok(hub);
    }
    let (read, write) = UnixStream::pair()?;
    read.set_nonblocking(true)?;
    write.set_nonblocking(true)?;
    let watch = crate::io::watch_readable(
        read.as_raw_fd(),
        Rc::new(|| {
            if let Some(hub) = HUB.with(Cell::get) {
                hub.drain();
            }
        }),
    )?;
    let write_fd = write.as_raw_fd();
    std::mem::forget(write); // never closed, see HUB
    let hub: &'static Hub = Box::leak(Box::new(Hub {
        read,
        write_fd,
        _watch: watch,
        entries: RefCell::new(HashMap::new()),
        next_internal: Cell::new(0),
    }));
    HUB.with(|cell| cell.set(Some(hub)));
    Ok(hub)
}

pub(crate) fn existing() -> Option<&'static Hub> {
    HUB.try_with(Cell::get).ok().flatten()
}

impl Hub {
    fn ensure_registered(&self, signal: i32) -> io::Result<()> {
        if self.entries.borrow().contains_key(&signal) {
            return Ok(());
        }
        let fd = self.write_fd;
        let byte = signal as u8; // 1..=64 (checked)
                                 // SAFETY: the action only calls write(2), which is async-signal-safe, on a descriptor
                                 // that is never closed (see HUB), with a byte on its own stack; it cannot panic, and it
                                 // saves and restores errno, which the interrupted code may be about to read.
        let id = unsafe {
            signal_hook_registry::register(signal, move || {
                let saved = *libc::__errno_location();
                let _ = libc::write(fd, (&byte as *const u8).cast(), 1);
                *libc::__errno_location() = saved;
            })
        }
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
        self.entries.borrow_mut().insert(
            signal,
            Entry { id, callback: None, streams: Vec::new(), internal: Vec::new() },
        );
        Ok(())
    }

    /// Drops the entry of `signal` once nothing uses it.
    fn release(&self, signal: i32) {
        let mut entries = self.entries.borrow_mut();
        if let Some(entry) = entries.get_mut(&signal) {
            entry.streams.retain(|stream| stream.strong_count() > 0);
            if entry.callback.is_none() && entry.streams.is_empty() && entry.internal.is_empty() {
                signal_hook_registry::unregister(entry.id);
                entries.remove(&signal);
            }
        }
    }

    pub(crate) fn set_callback(
        &self,
        signal: i32,
        callback: Rc<dyn Fn()>,
        event_loop: crate::EventLoop,
    ) -> io::Result<()> {
        self.ensure_registered(signal)?;
        if let Some(entry) = self.entries.borrow_mut().get_mut(&signal) {
            entry.callback = Some((callback, event_loop));
        }
        Ok(())
    }

    pub(crate) fn remove_callback(&self, signal: i32) -> bool {
        let removed = self
            .entries
            .borrow_mut()
            .get_mut(&signal)
            .and_then(|entry| entry.callback.take())
            .is_some();
        self.release(signal);
        removed
    }

    pub(crate) fn add_stream(&self, signal: i32, stream: &Rc<StreamState>) -> io::Result<()> {
        self.ensure_registered(signal)?;
        if let Some(entry) = self.entries.borrow_mut().get_mut(&signal) {
            entry.streams.push(Rc::downgrade(stream));
        }
        Ok(())
    }

    pub(crate) fn remove_stream(&self, signal: i32) {
        self.release(signal);
    }

    /// Adds one of qtasync's own listeners of `signal` (see [`Entry::internal`]); its id.
    pub(crate) fn add_internal(&self, signal: i32, listener: Rc<dyn Fn()>) -> io::Result<u64> {
        self.ensure_registered(signal)?;
        let id = self.next_internal.get();
        self.next_internal.set(id + 1);
        if let Some(entry) = self.entries.borrow_mut().get_mut(&signal) {
            entry.internal.push((id, listener));
        }
        Ok(id)
    }

    pub(crate) fn remove_internal(&self, signal: i32, id: u64) {
        let removed = self.entries.borrow_mut().get_mut(&signal).and_then(|entry| {
            let index = entry.internal.iter().position(|(other, _)| *other == id)?;
            Some(entry.internal.remove(index))
        });
        drop(removed); // outside the borrow
        self.release(signal);
    }

    /// Signals handled on this thread (for tests).
    pub(crate) fn registered(&self) -> usize {
        self.entries.borrow().len()
    }

    /// The pipe is readable: hand each signal to its callback (queued on its loop, under the
    /// loop's panic guard) and its streams. A signal whose handler is gone is dropped. Internal
    /// listeners run once per drain for each signal received, however many times it came.
    fn drain(&self) {
        let mut bytes = [0u8; 256];
        let mut received = [false; 65];
        loop {
            let n = match (&self.read).read(&mut bytes) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            for &signal in &bytes[..n] {
                received[usize::from(signal).min(64)] = true;
                self.deliver(i32::from(signal));
            }
        }
        for signal in (1..=64).filter(|&signal| received[signal as usize]) {
            let internal = match self.entries.borrow().get(&signal) {
                Some(entry) => entry.internal.clone(),
                None => continue,
            };
            for (_, listener) in internal {
                listener();
            }
        }
    }

    fn deliver(&self, signal: i32) {
        let (callback, streams) = match self.entries.borrow().get(&signal) {
            Some(entry) => (entry.callback.clone(), entry.streams.clone()),
            None => return,
        };
        if let Some((callback, event_loop)) = callback {
            let _ = event_loop.call_soon(move || callback());
        }
        for stream in streams.iter().filter_map(Weak::upgrade) {
            stream.pending.borrow_mut().push_back(signal);
            if let Some(waker) = stream.waker.borrow_mut().take() {
                waker.wake();
            }
        }
    }
}
