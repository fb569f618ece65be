//! Loops in worker threads on the real Qt loop: `WorkerLoop`, `LoopHandle::spawn`/`spawn_with`/
//! `run` between loops, `to_thread`, and the faults: a worker stopped with tasks submitted to
//! it, panics on the other loop, cancellation by drop, and a million cross-loop submissions.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

use qtasync::worker::WorkerLoop;
use qtasync::{
    get_running_loop, sleep, to_thread, ExceptionContext, ExecutorError, LoopClosed, RemoteError,
    RemoteTask,
};
use qtasync_tests::until;

const HOUR: Duration = Duration::from_secs(3600);

/// Sets its flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// `QTASYNC_LOAD_SCALE` (default 1) scales the load cases, as in `tests/reliability/`.
fn scaled(count: usize) -> usize {
    let scale: f64 =
        std::env::var("QTASYNC_LOAD_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    ((count as f64 * scale) as usize).max(10)
}

// ----- WorkerLoop and cross-loop tasks --------------------------------------------------------

#[qtasync::test(timeout = "60s")]
async fn a_worker_loop_runs_submitted_tasks_on_its_own_thread_until_joined() {
    let qt = thread::current().id();
    let worker = WorkerLoop::start_named("test-worker").unwrap();
    let handle = worker.handle();
    let (id, name, has_loop) = handle
        .spawn_with(|| async {
            sleep(Duration::from_millis(5)).await; // the worker's own timer heap and Qt timer
            let name = thread::current().name().map(str::to_owned);
            (thread::current().id(), name, get_running_loop().is_ok())
        })
        .unwrap()
        .await
        .unwrap();
    assert_ne!(id, qt);
    assert_eq!(name.as_deref(), Some("test-worker"));
    assert!(has_loop, "the task runs on the worker's running loop");
    assert_eq!(thread::current().id(), qt, "the awaiting task resumed on the Qt thread");
    assert!(!worker.is_finished());
    worker.join().unwrap();
    assert!(handle.is_closed());
    assert_eq!(handle.spawn(async {}).unwrap_err(), LoopClosed);
    assert!(matches!(handle.run(async {}).await, Err(RemoteError::LoopClosed)));
}

#[qtasync::test(timeout = "60s")]
async fn spawn_with_builds_non_send_state_on_the_worker_thread() {
    let worker = WorkerLoop::start().unwrap();
    let sum = worker
        .handle()
        .run_with(|| {
            let local = Rc::new(Cell::new(0)); // !Send: made and used on the worker only
            async move {
                for i in 1..=10 {
                    local.set(local.get() + i);
                    qtasync::yield_now().await;
                }
                local.get()
            }
        })
        .await
        .unwrap();
    assert_eq!(sum, 55);
    worker.join().unwrap();
}

#[qtasync::test(timeout = "60s")]
async fn run_hops_a_continuation_to_the_worker_and_back_and_nests() {
    let here = thread::current().id();
    let qt_loop = get_running_loop().unwrap().threadsafe_handle();
    let worker = WorkerLoop::start().unwrap();
    let (there, back) = worker
        .handle()
        .run(async move {
            let there = thread::current().id();
            // From the worker, a hop back to the Qt loop, awaited on the worker.
            let back = qt_loop.run(async { thread::current().id() }).await.unwrap();
            (there, back)
        })
        .await
        .unwrap();
    assert_ne!(there, here);
    assert_eq!(back, here);
    assert_eq!(thread::current().id(), here);
    worker.join().unwrap();
}

#[qtasync::test(timeout = "60s")]
async fn tokio_futures_work_on_a_worker_loop_too() {
    let worker = WorkerLoop::start().unwrap();
    let entered = worker
        .handle()
        .run(async {
            tokio::time::sleep(Duration::from_millis(2)).await;
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            listener.local_addr().is_ok() && tokio::runtime::Handle::try_current().is_ok()
        })
        .await
        .unwrap();
    assert!(entered);
    worker.join().unwrap();
}

#[qtasync::test(timeout = "60s")]
async fn a_panic_on_the_other_loop_is_the_submitters_error_and_the_loop_goes_on() {
    let worker = WorkerLoop::start().unwrap();
    let handle = worker.handle();
    match handle.run(async { panic!("worker boom") }).await {
        Err(RemoteError::Panicked(panic)) => assert_eq!(panic.message(), "worker boom"),
        other => panic!("expected the panic, got {other:?}"),
    }
    let made: RemoteTask<()> =
        handle.run_with(|| -> std::future::Ready<()> { panic!("make boom") });
    match made.await {
        Err(RemoteError::Panicked(panic)) => assert_eq!(panic.message(), "make boom"),
        other => panic!("expected the panic, got {other:?}"),
    }
    assert_eq!(handle.run(async { 1 }).await.unwrap(), 1, "the worker loop goes on");

    // Detached, nobody can retrieve the panic: the worker loop's handler gets it.
    let (reports, reported) = mpsc::channel::<String>();
    handle
        .run_with(move || {
            let reports = std::sync::Mutex::new(reports);
            get_running_loop().unwrap().set_exception_handler(Some(Rc::new(
                move |_, context: &ExceptionContext| {
                    let _ = reports.lock().unwrap().send(context.to_string());
                },
            )));
            async {}
        })
        .await
        .unwrap();
    handle.spawn(async { panic!("detached boom") }).unwrap().detach();
    let mut report = None;
    until(|| {
        report = report.take().or_else(|| reported.try_recv().ok());
        report.is_some()
    })
    .await;
    let report = report.unwrap();
    assert!(report.contains("never retrieved") && report.contains("detached boom"), "{report}");
    worker.join().unwrap();
}

#[qtasync::test(timeout = "60s")]
async fn dropping_a_remote_task_cancels_it_on_its_loop_and_detach_lets_it_run() {
    let worker = WorkerLoop::start().unwrap();
    let handle = worker.handle();
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = DropFlag(dropped.clone());
    let task = handle
        .spawn_with(move || async move {
            let _flag = flag;
            sleep(HOUR).await;
        })
        .unwrap();
    handle.run(async {}).await.unwrap(); // it started
    drop(task);
    until(|| dropped.load(Ordering::SeqCst)).await;
    let count = handle.run(async { get_running_loop().unwrap().task_count() }).await.unwrap();
    assert_eq!(count, 1, "only the counting task is left on the worker");

    let (sender, detached) = futures::channel::oneshot::channel();
    handle
        .spawn_with(move || async move {
            sleep(Duration::from_millis(10)).await;
            sender.send(7).unwrap();
        })
        .unwrap()
        .detach();
    assert_eq!(detached.await.unwrap(), 7);
    worker.join().unwrap();
}

// ----- faults ---------------------------------------------------------------------------------

/// Submits hour-long tasks to `handle` until it refuses; returns them and the refusals.
fn submit_until_refused(
    handle: qtasync::LoopHandle,
    witness: Arc<()>,
) -> (Vec<RemoteTask<()>>, usize) {
    let mut tasks = Vec::new();
    for i in 0.. {
        let held = witness.clone();
        match handle.spawn_with(move || async move {
            let _held = held;
            sleep(HOUR).await;
        }) {
            Ok(task) => tasks.push(task),
            Err(LoopClosed) => return (tasks, 1),
        }
        if i % 64 == 0 {
            thread::sleep(Duration::from_micros(200));
        }
    }
    unreachable!()
}

#[qtasync::test(timeout = "120s")]
async fn a_worker_stopped_with_tasks_submitted_gives_every_submitter_an_error_and_leaks_nothing() {
    let worker = WorkerLoop::start().unwrap();
    let handle = worker.handle();
    let witness = Arc::new(());
    // Tasks already running on the worker ...
    let mut running = Vec::new();
    for _ in 0..200 {
        let held = witness.clone();
        running.push(
            handle
                .spawn_with(move || async move {
                    let _held = held;
                    sleep(HOUR).await;
                })
                .unwrap(),
        );
    }
    handle.run(async {}).await.unwrap();
    // ... and four threads submitting while it stops.
    let submitters: Vec<_> = (0..4)
        .map(|_| {
            let (handle, witness) = (handle.clone(), witness.clone());
            thread::spawn(move || submit_until_refused(handle, witness))
        })
        .collect();
    sleep(Duration::from_millis(30)).await;
    worker.stop();
    let (mut closed, mut cancelled, mut refused) = (0, 0, 0);
    for submitter in submitters {
        let (tasks, refusals) = submitter.join().unwrap();
        refused += refusals;
        for task in tasks {
            match futures::executor::block_on(task) {
                Err(RemoteError::LoopClosed) => closed += 1,
                Err(RemoteError::Cancelled) => cancelled += 1,
                other => panic!("a submitter got {other:?}"),
            }
        }
    }
    for task in running {
        assert!(matches!(task.await, Err(RemoteError::Cancelled)));
    }
    worker.join().unwrap();
    assert_eq!(refused, 4, "each thread was refused once the loop closed");
    assert!(closed + cancelled > 0);
    assert_eq!(Arc::strong_count(&witness), 1, "every submitted future was dropped");
    println!(
        "stopped worker: 200 running cancelled, {cancelled} cancelled, {closed} refused queued"
    );
}

#[qtasync::test(timeout = "600s")]
async fn a_million_cross_loop_submissions_are_all_accounted_for() {
    let count = scaled(1_000_000);
    const WINDOW: usize = 10_000;
    let worker = WorkerLoop::start().unwrap();
    let handle = worker.handle();
    let ran = Arc::new(AtomicUsize::new(0));
    let (mut sum, mut received) = (0u64, 0usize);
    let mut next = 0usize;
    while next < count {
        let end = (next + WINDOW).min(count);
        let batch: Vec<_> = (next..end)
            .map(|i| {
                let ran = ran.clone();
                handle
                    .spawn(async move {
                        ran.fetch_add(1, Ordering::Relaxed);
                        i as u64
                    })
                    .unwrap()
            })
            .collect();
        for task in batch {
            sum += task.await.unwrap();
            received += 1;
        }
        next = end;
    }
    let n = count as u64;
    assert_eq!(received, count);
    assert_eq!(ran.load(Ordering::Relaxed), count, "each ran exactly once");
    assert_eq!(sum, n * (n - 1) / 2, "each output came back once");
    let left = handle.run(async { get_running_loop().unwrap().task_count() }).await.unwrap();
    assert_eq!(left, 1, "nothing is left on the worker but the counting task");
    worker.join().unwrap();
    println!("{count} cross-loop submissions accounted for");
}

// ----- to_thread ------------------------------------------------------------------------------

#[qtasync::test(timeout = "60s")]
async fn to_thread_runs_a_blocking_call_off_the_loop_and_resumes_here() {
    let here = thread::current().id();
    let there = to_thread(|| {
        thread::sleep(Duration::from_millis(10));
        thread::current().id()
    })
    .await
    .unwrap();
    assert_ne!(there, here);
    assert_eq!(thread::current().id(), here);
    match to_thread(|| panic!("blocking boom")).await {
        Err::<(), _>(ExecutorError::Panicked(panic)) => {
            assert_eq!(panic.message(), "blocking boom")
        }
        other => panic!("expected the panic, got {other:?}"),
    }
}

#[test]
fn to_thread_outside_a_running_loop_is_an_error() {
    let outside = futures::executor::block_on(to_thread(|| 1));
    assert!(matches!(outside, Err(ExecutorError::NoRunningLoop)));
}
