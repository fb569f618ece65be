//! Thread identity from a process-wide counter. OS thread ids get reused once a thread exits, so a
//! loop created on a dead thread could otherwise be mistaken for one of a new thread.

use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT_TOKEN: AtomicUsize = AtomicUsize::new(1);

thread_local! {
    static TOKEN: usize = NEXT_TOKEN.fetch_add(1, Ordering::Relaxed);
}

/// The calling thread's token: unique for the life of the process, never 0.
pub fn current() -> usize {
    TOKEN.with(|token| *token)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_differ_between_threads_and_stay_put_within_one() {
        let here = super::current();
        assert_eq!(here, super::current());
        let there = std::thread::spawn(super::current).join().unwrap();
        assert_ne!(here, there);
    }
}
