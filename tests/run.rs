//! `run()` / `Runner` on the process's main thread, where applications are created, quit and
//! deleted (so this target has `harness = false`: libtest would run each case on a new thread).
//! Also SIGINT, sent to a child process that runs `Runner::handle_sigint(true)`.

use std::cell::Cell;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use qtasync::{get_running_loop, quit_application, sleep, RunError, Runner, TaskError};

struct Finally(Rc<Cell<bool>>);
impl Drop for Finally {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

fn runs_on_an_application_the_user_created() {
    // A QGuiApplication made by the user first (as a GUI program does); qtasync never deletes it.
    let mut app = cxx_qt_lib::QGuiApplication::new();
    for quit_qapp in [false, true] {
        let output = Runner::new().keep_running(false).quit_qapp(quit_qapp).run(async {
            sleep(Duration::from_millis(5)).await;
            "on the user's QGuiApplication"
        });
        assert_eq!(output.unwrap(), Some("on the user's QGuiApplication"));
    }
    // Still alive after a quit_qapp(true) run: qtasync did not delete what it did not create.
    app.pin_mut().set_application_name(&cxx_qt_lib::QString::from("still here"));
    assert_eq!(app.application_name().to_string(), "still here");
    drop(app);
}

fn keep_running_false_returns_the_output() {
    let output = Runner::new().keep_running(false).run(async {
        sleep(Duration::from_millis(5)).await;
        0
    });
    // QtAsyncio turns falsy results into None; we return the value.
    assert_eq!(output.unwrap(), Some(0));
}

fn quit_qapp_false_returns_and_the_application_serves_the_next_run() {
    for i in 0..3 {
        let output = Runner::new().keep_running(false).quit_qapp(false).run(async move { i });
        assert_eq!(output.unwrap(), Some(i), "QtAsyncio never returns here");
    }
}

fn keep_running_true_runs_on_after_the_future_until_stop() {
    let started = Instant::now();
    let output = Runner::new().run(async {
        let event_loop = get_running_loop().unwrap();
        let lp = event_loop.clone();
        event_loop.call_later(Duration::from_millis(30), move || lp.stop()).unwrap();
        "main done"
    });
    assert_eq!(output.unwrap(), Some("main done"));
    assert!(started.elapsed() >= Duration::from_millis(30), "the loop kept running after main");
}

fn run_forever_without_keep_running_is_an_error() {
    assert!(matches!(Runner::new().keep_running(false).run_forever(), Err(RunError::NothingToRun)));
}

fn a_panicking_main_future_is_an_error_with_keep_running_false() {
    let result = Runner::new().keep_running(false).run(async { panic!("main boom") });
    match result {
        Err(RunError::Task(TaskError::Panicked(panic))) => assert_eq!(panic.message(), "main boom"),
        other => panic!("{other:?}"),
    }
}

fn the_application_quitting_from_outside_ends_the_run_and_cancels_tasks() {
    // Qt 6 ignores QCoreApplication::quit() unless QCoreApplication::exec() runs, which is the
    // case with quit_qapp(true) (the default); with quit_qapp(false) the loop runs on a local
    // QEventLoop that only stop() ends.
    let cleaned = Rc::new(Cell::new(false));
    let c = cleaned.clone();
    let result = Runner::new().keep_running(false).run(async move {
        let event_loop = get_running_loop().unwrap();
        let _background = event_loop.create_task(async move {
            let _finally = Finally(c);
            sleep(Duration::from_secs(30)).await;
        });
        sleep(Duration::from_millis(5)).await;
        // What closing the last window does.
        quit_application();
        sleep(Duration::from_secs(30)).await;
    });
    assert!(matches!(result, Err(RunError::ApplicationQuit)), "{result:?}");
    assert!(cleaned.get(), "the pending task's destructors ran");
    // With keep_running, the application quitting is the normal end of a GUI program.
    let result = Runner::new().run(async {
        quit_application();
        7
    });
    assert_eq!(result.unwrap(), Some(7));
}

fn run_inside_a_running_loop_is_an_error() {
    let inner = Runner::new()
        .keep_running(false)
        .run(async { Runner::new().keep_running(false).quit_qapp(false).run(async {}).map(|_| ()) })
        .unwrap()
        .unwrap();
    assert!(
        matches!(inner, Err(RunError::Loop(qtasync::LoopError::AnotherLoopRunning))),
        "{inner:?}"
    );
}

struct Announce(&'static str);
impl Drop for Announce {
    fn drop(&mut self) {
        println!("{}", self.0);
    }
}

/// The child: waits forever with SIGINT handled, reports how it ended.
fn sigint_child(load: bool) {
    let result = Runner::new().handle_sigint(true).run(async move {
        let event_loop = get_running_loop().unwrap();
        let _task = event_loop.create_task(async {
            let _announce = Announce("task cleanup ran");
            std::future::pending::<()>().await;
        });
        if load {
            // Keep the loop saturated: every callback schedules another.
            fn spin(count: Rc<Cell<u64>>) {
                count.set(count.get() + 1);
                let event_loop = get_running_loop().unwrap();
                let _ = event_loop.call_soon(move || spin(count));
            }
            for _ in 0..10_000 {
                let count = Rc::new(Cell::new(0));
                event_loop.call_soon(move || spin(count)).unwrap();
            }
        }
        sleep(Duration::from_millis(20)).await;
        println!("ready");
        std::io::stdout().flush().unwrap();
        std::future::pending::<()>().await;
    });
    match result {
        Err(RunError::Interrupted) => println!("interrupted cleanly"),
        other => println!("unexpected: {other:?}"),
    }
}

fn sigint_stops_a_child_cleanly() {
    for load in ["idle", "load"] {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env("QTASYNC_TEST_SIGINT_CHILD", load)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        assert_eq!(lines.next().unwrap().unwrap(), "ready");
        let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "the child did not stop after SIGINT ({load})");
            std::thread::sleep(Duration::from_millis(10));
        };
        let rest: Vec<String> = lines.map(Result::unwrap).collect();
        assert!(status.success(), "{status:?} {rest:?}");
        assert_eq!(rest, vec!["task cleanup ran", "interrupted cleanly"], "({load})");
    }
}

fn main() {
    if let Ok(mode) = std::env::var("QTASYNC_TEST_SIGINT_CHILD") {
        sigint_child(mode == "load");
        return;
    }
    if std::env::var_os("QT_QPA_PLATFORM").is_none() {
        // GUI applications need a platform plugin; no other thread runs yet.
        std::env::set_var("QT_QPA_PLATFORM", "offscreen");
    }
    let cases: &[(&str, fn())] = &[
        // First: it creates the process's application itself.
        ("runs_on_an_application_the_user_created", runs_on_an_application_the_user_created),
        ("keep_running_false_returns_the_output", keep_running_false_returns_the_output),
        (
            "quit_qapp_false_returns_and_the_application_serves_the_next_run",
            quit_qapp_false_returns_and_the_application_serves_the_next_run,
        ),
        (
            "keep_running_true_runs_on_after_the_future_until_stop",
            keep_running_true_runs_on_after_the_future_until_stop,
        ),
        (
            "run_forever_without_keep_running_is_an_error",
            run_forever_without_keep_running_is_an_error,
        ),
        (
            "a_panicking_main_future_is_an_error_with_keep_running_false",
            a_panicking_main_future_is_an_error_with_keep_running_false,
        ),
        (
            "the_application_quitting_from_outside_ends_the_run_and_cancels_tasks",
            the_application_quitting_from_outside_ends_the_run_and_cancels_tasks,
        ),
        ("run_inside_a_running_loop_is_an_error", run_inside_a_running_loop_is_an_error),
        ("sigint_stops_a_child_cleanly", sigint_stops_a_child_cleanly),
    ];
    qtasync_tests::run_cases("run", cases);
}
