//! Tasks, `LoopFuture`s, cancellation and error reporting on the real Qt loop, plus ports of what
//! PySide6's QtAsyncio test suite asserts (sources/pyside6/tests/QtAsyncio/).

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use qtasync::testing::run_test;
use qtasync::{
    current_task, get_running_loop, sleep, spawn, timeout, yield_now, FutureError, TaskError,
    TaskSpec,
};
use qtasync_tests::capture_reports;

fn qt_test<F: std::future::Future<Output = ()> + 'static>(
    make: impl FnOnce() -> F + Send + 'static,
) {
    run_test(Some(Duration::from_secs(20)), make);
}

/// Sets a flag when dropped: shows that a cancelled future's destructors ran ("finally").
struct Finally(Rc<Cell<bool>>);
impl Drop for Finally {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[derive(Debug)]
struct MyError(&'static str);
impl fmt::Display for MyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
impl std::error::Error for MyError {}

// ----- tasks --------------------------------------------------------------------------------------

#[test]
fn tasks_return_values_and_may_hold_non_send_state() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let shared = Rc::new(RefCell::new(vec![1]));
        let s = shared.clone();
        let task = event_loop
            .create_task(async move {
                yield_now().await;
                s.borrow_mut().push(2);
                s.borrow().len()
            })
            .unwrap();
        assert!(!task.done());
        assert_eq!(task.await.unwrap(), 2);
        let task = spawn(async { "free spawn" }).unwrap();
        assert_eq!(task.await.unwrap(), "free spawn");
    });
}

#[test]
fn spawn_outside_a_loop_is_an_error() {
    assert_eq!(spawn(async {}).unwrap_err(), qtasync::SpawnError::NoRunningLoop);
}

#[test]
fn task_names_and_current_task() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let task = event_loop
            .create_task(async { current_task().expect("inside a task").name() })
            .unwrap();
        let default_name = task.name();
        assert!(default_name.starts_with("Task-"), "{default_name}");
        task.set_name("renamed");
        assert_eq!(task.await.unwrap(), "renamed");
        assert!(current_task().is_some());
    });
    assert!(current_task().is_none());
}

#[test]
fn cancelling_before_the_first_step_never_polls_the_future() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let polled = Rc::new(Cell::new(false));
        let p = polled.clone();
        let task = event_loop.create_task(async move { p.set(true) }).unwrap();
        assert!(task.cancel(Some("too early")));
        assert_eq!(task.cancelling(), 1);
        match task.await {
            Err(TaskError::Cancelled(Some(message))) => assert_eq!(message, "too early"),
            other => panic!("{other:?}"),
        }
        assert!(!polled.get());
    });
}

#[test]
fn cancelling_during_an_await_drops_the_future_and_runs_its_destructors() {
    // Port of QtAsyncio's _cancel_task test: the `finally` block runs, the outside sees the
    // task cancelled.
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let cleaned_up = Rc::new(Cell::new(false));
        let reached_end = Rc::new(Cell::new(false));
        let (c, r) = (cleaned_up.clone(), reached_end.clone());
        let task = event_loop
            .create_task(async move {
                let _finally = Finally(c);
                sleep(Duration::from_secs(10)).await;
                r.set(true);
            })
            .unwrap();
        sleep(Duration::from_millis(5)).await;
        let observer = task.task_ref();
        assert!(task.cancel(Some("stop sleeping")));
        let result = task.await;
        assert!(matches!(&result, Err(TaskError::Cancelled(Some(m))) if m == "stop sleeping"));
        assert!(cleaned_up.get());
        assert!(!reached_end.get());
        assert!(observer.done() && observer.cancelled());
        assert!(!observer.cancel(None), "a done task cannot be cancelled");
    });
}

#[test]
fn uncancel_withdraws_a_cancellation_not_yet_delivered() {
    // Port of QtAsyncio's _uncancel test.
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let task = event_loop
            .create_task(async {
                sleep(Duration::from_millis(5)).await;
                "went on"
            })
            .unwrap();
        yield_now().await;
        assert!(task.cancel(None));
        assert!(task.cancel(Some("second")));
        assert_eq!(task.cancelling(), 2);
        assert_eq!(task.uncancel(), 1);
        assert_eq!(task.uncancel(), 0);
        assert_eq!(task.uncancel(), 0);
        assert_eq!(task.await.unwrap(), "went on");
    });
}

#[test]
fn a_task_can_cancel_itself() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let after = Rc::new(Cell::new(false));
        let a = after.clone();
        let task = event_loop
            .create_task(async move {
                current_task().unwrap().cancel(Some("myself"));
                yield_now().await;
                a.set(true);
            })
            .unwrap();
        assert!(task.await.unwrap_err().is_cancelled());
        assert!(!after.get());
    });
}

#[test]
fn a_panicking_task_gives_its_panic_to_the_awaiter_and_the_loop_goes_on() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let reports = capture_reports(&event_loop);
        let task = event_loop
            .create_task(async {
                yield_now().await;
                panic!("task boom");
            })
            .unwrap();
        match task.await {
            Err(TaskError::Panicked(panic)) => assert_eq!(panic.message(), "task boom"),
            other => panic!("{other:?}"),
        }
        yield_now().await;
        assert!(reports.borrow().is_empty(), "a retrieved panic is not reported");
    });
}

#[test]
fn only_unretrieved_panics_are_reported_never_cancellations() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let reports = capture_reports(&event_loop);
        // Detached before it fails: reported when it fails.
        event_loop.create_task(async { panic!("detached boom") }).unwrap().detach();
        // Fails while its handle lives; reported when the handle is dropped unread.
        let kept = event_loop.create_task(async { panic!("kept boom") }).unwrap();
        // Cancelled and detached: never reported.
        let cancelled = event_loop.create_task(sleep(Duration::from_secs(5))).unwrap();
        cancelled.cancel(None);
        drop(cancelled);
        sleep(Duration::from_millis(5)).await;
        assert_eq!(reports.borrow().len(), 1);
        drop(kept);
        let reports = reports.borrow();
        assert_eq!(reports.len(), 2);
        for (report, text) in reports.iter().zip(["detached boom", "kept boom"]) {
            assert_eq!(report.message, "Task exception was never retrieved");
            assert!(report.exception.as_ref().unwrap().to_string().contains(text));
            assert!(report.task.is_some());
        }
    });
}

#[test]
fn done_callbacks_run_soon_after_completion_and_can_be_removed() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let log = Rc::new(RefCell::new(Vec::new()));
        let task = event_loop.create_task(async { 5 }).unwrap();
        let l = log.clone();
        task.add_done_callback(move |task| l.borrow_mut().push(format!("a {}", task.done())));
        let l = log.clone();
        let removed = task.add_done_callback(move |_| l.borrow_mut().push("b".into()));
        assert_eq!(task.remove_done_callback(removed), 1);
        assert_eq!(task.remove_done_callback(removed), 0);
        let reference = task.task_ref();
        assert_eq!(task.await.unwrap(), 5);
        assert!(log.borrow().is_empty(), "done callbacks go through call_soon");
        yield_now().await;
        assert_eq!(*log.borrow(), vec!["a true".to_owned()]);
        // Added after completion: scheduled at once.
        let l = log.clone();
        reference.add_done_callback(move |_| l.borrow_mut().push("late".into()));
        yield_now().await;
        assert_eq!(log.borrow().len(), 2);
    });
}

#[test]
fn a_task_factory_sees_every_task_and_may_wrap_it() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let polls = Rc::new(Cell::new(0u32));
        let p = polls.clone();
        event_loop.set_task_factory(Some(Rc::new(move |_, spec: TaskSpec| {
            spec.task.set_name(format!("factory-{}", spec.task.name()));
            let polls = p.clone();
            let mut inner = spec.future;
            TaskSpec {
                task: spec.task,
                future: Box::pin(std::future::poll_fn(move |cx| {
                    polls.set(polls.get() + 1);
                    inner.as_mut().poll(cx)
                })),
            }
        })));
        assert!(event_loop.get_task_factory().is_some());
        let task = event_loop
            .create_task(async {
                yield_now().await;
                current_task().unwrap().name()
            })
            .unwrap();
        let name = task.await.unwrap();
        assert!(name.starts_with("factory-Task-"), "{name}");
        assert_eq!(polls.get(), 2);
        event_loop.set_task_factory(Some(Rc::new(|_, _| panic!("factory boom"))));
        let failed = event_loop.create_task(async { 1 }).unwrap();
        assert!(
            matches!(failed.await, Err(TaskError::Panicked(p)) if p.message() == "factory boom")
        );
        event_loop.set_task_factory(None);
        assert_eq!(event_loop.create_task(async { 2 }).unwrap().await.unwrap(), 2);
    });
}

// ----- LoopFuture --------------------------------------------------------------------------------

#[test]
fn a_loop_future_is_set_once_and_wakes_every_awaiter() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let future = event_loop.create_future::<u32>();
        assert!(matches!(future.result(), Err(FutureError::InvalidState(_))));
        assert!(matches!(future.exception(), Err(FutureError::InvalidState(_))));
        let awaiters: Vec<_> = (0..3)
            .map(|i| {
                let future = future.clone();
                event_loop.create_task(async move { future.await.unwrap() + i }).unwrap()
            })
            .collect();
        yield_now().await;
        future.set_result(10).unwrap();
        assert!(future.set_result(11).is_err(), "set twice is InvalidStateError");
        assert!(future.set_exception(MyError("late")).is_err());
        assert!(!future.cancel(None));
        assert_eq!(future.result().unwrap(), 10);
        assert!(future.exception().unwrap().is_none());
        let results: Vec<u32> =
            futures::future::join_all(awaiters).await.into_iter().map(Result::unwrap).collect();
        assert_eq!(results, vec![10, 11, 12]);
    });
}

#[test]
fn a_loop_future_carries_exceptions_and_cancellation() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let failed = event_loop.create_future::<()>();
        failed.set_exception(MyError("bad input")).unwrap();
        match failed.clone().await {
            Err(FutureError::Exception(e)) => assert_eq!(e.to_string(), "bad input"),
            other => panic!("{other:?}"),
        }
        assert_eq!(failed.exception().unwrap().unwrap().to_string(), "bad input");

        let cancelled = event_loop.create_future::<()>();
        assert!(cancelled.cancel(Some("no longer needed")));
        assert!(cancelled.cancelled() && cancelled.done());
        assert!(
            matches!(cancelled.clone().await, Err(FutureError::Cancelled(Some(m))) if m == "no longer needed")
        );
        assert!(matches!(cancelled.exception(), Err(FutureError::Cancelled(_))));
    });
}

#[test]
fn loop_future_done_callbacks() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let future = event_loop.create_future::<&'static str>();
        let seen = Rc::new(RefCell::new(Vec::new()));
        let s = seen.clone();
        future.add_done_callback(move |f| s.borrow_mut().push(f.result().unwrap()));
        let s = seen.clone();
        let id = future.add_done_callback(move |_| s.borrow_mut().push("removed"));
        assert_eq!(future.remove_done_callback(id), 1);
        future.set_result("done").unwrap();
        assert!(seen.borrow().is_empty());
        yield_now().await;
        assert_eq!(*seen.borrow(), vec!["done"]);
    });
}

#[test]
fn an_unretrieved_future_exception_is_reported() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let reports = capture_reports(&event_loop);
        let future = event_loop.create_future::<()>();
        future.set_exception(MyError("nobody looked")).unwrap();
        drop(future);
        let read = event_loop.create_future::<()>();
        read.set_exception(MyError("looked at")).unwrap();
        let _ = read.exception();
        drop(read);
        let reports = reports.borrow();
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].message, "Future exception was never retrieved");
    });
}

#[test]
fn awaiting_a_future_of_another_loop_is_an_error() {
    run_test(None, || {
        let other = qtasync::EventLoop::new();
        let foreign = other.create_future::<u8>();
        async move {
            assert!(matches!(foreign.clone().await, Err(FutureError::OtherLoop)));
            drop(other);
        }
    });
}

// ----- async generators --------------------------------------------------------------------------

#[test]
fn shutdown_asyncgens_closes_tracked_streams_and_runs_their_destructors() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let cleaned = Rc::new(Cell::new(false));
        let c = cleaned.clone();
        let guard = Finally(c);
        let stream = futures::stream::unfold(guard, |guard| async move {
            yield_now().await;
            Some((1, guard))
        });
        let mut tracked = event_loop.track_stream(stream);
        assert_eq!(tracked.next().await, Some(1));
        let finished = event_loop.track_stream(futures::stream::iter([1, 2]));
        drop(finished);
        assert_eq!(event_loop.shutdown_asyncgens().await, 1);
        assert!(cleaned.get());
        assert!(tracked.is_closed());
        assert_eq!(tracked.next().await, None);
    });
}

// ----- ports of PySide6's QtAsyncio tests --------------------------------------------------------

#[test]
fn qtasyncio_gather_of_sleeping_coroutines() {
    qt_test(|| async {
        async fn job(i: u64) -> u64 {
            sleep(Duration::from_millis(10 * (3 - i))).await;
            i * 2
        }
        let event_loop = get_running_loop().unwrap();
        let tasks: Vec<_> = (0..3).map(|i| event_loop.create_task(job(i)).unwrap()).collect();
        let results: Vec<u64> =
            futures::future::join_all(tasks).await.into_iter().map(Result::unwrap).collect();
        assert_eq!(results, vec![0, 2, 4]);
    });
}

#[test]
fn qtasyncio_chain_of_coroutines() {
    qt_test(|| async {
        async fn part1(n: u32) -> String {
            sleep(Duration::from_millis(n.into())).await;
            format!("result{n}-1")
        }
        async fn part2(n: u32, previous: String) -> String {
            sleep(Duration::from_millis(n.into())).await;
            format!("result{n}-2 derived from {previous}")
        }
        async fn chain(n: u32) -> String {
            let p1 = part1(n).await;
            part2(n, p1).await
        }
        let event_loop = get_running_loop().unwrap();
        let tasks: Vec<_> =
            [1, 2, 3].into_iter().map(|n| event_loop.create_task(chain(n)).unwrap()).collect();
        let results: Vec<String> =
            futures::future::join_all(tasks).await.into_iter().map(Result::unwrap).collect();
        assert_eq!(results[2], "result3-2 derived from result3-1");
    });
}

#[test]
fn qtasyncio_producers_and_consumers_over_a_queue() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let (sender, receiver) = mpsc::channel::<u32>(4);
        // Several consumers share the queue: one at a time waits on the receiver.
        let receiver = Rc::new(futures::lock::Mutex::new(receiver));
        let consumed = Rc::new(RefCell::new(Vec::new()));
        let producers: Vec<_> = (0..3u32)
            .map(|p| {
                let mut sender = sender.clone();
                event_loop
                    .create_task(async move {
                        for i in 0..20 {
                            sleep(Duration::from_micros(u64::from((p * 7 + i * 13) % 500))).await;
                            sender.send(p * 100 + i).await.unwrap();
                        }
                    })
                    .unwrap()
            })
            .collect();
        drop(sender);
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let receiver = receiver.clone();
                let consumed = consumed.clone();
                event_loop
                    .create_task(async move {
                        loop {
                            let next = receiver.lock().await.next().await;
                            match next {
                                Some(item) => consumed.borrow_mut().push(item),
                                None => break,
                            }
                            sleep(Duration::from_micros(200)).await;
                        }
                    })
                    .unwrap()
            })
            .collect();
        futures::future::join_all(producers).await;
        futures::future::join_all(consumers).await;
        let mut consumed = consumed.borrow().clone();
        consumed.sort();
        let expected: Vec<u32> = (0..3).flat_map(|p| (0..20).map(move |i| p * 100 + i)).collect();
        assert_eq!(consumed, expected, "nothing lost, nothing doubled");
    });
}

#[test]
fn qtasyncio_timeout_raises_at_the_right_moment() {
    // Port of bug_2790: asyncio.timeout around a sleep.
    qt_test(|| async {
        let started = Instant::now();
        let result = timeout(Duration::from_millis(30), sleep(Duration::from_secs(5))).await;
        let elapsed = started.elapsed();
        assert!(result.is_err());
        assert!(elapsed >= Duration::from_millis(30), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(1000), "{elapsed:?}");
        assert_eq!(timeout(Duration::from_secs(5), async { 3 }).await.unwrap(), 3);
    });
}

#[test]
fn qtasyncio_call_later_fires_on_time() {
    // Port of _time (1 s within 0.1 s), shortened to 200 ms.
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let fired = event_loop.create_future::<Instant>();
        let f = fired.clone();
        let started = Instant::now();
        event_loop
            .call_later(Duration::from_millis(200), move || f.set_result(Instant::now()).unwrap())
            .unwrap();
        let at = fired.await.unwrap() - started;
        assert!(at >= Duration::from_millis(200) && at < Duration::from_millis(300), "{at:?}");
    });
}

#[test]
fn qtasyncio_threadsafe_call_from_a_plain_thread() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let handle = event_loop.threadsafe_handle();
        let (sender, receiver) = futures::channel::oneshot::channel();
        std::thread::spawn(move || {
            handle
                .call_soon_threadsafe(move || {
                    let on_loop = get_running_loop().is_ok();
                    sender.send(on_loop).unwrap();
                })
                .unwrap();
        });
        assert!(receiver.await.unwrap(), "the callback ran on the loop's thread");
    });
}
