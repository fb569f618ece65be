//! Task wakers: `Send + Sync`, carrying only the loop's shared half and a task id, so the task's
//! (possibly `!Send`) future never leaves the loop's thread. Repeated wakes before the next poll
//! schedule the task once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::Wake;

use super::arena::TaskId;
use super::running;
use super::shared::{Remote, Shared};

pub struct TaskWaker {
    pub shared: Arc<Shared>,
    pub id: TaskId,
    /// True from a wake until the poll that follows it begins.
    notified: AtomicBool,
}

impl TaskWaker {
    /// A waker for a task that is queued to run (so it starts out notified).
    pub fn new_notified(shared: Arc<Shared>, id: TaskId) -> Self {
        TaskWaker { shared, id, notified: AtomicBool::new(true) }
    }

    /// Called just before the task is polled: wakes from now on schedule it again.
    pub fn clear(&self) {
        self.notified.store(false, Ordering::Release);
    }

    fn schedule(&self) {
        if self.notified.swap(true, Ordering::AcqRel) {
            return;
        }
        if running::push_local_wake(&self.shared, self.id) {
            return;
        }
        // Another thread, or the owner thread while the loop is not running. After close the
        // push fails; the task's future is already gone then, so there is nothing to wake.
        let _ = self.shared.push(Remote::Wake(self.id));
    }
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.schedule();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.schedule();
    }
}
