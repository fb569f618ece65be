//! The timer heap: order, cancellation, purges, and sleeps' slots.
use super::*;
use crate::callback::new_callback;
use std::cell::RefCell;
use std::panic::Location;
use std::time::Duration;

fn run(fired: Fired) {
    match fired {
        Fired::Call(callback) => callback.run(),
        Fired::Wake(waker) => waker.wake(),
        Fired::Task(_) => {}
    }
}

#[test]
fn pops_by_deadline_then_fifo_and_skips_cancelled() {
    let order = Rc::new(RefCell::new(Vec::new()));
    let mut heap = TimerHeap::new();
    let t0 = Instant::now();
    let mut callbacks = Vec::new();
    for (i, ms) in [(0, 30u64), (1, 10), (2, 20), (3, 10), (4, 10)] {
        let order = order.clone();
        let callback = new_callback(move || order.borrow_mut().push(i), Location::caller());
        heap.push(t0 + Duration::from_millis(ms), callback.clone());
        callbacks.push(callback);
    }
    callbacks[3].cancel();
    heap.cancelled.set(1);
    assert_eq!(heap.next_deadline(), Some(t0 + Duration::from_millis(10)));
    heap.pop_due(t0 + Duration::from_millis(20), run);
    assert_eq!(*order.borrow(), vec![1, 4, 2]);
    assert_eq!(heap.next_deadline(), Some(t0 + Duration::from_millis(30)));
    heap.pop_due(t0 + Duration::from_millis(29), run);
    assert_eq!(order.borrow().len(), 3);
}

#[test]
fn purges_when_most_entries_are_cancelled() {
    let mut heap = TimerHeap::new();
    let t0 = Instant::now();
    let mut handles = Vec::new();
    for i in 0..200u64 {
        let callback = new_callback(|| {}, Location::caller());
        heap.push(t0 + Duration::from_millis(i), callback.clone());
        handles.push(callback);
    }
    for callback in &handles[..150] {
        callback.cancel();
        heap.cancelled.set(heap.cancelled.get() + 1);
    }
    heap.push(t0, new_callback(|| {}, Location::caller()));
    assert_eq!(heap.len(), 51);
    assert_eq!(heap.cancelled.get(), 0);
    assert!(!handles[0].in_heap());
    assert!(handles[199].in_heap());
}

/// A waker that counts its wakes.
fn counting_waker() -> (Waker, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    struct Count(Arc<AtomicUsize>);
    impl std::task::Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let count = Arc::new(AtomicUsize::new(0));
    (Waker::from(Arc::new(Count(count.clone()))), count)
}

#[test]
fn sleeps_keep_a_waker_and_stale_keys_miss_reused_slots() {
    use std::sync::atomic::Ordering;
    let mut heap = TimerHeap::new();
    let t0 = Instant::now();
    let (first, first_wakes) = counting_waker();
    let (second, second_wakes) = counting_waker();
    let mut a = heap.push_wake(t0 + Duration::from_millis(10), SleepTarget::Waker(first.clone()));
    let b = heap.push_wake(t0 + Duration::from_millis(20), SleepTarget::Waker(first.clone()));
    // Re-polled with another waker: the heap keeps the newest one.
    assert!(heap.update_wake(&mut a, SleepTarget::Waker(second.clone())).0);
    assert!(heap.cancel_wake(b).is_some());
    assert!(heap.cancel_wake(b).is_none(), "cancelled once");
    assert_eq!(heap.next_deadline(), Some(t0 + Duration::from_millis(10)));
    heap.pop_due(t0 + Duration::from_millis(30), run);
    assert_eq!(second_wakes.load(Ordering::SeqCst), 1);
    assert_eq!(first_wakes.load(Ordering::SeqCst), 0, "replaced and cancelled");
    assert!(!heap.update_wake(&mut a, SleepTarget::Waker(first.clone())).0, "fired");
    // The slots are reused: the old keys do not reach the new timers.
    let mut c = heap.push_wake(t0, SleepTarget::Waker(first.clone()));
    let mut d = heap.push_wake(t0, SleepTarget::Waker(first.clone()));
    assert!(heap.cancel_wake(a).is_none() && heap.cancel_wake(b).is_none());
    assert!(heap.update_wake(&mut c, SleepTarget::Waker(first.clone())).0);
    assert!(heap.update_wake(&mut d, SleepTarget::Waker(first.clone())).0);
    let (callbacks, wakers) = heap.take_all();
    assert_eq!((callbacks.len(), wakers.len()), (0, 2));
    assert!(!heap.update_wake(&mut c, SleepTarget::Waker(first.clone())).0, "taken at close");
}

#[test]
fn cancelled_sleeps_are_purged_with_their_slots() {
    let mut heap = TimerHeap::new();
    let t0 = Instant::now();
    let (waker, _) = counting_waker();
    let keys: Vec<_> = (0..100u64)
        .map(|i| heap.push_wake(t0 + Duration::from_millis(i), SleepTarget::Waker(waker.clone())))
        .collect();
    for key in &keys[..80] {
        heap.cancel_wake(*key);
    }
    heap.push_wake(t0, SleepTarget::Waker(waker.clone()));
    assert_eq!(heap.len(), 21);
    assert_eq!(heap.free.len(), 80, "the purged entries' slots are free again");
    let mut last = keys[99];
    assert!(heap.update_wake(&mut last, SleepTarget::Waker(waker.clone())).0);
}

#[test]
fn a_sleep_awaited_by_its_task_keeps_the_id_until_another_waker_polls_it() {
    use crate::arena::Arena;
    use std::sync::atomic::Ordering;
    let mut ids = Arena::new();
    let id = ids.insert(());
    let mut heap = TimerHeap::new();
    let t0 = Instant::now();
    let (waker, wakes) = counting_waker();
    let mut own = heap.push_wake(t0, SleepTarget::Task(id));
    let mut moved = heap.push_wake(t0, SleepTarget::Task(id));
    // Polled again by someone else's waker (moved into another future): that one is kept.
    let before = moved;
    let (pending, replaced) = heap.update_wake(&mut moved, SleepTarget::Waker(waker.clone()));
    assert!(pending && replaced.is_none(), "an id, not a waker, was replaced");
    assert_ne!(moved, before, "a timer that changes kind gets a new key");
    assert_eq!(moved.deadline(), t0);
    let mut fired = Vec::new();
    heap.pop_due(t0, |f| fired.push(f));
    assert!(matches!(fired[0], Fired::Task(task) if task == id));
    fired.into_iter().for_each(run);
    assert_eq!(wakes.load(Ordering::SeqCst), 1);
    assert!(!heap.update_wake(&mut own, SleepTarget::Task(id)).0, "fired");
}

#[test]
fn a_sleep_awaited_by_its_task_is_one_entry_of_24_bytes_with_no_slot() {
    use crate::arena::Arena;
    assert_eq!(std::mem::size_of::<Entry>(), 24);
    let mut ids = Arena::new();
    let (a, b) = (ids.insert(()), ids.insert(()));
    let mut heap = TimerHeap::new();
    let t0 = Instant::now();
    let later = t0 + Duration::from_millis(5);
    let mut first = heap.push_wake(later, SleepTarget::Task(a));
    // Two sleeps of one task with one deadline, and another task's.
    let twin = heap.push_wake(later, SleepTarget::Task(a));
    let mut other = heap.push_wake(t0, SleepTarget::Task(b));
    assert!(heap.slots.is_empty(), "no slot for a task's own sleep");
    assert!(heap.update_wake(&mut first, SleepTarget::Task(a)).0);
    heap.pop_due(t0, |fired| assert!(matches!(fired, Fired::Task(id) if id == b)));
    assert!(!heap.update_wake(&mut other, SleepTarget::Task(b)).0, "fired");
    assert!(heap.update_wake(&mut first, SleepTarget::Task(a)).0, "not due yet");
    // Cancelling one twin leaves the other: the task is woken once.
    heap.cancel_wake(twin);
    assert_eq!(heap.next_deadline(), Some(later));
    let mut woken = Vec::new();
    heap.pop_due(later, |fired| woken.push(matches!(fired, Fired::Task(id) if id == a)));
    assert_eq!(woken, vec![true]);
    assert!(heap.cancelled_tasks.is_empty() && heap.is_empty());
    // After its deadline passed, a key cancels nothing (the multiset stays empty).
    heap.cancel_wake(first);
    assert!(heap.cancelled_tasks.is_empty());
}

#[test]
fn cancelled_task_sleeps_are_skipped_and_purged() {
    use crate::arena::Arena;
    let mut ids = Arena::new();
    let id = ids.insert(());
    let mut heap = TimerHeap::new();
    let t0 = Instant::now();
    let keys: Vec<_> = (0..100u64)
        .map(|i| heap.push_wake(t0 + Duration::from_millis(i), SleepTarget::Task(id)))
        .collect();
    for key in &keys[..80] {
        heap.cancel_wake(*key);
    }
    heap.push_wake(t0 + Duration::from_secs(1), SleepTarget::Task(id));
    assert_eq!(heap.len(), 21, "purged once most were cancelled");
    assert!(heap.cancelled_tasks.is_empty());
    heap.cancel_wake(keys[80]);
    let mut fired = 0;
    heap.pop_due(t0 + Duration::from_millis(99), |_| fired += 1);
    assert_eq!(fired, 19, "the cancelled one is skipped when it surfaces");
    let (callbacks, wakers) = heap.take_all();
    assert!(callbacks.is_empty() && wakers.is_empty());
    let mut last = keys[99];
    assert!(!heap.update_wake(&mut last, SleepTarget::Task(id)).0, "taken at close");
}

#[test]
fn deadlines_round_trip_through_nanoseconds() {
    let now = Instant::now();
    for when in [now, now + Duration::new(3600, 123), now - Duration::from_nanos(1)] {
        assert_eq!(to_instant(to_nanos(when)), when);
    }
    assert!(to_nanos(now + Duration::from_nanos(1)) > to_nanos(now));
}

#[test]
fn a_deadline_beyond_the_nanosecond_range_never_fires_and_leaves_others_alone() {
    use crate::arena::Arena;
    let mut ids = Arena::new();
    let (id, other) = (ids.insert(()), ids.insert(()));
    let mut heap = TimerHeap::new();
    let t0 = Instant::now();
    let far = t0 + Duration::from_secs(400 * 365 * 86_400);
    let mut never = heap.push_wake(far, SleepTarget::Task(id));
    // Not a deadline to arm the OS timer for, nor for a paused clock to jump to.
    assert_eq!(heap.next_deadline(), None);
    let near = t0 + Duration::from_secs(1);
    let mut soon = heap.push_wake(near, SleepTarget::Task(other));
    assert_eq!(heap.next_deadline(), Some(near));
    let mut fired = Vec::new();
    heap.pop_due(near, |f| fired.push(matches!(f, Fired::Task(task) if task == other)));
    assert_eq!(fired, vec![true]);
    assert!(!heap.update_wake(&mut soon, SleepTarget::Task(other)).0);
    assert!(heap.update_wake(&mut never, SleepTarget::Task(id)).0, "still pending");
    // Even a `now` past the range does not fire it, nor make later sleeps read as fired.
    heap.pop_due(far, |_| panic!("fired"));
    assert!(heap.update_wake(&mut never, SleepTarget::Task(id)).0);
}
