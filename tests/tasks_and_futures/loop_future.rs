//! `LoopFuture`: set once, exceptions and cancellation, done callbacks, unretrieved exceptions, other loops.

use super::*;

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
