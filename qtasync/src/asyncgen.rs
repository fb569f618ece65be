//! `shutdown_asyncgens`, in Rust terms: asyncio closes the async generators still open when a
//! program ends, so their `finally` blocks run. The Rust counterpart of an async generator is a
//! `Stream`; a stream registered with [`EventLoop::track_stream`](crate::EventLoop::track_stream)
//! is closed (dropped, running its destructors) by `shutdown_asyncgens`.

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};

use futures_core::Stream;

type Slot<T> = RefCell<Option<Pin<Box<dyn Stream<Item = T>>>>>;

trait Closeable {
    /// Drops the stream; `true` if it was still open.
    fn close(&self) -> bool;
}

impl<T> Closeable for Slot<T> {
    fn close(&self) -> bool {
        let stream = self.borrow_mut().take();
        stream.is_some()
    }
}

#[derive(Default)]
pub(crate) struct AsyncGenRegistry {
    streams: RefCell<Vec<Weak<dyn Closeable>>>,
}

impl AsyncGenRegistry {
    pub(crate) fn track<S: Stream + 'static>(&self, stream: S) -> TrackedStream<S::Item> {
        let slot: Rc<Slot<S::Item>> = Rc::new(RefCell::new(Some(Box::pin(stream))));
        let weak: Weak<dyn Closeable> = Rc::downgrade(&slot) as Weak<dyn Closeable>;
        let mut streams = self.streams.borrow_mut();
        streams.retain(|stream| stream.strong_count() > 0);
        streams.push(weak);
        TrackedStream { slot }
    }

    pub(crate) fn close_all(&self) -> usize {
        let streams = std::mem::take(&mut *self.streams.borrow_mut());
        streams.iter().filter_map(Weak::upgrade).filter(|stream| stream.close()).count()
    }
}

/// A stream the loop can close at shutdown. Yields what the wrapped stream yields; after
/// `shutdown_asyncgens` (or `close`), yields `None`.
pub struct TrackedStream<T> {
    slot: Rc<Slot<T>>,
}

impl<T> TrackedStream<T> {
    /// Closes the stream now (asyncio's `aclose()`); `true` if it was open.
    pub fn close(&self) -> bool {
        self.slot.close()
    }

    /// Whether the stream was closed.
    pub fn is_closed(&self) -> bool {
        self.slot.borrow().is_none()
    }
}

impl<T> Stream for TrackedStream<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut slot = self.slot.borrow_mut();
        match slot.as_mut() {
            None => Poll::Ready(None),
            Some(stream) => {
                let next = stream.as_mut().poll_next(cx);
                if let Poll::Ready(None) = next {
                    *slot = None;
                }
                next
            }
        }
    }
}
