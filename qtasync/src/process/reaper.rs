//! Children whose `Child` was dropped while they ran: their pidfd stays in the thread's
//! reactor and they are reaped when they exit, so no zombie is left and no thread waits.

use std::cell::RefCell;
use std::os::fd::{AsRawFd, OwnedFd};
use std::rc::Rc;

use crate::io::InternalWatch;

struct Orphan {
    // Declared first: leaves the poller before `pidfd` closes.
    _watch: Option<InternalWatch>,
    _pidfd: OwnedFd,
    child: std::process::Child,
}

thread_local! {
    static ORPHANS: RefCell<Vec<Orphan>> = const { RefCell::new(Vec::new()) };
}

/// Takes over a running child: it is reaped once it exits.
pub(crate) fn adopt(mut child: std::process::Child, pidfd: OwnedFd) {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return; // exited meanwhile: reaped just now
    }
    let watch = crate::io::watch_readable(pidfd.as_raw_fd(), Rc::new(reap_exited)).ok();
    // Without a watch (no Qt loop on this thread) the next adoption or reap looks again.
    let _ = ORPHANS.try_with(|orphans| {
        orphans.borrow_mut().push(Orphan { _watch: watch, _pidfd: pidfd, child });
    });
    reap_exited();
}

/// Reaps every adopted child that has exited.
fn reap_exited() {
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
