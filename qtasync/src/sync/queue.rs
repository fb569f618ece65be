//! `Queue`: FIFO, LIFO or priority order, optionally bounded, with Python 3.13's `shutdown`.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::fmt;
use std::sync::Mutex;

use super::lock;
use super::queue_error::{
    GetNowaitError, PutNowaitError, QueueEmpty, QueueFull, QueueShutDown, TaskDoneError,
};

/// The order in which a [`Queue`] hands out its items.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QueueKind {
    /// First in, first out (asyncio's `Queue`).
    Fifo,
    /// Last in, first out (asyncio's `LifoQueue`).
    Lifo,
    /// Smallest first (asyncio's `PriorityQueue`); equal items in no particular order.
    Priority,
}

/// A queue between tasks (asyncio's `Queue`, `LifoQueue` and `PriorityQueue`).
///
/// - `maxsize` 0 means unbounded; otherwise [`put`](Self::put) waits while the queue is full
///   and [`put_nowait`](Self::put_nowait) fails with [`QueueFull`].
/// - [`get`](Self::get) waits for an item; [`get_nowait`](Self::get_nowait) fails with
///   [`QueueEmpty`].
/// - Every put counts an unfinished item; [`task_done`](Self::task_done) marks one done and
///   [`join`](Self::join) waits until none is left.
/// - [`shutdown`](Self::shutdown) (Python 3.13): puts fail with [`QueueShutDown`] and waiting
///   putters are woken with it; gets drain what is left, then fail with it. With `immediate`,
///   the items are dropped at once (each counting as done) and waiting getters fail too.
///
/// `Send + Sync` when `T: Send`; waiting is cancel-safe (a dropped `get` loses no item).
///
/// ```
/// use qtasync::sync::{Queue, QueueFull, PutNowaitError};
/// use qtasync::Runner;
///
/// let out = Runner::new().keep_running(false).run(async {
///     let queue = Queue::priority(2);
///     queue.put_nowait(5).unwrap();
///     queue.put(1).await.unwrap();
///     assert!(matches!(queue.put_nowait(3), Err(PutNowaitError::Full(QueueFull(3)))));
///     (queue.get().await.unwrap(), queue.get_nowait().unwrap())
/// }).unwrap();
/// assert_eq!(out, Some((1, 5)));
/// ```
pub struct Queue<T> {
    state: Mutex<State<T>>,
    maxsize: usize,
    kind: QueueKind,
    /// Getters wait on this.
    not_empty: event_listener::Event,
    /// Putters wait on this.
    not_full: event_listener::Event,
    /// `join` waits on this.
    all_done: event_listener::Event,
}

struct State<T> {
    items: Store<T>,
    unfinished: usize,
    shut_down: bool,
}

enum Store<T> {
    Fifo(VecDeque<T>),
    Lifo(Vec<T>),
    Priority { heap: BinaryHeap<Prioritized<T>>, cmp: fn(&T, &T) -> Ordering },
}

/// An item ordered by the `Ord` of its type, captured when the queue was made (so that
/// `Queue<T>` itself needs no `T: Ord`); reversed, to make `BinaryHeap` a min-heap.
struct Prioritized<T> {
    item: T,
    cmp: fn(&T, &T) -> Ordering,
}

impl<T> PartialEq for Prioritized<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T> Eq for Prioritized<T> {}

impl<T> PartialOrd for Prioritized<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Prioritized<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.cmp)(&other.item, &self.item)
    }
}

impl<T> Store<T> {
    fn len(&self) -> usize {
        match self {
            Store::Fifo(items) => items.len(),
            Store::Lifo(items) => items.len(),
            Store::Priority { heap, .. } => heap.len(),
        }
    }

    fn push(&mut self, item: T) {
        match self {
            Store::Fifo(items) => items.push_back(item),
            Store::Lifo(items) => items.push(item),
            Store::Priority { heap, cmp } => heap.push(Prioritized { item, cmp: *cmp }),
        }
    }

    fn pop(&mut self) -> Option<T> {
        match self {
            Store::Fifo(items) => items.pop_front(),
            Store::Lifo(items) => items.pop(),
            Store::Priority { heap, .. } => heap.pop().map(|entry| entry.item),
        }
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Moves every item out, leaving the store empty (and still of its kind).
    fn take_all(&mut self) -> Store<T> {
        match self {
            Store::Fifo(items) => Store::Fifo(std::mem::take(items)),
            Store::Lifo(items) => Store::Lifo(std::mem::take(items)),
            Store::Priority { heap, cmp } => {
                Store::Priority { heap: std::mem::take(heap), cmp: *cmp }
            }
        }
    }
}

impl<T> Queue<T> {
    fn with_store(maxsize: usize, kind: QueueKind, items: Store<T>) -> Self {
        Queue {
            state: Mutex::new(State { items, unfinished: 0, shut_down: false }),
            maxsize,
            kind,
            not_empty: event_listener::Event::new(),
            not_full: event_listener::Event::new(),
            all_done: event_listener::Event::new(),
        }
    }

    /// A FIFO queue holding at most `maxsize` items (0: unbounded).
    pub fn new(maxsize: usize) -> Self {
        Self::with_store(maxsize, QueueKind::Fifo, Store::Fifo(VecDeque::new()))
    }

    /// A LIFO queue (asyncio's `LifoQueue`).
    pub fn lifo(maxsize: usize) -> Self {
        Self::with_store(maxsize, QueueKind::Lifo, Store::Lifo(Vec::new()))
    }

    /// A queue handing out its smallest item first (asyncio's `PriorityQueue`; use
    /// `(priority, item)` tuples or [`std::cmp::Reverse`] as in Python).
    pub fn priority(maxsize: usize) -> Self
    where
        T: Ord,
    {
        Self::with_store(
            maxsize,
            QueueKind::Priority,
            Store::Priority { heap: BinaryHeap::new(), cmp: <T as Ord>::cmp },
        )
    }

    /// The largest number of items the queue holds (0: unbounded).
    pub fn maxsize(&self) -> usize {
        self.maxsize
    }

    /// The order the queue hands out its items in.
    pub fn kind(&self) -> QueueKind {
        self.kind
    }

    /// How many items the queue holds (asyncio's `qsize`).
    pub fn qsize(&self) -> usize {
        lock(&self.state).items.len()
    }

    /// Whether the queue holds no item.
    pub fn empty(&self) -> bool {
        self.qsize() == 0
    }

    /// Whether the queue holds `maxsize` items (never, when unbounded).
    pub fn full(&self) -> bool {
        self.maxsize > 0 && self.qsize() >= self.maxsize
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    pub fn is_shut_down(&self) -> bool {
        lock(&self.state).shut_down
    }

    /// Puts `item` in the queue, waiting while it is full. `Err` (with the item) once the queue
    /// is shut down, including while waiting. Cancel-safe: dropped while waiting, the item is
    /// dropped and the queue unchanged.
    pub async fn put(&self, mut item: T) -> Result<(), QueueShutDown<T>> {
        loop {
            let listener = match self.try_put(item) {
                Ok(()) => return Ok(()),
                Err(PutNowaitError::ShutDown(error)) => return Err(error),
                Err(PutNowaitError::Full(QueueFull(back))) => {
                    item = back;
                    // Registered, then checked again: a get in between is not missed.
                    let listener = self.not_full.listen();
                    if !self.full() || self.is_shut_down() {
                        continue;
                    }
                    listener
                }
            };
            listener.await;
        }
    }

    /// Puts `item` in the queue without waiting: [`QueueFull`] or [`QueueShutDown`] (both
    /// giving the item back) when it cannot.
    pub fn put_nowait(&self, item: T) -> Result<(), PutNowaitError<T>> {
        self.try_put(item)
    }

    fn try_put(&self, item: T) -> Result<(), PutNowaitError<T>> {
        let mut state = lock(&self.state);
        if state.shut_down {
            return Err(PutNowaitError::ShutDown(QueueShutDown(item)));
        }
        if self.maxsize > 0 && state.items.len() >= self.maxsize {
            return Err(PutNowaitError::Full(QueueFull(item)));
        }
        state.items.push(item);
        state.unfinished += 1;
        drop(state);
        self.not_empty.notify_additional(1);
        Ok(())
    }

    /// Takes the next item, waiting while the queue is empty. `Err` once the queue is shut down
    /// and empty (at once after an immediate shutdown). Cancel-safe.
    pub async fn get(&self) -> Result<T, QueueShutDown> {
        loop {
            let listener = match self.try_get() {
                Ok(item) => return Ok(item),
                Err(GetNowaitError::ShutDown(error)) => return Err(error),
                Err(GetNowaitError::Empty(QueueEmpty)) => {
                    let listener = self.not_empty.listen();
                    if !self.empty() || self.is_shut_down() {
                        continue;
                    }
                    listener
                }
            };
            listener.await;
        }
    }

    /// Takes the next item without waiting: [`QueueEmpty`], or [`QueueShutDown`] once the
    /// queue is shut down and empty.
    pub fn get_nowait(&self) -> Result<T, GetNowaitError> {
        self.try_get()
    }

    fn try_get(&self) -> Result<T, GetNowaitError> {
        let mut state = lock(&self.state);
        match state.items.pop() {
            Some(item) => {
                let more = !state.items.is_empty();
                drop(state);
                self.not_full.notify_additional(1);
                if more {
                    // A getter woken for an item another one took first passes the turn on.
                    self.not_empty.notify(1);
                }
                Ok(item)
            }
            None if state.shut_down => Err(GetNowaitError::ShutDown(QueueShutDown(()))),
            None => Err(GetNowaitError::Empty(QueueEmpty)),
        }
    }

    /// Marks one item taken with `get` as processed. [`TaskDoneError`] when called more times
    /// than items were put.
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        let mut state = lock(&self.state);
        if state.unfinished == 0 {
            return Err(TaskDoneError);
        }
        state.unfinished -= 1;
        let all_done = state.unfinished == 0;
        drop(state);
        if all_done {
            self.all_done.notify(usize::MAX);
        }
        Ok(())
    }

    /// Waits until every item put has been marked done with [`task_done`](Self::task_done).
    pub async fn join(&self) {
        loop {
            let listener = {
                let state = lock(&self.state);
                if state.unfinished == 0 {
                    return;
                }
                self.all_done.listen()
            };
            listener.await;
        }
    }

    /// Shuts the queue down (Python 3.13): puts fail from now on and waiting putters are woken
    /// with [`QueueShutDown`]; getters get the items left, then `QueueShutDown`. With
    /// `immediate`, the items left are dropped, each counting as done for [`join`](Self::join),
    /// and waiting getters get `QueueShutDown` at once.
    pub fn shutdown(&self, immediate: bool) {
        let mut state = lock(&self.state);
        state.shut_down = true;
        let dropped = if immediate {
            let removed = state.items.take_all();
            let count = removed.len();
            state.unfinished = state.unfinished.saturating_sub(count);
            Some(removed)
        } else {
            None
        };
        let all_done = state.unfinished == 0;
        drop(state);
        // The items' destructors run outside the lock: they may use the queue.
        drop(dropped);
        self.not_empty.notify(usize::MAX);
        self.not_full.notify(usize::MAX);
        if all_done {
            self.all_done.notify(usize::MAX);
        }
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("Queue")
            .field("kind", &self.kind)
            .field("maxsize", &self.maxsize)
            .field("qsize", &state.items.len())
            .field("unfinished", &state.unfinished)
            .field("shut_down", &state.shut_down)
            .finish()
    }
}
