//! Panicking callbacks and exception handlers, debug mode, wakers outliving their loop.

use super::*;

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
        assert!(location.file().ends_with("event_loop/faults.rs"), "{location}");
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
