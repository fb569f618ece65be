//! Closed and running loops refuse what they cannot do; loops on other threads; `get_running_loop`.

use super::*;

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
