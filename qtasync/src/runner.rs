//! `run()`: QtAsyncio's entry point, with its three switches (`keep_running`, `quit_qapp`,
//! `handle_sigint`) as a builder.

use std::future::Future;
use std::rc::Rc;

use crate::core::exception::ExceptionContext;
use crate::core::task::TaskError;
use crate::driver::{app, Engine};
use crate::error::RunError;
use crate::event_loop::EventLoop;

/// Runs `future` on a new loop with the defaults (`keep_running = true`, `quit_qapp = true`,
/// `handle_sigint = false`): see [`Runner::run`].
pub fn run<F: Future + 'static>(future: F) -> Result<Option<F::Output>, RunError> {
    Runner::new().run(future)
}

/// QtAsyncio's `run(coro, keep_running, quit_qapp, handle_sigint, debug)` as a builder.
#[derive(Clone, Debug)]
#[must_use = "a Runner does nothing until run() or run_forever()"]
pub struct Runner {
    keep_running: bool,
    quit_qapp: bool,
    handle_sigint: bool,
    debug: Option<bool>,
    start_paused: bool,
}

impl Default for Runner {
    fn default() -> Self {
        Runner {
            keep_running: true,
            quit_qapp: true,
            handle_sigint: false,
            debug: None,
            start_paused: false,
        }
    }
}

impl Runner {
    /// The defaults: keep running, quit the application at the end, leave SIGINT alone.
    pub fn new() -> Self {
        Runner::default()
    }

    /// `true` (default): the loop keeps running after the future completes, until `stop()` or
    /// the application quits (a GUI stays up). `false`: the loop stops when the future completes
    /// (like `asyncio.run`).
    pub fn keep_running(mut self, keep_running: bool) -> Self {
        self.keep_running = keep_running;
        self
    }

    /// `true` (default): when the loop ends, so does the application: the loop runs on
    /// `QCoreApplication::exec()` (aboutToQuit is emitted), and an application this run created
    /// is deleted (never one it did not create, one of another thread, or one another thread's
    /// loop still uses). `false`: the application is left alone, so that one application serves
    /// many runs (a test suite).
    pub fn quit_qapp(mut self, quit_qapp: bool) -> Self {
        self.quit_qapp = quit_qapp;
        self
    }

    /// `true`: Ctrl+C (SIGINT) stops the loop cleanly (tasks are cancelled, their destructors
    /// run) and `run` returns [`RunError::Interrupted`]. Default `false`.
    pub fn handle_sigint(mut self, handle_sigint: bool) -> Self {
        self.handle_sigint = handle_sigint;
        self
    }

    /// Debug mode for the loop (see [`EventLoop::set_debug`]).
    pub fn debug(mut self, debug: bool) -> Self {
        self.debug = Some(debug);
        self
    }

    /// Starts the loop with its clock paused (virtual time; see [`crate::time::pause`]).
    pub fn start_paused(mut self, start_paused: bool) -> Self {
        self.start_paused = start_paused;
        self
    }

    /// Runs `future` as the main task. Returns `Some(output)` if it completed, `None` if the
    /// loop ended first (with `keep_running`, when the application quits or `stop()` is called).
    /// With `keep_running(false)` a panic or cancellation of the future is an error; with
    /// `keep_running(true)` it is reported to the exception handler and the loop goes on.
    pub fn run<F: Future + 'static>(self, future: F) -> Result<Option<F::Output>, RunError> {
        self.go(Some(future))
    }

    /// Runs the loop with no main task until `stop()` or the application quits.
    /// An error with `keep_running(false)`, since nothing would run.
    pub fn run_forever(self) -> Result<(), RunError> {
        self.go::<std::future::Pending<()>>(None).map(|_| ())
    }

    fn go<F: Future + 'static>(self, future: Option<F>) -> Result<Option<F::Output>, RunError> {
        if future.is_none() && !self.keep_running {
            return Err(RunError::NothingToRun);
        }
        // The application belongs to whoever created it: this run deletes it at the end only if
        // it created it here (never one of another thread, or one another loop made).
        let created_app = app::ensure();
        let event_loop = EventLoop::new();
        if let Some(debug) = self.debug {
            event_loop.set_debug(debug);
        }
        if self.start_paused {
            event_loop.pause_time();
        }
        let engine = if self.quit_qapp && app::on_application_thread() && app::loop_level() == 0 {
            Engine::Application
        } else {
            Engine::LocalLoop
        };
        let started = !self.handle_sigint || event_loop.set_sigint_enabled(true);
        let outcome = match future {
            // Not started: the clean-up below still closes the loop and deletes the application
            // this run created.
            _ if !started => Err(RunError::SigintUnavailable),
            Some(future) if !self.keep_running => {
                event_loop.run_until_complete_with(engine, future).map(Some)
            }
            Some(future) => run_keep_running(&event_loop, engine, future),
            None => match event_loop.run_forever_with(engine) {
                Ok(()) | Err(RunError::ApplicationQuit) => Ok(None),
                Err(error) => Err(error),
            },
        };
        let interrupted = event_loop.take_interrupted();
        if self.handle_sigint && started {
            event_loop.set_sigint_enabled(false);
        }
        // asyncio.run's clean-up: remaining tasks are cancelled (their futures dropped here, so
        // their destructors run), tracked streams closed, the executor shut down.
        let _ = event_loop.close();
        // Asked while this loop's dispatcher still keeps the application alive: once it is
        // dropped, another thread's Runner may delete the application.
        let on_application_thread = app::on_application_thread();
        drop(event_loop);
        if self.quit_qapp {
            let deleted = created_app && app::delete_owned();
            // Another thread's application is left alone: its own loops end it.
            if started && !deleted && engine == Engine::LocalLoop && on_application_thread {
                app::quit();
            }
        }
        match outcome {
            Err(RunError::StoppedBeforeComplete) | Ok(None) if interrupted => {
                Err(RunError::Interrupted)
            }
            outcome => outcome,
        }
    }
}

fn run_keep_running<F: Future + 'static>(
    event_loop: &EventLoop,
    engine: Engine,
    future: F,
) -> Result<Option<F::Output>, RunError> {
    let mut task = event_loop.create_task(future)?;
    task.set_name("main");
    let ran = event_loop.run_forever_with(engine);
    let output = match task.try_result() {
        Some(Ok(output)) => Some(output),
        Some(Err(TaskError::Panicked(panic))) => {
            event_loop.call_exception_handler(
                &ExceptionContext::new("Exception in the main task").with_exception(Rc::new(panic)),
            );
            None
        }
        Some(Err(TaskError::Cancelled(_))) | None => None,
    };
    match ran {
        Ok(()) | Err(RunError::ApplicationQuit) => Ok(output),
        Err(error) => Err(error),
    }
}
