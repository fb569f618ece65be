//! A coroutine connected to a signal: each emission spawns a task on the running loop
//! ([`ConnectOptions`], [`Concurrency`]); the [`SignalConnection`] guard disconnects.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use futures_channel::oneshot;

use crate::core::exception::{default_exception_handler, ExceptionContext};
use crate::core::task::TaskRef;
use crate::event_loop::get_running_loop;
use crate::object_ref::ObjectRef;

use super::link::{guarded, release_after_destroyed, Link, Receiver};

/// What an emission does to the coroutines that earlier emissions started and that still run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Concurrency {
    /// They go on; each emission's coroutine runs alongside them (the default, as with
    /// `#[qt_slot_async]`).
    #[default]
    Concurrent,
    /// They are cancelled: only the newest emission's coroutine runs (`#[qt_slot_async(exclusive)]`).
    Exclusive,
    /// They finish first: coroutines run one at a time, in emission order.
    Queue,
}

/// Options of [`Signal::connect_with`](super::Signal::connect_with).
///
/// ```
/// use qtasync::qt::{Concurrency, ConnectOptions};
///
/// let options = ConnectOptions::new().exclusive().name("search");
/// assert_eq!(options.concurrency(), Concurrency::Exclusive);
/// ```
#[derive(Default)]
pub struct ConnectOptions {
    concurrency: Concurrency,
    name: Option<String>,
    cancel_with: Vec<OnDestroyed>,
}

/// Registers a callback for a receiver's destruction (`ObjectRef::on_destroyed`), and returns
/// the `ObjectRef`, which the connection keeps (its watch lives as long as some clone does).
type OnDestroyed = Box<dyn FnOnce(Box<dyn FnOnce()>) -> Box<dyn Any>>;

impl ConnectOptions {
    /// Concurrent coroutines, named after the signal, cancelled with the sender.
    pub fn new() -> Self {
        ConnectOptions::default()
    }

    /// A new emission cancels the coroutine still running ([`Concurrency::Exclusive`]).
    pub fn exclusive(self) -> Self {
        self.with_concurrency(Concurrency::Exclusive)
    }

    /// Coroutines run one after another, in emission order ([`Concurrency::Queue`]).
    pub fn queued(self) -> Self {
        self.with_concurrency(Concurrency::Queue)
    }

    /// Sets the [`Concurrency`].
    pub fn with_concurrency(mut self, concurrency: Concurrency) -> Self {
        self.concurrency = concurrency;
        self
    }

    /// The [`Concurrency`] set.
    pub fn concurrency(&self) -> Concurrency {
        self.concurrency
    }

    /// The name of the tasks (by default `signal <name>`), as in reports.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Also ends the connection when `receiver` is destroyed, as a Qt connection ends with its
    /// receiver: it is disconnected and its running coroutines are cancelled.
    pub fn cancel_with<R: 'static>(mut self, receiver: &ObjectRef<R>) -> Self {
        let receiver = receiver.clone();
        self.cancel_with.push(Box::new(move |callback| {
            receiver.on_destroyed(callback);
            Box::new(receiver)
        }));
        self
    }
}

impl fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("concurrency", &self.concurrency)
            .field("name", &self.name)
            .field("cancel_with", &self.cancel_with.len())
            .finish()
    }
}

/// The user's coroutine factory, with its output already reported.
pub(crate) type Handler<Args> = Box<dyn FnMut(Args) -> Pin<Box<dyn Future<Output = ()>>>>;

pub(crate) struct ConnectState<Args: 'static> {
    handler: RefCell<Handler<Args>>,
    concurrency: Concurrency,
    name: Option<String>,
    /// Tasks spawned by emissions, pruned of finished ones at each emission.
    tasks: RefCell<Vec<TaskRef>>,
    /// `Queue`: completes when the last queued coroutine ends (or is cancelled).
    queue_tail: RefCell<Option<oneshot::Receiver<()>>>,
    /// Disconnected, dropped, or the sender or a receiver was destroyed: spawn nothing more.
    closed: Cell<bool>,
    /// Set by `detach`: the connection keeps itself alive until its sender is destroyed.
    keep_alive: RefCell<Option<Rc<Link<ConnectState<Args>>>>>,
    /// The `cancel_with` receivers' `ObjectRef`s, kept watching.
    receivers: RefCell<Vec<Box<dyn Any>>>,
}

impl<Args: 'static> ConnectState<Args> {
    pub(crate) fn new(handler: Handler<Args>, options: &ConnectOptions) -> Self {
        ConnectState {
            handler: RefCell::new(handler),
            concurrency: options.concurrency,
            name: options.name.clone(),
            tasks: RefCell::new(Vec::new()),
            queue_tail: RefCell::new(None),
            closed: Cell::new(false),
            keep_alive: RefCell::new(None),
            receivers: RefCell::new(Vec::new()),
        }
    }

    fn cancel_all(&self, why: &str) {
        let tasks = std::mem::take(&mut *self.tasks.borrow_mut());
        for task in tasks {
            task.cancel(Some(why));
        }
    }
}

/// Registers `options.cancel_with` on `link` (after it exists: a receiver already destroyed
/// calls back at once).
pub(crate) fn watch_receivers<Args: 'static>(
    link: &Rc<Link<ConnectState<Args>>>,
    options: ConnectOptions,
) {
    let signal = link.signal;
    for register in options.cancel_with {
        let weak = Rc::downgrade(link);
        let receiver = register(Box::new(move || {
            guarded(signal, "a receiver's destroyed() handler", || {
                if let Some(link) = weak.upgrade() {
                    shut_down(&link, "the connection's receiver was destroyed");
                    // The link keeps the receiver's `ObjectRef`: not dropped in its callback.
                    release_after_destroyed(link);
                }
            });
        }));
        link.state.receivers.borrow_mut().push(receiver);
    }
}

fn shut_down<Args: 'static>(link: &Link<ConnectState<Args>>, why: &str) {
    link.state.closed.set(true);
    link.disconnect();
    link.state.queue_tail.borrow_mut().take();
    link.state.cancel_all(why);
    // Released after this `Rc` borrow ends; the caller holds another reference.
    let keep_alive = link.state.keep_alive.borrow_mut().take();
    drop(keep_alive);
}

fn report_not_run(signal: &str, why: String) {
    let context = ExceptionContext::new(format!(
        "signal `{signal}` was emitted {why}; its connected coroutine did not run"
    ));
    match get_running_loop() {
        Ok(event_loop) => event_loop.call_exception_handler(&context),
        Err(_) => default_exception_handler(&context),
    }
}

impl<Args: 'static> Receiver for ConnectState<Args> {
    type Args = Args;

    fn emitted(link: &Link<Self>, args: Args) {
        let state = &link.state;
        if state.closed.get() {
            return;
        }
        let event_loop = match get_running_loop() {
            Ok(event_loop) => event_loop,
            Err(error) => return report_not_run(link.signal, format!("with {error}")),
        };
        let future = match state.handler.try_borrow_mut() {
            // A panic here unwinds to `SignalSink::emit`, which reports it.
            Ok(mut handler) => handler(args),
            Err(_) => {
                return report_not_run(
                    link.signal,
                    "again from inside its connected closure (not from its coroutine)".into(),
                )
            }
        };
        let future = match state.concurrency {
            Concurrency::Concurrent => future,
            Concurrency::Exclusive => {
                state.cancel_all("superseded by a newer emission of the signal");
                future
            }
            Concurrency::Queue => {
                let (done, finished) = oneshot::channel::<()>();
                let previous = state.queue_tail.replace(Some(finished));
                Box::pin(async move {
                    // Dropped when this coroutine ends or is cancelled: the next one starts.
                    let _done = done;
                    if let Some(previous) = previous {
                        let _ = previous.await;
                    }
                    future.await;
                })
            }
        };
        let task = match event_loop.create_task(future) {
            Ok(task) => task,
            Err(error) => return report_not_run(link.signal, format!("on a loop that is {error}")),
        };
        match &state.name {
            Some(name) => task.set_name(name.clone()),
            None => task.set_name(format!("signal {}", link.signal)),
        }
        let mut tasks = state.tasks.borrow_mut();
        tasks.retain(|task| !task.done());
        tasks.push(task.task_ref());
        // `task` is dropped: detached. A panic in it is reported by the loop.
    }

    fn destroyed(link: &Rc<Link<Self>>) {
        shut_down(link, "the signal's sender was destroyed");
    }
}

/// What [`SignalConnection`] needs of its link, whatever the signal's arguments.
trait Control {
    fn shut_down(&self, why: &str);
    fn keep_alive(self: Rc<Self>);
    fn is_connected(&self) -> bool;
    fn running(&self) -> usize;
    fn signal(&self) -> &'static str;
}

impl<Args: 'static> Control for Link<ConnectState<Args>> {
    fn shut_down(&self, why: &str) {
        shut_down(self, why);
    }

    fn keep_alive(self: Rc<Self>) {
        if !self.state.closed.get() {
            *self.state.keep_alive.borrow_mut() = Some(self.clone());
        }
    }

    fn is_connected(&self) -> bool {
        !self.state.closed.get()
    }

    fn running(&self) -> usize {
        self.state.tasks.borrow().iter().filter(|task| !task.done()).count()
    }

    fn signal(&self) -> &'static str {
        self.signal
    }
}

/// A signal connected to a coroutine by [`Signal::connect`](super::Signal::connect). Dropping
/// it (or [`disconnect`](Self::disconnect)) ends the connection: nothing more is spawned and
/// the coroutines still running are cancelled, so nothing it started outlives it.
/// [`detach`](Self::detach) instead keeps the connection until the sender is destroyed.
///
/// ```no_run
/// use qtasync::qt::SignalConnection;
///
/// struct Dialog {
///     // Connected while the dialog lives.
///     _on_accept: SignalConnection,
/// }
/// ```
#[must_use = "dropping a SignalConnection disconnects it at once: keep it, or call .detach()"]
pub struct SignalConnection {
    link: Option<Rc<dyn Control>>,
}

impl SignalConnection {
    pub(crate) fn new<Args: 'static>(link: Rc<Link<ConnectState<Args>>>) -> Self {
        SignalConnection { link: Some(link) }
    }

    /// Disconnects and cancels the coroutines still running (the same as dropping it).
    pub fn disconnect(self) {}

    /// Keeps the connection, and its running coroutines, until the sender (or a
    /// [`cancel_with`](ConnectOptions::cancel_with) receiver) is destroyed, without a guard.
    pub fn detach(mut self) {
        if let Some(link) = self.link.take() {
            link.keep_alive();
        }
    }

    /// Whether emissions still spawn coroutines (false once the sender or a receiver was
    /// destroyed).
    pub fn is_connected(&self) -> bool {
        self.link.as_ref().is_some_and(|link| link.is_connected())
    }

    /// How many coroutines it started are still running (or waiting their turn).
    pub fn running(&self) -> usize {
        self.link.as_ref().map_or(0, |link| link.running())
    }
}

impl Drop for SignalConnection {
    fn drop(&mut self) {
        if let Some(link) = self.link.take() {
            link.shut_down("its SignalConnection was dropped");
        }
    }
}

impl fmt::Debug for SignalConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignalConnection")
            .field("signal", &self.link.as_ref().map(|link| link.signal()))
            .field("connected", &self.is_connected())
            .field("running", &self.running())
            .finish()
    }
}
