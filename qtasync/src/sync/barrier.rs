//! `Barrier`: tasks wait until enough of them have arrived.
//!
//! Written on `event-listener` rather than `async-lock`'s barrier, which neither gives asyncio's
//! arrival index nor can be aborted.

use std::fmt;
use std::num::NonZeroUsize;
use std::sync::Mutex;

use super::lock;

/// Waits until `parties` tasks have called [`wait`](Self::wait), then lets them all go, and
/// starts over (asyncio's `Barrier`). [`abort`](Self::abort) breaks it: every waiter, current and
/// future, gets [`BarrierAborted`]. `Send + Sync`.
///
/// ```
/// use std::num::NonZeroUsize;
/// use std::rc::Rc;
/// use qtasync::sync::Barrier;
/// use qtasync::{gather, spawn, Runner};
///
/// let out = Runner::new().keep_running(false).run(async {
///     let barrier = Rc::new(Barrier::new(NonZeroUsize::new(3).unwrap()));
///     let tasks: Vec<_> = (0..3).map(|_| {
///         let barrier = barrier.clone();
///         spawn(async move { barrier.wait().await.unwrap().index() }).unwrap()
///     }).collect();
///     let mut indices = gather(tasks).await.unwrap();
///     indices.sort();
///     indices
/// }).unwrap();
/// assert_eq!(out, Some(vec![0, 1, 2]));
/// ```
pub struct Barrier {
    parties: usize,
    state: Mutex<State>,
    passed: event_listener::Event,
}

struct State {
    /// Tasks waiting in the current round.
    arrived: usize,
    /// Rounds completed.
    generation: u64,
    /// `reset` calls so far: a waiter from before a reset gets `BarrierAborted`.
    resets: u64,
    broken: bool,
}

/// What [`Barrier::wait`] returns when the round completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BarrierWaitResult {
    index: usize,
    parties: usize,
}

impl BarrierWaitResult {
    /// The task's arrival order in its round, `0..parties` (asyncio's return value).
    pub fn index(&self) -> usize {
        self.index
    }

    /// Whether this task arrived last and released the round.
    pub fn is_leader(&self) -> bool {
        self.index + 1 == self.parties
    }
}

/// The barrier was aborted (asyncio's `BrokenBarrierError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BarrierAborted;

impl fmt::Display for BarrierAborted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the barrier was aborted")
    }
}

impl std::error::Error for BarrierAborted {}

/// Takes a waiter back out of the count when its `wait` is dropped before the round completes.
struct Arrival<'a> {
    barrier: &'a Barrier,
    generation: u64,
    resets: u64,
    waiting: bool,
}

impl Drop for Arrival<'_> {
    fn drop(&mut self) {
        if self.waiting {
            let mut state = lock(&self.barrier.state);
            if state.generation == self.generation && state.resets == self.resets && !state.broken {
                state.arrived -= 1;
            }
        }
    }
}

impl Barrier {
    /// A barrier for `parties` tasks.
    pub fn new(parties: NonZeroUsize) -> Self {
        Barrier {
            parties: parties.get(),
            state: Mutex::new(State { arrived: 0, generation: 0, resets: 0, broken: false }),
            passed: event_listener::Event::new(),
        }
    }

    /// Waits until `parties` tasks are waiting, or the barrier is aborted. Cancel-safe: a task
    /// that stops waiting no longer counts.
    pub async fn wait(&self) -> Result<BarrierWaitResult, BarrierAborted> {
        let (mut arrival, index) = {
            let mut state = lock(&self.state);
            if state.broken {
                return Err(BarrierAborted);
            }
            let index = state.arrived;
            state.arrived += 1;
            if state.arrived == self.parties {
                state.arrived = 0;
                state.generation += 1;
                drop(state);
                self.passed.notify(usize::MAX);
                return Ok(BarrierWaitResult { index, parties: self.parties });
            }
            let arrival = Arrival {
                barrier: self,
                generation: state.generation,
                resets: state.resets,
                waiting: true,
            };
            (arrival, index)
        };
        loop {
            let listener = {
                let state = lock(&self.state);
                if state.generation != arrival.generation {
                    arrival.waiting = false;
                    return Ok(BarrierWaitResult { index, parties: self.parties });
                }
                if state.broken || state.resets != arrival.resets {
                    arrival.waiting = false;
                    return Err(BarrierAborted);
                }
                self.passed.listen()
            };
            listener.await;
        }
    }

    /// Returns the barrier to its empty state (asyncio's `reset`): the tasks waiting now get
    /// [`BarrierAborted`]; an aborted barrier is whole again; later waits start a new round.
    pub fn reset(&self) {
        {
            let mut state = lock(&self.state);
            state.arrived = 0;
            state.resets += 1;
            state.broken = false;
        }
        self.passed.notify(usize::MAX);
    }

    /// Breaks the barrier: current and future waiters get [`BarrierAborted`].
    pub fn abort(&self) {
        lock(&self.state).broken = true;
        self.passed.notify(usize::MAX);
    }

    /// Whether the barrier was aborted.
    pub fn broken(&self) -> bool {
        lock(&self.state).broken
    }

    /// How many tasks the barrier waits for.
    pub fn parties(&self) -> usize {
        self.parties
    }

    /// How many tasks are waiting in the current round.
    pub fn n_waiting(&self) -> usize {
        lock(&self.state).arrived
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier")
            .field("parties", &self.parties)
            .field("n_waiting", &self.n_waiting())
            .field("broken", &self.broken())
            .finish()
    }
}
