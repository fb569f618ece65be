//! `call_soon`, `call_at`, `call_later`, `stop`: order, deadlines, cancellation.

use super::*;

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
