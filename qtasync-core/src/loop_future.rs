//! asyncio's `Future`: a one-shot completion object created by `EventLoop::create_future`, set
//! once with a result, an exception or a cancellation, awaitable by any number of tasks.
//! (Named `LoopFuture` so that it never shadows `std::future::Future`.)

use std::cell::{Cell, RefCell};
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

use super::done_callbacks::DoneCallbacks;
use super::exception::{Exception, ExceptionContext};
use super::scheduler::{self, Scheduler};

/// A [`LoopFuture`] was set twice, or read before it was set (asyncio's `InvalidStateError`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidStateError {
    message: &'static str,
}

impl fmt::Display for InvalidStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl Error for InvalidStateError {}

/// Why a [`LoopFuture`] has no result to give.
#[derive(Clone, Debug)]
pub enum FutureError {
    /// Not done yet (only from [`LoopFuture::result`]).
    InvalidState(InvalidStateError),
    /// Cancelled, with the message given to `cancel`.
    Cancelled(Option<String>),
    /// Completed with an exception.
    Exception(Exception),
    /// Awaited from a task of another event loop.
    OtherLoop,
}

impl fmt::Display for FutureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FutureError::InvalidState(error) => error.fmt(f),
            FutureError::Cancelled(None) => f.write_str("future was cancelled"),
            FutureError::Cancelled(Some(message)) => write!(f, "future was cancelled: {message}"),
            FutureError::Exception(exception) => exception.fmt(f),
            FutureError::OtherLoop => f.write_str("future belongs to a different event loop"),
        }
    }
}

impl Error for FutureError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            FutureError::Exception(exception) => Some(&**exception),
            _ => None,
        }
    }
}

enum State<T> {
    Pending,
    /// Shared so that `result()` clones `T` with no borrow held (a `Clone` may use the future).
    Result(Rc<T>),
    Exception(Exception),
    Cancelled(Option<String>),
}

struct Cell_<T> {
    state: RefCell<State<T>>,
    wakers: RefCell<Vec<Waker>>,
    callbacks: DoneCallbacks<LoopFuture<T>>,
    exception_retrieved: Cell<bool>,
    scheduler: Weak<Scheduler>,
}

impl<T> Drop for Cell_<T> {
    fn drop(&mut self) {
        if let State::Exception(exception) = &*self.state.borrow() {
            if !self.exception_retrieved.get() {
                let context = ExceptionContext::new("Future exception was never retrieved")
                    .with_exception(exception.clone());
                match self.scheduler.upgrade() {
                    Some(scheduler) => scheduler.report(context),
                    None => super::exception::default_exception_handler(&context),
                }
            }
        }
    }
}

/// Identifies a done callback for [`LoopFuture::remove_done_callback`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FutureCallbackId(u64);

/// A one-shot completion object bound to one event loop (asyncio's `Future`). Clones share it.
pub struct LoopFuture<T> {
    cell: Rc<Cell_<T>>,
}

impl<T> Clone for LoopFuture<T> {
    fn clone(&self) -> Self {
        LoopFuture { cell: self.cell.clone() }
    }
}

impl<T: 'static> LoopFuture<T> {
    pub fn new(scheduler: Weak<Scheduler>) -> Self {
        LoopFuture {
            cell: Rc::new(Cell_ {
                state: RefCell::new(State::Pending),
                wakers: RefCell::new(Vec::new()),
                callbacks: DoneCallbacks::default(),
                exception_retrieved: Cell::new(false),
                scheduler,
            }),
        }
    }

    fn settle(&self, state: State<T>) -> Result<(), InvalidStateError> {
        {
            let mut current = self.cell.state.borrow_mut();
            if !matches!(*current, State::Pending) {
                return Err(InvalidStateError { message: "the future is already done" });
            }
            *current = state;
        }
        // Taken out first: the wakers run with no borrow held (they may poll this future).
        let wakers = std::mem::take(&mut *self.cell.wakers.borrow_mut());
        for waker in wakers {
            waker.wake();
        }
        self.schedule_callbacks();
        Ok(())
    }

    fn schedule_callbacks(&self) {
        let callbacks = self.cell.callbacks.take();
        if callbacks.is_empty() {
            return;
        }
        let Some(scheduler) = self.cell.scheduler.upgrade() else { return };
        for callback in callbacks {
            let future = self.clone();
            let _ = scheduler.call_soon(move || callback(&future), Location::caller());
        }
    }

    /// Completes the future with `value`; an error if it is already done.
    pub fn set_result(&self, value: T) -> Result<(), InvalidStateError> {
        self.settle(State::Result(Rc::new(value)))
    }

    /// Completes the future with an error; an error if it is already done.
    pub fn set_exception(&self, exception: impl Error + 'static) -> Result<(), InvalidStateError> {
        self.settle(State::Exception(Rc::new(exception)))
    }

    /// Cancels the future; `false` if it is already done.
    pub fn cancel(&self, message: Option<&str>) -> bool {
        self.settle(State::Cancelled(message.map(str::to_owned))).is_ok()
    }

    /// Whether the future is done.
    pub fn done(&self) -> bool {
        !matches!(*self.cell.state.borrow(), State::Pending)
    }

    /// Whether the future was cancelled.
    pub fn cancelled(&self) -> bool {
        matches!(*self.cell.state.borrow(), State::Cancelled(_))
    }

    /// The exception, `None` if the future has a result; an error if it is pending or cancelled.
    pub fn exception(&self) -> Result<Option<Exception>, FutureError> {
        match &*self.cell.state.borrow() {
            State::Pending => Err(FutureError::InvalidState(InvalidStateError {
                message: "the future is not done yet",
            })),
            State::Cancelled(message) => Err(FutureError::Cancelled(message.clone())),
            State::Exception(exception) => {
                self.cell.exception_retrieved.set(true);
                Ok(Some(exception.clone()))
            }
            State::Result(_) => Ok(None),
        }
    }

    /// Runs `callback` through `call_soon` once the future is done; at once if it already is.
    pub fn add_done_callback(
        &self,
        callback: impl FnOnce(&LoopFuture<T>) + 'static,
    ) -> FutureCallbackId {
        let id = self.cell.callbacks.add(callback);
        if self.done() {
            self.schedule_callbacks();
        }
        FutureCallbackId(id)
    }

    /// Removes a callback not yet scheduled; returns how many were removed.
    pub fn remove_done_callback(&self, id: FutureCallbackId) -> usize {
        // Dropped after `remove` released the list: a captured value's `Drop` may add a callback.
        self.cell.callbacks.remove(id.0).len()
    }

    fn belongs_to_running_loop(&self) -> bool {
        match scheduler::running() {
            Some(running) => Weak::ptr_eq(&Rc::downgrade(&running), &self.cell.scheduler),
            None => true,
        }
    }
}

impl<T: Clone + 'static> LoopFuture<T> {
    /// The result: a clone of the value, or why there is none (asyncio's `result()`).
    pub fn result(&self) -> Result<T, FutureError> {
        let value = match &*self.cell.state.borrow() {
            State::Pending => Err(FutureError::InvalidState(InvalidStateError {
                message: "the future is not done yet",
            })),
            State::Result(value) => Ok(value.clone()),
            State::Exception(exception) => {
                self.cell.exception_retrieved.set(true);
                Err(FutureError::Exception(exception.clone()))
            }
            State::Cancelled(message) => Err(FutureError::Cancelled(message.clone())),
        };
        // The borrow has ended: `T::clone` may use this future.
        value.map(|value| T::clone(&value))
    }
}

/// Awaiting gives the result (a clone, so that every awaiter gets it).
impl<T: Clone + 'static> Future for LoopFuture<T> {
    type Output = Result<T, FutureError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if !self.belongs_to_running_loop() {
            return Poll::Ready(Err(FutureError::OtherLoop));
        }
        if self.done() {
            return Poll::Ready(self.result());
        }
        let mut wakers = self.cell.wakers.borrow_mut();
        if !wakers.iter().any(|waker| waker.will_wake(cx.waker())) {
            wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

impl<T> fmt::Debug for LoopFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &*self.cell.state.borrow() {
            State::Pending => "pending",
            State::Result(_) => "finished",
            State::Exception(_) => "failed",
            State::Cancelled(_) => "cancelled",
        };
        f.debug_struct("LoopFuture").field("state", &state).finish()
    }
}
