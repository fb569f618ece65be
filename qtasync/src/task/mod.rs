//! asyncio's task toolkit on qtasync's loop: [`gather`]/[`gather_settled`], [`wait`] and
//! [`as_completed`], [`TaskGroup`], [`shield`] and [`wait_for`].
//!
//! Everything here works on [`Task`](crate::Task) handles (spawn futures with
//! [`spawn`](crate::spawn) or [`EventLoop::create_task`](crate::EventLoop::create_task)) and, like
//! the tasks themselves, is `!Send`: it lives on the loop's thread.
//!
//! ```
//! use std::time::Duration;
//! use qtasync::{gather, sleep, spawn, Runner};
//!
//! let sum = Runner::new().keep_running(false).run(async {
//!     let tasks: Vec<_> = (1..=3u64)
//!         .map(|n| spawn(async move { sleep(Duration::from_millis(n)).await; n }).unwrap())
//!         .collect();
//!     gather(tasks).await.unwrap().into_iter().sum::<u64>()
//! }).unwrap();
//! assert_eq!(sum, Some(6));
//! ```

mod completed;
mod gather;
mod group;
mod group_error;
mod shield;
mod wait;

pub use self::completed::Completed;
pub use self::gather::{gather, gather_settled, Gather, GatherSettled};
pub use self::group::{ChildOutput, GroupSpawnError, Spawner, TaskGroup, TaskGroupJoin};
pub use self::group_error::{ChildError, TaskGroupError};
pub use self::shield::{shield, wait_for, Shield};
pub use self::wait::{
    as_completed, wait, AsCompleted, AsCompletedTimeout, ReturnWhen, Wait, WaitResult,
};
