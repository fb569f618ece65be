//! `run_in_executor` and `shutdown_default_executor`.

use super::*;

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
