//! The SIGCHLD fallback of `qtasync::process` (what kernels without pidfd_open use), forced
//! with `ExitWatcher::Sigchld`, on the real Qt loop with real children: exit codes, signals,
//! many children at once, dropped children reaped (no zombie), a `std::process` child of the
//! same process left to its owner, and loops on several threads each with their own children.

use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::Duration;

use qtasync::process::{subprocess_shell, Child, Command, ExitWatcher};
use qtasync::worker::WorkerLoop;
use qtasync::{sleep, spawn, timeout};
use qtasync_tests::{until, Gate};

/// Registrations other than qtasync's own (the signal self-pipe, dropped children's pidfds).
fn own_registrations() -> usize {
    qtasync::io::registrations() - qtasync::io::internal_registrations()
}

/// `sh -c script` watched through SIGCHLD.
fn shell(script: &str) -> Command {
    let mut command = subprocess_shell(script);
    command.exit_watcher(ExitWatcher::Sigchld);
    command
}

fn spawn_sigchld(script: &str) -> io::Result<Child> {
    let child = shell(script).spawn()?;
    assert_eq!(child.exit_watcher(), ExitWatcher::Sigchld);
    Ok(child)
}

/// The state letter of `/proc/PID/stat` (`Z` for a zombie), `None` once the pid is gone.
fn process_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')').next()?.trim_start().chars().next()
}

/// Whether `pid` is still a child of this process waiting to be reaped; `false` once it has
/// been reaped (waitpid says ECHILD).
fn still_our_child(pid: u32) -> bool {
    let mut status = 0;
    // SAFETY: waitpid with WNOHANG only on a pid we spawned and the status out-pointer; for a
    // child that already exited it would reap it, so it is called only after qtasync reaped it
    // (the test's expectation) or to prove that it did.
    let result = unsafe { libc::waitpid(pid as libc::pid_t, &mut status, libc::WNOHANG) };
    !(result == -1 && io::Error::last_os_error().raw_os_error() == Some(libc::ECHILD))
}

/// Waits (at most 10 s, far more than the children need) until qtasync reaped every dropped
/// child of this thread, so that the next test starts with nothing registered.
async fn all_orphans_reaped() {
    let reaped =
        timeout(Duration::from_secs(10), until(|| qtasync::process::unreaped_orphans() == 0));
    reaped.await.expect("dropped children were not reaped");
}

#[qtasync::test(timeout = "30s")]
async fn exit_codes_and_output_come_through_sigchld_and_nothing_stays_registered() -> io::Result<()>
{
    assert_eq!(qtasync::signal::registrations(), 0);
    let mut child = spawn_sigchld("exit 0")?;
    assert_eq!(qtasync::signal::registrations(), 1, "SIGCHLD, while a child needs it");
    assert!(child.wait().await?.success());
    let output = shell("echo out; echo err >&2; exit 7").output().await?;
    assert_eq!(output.status.code(), Some(7));
    assert_eq!(
        (output.stdout.as_slice(), output.stderr.as_slice()),
        (&b"out\n"[..], &b"err\n"[..])
    );
    let mut false_ = Command::new("false");
    assert_eq!(false_.exit_watcher(ExitWatcher::Sigchld).status().await?.code(), Some(1));
    assert_eq!(own_registrations(), 0, "the pipes are deregistered");
    drop(child);
    assert_eq!(qtasync::signal::registrations(), 0, "the last child released SIGCHLD");
    assert_eq!(qtasync::process::waiting_children(), 0);
    Ok(())
}

#[qtasync::test(timeout = "30s")]
async fn a_child_killed_by_a_signal_reports_the_signal() -> io::Result<()> {
    let mut child = spawn_sigchld("exec sleep 30")?;
    sleep(Duration::from_millis(20)).await;
    assert!(child.try_wait()?.is_none());
    child.kill()?;
    let status = child.wait().await?;
    assert_eq!((status.code(), status.signal()), (None, Some(libc::SIGKILL)));
    child.kill()?; // reaped: nothing is sent (the pid may be someone else's now), not an error

    let mut child = spawn_sigchld("exec sleep 30")?;
    child.terminate()?;
    assert_eq!(child.wait().await?.signal(), Some(libc::SIGTERM));

    // A signal from outside, with kill(2) on the pid, is seen the same way.
    let mut child = spawn_sigchld("exec sleep 30")?;
    // SAFETY: kill takes two integers; the pid is our unreaped child's.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    assert_eq!(child.wait().await?.signal(), Some(libc::SIGINT));
    Ok(())
}

#[qtasync::test(timeout = "30s")]
async fn many_children_exiting_together_are_all_seen_without_a_thread_each() -> io::Result<()> {
    const CHILDREN: usize = 30;
    let threads_before = std::fs::read_dir("/proc/self/task")?.count();
    let gate = Gate::new("sigchld-many");
    let tasks: Vec<_> = (0..CHILDREN)
        .map(|i| {
            // Released together, they exit within a few milliseconds: SIGCHLDs merge.
            let mut child = spawn_sigchld(&format!("{}; exit {i}", gate.wait_script())).unwrap();
            spawn(async move { child.wait().await.unwrap().code() }).unwrap()
        })
        .collect();
    until(|| qtasync::process::waiting_children() == CHILDREN).await;
    let threads_during = std::fs::read_dir("/proc/self/task")?.count();
    assert!(threads_during <= threads_before + 1, "{threads_before} -> {threads_during}");
    assert_eq!(qtasync::signal::registrations(), 1, "one SIGCHLD registration for all");
    gate.open();
    for (i, task) in tasks.into_iter().enumerate() {
        assert_eq!(task.await.unwrap(), Some(i as i32));
    }
    assert_eq!(qtasync::signal::registrations(), 0);
    Ok(())
}

#[qtasync::test(timeout = "30s")]
async fn a_dropped_running_child_is_reaped_when_it_exits_or_killed_with_kill_on_drop(
) -> io::Result<()> {
    let child = spawn_sigchld("sleep 0.1")?;
    let pid = child.id();
    drop(child);
    assert_eq!(qtasync::process::unreaped_orphans(), 1);
    assert_eq!(qtasync::signal::registrations(), 1, "kept for the dropped child");
    all_orphans_reaped().await;
    assert_eq!(process_state(pid), None, "not even a zombie");
    assert!(!still_our_child(pid), "reaped by qtasync");
    assert_eq!(qtasync::signal::registrations(), 0);

    // kill_on_drop: a child that would sleep 30 s is killed at once, then reaped.
    let child = shell("exec sleep 30").kill_on_drop(true).spawn()?;
    let pid = child.id();
    drop(child);
    all_orphans_reaped().await; // within 10 s: it was killed, not left to sleep
    assert_eq!(process_state(pid), None);
    assert!(!still_our_child(pid));
    assert_eq!(own_registrations(), 0);
    Ok(())
}

#[qtasync::test(timeout = "30s")]
async fn a_std_process_child_of_the_same_process_is_left_to_its_owner() -> io::Result<()> {
    // Our watcher first, so that it hears every SIGCHLD below; a dropped child of ours is
    // running when the other children exit, so qtasync reaps on those SIGCHLDs.
    let mut ours = spawn_sigchld("sleep 0.3; exit 2")?;
    drop(spawn_sigchld("sleep 0.2")?);
    // Two children that qtasync does not own: one that nobody waits for yet (it must stay a
    // zombie until its owner reaps it), one waited for by a thread blocked in waitpid.
    let mut unwaited = std::process::Command::new("sh").args(["-c", "exit 6"]).spawn()?;
    let unwaited_pid = unwaited.id();
    let mut blocked = std::process::Command::new("sh").args(["-c", "sleep 0.1; exit 5"]).spawn()?;
    let waiter = std::thread::spawn(move || blocked.wait().map(|status| status.code()));

    until(|| process_state(unwaited_pid) == Some('Z')).await;
    assert_eq!(ours.wait().await?.code(), Some(2));
    all_orphans_reaped().await;

    assert_eq!(process_state(unwaited_pid), Some('Z'), "still a zombie: nobody reaped it");
    assert_eq!(unwaited.wait()?.code(), Some(6), "its owner reaps it");
    assert_eq!(waiter.join().unwrap()?, Some(5), "the blocked waitpid got its child");
    Ok(())
}

#[qtasync::test(timeout = "60s")]
async fn loops_on_several_threads_each_see_their_own_children_exit() -> io::Result<()> {
    /// Five children with codes `base + i`, exiting in between the other threads' ones.
    async fn run_children(base: i32) -> Vec<Option<i32>> {
        let children: Vec<Child> = (0..5)
            .map(|i| spawn_sigchld(&format!("sleep 0.{}{}; exit {}", i + 1, base / 10, base + i)))
            .collect::<io::Result<_>>()
            .unwrap();
        let mut codes = Vec::new();
        for mut child in children {
            codes.push(child.wait().await.unwrap().code());
        }
        assert_eq!(qtasync::signal::registrations(), 0, "released on this thread too");
        codes
    }
    let workers = [WorkerLoop::start().unwrap(), WorkerLoop::start().unwrap()];
    let remote: Vec<_> = workers
        .iter()
        .zip([10, 20])
        .map(|(worker, base)| worker.handle().run_with(move || run_children(base)))
        .collect();
    let here = run_children(30).await;
    assert_eq!(here, (30..35).map(Some).collect::<Vec<_>>());
    for (task, base) in remote.into_iter().zip([10, 20]) {
        assert_eq!(task.await.unwrap(), (base..base + 5).map(Some).collect::<Vec<_>>());
    }
    for worker in workers {
        worker.join().unwrap();
    }
    Ok(())
}

#[qtasync::test(timeout = "30s")]
async fn a_fallback_child_pipes_stream_while_it_runs() -> io::Result<()> {
    use futures::AsyncReadExt;
    let mut child = shell("echo one; sleep 0.05; echo two").stdout(Stdio::piped()).spawn()?;
    let mut text = String::new();
    child.stdout.as_mut().unwrap().read_to_string(&mut text).await?;
    assert_eq!(text, "one\ntwo\n");
    assert!(child.wait().await?.success());
    Ok(())
}
