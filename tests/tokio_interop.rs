//! The `tokio` feature on the real Qt loop: tokio I/O, timers, channels and tasks awaited from
//! qtasync tasks and callbacks (real TCP on localhost), `qtasync::tokio::spawn`, the choice of
//! runtime, and the faults: a runtime shut down under awaiting tasks, a panic on the runtime,
//! tokio futures of a loop that closed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use qtasync::testing::{run_nested_event_loop, run_test};
use qtasync::tokio::{set_runtime, spawn_blocking, unset_runtime, with_runtime, TokioTaskError};
use qtasync::{get_running_loop, yield_now, EventLoop, LoopClosed, LoopError, RunError, TaskError};
use qtasync_tests::until;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::{Builder, Handle, Runtime};

const HOUR: Duration = Duration::from_secs(3600);

/// Runs `body` synchronously on the Qt thread, outside any loop (for tests that drive loops).
fn on_qt_thread(body: impl FnOnce() + Send + 'static) {
    run_test(None, move || {
        body();
        async {}
    });
}

/// A runtime of the test's own, with one worker named `name`.
fn own_runtime(name: &str) -> Runtime {
    Builder::new_multi_thread().worker_threads(1).thread_name(name).enable_all().build().unwrap()
}

/// Sets its flag when dropped: shows a future was dropped (and where it ran to).
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

// ----- tokio futures inside qtasync tasks -----------------------------------------------------

#[qtasync::test(timeout = "60s")]
async fn tokio_tcp_round_trips_on_localhost_from_a_qtasync_task() {
    let qt = thread::current().id();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    // A line echo server on the runtime's workers.
    let server = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (reader, mut writer) = socket.into_split();
        let mut lines = BufReader::new(reader).lines();
        let mut echoed = 0;
        while let Some(line) = lines.next_line().await.unwrap() {
            writer.write_all(format!("{line}\n").as_bytes()).await.unwrap();
            echoed += 1;
        }
        (echoed, thread::current().id())
    });
    let stream = TcpStream::connect(address).await.unwrap();
    let (reader, mut writer) = stream.into_split();
    let mut lines = BufReader::new(reader).lines();
    for i in 0..200 {
        writer.write_all(format!("message {i}\n").as_bytes()).await.unwrap();
        let line = lines.next_line().await.unwrap().unwrap();
        assert_eq!(line, format!("message {i}"));
        assert_eq!(thread::current().id(), qt, "the task resumes on the Qt thread");
    }
    drop(writer);
    let (echoed, server_thread) = server.await.unwrap();
    assert_eq!(echoed, 200);
    assert_ne!(server_thread, qt, "tokio::spawn runs on the runtime's workers");
}

#[qtasync::test(timeout = "60s")]
async fn tokio_timers_channels_and_blocking_calls_work_in_tasks_and_callbacks() {
    let start = Instant::now();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(start.elapsed() >= Duration::from_millis(20));
    let never = tokio::time::timeout(Duration::from_millis(5), std::future::pending::<()>()).await;
    assert!(never.is_err(), "tokio's timeout elapses");

    let (sender, mut receiver) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        for i in 0..500 {
            sender.send(i).await.unwrap();
        }
    });
    let mut received = Vec::new();
    while let Some(i) = receiver.recv().await {
        received.push(i);
    }
    assert!(received.into_iter().eq(0..500));

    assert_eq!(tokio::task::spawn_blocking(|| 6 * 7).await.unwrap(), 42);

    // A plain callback runs inside the runtime's context too.
    let (sender, entered) = tokio::sync::oneshot::channel();
    get_running_loop()
        .unwrap()
        .call_soon(move || {
            let _ = sender.send(Handle::try_current().is_ok());
        })
        .unwrap();
    assert!(entered.await.unwrap());
}

#[qtasync::test(timeout = "60s")]
async fn a_nested_qt_loop_inside_a_task_keeps_other_tasks_tokio_futures_going() {
    let (sender, result) = tokio::sync::oneshot::channel();
    let other = qtasync::spawn(async move {
        tokio::time::sleep(Duration::from_millis(10)).await;
        let value = qtasync::tokio::spawn(async { 3 }).await.unwrap();
        sender.send(value).unwrap();
    })
    .unwrap();
    // What a modal dialog's exec() does: a nested Qt loop inside this task's step.
    run_nested_event_loop(Duration::from_millis(300));
    assert!(
        other.done(),
        "the other task's tokio timer and spawn completed inside the nested loop"
    );
    assert_eq!(result.await.unwrap(), 3);
    tokio::time::sleep(Duration::from_millis(1)).await;
}

// ----- qtasync::tokio::spawn ------------------------------------------------------------------

#[qtasync::test(timeout = "60s")]
async fn spawn_runs_on_a_tokio_worker_and_its_output_comes_back_to_the_qt_thread() {
    let qt = thread::current().id();
    let there = qtasync::tokio::spawn(async {
        tokio::time::sleep(Duration::from_millis(2)).await;
        thread::current().id()
    })
    .await
    .unwrap();
    assert_ne!(there, qt);
    assert_eq!(thread::current().id(), qt);
    let blocking = spawn_blocking(|| thread::current().id()).await.unwrap();
    assert_ne!(blocking, qt);
    // Awaitable from a thread that runs no loop as well.
    let elsewhere = thread::spawn(|| {
        let _entered = qtasync::tokio::runtime().unwrap().enter();
        futures::executor::block_on(qtasync::tokio::spawn(async { 5 }))
    });
    assert_eq!(elsewhere.join().unwrap().unwrap(), 5);
}

#[qtasync::test(timeout = "60s")]
async fn a_panic_in_a_tokio_spawned_future_is_the_awaiting_tasks_error() {
    let error = qtasync::tokio::spawn(async {
        tokio::time::sleep(Duration::from_millis(1)).await;
        panic!("tokio side boom");
    })
    .await
    .unwrap_err();
    match error {
        TokioTaskError::Panicked(panic) => assert_eq!(panic.message(), "tokio side boom"),
        other => panic!("expected a panic, got {other:?}"),
    }
    match spawn_blocking(|| panic!("blocking boom")).await {
        Err(TokioTaskError::Panicked(panic)) => assert_eq!(panic.message(), "blocking boom"),
        other => panic!("expected a panic, got {other:?}"),
    }
    // Propagated with `?`/unwrap, it is the qtasync task's error.
    let task = qtasync::spawn(async {
        qtasync::tokio::spawn(async { panic!("deep boom") }).await.unwrap();
    })
    .unwrap();
    match task.await {
        Err(TaskError::Panicked(panic)) => assert!(panic.message().contains("deep boom")),
        other => panic!("expected the task to fail, got {other:?}"),
    }
}

#[qtasync::test(timeout = "60s")]
async fn dropping_a_tokio_task_aborts_it_abort_cancels_and_detach_lets_it_run() {
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = DropFlag(dropped.clone());
    let task = qtasync::tokio::spawn(async move {
        let _flag = flag;
        std::future::pending::<()>().await;
    });
    drop(task);
    until(|| dropped.load(Ordering::SeqCst)).await;

    let mut task = qtasync::tokio::spawn(std::future::pending::<()>());
    task.abort();
    assert!(matches!(task.await, Err(TokioTaskError::Cancelled)));

    let (sender, detached) = tokio::sync::oneshot::channel();
    qtasync::tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(10)).await;
        sender.send(5).unwrap();
    })
    .detach();
    assert_eq!(detached.await.unwrap(), 5);
}

// ----- which runtime --------------------------------------------------------------------------

/// Puts the default runtime back even when the test fails.
struct Unset;

impl Drop for Unset {
    fn drop(&mut self) {
        unset_runtime();
    }
}

async fn runtime_thread_name() -> String {
    tokio::spawn(async { thread::current().name().unwrap_or_default().to_owned() }).await.unwrap()
}

#[qtasync::test(timeout = "60s")]
async fn set_runtime_chooses_the_runtime_later_dispatches_enter_and_unset_goes_back() {
    let runtime = own_runtime("chosen-runtime");
    let _unset = Unset;
    assert!(set_runtime(runtime.handle().clone()).is_none());
    // This step runs in the dispatch that entered the previous runtime; the next ones enter it.
    qtasync::sleep(Duration::from_millis(1)).await;
    assert_eq!(Handle::current().id(), runtime.handle().id());
    assert_eq!(qtasync::tokio::runtime().unwrap().id(), runtime.handle().id());
    assert_eq!(runtime_thread_name().await, "chosen-runtime");
    assert_eq!(unset_runtime().map(|handle| handle.id()), Some(runtime.handle().id()));
    qtasync::sleep(Duration::from_millis(1)).await;
    assert_eq!(runtime_thread_name().await, "qtasync-tokio");
    runtime.shutdown_background();
}

#[test]
fn a_runtime_the_thread_entered_is_the_one_its_loops_use() {
    on_qt_thread(|| {
        let runtime = own_runtime("entered-runtime");
        let entered = runtime.enter();
        let event_loop = EventLoop::new();
        let name = event_loop.run_until_complete(runtime_thread_name()).unwrap();
        assert_eq!(name, "entered-runtime");
        event_loop.close().unwrap();
        drop(entered);
        runtime.shutdown_background();
    });
}

#[qtasync::test(timeout = "60s")]
async fn with_runtime_binds_one_futures_tokio_work_to_the_given_runtime() {
    let runtime = own_runtime("scoped-runtime");
    let name = with_runtime(runtime.handle().clone(), runtime_thread_name()).await;
    assert_eq!(name, "scoped-runtime");
    assert_eq!(runtime_thread_name().await, "qtasync-tokio", "only that future was affected");
    runtime.shutdown_background();
}

// ----- faults ---------------------------------------------------------------------------------

#[qtasync::test(timeout = "60s")]
async fn the_runtime_shutting_down_under_awaiting_qt_tasks_ends_each_with_an_error() {
    let runtime = own_runtime("doomed-runtime");
    let handle = runtime.handle().clone();
    let spawned = qtasync::spawn(with_runtime(handle.clone(), async {
        qtasync::tokio::spawn(std::future::pending::<()>()).await
    }))
    .unwrap();
    // Made inside the poll: `tokio::time::sleep(d)` binds to the runtime it is called in.
    let sleeping =
        qtasync::spawn(with_runtime(handle.clone(), async { tokio::time::sleep(HOUR).await }))
            .unwrap();
    let listener = with_runtime(handle.clone(), TcpListener::bind("127.0.0.1:0")).await.unwrap();
    let address = listener.local_addr().unwrap();
    let reading = qtasync::spawn(with_runtime(handle.clone(), async move {
        let mut stream = TcpStream::connect(address).await?;
        let mut byte = [0u8; 1];
        stream.read(&mut byte).await
    }))
    .unwrap();
    qtasync::sleep(Duration::from_millis(50)).await;
    assert!(!spawned.done() && !sleeping.done() && !reading.done(), "all three await tokio");

    runtime.shutdown_background();

    assert!(matches!(spawned.await.unwrap(), Err(TokioTaskError::RuntimeShutdown)));
    match sleeping.await {
        Err(TaskError::Panicked(panic)) => {
            assert!(panic.message().contains("shutdown"), "tokio's message: {}", panic.message())
        }
        other => panic!("expected tokio's timer shutdown panic, got {other:?}"),
    }
    let read = reading.await.unwrap();
    assert!(read.is_err(), "the read ends with an I/O error, got {read:?}");
    // Work given to the runtime after it shut down fails at once.
    let late = {
        let _entered = handle.enter();
        qtasync::tokio::spawn(async { 1 })
    };
    assert!(matches!(late.await, Err(TokioTaskError::RuntimeShutdown)));
    drop(listener);
}

#[test]
fn tokio_futures_of_a_closed_loop_are_released_and_the_closed_loop_refuses_more() {
    on_qt_thread(|| {
        let event_loop = EventLoop::new();
        let (sender, receiver) = tokio::sync::oneshot::channel::<u32>();
        let dropped = Arc::new(AtomicBool::new(false));
        let flag = DropFlag(dropped.clone());
        let (address, output) = event_loop
            .run_until_complete(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let address = listener.local_addr().unwrap();
                qtasync::spawn(async move {
                    let _flag = flag;
                    let _ = receiver.await;
                })
                .unwrap();
                qtasync::spawn(async move {
                    let _ = listener.accept().await;
                })
                .unwrap();
                qtasync::spawn(tokio::time::sleep(HOUR)).unwrap();
                let output = qtasync::tokio::spawn(async { 5 });
                for _ in 0..20 {
                    yield_now().await;
                }
                (address, output)
            })
            .unwrap();
        assert_eq!(event_loop.task_count(), 3, "three tasks still await tokio futures");
        event_loop.close().unwrap();
        assert!(dropped.load(Ordering::SeqCst), "the futures were dropped by close()");
        assert!(sender.is_closed(), "the tokio side sees the receiver gone");
        std::net::TcpListener::bind(address).expect("the listener was closed with its task");
        // A TokioTask is tokio's work: it outlives the loop that started it.
        assert_eq!(futures::executor::block_on(output).unwrap(), 5);
        // The closed loop refuses tokio futures like any other.
        let refused = event_loop.run_until_complete(async { tokio::task::yield_now().await });
        assert!(matches!(refused, Err(RunError::Loop(LoopError::Closed))));
        assert_eq!(event_loop.create_task(async {}).unwrap_err(), LoopClosed);
    });
}

/// `#[qtasync::test(tokio_workers = 3)]`: the test's loop runs in a runtime of its own, which its
/// tasks use too, while qtasync's runtime for everything else stays as it was.
#[qtasync::test(tokio_workers = 3)]
async fn a_test_gets_a_runtime_of_its_own() {
    let current = tokio::runtime::Handle::current();
    assert_eq!(current.metrics().num_workers(), 3);
    assert_ne!(qtasync::tokio::runtime().unwrap().id(), current.id(), "not installed globally");
    let in_task = qtasync::spawn(async { tokio::runtime::Handle::current().id() }).unwrap();
    assert_eq!(in_task.await.unwrap(), current.id());
    tokio::time::sleep(Duration::from_millis(2)).await;
}

fn one_worker_runtime() -> tokio::runtime::Handle {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap()
        })
        .handle()
        .clone()
}

/// `#[qtasync::test(tokio_runtime = f)]`: the test's loop runs in the runtime `f` returns.
#[qtasync::test(tokio_runtime = one_worker_runtime)]
async fn a_test_uses_the_runtime_a_function_returns() {
    assert_eq!(tokio::runtime::Handle::current().id(), one_worker_runtime().id());
    tokio::time::sleep(Duration::from_millis(2)).await;
}
