//! A running child process on Qt's loop: its exit is its pidfd becoming readable in the
//! thread's reactor, or, without pidfds, a SIGCHLD drained from the thread's signal pipe (no
//! thread per child either way).

use std::cell::Cell;
use std::fmt;
use std::io;
use std::os::fd::OwnedFd;
use std::process::{ExitStatus, Output};

use futures_util::{AsyncReadExt, AsyncWriteExt};

use super::reaper::{self, OrphanWatch};
use super::sigchld::ExitWatch;
use super::{pidfd, ChildStderr, ChildStdin, ChildStdout, ExitWatcher};
use crate::io::Async;

/// What tells this child's exit.
enum Exit {
    Pidfd(Async<OwnedFd>),
    Sigchld(ExitWatch),
}

thread_local! {
    static WAITING: Cell<usize> = const { Cell::new(0) };
}

/// Counts a `wait` future for as long as it lives.
struct Waiting;

impl Waiting {
    fn enter() -> Waiting {
        let _ = WAITING.try_with(|count| count.set(count.get() + 1));
        Waiting
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        let _ = WAITING.try_with(|count| count.set(count.get() - 1));
    }
}

/// `Child::wait` futures in progress on this thread.
pub(crate) fn waiting() -> usize {
    WAITING.try_with(Cell::get).unwrap_or(0)
}

/// A child process (asyncio's `Process`), from [`Command::spawn`](super::Command::spawn).
/// Dropping it does not kill it (unless [`Command::kill_on_drop`](super::Command::kill_on_drop)
/// says so): a child still running is reaped by the loop's thread when it exits (no zombie).
pub struct Child {
    /// The child's standard input, when piped (`AsyncWrite`; drop it to close the pipe).
    pub stdin: Option<ChildStdin>,
    /// The child's standard output, when piped (`AsyncRead`).
    pub stdout: Option<ChildStdout>,
    /// The child's standard error, when piped (`AsyncRead`).
    pub stderr: Option<ChildStderr>,
    exit: Option<Exit>,
    child: Option<std::process::Child>,
    status: Option<ExitStatus>,
    kill_on_drop: bool,
}

impl Child {
    /// Watches a just-spawned child with `watcher` (resolved: `Pidfd` or `Sigchld`).
    pub(crate) fn new(
        mut child: std::process::Child,
        watcher: ExitWatcher,
        kill_on_drop: bool,
    ) -> io::Result<Child> {
        let registered = (|| {
            let exit = match watcher {
                ExitWatcher::Pidfd => Exit::Pidfd(Async::new(pidfd::open(child.id())?)?),
                _ => Exit::Sigchld(ExitWatch::new()?),
            };
            let stdin = child.stdin.take().map(Async::new).transpose()?;
            let stdout = child.stdout.take().map(Async::new).transpose()?;
            let stderr = child.stderr.take().map(Async::new).transpose()?;
            io::Result::Ok((exit, stdin, stdout, stderr))
        })();
        match registered {
            Ok((exit, stdin, stdout, stderr)) => Ok(Child {
                stdin,
                stdout,
                stderr,
                exit: Some(exit),
                child: Some(child),
                status: None,
                kill_on_drop,
            }),
            Err(error) => {
                // Not watchable here (no Qt loop on this thread?): do not leave it running.
                let _ = child.kill();
                let _ = child.wait();
                Err(error)
            }
        }
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.as_ref().map_or(0, std::process::Child::id)
    }

    /// How its exit is observed: [`ExitWatcher::Pidfd`] or [`ExitWatcher::Sigchld`].
    pub fn exit_watcher(&self) -> ExitWatcher {
        match self.exit {
            Some(Exit::Sigchld(_)) => ExitWatcher::Sigchld,
            _ => ExitWatcher::Pidfd,
        }
    }

    /// The exit status if the child has exited (reaping it), `None` while it runs.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if self.status.is_none() {
            if let Some(child) = self.child.as_mut() {
                self.status = child.try_wait()?;
            }
        }
        Ok(self.status)
    }

    /// Waits for the child to exit and reaps it. The status tells an exit code
    /// (`status.code()`) from a terminating signal (`ExitStatusExt::signal`).
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        let _waiting = Waiting::enter();
        loop {
            // Before each sleep: an exit that came before the watch was armed is seen here.
            if let Some(status) = self.try_wait()? {
                return Ok(status);
            }
            match &self.exit {
                Some(Exit::Pidfd(pidfd)) => pidfd.readable().await?,
                Some(Exit::Sigchld(watch)) => watch.changed().await,
                None => return Err(io::Error::other("the child is not watched")),
            }
        }
    }

    /// Sends `signal` (through the pidfd, or with `kill(2)` on the pid, which stays ours until
    /// we reap the child). Nothing is sent once the child has been reaped.
    pub fn send_signal(&mut self, signal: i32) -> io::Result<()> {
        if self.try_wait()?.is_some() {
            return Ok(());
        }
        match &self.exit {
            Some(Exit::Pidfd(fd)) => pidfd::send_signal(fd.get_ref(), signal),
            Some(Exit::Sigchld(_)) => {
                let pid = libc::pid_t::try_from(self.id()).map_err(io::Error::other)?;
                // SAFETY: kill(2) takes two integers. `pid` is our child's, not reaped yet
                // (`try_wait` just said it runs, and only this `Child` reaps it), so the
                // kernel keeps that pid for it, as a zombie at worst: no other process gets it.
                if unsafe { libc::kill(pid, signal) } < 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// SIGKILL.
    pub fn kill(&mut self) -> io::Result<()> {
        self.send_signal(libc::SIGKILL)
    }

    /// SIGTERM.
    pub fn terminate(&mut self) -> io::Result<()> {
        self.send_signal(libc::SIGTERM)
    }

    /// Writes `input` to stdin (then closes it), reads stdout and stderr to their end, all at
    /// once, and waits for the exit (asyncio's `communicate`). Streams that were not piped
    /// give empty output; a child that exits without reading its input is not an error.
    pub async fn communicate(&mut self, input: Option<&[u8]>) -> io::Result<Output> {
        let stdin = self.stdin.take();
        let mut stdout = self.stdout.take();
        let mut stderr = self.stderr.take();
        let write = async move {
            if let (Some(mut stdin), Some(input)) = (stdin, input) {
                match stdin.write_all(input).await {
                    Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {}
                    result => result?,
                }
            }
            io::Result::Ok(())
        };
        let read_out = async {
            let mut data = Vec::new();
            if let Some(stdout) = stdout.as_mut() {
                stdout.read_to_end(&mut data).await?;
            }
            io::Result::Ok(data)
        };
        let read_err = async {
            let mut data = Vec::new();
            if let Some(stderr) = stderr.as_mut() {
                stderr.read_to_end(&mut data).await?;
            }
            io::Result::Ok(data)
        };
        let (written, out, err) = futures_util::future::join3(write, read_out, read_err).await;
        written?;
        let (stdout, stderr) = (out?, err?);
        let status = self.wait().await?;
        Ok(Output { status, stdout, stderr })
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if self.kill_on_drop {
            let _ = self.kill();
        }
        if self.status.is_some() {
            return;
        }
        match (self.child.take(), self.exit.take()) {
            (Some(child), Some(Exit::Pidfd(pidfd))) => {
                if let Ok(pidfd) = pidfd.into_inner() {
                    reaper::adopt(child, OrphanWatch::Pidfd(pidfd));
                }
            }
            (Some(child), Some(Exit::Sigchld(watch))) => {
                reaper::adopt(child, OrphanWatch::Sigchld { _held: watch });
            }
            _ => {}
        }
    }
}

impl fmt::Debug for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Child").field("id", &self.id()).field("status", &self.status).finish()
    }
}
