//! A running child process on Qt's loop: its exit is its pidfd becoming readable in the
//! thread's reactor (no thread per child, no SIGCHLD handler).

use std::fmt;
use std::io;
use std::os::fd::OwnedFd;
use std::process::{ExitStatus, Output};

use futures_util::{AsyncReadExt, AsyncWriteExt};

use super::{pidfd, reaper, ChildStderr, ChildStdin, ChildStdout};
use crate::io::Async;

/// A child process (asyncio's `Process`), from [`Command::spawn`](super::Command::spawn).
/// Dropping it does not kill it: a child still running is reaped by the loop's thread when it
/// exits (no zombie).
pub struct Child {
    /// The child's standard input, when piped (`AsyncWrite`; drop it to close the pipe).
    pub stdin: Option<ChildStdin>,
    /// The child's standard output, when piped (`AsyncRead`).
    pub stdout: Option<ChildStdout>,
    /// The child's standard error, when piped (`AsyncRead`).
    pub stderr: Option<ChildStderr>,
    pidfd: Option<Async<OwnedFd>>,
    child: Option<std::process::Child>,
    status: Option<ExitStatus>,
}

impl Child {
    pub(crate) fn new(mut child: std::process::Child) -> io::Result<Child> {
        let registered = (|| {
            let pidfd = Async::new(pidfd::open(child.id())?)?;
            let stdin = child.stdin.take().map(Async::new).transpose()?;
            let stdout = child.stdout.take().map(Async::new).transpose()?;
            let stderr = child.stderr.take().map(Async::new).transpose()?;
            io::Result::Ok((pidfd, stdin, stdout, stderr))
        })();
        match registered {
            Ok((pidfd, stdin, stdout, stderr)) => Ok(Child {
                stdin,
                stdout,
                stderr,
                pidfd: Some(pidfd),
                child: Some(child),
                status: None,
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
        loop {
            if let Some(status) = self.try_wait()? {
                return Ok(status);
            }
            match &self.pidfd {
                Some(pidfd) => pidfd.readable().await?,
                None => return Err(io::Error::other("the child is not watched")),
            }
        }
    }

    /// Sends `signal` (through the pidfd: never to a recycled pid). Nothing is sent once the
    /// child has been reaped.
    pub fn send_signal(&mut self, signal: i32) -> io::Result<()> {
        if self.try_wait()?.is_some() {
            return Ok(());
        }
        match &self.pidfd {
            Some(fd) => pidfd::send_signal(fd.get_ref(), signal),
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
        if self.status.is_some() {
            return;
        }
        if let (Some(child), Some(pidfd)) = (self.child.take(), self.pidfd.take()) {
            if let Ok(pidfd) = pidfd.into_inner() {
                reaper::adopt(child, pidfd);
            }
        }
    }
}

impl fmt::Debug for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Child").field("id", &self.id()).field("status", &self.status).finish()
    }
}
