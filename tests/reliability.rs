//! Reliability on the real Qt loop: load (a million callbacks, a hundred thousand tasks), the
//! scheduler's ordering as a property checked against a model on random programs, threads
//! hammering a loop that stops, closes and is dropped, and a panic in every kind of callback.
//!
//! `harness = false`: every case runs on the main thread, each on fresh loops, and proptest
//! drives the loop synchronously (so it can shrink a failing program). `QTASYNC_LOAD_SCALE`
//! (default 1.0) scales the load cases; `scripts/valgrind.sh` runs them smaller under memcheck.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use qtasync::{
    get_running_loop, sleep, yield_now, EventLoop, ExceptionContext, LoopClosed, TaskError,
    TaskSpec,
};
use qtasync_tests::qobjects::new_worker;
use qtasync_tests::{capture_reports, run_cases, Rng};

fn scale() -> f64 {
    std::env::var("QTASYNC_LOAD_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0)
}

fn scaled(count: usize) -> usize {
    ((count as f64 * scale()) as usize).max(10)
}

/// Counts how often the closures holding it were dropped (run or not).
struct DropCount(Rc<Cell<usize>>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

// ----- load ---------------------------------------------------------------------------------

fn a_million_callbacks_in_flight_each_run_or_cancelled_exactly_once() {
    let count = scaled(1_000_000);
    let event_loop = EventLoop::new();
    let runs = Rc::new(RefCell::new(vec![0u8; count]));
    let drops = Rc::new(Cell::new(0));
    let (loop_runs, loop_drops) = (runs.clone(), drops.clone());
    let cancelled = event_loop
        .run_until_complete(async move {
            let event_loop = get_running_loop().unwrap();
            let mut handles = Vec::with_capacity(count);
            for id in 0..count {
                let (runs, guard) = (loop_runs.clone(), DropCount(loop_drops.clone()));
                handles.push(
                    event_loop
                        .call_soon(move || {
                            let _guard = guard;
                            runs.borrow_mut()[id] += 1;
                        })
                        .unwrap(),
                );
            }
            // Every seventh is cancelled while all of them are in flight.
            let mut cancelled = HashSet::new();
            for (id, handle) in handles.iter().enumerate().step_by(7) {
                handle.cancel();
                cancelled.insert(id);
            }
            // FIFO: this task's next step comes after every callback scheduled above.
            yield_now().await;
            cancelled
        })
        .unwrap();
    let runs = runs.borrow();
    for (id, &ran) in runs.iter().enumerate() {
        let expected = u8::from(!cancelled.contains(&id));
        assert_eq!(ran, expected, "callback {id} ran {ran} times");
    }
    assert_eq!(drops.get(), count, "every closure was dropped exactly once: nothing left queued");
    event_loop.close().unwrap();
    assert_eq!(drops.get(), count);
    println!(
        "  {count} callbacks in flight: {} ran once, {} cancelled, none left",
        count - cancelled.len(),
        cancelled.len()
    );
}

fn a_hundred_thousand_tasks_with_random_sleeps_awaits_and_cancellations() {
    let count = scaled(100_000);
    let event_loop = EventLoop::new();
    let base_tasks = event_loop.task_count();
    let completed = Rc::new(Cell::new(0usize));
    let drops = Rc::new(Cell::new(0usize));
    let (task_completed, task_drops) = (completed.clone(), drops.clone());
    let (ok, cancelled, forever) = event_loop
        .run_until_complete(async move {
            let event_loop = get_running_loop().unwrap();
            let gate = event_loop.create_future::<u32>();
            let mut rng = Rng::new(7);
            let mut tasks = Vec::with_capacity(count);
            let mut forever = 0;
            let mut kinds = Vec::with_capacity(count);
            for _ in 0..count {
                let kind = rng.below(4);
                kinds.push(kind);
                forever += usize::from(kind == 3);
                let pause = Duration::from_micros(rng.below(20_000));
                let (gate, completed, guard) =
                    (gate.clone(), task_completed.clone(), DropCount(task_drops.clone()));
                tasks.push(
                    event_loop
                        .create_task(async move {
                            let _guard = guard;
                            match kind {
                                0 => sleep(pause).await,
                                1 => assert_eq!(gate.await.unwrap(), 42),
                                2 => {
                                    for _ in 0..10 {
                                        yield_now().await;
                                    }
                                }
                                _ => sleep(Duration::from_secs(3600)).await,
                            }
                            completed.set(completed.get() + 1);
                        })
                        .unwrap(),
                );
            }
            // The gate opens after 5 ms; a tenth of the tasks are cancelled at random moments,
            // and every task that would sleep for an hour is cancelled after 100 ms.
            let opener = gate.clone();
            event_loop
                .call_later(Duration::from_millis(5), move || opener.set_result(42).unwrap())
                .unwrap();
            for task in &tasks {
                if rng.below(10) != 0 {
                    continue;
                }
                let task = task.task_ref();
                let at = Duration::from_micros(rng.below(25_000));
                event_loop
                    .call_later(at, move || {
                        task.cancel(Some("random"));
                    })
                    .unwrap();
            }
            let sleepers: Vec<_> = tasks
                .iter()
                .zip(&kinds)
                .filter(|(_, kind)| **kind == 3)
                .map(|(task, _)| task.task_ref())
                .collect();
            event_loop
                .call_later(Duration::from_millis(100), move || {
                    for task in &sleepers {
                        task.cancel(Some("too long"));
                    }
                })
                .unwrap();
            let (mut ok, mut cancelled) = (0, 0);
            for task in tasks {
                match task.await {
                    Ok(()) => ok += 1,
                    Err(TaskError::Cancelled(_)) => cancelled += 1,
                    Err(error) => panic!("unexpected {error}"),
                }
            }
            (ok, cancelled, forever)
        })
        .unwrap();
    assert_eq!(ok + cancelled, count, "every task ended exactly once");
    assert_eq!(ok, completed.get(), "the tasks that finished are the ones that say so");
    assert!(cancelled >= forever, "{cancelled} cancelled, {forever} would sleep an hour");
    assert_eq!(drops.get(), count, "every task's future was dropped");
    assert_eq!(event_loop.task_count(), base_tasks, "no task left behind");
    event_loop.close().unwrap();
    println!("  {count} tasks: {ok} completed, {cancelled} cancelled, none left");
}

// ----- ordering as a property ---------------------------------------------------------------

/// One step of a random program; callbacks run their own sub-programs when they run.
#[derive(Clone, Debug)]
enum Op {
    Soon(Vec<Op>),
    Later {
        micros: u64,
        then: Vec<Op>,
    },
    /// Cancels the handle made by the n-th earlier scheduling op (modulo how many exist).
    Cancel(usize),
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let leaf = prop_oneof![
        Just(Op::Soon(vec![])),
        (0u64..3_000).prop_map(|micros| Op::Later { micros, then: vec![] }),
        (0usize..64).prop_map(Op::Cancel),
    ];
    leaf.prop_recursive(2, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Op::Soon),
            (0u64..3_000, prop::collection::vec(inner, 0..4))
                .prop_map(|(micros, then)| Op::Later { micros, then }),
        ]
    })
}

enum Scheduled {
    Soon(qtasync::Handle),
    Later(qtasync::TimerHandle),
}

/// What the model needs to know of each scheduled callback (its index is its id, which is also
/// the order it was scheduled in).
struct Record {
    deadline: Option<Instant>,
}

#[derive(Default)]
struct World {
    records: Vec<Record>,
    handles: Vec<Scheduled>,
    ran: Vec<usize>,
    /// Cancelled before they ran: they must never run.
    cancelled: HashSet<usize>,
    early: Vec<usize>,
}

fn schedule(world: &Rc<RefCell<World>>, event_loop: &EventLoop, ops: Vec<Op>) {
    for op in ops {
        let id = world.borrow().records.len();
        match op {
            Op::Soon(then) => {
                let (w, l) = (world.clone(), event_loop.clone());
                let handle = event_loop
                    .call_soon(move || {
                        w.borrow_mut().ran.push(id);
                        schedule(&w, &l, then);
                    })
                    .unwrap();
                let mut world = world.borrow_mut();
                world.records.push(Record { deadline: None });
                world.handles.push(Scheduled::Soon(handle));
            }
            Op::Later { micros, then } => {
                let deadline = Instant::now() + Duration::from_micros(micros);
                let (w, l) = (world.clone(), event_loop.clone());
                let handle = event_loop
                    .call_at(deadline, move || {
                        if Instant::now() < deadline {
                            w.borrow_mut().early.push(id);
                        }
                        w.borrow_mut().ran.push(id);
                        schedule(&w, &l, then);
                    })
                    .unwrap();
                let mut world = world.borrow_mut();
                world.records.push(Record { deadline: Some(deadline) });
                world.handles.push(Scheduled::Later(handle));
            }
            Op::Cancel(n) => {
                let mut world = world.borrow_mut();
                if world.handles.is_empty() {
                    continue;
                }
                let target = n % world.handles.len();
                match &world.handles[target] {
                    Scheduled::Soon(handle) => handle.cancel(),
                    Scheduled::Later(handle) => handle.cancel(),
                }
                if !world.ran.contains(&target) {
                    world.cancelled.insert(target);
                }
            }
        }
    }
}

/// Runs `program` on a fresh loop and checks it against the model: every callback not cancelled
/// runs exactly once and a cancelled one never; `call_soon` callbacks run in the order they were
/// scheduled; timers run by deadline, then in the order they were scheduled, never early.
fn check_program(program: Vec<Op>) -> Result<(), TestCaseError> {
    let event_loop = EventLoop::new();
    let world = Rc::new(RefCell::new(World::default()));
    let (w, l) = (world.clone(), event_loop.clone());
    event_loop
        .run_until_complete(async move {
            schedule(&w, &l, program);
            // Done when every callback has run or been cancelled.
            let give_up = Instant::now() + Duration::from_secs(5);
            loop {
                let settled = {
                    let world = w.borrow();
                    world.ran.len() + world.cancelled.len() == world.records.len()
                };
                if settled || Instant::now() > give_up {
                    break;
                }
                sleep(Duration::from_micros(500)).await;
            }
            // A little longer: a cancelled callback that ran anyway would show up now.
            sleep(Duration::from_millis(4)).await;
        })
        .unwrap();
    event_loop.close().unwrap();
    let world = world.borrow();
    let mut seen = HashSet::new();
    for &id in &world.ran {
        prop_assert!(seen.insert(id), "callback {} ran twice", id);
        prop_assert!(!world.cancelled.contains(&id), "cancelled callback {} ran", id);
    }
    for id in 0..world.records.len() {
        prop_assert!(
            seen.contains(&id) || world.cancelled.contains(&id),
            "callback {} neither ran nor was cancelled",
            id
        );
    }
    prop_assert!(world.early.is_empty(), "timers ran early: {:?}", world.early);
    let soon: Vec<usize> =
        world.ran.iter().copied().filter(|&id| world.records[id].deadline.is_none()).collect();
    let mut soon_sorted = soon.clone();
    soon_sorted.sort_unstable();
    prop_assert_eq!(soon, soon_sorted, "call_soon is FIFO");
    let timers: Vec<usize> =
        world.ran.iter().copied().filter(|&id| world.records[id].deadline.is_some()).collect();
    let mut timers_sorted = timers.clone();
    timers_sorted.sort_by_key(|&id| (world.records[id].deadline, id));
    prop_assert_eq!(timers, timers_sorted, "timers run by deadline, then FIFO");
    Ok(())
}

fn the_scheduler_matches_its_model_on_random_programs() {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(200);
    let mut runner =
        TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let result = runner.run(&prop::collection::vec(op_strategy(), 1..40), check_program);
    if let Err(failure) = result {
        panic!("{failure}");
    }
    println!("  {cases} random programs matched the model");
}

// ----- threads against stop, close and drop -------------------------------------------------

/// A future that stays pending and hands its waker to other threads.
struct ShareWaker(Arc<Mutex<Option<Waker>>>);

impl std::future::Future for ShareWaker {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        *self.0.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    }
}

fn threads_calling_in_while_the_loop_stops_closes_and_drops_lose_nothing() {
    const THREADS: usize = 8;
    let (mut accepted_total, mut refused_total) = (0, 0);
    for round in 0..20u64 {
        let event_loop = EventLoop::new();
        let handle = event_loop.threadsafe_handle();
        let accepted = Arc::new(AtomicUsize::new(0));
        let ran = Arc::new(AtomicUsize::new(0));
        let dropped_unrun = Arc::new(AtomicUsize::new(0));
        let waker = Arc::new(Mutex::new(None::<Waker>));
        let stop_wakes = Arc::new(AtomicBool::new(false));
        let _pending = event_loop.create_task(ShareWaker(waker.clone())).unwrap();

        struct Item {
            ran: Arc<AtomicUsize>,
            dropped_unrun: Arc<AtomicUsize>,
            done: bool,
        }
        impl Drop for Item {
            fn drop(&mut self) {
                if !self.done {
                    self.dropped_unrun.fetch_add(1, Ordering::SeqCst);
                }
            }
        }

        let producers: Vec<_> = (0..THREADS)
            .map(|index| {
                let (handle, accepted) = (handle.clone(), accepted.clone());
                let (ran, dropped_unrun) = (ran.clone(), dropped_unrun.clone());
                let (waker, stop_wakes) = (waker.clone(), stop_wakes.clone());
                // Full speed up to `burst` items, then one every 50 µs until refused: bounded
                // memory, and still racing the close.
                let burst = scaled(250_000);
                std::thread::spawn(move || {
                    let mut refused = 0;
                    for sent in 0.. {
                        if sent > burst {
                            std::thread::sleep(Duration::from_micros(50));
                        }
                        // One thread in four also wakes the pending task and asks for a stop.
                        if index % 4 == 0 {
                            if let Some(waker) = waker.lock().unwrap().as_ref() {
                                waker.wake_by_ref();
                            }
                            if sent % 1000 == 999 {
                                let _ = handle.stop();
                            }
                        }
                        let mut item = Item {
                            ran: ran.clone(),
                            dropped_unrun: dropped_unrun.clone(),
                            done: false,
                        };
                        let call = move || {
                            item.done = true;
                            item.ran.fetch_add(1, Ordering::SeqCst);
                        };
                        match handle.call_soon_threadsafe(call) {
                            Ok(()) => {
                                accepted.fetch_add(1, Ordering::SeqCst);
                            }
                            Err(LoopClosed) => {
                                refused += 1;
                                break;
                            }
                        }
                    }
                    // Wakers kept after the loop is gone stay harmless.
                    while !stop_wakes.load(Ordering::SeqCst) {
                        if let Some(waker) = waker.lock().unwrap().as_ref() {
                            waker.wake_by_ref();
                        }
                        std::thread::yield_now();
                    }
                    refused
                })
            })
            .collect();

        // Run in short bursts (the threads' stop() requests end some of them early).
        let until = Instant::now() + Duration::from_millis(5 + round % 10);
        while Instant::now() < until {
            let _ = event_loop.run_until_complete(sleep(Duration::from_millis(1)));
        }
        event_loop.close().unwrap();
        let after_close = ran.load(Ordering::SeqCst);
        if round % 2 == 0 {
            drop(event_loop);
        }
        std::thread::sleep(Duration::from_millis(2));
        stop_wakes.store(true, Ordering::SeqCst);
        let refused: usize = producers.into_iter().map(|p| p.join().unwrap()).sum();
        assert_eq!(refused, THREADS, "every producer got a clear LoopClosed once closed");
        assert_eq!(ran.load(Ordering::SeqCst), after_close, "nothing runs after close");
        let accepted = accepted.load(Ordering::SeqCst);
        // The callback refused after close is dropped unrun too, once per thread.
        assert_eq!(
            accepted + refused,
            ran.load(Ordering::SeqCst) + dropped_unrun.load(Ordering::SeqCst),
            "every accepted callback ran or was dropped by close"
        );
        accepted_total += accepted;
        refused_total += refused;
    }
    println!(
        "  20 rounds x {THREADS} threads: {accepted_total} callbacks accepted and accounted for, \
         {refused_total} refusals after close"
    );
}

fn a_loop_dropped_with_pending_work_releases_everything_on_its_thread() {
    let drops = Rc::new(Cell::new(0));
    let waker = Arc::new(Mutex::new(None::<Waker>));
    {
        let event_loop = EventLoop::new();
        for _ in 0..100 {
            let guard = DropCount(drops.clone());
            drop(event_loop.create_task(async move {
                let _guard = guard;
                sleep(Duration::from_secs(3600)).await;
            }));
            let guard = DropCount(drops.clone());
            event_loop.call_soon(move || drop(guard)).unwrap();
            let guard = DropCount(drops.clone());
            event_loop.call_later(Duration::from_secs(3600), move || drop(guard)).unwrap();
        }
        let _task = event_loop.create_task(ShareWaker(waker.clone())).unwrap();
        event_loop.run_until_complete(sleep(Duration::from_millis(2))).unwrap();
        // Dropped without close(), with 100 tasks asleep and 200 callbacks pending.
    }
    assert_eq!(drops.get(), 300, "every pending task and callback was released");
    let waker = waker.lock().unwrap().take().expect("the task was polled");
    std::thread::spawn(move || waker.wake()).join().unwrap();
}

// ----- faults -------------------------------------------------------------------------------

/// Every kind of callback that panics in the test below, each reported as `boom: SOURCE`.
const SOURCES: &[&str] = &[
    "call_soon",
    "timer",
    "done callback",
    "future done callback",
    "task",
    "executor job",
    "task factory",
    "async slot",
];

fn a_panic_in_every_kind_of_callback_is_contained_and_reported() {
    let event_loop = EventLoop::new();
    let reports = capture_reports(&event_loop);
    let seen = reports.clone();
    let finished = event_loop
        .run_until_complete(async move {
            let event_loop = get_running_loop().unwrap();
            event_loop.call_soon(|| panic!("boom: call_soon")).unwrap();
            event_loop.call_later(Duration::from_millis(1), || panic!("boom: timer")).unwrap();
            let task = event_loop.create_task(async {}).unwrap();
            task.add_done_callback(|_| panic!("boom: done callback"));
            task.await.unwrap();
            let future = event_loop.create_future::<u32>();
            future.add_done_callback(|_| panic!("boom: future done callback"));
            future.set_result(1).unwrap();
            event_loop.create_task(async { panic!("boom: task") }).unwrap().detach();
            drop(event_loop.run_in_executor(|| panic!("boom: executor job")).unwrap());
            let awaited = event_loop.run_in_executor(|| -> u32 { panic!("boom: awaited job") });
            assert!(awaited.unwrap().await.unwrap_err().to_string().contains("boom: awaited job"));
            event_loop.set_task_factory(Some(Rc::new(|_: &EventLoop, _: TaskSpec| -> TaskSpec {
                panic!("boom: task factory")
            })));
            event_loop.create_task(async {}).unwrap().detach();
            event_loop.set_task_factory(None);
            let mut worker = new_worker();
            worker.pin_mut().explode();
            // The handler itself panicking: reported by the default handler, contained.
            let handler = event_loop.get_exception_handler().unwrap();
            event_loop.set_exception_handler(Some(Rc::new(
                move |event_loop: &EventLoop, context: &ExceptionContext| {
                    if context.message == "handler trigger" {
                        panic!("boom: exception handler");
                    }
                    handler(event_loop, context)
                },
            )));
            event_loop.call_exception_handler(&ExceptionContext::new("handler trigger"));
            // Some reports come later (the dropped executor job's once its thread has run it, the
            // async slot's at its task's step): wait until every source has reported (at most
            // 30 s) rather than a fixed pause a slow run (valgrind) outlasts.
            let all_reported = || {
                SOURCES.iter().all(|source| {
                    seen.borrow().iter().any(|report| {
                        report
                            .exception
                            .as_ref()
                            .is_some_and(|e| e.to_string().ends_with(&format!("boom: {source}")))
                    })
                })
            };
            let deadline = std::time::Instant::now() + Duration::from_secs(30);
            while !all_reported() && std::time::Instant::now() < deadline {
                sleep(Duration::from_millis(10)).await;
            }
            "the loop went on"
        })
        .unwrap();
    assert_eq!(finished, "the loop went on");
    let reports = reports.borrow();
    let texts: Vec<String> = reports
        .iter()
        .map(|r| {
            format!(
                "{} / {}",
                r.message,
                r.exception.as_ref().map_or(String::new(), |e| e.to_string())
            )
        })
        .collect();
    for source in SOURCES {
        let needle = format!("boom: {source}");
        assert!(
            texts.iter().any(|text| text.ends_with(&needle)),
            "no report of {needle:?} in {texts:#?}"
        );
    }
    assert!(
        !texts.iter().any(|text| text.contains("awaited job")),
        "awaited errors are not reported"
    );
    event_loop.close().unwrap();
}

fn main() {
    std::env::set_var(
        "QT_QPA_PLATFORM",
        std::env::var("QT_QPA_PLATFORM").unwrap_or("offscreen".into()),
    );
    run_cases(
        "reliability",
        &[
            (
                "a_million_callbacks_in_flight_each_run_or_cancelled_exactly_once",
                a_million_callbacks_in_flight_each_run_or_cancelled_exactly_once,
            ),
            (
                "a_hundred_thousand_tasks_with_random_sleeps_awaits_and_cancellations",
                a_hundred_thousand_tasks_with_random_sleeps_awaits_and_cancellations,
            ),
            (
                "the_scheduler_matches_its_model_on_random_programs",
                the_scheduler_matches_its_model_on_random_programs,
            ),
            (
                "threads_calling_in_while_the_loop_stops_closes_and_drops_lose_nothing",
                threads_calling_in_while_the_loop_stops_closes_and_drops_lose_nothing,
            ),
            (
                "a_loop_dropped_with_pending_work_releases_everything_on_its_thread",
                a_loop_dropped_with_pending_work_releases_everything_on_its_thread,
            ),
            (
                "a_panic_in_every_kind_of_callback_is_contained_and_reported",
                a_panic_in_every_kind_of_callback_is_contained_and_reported,
            ),
        ],
    );
}
