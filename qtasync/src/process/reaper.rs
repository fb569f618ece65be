//! Children whose `Child` was dropped while they ran: they are reaped when they exit, so no
//! zombie is left and no thread waits. With a pidfd, it stays in the thread's reactor; with the
//! SIGCHLD fallback, the thread's SIGCHLD registration stays while such a child remains.

use std::cell::RefCell;
use std::os::fd::{AsRawFd, OwnedFd};
use std::rc::Rc;

use super::sigchld::ExitWatch;
use crate::io::InternalWatch;

/// What tells an adopted child's exit.
pub(crate) enum OrphanWatch {
    Pidfd(OwnedFd),
    /// Held: keeps the thread's SIGCHLD registration while the child runs.
    Sigchld {
        _held: ExitWatch,
    },
}

struct Orphan {
    // Declared first: leaves the poller before the pidfd closes.
    _watch: Option<InternalWatch>,
    _exit: OrphanWatch,
    child: std::process::Child,
}

thread_local! {
    static ORPHANS: RefCell<Vec<Orphan>> = const { RefCell::new(Vec::new()) };
}

/// Takes over a running child: it is reaped once it exits.
pub(crate) fn adopt(mut child: std::process::Child, exit: OrphanWatch) {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return; // exited meanwhile: reaped just now
    }
    let watch = match &exit {
        OrphanWatch::Pidfd(pidfd) => {
            crate::io::watch_readable(pidfd.as_raw_fd(), Rc::new(reap_exited)).ok()
        }
        OrphanWatch::Sigchld { .. } => {
            // The thread's SIGCHLD listener calls `reap_exited` after each signal.
            super::sigchld::after_each_sigchld(reap_exited);
            None
        }
    };
    // Without a watch (no Qt loop on this thread) the next adoption or reap looks again.
    let _ = ORPHANS.try_with(|orphans| {
        orphans.borrow_mut().push(Orphan { _watch: watch, _exit: exit, child });
    });
    reap_exited();
}

/// Reaps every adopted child that has exited (`waitpid` on each one's own pid).
pub(crate) fn reap_exited() {
    let exited: Vec<Orphan> = ORPHANS
        .try_with(|orphans| {
            let mut orphans = orphans.borrow_mut();
            let mut exited = Vec::new();
            let mut index = 0;
            while index < orphans.len() {
                if matches!(orphans[index].child.try_wait(), Ok(None)) {
                    index += 1;
                } else {
                    exited.push(orphans.swap_remove(index));
                }
            }
            exited
        })
        .unwrap_or_default();
    drop(exited); // outside the borrow: dropping deregisters
}

/// Children adopted on this thread and not reaped yet.
pub(crate) fn count() -> usize {
    ORPHANS.try_with(|orphans| orphans.borrow().len()).unwrap_or(0)
}
