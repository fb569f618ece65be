//! `LoopHandle`: reaching a loop from any thread.

use super::*;

/// A `Send + Sync` handle to a loop for other threads.
#[derive(Clone)]
pub struct LoopHandle {
    pub(super) shared: Arc<Shared>,
}

impl fmt::Debug for LoopHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopHandle").field("closed", &self.shared.is_closed()).finish()
    }
}

impl LoopHandle {
    /// Schedules `callback` on the loop's thread; an error once the loop is closed (a callback
    /// accepted before `close()` is never silently lost: it runs, or `close()` drops it).
    pub fn call_soon_threadsafe(
        &self,
        callback: impl FnOnce() + Send + 'static,
    ) -> Result<(), LoopClosed> {
        self.shared.push(Remote::Call(Box::new(callback))).map_err(|_| LoopClosed)
    }

    /// Stops the loop from any thread (at the end of its current iteration).
    pub fn stop(&self) -> Result<(), LoopClosed> {
        self.call_soon_threadsafe(|| {
            if let Ok(event_loop) = get_running_loop() {
                event_loop.stop();
            }
        })
    }

    /// Whether the loop is closed.
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }
}
