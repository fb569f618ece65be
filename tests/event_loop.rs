//! The event loop on the real Qt loop: scheduling order, timers, threads, nesting, errors,
//! executor. Every test runs on the test binary's Qt thread (see `qtasync::testing`).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use qtasync::testing::{run_nested_event_loop, run_test};
use qtasync::{
    get_running_loop, sleep, yield_now, EventLoop, ExecutorError, LoopClosed, LoopError, RunError,
};
use qtasync_tests::capture_reports;

/// Runs `body` synchronously on the Qt thread (for tests that drive loops themselves).
fn on_qt_thread(body: impl FnOnce() + Send + 'static) {
    run_test(None, move || {
        body();
        async {}
    });
}

fn qt_test<F: std::future::Future<Output = ()> + 'static>(
    make: impl FnOnce() -> F + Send + 'static,
) {
    run_test(Some(Duration::from_secs(20)), make);
}

#[test]
fn call_soon_runs_callbacks_in_fifo_order() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let order = Rc::new(RefCell::new(Vec::new()));
        for i in 0..10_000 {
            let order = order.clone();
            event_loop.call_soon(move || order.borrow_mut().push(i)).unwrap();
        }
        while order.borrow().len() < 10_000 {
            yield_now().await;
        }
        assert!(order.borrow().iter().copied().eq(0..10_000));
    });
}

#[test]
fn stop_finishes_the_current_iteration_and_leaves_new_callbacks_for_the_next_run() {
    on_qt_thread(|| {
        let event_loop = EventLoop::new();
        let order = Rc::new(RefCell::new(Vec::new()));
        let (lp, o) = (event_loop.clone(), order.clone());
        event_loop
            .call_soon(move || {
                o.borrow_mut().push(1);
                let o2 = o.clone();
                lp.call_soon(move || o2.borrow_mut().push(3)).unwrap();
                lp.stop();
            })
            .unwrap();
        let o = order.clone();
        event_loop.call_soon(move || o.borrow_mut().push(2)).unwrap();
        event_loop.run_forever().unwrap();
        assert_eq!(*order.borrow(), vec![1, 2]);
        // stop() before run_forever(): one iteration runs, then the loop stops.
        event_loop.stop();
        event_loop.run_forever().unwrap();
        assert_eq!(*order.borrow(), vec![1, 2, 3]);
        assert!(!event_loop.is_running());
        event_loop.close().unwrap();
    });
}

#[test]
fn call_at_runs_by_deadline_then_fifo_and_never_early() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let start = event_loop.time();
        let fired = Rc::new(RefCell::new(Vec::new()));
        // Few distinct deadlines, so that many timers share one (FIFO among them).
        let offsets_ms = [7u64, 3, 7, 1, 3, 9, 1, 7, 0, 3, 9, 1, 5, 5, 0];
        for (seq, offset) in offsets_ms.iter().enumerate() {
            let when = start + Duration::from_millis(*offset);
            let fired = fired.clone();
            event_loop
                .call_at(when, move || fired.borrow_mut().push((when, seq, Instant::now())))
                .unwrap();
        }
        sleep(Duration::from_millis(30)).await;
        let fired = fired.borrow();
        assert_eq!(fired.len(), offsets_ms.len());
        let keys: Vec<_> = fired.iter().map(|(when, seq, _)| (*when, *seq)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "timers ran out of (deadline, FIFO) order");
        for (when, seq, ran_at) in fired.iter() {
            assert!(ran_at >= when, "timer {seq} fired {:?} early", *when - *ran_at);
        }
    });
}

#[test]
fn call_later_waits_at_least_its_delay() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        for delay_us in [0u64, 300, 1_500, 5_000] {
            let delay = Duration::from_micros(delay_us);
            let done = Rc::new(Cell::new(None));
            let d = done.clone();
            let scheduled = Instant::now();
            let handle = event_loop.call_later(delay, move || d.set(Some(Instant::now()))).unwrap();
            assert!(handle.when() >= scheduled + delay);
            while done.get().is_none() {
                sleep(Duration::from_millis(1)).await;
            }
            let elapsed = done.get().unwrap() - scheduled;
            assert!(elapsed >= delay, "fired after {elapsed:?}, before its {delay:?} delay");
        }
    });
}

#[test]
fn cancelled_callbacks_and_timers_never_run_and_free_what_they_captured() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let ran = Rc::new(Cell::new(0));
        let captured = Rc::new(());
        let (r, c) = (ran.clone(), captured.clone());
        let handle = event_loop
            .call_soon(move || {
                let _ = &c;
                r.set(r.get() + 1)
            })
            .unwrap();
        let r = ran.clone();
        let timer =
            event_loop.call_later(Duration::from_millis(1), move || r.set(r.get() + 10)).unwrap();
        assert!(!handle.cancelled());
        handle.cancel();
        timer.cancel();
        timer.cancel();
        assert!(handle.cancelled() && timer.cancelled());
        assert_eq!(Rc::strong_count(&captured), 1, "cancel drops the callback now");
        sleep(Duration::from_millis(10)).await;
        assert_eq!(ran.get(), 0);
    });
}

#[test]
fn many_cancelled_timers_cost_nothing_later() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let ran = Rc::new(Cell::new(0u32));
        let handles: Vec<_> = (0..10_000u64)
            .map(|i| {
                let ran = ran.clone();
                event_loop
                    .call_later(Duration::from_micros(i), move || ran.set(ran.get() + 1))
                    .unwrap()
            })
            .collect();
        for handle in handles.iter().step_by(2) {
            handle.cancel();
        }
        sleep(Duration::from_millis(30)).await;
        assert_eq!(ran.get(), 5_000);
    });
}

#[test]
fn call_soon_threadsafe_from_eight_threads_delivers_everything_in_per_thread_order() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let handle = event_loop.threadsafe_handle();
        const PER_THREAD: usize = 20_000;
        let seen = Arc::new(Mutex::new(vec![Vec::new(); 8]));
        let threads: Vec<_> = (0..8)
            .map(|thread| {
                let handle = handle.clone();
                let seen = seen.clone();
                std::thread::spawn(move || {
                    for i in 0..PER_THREAD {
                        let seen = seen.clone();
                        handle
                            .call_soon_threadsafe(move || seen.lock().unwrap()[thread].push(i))
                            .unwrap();
                    }
                })
            })
            .collect();
        let total = || seen.lock().unwrap().iter().map(Vec::len).sum::<usize>();
        let deadline = Instant::now() + Duration::from_secs(15);
        while total() < 8 * PER_THREAD && Instant::now() < deadline {
            sleep(Duration::from_millis(1)).await;
        }
        for thread in threads {
            thread.join().unwrap();
        }
        for per_thread in seen.lock().unwrap().iter() {
            assert!(per_thread.iter().copied().eq(0..PER_THREAD));
        }
    });
}

#[test]
fn a_nested_qt_event_loop_keeps_tasks_and_timers_running() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let ticks = Rc::new(Cell::new(0u32));
        let t = ticks.clone();
        let ticker = event_loop
            .create_task(async move {
                loop {
                    sleep(Duration::from_millis(2)).await;
                    t.set(t.get() + 1);
                }
            })
            .unwrap();
        let other_ran = Rc::new(Cell::new(false));
        let o = other_ran.clone();
        // Like `dialog.exec()` inside a task: this task is blocked, everything else runs.
        let before = ticks.get();
        event_loop.call_soon(move || o.set(true)).unwrap();
        // Nested loops of 20 ms until ten 2 ms ticks have run (a few loops; many more under
        // valgrind on a busy machine), for at most 30 s: fails only if timers stall in them.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while ticks.get() - before < 10 && std::time::Instant::now() < deadline {
            run_nested_event_loop(Duration::from_millis(20));
        }
        assert!(other_ran.get(), "a callback ran inside the nested loop");
        assert!(ticks.get() - before >= 10, "only {} ticks in nested loops", ticks.get() - before);
        ticker.cancel(None);
        assert!(ticker.await.unwrap_err().is_cancelled());
    });
}

#[test]
fn an_idle_loop_does_not_wake_up_and_work_is_batched() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let before = event_loop.dispatch_count();
        sleep(Duration::from_millis(200)).await;
        let idle = event_loop.dispatch_count() - before;
        assert!(idle <= 3, "an idle loop dispatched {idle} times in 200 ms");

        let count = Rc::new(Cell::new(0u32));
        let before = event_loop.dispatch_count();
        for _ in 0..100_000 {
            let count = count.clone();
            event_loop.call_soon(move || count.set(count.get() + 1)).unwrap();
        }
        while count.get() < 100_000 {
            yield_now().await;
        }
        let dispatches = event_loop.dispatch_count() - before;
        // One Qt event per batch; the time budget may split batches on a slow machine.
        assert!(dispatches < 1_000, "100k callbacks took {dispatches} Qt events");
    });
}

#[test]
fn time_is_monotonic() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let mut last = event_loop.time();
        for _ in 0..1000 {
            let now = event_loop.time();
            assert!(now >= last);
            last = now;
        }
    });
}

#[test]
fn a_closed_loop_refuses_work_with_clear_errors() {
    on_qt_thread(|| {
        let event_loop = EventLoop::new();
        let handle = event_loop.threadsafe_handle();
        event_loop.close().unwrap();
        event_loop.close().unwrap();
        assert!(event_loop.is_closed() && handle.is_closed());
        assert_eq!(event_loop.call_soon(|| {}).unwrap_err(), LoopClosed);
        assert_eq!(event_loop.call_later(Duration::ZERO, || {}).unwrap_err(), LoopClosed);
        assert_eq!(event_loop.call_soon_threadsafe(|| {}).unwrap_err(), LoopClosed);
        assert_eq!(handle.call_soon_threadsafe(|| {}).unwrap_err(), LoopClosed);
        assert!(event_loop.create_task(async {}).is_err());
        assert!(matches!(event_loop.run_forever(), Err(RunError::Loop(LoopError::Closed))));
        assert!(matches!(
            event_loop.run_until_complete(async {}),
            Err(RunError::Loop(LoopError::Closed))
        ));
        assert!(matches!(event_loop.run_in_executor(|| 1), Err(ExecutorError::LoopClosed)));
    });
}

#[test]
fn running_loops_refuse_close_rerun_and_a_second_loop() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        assert!(event_loop.is_running());
        assert_eq!(event_loop.close().unwrap_err(), LoopError::CloseWhileRunning);
        assert!(matches!(event_loop.run_forever(), Err(RunError::Loop(LoopError::AlreadyRunning))));
        let other = EventLoop::new();
        assert!(matches!(
            other.run_until_complete(async {}),
            Err(RunError::Loop(LoopError::AnotherLoopRunning))
        ));
        other.close().unwrap();
    });
}

#[test]
fn a_loop_runs_on_a_thread_other_than_the_applications() {
    // Make sure the application exists (on the Qt test thread) before this thread uses Qt.
    on_qt_thread(|| {});
    let event_loop = EventLoop::new();
    let output = event_loop
        .run_until_complete(async {
            sleep(Duration::from_millis(5)).await;
            let job = get_running_loop().unwrap().run_in_executor(|| 6).unwrap();
            job.await.unwrap() + 1
        })
        .unwrap();
    assert_eq!(output, 7);
    event_loop.close().unwrap();
}

#[test]
fn get_running_loop_is_an_error_outside_the_loop_and_in_executor_threads() {
    assert!(get_running_loop().is_err());
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let in_worker = event_loop
            .run_in_executor(|| (get_running_loop().is_err(), std::thread::current().id()))
            .unwrap()
            .await
            .unwrap();
        assert!(in_worker.0, "an executor thread has no running loop");
        assert_ne!(in_worker.1, std::thread::current().id());
    });
}

#[test]
fn run_in_executor_returns_results_and_panics_on_the_loop_thread() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let jobs: Vec<_> = (0..20u64)
            .map(|i| {
                event_loop
                    .run_in_executor(move || {
                        std::thread::sleep(Duration::from_millis(5));
                        i * i
                    })
                    .unwrap()
            })
            .collect();
        let results = futures::future::join_all(jobs).await;
        let values: Vec<u64> = results.into_iter().map(Result::unwrap).collect();
        assert_eq!(values, (0..20u64).map(|i| i * i).collect::<Vec<_>>());
        let error = event_loop.run_in_executor(|| panic!("boom in a worker")).unwrap().await;
        match error {
            Err(ExecutorError::Panicked(panic)) => assert_eq!(panic.message(), "boom in a worker"),
            other => panic!("expected a panic, got {other:?}"),
        }
    });
}

#[test]
fn shutdown_default_executor_waits_without_blocking_the_loop_and_times_out() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let job =
            event_loop.run_in_executor(|| std::thread::sleep(Duration::from_millis(300))).unwrap();
        let ticks = Rc::new(Cell::new(0u32));
        let t = ticks.clone();
        let ticker = event_loop
            .create_task(async move {
                loop {
                    sleep(Duration::from_millis(5)).await;
                    t.set(t.get() + 1);
                }
            })
            .unwrap();
        let started = Instant::now();
        let result = event_loop.shutdown_default_executor(Some(Duration::from_millis(50))).await;
        assert!(matches!(result, Err(ExecutorError::ShutdownTimedOut(_))), "{result:?}");
        assert!(started.elapsed() < Duration::from_millis(250));
        assert!(ticks.get() >= 3, "the loop kept running while waiting");
        // The queued job still finishes, and its result comes back.
        job.await.unwrap();
        assert!(matches!(event_loop.run_in_executor(|| ()), Err(ExecutorError::Shutdown)));
        ticker.cancel(None);
    });
}

#[test]
fn shutdown_default_executor_waits_for_running_jobs() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let finished = Arc::new(AtomicUsize::new(0));
        for _ in 0..4 {
            let finished = finished.clone();
            let _job = event_loop
                .run_in_executor(move || {
                    std::thread::sleep(Duration::from_millis(30));
                    finished.fetch_add(1, Ordering::SeqCst);
                })
                .unwrap();
        }
        event_loop.shutdown_default_executor(None).await.unwrap();
        assert_eq!(finished.load(Ordering::SeqCst), 4);
    });
}

#[test]
fn a_panicking_callback_is_reported_and_the_loop_goes_on() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let reports = capture_reports(&event_loop);
        let after = Rc::new(Cell::new(false));
        event_loop.call_soon(|| panic!("callback boom")).unwrap();
        event_loop.call_later(Duration::from_millis(1), || panic!("timer boom")).unwrap();
        event_loop.call_soon_threadsafe(|| panic!("threadsafe boom")).unwrap();
        let a = after.clone();
        event_loop.call_later(Duration::from_millis(2), move || a.set(true)).unwrap();
        sleep(Duration::from_millis(10)).await;
        assert!(after.get());
        let reports = reports.borrow();
        let messages: Vec<String> = reports
            .iter()
            .map(|r| r.exception.as_ref().map(|e| e.to_string()).unwrap_or_default())
            .collect();
        assert_eq!(reports.len(), 3, "{messages:?}");
        assert!(reports.iter().all(|r| r.message == "Exception in callback"));
        assert!(messages[0].contains("callback boom"));
        assert!(messages.iter().any(|m| m.contains("timer boom")));
        assert!(messages.iter().any(|m| m.contains("threadsafe boom")));
        let location = reports[0].location.expect("the callback's location");
        assert!(location.file().ends_with("event_loop.rs"), "{location}");
    });
}

#[test]
fn a_panicking_exception_handler_is_contained() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let calls = Rc::new(Cell::new(0));
        let c = calls.clone();
        event_loop.set_exception_handler(Some(Rc::new(move |_, _| {
            c.set(c.get() + 1);
            panic!("the handler itself fails");
        })));
        event_loop.call_soon(|| panic!("first")).unwrap();
        let ran = Rc::new(Cell::new(false));
        let r = ran.clone();
        event_loop.call_soon(move || r.set(true)).unwrap();
        yield_now().await;
        yield_now().await;
        assert_eq!(calls.get(), 1);
        assert!(ran.get());
        event_loop.call_exception_handler(&qtasync::ExceptionContext::new("direct call"));
        assert_eq!(calls.get(), 2);
        event_loop.set_exception_handler(None);
        assert!(event_loop.get_exception_handler().is_none());
    });
}

#[test]
fn debug_mode_reports_slow_callbacks() {
    qt_test(|| async {
        let event_loop = get_running_loop().unwrap();
        let reports = capture_reports(&event_loop);
        assert!(!event_loop.get_debug());
        event_loop.set_debug(true);
        event_loop.call_soon(|| std::thread::sleep(Duration::from_millis(120))).unwrap();
        event_loop.call_soon(|| {}).unwrap();
        yield_now().await;
        yield_now().await;
        event_loop.set_debug(false);
        let reports = reports.borrow();
        assert_eq!(reports.len(), 1, "{reports:?}");
        assert!(
            reports[0].message.starts_with("Executing callback took 0.1"),
            "{}",
            reports[0].message
        );
    });
}

#[test]
fn wakers_kept_after_the_loop_is_gone_are_harmless() {
    let waker = Arc::new(Mutex::new(None));
    let w = waker.clone();
    on_qt_thread(move || {
        let event_loop = EventLoop::new();
        let _task = event_loop
            .create_task(std::future::poll_fn(move |cx| {
                *w.lock().unwrap() = Some(cx.waker().clone());
                std::task::Poll::<()>::Pending
            }))
            .unwrap();
        let lp = event_loop.clone();
        event_loop.call_later(Duration::from_millis(5), move || lp.stop()).unwrap();
        event_loop.run_forever().unwrap();
        drop(event_loop);
    });
    let waker = waker.lock().unwrap().take().expect("the task ran once");
    // From another thread and from this one, after the loop closed and dropped.
    let w = waker.clone();
    std::thread::spawn(move || w.wake()).join().unwrap();
    waker.wake();
}
