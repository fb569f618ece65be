//! A cxx-qt QObject whose invokables are async slots, for the macro tests.

use std::cell::Cell;
use std::pin::Pin;
use std::time::Duration;

use cxx_qt_lib::QString;
use qtasync::qt_slot_async;

#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        type QString = cxx_qt_lib::QString;
    }

    extern "RustQt" {
        #[qobject]
        #[qproperty(i32, steps_done)]
        type Worker = super::WorkerRust;

        #[qinvokable]
        fn run(self: Pin<&mut Worker>, steps: i32);

        #[qinvokable]
        fn run_exclusive(self: Pin<&mut Worker>, steps: i32);

        #[qinvokable]
        fn fail(self: Pin<&mut Worker>, reason: QString);

        #[qinvokable]
        fn explode(self: Pin<&mut Worker>);

        #[qsignal]
        fn finished(self: Pin<&mut Worker>, steps: i32);
    }

    unsafe extern "C++" {
        include!("qtasync-tests/cpp/factory.h");
        fn new_worker() -> UniquePtr<Worker>;
        /// Moves the worker to a helper thread (`QObject::moveToThread`).
        fn move_worker_away(worker: Pin<&mut Worker>);
        /// Deletes a worker (moved away with `move_worker_away`) on its own thread; returns
        /// once it is gone.
        fn delete_worker_away(worker: UniquePtr<Worker>);
        /// `QObject::deleteLater`.
        fn worker_delete_later(worker: Pin<&mut Worker>);
        /// `QObject::disconnect()` of every signal of the worker, whoever connected it.
        fn disconnect_everything(worker: Pin<&mut Worker>);
        /// `QCoreApplication::processEvents()`.
        fn process_events();
        /// `qAddPostRoutine`: `routine` runs inside the application's destructor.
        fn add_post_routine(routine: fn());
    }
}

pub use qobject::{
    add_post_routine, delete_worker_away, disconnect_everything, move_worker_away, new_worker,
    process_events, worker_delete_later, Worker,
};

#[derive(Default)]
pub struct WorkerRust {
    steps_done: i32,
}

thread_local! {
    /// How many slot bodies were dropped (finished or cancelled).
    pub static BODIES_DROPPED: Cell<u32> = const { Cell::new(0) };
}

struct CountDrop;
impl Drop for CountDrop {
    fn drop(&mut self) {
        BODIES_DROPPED.with(|dropped| dropped.set(dropped.get() + 1));
    }
}

impl qobject::Worker {
    /// Counts `steps` steps, one every 2 ms, then emits `finished`.
    #[qt_slot_async]
    pub async fn run(self: Pin<&mut Self>, steps: i32) {
        let _count = CountDrop;
        for _ in 0..steps {
            qtasync::sleep(Duration::from_millis(2)).await;
            self.with(|mut worker| {
                let done = *worker.steps_done() + 1;
                worker.as_mut().set_steps_done(done);
            });
        }
        self.with(|worker| worker.finished(steps));
    }

    /// Like `run`, but a new call cancels a run still going on this object.
    #[qt_slot_async(exclusive, name = "exclusive-run")]
    pub async fn run_exclusive(self: Pin<&mut Self>, steps: i32) {
        let _count = CountDrop;
        self.with(|worker| worker.set_steps_done(0));
        for _ in 0..steps {
            qtasync::sleep(Duration::from_millis(2)).await;
            self.with(|mut worker| {
                let done = *worker.steps_done() + 1;
                worker.as_mut().set_steps_done(done);
            });
        }
    }

    /// Fails with `reason` after one step.
    #[qt_slot_async]
    pub async fn fail(self: Pin<&mut Self>, reason: QString) -> Result<(), String> {
        qtasync::yield_now().await;
        Err(reason.to_string())
    }

    /// Panics after one step (the reliability tests check the panic is contained and reported).
    #[qt_slot_async]
    pub async fn explode(self: Pin<&mut Self>) {
        qtasync::yield_now().await;
        panic!("boom: async slot");
    }
}
