//! tokio's single-threaded runtime with a `LocalSet` (so tasks may be `!Send`, as on qtasync).
//! tokio has no `call_soon`: its nearest equivalent is spawning a trivial local task. Timers and
//! the cross-thread path are the trait's defaults (a sleeping task; a channel drained by one task).

use std::future::Future;
use std::time::Instant;

use tokio::task::LocalSet;

use super::Peer;

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
}

impl Tokio {
    /// tokio with its I/O driver too (the `Peer` runtime has timers only, which the other rows
    /// keep), running `make(Tokio)` inside a `LocalSet`: the I/O rows' runtime.
    pub(crate) fn block_on_io<F: Future>(
        make: impl FnOnce(Tokio) -> F,
    ) -> std::io::Result<F::Output> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        Ok(LocalSet::new().block_on(&runtime, make(Tokio)))
    }
}
