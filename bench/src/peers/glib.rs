//! GLib's `MainContext` (the loop under GTK, and under Qt's own event dispatcher on Linux): the
//! default context, since glib-rs's local sources attach there. `call_soon` is an idle source,
//! `call_at` a timeout source (whole milliseconds, GLib's granularity), cross-thread
//! `MainContext::invoke`.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use glib::{MainContext, Priority};

use super::{Peer, RemoteTick, YieldOnce};
use crate::countdown;

#[derive(Clone)]
pub(crate) struct Glib(MainContext);

impl Peer for Glib {
    const NAME: &'static str = "glib";

    fn block_on<F, Fut>(make: F) -> Fut::Output
    where
        F: FnOnce(Self) -> Fut,
        Fut: Future + 'static,
    {
        let context = MainContext::default();
        context.block_on(make(Glib(context.clone())))
    }

    fn call_soon(&self, callback: impl FnOnce() + 'static) {
        glib::idle_add_local_once(callback);
    }

    fn spawn(&self, future: impl Future<Output = ()> + 'static) {
        drop(self.0.spawn_local(future));
    }

    fn yield_now(&self) -> impl Future<Output = ()> + 'static {
        YieldOnce::new()
    }

    fn sleep_until(&self, deadline: Instant) -> impl Future<Output = ()> + 'static {
        glib::timeout_future_with_priority(Priority::DEFAULT, whole_millis_until(deadline))
    }

    fn call_at(&self, deadline: Instant, callback: impl FnOnce() + 'static) {
        glib::timeout_add_local_once(whole_millis_until(deadline), callback);
    }

    fn remote(&self) -> Arc<dyn RemoteTick> {
        Arc::new(Remote(self.0.clone()))
    }
}

struct Remote(MainContext);

impl RemoteTick for Remote {
    fn tick(&self) {
        self.0.invoke(countdown::tick);
    }
}

/// GLib timeouts take whole milliseconds and glib-rs truncates: rounding up keeps a timer from
/// firing early (and a sub-millisecond sleep from becoming a 0 ms timeout that is always ready,
/// which would starve idle sources).
fn whole_millis_until(deadline: Instant) -> Duration {
    let delay = deadline.saturating_duration_since(Instant::now());
    Duration::from_millis(u64::try_from(delay.as_nanos().div_ceil(1_000_000)).unwrap_or(u64::MAX))
}
