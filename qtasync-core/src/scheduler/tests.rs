//! The scheduler without Qt: a test sink counts posted wakes, and the tests call `dispatch`
//! where the driver would.

use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Poll, Waker};

struct CountingSink(Arc<AtomicUsize>);
impl crate::shared::WakeSink for CountingSink {
    fn post_wake(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn scheduler() -> (Rc<Scheduler>, Arc<AtomicUsize>) {
    let scheduler = Scheduler::new();
    let posts = Arc::new(AtomicUsize::new(0));
    scheduler.shared.set_sink(Some(Box::new(CountingSink(posts.clone()))));
    (scheduler, posts)
}

type Log = Rc<RefCell<Vec<u32>>>;

/// A log, and a maker of callbacks that append to it.
fn log() -> (Log, impl Fn(u32) -> Box<dyn FnOnce()>) {
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    (log, move |i| {
        let l = l.clone();
        Box::new(move || l.borrow_mut().push(i))
    })
}

#[test]
fn callbacks_run_fifo_and_stop_ends_after_the_iteration() {
    let (scheduler, posts) = scheduler();
    let _running = scheduler.enter().unwrap();
    let (log, push) = log();
    for i in 0..3 {
        scheduler.call_soon(push(i), Location::caller()).unwrap();
    }
    assert_eq!(posts.load(Ordering::SeqCst), 1, "many callbacks, one wake");
    let weak = scheduler.weak();
    let later = push(9);
    scheduler
        .call_soon(
            move || {
                let scheduler = weak.upgrade().unwrap();
                scheduler.call_soon(later, Location::caller()).unwrap();
                scheduler.stop();
            },
            Location::caller(),
        )
        .unwrap();
    scheduler.call_soon(push(3), Location::caller()).unwrap();
    assert_eq!(scheduler.dispatch(Budget::DEFAULT), Dispatched::Stopped);
    assert_eq!(*log.borrow(), vec![0, 1, 2, 3]);
    assert_eq!(scheduler.dispatch(Budget::DEFAULT), Dispatched::Idle);
    assert_eq!(*log.borrow(), vec![0, 1, 2, 3, 9]);
}

#[test]
fn the_budget_hands_control_back_with_work_left() {
    let (scheduler, _) = scheduler();
    let _running = scheduler.enter().unwrap();
    let (log, push) = log();
    for i in 0..10 {
        scheduler.call_soon(push(i), Location::caller()).unwrap();
    }
    let budget = Budget { max_items: 4, max_time: Duration::from_secs(1) };
    assert_eq!(scheduler.dispatch(budget), Dispatched::MoreWork);
    assert_eq!(log.borrow().len(), 4);
    assert_eq!(scheduler.dispatch(budget), Dispatched::MoreWork);
    assert_eq!(scheduler.dispatch(budget), Dispatched::Idle);
    assert!(log.borrow().iter().copied().eq(0..10));
}

#[test]
fn due_timers_run_and_cancelled_ones_do_not() {
    let (scheduler, _) = scheduler();
    let _running = scheduler.enter().unwrap();
    let (log, push) = log();
    let now = Instant::now();
    scheduler.call_at(now, push(1), Location::caller()).unwrap();
    let cancelled = scheduler.call_at(now, push(2), Location::caller()).unwrap();
    scheduler.call_at(now + Duration::from_secs(60), push(3), Location::caller()).unwrap();
    cancelled.cancel();
    scheduler.dispatch(Budget::DEFAULT);
    assert_eq!(*log.borrow(), vec![1]);
    assert!(scheduler.next_deadline().unwrap() > now + Duration::from_secs(59));
}

#[test]
fn tasks_are_woken_from_other_threads_through_the_shared_queue() {
    let (scheduler, posts) = scheduler();
    let _running = scheduler.enter().unwrap();
    let slot: Arc<std::sync::Mutex<Option<Waker>>> = Arc::default();
    let polls = Rc::new(Cell::new(0));
    let (s, p) = (slot.clone(), polls.clone());
    let mut task = scheduler
        .create_task(
            std::future::poll_fn(move |cx| {
                p.set(p.get() + 1);
                if p.get() == 3 {
                    return Poll::Ready(7);
                }
                *s.lock().unwrap() = Some(cx.waker().clone());
                Poll::Pending
            }),
            Location::caller(),
        )
        .unwrap();
    scheduler.dispatch(Budget::DEFAULT);
    assert_eq!(polls.get(), 1);
    for _ in 0..2 {
        let waker = slot.lock().unwrap().take().unwrap();
        let before = posts.load(Ordering::SeqCst);
        std::thread::spawn(move || {
            waker.wake_by_ref();
            waker.wake();
        })
        .join()
        .unwrap();
        assert_eq!(posts.load(Ordering::SeqCst), before + 1, "two wakes, one post");
        scheduler.dispatch(Budget::DEFAULT);
    }
    assert_eq!(polls.get(), 3, "each double wake polled once");
    assert_eq!(task.try_result().unwrap().unwrap(), 7);
    assert_eq!(scheduler.task_count(), 0);
}

#[test]
fn close_drops_futures_on_this_thread_and_refuses_work() {
    let (scheduler, _) = scheduler();
    let alive = Rc::new(());
    let a = alive.clone();
    let mut task = scheduler
        .create_task(
            async move {
                let _keep = a;
                std::future::pending::<()>().await
            },
            Location::caller(),
        )
        .unwrap();
    {
        let _running = scheduler.enter().unwrap();
        scheduler.dispatch(Budget::DEFAULT);
    }
    assert_eq!(Rc::strong_count(&alive), 2);
    assert_eq!(scheduler.close(), 1);
    assert_eq!(Rc::strong_count(&alive), 1);
    assert!(task.try_result().unwrap().unwrap_err().is_cancelled());
    assert_eq!(scheduler.call_soon(|| {}, Location::caller()).unwrap_err(), LoopClosed);
    assert!(scheduler.shared.push(Remote::Call(Box::new(|| {}))).is_err());
}

#[test]
fn a_panicking_task_is_caught_and_its_slot_freed() {
    let (scheduler, _) = scheduler();
    let _running = scheduler.enter().unwrap();
    let reports = Rc::new(Cell::new(0));
    let r = reports.clone();
    scheduler.set_reporter(Some(Rc::new(move |_| r.set(r.get() + 1))));
    let mut task = scheduler.create_task(async { panic!("inside") }, Location::caller()).unwrap();
    scheduler.dispatch(Budget::DEFAULT);
    assert_eq!(scheduler.task_count(), 0);
    match task.try_result() {
        Some(Err(TaskError::Panicked(panic))) => assert_eq!(panic.message(), "inside"),
        other => panic!("{other:?}"),
    }
    assert_eq!(reports.get(), 0, "the handle took it, nothing to report");
}

#[test]
fn call_soon_of_a_closure_that_captures_nothing_allocates_nothing() {
    thread_local! {
        static RAN: Cell<usize> = const { Cell::new(0) };
    }
    fn tick() {
        RAN.with(|ran| ran.set(ran.get() + 1));
    }
    let (scheduler, _) = scheduler();
    let _running = scheduler.enter().unwrap();
    // The ready queue grows once and is then reused.
    for _ in 0..200 {
        scheduler.call_soon(tick, Location::caller()).unwrap();
    }
    // (In as many dispatches as the time budget takes: Miri is slow.)
    while scheduler.dispatch(Budget::DEFAULT) != Dispatched::Idle {}
    let before = super::task_tests::allocations();
    for _ in 0..100 {
        let handle = scheduler.call_soon(tick, Location::caller()).unwrap();
        drop(handle);
    }
    while scheduler.dispatch(Budget::DEFAULT) != Dispatched::Idle {}
    assert_eq!(super::task_tests::allocations() - before, 0);
    assert_eq!(RAN.with(Cell::get), 300);
}

#[test]
fn a_cancelled_handle_drops_its_callback_at_once_wherever_its_entry_has_moved() {
    let (scheduler, _) = scheduler();
    let _running = scheduler.enter().unwrap();
    let (log, push) = log();
    let captured = Rc::new(());
    let kept = captured.clone();
    let _first = scheduler.call_soon(push(1), Location::caller()).unwrap();
    let second = scheduler.call_soon(push(2), Location::caller()).unwrap();
    let third = scheduler
        .call_soon(
            move || {
                drop(kept);
                unreachable!("cancelled")
            },
            Location::caller(),
        )
        .unwrap();
    let _fourth = scheduler.call_soon(push(4), Location::caller()).unwrap();
    // One item runs: the entries move up the queue.
    let one = Budget { max_items: 1, max_time: Duration::from_secs(1) };
    assert_eq!(scheduler.dispatch(one), Dispatched::MoreWork);
    assert_eq!(Rc::strong_count(&captured), 2);
    third.cancel();
    assert!(third.cancelled());
    assert_eq!(Rc::strong_count(&captured), 1, "what it captured is dropped on cancel");
    assert_eq!(scheduler.dispatch(Budget::DEFAULT), Dispatched::Idle);
    assert_eq!(*log.borrow(), vec![1, 2, 4]);
    // After it ran, cancelling changes nothing but what `cancelled` says (as asyncio's).
    second.cancel();
    assert!(second.cancelled());
    assert_eq!(*log.borrow(), vec![1, 2, 4]);
    // A handle whose entry was taken by `close`, or whose loop is gone, cancels quietly.
    let late = scheduler.call_soon(push(5), Location::caller()).unwrap();
    assert_eq!(scheduler.leftovers().len(), 1);
    scheduler.close();
    late.cancel();
    assert!(late.cancelled());
    drop(_running);
    drop(scheduler);
    let orphan_log = log.borrow().clone();
    assert_eq!(orphan_log, vec![1, 2, 4]);
}

#[test]
fn cancelled_callbacks_are_not_leftovers_and_threadsafe_ones_keep_fifo_order() {
    let (scheduler, _) = scheduler();
    let _running = scheduler.enter().unwrap();
    let log = Arc::new(std::sync::Mutex::new(Vec::new()));
    let push = |i: u32| {
        let log = log.clone();
        move || log.lock().unwrap().push(i)
    };
    let cancelled = scheduler.call_soon(push(0), Location::caller()).unwrap();
    cancelled.cancel();
    scheduler.call_soon(push(1), Location::caller()).unwrap();
    scheduler.call_soon_threadsafe(Box::new(push(2))).unwrap();
    scheduler.call_soon(push(3), Location::caller()).unwrap();
    let left = scheduler.leftovers();
    assert_eq!(left.len(), 3, "{left:?}");
    assert!(left[1].contains("call_soon_threadsafe"), "{left:?}");
    scheduler.dispatch(Budget::DEFAULT);
    assert_eq!(*log.lock().unwrap(), vec![1, 2, 3]);
}
