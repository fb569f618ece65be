//! The runtime of `#[qtasync::main(tokio ...)]` and `#[qtasync::test(tokio ...)]`: made (or
//! taken) before the loop runs, given back and shut down after it.
//!
//! Plain Rust over tokio: nothing here knows about Qt or the loop.

use std::time::Duration;

use ::tokio::runtime::{Builder, Handle, Runtime};

use crate::testing::TestOptions;

use super::runtime::{runtime, set_runtime, unset_runtime, RuntimeUnavailable};

/// How long an owned runtime's shutdown waits for its blocking jobs (`spawn_blocking`) once the
/// entry function is over: a job stuck in a blocking call cannot keep a closed application's
/// process alive. Its async tasks are dropped at once, as tokio's runtime drop does.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(1);

/// Where the runtime is for: `main` (a failure to start it exits with status 1, like a loop
/// error) or a test (a failure fails the test).
#[doc(hidden)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Entry {
    /// `#[qtasync::main]`.
    Main,
    /// `#[qtasync::test]`.
    Test,
}

/// The tokio runtime of an entry function; dropping it gives back the runtime chosen before
/// ([`set_runtime`]) and shuts down the runtime it owns.
#[doc(hidden)]
#[must_use = "the runtime lives as long as this value"]
pub struct EntryRuntime {
    handle: Handle,
    owned: Option<Runtime>,
    /// `Some(previous)` once [`install`](Self::install)ed.
    installed: Option<Option<Handle>>,
}

impl EntryRuntime {
    /// `tokio`: qtasync's runtime ([`runtime`]: the one given to `set_runtime`, else the
    /// default one), started now rather than at the first dispatch.
    pub fn default_runtime(entry: Entry) -> Self {
        let handle = runtime().unwrap_or_else(|error| fail(entry, error));
        EntryRuntime { handle, owned: None, installed: None }
    }

    /// `tokio_workers = workers`: a multi-thread runtime of its own (I/O and timers enabled,
    /// workers named `qtasync-tokio`).
    pub fn workers(entry: Entry, workers: usize) -> Self {
        let built = Builder::new_multi_thread()
            .worker_threads(workers.max(1))
            .thread_name("qtasync-tokio")
            .enable_all()
            .build()
            .map_err(|error| RuntimeUnavailable::new(error.to_string()));
        let owned = built.unwrap_or_else(|error| fail(entry, error));
        EntryRuntime { handle: owned.handle().clone(), owned: Some(owned), installed: None }
    }

    /// `tokio_runtime = f`: the runtime whose handle `f()` returned (its owner shuts it down).
    pub fn handle(handle: Handle) -> Self {
        EntryRuntime { handle, owned: None, installed: None }
    }

    /// Makes this the runtime of every qtasync loop (on every thread) and of
    /// [`spawn`](super::spawn) until dropped ([`set_runtime`]).
    pub fn install(mut self) -> Self {
        if self.installed.is_none() {
            self.installed = Some(set_runtime(self.handle.clone()));
        }
        self
    }

    /// The runtime's handle.
    pub fn runtime_handle(&self) -> Handle {
        self.handle.clone()
    }

    /// A test's options, with this runtime entered around its loop.
    pub fn test_options(&self, options: TestOptions) -> TestOptions {
        options.tokio_runtime(Some(self.handle.clone()))
    }
}

impl Drop for EntryRuntime {
    fn drop(&mut self) {
        match self.installed.take() {
            Some(Some(previous)) => {
                set_runtime(previous);
            }
            Some(None) => {
                unset_runtime();
            }
            None => {}
        }
        if let Some(owned) = self.owned.take() {
            owned.shutdown_timeout(SHUTDOWN_TIMEOUT);
        }
    }
}

fn fail(entry: Entry, error: RuntimeUnavailable) -> ! {
    match entry {
        Entry::Main => {
            eprintln!("{error}");
            std::process::exit(1)
        }
        Entry::Test => panic!("{error}"),
    }
}
