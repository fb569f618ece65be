//! The peers: one runtime each behind the same small interface, so every workload is written
//! once (in `workloads.rs`) and measures the runtimes, not different benchmark code. Raw Qt has
//! no futures; it runs its own C++ versions of the workloads that apply (`raw_qt.rs`).

pub(crate) mod async_executor;
pub(crate) mod glib;
pub(crate) mod qtasync;
pub(crate) mod raw_qt;
pub(crate) mod tokio;

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::channel::mpsc::{unbounded, UnboundedSender};
use futures::StreamExt;

use crate::countdown;

/// A single-threaded async runtime as the workloads use it. `Self` is a cheap handle valid inside
/// `block_on`.
pub(crate) trait Peer: Clone + 'static {
    const NAME: &'static str;

    /// Runs `make(handle)` to completion on a fresh runtime on this thread.
    fn block_on<F, Fut>(make: F) -> Fut::Output
    where
        F: FnOnce(Self) -> Fut,
        Fut: Future + 'static;

    /// The runtime's nearest equivalent of asyncio's `call_soon`.
    fn call_soon(&self, callback: impl FnOnce() + 'static);

    /// Spawns a detached task.
    fn spawn(&self, future: impl Future<Output = ()> + 'static);

    /// Lets every other ready task run once.
    fn yield_now(&self) -> impl Future<Output = ()> + 'static;

    /// Completes at `deadline` (never earlier, if the runtime keeps that promise).
    fn sleep_until(&self, deadline: Instant) -> impl Future<Output = ()> + 'static;

    /// The runtime's nearest equivalent of asyncio's `call_at`; by default a task that sleeps
    /// until `deadline`, then calls.
    fn call_at(&self, deadline: Instant, callback: impl FnOnce() + 'static) {
        let sleep = self.sleep_until(deadline);
        self.spawn(async move {
            sleep.await;
            callback();
        });
    }

    /// A way for other threads to run `countdown::tick` on this runtime's thread; by default an
    /// unbounded channel drained by one task (the runtime-agnostic way).
    fn remote(&self) -> Arc<dyn RemoteTick> {
        let (sender, mut receiver) = unbounded::<()>();
        self.spawn(async move {
            while receiver.next().await.is_some() {
                countdown::tick();
            }
        });
        Arc::new(ChannelRemote(sender))
    }

    /// Starts measuring how late a 1 ms periodic timer fires while the runtime is busy.
    fn probe(&self) -> Box<dyn LatencyProbe> {
        Box::new(SleepProbe::start(self))
    }
}

/// Sends `countdown::tick` to a runtime's thread.
pub(crate) trait RemoteTick: Send + Sync {
    fn tick(&self);
}

struct ChannelRemote(UnboundedSender<()>);

impl RemoteTick for ChannelRemote {
    fn tick(&self) {
        self.0.unbounded_send(()).expect("the consumer task runs");
    }
}

/// The worst lateness of a periodic 1 ms timer since it started.
pub(crate) trait LatencyProbe {
    fn worst(&self) -> Duration;
}

/// The probe for runtimes that are not Qt: a task sleeping 1 ms at a time.
struct SleepProbe {
    worst: Rc<Cell<Duration>>,
    /// The deadline of the sleep in progress (a sleep starved so far counts too).
    deadline: Rc<Cell<Instant>>,
    stop: Rc<Cell<bool>>,
}

impl SleepProbe {
    const PERIOD: Duration = Duration::from_millis(1);

    fn start<P: Peer>(peer: &P) -> SleepProbe {
        let worst = Rc::new(Cell::new(Duration::ZERO));
        let deadline = Rc::new(Cell::new(Instant::now() + Self::PERIOD));
        let stop = Rc::new(Cell::new(false));
        let (task_worst, task_deadline, task_stop) =
            (worst.clone(), deadline.clone(), stop.clone());
        let handle = peer.clone();
        peer.spawn(async move {
            while !task_stop.get() {
                handle.sleep_until(task_deadline.get()).await;
                let now = Instant::now();
                let late = now.saturating_duration_since(task_deadline.get());
                task_worst.set(task_worst.get().max(late));
                task_deadline.set(now + Self::PERIOD);
            }
        });
        SleepProbe { worst, deadline, stop }
    }
}

impl LatencyProbe for SleepProbe {
    fn worst(&self) -> Duration {
        let pending = Instant::now().saturating_duration_since(self.deadline.get());
        self.worst.get().max(pending)
    }
}

impl Drop for SleepProbe {
    fn drop(&mut self) {
        self.stop.set(true);
    }
}

/// A yield for runtimes without their own: wakes itself and returns `Pending` once.
pub(crate) struct YieldOnce(bool);

impl YieldOnce {
    pub(crate) fn new() -> YieldOnce {
        YieldOnce(false)
    }
}

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
