//! asyncio's synchronization primitives: [`Queue`] (FIFO, LIFO and priority; `maxsize`,
//! `task_done`/`join`, `shutdown`), [`Event`], [`Lock`], [`Semaphore`], [`BoundedSemaphore`],
//! [`Condition`] and [`Barrier`].
//!
//! They are loop-agnostic (any executor can await them; nothing here needs a running qtasync
//! loop) and all are `Send + Sync` (a [`Queue<T>`] when `T: Send`), so they can also connect a
//! qtasync task with code on other threads. Waiters are woken through `event-listener`; [`Lock`]
//! is `async-lock`'s mutex.
//!
//! ```
//! use std::rc::Rc;
//! use qtasync::sync::Queue;
//! use qtasync::{spawn, Runner};
//!
//! let got = Runner::new().keep_running(false).run(async {
//!     let queue = Rc::new(Queue::new(1)); // maxsize 1: the producer waits for the consumer
//!     let producer = queue.clone();
//!     let task = spawn(async move {
//!         for n in 0..3 {
//!             producer.put(n).await.unwrap();
//!         }
//!     }).unwrap();
//!     let mut got = Vec::new();
//!     for _ in 0..3 {
//!         got.push(queue.get().await.unwrap());
//!     }
//!     task.await.unwrap();
//!     got
//! }).unwrap();
//! assert_eq!(got, Some(vec![0, 1, 2]));
//! ```

mod barrier;
mod condition;
mod event;
mod lock;
mod queue;
mod queue_error;
mod semaphore;

pub use self::barrier::{Barrier, BarrierAborted, BarrierWaitResult};
pub use self::condition::{Condition, ConditionGuard};
pub use self::event::Event;
pub use self::lock::{Lock, LockGuard};
pub use self::queue::{Queue, QueueKind};
pub use self::queue_error::{
    GetNowaitError, PutNowaitError, QueueEmpty, QueueFull, QueueShutDown, TaskDoneError,
};
pub use self::semaphore::{BoundedSemaphore, ReleaseError, Semaphore, SemaphorePermit};

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks a primitive's state. The state stays consistent across a panic in user code (a
/// priority queue's `Ord`), so a poisoned lock is used as is.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
