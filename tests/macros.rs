//! `#[qtasync::test]` itself, and `#[qt_slot_async]` on a cxx-qt QObject, on the real Qt loop.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use qtasync::{get_running_loop, sleep};
use qtasync_tests::capture_reports;
use qtasync_tests::qobjects::{new_worker, BODIES_DROPPED};
use qtasync_tests::until;

fn dropped() -> u32 {
    BODIES_DROPPED.with(|dropped| dropped.get())
}

#[qtasync::test]
async fn a_test_runs_on_a_running_loop() {
    let event_loop = get_running_loop().expect("a running loop");
    assert!(event_loop.is_running());
    sleep(Duration::from_millis(1)).await;
}

#[qtasync::test(timeout = "5s")]
async fn a_test_may_return_a_result() -> Result<(), String> {
    let value: u32 = "42".parse().map_err(|e| format!("{e}"))?;
    assert_eq!(value, 42);
    Ok(())
}

#[qtasync::test]
#[should_panic(expected = "boom inside a test")]
async fn a_panic_fails_the_test_with_its_message() {
    sleep(Duration::from_millis(1)).await;
    panic!("boom inside a test");
}

#[qtasync::test]
#[should_panic(expected = "\"an error\"")]
async fn an_error_fails_the_test_with_its_debug_text() -> Result<(), String> {
    Err("an error".to_owned())
}

#[qtasync::test(timeout = "50ms")]
// "after 50ms", or longer when QTASYNC_TIMEOUT_SCALE stretches it (valgrind).
#[should_panic(expected = "test timed out after ")]
async fn a_hung_test_fails_after_its_timeout() {
    sleep(Duration::from_secs(60)).await;
}

#[qtasync::test(timeout = "60s")]
async fn an_async_slot_runs_its_body_as_a_task_and_returns_at_once() {
    let mut worker = new_worker();
    let finished = Rc::new(RefCell::new(Vec::new()));
    let f = finished.clone();
    let mut on_finished = qtasync::ThreadBound::new(move |steps: i32| f.borrow_mut().push(steps));
    worker.pin_mut().on_finished(move |_, steps| (on_finished.get_mut())(steps)).release();
    let dropped_before = dropped();
    let event_loop = get_running_loop().unwrap();
    let tasks_before = event_loop.task_count();
    worker.pin_mut().run(5);
    assert_eq!(
        *worker.steps_done(),
        0,
        "the slot returned at once: the body runs later, as a task"
    );
    assert_eq!(event_loop.task_count(), tasks_before + 1, "the body was spawned as a task");
    until(|| !finished.borrow().is_empty()).await;
    assert_eq!(*worker.steps_done(), 5);
    assert_eq!(*finished.borrow(), vec![5]);
    assert_eq!(dropped(), dropped_before + 1);
}

#[qtasync::test(timeout = "60s")]
async fn destroying_the_object_cancels_its_suspended_slots() {
    let event_loop = get_running_loop().unwrap();
    let tasks_before = event_loop.task_count();
    let dropped_before = dropped();
    let mut worker = new_worker();
    worker.pin_mut().run(10_000);
    worker.pin_mut().run(10_000);
    until(|| *worker.steps_done() >= 4).await;
    assert_eq!(event_loop.task_count(), tasks_before + 2);
    drop(worker); // deletes the QObject while both slot tasks sleep
    until(|| dropped() == dropped_before + 2).await;
    sleep(Duration::from_millis(10)).await; // their timers come due: nothing may touch the object
    assert_eq!(event_loop.task_count(), tasks_before);
}

#[qtasync::test(timeout = "60s")]
async fn an_exclusive_slot_cancels_the_previous_run_on_the_same_object() {
    let dropped_before = dropped();
    let mut worker = new_worker();
    let mut other = new_worker();
    worker.pin_mut().run_exclusive(10_000);
    other.pin_mut().run_exclusive(3);
    until(|| *worker.steps_done() >= 2).await;
    worker.pin_mut().run_exclusive(3);
    // Three bodies end: `other`'s run, the first run on `worker` (cancelled: it had 10,000
    // steps to go) and the second one.
    until(|| dropped() >= dropped_before + 3).await;
    assert_eq!(dropped(), dropped_before + 3);
    assert_eq!(*worker.steps_done(), 3);
    assert_eq!(*other.steps_done(), 3, "another object's run is not cancelled");
}

#[qtasync::test(timeout = "60s")]
async fn an_error_returned_by_a_slot_is_reported() {
    let event_loop = get_running_loop().unwrap();
    let reports = capture_reports(&event_loop);
    let mut worker = new_worker();
    worker.pin_mut().fail(cxx_qt_lib::QString::from("disk full"));
    until(|| !reports.borrow().is_empty()).await;
    let reports = reports.borrow();
    assert!(
        reports[0].message.starts_with("Error returned by async slot"),
        "{}",
        reports[0].message
    );
    assert!(reports[0].message.ends_with("::fail"), "{}", reports[0].message);
    assert_eq!(reports[0].exception.as_ref().unwrap().to_string(), "\"disk full\"");
}

#[test]
fn a_slot_called_with_no_running_loop_runs_nothing_and_says_so() {
    // Called from a plain thread that runs no loop: reported on stderr, nothing spawned.
    qtasync::testing::run_test(None, || async {});
    let task = qtasync::__private::spawn_slot("tests::orphan", None, false, &[], async {});
    assert!(task.is_none());
}
