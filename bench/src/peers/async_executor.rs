//! async-executor's `LocalExecutor` driven by async-io's `block_on` (its reactor provides the
//! timers). No `call_soon`: a trivial task is the nearest equivalent; other threads reach it
//! through an unbounded futures channel drained by one task.

use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use async_executor::LocalExecutor;
use futures::channel::mpsc::{unbounded, UnboundedSender};
use futures::StreamExt;

use super::{Peer, RemoteTick, YieldOnce};
use crate::countdown;

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

    fn call_at(&self, deadline: Instant, callback: impl FnOnce() + 'static) {
        let sleep = self.sleep_until(deadline);
        self.spawn(async move {
            sleep.await;
            callback();
        });
    }

    fn remote(&self) -> Arc<dyn RemoteTick> {
        let (sender, mut receiver) = unbounded::<()>();
        self.spawn(async move {
            while receiver.next().await.is_some() {
                countdown::tick();
            }
        });
        Arc::new(Remote(sender))
    }
}

struct Remote(UnboundedSender<()>);

impl RemoteTick for Remote {
    fn tick(&self) {
        self.0.unbounded_send(()).expect("the consumer task runs");
    }
}
