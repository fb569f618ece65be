//! Tasks: values, names, cancellation (before the first step, mid-await, withdrawn, self), panics, done callbacks, task factories.

use super::*;

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
