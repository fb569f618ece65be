//! Child processes on Qt's loop: [`Command`] (or asyncio's [`subprocess_exec`] /
//! [`subprocess_shell`]) spawns a [`Child`] whose piped stdin/stdout/stderr are async streams
//! and whose exit is awaited with [`Child::wait`].
//!
//! The exit is observed through a pidfd (Linux ≥ 5.3) in the thread's one I/O reactor, or,
//! where the kernel has no pidfds (or valgrind 3.19 runs us), through SIGCHLD on the signal
//! module's self-pipe, which the same reactor watches ([`ExitWatcher`] says how each works and
//! how `Auto` chooses). Either way: no thread per child, and only our own children are reaped
//! (`waitpid` on their pids, never `waitpid(-1)`). With a pidfd, signals go through it too, so
//! `kill` never hits a recycled pid. A `Child` dropped while its process runs is reaped when the
//! process exits (no zombie; [`Command::kill_on_drop`] kills it first), also after the loop
//! that spawned it has closed, as long as Qt's event loop runs on the thread.
//!
//! SIGPIPE: writing to a child's stdin after it exited must be a `BrokenPipe` error. Pipes
//! cannot use `MSG_NOSIGNAL`, so the first spawn with a piped stdin sets SIGPIPE to "ignore"
//! when it is at its default action (Rust programs already ignore it; a C++ `main` may not).
//! The child gets the default action back (`std::process` resets it).
//!
//! ```
//! use std::process::Stdio;
//! use futures::AsyncReadExt;
//! use qtasync::process::{subprocess_shell, Command};
//!
//! qtasync::Runner::new().keep_running(false).run(async {
//!     let mut child = Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
//!     let output = child.communicate(Some(b"through cat")).await?;
//!     assert_eq!(output.stdout, b"through cat");
//!     assert!(output.status.success());
//!
//!     let mut child = subprocess_shell("echo hi; exit 3").stdout(Stdio::piped()).spawn()?;
//!     let mut text = String::new();
//!     child.stdout.as_mut().unwrap().read_to_string(&mut text).await?;
//!     assert_eq!((text.as_str(), child.wait().await?.code()), ("hi\n", Some(3)));
//!     std::io::Result::Ok(())
//! }).unwrap().unwrap().unwrap();
//! ```

mod child;
mod command;
mod pidfd;
mod reaper;
mod sigchld;
mod watcher;

use crate::io::Async;

pub use child::Child;
pub use command::{subprocess_exec, subprocess_shell, Command};
pub use std::process::{ExitStatus, Output, Stdio};
pub use watcher::ExitWatcher;

/// A child's standard input: `futures::io::AsyncWrite`.
pub type ChildStdin = Async<std::process::ChildStdin>;
/// A child's standard output: `futures::io::AsyncRead`.
pub type ChildStdout = Async<std::process::ChildStdout>;
/// A child's standard error: `futures::io::AsyncRead`.
pub type ChildStderr = Async<std::process::ChildStderr>;

/// Children dropped while running and not reaped yet, on this thread. Not a stable API.
#[doc(hidden)]
pub fn unreaped_orphans() -> usize {
    reaper::count()
}

/// `Child::wait` futures in progress on this thread. Not a stable API.
#[doc(hidden)]
pub fn waiting_children() -> usize {
    child::waiting()
}

/// Sets SIGPIPE to "ignore" once, if it is at its default action (see the module's docs).
fn ignore_sigpipe() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: `current` is a valid out-pointer for sigaction; a NULL new action only reads.
        let mut current: libc::sigaction = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        let read = unsafe { libc::sigaction(libc::SIGPIPE, std::ptr::null(), &mut current) };
        if read == 0 && current.sa_sigaction == libc::SIG_DFL {
            // SAFETY: SIG_IGN installs no handler code; it only changes the disposition.
            unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
        }
    });
}
