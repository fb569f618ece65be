//! The target loop's side of a remote task: the user's future, run as a task there, and the
//! reply that always reaches the submitter (output, panic, cancellation or a closed loop).

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_channel::oneshot;

use super::task::{Outcome, RemoteError};
use crate::core::exception::{ExceptionContext, Panic};
use crate::event_loop::get_running_loop;

/// The submitter's channel. Dropped unsent it still answers: [`RemoteError::LoopClosed`] before
/// the task started (the loop closed with the submission queued), [`RemoteError::Cancelled`]
/// after (the task's future was dropped unfinished).
pub(crate) struct Reply<T> {
    sender: Option<oneshot::Sender<Outcome<T>>>,
    started: bool,
}

impl<T> Reply<T> {
    pub(crate) fn new(sender: oneshot::Sender<Outcome<T>>) -> Self {
        Reply { sender: Some(sender), started: false }
    }

    /// Sends `outcome`; gives it back when the submitter is gone.
    pub(crate) fn send(&mut self, outcome: Outcome<T>) -> Result<(), Outcome<T>> {
        match self.sender.take() {
            Some(sender) => sender.send(outcome),
            None => Err(outcome),
        }
    }

    /// Whether the submitter dropped its [`RemoteTask`](super::RemoteTask) (registers `cx`'s
    /// waker to hear of it).
    fn poll_abandoned(&mut self, cx: &mut Context<'_>) -> bool {
        match self.sender.as_mut() {
            Some(sender) => sender.poll_canceled(cx).is_ready(),
            None => true,
        }
    }

    /// Drops the channel without an answer (nobody listens).
    fn forget(&mut self) {
        self.sender = None;
    }
}

impl<T> Drop for Reply<T> {
    fn drop(&mut self) {
        let error = if self.started { RemoteError::Cancelled } else { RemoteError::LoopClosed };
        let _ = self.send(Err(error));
    }
}

pin_project_lite::pin_project! {
    /// The task that runs on the target loop.
    pub(crate) struct Deliver<F: Future> {
        #[pin]
        future: F,
        reply: Reply<F::Output>,
        detached: Arc<AtomicBool>,
    }
}

impl<F: Future> Deliver<F> {
    /// The task is made: from now on an unfinished end is a cancellation.
    pub(crate) fn new(future: F, mut reply: Reply<F::Output>, detached: Arc<AtomicBool>) -> Self {
        reply.started = true;
        Deliver { future, reply, detached }
    }
}

impl<F: Future> Future for Deliver<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        let detached = this.detached.load(Ordering::Acquire);
        if !detached && this.reply.poll_abandoned(cx) {
            // The flag is stored before the receiver is dropped: look again now that it is.
            if !this.detached.load(Ordering::Acquire) {
                // Cancelled by its submitter: finishing drops the future here, on its loop.
                this.reply.forget();
                return Poll::Ready(());
            }
        }
        let polled = catch_unwind(AssertUnwindSafe(|| this.future.poll(cx)));
        let outcome = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(output)) => Ok(output),
            Err(payload) => Err(RemoteError::Panicked(Panic::new(payload))),
        };
        if let Err(Err(RemoteError::Panicked(panic))) = this.reply.send(outcome) {
            report_unretrieved(panic);
        }
        Poll::Ready(())
    }
}

/// A panic of a detached remote task goes to its loop's exception handler.
pub(crate) fn report_unretrieved(panic: Panic) {
    let context = ExceptionContext::new("Remote task exception was never retrieved")
        .with_exception(Rc::new(panic));
    match get_running_loop() {
        Ok(event_loop) => event_loop.call_exception_handler(&context),
        Err(_) => crate::core::exception::default_exception_handler(&context),
    }
}
