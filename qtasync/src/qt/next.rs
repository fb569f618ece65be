//! One emission as a future: [`NextEmission`], and [`NextEmissionTimeout`] with a deadline.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use crate::time::{sleep, Sleep};

use super::link::{Link, Receiver};

/// The sender was destroyed before it emitted the signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SenderDestroyed;

impl fmt::Display for SenderDestroyed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the signal's sender was destroyed before it emitted the signal")
    }
}

impl std::error::Error for SenderDestroyed {}

/// Why a [`NextEmissionTimeout`] ended without an emission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitError {
    /// The deadline passed first.
    Timeout,
    /// The sender was destroyed first.
    SenderDestroyed,
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::Timeout => f.write_str("the signal was not emitted before the deadline"),
            WaitError::SenderDestroyed => fmt::Display::fmt(&SenderDestroyed, f),
        }
    }
}

impl std::error::Error for WaitError {}

impl From<SenderDestroyed> for WaitError {
    fn from(_: SenderDestroyed) -> Self {
        WaitError::SenderDestroyed
    }
}

enum Slot<Args> {
    Waiting(Option<Waker>),
    Emitted(Args),
    Destroyed,
    Taken,
}

pub(crate) struct NextState<Args> {
    slot: RefCell<Slot<Args>>,
}

impl<Args> NextState<Args> {
    pub(crate) fn new() -> Self {
        NextState { slot: RefCell::new(Slot::Waiting(None)) }
    }

    /// Fills the slot if it still waits, and wakes the waiter (outside the borrow).
    fn settle(&self, outcome: Slot<Args>) -> bool {
        let waker = {
            let mut slot = self.slot.borrow_mut();
            let Slot::Waiting(waker) = &mut *slot else { return false };
            let waker = waker.take();
            *slot = outcome;
            waker
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        true
    }
}

impl<Args: 'static> Receiver for NextState<Args> {
    type Args = Args;

    fn emitted(link: &Link<Self>, args: Args) {
        if link.state.settle(Slot::Emitted(args)) {
            // One emission is all this future wants: stop listening now, not at the next poll.
            link.disconnect();
        }
    }

    fn destroyed(link: &Rc<Link<Self>>) {
        link.state.settle(Slot::Destroyed);
    }
}

/// The next emission of a signal: resolves with the signal's arguments as a tuple of owned
/// values (`()` , `(i32,)`, `(i32, QString)` ...), or with [`SenderDestroyed`] if the sender is
/// destroyed first. Made by [`signal!`](crate::signal) (`.await` it directly, or call
/// [`Signal::next`](super::Signal::next) to connect now and await later).
///
/// It is connected from the moment it is made, so an emission between making it and polling
/// it is not missed. The Qt connection is removed as soon as the signal is emitted, and when
/// the future is dropped.
///
/// ```no_run
/// use qtasync::qt::{NextEmission, SenderDestroyed};
///
/// async fn first(next: NextEmission<(i32,)>) -> Result<i32, SenderDestroyed> {
///     let (value,) = next.await?;
///     Ok(value)
/// }
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct NextEmission<Args: 'static> {
    link: Option<Rc<Link<NextState<Args>>>>,
}

impl<Args: 'static> NextEmission<Args> {
    pub(crate) fn new(link: Rc<Link<NextState<Args>>>) -> Self {
        NextEmission { link: Some(link) }
    }

    /// Gives up after `duration`: the future then resolves with [`WaitError::Timeout`].
    /// The timer is the running loop's: polling it outside a running qtasync loop panics.
    pub fn timeout(self, duration: Duration) -> NextEmissionTimeout<Args> {
        NextEmissionTimeout { next: self, sleep: sleep(duration) }
    }

    /// Whether it is still connected to the signal (neither emitted nor destroyed yet).
    pub fn is_waiting(&self) -> bool {
        self.link.as_ref().is_some_and(|link| matches!(*link.state.slot.borrow(), Slot::Waiting(_)))
    }
}

impl<Args: 'static> Future for NextEmission<Args> {
    type Output = Result<Args, SenderDestroyed>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let link = self.link.as_ref().expect("NextEmission polled after it completed");
        let outcome = {
            let mut slot = link.state.slot.borrow_mut();
            match &mut *slot {
                Slot::Waiting(waker) => {
                    match waker {
                        Some(waker) if waker.will_wake(cx.waker()) => {}
                        _ => *waker = Some(cx.waker().clone()),
                    }
                    return Poll::Pending;
                }
                _ => std::mem::replace(&mut *slot, Slot::Taken),
            }
        };
        // Done: drop the connection and the destroyed-watch now.
        self.link = None;
        match outcome {
            Slot::Emitted(args) => Poll::Ready(Ok(args)),
            Slot::Destroyed => Poll::Ready(Err(SenderDestroyed)),
            Slot::Waiting(_) | Slot::Taken => unreachable!("settled exactly once"),
        }
    }
}

impl<Args: 'static> fmt::Debug for NextEmission<Args> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let signal = self.link.as_ref().map(|link| link.signal);
        f.debug_struct("NextEmission").field("signal", &signal).finish()
    }
}

/// [`NextEmission`] with a deadline: resolves with the arguments, or [`WaitError::Timeout`],
/// or [`WaitError::SenderDestroyed`]. Made by [`Signal::timeout`](super::Signal::timeout) or
/// [`NextEmission::timeout`]; dropping it disconnects.
///
/// # Panics
/// When polled outside a running qtasync loop (its timer is the loop's).
#[must_use = "futures do nothing unless awaited"]
pub struct NextEmissionTimeout<Args: 'static> {
    next: NextEmission<Args>,
    sleep: Sleep,
}

impl<Args: 'static> Future for NextEmissionTimeout<Args> {
    type Output = Result<Args, WaitError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Poll::Ready(outcome) = Pin::new(&mut this.next).poll(cx) {
            return Poll::Ready(outcome.map_err(WaitError::from));
        }
        match Pin::new(&mut this.sleep).poll(cx) {
            Poll::Ready(()) => {
                this.next.link = None; // disconnect now, not when the future is dropped
                Poll::Ready(Err(WaitError::Timeout))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<Args: 'static> fmt::Debug for NextEmissionTimeout<Args> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NextEmissionTimeout").field("next", &self.next).finish()
    }
}
