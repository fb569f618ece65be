//! Which mechanism observes a child's exit: a pidfd in the reactor, or the SIGCHLD fallback.

use std::io;

use super::pidfd;

/// How the loop learns that a child has exited (asyncio's child watchers, chosen for you).
///
/// [`Auto`](ExitWatcher::Auto), the default, takes [`Pidfd`](ExitWatcher::Pidfd) when the
/// kernel has `pidfd_open` (Linux ≥ 5.3) and [`Sigchld`](ExitWatcher::Sigchld) otherwise (older
/// kernels, seccomp sandboxes that refuse the call, valgrind 3.19). Neither uses a thread per
/// child or leaves a zombie, and neither ever reaps a process that is not one of qtasync's
/// children. Forcing one with [`Command::exit_watcher`](super::Command::exit_watcher), or for
/// every `Auto` of the process with the environment variable `QTASYNC_EXIT_WATCHER=sigchld`
/// (read once), is for tests of the fallback and for comparing the two; programs should keep
/// `Auto`.
///
/// ```
/// use qtasync::process::{Command, ExitWatcher};
///
/// qtasync::Runner::new().keep_running(false).run(async {
///     let mut child = Command::new("true").exit_watcher(ExitWatcher::Sigchld).spawn()?;
///     assert_eq!(child.exit_watcher(), ExitWatcher::Sigchld);
///     assert!(child.wait().await?.success());
///     // What `Auto` picks here: `Pidfd` on any recent Linux.
///     let picked = ExitWatcher::Auto.resolve()?;
///     assert_ne!(picked, ExitWatcher::Auto);
///     std::io::Result::Ok(())
/// }).unwrap().unwrap().unwrap();
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExitWatcher {
    /// `Pidfd` where the kernel has it, `Sigchld` elsewhere.
    #[default]
    Auto,
    /// The child's pidfd becomes readable in the thread's I/O reactor when it exits; signals
    /// are sent through the pidfd, so they can never reach a recycled pid.
    Pidfd,
    /// Each thread with children handles SIGCHLD through its signal self-pipe (chained with
    /// any other SIGCHLD handler of the process); on each SIGCHLD it calls
    /// `waitpid(pid, WNOHANG)` on its own children only, never `waitpid(-1)`, so children
    /// spawned by other code (`std::process`, other threads' loops) are left to their owners.
    /// Signals are sent with `kill(2)` on the pid, which stays ours until we reap it.
    Sigchld,
}

impl ExitWatcher {
    /// The watcher this choice stands for on this system: `Auto` becomes `Pidfd` or
    /// `Sigchld`; `Pidfd` is `Unsupported` where the kernel lacks it.
    pub fn resolve(self) -> io::Result<ExitWatcher> {
        match self {
            ExitWatcher::Auto if forced_sigchld() => Ok(ExitWatcher::Sigchld),
            ExitWatcher::Auto if pidfd::supported() => Ok(ExitWatcher::Pidfd),
            ExitWatcher::Auto => Ok(ExitWatcher::Sigchld),
            ExitWatcher::Pidfd if !pidfd::supported() => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "this kernel has no pidfd_open: use ExitWatcher::Sigchld or Auto",
            )),
            other => Ok(other),
        }
    }
}

/// `QTASYNC_EXIT_WATCHER=sigchld`: every `Auto` takes the fallback (read once).
fn forced_sigchld() -> bool {
    static FORCED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *FORCED.get_or_init(|| {
        std::env::var_os("QTASYNC_EXIT_WATCHER").is_some_and(|value| value == "sigchld")
    })
}
