//! [`Signal`]: one signal of one sender, not yet connected; what [`signal!`](crate::signal)
//! makes. Each way of listening connects it.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use cxx_qt::casting::Upcast;
use cxx_qt::QObject;

use crate::slot::SlotOutput;

use super::connect::{watch_receivers, ConnectOptions, ConnectState, SignalConnection};
use super::link::{check_thread, ConnectFn, Link};
use super::next::{NextEmission, NextEmissionTimeout, NextState};
use super::stream::{Backlog, SignalStream, StreamState};

/// A signal of a sender QObject, ready to be listened to: [`.await`](IntoFuture) it (or
/// [`next`](Self::next)) for its next emission, [`timeout`](Self::timeout) to give up after a
/// while, [`stream`](Self::stream) for every emission, [`connect`](Self::connect) to run a
/// coroutine per emission. Each of those connects to Qt at once and borrows the sender no
/// longer: what it returns is `'static`.
///
/// Made by [`signal!`](crate::signal); `Args` is the tuple of the signal's arguments as owned
/// values ([`SignalArg`](super::SignalArg)).
#[must_use = "a Signal does nothing until it is awaited, streamed or connected"]
pub struct Signal<'a, T, Args: 'static> {
    object: Pin<&'a mut T>,
    name: &'static str,
    connect: ConnectFn<T, Args>,
}

impl<'a, T: Upcast<QObject>, Args: 'static> Signal<'a, T, Args> {
    /// The signal `name` of `object`, which `connect` connects to through cxx-qt's generated
    /// `on_<name>`, passing each emission to the [`SignalSink`](super::SignalSink).
    /// [`signal!`](crate::signal) writes this call; by hand it reads:
    ///
    /// ```no_run
    /// # use std::pin::Pin;
    /// # use cxx_qt::{casting::Upcast, QMetaObjectConnectionGuard, QObject};
    /// # use qtasync::qt::{Signal, SignalSink};
    /// # trait HasRenamed { fn on_renamed<F: FnMut(Pin<&mut Self>, i32, &cxx_qt_lib::QString)
    /// #     + Send + 'static>(self: Pin<&mut Self>, f: F) -> QMetaObjectConnectionGuard; }
    /// fn renamed<T: Upcast<QObject> + HasRenamed>(
    ///     object: Pin<&mut T>,
    /// ) -> Signal<'_, T, (i32, cxx_qt_lib::QString)> {
    ///     Signal::new(object, "renamed", |object, sink| {
    ///         object.on_renamed(move |_, index, name| sink.emit(|| (index, name.clone())))
    ///     })
    /// }
    /// ```
    ///
    /// # Panics
    /// If `object` lives on another thread than the caller: Qt calls a signal's handlers on
    /// the sender's thread, and what they reach (the loop, `Rc` state) belongs to this one.
    #[track_caller]
    pub fn new(object: Pin<&'a mut T>, name: &'static str, connect: ConnectFn<T, Args>) -> Self {
        check_thread(&object, name);
        Signal { object, name, connect }
    }

    /// The signal's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Connects now and resolves at the next emission ([`NextEmission`]); the same as
    /// `.await`ing the signal, for when the emission may come before the `.await`.
    pub fn next(self) -> NextEmission<Args> {
        NextEmission::new(Link::open(self.object, self.name, self.connect, NextState::new()))
    }

    /// The next emission, or [`WaitError::Timeout`](super::WaitError::Timeout) once `duration`
    /// has passed, or [`WaitError::SenderDestroyed`](super::WaitError::SenderDestroyed).
    pub fn timeout(self, duration: std::time::Duration) -> NextEmissionTimeout<Args> {
        self.next().timeout(duration)
    }

    /// Every emission, unbounded ([`Backlog::Unbounded`]).
    pub fn stream(self) -> SignalStream<Args> {
        self.stream_with(Backlog::Unbounded)
    }

    /// Every emission, with a [`Backlog`] policy for a consumer that falls behind.
    ///
    /// # Panics
    /// On `Backlog::DropOldest(0)`.
    pub fn stream_with(self, backlog: Backlog) -> SignalStream<Args> {
        let state = StreamState::new(backlog);
        SignalStream::new(Link::open(self.object, self.name, self.connect, state))
    }

    /// Runs `handler(args)` as a new task on the running loop at each emission
    /// ([`Concurrency::Concurrent`](super::Concurrency)); see
    /// [`connect_with`](Self::connect_with).
    pub fn connect<F, Fut>(self, handler: F) -> SignalConnection
    where
        F: FnMut(Args) -> Fut + 'static,
        Fut: Future + 'static,
        Fut::Output: SlotOutput,
    {
        self.connect_with(ConnectOptions::new(), handler)
    }

    /// Runs `handler(args)` as a new task on the running loop at each emission, as `options`
    /// say. The coroutine may return `()` or a `Result` whose error is reported to the loop's
    /// exception handler; a panic (in `handler` or in the coroutine) is reported, never
    /// reaches Qt. The coroutines are cancelled when the sender is destroyed, and when the
    /// returned [`SignalConnection`] is dropped.
    pub fn connect_with<F, Fut>(self, options: ConnectOptions, mut handler: F) -> SignalConnection
    where
        F: FnMut(Args) -> Fut + 'static,
        Fut: Future + 'static,
        Fut::Output: SlotOutput,
    {
        let signal = self.name;
        let handler = Box::new(move |args| -> Pin<Box<dyn Future<Output = ()>>> {
            let future = handler(args);
            Box::pin(async move { future.await.report(signal) })
        });
        let state = ConnectState::new(handler, &options);
        let link = Link::open(self.object, self.name, self.connect, state);
        watch_receivers(&link, options);
        SignalConnection::new(link)
    }
}

impl<T: Upcast<QObject>, Args: 'static> IntoFuture for Signal<'_, T, Args> {
    type Output = Result<Args, super::SenderDestroyed>;
    type IntoFuture = NextEmission<Args>;

    fn into_future(self) -> NextEmission<Args> {
        self.next()
    }
}

impl<T, Args: 'static> fmt::Debug for Signal<'_, T, Args> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signal").field("name", &self.name).finish()
    }
}
