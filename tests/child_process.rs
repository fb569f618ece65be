//! Cases that must start from a process of their own (no application yet, an expected abort, a
//! signal): a `harness = false` test binary runs itself again with `CHILD_CASE` naming the case.

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The environment variable naming the case a child process runs.
pub const CHILD_CASE: &str = "QTASYNC_CHILD_CASE";

/// The case this process must run, when it is such a child.
pub fn child_case() -> Option<String> {
    std::env::var(CHILD_CASE).ok()
}

/// Runs `case` in a child process (this binary), with a 120 s guard against hangs.
pub fn run_child(case: &str) -> Output {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(CHILD_CASE, case)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("child case {case} hung (killed after 120 s)");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

/// Runs `case` in a child process and expects it to exit successfully; returns its stdout.
pub fn child_passes(case: &str) -> String {
    let output = run_child(case);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "child case {case}: {:?}\nstdout: {stdout}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Runs `case` in a child process and expects it to abort (SIGABRT) with `message` on stderr;
/// returns its stdout.
pub fn child_aborts(case: &str, message: &str) -> String {
    let output = run_child(case);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.signal(), Some(6), "SIGABRT expected: {stdout} {stderr}");
    assert!(stderr.contains(message), "expected {message:?} on stderr: {stderr}");
    stdout
}
