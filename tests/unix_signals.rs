//! Unix signals on the real Qt loop: real signals sent with `kill(2)` to this process reach
//! `add_signal_handler` callbacks and `Signals` streams on the loop's thread.

use std::cell::{Cell, RefCell};
use std::io;
use std::rc::Rc;
use std::time::Duration;

use futures::StreamExt;
use qtasync::signal::Signals;
use qtasync::{get_running_loop, sleep, yield_now};
use qtasync_tests::until;

fn raise(signal: i32) {
    // SAFETY: kill(2) takes integers; the test handles `signal` before sending it.
    assert_eq!(unsafe { libc::kill(libc::getpid(), signal) }, 0);
}

#[qtasync::test(timeout = "20s")]
async fn a_handler_runs_on_the_loop_for_each_signal_sent() {
    let event_loop = get_running_loop().unwrap();
    let calls = Rc::new(Cell::new(0));
    let counter = calls.clone();
    let thread = std::thread::current().id();
    event_loop
        .add_signal_handler(libc::SIGUSR1, move || {
            assert_eq!(std::thread::current().id(), thread, "on the loop's thread");
            counter.set(counter.get() + 1);
        })
        .unwrap();
    for expected in 1..=3 {
        raise(libc::SIGUSR1);
        until(|| calls.get() == expected).await;
    }
    assert!(event_loop.remove_signal_handler(libc::SIGUSR1));
    assert!(!event_loop.remove_signal_handler(libc::SIGUSR1));
    assert_eq!(qtasync::signal::registrations(), 0);
}

#[qtasync::test(timeout = "20s")]
async fn a_handler_removed_while_its_signal_is_pending_is_not_called() {
    let event_loop = get_running_loop().unwrap();
    let called = Rc::new(Cell::new(false));
    let flag = called.clone();
    event_loop.add_signal_handler(libc::SIGUSR2, move || flag.set(true)).unwrap();
    raise(libc::SIGUSR2); // the byte is in the pipe; the loop has not run yet
    assert!(event_loop.remove_signal_handler(libc::SIGUSR2));
    sleep(Duration::from_millis(30)).await;
    assert!(!called.get());
    // The process survived the signal, and a new handler works.
    let flag = called.clone();
    event_loop.add_signal_handler(libc::SIGUSR2, move || flag.set(true)).unwrap();
    raise(libc::SIGUSR2);
    until(|| called.get()).await;
    assert!(event_loop.remove_signal_handler(libc::SIGUSR2));
}

#[qtasync::test(timeout = "20s")]
async fn a_panicking_handler_is_reported_and_the_loop_goes_on() {
    let event_loop = get_running_loop().unwrap();
    let reports = Rc::new(RefCell::new(Vec::new()));
    let sink = reports.clone();
    event_loop.set_exception_handler(Some(Rc::new(move |_, context| {
        sink.borrow_mut().push(format!("{}: {:?}", context.message, context.exception))
    })));
    event_loop.add_signal_handler(libc::SIGHUP, || panic!("handler boom")).unwrap();
    raise(libc::SIGHUP);
    until(|| !reports.borrow().is_empty()).await;
    assert!(reports.borrow()[0].contains("handler boom"));
    assert!(event_loop.remove_signal_handler(libc::SIGHUP));
    event_loop.set_exception_handler(None);
}

#[qtasync::test(timeout = "20s")]
async fn a_signals_stream_yields_each_signal_and_releases_them_when_dropped() {
    let mut signals = Signals::new(&[libc::SIGUSR1, libc::SIGUSR2]).unwrap();
    assert_eq!(qtasync::signal::registrations(), 2);
    raise(libc::SIGUSR2);
    assert_eq!(signals.next().await, Some(libc::SIGUSR2));
    raise(libc::SIGUSR1);
    assert_eq!(signals.next().await, Some(libc::SIGUSR1));
    for _ in 0..10 {
        yield_now().await;
    }
    drop(signals);
    assert_eq!(qtasync::signal::registrations(), 0);
}

#[qtasync::test(timeout = "20s")]
async fn signals_that_cannot_be_handled_are_invalid_input() {
    let event_loop = get_running_loop().unwrap();
    for signal in [libc::SIGKILL, libc::SIGSTOP, libc::SIGSEGV, 0, -1, 99] {
        let error = event_loop.add_signal_handler(signal, || {}).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "signal {signal}");
        assert_eq!(Signals::new(&[signal]).unwrap_err().kind(), io::ErrorKind::InvalidInput);
    }
    assert_eq!(qtasync::signal::registrations(), 0);
}
