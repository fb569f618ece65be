//! qtasync itself: a fresh `EventLoop` per measurement, run with `run_until_complete` on Qt's
//! event loop, closed afterwards.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use qtasync::{EventLoop, LoopHandle};

use super::raw_qt::Probe;
use super::{LatencyProbe, Peer, RemoteTick};
use crate::countdown;

#[derive(Clone)]
pub(crate) struct Qtasync(EventLoop);

impl Peer for Qtasync {
    const NAME: &'static str = "qtasync";

    fn block_on<F, Fut>(make: F) -> Fut::Output
    where
        F: FnOnce(Self) -> Fut,
        Fut: Future + 'static,
    {
        let event_loop = EventLoop::new();
        let future = make(Qtasync(event_loop.clone()));
        let output = event_loop.run_until_complete(future).expect("the workload completes");
        event_loop.close().expect("the loop is not running any more");
        output
    }

    fn call_soon(&self, callback: impl FnOnce() + 'static) {
        self.0.call_soon(callback).expect("the loop is open");
    }

    fn spawn(&self, future: impl Future<Output = ()> + 'static) {
        drop(self.0.create_task(future).expect("the loop is open"));
    }

    fn yield_now(&self) -> impl Future<Output = ()> + 'static {
        qtasync::yield_now()
    }

    fn sleep_until(&self, deadline: Instant) -> impl Future<Output = ()> + 'static {
        qtasync::sleep_until(deadline)
    }

    fn call_at(&self, deadline: Instant, callback: impl FnOnce() + 'static) {
        self.0.call_at(deadline, callback).expect("the loop is open");
    }

    fn remote(&self) -> Arc<dyn RemoteTick> {
        Arc::new(Remote(self.0.threadsafe_handle()))
    }

    /// A Qt precise timer: what matters on a Qt loop is that Qt's own events are not starved.
    fn probe(&self) -> Box<dyn LatencyProbe> {
        Box::new(QtProbe(Probe::start()))
    }
}

struct Remote(LoopHandle);

impl RemoteTick for Remote {
    fn tick(&self) {
        self.0.call_soon_threadsafe(countdown::tick).expect("the loop is open");
    }
}

struct QtProbe(Probe);

impl LatencyProbe for QtProbe {
    fn worst(&self) -> Duration {
        self.0.worst()
    }
}
