//! Callbacks from other threads, and tasks inside a nested Qt event loop.

use super::*;

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
