//! What a loop still holds: tasks not done and callbacks still queued or scheduled. A test
//! that ends with any of these left over fails (`#[qtasync::test]`), naming them.

use super::{Ready, Scheduler};
use crate::task::TaskRef;

impl Scheduler {
    /// One line for each task that is not done (its name and where it was created) and each
    /// callback still queued or scheduled (where it was scheduled). A sleeping task's timer is not
    /// listed: the task is.
    pub fn leftovers(&self) -> Vec<String> {
        let mut left = Vec::new();
        for slot in self.tasks.borrow().iter() {
            let task = TaskRef { header: slot.header.clone() };
            if !task.done() {
                left.push(format!("task {} created at {}", task.name(), task.spawn_location()));
            }
        }
        for item in self.ready.borrow().iter() {
            match item {
                Ready::Soon(Some(_), Some(location)) => {
                    left.push(format!("callback scheduled at {location}"));
                }
                Ready::Soon(Some(_), None) => {
                    left.push("a call_soon_threadsafe callback".to_owned())
                }
                Ready::Timer(callback) if !callback.cancelled() => {
                    left.push(format!("callback scheduled at {}", callback.location()));
                }
                Ready::Soon(None, _) | Ready::Timer(_) | Ready::Task(_) | Ready::Wake(_) => {}
            }
        }
        for callback in self.timers.borrow().live() {
            left.push(format!("timer callback scheduled at {}", callback.location()));
        }
        left
    }
}
