//! Tasks in their one allocation: what is allocated, the order things are dropped in, wakers
//! used from other threads, cancellation before the first poll, panicking destructors.

use super::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::future::poll_fn;
use std::task::{Poll, RawWaker, RawWakerVTable};

/// Counts this thread's allocations (other tests' threads do not disturb the count).
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the count is a side effect
// on a `const`-initialised thread-local, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

pub(super) fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

fn running_scheduler() -> (Rc<Scheduler>, RunningGuard) {
    let scheduler = Scheduler::new();
    let guard = scheduler.enter().unwrap();
    (scheduler, guard)
}

/// Reports received by the loop's exception handler.
fn reports(scheduler: &Scheduler) -> Rc<RefCell<Vec<String>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    scheduler.set_reporter(Some(Rc::new(move |context: &ExceptionContext| {
        s.borrow_mut().push(context.message.clone())
    })));
    seen
}

#[test]
fn a_task_that_finishes_in_its_first_step_is_one_allocation() {
    let (scheduler, _running) = running_scheduler();
    // Warm up the arena and the ready queue, which grow once and are then reused.
    for _ in 0..4 {
        drop(scheduler.create_task(async { 0u64 }, Location::caller()).unwrap());
    }
    scheduler.dispatch(Budget::DEFAULT);
    let before = allocations();
    let mut task = scheduler.create_task(async { [7u64; 8] }, Location::caller()).unwrap();
    scheduler.dispatch(Budget::DEFAULT);
    let result = task.try_result();
    assert_eq!(allocations() - before, 1, "header, future and output share one allocation");
    assert_eq!(result.unwrap().unwrap(), [7; 8]);
}

#[test]
fn a_trivial_tasks_allocation_is_small_enough_for_mallocs_fast_bins() {
    // The `Rc`'s two counts and the cell of a task whose future is a unit-sized state machine:
    // at most 120 bytes is a 128-byte chunk for glibc, the largest its fast bins keep, so a
    // burst of such tasks freed and spawned again reuses the same memory (no trim, no page
    // faults). Each word added to every task should be a decision.
    let cell = std::mem::size_of::<crate::task::TaskCell<std::future::Ready<()>, Scheduler>>();
    assert!(2 * std::mem::size_of::<usize>() + cell <= 120, "{cell} bytes");
}

#[test]
fn a_sleeping_task_is_one_allocation_too() {
    let (scheduler, _running) = running_scheduler();
    let sleep_once = |scheduler: &Rc<Scheduler>, deadline: Instant| {
        let weak = scheduler.weak();
        let mut key = None;
        scheduler
            .create_task(
                poll_fn(move |cx| {
                    let scheduler = weak.upgrade().unwrap();
                    match &mut key {
                        None => key = Some(scheduler.sleep_until(deadline, cx.waker()).unwrap()),
                        Some(key) => {
                            if !scheduler.sleep_pending(key, cx.waker()) {
                                return Poll::Ready(());
                            }
                        }
                    }
                    Poll::Pending
                }),
                Location::caller(),
            )
            .unwrap()
    };
    // Warm up: tasks whose sleeps end at once leave the arena, heap and slots grown.
    let warm: Vec<_> = (0..64).map(|_| sleep_once(&scheduler, Instant::now())).collect();
    while scheduler.dispatch(Budget::DEFAULT) != Dispatched::Idle {}
    scheduler.dispatch(Budget::DEFAULT);
    assert!(warm.iter().all(|task| task.done()));
    let before = allocations();
    let task = sleep_once(&scheduler, Instant::now() + Duration::from_secs(3600));
    scheduler.dispatch(Budget::DEFAULT);
    // The timer keeps the task's id (its poll lent the waker): no `Arc` waker, no timer box.
    assert_eq!(allocations() - before, 1, "the task's cell only");
    assert!(!task.done());
    assert_eq!(scheduler.close(), 1);
}

#[test]
fn the_future_is_dropped_on_the_loop_thread_before_the_task_completes() {
    let (scheduler, _running) = running_scheduler();
    struct Guard(Rc<RefCell<Option<TaskRef>>>, Rc<RefCell<Vec<String>>>);
    impl Drop for Guard {
        fn drop(&mut self) {
            let task = self.0.borrow().clone().unwrap();
            self.1.borrow_mut().push(format!("future dropped, done: {}", task.done()));
        }
    }
    let me = Rc::new(RefCell::new(None));
    let log = Rc::new(RefCell::new(Vec::new()));
    let guard = Guard(me.clone(), log.clone());
    let task = scheduler
        .create_task(
            async move {
                *guard.0.borrow_mut() = current_task();
                let _guard = guard;
                5
            },
            Location::caller(),
        )
        .unwrap();
    let l = log.clone();
    task.add_done_callback(move |task| l.borrow_mut().push(format!("done: {}", task.done())));
    scheduler.dispatch(Budget::DEFAULT);
    assert_eq!(*log.borrow(), ["future dropped, done: false", "done: true"]);
    assert_eq!(scheduler.task_count(), 0);
}

#[test]
fn a_borrowed_waker_is_cloned_and_woken_from_another_thread_during_the_poll() {
    let (scheduler, _running) = running_scheduler();
    let polls = Rc::new(Cell::new(0));
    let p = polls.clone();
    let kept: Arc<std::sync::Mutex<Option<Waker>>> = Arc::default();
    let k = kept.clone();
    let mut task = scheduler
        .create_task(
            poll_fn(move |cx| {
                p.set(p.get() + 1);
                if p.get() == 3 {
                    return Poll::Ready("done");
                }
                if p.get() == 2 {
                    return Poll::Pending; // woken later by the kept clone
                }
                let waker = cx.waker();
                let k = k.clone();
                std::thread::scope(|scope| {
                    scope.spawn(move || {
                        *k.lock().unwrap() = Some(waker.clone());
                        waker.wake_by_ref();
                    });
                });
                Poll::Pending
            }),
            Location::caller(),
        )
        .unwrap();
    scheduler.dispatch(Budget::DEFAULT);
    // Woken during the poll (the first step) and then by the kept clone from another thread.
    assert_eq!(polls.get(), 2);
    let waker = kept.lock().unwrap().take().unwrap();
    std::thread::spawn(move || waker.wake()).join().unwrap();
    scheduler.dispatch(Budget::DEFAULT);
    assert_eq!(polls.get(), 3);
    assert_eq!(task.try_result().unwrap().unwrap(), "done");
}

#[test]
fn a_task_cancelled_before_its_first_poll_is_never_polled() {
    let (scheduler, _running) = running_scheduler();
    let polled = Rc::new(Cell::new(false));
    let dropped = Rc::new(Cell::new(false));
    struct OnDrop(Rc<Cell<bool>>);
    impl Drop for OnDrop {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let (p, d) = (polled.clone(), OnDrop(dropped.clone()));
    let mut task = scheduler
        .create_task(
            async move {
                let _d = d;
                p.set(true);
            },
            Location::caller(),
        )
        .unwrap();
    assert!(task.cancel(Some("not today")));
    scheduler.dispatch(Budget::DEFAULT);
    assert!(!polled.get());
    assert!(dropped.get());
    match task.try_result() {
        Some(Err(TaskError::Cancelled(Some(message)))) => assert_eq!(message, "not today"),
        other => panic!("{other:?}"),
    }
    assert!(task.try_result().is_none(), "taken once");
}

#[test]
fn panicking_destructors_of_a_future_and_of_a_detached_output_are_reported() {
    let (scheduler, _running) = running_scheduler();
    let seen = reports(&scheduler);
    struct Bomb;
    impl Drop for Bomb {
        fn drop(&mut self) {
            panic!("bomb");
        }
    }
    // The future's `Drop` panics after it finished: reported; the task still has its output.
    let bomb = Bomb;
    let mut finished = scheduler
        .create_task(
            poll_fn(move |_| {
                let _ = &bomb;
                Poll::Ready(3)
            }),
            Location::caller(),
        )
        .unwrap();
    // A detached task's output panics when dropped: reported, and the loop goes on.
    scheduler.create_task(async { Bomb }, Location::caller()).unwrap().detach();
    scheduler.dispatch(Budget::DEFAULT);
    assert_eq!(finished.try_result().unwrap().unwrap(), 3);
    assert_eq!(
        *seen.borrow(),
        ["Panic while dropping a task's future", "Panic while dropping a detached task's output"]
    );
    assert_eq!(scheduler.task_count(), 0);
}

#[test]
fn a_factory_style_task_gets_its_future_after_the_task_exists() {
    let (scheduler, _running) = running_scheduler();
    let mut task = scheduler
        .create_task_with(Location::caller(), |task| {
            task.set_name("made later");
            Ok(Box::pin(async { 11 }))
        })
        .unwrap();
    let mut failed = scheduler
        .create_task_with::<u8>(Location::caller(), |_| {
            Err(TaskError::Cancelled(Some("refused".into())))
        })
        .unwrap();
    assert_eq!(task.name(), "made later");
    scheduler.dispatch(Budget::DEFAULT);
    assert_eq!(task.try_result().unwrap().unwrap(), 11);
    assert!(failed.try_result().unwrap().unwrap_err().is_cancelled());
    assert_eq!(scheduler.task_count(), 0);
}

#[test]
fn a_task_that_wakes_itself_during_its_poll_is_queued_again_without_a_waker_allocation() {
    let (scheduler, _running) = running_scheduler();
    drop(scheduler.create_task(async {}, Location::caller()).unwrap());
    scheduler.dispatch(Budget::DEFAULT);
    let before = allocations();
    let mut left = 100;
    let mut task = scheduler
        .create_task(
            poll_fn(move |cx| {
                if left == 0 {
                    return Poll::Ready(());
                }
                left -= 1;
                cx.waker().wake_by_ref(); // what `yield_now` does
                Poll::Pending
            }),
            Location::caller(),
        )
        .unwrap();
    // (Under Miri the time budget may run out first: dispatch again until idle.)
    while scheduler.dispatch(Budget::DEFAULT) != Dispatched::Idle {}
    assert!(task.try_result().unwrap().is_ok());
    assert_eq!(allocations() - before, 1, "101 steps, one allocation: the task's");
}

thread_local! {
    /// What [`reentrant_waker`]'s `clone` runs.
    static ON_CLONE: RefCell<Option<Box<dyn Fn()>>> = RefCell::new(None);
}

/// A waker whose `clone` runs the thread's `ON_CLONE` hook (user code in a waker's vtable).
fn reentrant_waker() -> Waker {
    static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, noop, noop, noop);
    unsafe fn clone(_: *const ()) -> RawWaker {
        ON_CLONE.with(|hook| {
            if let Some(hook) = &*hook.borrow() {
                hook();
            }
        });
        RawWaker::new(std::ptr::null(), &VTABLE)
    }
    unsafe fn noop(_: *const ()) {}
    // SAFETY: the vtable's functions never read the (null) data pointer.
    unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) }
}

/// A waker that does nothing (the crate's MSRV predates `Waker::noop`).
fn inert_waker() -> Waker {
    static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, noop, noop, noop);
    unsafe fn clone(_: *const ()) -> RawWaker {
        RawWaker::new(std::ptr::null(), &VTABLE)
    }
    unsafe fn noop(_: *const ()) {}
    // SAFETY: the vtable's functions never read the (null) data pointer.
    unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) }
}

#[test]
fn a_wakers_clone_may_call_back_into_the_timer_heap() {
    let (scheduler, _running) = running_scheduler();
    let weak = scheduler.weak();
    let nested = Rc::new(Cell::new(0));
    let seen = nested.clone();
    ON_CLONE.with(|hook| {
        *hook.borrow_mut() = Some(Box::new(move || {
            // The clone registers a timer of its own: the heap must not be borrowed around it.
            let scheduler = weak.upgrade().unwrap();
            let far = Instant::now() + Duration::from_secs(3600);
            scheduler.sleep_until(far, &inert_waker()).unwrap();
            seen.set(seen.get() + 1);
        }))
    });
    let waker = reentrant_waker();
    let mut key =
        scheduler.sleep_until(Instant::now() + Duration::from_secs(3600), &waker).unwrap();
    assert!(scheduler.sleep_pending(&mut key, &waker));
    assert!(scheduler.sleep_pending(&mut key, &reentrant_waker()));
    ON_CLONE.with(|hook| *hook.borrow_mut() = None);
    assert!(nested.get() >= 2, "the clones ran: {}", nested.get());
    scheduler.close();
}

#[test]
fn a_sleep_awaited_by_another_loops_task_wakes_that_task_not_one_of_its_own() {
    let first = Scheduler::new();
    let second = Scheduler::new();
    // A task of the first loop that must not be woken: it has the id a mix-up would use.
    let running = first.enter().unwrap();
    let decoy_polls = Rc::new(Cell::new(0));
    let polls = decoy_polls.clone();
    let _decoy = first
        .create_task(
            poll_fn(move |_| {
                polls.set(polls.get() + 1);
                Poll::<()>::Pending
            }),
            Location::caller(),
        )
        .unwrap();
    while first.dispatch(Budget::DEFAULT) != Dispatched::Idle {}
    drop(running);
    // A sleep of the first loop, due at once, awaited by a task of the second.
    let mut key = first.sleep_until(Instant::now(), &inert_waker()).unwrap();
    let running = second.enter().unwrap();
    let sleeper_polls = Rc::new(Cell::new(0));
    let polls = sleeper_polls.clone();
    let weak = first.weak();
    let sleeper = second
        .create_task(
            poll_fn(move |cx| {
                polls.set(polls.get() + 1);
                match weak.upgrade().unwrap().sleep_pending(&mut key, cx.waker()) {
                    true => Poll::Pending,
                    false => Poll::Ready(()),
                }
            }),
            Location::caller(),
        )
        .unwrap();
    while second.dispatch(Budget::DEFAULT) != Dispatched::Idle {}
    drop(running);
    assert_eq!(sleeper_polls.get(), 1);
    // The first loop fires the sleep: it wakes the second loop's task through its waker.
    let running = first.enter().unwrap();
    while first.dispatch(Budget::DEFAULT) != Dispatched::Idle {}
    drop(running);
    assert_eq!(decoy_polls.get(), 1, "the first loop's own task was woken");
    let running = second.enter().unwrap();
    while second.dispatch(Budget::DEFAULT) != Dispatched::Idle {}
    drop(running);
    assert_eq!(sleeper_polls.get(), 2, "the sleeping task was woken once");
    assert!(sleeper.done());
    first.close();
    second.close();
}

#[test]
fn the_current_task_is_set_for_its_poll_cleared_in_nested_dispatches_and_restored_after_panics() {
    let (scheduler, _running) = running_scheduler();
    let seen: Rc<RefCell<Vec<Option<String>>>> = Rc::new(RefCell::new(Vec::new()));
    let name = || current_task().map(|task| task.name());
    let (log, weak) = (seen.clone(), scheduler.weak());
    let outer = scheduler
        .create_task(
            poll_fn(move |_| {
                log.borrow_mut().push(name());
                let scheduler = weak.upgrade().unwrap();
                let inner_log = log.clone();
                scheduler
                    .call_soon(move || inner_log.borrow_mut().push(name()), Location::caller())
                    .unwrap();
                // A nested dispatch (a modal dialog's loop) runs the callback with no task.
                scheduler.dispatch(Budget::DEFAULT);
                log.borrow_mut().push(name());
                Poll::Ready(())
            }),
            Location::caller(),
        )
        .unwrap();
    outer.set_name("outer");
    let panicking = scheduler
        .create_task(poll_fn(|_| -> Poll<()> { panic!("boom") }), Location::caller())
        .unwrap();
    let _reports = reports(&scheduler);
    while scheduler.dispatch(Budget::DEFAULT) != Dispatched::Idle {}
    assert!(current_task().is_none(), "restored after the panicking poll");
    let outer_name = Some("outer".to_owned());
    assert_eq!(*seen.borrow(), vec![outer_name.clone(), None, outer_name]);
    drop(panicking);
}
