//! The I/O reactor on the real Qt loop: `Async<T>` and asyncio's `add_reader` family, with real
//! socket pairs. Registration counters show that nothing stays registered after its owner or
//! its future is dropped; the reactor's turn counter shows that idle sockets never wake the loop.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::rc::Rc;
use std::time::Duration;

use futures::{AsyncReadExt, AsyncWriteExt};
use qtasync::io::Async;
use qtasync::{get_running_loop, sleep, spawn, timeout};
use qtasync_tests::{let_others_run, until};

#[qtasync::test(timeout = "20s")]
async fn async_reads_once_the_peer_writes_and_deregisters_when_dropped() -> io::Result<()> {
    let base = qtasync::io::registrations();
    let (a, mut b) = UnixStream::pair()?;
    let a = Async::new(a)?;
    assert_eq!(qtasync::io::registrations(), base + 1);
    let writer = spawn(async move {
        sleep(Duration::from_millis(20)).await;
        b.write_all(b"hello").unwrap();
        b
    })
    .unwrap();
    let mut buffer = [0; 16];
    let n = a.read_with(|mut stream| stream.read(&mut buffer)).await?;
    assert_eq!(&buffer[..n], b"hello");
    let _b = writer.await.unwrap();
    drop(a);
    assert_eq!(qtasync::io::registrations(), base);
    assert_eq!(qtasync::io::waiters(), 0);
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn a_dropped_pending_readable_future_withdraws_its_waiter_at_once() -> io::Result<()> {
    let (a, _b) = UnixStream::pair()?;
    let a = Async::new(a)?;
    let waited = timeout(Duration::from_millis(20), a.readable()).await;
    assert!(waited.is_err(), "nothing was written: the wait must time out");
    assert_eq!(qtasync::io::waiters(), 0);
    let a = a.into_inner()?; // deregisters, gives the stream back
    assert_eq!(qtasync::io::registrations(), 0);
    drop(a);
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn idle_sockets_never_wake_the_loop_and_one_ready_socket_wakes_one_task() -> io::Result<()> {
    const IDLE: usize = 300;
    let woken = Rc::new(Cell::new(0usize));
    let polls = Rc::new(Cell::new(0usize)); // polls of the waiting futures, all tasks together
    let mut peers = Vec::new();
    let mut tasks = Vec::new();
    for _ in 0..IDLE {
        let (a, b) = UnixStream::pair()?;
        peers.push(b);
        let (woken, polls) = (woken.clone(), polls.clone());
        tasks.push(
            spawn(async move {
                let a = Async::new(a).unwrap();
                let mut readable = std::pin::pin!(a.readable());
                std::future::poll_fn(|cx| {
                    polls.set(polls.get() + 1);
                    readable.as_mut().poll(cx)
                })
                .await
                .unwrap();
                woken.set(woken.get() + 1);
            })
            .unwrap(),
        );
    }
    until(|| qtasync::io::waiters() == IDLE).await;
    let turns = qtasync::io::reactor_turns();
    let polled = polls.get();
    assert_eq!(polled, IDLE, "each task polled its future once, then waited");
    sleep(Duration::from_millis(100)).await;
    // The invariant, whatever else Qt does meanwhile (a slow machine, valgrind): the poller
    // never became readable, and no waiting task was woken. (Counting all of Qt's events
    // instead would also count the sleep's timer and its re-arms, more of them under valgrind.)
    assert_eq!(qtasync::io::reactor_turns(), turns, "idle sockets woke the reactor");
    assert_eq!(polls.get(), polled, "an idle socket's task was woken");
    assert_eq!(woken.get(), 0);

    peers[IDLE / 2].write_all(b"x")?;
    until(|| woken.get() == 1).await;
    let_others_run().await;
    assert_eq!(woken.get(), 1, "only the ready socket's task runs");
    assert_eq!(polls.get(), polled + 1, "and it alone was polled again");
    assert_eq!(qtasync::io::reactor_turns(), turns + 1, "one reactor turn for one event");

    for task in &tasks {
        task.cancel(None); // the 299 still waiting: their futures drop, their Asyncs deregister
    }
    let_others_run().await;
    until(|| qtasync::io::registrations() == 0).await;
    assert_eq!(qtasync::io::waiters(), 0);
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn async_streams_move_a_megabyte_through_futures_io_traits() -> io::Result<()> {
    let (a, b) = UnixStream::pair()?;
    let (mut a, mut b) = (Async::new(a)?, Async::new(b)?);
    let payload: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    let expected = payload.clone();
    // Far more than the socket buffer: the writer must wait for writability many times.
    let writer = spawn(async move {
        a.write_all(&payload).await.unwrap();
        a.close().await.unwrap();
        drop(a); // end of stream for the reader
    })
    .unwrap();
    let mut received = Vec::new();
    b.read_to_end(&mut received).await?;
    writer.await.unwrap();
    assert!(received == expected);
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn async_new_on_a_closed_descriptor_is_an_error() {
    let closed: RawFd = {
        let (a, _b) = UnixStream::pair().unwrap();
        a.as_raw_fd()
    };
    let error = Async::new(closed).expect_err("a closed descriptor cannot be registered");
    assert_eq!(error.raw_os_error(), Some(libc::EBADF));
    assert_eq!(qtasync::io::registrations(), 0);
}

#[qtasync::test(timeout = "20s")]
async fn a_descriptor_cannot_be_registered_twice() -> io::Result<()> {
    let (a, _b) = UnixStream::pair()?;
    let fd = a.as_raw_fd();
    let _a = Async::new(a)?;
    let event_loop = get_running_loop().unwrap();
    let error = event_loop.add_reader(fd, || {}).unwrap_err();
    assert_eq!(error.raw_os_error(), Some(libc::EEXIST));
    assert_eq!(qtasync::io::registrations(), 1);
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn add_reader_calls_back_while_readable_and_remove_reader_says_whether_one_was_set() {
    let event_loop = get_running_loop().unwrap();
    let (a, mut b) = UnixStream::pair().unwrap();
    let fd = a.as_raw_fd();
    let calls = Rc::new(Cell::new(0));
    let counter = calls.clone();
    event_loop.add_reader(fd, move || counter.set(counter.get() + 1)).unwrap();
    assert_eq!(qtasync::io::registrations(), 1);
    let_others_run().await;
    assert_eq!(calls.get(), 0, "not readable yet");
    b.write_all(b"x").unwrap();
    // Level-triggered like asyncio: the byte is never read, so the callback comes again.
    until(|| calls.get() >= 3).await;
    assert!(event_loop.remove_reader(fd));
    assert!(!event_loop.remove_reader(fd));
    assert!(!event_loop.remove_writer(fd));
    assert_eq!(qtasync::io::registrations(), 0);
    let after = calls.get();
    sleep(Duration::from_millis(20)).await;
    assert_eq!(calls.get(), after, "a removed reader is never called again");
}

#[qtasync::test(timeout = "20s")]
async fn add_writer_and_add_reader_share_one_registration() {
    let event_loop = get_running_loop().unwrap();
    let (a, mut b) = UnixStream::pair().unwrap();
    let fd = a.as_raw_fd();
    let (wrote, read) = (Rc::new(Cell::new(false)), Rc::new(Cell::new(false)));
    let flag = wrote.clone();
    event_loop.add_writer(fd, move || flag.set(true)).unwrap();
    let flag = read.clone();
    let reader = Rc::new(RefCell::new(a.try_clone().unwrap()));
    event_loop
        .add_reader(fd, move || {
            let mut byte = [0];
            let _ = reader.borrow_mut().read(&mut byte);
            flag.set(true)
        })
        .unwrap();
    assert_eq!(qtasync::io::registrations(), 1);
    until(|| wrote.get()).await;
    assert!(event_loop.remove_writer(fd));
    b.write_all(b"x").unwrap();
    until(|| read.get()).await;
    assert_eq!(qtasync::io::registrations(), 1, "the reader is still registered");
    assert!(event_loop.remove_reader(fd));
    assert_eq!(qtasync::io::registrations(), 0);
}

#[qtasync::test(timeout = "20s")]
async fn a_panicking_reader_is_reported_like_a_call_soon_callback_and_the_loop_goes_on() {
    let event_loop = get_running_loop().unwrap();
    let reports = Rc::new(RefCell::new(Vec::new()));
    let sink = reports.clone();
    event_loop.set_exception_handler(Some(Rc::new(move |_, context| {
        sink.borrow_mut().push(format!("{}: {:?}", context.message, context.exception))
    })));
    let (a, mut b) = UnixStream::pair().unwrap();
    let fd = a.as_raw_fd();
    event_loop.add_reader(fd, || panic!("reader boom")).unwrap();
    b.write_all(b"x").unwrap();
    until(|| reports.borrow().len() >= 2).await;
    assert!(event_loop.remove_reader(fd));
    let first = reports.borrow()[0].clone();
    assert!(first.starts_with("Exception in callback"), "{first}");
    assert!(first.contains("reader boom"), "{first}");
    event_loop.set_exception_handler(None);
}

#[qtasync::test(timeout = "20s")]
async fn add_reader_on_a_closed_descriptor_is_an_error() {
    let event_loop = get_running_loop().unwrap();
    let closed = {
        let (a, _b) = UnixStream::pair().unwrap();
        a.as_raw_fd()
    };
    let error = event_loop.add_reader(closed, || {}).unwrap_err();
    assert_eq!(error.raw_os_error(), Some(libc::EBADF));
    assert!(!event_loop.remove_reader(closed));
    assert_eq!(qtasync::io::registrations(), 0);
}

#[qtasync::test(timeout = "20s")]
async fn a_descriptor_closed_while_registered_can_still_be_removed() {
    let event_loop = get_running_loop().unwrap();
    let (a, b) = UnixStream::pair().unwrap();
    let fd = a.as_raw_fd();
    event_loop.add_reader(fd, || {}).unwrap();
    drop(a); // closed behind the reactor's back: the kernel drops it from the epoll set
    drop(b);
    let_others_run().await;
    assert!(event_loop.remove_reader(fd));
    assert_eq!(qtasync::io::registrations(), 0);
    // The number may be reused at once; registering it again works.
    let (c, _d) = UnixStream::pair().unwrap();
    event_loop.add_reader(c.as_raw_fd(), || {}).unwrap();
    assert!(event_loop.remove_reader(c.as_raw_fd()));
}

/// A `UnixStream` that counts the reads that found nothing to read.
struct CountingStream {
    stream: UnixStream,
    would_block: Rc<Cell<usize>>,
}

impl Read for CountingStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.stream.read(buf);
        if read.as_ref().is_err_and(|error| error.kind() == io::ErrorKind::WouldBlock) {
            self.would_block.set(self.would_block.get() + 1);
        }
        read
    }
}

impl Write for CountingStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

impl AsRawFd for CountingStream {
    fn as_raw_fd(&self) -> RawFd {
        self.stream.as_raw_fd()
    }
}

/// `ROUNDS` 8-byte echoes between two tasks: the echoing side is counted.
const ROUNDS: usize = 200;

async fn echo_rounds(would_block: Rc<Cell<usize>>) -> io::Result<()> {
    let (a, b) = UnixStream::pair()?;
    let mut echo = Async::new(CountingStream { stream: a, would_block })?;
    let mut client = Async::new(b)?;
    let echoer = spawn(async move {
        let mut buffer = [0u8; 8];
        while echo.read_exact(&mut buffer).await.is_ok() {
            echo.write_all(&buffer).await?;
        }
        io::Result::Ok(())
    })
    .unwrap();
    let mut back = [0u8; 8];
    for round in 0..ROUNDS {
        let message = (round as u64).to_le_bytes();
        client.write_all(&message).await?;
        client.read_exact(&mut back).await?;
        assert_eq!(back, message);
    }
    drop(client);
    echoer.await.unwrap()
}

#[qtasync::test(timeout = "60s")]
async fn a_wait_for_data_costs_one_read_that_finds_nothing() -> io::Result<()> {
    // Each round the echoing task reads, finds nothing, waits, and is woken by the data. A
    // readiness already used up by a read that succeeded must not answer the next wait: that
    // was a second read finding nothing per round (one more system call per wait).
    let would_block = Rc::new(Cell::new(0));
    echo_rounds(would_block.clone()).await?;
    assert!(
        would_block.get() <= ROUNDS + 2,
        "{} reads found nothing in {ROUNDS} rounds (one per round expected)",
        would_block.get()
    );
    assert_eq!(qtasync::io::waiters(), 0);
    until(|| qtasync::io::registrations() == 0).await;
    Ok(())
}

#[qtasync::test(timeout = "60s")]
async fn io_readiness_runs_the_woken_task_in_the_reactors_own_qt_event() -> io::Result<()> {
    // Each round wakes a task twice through the reactor. Those tasks run inside the reactor's
    // Qt event, so no wake event is posted for them (it was two per round: a Qt iteration and
    // an eventfd write and read each). How many rounds one Qt event carries depends on the
    // machine's speed (a turn collects again for at most 1 ms), so only "some" is checked.
    let event_loop = get_running_loop().unwrap();
    let (dispatches, turns) = (event_loop.dispatch_count(), qtasync::io::reactor_turns());
    echo_rounds(Rc::new(Cell::new(0))).await?;
    let posted = event_loop.dispatch_count() - dispatches;
    let turns = qtasync::io::reactor_turns() - turns;
    assert!(turns > 0, "the reactor never ran");
    assert!(posted < ROUNDS as u64 / 4, "{posted} wake events for {ROUNDS} rounds");
    Ok(())
}
