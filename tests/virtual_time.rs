//! Time that tests control (issue "task toolkit", part 2) on the real Qt loop: a paused clock
//! that jumps to the next timer when nothing else is ready, `advance`, `resume`, executor jobs
//! holding the clock, and tests that fail when they leave work behind.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use qtasync::testing::{run_test_with, TestOptions};
use qtasync::time::{self, advance};
use qtasync::{get_running_loop, sleep, spawn, timeout, yield_now};

const HOUR: Duration = Duration::from_secs(3600);

#[qtasync::test(start_paused = true, timeout = "60s")]
async fn a_ten_minute_timeout_elapses_at_once_in_virtual_time() {
    let real = Instant::now();
    let start = time::now();
    let outcome = timeout(Duration::from_secs(600), std::future::pending::<()>()).await;
    let elapsed = outcome.unwrap_err();
    assert_eq!(elapsed.deadline - start, Duration::from_secs(600));
    assert_eq!(time::now() - start, Duration::from_secs(600), "the clock jumped to the deadline");
    assert!(real.elapsed() < Duration::from_secs(10), "took {:?} of real time", real.elapsed());
}

#[qtasync::test(start_paused = true, timeout = "60s")]
async fn sleepers_wake_in_deadline_order_each_at_its_own_instant() {
    let start = time::now();
    let woke = Rc::new(RefCell::new(Vec::new()));
    let mut tasks = Vec::new();
    for secs in [30u64, 10, 20] {
        let woke = woke.clone();
        tasks.push(
            spawn(async move {
                sleep(Duration::from_secs(secs)).await;
                woke.borrow_mut().push((secs, time::now() - start));
            })
            .unwrap(),
        );
    }
    for task in tasks {
        task.await.unwrap();
    }
    let expected: Vec<_> = [10u64, 20, 30].iter().map(|s| (*s, Duration::from_secs(*s))).collect();
    assert_eq!(*woke.borrow(), expected);
}

#[qtasync::test(start_paused = true, timeout = "60s")]
async fn advance_runs_the_timers_it_passes_and_no_others() {
    let event_loop = get_running_loop().unwrap();
    assert!(event_loop.is_time_paused());
    let fired = Rc::new(Cell::new(0));
    let f = fired.clone();
    event_loop.call_later(Duration::from_secs(5), move || f.set(f.get() + 1)).unwrap();
    let f = fired.clone();
    let late = event_loop.call_later(Duration::from_secs(50), move || f.set(f.get() + 10)).unwrap();
    advance(Duration::from_secs(4)).await;
    assert_eq!(fired.get(), 0, "4 s in, the 5 s timer has not fired");
    advance(Duration::from_secs(1)).await;
    assert_eq!(fired.get(), 1, "5 s in, it has");
    late.cancel();
}

#[qtasync::test(timeout = "60s")]
async fn a_resumed_clock_keeps_its_lead_and_runs_in_real_time() {
    time::pause().unwrap();
    let start = time::now();
    advance(HOUR).await;
    time::resume().unwrap();
    assert!(!get_running_loop().unwrap().is_time_paused());
    let real = Instant::now();
    sleep(Duration::from_millis(30)).await;
    assert!(real.elapsed() >= Duration::from_millis(30), "a running clock waits in real time");
    assert!(time::now() - start >= HOUR + Duration::from_millis(30));
}

#[qtasync::test(start_paused = true, timeout = "60s")]
async fn an_executor_job_in_flight_holds_the_paused_clock() {
    let start = time::now();
    let slept = spawn(async { sleep(Duration::from_secs(1)).await }).unwrap();
    let event_loop = get_running_loop().unwrap();
    let job =
        event_loop.run_in_executor(|| std::thread::sleep(Duration::from_millis(100))).unwrap();
    job.await.unwrap();
    assert!(!slept.done(), "the clock waited for the job instead of jumping 1 s ahead");
    assert!(time::now() - start < Duration::from_secs(1));
    slept.await.unwrap();
    assert_eq!(time::now() - start, Duration::from_secs(1));
}

#[qtasync::test(start_paused = true, timeout = "60s")]
async fn a_busy_task_keeps_virtual_time_still_and_qt_events_flowing() {
    let event_loop = get_running_loop().unwrap();
    let start = time::now();
    let dispatches = event_loop.dispatch_count();
    let busy = spawn(async move {
        // Never idle: always ready again at once.
        for _ in 0..200_000 {
            yield_now().await;
        }
        time::now()
    })
    .unwrap();
    sleep(Duration::from_secs(1)).await;
    assert!(busy.done(), "the 1 s sleep ended only once the loop had nothing else to do");
    assert_eq!(busy.await.unwrap(), start, "time stood still while the task kept the loop busy");
    assert!(
        event_loop.dispatch_count() - dispatches > 1,
        "the busy stretch went back to Qt between batches"
    );
}

fn failure_of(
    options: TestOptions,
    body: fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>,
) -> Option<String> {
    let outcome = std::panic::catch_unwind(move || run_test_with(options, body));
    outcome.err().map(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

#[test]
fn a_test_that_leaves_a_task_or_a_callback_behind_fails_naming_them() {
    let message = failure_of(TestOptions::new(), || {
        Box::pin(async {
            let task = spawn(std::future::pending::<()>()).unwrap();
            task.set_name("forgotten");
            let event_loop = get_running_loop().unwrap();
            event_loop.call_later(HOUR, || {}).unwrap();
        })
    })
    .expect("the test failed");
    assert!(message.contains("task forgotten created at tests/virtual_time.rs"), "{message}");
    assert!(message.contains("timer callback scheduled at tests/virtual_time.rs"), "{message}");
}

#[test]
fn leftovers_pass_when_allowed() {
    let message = failure_of(TestOptions::new().allow_leftovers(true), || {
        Box::pin(async {
            spawn(std::future::pending::<()>()).unwrap();
        })
    });
    assert_eq!(message, None);
}

#[qtasync::test(allow_leftovers = true)]
async fn the_macro_takes_allow_leftovers() {
    spawn(std::future::pending::<()>()).unwrap();
}

#[test]
fn the_timeout_counts_real_time_while_the_clock_is_paused() {
    let options = TestOptions::new().start_paused(true).timeout(Some(Duration::from_millis(300)));
    let message = failure_of(options, || {
        // No timer to jump to: the test waits, and only the real-time watchdog ends it.
        Box::pin(std::future::pending::<()>())
    })
    .expect("the test timed out");
    assert!(message.contains("timed out after 300ms"), "{message}");
    // With a timer to jump to, an hour of virtual time fits in the same 300 ms.
    let options = TestOptions::new().start_paused(true).timeout(Some(Duration::from_millis(300)));
    assert_eq!(failure_of(options, || Box::pin(sleep(HOUR))), None);
}
