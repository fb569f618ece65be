//! Running a loop: `run_until_complete`, `run_forever`, `stop`, `close` and the engines they
//! run on (QCoreApplication::exec or a local QEventLoop).

use super::*;

impl EventLoop {
    /// Runs the loop until `future` completes and returns its output.
    pub fn run_until_complete<F: Future + 'static>(
        &self,
        future: F,
    ) -> Result<F::Output, RunError> {
        self.run_until_complete_with(Engine::LocalLoop, future)
    }

    pub(crate) fn run_until_complete_with<F: Future + 'static>(
        &self,
        engine: Engine,
        future: F,
    ) -> Result<F::Output, RunError> {
        self.check_can_run()?;
        let mut task = self.create_task(future)?;
        let weak = Rc::downgrade(&self.inner);
        let stopper = task.add_done_callback(move |_| {
            if let Some(inner) = weak.upgrade() {
                inner.core.stop();
            }
        });
        let ran = self.run_forever_with(engine);
        task.remove_done_callback(stopper);
        match task.try_result() {
            Some(Ok(output)) => Ok(output),
            Some(Err(error)) => Err(RunError::Task(error)),
            None => Err(ran.err().unwrap_or(RunError::StoppedBeforeComplete)),
        }
    }

    /// Runs the loop until [`stop`](Self::stop) is called. Returns
    /// `Err(RunError::ApplicationQuit)` if the Qt application quit instead.
    pub fn run_forever(&self) -> Result<(), RunError> {
        self.run_forever_with(Engine::LocalLoop)
    }

    pub(super) fn check_can_run(&self) -> Result<(), LoopError> {
        if self.is_closed() {
            return Err(LoopError::Closed);
        }
        self.core().check_enter().map_err(enter_error)
    }

    pub(crate) fn run_forever_with(&self, engine: Engine) -> Result<(), RunError> {
        self.check_can_run()?;
        let _running = self.core().enter().map_err(enter_error)?;
        self.inner.stopped_by_loop.set(false);
        // A stop left pending by the previous run (it ended another way while a nested loop
        // held the stop back) counts as a stop made before this run: one iteration.
        self.core().carry_pending_stop();
        let debug = self.get_debug();
        self.core().set_slow_callback_duration(debug.then_some(DEFAULT_SLOW_CALLBACK));
        // The first dispatch: runs what is ready and notices a stop() made before this run.
        self.core().shared.begin_drain();
        self.core().shared.request_wake();
        self.inner.driver.arm(self.core().next_real_deadline());
        // (A loop run inside a task's poll runs with no current task, as asyncio's does.)
        let ran = crate::core::running::current_task_is(None, || self.inner.driver.exec(engine));
        self.inner.driver.arm(None);
        ran.map_err(|_| LoopError::NoApplication)?;
        if self.inner.stopped_by_loop.get() {
            Ok(())
        } else {
            Err(RunError::ApplicationQuit)
        }
    }

    /// Stops the loop at the end of the current iteration: callbacks already scheduled run, those
    /// they schedule wait for the next run. Called before a run, that run does one iteration.
    pub fn stop(&self) {
        self.core().stop();
    }

    /// Whether the loop is running.
    pub fn is_running(&self) -> bool {
        self.core().is_running()
    }

    /// Whether the loop is closed.
    pub fn is_closed(&self) -> bool {
        self.core().is_closed()
    }

    /// Closes the loop: pending callbacks are dropped, every task's future is dropped (its
    /// destructors run now) and the task ends cancelled, the default executor is shut down
    /// without waiting. Idempotent; an error while the loop runs.
    pub fn close(&self) -> Result<(), LoopError> {
        if self.is_running() {
            return Err(LoopError::CloseWhileRunning);
        }
        if !self.core().is_owner_thread() {
            return Err(LoopError::WrongThread);
        }
        self.core().close();
        self.inner.asyncgens.close_all();
        if let Some(executor) = self.inner.executor.borrow_mut().take() {
            executor.shutdown(Box::new(|| {}));
        }
        Ok(())
    }

    /// Asks every task to cancel (they finish at their next step); returns how many.
    pub fn cancel_all_tasks(&self, message: &str) -> usize {
        self.core().cancel_all_tasks(message)
    }

    pub(crate) fn set_sigint_enabled(&self, enabled: bool) -> bool {
        self.inner.driver.set_sigint_enabled(enabled)
    }

    pub(crate) fn take_interrupted(&self) -> bool {
        self.inner.interrupted.replace(false)
    }
}

fn enter_error(error: EnterError) -> LoopError {
    match error {
        EnterError::WrongThread => LoopError::WrongThread,
        EnterError::AlreadyRunning => LoopError::AlreadyRunning,
        EnterError::AnotherLoopRunning => LoopError::AnotherLoopRunning,
    }
}
