//! tokio's single-threaded runtime with a `LocalSet` (so tasks may be `!Send`, as on qtasync).
//! tokio has no `call_soon`: its nearest equivalent is spawning a trivial local task; its
//! cross-thread path is an unbounded mpsc channel drained by one task.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use tokio::task::LocalSet;

use super::{Peer, RemoteTick};
use crate::countdown;

#[derive(Clone)]
pub(crate) struct Tokio;

impl Peer for Tokio {
    const NAME: &'static str = "tokio";

    fn block_on<F, Fut>(make: F) -> Fut::Output
    where
        F: FnOnce(Self) -> Fut,
        Fut: Future + 'static,
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a tokio runtime");
        LocalSet::new().block_on(&runtime, make(Tokio))
    }

    fn call_soon(&self, callback: impl FnOnce() + 'static) {
        drop(tokio::task::spawn_local(async move { callback() }));
    }

    fn spawn(&self, future: impl Future<Output = ()> + 'static) {
        drop(tokio::task::spawn_local(future));
    }

    fn yield_now(&self) -> impl Future<Output = ()> + 'static {
        tokio::task::yield_now()
    }

    fn sleep_until(&self, deadline: Instant) -> impl Future<Output = ()> + 'static {
        tokio::time::sleep_until(deadline.into())
    }

    fn call_at(&self, deadline: Instant, callback: impl FnOnce() + 'static) {
        let sleep = self.sleep_until(deadline);
        self.spawn(async move {
            sleep.await;
            callback();
        });
    }

    fn remote(&self) -> Arc<dyn RemoteTick> {
        let (sender, mut receiver) = unbounded_channel::<()>();
        self.spawn(async move {
            while receiver.recv().await.is_some() {
                countdown::tick();
            }
        });
        Arc::new(Remote(sender))
    }
}

struct Remote(UnboundedSender<()>);

impl RemoteTick for Remote {
    fn tick(&self) {
        self.0.send(()).expect("the consumer task runs");
    }
}
