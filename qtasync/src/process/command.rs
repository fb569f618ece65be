//! `Command`: `std::process::Command`'s builder, spawning a [`Child`] watched by the loop.

use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::path::Path;
use std::process::{ExitStatus, Output, Stdio};

use super::{Child, ExitWatcher};

/// A process to start (like `std::process::Command`; asyncio's `create_subprocess_exec`).
/// Standard streams are inherited unless set to [`Stdio::piped()`], which gives async streams
/// on the [`Child`].
pub struct Command {
    inner: std::process::Command,
    stdin_piped: bool,
    watcher: ExitWatcher,
    kill_on_drop: bool,
}

impl Command {
    /// Runs `program` (looked up in `PATH`) with no arguments.
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command {
            inner: std::process::Command::new(program),
            stdin_piped: false,
            watcher: ExitWatcher::Auto,
            kill_on_drop: false,
        }
    }

    /// Adds an argument.
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.inner.arg(arg);
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.inner.args(args);
        self
    }

    /// Sets an environment variable.
    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Command {
        self.inner.env(key, value);
        self
    }

    /// Removes an environment variable.
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Command {
        self.inner.env_remove(key);
        self
    }

    /// Starts from an empty environment.
    pub fn env_clear(&mut self) -> &mut Command {
        self.inner.env_clear();
        self
    }

    /// The working directory.
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Command {
        self.inner.current_dir(dir);
        self
    }

    /// Standard input (`Stdio::piped()`: [`Child::stdin`]).
    pub fn stdin(&mut self, cfg: Stdio) -> &mut Command {
        // `Stdio` cannot be inspected; remember whether it may be a pipe we write to.
        self.stdin_piped = true;
        self.inner.stdin(cfg);
        self
    }

    /// Standard output (`Stdio::piped()`: [`Child::stdout`]).
    pub fn stdout(&mut self, cfg: Stdio) -> &mut Command {
        self.inner.stdout(cfg);
        self
    }

    /// Standard error (`Stdio::piped()`: [`Child::stderr`]).
    pub fn stderr(&mut self, cfg: Stdio) -> &mut Command {
        self.inner.stderr(cfg);
        self
    }

    /// How the child's exit is observed ([`ExitWatcher::Auto`] unless set): forcing
    /// [`ExitWatcher::Sigchld`] is for testing the fallback that kernels without pidfds use.
    pub fn exit_watcher(&mut self, watcher: ExitWatcher) -> &mut Command {
        self.watcher = watcher;
        self
    }

    /// Whether dropping the [`Child`] while the process runs sends it SIGKILL (tokio's
    /// `kill_on_drop`; off by default). Either way the process is reaped once it exits.
    pub fn kill_on_drop(&mut self, kill: bool) -> &mut Command {
        self.kill_on_drop = kill;
        self
    }

    /// Starts the process. `NotFound` for a program that does not exist, `Unsupported` for
    /// [`ExitWatcher::Pidfd`] on a kernel without pidfds. Needs a Qt event loop on this thread
    /// (the child's exit is watched there).
    pub fn spawn(&mut self) -> io::Result<Child> {
        let watcher = self.watcher.resolve()?;
        if self.stdin_piped {
            super::ignore_sigpipe();
        }
        Child::new(self.inner.spawn()?, watcher, self.kill_on_drop)
    }

    /// Runs it with stdout and stderr piped and stdin closed, and collects everything.
    pub async fn output(&mut self) -> io::Result<Output> {
        self.inner.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        self.spawn()?.communicate(None).await
    }

    /// Runs it and waits for its exit.
    pub async fn status(&mut self) -> io::Result<ExitStatus> {
        self.spawn()?.wait().await
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

/// asyncio's `create_subprocess_exec(program, *args)`, as a [`Command`] to configure and
/// [`spawn`](Command::spawn).
pub fn subprocess_exec<I, S>(program: impl AsRef<OsStr>, args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new(program);
    command.args(args);
    command
}

/// asyncio's `create_subprocess_shell(cmd)`: `/bin/sh -c cmd`.
pub fn subprocess_shell(cmd: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new("/bin/sh");
    command.arg("-c").arg(cmd);
    command
}
