//! `#[qtasync::main]`'s tokio options on the real Qt loop (`harness = false`: each run needs the
//! process's main thread). `main` below runs three attributed entry functions one after the
//! other, then checks what they left behind: the owned runtime shut down, the runtime chosen
//! before them given back.

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use qtasync::tokio::DEFAULT_WORKER_THREADS;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::runtime::{Handle, Runtime};

/// The runtime `tokio_workers = 3` made, kept to check after the run that it was shut down.
static SEEN: Mutex<Option<Handle>> = Mutex::new(None);

/// A round trip through tokio's reactor: a server spawned on the runtime's workers, a client
/// polled on the Qt thread.
async fn tcp_round_trip() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = qtasync::tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        socket.write_all(b"served by tokio").await.unwrap();
        std::thread::current().name().map(str::to_owned)
    });
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.unwrap();
    let server_thread = server.await.unwrap();
    assert_eq!(server_thread.as_deref(), Some("qtasync-tokio"), "served on the runtime's workers");
    reply
}

#[qtasync::main(tokio_workers = 3, keep_running = false)]
async fn with_three_workers() {
    let current = Handle::current();
    assert_eq!(current.metrics().num_workers(), 3, "the body runs in the runtime the option made");
    // Installed for every loop and for `qtasync::tokio::spawn`, not only entered here.
    assert_eq!(qtasync::tokio::runtime().unwrap().id(), current.id());
    let on_worker = qtasync::tokio::spawn(async { Handle::current().metrics().num_workers() });
    assert_eq!(on_worker.await.unwrap(), 3);
    // A qtasync task (another dispatch) and a loop on another thread use it too.
    let in_task = qtasync::spawn(async { Handle::current().id() }).unwrap();
    assert_eq!(in_task.await.unwrap(), current.id());
    let worker = qtasync::worker::WorkerLoop::start().unwrap();
    let remote = worker.handle().spawn(async { Handle::current().id() }).unwrap();
    assert_eq!(remote.await.unwrap(), current.id());
    worker.stop();
    // tokio timers and I/O work, driven by that runtime.
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(tcp_round_trip().await, "served by tokio");
    *SEEN.lock().unwrap() = Some(current);
}

fn own_runtime() -> Handle {
    static OWN: OnceLock<Runtime> = OnceLock::new();
    OWN.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("qtasync-tokio")
            .enable_all()
            .build()
            .unwrap()
    })
    .handle()
    .clone()
}

#[qtasync::main(tokio_runtime = own_runtime, keep_running = false)]
async fn with_a_handle() -> Result<(), String> {
    let current = Handle::current();
    if current.id() != own_runtime().id() {
        return Err("the body does not run in the runtime `tokio_runtime` returned".into());
    }
    assert_eq!(tcp_round_trip().await, "served by tokio");
    Ok(())
}

#[qtasync::main(tokio, keep_running = false)]
async fn with_the_default() {
    assert_eq!(tcp_round_trip().await, "served by tokio");
    assert_eq!(Handle::current().metrics().num_workers(), DEFAULT_WORKER_THREADS);
}

fn main() {
    let chosen_before = own_runtime();
    qtasync::tokio::set_runtime(chosen_before.clone());
    with_three_workers();
    // The runtime chosen before is back, and the owned one is shut down: what is spawned on it
    // now is cancelled at once.
    assert_eq!(qtasync::tokio::runtime().unwrap().id(), chosen_before.id());
    let seen = SEEN.lock().unwrap().take().expect("the body ran to its end");
    let late = futures::executor::block_on(seen.spawn(async { 1 }));
    assert!(late.unwrap_err().is_cancelled(), "the owned runtime was shut down after the loop");

    with_a_handle().unwrap();
    assert_eq!(qtasync::tokio::runtime().unwrap().id(), chosen_before.id());

    qtasync::tokio::unset_runtime();
    with_the_default();
    println!("tokio_main: 3 entry functions ran with the runtime their options chose");
}
