//! `qtasync::process` on the real Qt loop with real children (`cat`, `sh`, `sleep`, `true`,
//! `false`): exit statuses, signals, pipes, and no zombie left behind. The exit watcher is
//! `Auto`: pidfds on this kernel, the SIGCHLD fallback under valgrind (which lacks
//! pidfd_open); `process_sigchld.rs` forces the fallback.

use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::Duration;

use futures::{AsyncReadExt, AsyncWriteExt};
use qtasync::process::{subprocess_exec, subprocess_shell, Command, ExitWatcher};
use qtasync::{sleep, spawn};
use qtasync_tests::{until, Gate};

/// Registrations other than qtasync's own: the signal self-pipe (SIGCHLD fallback) and the
/// pidfds of children dropped while running (another test's, reaped on their own time).
fn own_registrations() -> usize {
    qtasync::io::registrations() - qtasync::io::internal_registrations()
}

/// What a running `Child` registers for its exit: its pidfd, or nothing (SIGCHLD fallback).
fn exit_registrations(child: &qtasync::process::Child) -> usize {
    usize::from(child.exit_watcher() == ExitWatcher::Pidfd)
}

/// Whether `pid` still exists as a process or a zombie.
fn process_exists(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

#[qtasync::test(timeout = "20s")]
async fn cat_echoes_its_input_through_communicate() -> io::Result<()> {
    let mut child = Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
    let input = vec![b'q'; 512 * 1024]; // more than a pipe holds: both sides must interleave
    let output = child.communicate(Some(&input)).await?;
    assert!(output.status.success());
    assert!(output.stdout == input);
    assert_eq!(own_registrations(), exit_registrations(&child), "no pipe is left registered");
    drop(child);
    assert_eq!(own_registrations(), 0, "pidfd and pipes are deregistered");
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn exit_codes_and_output_of_true_false_and_sh() -> io::Result<()> {
    assert!(Command::new("true").status().await?.success());
    assert_eq!(Command::new("false").status().await?.code(), Some(1));
    let output = subprocess_shell("echo out; echo err >&2; exit 7").output().await?;
    assert_eq!(output.status.code(), Some(7));
    assert_eq!(output.stdout, b"out\n");
    assert_eq!(output.stderr, b"err\n");
    let output = subprocess_exec("sh", ["-c", "printf %s \"$1\"", "sh", "an arg"]).output().await?;
    assert_eq!(output.stdout, b"an arg");
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn a_program_that_does_not_exist_is_not_found() {
    match Command::new("/no/such/program").spawn() {
        Err(error) => assert_eq!(error.kind(), io::ErrorKind::NotFound),
        // valgrind runs posix_spawn's vfork as a fork, so the failed exec cannot be reported
        // to the parent: the child exits with 127, as a shell's would.
        Ok(mut child) if under_valgrind() => {
            assert_eq!(child.wait().await.unwrap().code(), Some(127));
        }
        Ok(child) => panic!("spawned {child:?}"),
    }
    assert_eq!(own_registrations(), 0);
}

fn under_valgrind() -> bool {
    std::env::var("LD_PRELOAD").is_ok_and(|preload| preload.contains("vgpreload"))
}

#[qtasync::test(timeout = "20s")]
async fn a_child_killed_by_a_signal_reports_the_signal() -> io::Result<()> {
    let mut child = Command::new("sleep").arg("30").spawn()?;
    sleep(Duration::from_millis(20)).await;
    assert!(child.try_wait()?.is_none());
    child.kill()?;
    let status = child.wait().await?;
    assert_eq!((status.code(), status.signal()), (None, Some(libc::SIGKILL)));
    child.kill()?; // reaped: nothing is sent, not an error

    let mut child = Command::new("sleep").arg("30").spawn()?;
    child.terminate()?;
    assert_eq!(child.wait().await?.signal(), Some(libc::SIGTERM));

    // A signal from outside (kill(2) on the pid) is seen the same way.
    let mut child = Command::new("sleep").arg("30").spawn()?;
    // SAFETY: kill takes two integers; the pid is our unreaped child's.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    assert_eq!(child.wait().await?.signal(), Some(libc::SIGINT));
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn a_child_that_closes_stdout_but_runs_on_gives_end_of_stream_then_exits() -> io::Result<()> {
    let mut child = subprocess_shell("echo early; exec >&-; sleep 0.3; exit 4")
        .stdout(Stdio::piped())
        .spawn()?;
    let mut text = String::new();
    child.stdout.as_mut().unwrap().read_to_string(&mut text).await?;
    assert_eq!(text, "early\n");
    assert!(child.try_wait()?.is_none(), "stdout ended, the process did not");
    assert_eq!(child.wait().await?.code(), Some(4));
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn writing_to_the_stdin_of_an_exited_child_is_broken_pipe() -> io::Result<()> {
    let mut child = Command::new("true").stdin(Stdio::piped()).spawn()?;
    child.wait().await?;
    let stdin = child.stdin.as_mut().unwrap();
    let mut outcome = Ok(());
    for _ in 0..100 {
        outcome = stdin.write_all(&[0; 4096]).await;
        if outcome.is_err() {
            break;
        }
    }
    assert_eq!(outcome.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn a_dropped_running_child_is_reaped_when_it_exits() -> io::Result<()> {
    let child = Command::new("sleep").arg("0.1").spawn()?;
    let pid = child.id();
    let before = qtasync::process::unreaped_orphans();
    drop(child);
    assert_eq!(qtasync::process::unreaped_orphans(), before + 1);
    until(|| !process_exists(pid)).await; // reaped: not even a zombie
    assert_eq!(own_registrations(), 0);
    Ok(())
}

#[qtasync::test(timeout = "20s")]
async fn many_children_are_awaited_at_once_without_a_thread_each() -> io::Result<()> {
    let threads_before = std::fs::read_dir("/proc/self/task")?.count();
    let gate = Gate::new("many-children");
    let mut tasks = Vec::new();
    for i in 0..20 {
        let script = format!("{}; exit {i}", gate.wait_script());
        tasks.push(
            spawn(async move {
                let mut child = subprocess_shell(script).spawn().unwrap();
                child.wait().await.unwrap().code()
            })
            .unwrap(),
        );
    }
    until(|| qtasync::process::waiting_children() == 20).await;
    let threads_during = std::fs::read_dir("/proc/self/task")?.count();
    assert!(threads_during <= threads_before + 1, "{threads_before} -> {threads_during}");
    gate.open();
    for (i, task) in tasks.into_iter().enumerate() {
        assert_eq!(task.await.unwrap(), Some(i as i32));
    }
    Ok(())
}

#[test]
fn a_loop_closed_with_children_running_leaves_no_zombie() {
    let (pids_out, pids_in) = std::sync::mpsc::channel();
    // The children run until the first loop has closed.
    let gate = Gate::new("loop-closed");
    let script = gate.wait_script();
    // The waiting tasks are left behind on purpose: the loop closes with them.
    let options = qtasync::testing::TestOptions::new()
        .timeout(Some(Duration::from_secs(20)))
        .allow_leftovers(true);
    qtasync::testing::run_test_with(options, move || async move {
        for _ in 0..3 {
            let mut child = subprocess_shell(&script).stdout(Stdio::piped()).spawn().unwrap();
            pids_out.send(child.id()).unwrap();
            spawn(async move {
                let _ = child.wait().await;
            })
            .unwrap();
        }
        until(|| qtasync::process::waiting_children() == 3).await;
    });
    let pids: Vec<u32> = pids_in.try_iter().collect();
    assert_eq!(pids.len(), 3);
    assert!(pids.iter().all(|&pid| process_exists(pid)), "still running after the close");
    gate.open();
    qtasync::testing::run_test(Some(Duration::from_secs(20)), move || async move {
        until(|| qtasync::process::unreaped_orphans() == 0).await;
        assert_eq!(own_registrations(), 0);
        for pid in pids {
            assert!(!process_exists(pid), "child {pid} left a zombie");
        }
    });
}

#[qtasync::test(timeout = "20s")]
async fn auto_watches_with_a_pidfd_exactly_when_the_kernel_gives_one() -> io::Result<()> {
    // Asked independently of qtasync: does pidfd_open work here (not under valgrind 3.19)?
    // SAFETY: pidfd_open takes two integers; the descriptor it may return is closed at once.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, libc::getpid(), 0) };
    let kernel_has_pidfd = fd >= 0;
    // QTASYNC_EXIT_WATCHER=sigchld runs the whole file on the fallback.
    let forced = std::env::var_os("QTASYNC_EXIT_WATCHER").is_some_and(|v| v == "sigchld");
    if kernel_has_pidfd {
        // SAFETY: `fd` was just opened for us and is closed once.
        unsafe { libc::close(fd as i32) };
    }
    let mut child = Command::new("true").spawn()?;
    let expected =
        if kernel_has_pidfd && !forced { ExitWatcher::Pidfd } else { ExitWatcher::Sigchld };
    assert_eq!(child.exit_watcher(), expected);
    assert_eq!(ExitWatcher::Auto.resolve()?, expected);
    assert!(child.wait().await?.success());
    if !kernel_has_pidfd {
        let error = Command::new("true").exit_watcher(ExitWatcher::Pidfd).spawn().unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::Unsupported);
    }
    Ok(())
}
