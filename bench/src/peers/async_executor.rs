//! async-executor's `LocalExecutor` driven by async-io's `block_on` (its reactor provides the
//! timers). No `call_soon`: a trivial task is the nearest equivalent. Timers and the cross-thread
//! path are the trait's defaults (a sleeping task; a channel drained by one task).

use std::future::Future;
use std::rc::Rc;
use std::time::Instant;

use async_executor::LocalExecutor;

use super::{Peer, YieldOnce};

#[derive(Clone)]
pub(crate) struct AsyncExecutor(Rc<LocalExecutor<'static>>);

impl Peer for AsyncExecutor {
    const NAME: &'static str = "async-executor";

    fn block_on<F, Fut>(make: F) -> Fut::Output
    where
        F: FnOnce(Self) -> Fut,
        Fut: Future + 'static,
    {
        let executor = Rc::new(LocalExecutor::new());
        let future = make(AsyncExecutor(executor.clone()));
        async_io::block_on(executor.run(future))
    }

    fn call_soon(&self, callback: impl FnOnce() + 'static) {
        self.0.spawn(async move { callback() }).detach();
    }

    fn spawn(&self, future: impl Future<Output = ()> + 'static) {
        self.0.spawn(future).detach();
    }

    fn yield_now(&self) -> impl Future<Output = ()> + 'static {
        YieldOnce::new()
    }

    fn sleep_until(&self, deadline: Instant) -> impl Future<Output = ()> + 'static {
        let timer = async_io::Timer::at(deadline);
        async move {
            timer.await;
        }
    }
}
