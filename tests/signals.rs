//! `qtasync::signal!` on the real Qt loop: a signal's next emission as a future, every emission
//! as a stream, a coroutine per emission; connections removed with their owner; the sender's
//! destruction; panics contained. No timing assertions: only orders and counts.

use std::cell::{Cell, RefCell};
use std::future::pending;
use std::panic::AssertUnwindSafe;
use std::rc::Rc;
use std::time::Duration;

use cxx_qt_lib::QString;
use futures::StreamExt;
use qtasync::qt::{Backlog, ConnectOptions, SenderDestroyed, WaitError};
use qtasync::{get_running_loop, signal, spawn, yield_now, ObjectRef};
use qtasync_tests::capture_reports;
use qtasync_tests::signal_objects::{
    emitter_receivers, emitter_set_thread, new_emitter, new_single_shot_timer, timer_start, Emitter,
};
use qtasync_tests::until;

/// How many Qt connections the emitter's signal has (`"counted"`).
fn receivers(emitter: &cxx::UniquePtr<Emitter>, signature: &str) -> i32 {
    let count = emitter_receivers(emitter.as_ref().expect("an emitter"), signature);
    assert!(count >= 0, "no signal {signature}");
    count
}

/// Counts how many coroutines were dropped (finished or cancelled).
#[derive(Clone, Default)]
struct Drops(Rc<Cell<u32>>);

impl Drops {
    fn guard(&self) -> DropGuard {
        DropGuard(self.0.clone())
    }
    fn count(&self) -> u32 {
        self.0.get()
    }
}

struct DropGuard(Rc<Cell<u32>>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[qtasync::test(timeout = "60s")]
async fn the_next_emission_resolves_with_owned_arguments() {
    let mut emitter = new_emitter();

    let pinged = signal!(emitter.pin_mut().pinged()).next();
    assert_eq!(receivers(&emitter, "pinged"), 1);
    emitter.pin_mut().ping();
    assert_eq!(receivers(&emitter, "pinged"), 0, "disconnected at the emission, before a poll");
    assert_eq!(pinged.await, Ok(()));

    let counted = signal!(emitter.pin_mut().counted(_)).next();
    emitter.pin_mut().count_to(3);
    assert_eq!(counted.await, Ok((0,)), "the first of three emissions");

    let renamed = signal!(emitter.pin_mut().renamed(index, name)).next();
    let name = QString::from("Ford Prefect");
    emitter.pin_mut().rename(42, &name);
    drop(name);
    let (index, name) = renamed.await.unwrap();
    assert_eq!((index, name.to_string().as_str()), (42, "Ford Prefect"));

    let labelled = signal!(emitter.pin_mut().labelled(_)).next();
    emitter.pin_mut().label(&QString::from("towel"));
    let (label,): (QString,) = labelled.await.unwrap();
    assert_eq!(label.to_string(), "towel", "the &QString was cloned: it outlives the emission");

    // `.await` directly, while another task emits.
    // SAFETY: `emitter` is used again only between task steps, never while the `with` below runs
    // (nothing in it starts a nested loop).
    let object = unsafe { ObjectRef::new(emitter.pin_mut()) };
    spawn(async move {
        yield_now().await;
        object.with(|emitter| emitter.count_to(7));
    })
    .unwrap()
    .detach();
    assert_eq!(signal!(emitter.pin_mut().counted(_)).await, Ok((0,)));
    assert_eq!(receivers(&emitter, "counted"), 0);
}

#[qtasync::test(timeout = "60s")]
async fn a_cpp_qt_signal_can_be_awaited() {
    let mut timer = new_single_shot_timer();
    let timeout = signal!(timer.pin_mut().timeout()).next();
    timer_start(timer.pin_mut(), 0);
    assert_eq!(timeout.await, Ok(()));
    let mut ticks = signal!(timer.pin_mut().timeout()).stream();
    timer_start(timer.pin_mut(), 0);
    assert_eq!(ticks.next().await, Some(()));
    drop(timer);
    assert_eq!(ticks.next().await, None, "the stream ends with its sender");
}

#[qtasync::test(timeout = "60s")]
async fn the_sender_destroyed_first_gives_sender_destroyed() {
    let mut emitter = new_emitter();
    let next = signal!(emitter.pin_mut().counted(_)).next();
    drop(emitter);
    assert_eq!(next.await, Err(SenderDestroyed));

    // Destroyed while the future is suspended.
    let mut emitter = new_emitter();
    let next = signal!(emitter.pin_mut().renamed(_, _)).next();
    spawn(async move {
        yield_now().await;
        drop(emitter);
    })
    .unwrap()
    .detach();
    assert_eq!(next.await, Err(SenderDestroyed));
}

#[qtasync::test(timeout = "60s")]
async fn a_timeout_tells_timeout_from_destroyed() {
    let mut emitter = new_emitter();
    let outcome = signal!(emitter.pin_mut().counted(_)).timeout(Duration::from_millis(5)).await;
    assert_eq!(outcome, Err(WaitError::Timeout));
    assert_eq!(receivers(&emitter, "counted"), 0, "disconnected at the deadline");

    let in_time = signal!(emitter.pin_mut().counted(_)).timeout(Duration::from_secs(50));
    emitter.pin_mut().count_to(1);
    assert_eq!(in_time.await, Ok((0,)));

    let destroyed = signal!(emitter.pin_mut().counted(_)).timeout(Duration::from_secs(50));
    drop(emitter);
    assert_eq!(destroyed.await, Err(WaitError::SenderDestroyed));
}

#[qtasync::test(timeout = "60s")]
async fn dropping_a_future_stream_or_connection_disconnects() {
    let mut emitter = new_emitter();
    let runs = Rc::new(Cell::new(0));
    let counter = runs.clone();

    let next = signal!(emitter.pin_mut().counted(_)).next();
    let stream = signal!(emitter.pin_mut().counted(_)).stream();
    let connection = signal!(emitter.pin_mut().counted(_)).connect(move |_| {
        counter.set(counter.get() + 1);
        async {}
    });
    let mut polled = Box::pin(signal!(emitter.pin_mut().counted(_)).next());
    assert!(futures::poll!(polled.as_mut()).is_pending(), "polled once: a waker is registered");
    assert_eq!(receivers(&emitter, "counted"), 4);

    drop(next);
    assert_eq!(receivers(&emitter, "counted"), 3);
    drop(stream);
    drop(polled);
    assert_eq!(receivers(&emitter, "counted"), 1);
    drop(connection);
    assert_eq!(receivers(&emitter, "counted"), 0, "nothing stays registered");

    emitter.pin_mut().count_to(10);
    yield_now().await;
    assert_eq!(runs.get(), 0, "emissions after the drop run nothing");
}

#[qtasync::test(timeout = "60s")]
async fn a_stream_gets_every_emission_of_a_burst_in_order() {
    let mut emitter = new_emitter();
    let mut counts = signal!(emitter.pin_mut().counted(_)).stream();
    // The burst comes while the consumer is suspended: 10,000 emissions in one synchronous go.
    // SAFETY: `emitter` is used again only between task steps, never while the `with` below runs
    // (nothing in it starts a nested loop).
    let object = unsafe { ObjectRef::new(emitter.pin_mut()) };
    spawn(async move {
        yield_now().await;
        object.with(|emitter| emitter.count_to(10_000));
    })
    .unwrap()
    .detach();
    for expected in 0..10_000 {
        assert_eq!(counts.next().await, Some((expected,)));
    }
    assert_eq!((counts.pending(), counts.lost()), (0, 0));

    // Emitted before the first poll: queued all the same.
    emitter.pin_mut().count_to(10_000);
    assert_eq!(counts.pending(), 10_000);
    let burst: Vec<i32> = counts.by_ref().take(10_000).map(|(value,)| value).collect().await;
    assert_eq!(burst, (0..10_000).collect::<Vec<_>>());
}

#[qtasync::test(timeout = "60s")]
async fn a_bounded_stream_keeps_the_newest_and_counts_the_lost() {
    let mut emitter = new_emitter();
    let mut counts = signal!(emitter.pin_mut().counted(_)).stream_with(Backlog::DropOldest(100));
    emitter.pin_mut().count_to(10_000);
    assert_eq!((counts.pending(), counts.lost()), (100, 9_900));
    drop(emitter);
    let kept: Vec<i32> = counts.by_ref().map(|(value,)| value).collect().await;
    assert_eq!(kept, (9_900..10_000).collect::<Vec<_>>());
    assert_eq!(counts.lost(), 9_900, "still readable after the end");
}

#[qtasync::test(timeout = "60s")]
async fn a_stream_ends_when_its_sender_is_destroyed() {
    let mut emitter = new_emitter();
    let mut renames = signal!(emitter.pin_mut().renamed(_, _)).stream();
    emitter.pin_mut().rename(1, &QString::from("one"));
    emitter.pin_mut().rename(2, &QString::from("two"));
    drop(emitter);
    let (index, name) = renames.next().await.unwrap();
    assert_eq!((index, name.to_string().as_str()), (1, "one"));
    assert_eq!(renames.next().await.map(|(index, _)| index), Some(2), "queued before: kept");
    assert!(renames.next().await.is_none());
    assert!(renames.next().await.is_none(), "and stays ended");

    // Destroyed while the consumer is suspended.
    let mut emitter = new_emitter();
    let mut pings = signal!(emitter.pin_mut().pinged()).stream();
    spawn(async move {
        yield_now().await;
        emitter.pin_mut().ping();
        drop(emitter);
    })
    .unwrap()
    .detach();
    assert_eq!(pings.next().await, Some(()));
    assert_eq!(pings.next().await, None);
}

#[qtasync::test(timeout = "60s")]
async fn connect_spawns_a_task_per_emission() {
    let event_loop = get_running_loop().unwrap();
    let mut emitter = new_emitter();
    let seen = Rc::new(RefCell::new(Vec::new()));
    let log = seen.clone();
    let connection = signal!(emitter.pin_mut().renamed(_, _)).connect(move |(index, name)| {
        let log = log.clone();
        async move {
            yield_now().await;
            log.borrow_mut().push(format!("{index}:{name}"));
        }
    });
    let tasks_before = event_loop.task_count();
    for (index, name) in [(1, "one"), (2, "two"), (3, "three")] {
        emitter.pin_mut().rename(index, &QString::from(name));
    }
    assert_eq!(event_loop.task_count(), tasks_before + 3, "one task per emission");
    assert_eq!(connection.running(), 3);
    assert!(seen.borrow().is_empty(), "they run as tasks, after the emissions return");
    until(|| seen.borrow().len() == 3).await;
    let mut seen = seen.borrow().clone();
    seen.sort();
    assert_eq!(seen, ["1:one", "2:two", "3:three"]);
    until(|| connection.running() == 0).await;
    assert!(connection.is_connected());
}

#[qtasync::test(timeout = "60s")]
async fn an_exclusive_connection_cancels_the_previous_coroutine() {
    let mut emitter = new_emitter();
    let drops = Drops::default();
    let finished = Rc::new(RefCell::new(Vec::new()));
    let (guards, done) = (drops.clone(), finished.clone());
    let connection = signal!(emitter.pin_mut().counted(_)).connect_with(
        ConnectOptions::new().exclusive(),
        move |(value,)| {
            let (guard, done) = (guards.guard(), done.clone());
            async move {
                let _guard = guard;
                for _ in 0..3 {
                    yield_now().await;
                }
                done.borrow_mut().push(value);
            }
        },
    );
    emitter.pin_mut().count_to(1);
    yield_now().await; // the first coroutine starts
    emitter.pin_mut().count_to(3); // 0, 1, 2: each cancels the one before
    until(|| drops.count() == 4).await;
    assert_eq!(*finished.borrow(), [2], "only the newest ran to its end");
    assert_eq!(connection.running(), 0);
}

#[qtasync::test(timeout = "60s")]
async fn a_queued_connection_runs_coroutines_one_after_another() {
    let mut emitter = new_emitter();
    let log = Rc::new(RefCell::new(Vec::new()));
    let entries = log.clone();
    let _connection = signal!(emitter.pin_mut().counted(_)).connect_with(
        ConnectOptions::new().queued().name("queued"),
        move |(value,)| {
            let entries = entries.clone();
            async move {
                entries.borrow_mut().push(format!("start {value}"));
                for _ in 0..3 {
                    yield_now().await;
                }
                entries.borrow_mut().push(format!("end {value}"));
            }
        },
    );
    emitter.pin_mut().count_to(3);
    until(|| log.borrow().len() == 6).await;
    assert_eq!(*log.borrow(), ["start 0", "end 0", "start 1", "end 1", "start 2", "end 2"]);
}

#[qtasync::test(timeout = "60s")]
async fn destroying_the_sender_cancels_its_running_coroutines() {
    let mut emitter = new_emitter();
    let drops = Drops::default();
    let guards = drops.clone();
    let connection = signal!(emitter.pin_mut().pinged()).connect(move |()| {
        let guard = guards.guard();
        async move {
            let _guard = guard;
            pending::<()>().await;
        }
    });
    emitter.pin_mut().ping();
    emitter.pin_mut().ping();
    yield_now().await;
    assert_eq!((connection.running(), drops.count()), (2, 0));
    drop(emitter);
    until(|| drops.count() == 2).await;
    assert_eq!(connection.running(), 0);
    assert!(!connection.is_connected());
}

#[qtasync::test(timeout = "60s")]
async fn destroying_a_receiver_disconnects_and_cancels() {
    let mut emitter = new_emitter();
    let mut receiver = new_emitter();
    let drops = Drops::default();
    let guards = drops.clone();
    // SAFETY: the ObjectRef only watches `receiver` (no `with` on it ever runs).
    let watch = unsafe { ObjectRef::new(receiver.pin_mut()) };
    let connection = signal!(emitter.pin_mut().pinged()).connect_with(
        ConnectOptions::new().cancel_with(&watch),
        move |()| {
            let guard = guards.guard();
            async move {
                let _guard = guard;
                pending::<()>().await;
            }
        },
    );
    emitter.pin_mut().ping();
    yield_now().await;
    drop(receiver);
    until(|| drops.count() == 1).await;
    assert!(!connection.is_connected());
    assert_eq!(receivers(&emitter, "pinged"), 0);
}

#[qtasync::test(timeout = "60s")]
async fn dropping_the_connection_cancels_and_detach_keeps_it() {
    let mut emitter = new_emitter();
    let drops = Drops::default();
    let guards = drops.clone();
    let connection = signal!(emitter.pin_mut().pinged()).connect(move |()| {
        let guard = guards.guard();
        async move {
            let _guard = guard;
            pending::<()>().await;
        }
    });
    emitter.pin_mut().ping();
    yield_now().await;
    drop(connection);
    until(|| drops.count() == 1).await;
    assert_eq!(receivers(&emitter, "pinged"), 0);

    let runs = Rc::new(Cell::new(0));
    let counter = runs.clone();
    signal!(emitter.pin_mut().pinged())
        .connect(move |()| {
            let counter = counter.clone();
            async move { counter.set(counter.get() + 1) }
        })
        .detach();
    emitter.pin_mut().ping();
    emitter.pin_mut().ping();
    until(|| runs.get() == 2).await;
    assert_eq!(receivers(&emitter, "pinged"), 1, "detached: still connected");
    drop(emitter); // ends the detached connection
    yield_now().await;
}

#[qtasync::test(timeout = "60s")]
async fn panics_and_errors_of_connected_coroutines_are_reported() {
    let event_loop = get_running_loop().unwrap();
    let reports = capture_reports(&event_loop);
    let mut emitter = new_emitter();
    let _panicking = signal!(emitter.pin_mut().counted(_)).connect(|(value,)| async move {
        yield_now().await;
        if value == 1 {
            panic!("boom: connected coroutine {value}");
        }
    });
    let _failing = signal!(emitter.pin_mut().labelled(_))
        .connect(|(label,)| async move { Err::<(), String>(format!("no {label}")) });
    let _panicking_closure = signal!(emitter.pin_mut().pinged())
        .connect(|()| -> std::future::Ready<()> { panic!("boom: connected closure") });
    emitter.pin_mut().count_to(3);
    emitter.pin_mut().label(&QString::from("towel"));
    emitter.pin_mut().ping(); // the closure panics inside Qt's emit: caught, reported
    until(|| reports.borrow().len() >= 3).await;
    let reports: Vec<String> = reports.borrow().iter().map(|report| report.to_string()).collect();
    let has = |text: &str| reports.iter().any(|report| report.contains(text));
    assert!(has("boom: connected coroutine 1"), "{reports:#?}");
    assert!(has("no towel"), "{reports:#?}");
    assert!(has("boom: connected closure"), "{reports:#?}");
    assert_eq!(reports.len(), 3, "{reports:#?}");

    // The connections still work.
    let next = signal!(emitter.pin_mut().counted(_)).next();
    emitter.pin_mut().count_to(1);
    assert_eq!(next.await, Ok((0,)));
}

#[qtasync::test(timeout = "60s")]
async fn a_sender_on_another_thread_is_refused() {
    let mut emitter = new_emitter();
    emitter_set_thread(emitter.pin_mut(), false);
    let refused = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let _next = signal!(emitter.pin_mut().counted(_)).next();
    }));
    emitter_set_thread(emitter.pin_mut(), true);
    let payload = refused.expect_err("refused");
    let message = payload.downcast_ref::<String>().expect("a message");
    assert!(message.contains("lives on another thread"), "{message}");
    assert_eq!(receivers(&emitter, "counted"), 0);
}
