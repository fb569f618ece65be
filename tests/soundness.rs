//! Soundness and lifecycle (issue "Soundness"): each case is named after the defect it guards
//! against. `harness = false`: the cases run on the process's main thread, where Qt wants its
//! application; cases about the application's life, SIGINT or an abort run in a child process of
//! their own (this binary again, see `qtasync_tests::child_process`), so that each starts from a
//! process without an application. The in-process cases (nested loops, drops) run under valgrind
//! too (scripts/valgrind.sh). `ObjectRef`'s cases (items 1, 2, 7) are in `object_refs.rs`.

use std::cell::{Cell, RefCell};
use std::pin::Pin;
use std::process::Command;
use std::rc::Rc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use qtasync::testing::run_nested_event_loop;
use qtasync::{
    get_running_loop, sleep, yield_now, EventLoop, LoopError, RunError, Runner, ThreadPool,
};
use qtasync_tests::capture_reports;
use qtasync_tests::child_process::{child_case, child_passes, run_child};
use qtasync_tests::qobjects::add_post_routine;
use qtasync_tests::{on_loop, until};

// ----- 3. the application belongs to whoever created it ----------------------------------------

fn a_run_never_deletes_the_application_another_loop_uses_child() {
    let first = EventLoop::new(); // creates the application
    let output = Runner::new().keep_running(false).run(async { 1 }).unwrap();
    assert_eq!(output, Some(1));
    let again = first.run_until_complete(async {
        sleep(Duration::from_millis(1)).await;
        2
    });
    assert_eq!(again.unwrap(), 2, "the first loop's application is still there");
}

fn a_run_never_deletes_the_application_another_loop_uses() {
    child_passes("a_run_never_deletes_the_application_another_loop_uses");
}

fn a_run_on_another_thread_never_deletes_this_threads_application_child() {
    let first = EventLoop::new(); // the application, on the main thread
    std::thread::spawn(|| {
        let output = Runner::new().keep_running(false).run(async { 1 }).unwrap();
        assert_eq!(output, Some(1));
    })
    .join()
    .unwrap();
    let again = first.run_until_complete(async {
        sleep(Duration::from_millis(1)).await;
        2
    });
    assert_eq!(again.unwrap(), 2, "the main thread's application is still there");
}

fn a_run_on_another_thread_never_deletes_this_threads_application() {
    child_passes("a_run_on_another_thread_never_deletes_this_threads_application");
}

fn a_loop_whose_application_is_gone_returns_an_error_child() {
    let app = cxx_qt_lib::QCoreApplication::new();
    let event_loop = EventLoop::new();
    assert_eq!(event_loop.run_until_complete(async { 1 }).unwrap(), 1);
    drop(app);
    match event_loop.run_until_complete(async { 2 }) {
        Err(RunError::Loop(LoopError::NoApplication)) => {}
        other => panic!("expected NoApplication, got {other:?}"),
    }
    assert!(matches!(event_loop.run_forever(), Err(RunError::Loop(LoopError::NoApplication))));
}

fn a_loop_whose_application_is_gone_returns_an_error() {
    child_passes("a_loop_whose_application_is_gone_returns_an_error");
}

/// Child: the application's destructor runs a post routine that makes a loop (code that runs
/// while the application is being deleted, as objects' destructors and post routines do).
fn deleting_the_application_never_holds_its_lock_over_user_code_child() {
    fn post_routine() {
        let event_loop = EventLoop::new();
        let run = event_loop.run_until_complete(async { 1 });
        println!("post routine ran: {run:?}");
    }
    add_post_routine(post_routine);
    let output = Runner::new().keep_running(false).run(async { 1 }).unwrap();
    assert_eq!(output, Some(1));
    println!("run returned");
}

fn deleting_the_application_never_holds_its_lock_over_user_code() {
    let stdout = child_passes("deleting_the_application_never_holds_its_lock_over_user_code");
    // The loop made while the application is being deleted has none (never the dying one).
    assert!(stdout.contains("post routine ran: Err(Loop(NoApplication))"), "{stdout}");
    assert!(stdout.contains("run returned"), "{stdout}");
}

// ----- 4. the executor starts a worker for each job that needs one -----------------------------

fn an_executor_job_waiting_for_the_next_job_does_not_deadlock() {
    let received = on_loop(async {
        let event_loop = get_running_loop().unwrap();
        let pool = ThreadPool::new(4);
        // One worker, then idle (waiting on the pool's condition variable).
        event_loop.run_in_executor_on(&pool, || ()).unwrap().await.unwrap();
        sleep(Duration::from_millis(50)).await;
        let (sender, receiver) = mpsc::channel::<u32>();
        // The consumer blocks until the producer, submitted right after it, has run.
        let consumer = event_loop
            .run_in_executor_on(&pool, move || receiver.recv_timeout(Duration::from_secs(20)))
            .unwrap();
        let producer = event_loop.run_in_executor_on(&pool, move || sender.send(42)).unwrap();
        producer.await.unwrap().unwrap();
        consumer.await.unwrap()
    });
    assert_eq!(received, Ok(42), "the producer ran beside the waiting consumer");
}

// ----- 5. stop() inside a nested dispatch ------------------------------------------------------

fn stop_inside_a_modal_loop_ends_the_loop_at_its_own_level_child() {
    // quit_qapp(true) on the main thread: the loop runs on QCoreApplication::exec().
    let log = Rc::new(RefCell::new(Vec::<String>::new()));
    let l = log.clone();
    let output = Runner::new().run(async move {
        let event_loop = get_running_loop().unwrap();
        let (lp, log) = (event_loop.clone(), l.clone());
        event_loop
            .call_soon(move || {
                log.borrow_mut().push("dialog open".into());
                let stopper = lp.clone();
                lp.call_soon(move || stopper.stop()).unwrap();
                let late = log.clone();
                lp.call_later(Duration::from_millis(20), move || {
                    late.borrow_mut().push("a timer after stop".into())
                })
                .unwrap();
                let opened = Instant::now();
                run_nested_event_loop(Duration::from_millis(100));
                let open_for = opened.elapsed();
                log.borrow_mut().push(format!(
                    "dialog closed by itself: {}",
                    open_for >= Duration::from_millis(100)
                ));
            })
            .unwrap();
        let log = l.clone();
        event_loop
            .call_soon(move || log.borrow_mut().push("same iteration as the dialog".into()))
            .unwrap();
    });
    assert_eq!(output.unwrap(), Some(()));
    // The loop goes on inside the dialog (the rest of the dialog's iteration, then the timer:
    // a task could be what closes a dialog); the stop is not lost, and does not close the
    // dialog; once the dialog has returned, the outermost dispatch stops at once.
    assert_eq!(
        *log.borrow(),
        vec![
            "dialog open".to_string(),
            "same iteration as the dialog".to_string(),
            "a timer after stop".to_string(),
            "dialog closed by itself: true".to_string(),
        ]
    );
}

fn stop_inside_a_modal_loop_ends_the_loop_at_its_own_level() {
    child_passes("stop_inside_a_modal_loop_ends_the_loop_at_its_own_level");
}

// ----- 6. a panicking Drop is reported, never escapes ------------------------------------------

struct PanicOnDrop(&'static str);
impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("{}", self.0);
    }
}

fn a_panicking_drop_of_a_detached_tasks_output_is_reported() {
    let (reports, timer_ran) = on_loop(async {
        let event_loop = get_running_loop().unwrap();
        let reports = capture_reports(&event_loop);
        event_loop.create_task(async { PanicOnDrop("output drop") }).unwrap().detach();
        let timer_ran = Rc::new(Cell::new(false));
        let t = timer_ran.clone();
        event_loop.call_later(Duration::from_millis(5), move || t.set(true)).unwrap();
        until(|| timer_ran.get()).await;
        let reports = reports.borrow().iter().map(|report| report.to_string()).collect::<Vec<_>>();
        (reports, timer_ran.get())
    });
    assert!(timer_ran);
    assert!(
        reports.iter().any(|r| r.contains("detached task's output") && r.contains("output drop")),
        "{reports:?}"
    );
}

fn a_panicking_drop_of_a_timer_closure_cancelled_by_close_is_reported() {
    let event_loop = EventLoop::new();
    let reports = capture_reports(&event_loop);
    let guard = PanicOnDrop("timer closure drop");
    event_loop.call_later(Duration::from_secs(3600), move || drop(guard)).unwrap();
    let guard = PanicOnDrop("callback drop");
    event_loop.call_soon(move || drop(guard)).unwrap();
    event_loop.close().unwrap();
    let reports = reports.borrow().iter().map(|report| report.to_string()).collect::<Vec<_>>();
    assert!(reports.iter().any(|r| r.contains("timer closure drop")), "{reports:?}");
    assert!(reports.iter().any(|r| r.contains("callback drop")), "{reports:?}");
}

// ----- 8. SIGINT and the application are set up under locks ------------------------------------

fn two_threads_toggling_sigint_do_not_race_child() {
    // The default action to start from, whatever the parent left (a background job of a
    // non-interactive shell starts with SIGINT ignored, and a child inherits that).
    // SAFETY: resets a disposition before any thread of this process handles signals.
    unsafe { libc::signal(libc::SIGINT, libc::SIG_DFL) };
    let threads: Vec<_> = (0..2)
        .map(|_| {
            std::thread::spawn(|| {
                for _ in 0..200 {
                    let run = Runner::new()
                        .keep_running(false)
                        .quit_qapp(false)
                        .handle_sigint(true)
                        .run(async { yield_now().await });
                    // One loop at a time may own SIGINT; the other is told so.
                    assert!(
                        matches!(run, Ok(Some(())) | Err(RunError::SigintUnavailable)),
                        "{run:?}"
                    );
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    // Every install was undone: the default action (terminate) is back.
    println!("raced");
    let status =
        Command::new("kill").args(["-INT", &std::process::id().to_string()]).status().unwrap();
    assert!(status.success());
    std::thread::sleep(Duration::from_secs(10));
    println!("SIGINT was ignored");
}

fn two_threads_toggling_sigint_do_not_race() {
    let output = run_child("two_threads_toggling_sigint_do_not_race");
    use std::os::unix::process::ExitStatusExt;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("raced"), "{stdout} {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.signal(), Some(2), "SIGINT's default action was restored: {stdout}");
}

// ----- 9. no RefCell borrow held while user code runs ------------------------------------------

fn a_removed_done_callback_whose_drop_adds_a_callback_does_not_panic() {
    let event_loop = EventLoop::new();
    let future = event_loop.create_future::<u32>();
    struct AddOnDrop(qtasync::LoopFuture<u32>);
    impl Drop for AddOnDrop {
        fn drop(&mut self) {
            self.0.add_done_callback(|_| {});
        }
    }
    let guard = AddOnDrop(future.clone());
    let id = future.add_done_callback(move |_| drop(guard));
    assert_eq!(future.remove_done_callback(id), 1);

    let task = event_loop.create_task(async {}).unwrap();
    struct AddToTaskOnDrop(qtasync::TaskRef);
    impl Drop for AddToTaskOnDrop {
        fn drop(&mut self) {
            self.0.add_done_callback(|_| {});
        }
    }
    let guard = AddToTaskOnDrop(task.task_ref());
    let id = task.add_done_callback(move |_| drop(guard));
    assert_eq!(task.remove_done_callback(id), 1);
    event_loop.close().unwrap();
}

#[derive(Debug)]
struct Sneaky(Rc<RefCell<Option<qtasync::LoopFuture<Sneaky>>>>);
impl Clone for Sneaky {
    fn clone(&self) -> Self {
        // Touches the future whose result is being cloned (tries to cancel it: too late).
        let future = self.0.borrow().clone().unwrap();
        assert!(!future.cancel(None));
        Sneaky(self.0.clone())
    }
}

fn result_whose_clone_uses_the_same_future_does_not_panic() {
    let event_loop = EventLoop::new();
    let future = event_loop.create_future::<Sneaky>();
    let slot = Rc::new(RefCell::new(Some(future.clone())));
    future.set_result(Sneaky(slot.clone())).unwrap();
    assert!(future.result().is_ok());
    slot.borrow_mut().take();
    event_loop.close().unwrap();
}

thread_local! {
    static WATCHED: RefCell<Option<qtasync::LoopFuture<u32>>> = const { RefCell::new(None) };
    static POLLED_IN_WAKE: Cell<bool> = const { Cell::new(false) };
}

/// A waker that, when woken, polls the future that woke it (as an executor polling inline does).
struct PollingWaker;
impl std::task::Wake for PollingWaker {
    fn wake(self: std::sync::Arc<Self>) {
        let future = WATCHED.with(|watched| watched.borrow().clone());
        if let Some(mut future) = future {
            let waker = std::task::Waker::noop();
            let mut context = std::task::Context::from_waker(waker);
            let polled = std::future::Future::poll(Pin::new(&mut future), &mut context);
            POLLED_IN_WAKE.with(|polled_in_wake| polled_in_wake.set(polled.is_ready()));
        }
    }
}

fn a_waker_that_polls_the_future_that_woke_it_does_not_panic() {
    let event_loop = EventLoop::new();
    let mut future = event_loop.create_future::<u32>();
    WATCHED.with(|watched| *watched.borrow_mut() = Some(future.clone()));
    let waker = std::task::Waker::from(std::sync::Arc::new(PollingWaker));
    let mut context = std::task::Context::from_waker(&waker);
    assert!(std::future::Future::poll(Pin::new(&mut future), &mut context).is_pending());
    future.set_result(3).unwrap();
    assert!(POLLED_IN_WAKE.with(Cell::get), "the waker polled the future and saw it done");
    WATCHED.with(|watched| watched.borrow_mut().take());
    event_loop.close().unwrap();
}

fn close_frees_a_task_that_captured_its_own_loop() {
    struct Flag(Rc<Cell<bool>>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let dropped = Rc::new(Cell::new(false));
    let event_loop = EventLoop::new();
    let captured = event_loop.clone();
    let flag = Flag(dropped.clone());
    event_loop
        .create_task(async move {
            let _flag = flag;
            let _loop = captured; // an Rc cycle: the loop owns the task, the task the loop
            std::future::pending::<()>().await;
        })
        .unwrap()
        .detach();
    event_loop.run_until_complete(async { yield_now().await }).unwrap();
    assert!(!dropped.get());
    event_loop.close().unwrap(); // the documented way out of the cycle
    assert!(dropped.get(), "close() dropped the task and with it the loop it captured");
}

fn main() {
    if std::env::var_os("QT_QPA_PLATFORM").is_none() {
        std::env::set_var("QT_QPA_PLATFORM", "offscreen");
    }
    let children: &[(&str, fn())] = &[
        (
            "a_run_never_deletes_the_application_another_loop_uses",
            a_run_never_deletes_the_application_another_loop_uses_child,
        ),
        (
            "a_run_on_another_thread_never_deletes_this_threads_application",
            a_run_on_another_thread_never_deletes_this_threads_application_child,
        ),
        (
            "a_loop_whose_application_is_gone_returns_an_error",
            a_loop_whose_application_is_gone_returns_an_error_child,
        ),
        (
            "deleting_the_application_never_holds_its_lock_over_user_code",
            deleting_the_application_never_holds_its_lock_over_user_code_child,
        ),
        (
            "stop_inside_a_modal_loop_ends_the_loop_at_its_own_level",
            stop_inside_a_modal_loop_ends_the_loop_at_its_own_level_child,
        ),
        ("two_threads_toggling_sigint_do_not_race", two_threads_toggling_sigint_do_not_race_child),
    ];
    if let Some(case) = child_case() {
        let (_, run) = children.iter().find(|(name, _)| *name == case).expect("a child case");
        run();
        return;
    }
    let cases: &[(&str, fn())] = &[
        (
            "a_run_never_deletes_the_application_another_loop_uses",
            a_run_never_deletes_the_application_another_loop_uses,
        ),
        (
            "a_run_on_another_thread_never_deletes_this_threads_application",
            a_run_on_another_thread_never_deletes_this_threads_application,
        ),
        (
            "a_loop_whose_application_is_gone_returns_an_error",
            a_loop_whose_application_is_gone_returns_an_error,
        ),
        (
            "deleting_the_application_never_holds_its_lock_over_user_code",
            deleting_the_application_never_holds_its_lock_over_user_code,
        ),
        (
            "an_executor_job_waiting_for_the_next_job_does_not_deadlock",
            an_executor_job_waiting_for_the_next_job_does_not_deadlock,
        ),
        (
            "stop_inside_a_modal_loop_ends_the_loop_at_its_own_level",
            stop_inside_a_modal_loop_ends_the_loop_at_its_own_level,
        ),
        (
            "a_panicking_drop_of_a_detached_tasks_output_is_reported",
            a_panicking_drop_of_a_detached_tasks_output_is_reported,
        ),
        (
            "a_panicking_drop_of_a_timer_closure_cancelled_by_close_is_reported",
            a_panicking_drop_of_a_timer_closure_cancelled_by_close_is_reported,
        ),
        ("two_threads_toggling_sigint_do_not_race", two_threads_toggling_sigint_do_not_race),
        (
            "a_removed_done_callback_whose_drop_adds_a_callback_does_not_panic",
            a_removed_done_callback_whose_drop_adds_a_callback_does_not_panic,
        ),
        (
            "result_whose_clone_uses_the_same_future_does_not_panic",
            result_whose_clone_uses_the_same_future_does_not_panic,
        ),
        (
            "a_waker_that_polls_the_future_that_woke_it_does_not_panic",
            a_waker_that_polls_the_future_that_woke_it_does_not_panic,
        ),
        (
            "close_frees_a_task_that_captured_its_own_loop",
            close_frees_a_task_that_captured_its_own_loop,
        ),
    ];
    qtasync_tests::run_cases("soundness", cases);
}
