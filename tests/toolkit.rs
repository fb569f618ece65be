//! asyncio's task toolkit (`gather`, `wait`, `as_completed`, `TaskGroup`, `shield`,
//! `wait_for`) and sync primitives (`qtasync::sync`), on the real Qt loop. No assertion depends
//! on timing: order is forced with events and channels, and "still waiting" is checked after
//! the loop has had many turns to get it wrong.

use std::cell::{Cell, RefCell};
use std::num::NonZeroUsize;
use std::rc::Rc;
use std::time::Duration;

use futures::StreamExt;
use qtasync::sync::{
    Barrier, BarrierAborted, BoundedSemaphore, Condition, Event, GetNowaitError, Lock,
    PutNowaitError, Queue, QueueEmpty, QueueFull, QueueShutDown, ReleaseError, Semaphore,
    TaskDoneError,
};
use qtasync::task::{ChildError, GroupSpawnError};
use qtasync::{
    as_completed, gather, gather_settled, shield, sleep, spawn, wait, wait_for, yield_now,
    ReturnWhen, TaskError, TaskGroup,
};
use qtasync_tests::{let_others_run, until};

const FOREVER: Duration = Duration::from_secs(3600);

/// Sets its flag when dropped: shows a cancelled future's destructors ran.
struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

fn flag() -> Rc<Cell<bool>> {
    Rc::new(Cell::new(false))
}

/// A child that panics (typed like its fallible siblings).
async fn panics(message: &'static str) -> Result<(), String> {
    panic!("{message}")
}

// ----- TaskGroup ------------------------------------------------------------------------------

#[qtasync::test(timeout = "60s")]
async fn a_failing_child_cancels_a_sibling_mid_await_and_the_group_lists_the_failure() {
    let sibling_dropped = flag();
    let sibling_resumed = flag();
    let sibling_waiting = Rc::new(Event::new());
    let group = TaskGroup::fallible();
    let (dropped, resumed, waiting) =
        (sibling_dropped.clone(), sibling_resumed.clone(), sibling_waiting.clone());
    group
        .spawn(async move {
            let _flag = DropFlag(dropped);
            waiting.set();
            sleep(FOREVER).await;
            resumed.set(true);
            Ok(())
        })
        .unwrap()
        .set_name("sleeper");
    let waiting = sibling_waiting.clone();
    group
        .spawn(async move {
            waiting.wait().await; // the sleeper is suspended in its sleep now
            Err("disk full")
        })
        .unwrap()
        .set_name("writer");
    let error = group.join().await.unwrap_err();
    assert!(sibling_dropped.get(), "the sibling's future was dropped: its destructor ran");
    assert!(!sibling_resumed.get());
    assert_eq!(error.errors().len(), 1, "{error}");
    assert_eq!(error.errors()[0].task_name(), "writer");
    assert_eq!(error.errors()[0].error(), Some(&"disk full"));
    assert_eq!(error.to_string(), "1 task group child failed: writer failed: disk full");
}

#[qtasync::test(timeout = "60s")]
async fn a_group_lists_every_child_that_failed_including_panics() {
    let group = TaskGroup::<String>::fallible();
    group.spawn(async { Err("first".to_owned()) }).unwrap();
    group.spawn(panics("second")).unwrap();
    group.spawn(async { Ok(()) }).unwrap();
    let errors = group.join().await.unwrap_err().into_errors();
    assert_eq!(errors.len(), 2);
    assert!(matches!(&errors[0], ChildError::Failed { error, .. } if error == "first"));
    assert_eq!(errors[1].panic().map(|panic| panic.message()), Some("second"));
}

#[qtasync::test(timeout = "60s")]
async fn a_group_cancelled_from_outside_cancels_its_running_children() {
    let dropped = [flag(), flag()];
    let started = Rc::new(Cell::new(0));
    let (flags, count) = (dropped.clone(), started.clone());
    let owner = spawn(async move {
        let group = TaskGroup::new();
        for flag in flags {
            let count = count.clone();
            group
                .spawn(async move {
                    let _flag = DropFlag(flag);
                    count.set(count.get() + 1);
                    sleep(FOREVER).await;
                })
                .unwrap();
        }
        group.join().await
    })
    .unwrap();
    until(|| started.get() == 2).await;
    assert!(owner.cancel(Some("closing the window")));
    assert!(matches!(owner.await, Err(TaskError::Cancelled(Some(m))) if m == "closing the window"));
    until(|| dropped.iter().all(|flag| flag.get())).await;
}

#[qtasync::test(timeout = "60s")]
async fn a_failed_group_refuses_new_children_then_finishes() {
    let group = TaskGroup::fallible();
    let spawner = group.spawner();
    group.spawn(async { sleep(FOREVER).await }).unwrap();
    group.spawn(async { Err(42) }).unwrap();
    loop {
        match group.spawn(async {}) {
            Ok(_) => yield_now().await,
            Err(error) => {
                assert_eq!(error, GroupSpawnError::ShuttingDown);
                break;
            }
        }
    }
    let errors = group.join().await.unwrap_err().into_errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].error(), Some(&42));
    assert_eq!(spawner.spawn(async {}).unwrap_err(), GroupSpawnError::Finished);
}

#[qtasync::test(timeout = "60s")]
async fn join_waits_for_every_child_including_ones_spawned_by_children() {
    let finished = Rc::new(Cell::new(0));
    let group = TaskGroup::new();
    let spawner = group.spawner();
    let count = finished.clone();
    group
        .spawn(async move {
            yield_now().await;
            let inner = count.clone();
            spawner
                .spawn(async move {
                    let_others_run().await;
                    inner.set(inner.get() + 1);
                })
                .unwrap();
            count.set(count.get() + 1);
        })
        .unwrap();
    assert_eq!(group.len(), 1);
    group.join().await.unwrap();
    assert_eq!(finished.get(), 2);
}

// ----- gather, wait, as_completed -----------------------------------------------------------

#[qtasync::test(timeout = "60s")]
async fn gather_fails_with_a_childs_panic_and_cancels_the_others() {
    let sleeper_dropped = flag();
    let dropped = sleeper_dropped.clone();
    let sleeper = spawn(async move {
        let _flag = DropFlag(dropped);
        sleep(FOREVER).await;
        1
    })
    .unwrap();
    let quick = spawn(async { 2 }).unwrap();
    let panicker = spawn(async {
        yield_now().await;
        panic!("child panicked")
    })
    .unwrap();
    let sleeper_ref = sleeper.task_ref();
    match gather(vec![sleeper, quick, panicker]).await {
        Err(TaskError::Panicked(panic)) => assert_eq!(panic.message(), "child panicked"),
        other => panic!("expected the child's panic, got {other:?}"),
    }
    until(|| sleeper_dropped.get()).await;
    assert!(sleeper_ref.cancelled());
}

#[qtasync::test(timeout = "60s")]
async fn gather_keeps_input_order_whatever_the_completion_order() {
    let (tx, rx) = futures::channel::oneshot::channel::<()>();
    let late = spawn(async move {
        rx.await.unwrap();
        "late"
    })
    .unwrap();
    let early = spawn(async move {
        tx.send(()).unwrap();
        "early"
    })
    .unwrap();
    assert_eq!(gather(vec![late, early]).await.unwrap(), vec!["late", "early"]);
    assert_eq!(gather(Vec::<qtasync::Task<u8>>::new()).await.unwrap(), Vec::<u8>::new());
}

#[qtasync::test(timeout = "60s")]
async fn gather_settled_returns_every_result_in_order() {
    let tasks = vec![
        spawn(async { 1 }).unwrap(),
        spawn(async { panic!("two") }).unwrap(),
        spawn(async {
            sleep(Duration::from_millis(1)).await;
            3
        })
        .unwrap(),
    ];
    let results = gather_settled(tasks).await;
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().ok(), Some(&1));
    assert!(results[1].as_ref().is_err_and(TaskError::is_panic));
    assert_eq!(results[2].as_ref().ok(), Some(&3));
}

#[qtasync::test(timeout = "60s")]
async fn cancelling_the_task_awaiting_a_gather_cancels_the_children() {
    let dropped = [flag(), flag()];
    let children: Vec<_> = dropped
        .iter()
        .map(|flag| {
            let flag = flag.clone();
            spawn(async move {
                let _flag = DropFlag(flag);
                sleep(FOREVER).await;
            })
            .unwrap()
        })
        .collect();
    let refs: Vec<_> = children.iter().map(|child| child.task_ref()).collect();
    let outer = spawn(gather(children)).unwrap();
    let_others_run().await;
    outer.cancel(None);
    assert!(outer.await.unwrap_err().is_cancelled());
    until(|| dropped.iter().all(|flag| flag.get())).await;
    assert!(refs.iter().all(|child| child.cancelled()));
}

#[qtasync::test(timeout = "60s")]
async fn wait_with_a_timeout_returns_the_pending_tasks_still_running() {
    let done = spawn(async { 1 }).unwrap();
    let slow = spawn(async {
        sleep(FOREVER).await;
        2
    })
    .unwrap();
    let result =
        wait(vec![done, slow], Some(Duration::from_millis(5)), ReturnWhen::AllCompleted).await;
    assert_eq!(result.done.len(), 1);
    assert_eq!(result.done[0].index, 0);
    assert_eq!(result.done[0].result.as_ref().ok(), Some(&1));
    assert_eq!(result.pending.len(), 1);
    let pending = &result.pending[0];
    let_others_run().await;
    assert!(!pending.done(), "a timeout does not cancel the pending tasks");
    pending.cancel(None);
}

#[qtasync::test(timeout = "60s")]
async fn wait_first_exception_returns_at_the_first_panic() {
    let gate = Rc::new(Event::new());
    let g = gate.clone();
    let ok = spawn(async { 1 }).unwrap();
    let panicker = spawn(async move {
        g.wait().await;
        panic!("failed")
    })
    .unwrap();
    let slow = spawn(async {
        sleep(FOREVER).await;
        3
    })
    .unwrap();
    let opener = spawn({
        let gate = gate.clone();
        async move {
            let_others_run().await;
            gate.set();
        }
    })
    .unwrap();
    let result = wait(vec![ok, panicker, slow], None, ReturnWhen::FirstException).await;
    let mut done: Vec<usize> = result.done.iter().map(|done| done.index).collect();
    done.sort();
    assert_eq!(done, vec![0, 1]);
    assert!(result.done.iter().any(|done| done.panicked()));
    assert_eq!(result.pending.len(), 1);
    result.pending[0].cancel(None);
    opener.await.unwrap();
}

#[qtasync::test(timeout = "60s")]
async fn wait_first_completed_returns_the_first_one_done() {
    let gate = Rc::new(Event::new());
    let g = gate.clone();
    let blocked = spawn(async move { g.wait().await }).unwrap();
    let quick = spawn(async {}).unwrap();
    let result = wait(vec![blocked, quick], None, ReturnWhen::FirstCompleted).await;
    assert_eq!(result.done.iter().map(|done| done.index).collect::<Vec<_>>(), vec![1]);
    assert_eq!(result.pending.len(), 1);
    gate.set();
    let mut pending = result.pending;
    pending.pop().unwrap().await.unwrap();
}

#[qtasync::test(timeout = "60s")]
async fn as_completed_yields_in_completion_order() {
    // Task 2 finishes first, which lets task 0 finish, which lets task 1 finish.
    let (first, second) = (Rc::new(Event::new()), Rc::new(Event::new()));
    let (f, s) = (first.clone(), second.clone());
    let t0 = spawn(async move {
        f.wait().await;
        s.set();
        "zero"
    })
    .unwrap();
    let s = second.clone();
    let t1 = spawn(async move {
        s.wait().await;
        "one"
    })
    .unwrap();
    let f = first.clone();
    let t2 = spawn(async move {
        let_others_run().await;
        f.set();
        "two"
    })
    .unwrap();
    let stream = as_completed(vec![t0, t1, t2]);
    assert_eq!(stream.len(), 3);
    let order: Vec<_> = stream.map(|done| (done.index, done.result.unwrap())).collect().await;
    assert_eq!(order, vec![(2, "two"), (0, "zero"), (1, "one")]);
}

#[qtasync::test(timeout = "60s", start_paused = true)]
async fn as_completed_with_a_timeout_ends_with_elapsed_and_leaves_the_rest_running() {
    let quick = spawn(async { sleep(Duration::from_secs(1)).await }).unwrap();
    let slow = spawn(async { sleep(Duration::from_secs(60)).await }).unwrap();
    let slow_ref = slow.task_ref();
    let stream = as_completed(vec![quick, slow]).with_timeout(Duration::from_secs(10));
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().map(|done| done.index).ok(), Some(0));
    assert!(items[1].is_err(), "the deadline passed before the slow task");
    assert!(!slow_ref.done(), "asyncio leaves it running");
    slow_ref.cancel(None);
    yield_now().await;
    assert!(slow_ref.done());
}

// ----- shield, wait_for ------------------------------------------------------------------------

#[qtasync::test(timeout = "60s")]
async fn shield_keeps_the_inner_task_running_when_the_outer_is_cancelled() {
    let gate = Rc::new(Event::new());
    let finished = flag();
    let (g, f) = (gate.clone(), finished.clone());
    let inner = Rc::new(RefCell::new(None));
    let slot = inner.clone();
    let outer = spawn(async move {
        let shielded = shield(async move {
            g.wait().await;
            f.set(true);
            7
        })
        .unwrap();
        *slot.borrow_mut() = Some(shielded.task_ref());
        shielded.await
    })
    .unwrap();
    until(|| inner.borrow().is_some()).await;
    outer.cancel(None);
    assert!(outer.await.unwrap_err().is_cancelled());
    let inner = inner.borrow_mut().take().unwrap();
    let_others_run().await;
    assert!(!inner.done() && !inner.cancelled(), "the shielded task still runs");
    gate.set();
    until(|| inner.done()).await;
    assert!(finished.get() && !inner.cancelled());
}

#[qtasync::test(timeout = "60s")]
async fn wait_for_passes_the_output_or_drops_the_future_on_timeout() {
    assert_eq!(wait_for(FOREVER, async { 5 }).await, Ok(5));
    let dropped = flag();
    let d = dropped.clone();
    let late = wait_for(Duration::from_millis(1), async move {
        let _flag = DropFlag(d);
        sleep(FOREVER).await;
    })
    .await;
    assert!(late.is_err());
    assert!(dropped.get());
}

// ----- Queue -------------------------------------------------------------------------------------

#[qtasync::test(timeout = "60s")]
async fn a_bounded_queue_makes_the_producer_wait() {
    let queue = Rc::new(Queue::new(2));
    let put = Rc::new(Cell::new(0));
    let (q, p) = (queue.clone(), put.clone());
    let producer = spawn(async move {
        for n in 0..5 {
            q.put(n).await.unwrap();
            p.set(p.get() + 1);
        }
    })
    .unwrap();
    until(|| put.get() == 2).await;
    let_others_run().await;
    assert_eq!(put.get(), 2, "the producer waits while the queue is full");
    assert!(queue.full());
    assert!(matches!(queue.put_nowait(9), Err(PutNowaitError::Full(QueueFull(9)))));
    assert_eq!(queue.get().await, Ok(0));
    until(|| put.get() == 3).await;
    let mut got = vec![0];
    while got.len() < 5 {
        got.push(queue.get().await.unwrap());
    }
    producer.await.unwrap();
    assert_eq!(got, vec![0, 1, 2, 3, 4]);
    assert_eq!(queue.get_nowait(), Err(GetNowaitError::Empty(QueueEmpty)));
}

#[qtasync::test(timeout = "60s")]
async fn queues_hand_out_items_in_fifo_lifo_and_priority_order() {
    let fifo = Queue::new(0);
    let lifo = Queue::lifo(0);
    let priority = Queue::priority(0);
    for n in [3, 1, 2] {
        fifo.put(n).await.unwrap();
        lifo.put(n).await.unwrap();
        priority.put((n, format!("job {n}"))).await.unwrap();
    }
    let mut out = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        out.0.push(fifo.get().await.unwrap());
        out.1.push(lifo.get_nowait().unwrap());
        out.2.push(priority.get().await.unwrap().0);
    }
    assert_eq!(out, (vec![3, 1, 2], vec![2, 1, 3], vec![1, 2, 3]));
}

#[qtasync::test(timeout = "60s")]
async fn join_waits_until_every_item_is_marked_done() {
    let queue = Rc::new(Queue::new(0));
    for n in 0..3 {
        queue.put_nowait(n).unwrap();
    }
    let processed = Rc::new(Cell::new(0));
    let (q, p) = (queue.clone(), processed.clone());
    let worker = spawn(async move {
        loop {
            let _item = q.get().await.unwrap();
            yield_now().await;
            p.set(p.get() + 1);
            q.task_done().unwrap();
        }
    })
    .unwrap();
    queue.join().await;
    assert_eq!(processed.get(), 3);
    worker.cancel(None);
    assert_eq!(queue.task_done(), Err(TaskDoneError));
}

#[qtasync::test(timeout = "60s")]
async fn shutdown_wakes_waiting_getters_and_putters_with_queue_shut_down() {
    let empty = Rc::new(Queue::<u32>::new(0));
    let full = Rc::new(Queue::new(1));
    full.put_nowait(1).unwrap();
    let (e, f) = (empty.clone(), full.clone());
    let getter = spawn(async move { e.get().await }).unwrap();
    let putter = spawn(async move { f.put(2).await.map_err(|QueueShutDown(item)| item) }).unwrap();
    let_others_run().await;
    assert!(!getter.done() && !putter.done());
    empty.shutdown(false);
    full.shutdown(false);
    assert_eq!(getter.await.unwrap(), Err(QueueShutDown(())));
    assert_eq!(putter.await.unwrap(), Err(2), "the refused item comes back");
    // Not immediate: the item left can still be taken, then gets fail.
    assert_eq!(full.get().await, Ok(1));
    assert_eq!(full.get().await, Err(QueueShutDown(())));
    assert!(matches!(full.put_nowait(3), Err(PutNowaitError::ShutDown(_))));
}

#[qtasync::test(timeout = "60s")]
async fn an_immediate_shutdown_drops_the_items_and_releases_join() {
    let queue = Rc::new(Queue::new(0));
    let dropped = flag();
    queue.put_nowait(DropFlag(dropped.clone())).unwrap();
    queue.put_nowait(DropFlag(flag())).unwrap();
    let q = queue.clone();
    let joiner = spawn(async move { q.join().await }).unwrap();
    let_others_run().await;
    assert!(!joiner.done());
    queue.shutdown(true);
    assert!(dropped.get());
    joiner.await.unwrap();
    assert!(matches!(queue.get_nowait(), Err(GetNowaitError::ShutDown(_))));
}

// ----- Lock, Semaphore, BoundedSemaphore -----------------------------------------------------

#[qtasync::test(timeout = "60s")]
async fn a_lock_admits_one_task_at_a_time_in_arrival_order() {
    let lock = Rc::new(Lock::new());
    let log = Rc::new(RefCell::new(Vec::new()));
    let held = lock.acquire().await;
    let tasks: Vec<_> = (0..4)
        .map(|n| {
            let (lock, log) = (lock.clone(), log.clone());
            spawn(async move {
                let _guard = lock.acquire().await;
                log.borrow_mut().push(format!("{n} in"));
                let_others_run().await;
                log.borrow_mut().push(format!("{n} out"));
            })
            .unwrap()
        })
        .collect();
    let_others_run().await;
    assert!(log.borrow().is_empty(), "nobody enters while the lock is held");
    assert!(lock.locked() && lock.try_acquire().is_none());
    drop(held);
    gather(tasks).await.unwrap();
    let expected: Vec<String> =
        (0..4).flat_map(|n| [format!("{n} in"), format!("{n} out")]).collect();
    assert_eq!(*log.borrow(), expected);
    assert!(!lock.locked());
}

#[qtasync::test(timeout = "60s")]
async fn a_semaphore_limits_concurrency() {
    let semaphore = Rc::new(Semaphore::new(2));
    let active = Rc::new(Cell::new(0));
    let most = Rc::new(Cell::new(0));
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let (semaphore, active, most) = (semaphore.clone(), active.clone(), most.clone());
            spawn(async move {
                let _permit = semaphore.acquire().await;
                active.set(active.get() + 1);
                most.set(most.get().max(active.get()));
                let_others_run().await;
                active.set(active.get() - 1);
            })
            .unwrap()
        })
        .collect();
    gather(tasks).await.unwrap();
    assert_eq!(most.get(), 2);
    assert_eq!(semaphore.available(), 2);
    semaphore.release(); // an unbounded semaphore may grow
    assert_eq!(semaphore.available(), 3);
}

#[qtasync::test(timeout = "60s")]
async fn releasing_a_bounded_semaphore_too_often_is_an_error() {
    let semaphore = BoundedSemaphore::new(2);
    assert_eq!(semaphore.release(), Err(ReleaseError { bound: 2 }));
    let guard = semaphore.acquire().await;
    semaphore.acquire().await.forget();
    assert!(semaphore.locked());
    assert_eq!(semaphore.release(), Ok(())); // gives back the forgotten permit
    assert_eq!(semaphore.release(), Err(ReleaseError { bound: 2 }), "the guard still holds one");
    drop(guard);
    assert_eq!(semaphore.available(), 2);
    assert_eq!(semaphore.release(), Err(ReleaseError { bound: 2 }));
}

// ----- Condition, Barrier, Event -------------------------------------------------------------

#[qtasync::test(timeout = "60s")]
async fn notify_wakes_that_many_waiters_and_notify_all_wakes_the_rest() {
    let condition = Rc::new(Condition::new());
    let woken = Rc::new(Cell::new(0));
    let waiters: Vec<_> = (0..3)
        .map(|_| {
            let (condition, woken) = (condition.clone(), woken.clone());
            spawn(async move {
                let guard = condition.acquire().await;
                let _guard = guard.wait().await;
                woken.set(woken.get() + 1);
            })
            .unwrap()
        })
        .collect();
    let_others_run().await;
    assert!(!condition.locked(), "waiting releases the lock");
    condition.acquire().await.notify(1);
    until(|| woken.get() == 1).await;
    let_others_run().await;
    assert_eq!(woken.get(), 1, "notify(1) wakes one waiter");
    condition.acquire().await.notify_all();
    gather(waiters).await.unwrap();
    assert_eq!(woken.get(), 3);
}

#[qtasync::test(timeout = "60s")]
async fn a_barrier_lets_everyone_go_when_the_last_arrives() {
    let barrier = Rc::new(Barrier::new(NonZeroUsize::new(3).unwrap()));
    let arrive = |barrier: &Rc<Barrier>| {
        let barrier = barrier.clone();
        spawn(async move { barrier.wait().await }).unwrap()
    };
    let (a, b) = (arrive(&barrier), arrive(&barrier));
    let_others_run().await;
    assert!(!a.done() && !b.done());
    assert_eq!(barrier.n_waiting(), 2);
    let last = barrier.wait().await.unwrap();
    assert!(last.is_leader());
    let mut indices =
        vec![last.index(), a.await.unwrap().unwrap().index(), b.await.unwrap().unwrap().index()];
    indices.sort();
    assert_eq!(indices, vec![0, 1, 2]);
    assert_eq!(barrier.n_waiting(), 0, "the next round starts empty");
    // Aborting wakes the waiters, and later waits fail at once.
    let waiter = arrive(&barrier);
    let_others_run().await;
    barrier.abort();
    assert_eq!(waiter.await.unwrap(), Err(BarrierAborted));
    assert_eq!(barrier.wait().await, Err(BarrierAborted));
    // Reset: whole again, and a new round works.
    barrier.reset();
    assert!(!barrier.broken());
    let (a, b) = (arrive(&barrier), arrive(&barrier));
    let_others_run().await;
    assert_eq!(barrier.wait().await.map(|r| r.is_leader()), Ok(true));
    assert!(a.await.unwrap().is_ok() && b.await.unwrap().is_ok());
}

#[qtasync::test(timeout = "60s")]
async fn resetting_a_barrier_fails_its_waiters_and_empties_it() {
    let barrier = Rc::new(Barrier::new(NonZeroUsize::new(3).unwrap()));
    let waiters: Vec<_> = (0..2)
        .map(|_| {
            let barrier = barrier.clone();
            spawn(async move { barrier.wait().await }).unwrap()
        })
        .collect();
    let_others_run().await;
    assert_eq!(barrier.n_waiting(), 2);
    barrier.reset();
    for waiter in waiters {
        assert_eq!(waiter.await.unwrap(), Err(BarrierAborted), "asyncio's BrokenBarrierError");
    }
    assert_eq!(barrier.n_waiting(), 0);
    assert!(!barrier.broken(), "a reset barrier is usable");
}

#[qtasync::test(timeout = "60s")]
async fn an_event_wakes_its_waiters_when_set_and_blocks_again_when_cleared() {
    let event = Rc::new(Event::new());
    let waiters: Vec<_> = (0..2)
        .map(|_| {
            let event = event.clone();
            spawn(async move { event.wait().await }).unwrap()
        })
        .collect();
    let_others_run().await;
    assert!(waiters.iter().all(|waiter| !waiter.done()));
    event.set();
    assert!(event.is_set());
    gather(waiters).await.unwrap();
    event.wait().await; // set: returns at once
    event.clear();
    let e = event.clone();
    let late = spawn(async move { e.wait().await }).unwrap();
    let_others_run().await;
    assert!(!late.done(), "a cleared event blocks again");
    event.set();
    late.await.unwrap();
}
