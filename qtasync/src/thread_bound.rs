//! `ThreadBound<T>`: a `!Send` value carried where `Send` is required (cxx-qt signal handlers
//! must be `Send`, though Qt calls them on the object's thread), usable only on its thread.

use std::fmt;
use std::mem::ManuallyDrop;

use crate::core::thread_token;

/// Holds a value that only the creating thread may use. It is `Send + Sync`, so it fits where
/// cxx-qt wants a `Send` closure (a signal handler, for instance):
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use qtasync::ThreadBound;
///
/// /// Like cxx-qt's `on_clicked`: the handler must be `Send`.
/// fn connect(mut handler: impl FnMut() + Send + 'static) { handler() }
///
/// let clicks = Rc::new(Cell::new(0)); // GUI state: !Send
/// let counter = clicks.clone();
/// let mut on_click = ThreadBound::new(move || counter.set(counter.get() + 1));
/// connect(move || (on_click.get_mut())());
/// assert_eq!(clicks.get(), 1);
/// ```
///
/// Using it from another thread panics; dropping it there leaks the value (running its
/// destructor on the wrong thread would be unsound) and says so on standard error.
pub struct ThreadBound<T> {
    value: ManuallyDrop<T>,
    owner: usize,
}

// SAFETY: the value is only reached through `get`/`get_mut`/`into_inner`, which check that the
// caller is the owner thread, and dropped only on that thread (elsewhere it is leaked). So the
// value never actually crosses threads.
unsafe impl<T> Send for ThreadBound<T> {}
// SAFETY: as above: `&ThreadBound<T>` on another thread cannot reach the value.
unsafe impl<T> Sync for ThreadBound<T> {}

impl<T> ThreadBound<T> {
    /// Binds `value` to the calling thread.
    pub fn new(value: T) -> Self {
        ThreadBound { value: ManuallyDrop::new(value), owner: thread_token::current() }
    }

    /// Whether the calling thread owns the value.
    pub fn is_owner_thread(&self) -> bool {
        self.owner == thread_token::current()
    }

    #[track_caller]
    fn check(&self) {
        assert!(self.is_owner_thread(), "a qtasync::ThreadBound value was used on another thread");
    }

    /// The value. Panics on another thread.
    #[track_caller]
    pub fn get(&self) -> &T {
        self.check();
        &self.value
    }

    /// The value. Panics on another thread.
    #[track_caller]
    pub fn get_mut(&mut self) -> &mut T {
        self.check();
        &mut self.value
    }

    /// Takes the value back. Panics on another thread.
    #[track_caller]
    pub fn into_inner(self) -> T {
        self.check();
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again, so the value is moved out exactly once.
        unsafe { ManuallyDrop::take(&mut this.value) }
    }
}

impl<T> Drop for ThreadBound<T> {
    fn drop(&mut self) {
        if self.is_owner_thread() {
            // SAFETY: dropped once, here, on the owner thread.
            unsafe { ManuallyDrop::drop(&mut self.value) }
        } else {
            eprintln!("qtasync: a ThreadBound value was dropped on another thread; it is leaked");
        }
    }
}

impl<T> fmt::Debug for ThreadBound<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadBound").field("owner_thread", &self.is_owner_thread()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::ThreadBound;
    use std::rc::Rc;

    #[test]
    fn usable_on_its_thread_refused_on_others_leaked_when_dropped_there() {
        let counter = Rc::new(());
        let mut bound = ThreadBound::new(counter.clone());
        assert_eq!(Rc::strong_count(bound.get_mut()), 2);
        let bound = std::thread::spawn(move || {
            let refused = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let _ = bound.get();
            }));
            assert!(refused.is_err());
            bound
        })
        .join()
        .unwrap();
        assert_eq!(Rc::strong_count(&bound.into_inner()), 2);
        let elsewhere = ThreadBound::new(counter.clone());
        std::thread::spawn(move || drop(elsewhere)).join().unwrap();
        assert_eq!(Rc::strong_count(&counter), 2, "dropped on another thread: leaked");
        let here = ThreadBound::new(counter.clone());
        drop(here);
        assert_eq!(Rc::strong_count(&counter), 2);
    }
}
