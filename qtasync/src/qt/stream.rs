//! Every emission as a stream: [`SignalStream`], buffered by a [`Backlog`] policy.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use futures_core::stream::{FusedStream, Stream};

use super::link::{Link, Receiver};

/// What a [`SignalStream`] keeps when its consumer falls behind the sender.
///
/// Emissions are queued the moment Qt emits them (the stream never misses one between polls);
/// this decides how many may wait.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Backlog {
    /// Keep every emission until it is taken (the default). Memory grows with the backlog of a
    /// consumer that never catches up.
    #[default]
    Unbounded,
    /// Keep the newest `n` (at least 1): an emission that finds `n` waiting drops the oldest,
    /// and [`SignalStream::lost`] counts the dropped ones. Right for "latest state" signals
    /// (progress, position) whose consumer only needs to catch up.
    DropOldest(usize),
}

impl Backlog {
    fn capacity(self) -> Option<usize> {
        match self {
            Backlog::Unbounded => None,
            Backlog::DropOldest(n) => {
                assert!(n > 0, "Backlog::DropOldest(n) needs n >= 1");
                Some(n)
            }
        }
    }
}

struct Queue<Args> {
    items: VecDeque<Args>,
    capacity: Option<usize>,
    lost: u64,
    waker: Option<Waker>,
    /// The sender was destroyed: nothing more will come.
    ended: bool,
}

pub(crate) struct StreamState<Args> {
    queue: RefCell<Queue<Args>>,
}

impl<Args> StreamState<Args> {
    pub(crate) fn new(backlog: Backlog) -> Self {
        let capacity = backlog.capacity();
        StreamState {
            queue: RefCell::new(Queue {
                items: VecDeque::new(),
                capacity,
                lost: 0,
                waker: None,
                ended: false,
            }),
        }
    }
}

impl<Args: 'static> Receiver for StreamState<Args> {
    type Args = Args;

    fn emitted(link: &Link<Self>, args: Args) {
        let waker = {
            let mut queue = link.state.queue.borrow_mut();
            if queue.capacity.is_some_and(|capacity| queue.items.len() >= capacity) {
                queue.items.pop_front();
                queue.lost += 1;
            }
            queue.items.push_back(args);
            // Woken once per batch: the consumer takes everything queued when it runs.
            queue.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    fn destroyed(link: &Rc<Link<Self>>) {
        let waker = {
            let mut queue = link.state.queue.borrow_mut();
            queue.ended = true;
            queue.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// Every emission of a signal, in order, as a [`Stream`] of owned argument tuples. Made by
/// [`Signal::stream`](super::Signal::stream) (unbounded) or
/// [`Signal::stream_with`](super::Signal::stream_with) (a [`Backlog`] policy).
///
/// Connected from the moment it is made: emissions are queued as Qt emits them, so none is lost
/// between polls, however many come at once. It ends (yields `None`) once the sender is
/// destroyed and what was queued before has been taken. Dropping it disconnects.
///
/// ```no_run
/// use futures::StreamExt;
/// use qtasync::qt::SignalStream;
///
/// async fn total(mut values: SignalStream<(i32,)>) -> i64 {
///     let mut total = 0;
///     while let Some((value,)) = values.next().await {
///         total += i64::from(value);
///     }
///     total // the sender was destroyed
/// }
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct SignalStream<Args: 'static> {
    link: Option<Rc<Link<StreamState<Args>>>>,
    /// `lost` once the link is gone.
    lost_at_end: u64,
}

impl<Args: 'static> SignalStream<Args> {
    pub(crate) fn new(link: Rc<Link<StreamState<Args>>>) -> Self {
        SignalStream { link: Some(link), lost_at_end: 0 }
    }

    /// How many emissions were dropped because the backlog was full ([`Backlog::DropOldest`]).
    pub fn lost(&self) -> u64 {
        self.link.as_ref().map_or(self.lost_at_end, |link| link.state.queue.borrow().lost)
    }

    /// How many emissions wait to be taken.
    pub fn pending(&self) -> usize {
        self.link.as_ref().map_or(0, |link| link.state.queue.borrow().items.len())
    }

    /// Stops listening now; what is queued can still be taken, then the stream ends.
    pub fn disconnect(&mut self) {
        if let Some(link) = &self.link {
            link.disconnect();
            link.state.queue.borrow_mut().ended = true;
        }
    }
}

impl<Args: 'static> Stream for SignalStream<Args> {
    type Item = Args;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Args>> {
        let Some(link) = &self.link else { return Poll::Ready(None) };
        let (ended, lost) = {
            let mut queue = link.state.queue.borrow_mut();
            if let Some(args) = queue.items.pop_front() {
                return Poll::Ready(Some(args));
            }
            if !queue.ended {
                match &queue.waker {
                    Some(waker) if waker.will_wake(cx.waker()) => {}
                    _ => queue.waker = Some(cx.waker().clone()),
                }
            }
            (queue.ended, queue.lost)
        };
        if ended {
            // Let the connection and the watch go; keep `lost` readable.
            self.lost_at_end = lost;
            self.link = None;
            return Poll::Ready(None);
        }
        Poll::Pending
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.link {
            Some(link) => (link.state.queue.borrow().items.len(), None),
            None => (0, Some(0)),
        }
    }
}

impl<Args: 'static> FusedStream for SignalStream<Args> {
    fn is_terminated(&self) -> bool {
        self.link.is_none()
    }
}

impl<Args: 'static> fmt::Debug for SignalStream<Args> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignalStream")
            .field("signal", &self.link.as_ref().map(|link| link.signal))
            .field("pending", &self.pending())
            .field("lost", &self.lost())
            .finish()
    }
}
