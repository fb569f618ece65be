//! Every example runs by itself offscreen: it clicks its button, saves a screenshot and quits.

use std::io::Read;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long an example may run before the test kills it: one that never quits fails the test
/// instead of hanging it (every example here quits within seconds).
const LIMIT: Duration = Duration::from_secs(90);

/// `Command::output` with a time limit: past it the child is killed and an error returned.
trait OutputWithin {
    fn output_within(&mut self, limit: Duration) -> std::io::Result<Output>;
}

impl OutputWithin for Command {
    fn output_within(&mut self, limit: Duration) -> std::io::Result<Output> {
        let mut child = self.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
        // Both pipes are read on threads, so a chatty child never blocks on a full pipe.
        let read = |pipe: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                if let Some(mut pipe) = pipe {
                    let _ = pipe.read_to_end(&mut bytes);
                }
                bytes
            })
        };
        let stdout = read(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
        let stderr = read(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
        let status = wait_within(&mut child, limit)?;
        Ok(Output { status, stdout: stdout.join().unwrap(), stderr: stderr.join().unwrap() })
    }
}

fn wait_within(child: &mut Child, limit: Duration) -> std::io::Result<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("still running after {limit:?}: killed"),
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn run_example(binary: &str, name: &str) {
    let screenshot =
        std::env::temp_dir().join(format!("qtasync-smoke-{name}-{}.png", std::process::id()));
    let _ = std::fs::remove_file(&screenshot);
    let started = Instant::now();
    let output = Command::new(binary)
        .args(["--click-after", "100ms", "--quit-after", "1.5s", "--screenshot"])
        .arg(&screenshot)
        .env("QT_QPA_PLATFORM", "offscreen")
        .output_within(LIMIT)
        .expect("the example starts");
    assert!(
        output.status.success(),
        "{name}: {:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(started.elapsed() < Duration::from_secs(30), "{name} did not quit by itself in time");
    let png =
        std::fs::read(&screenshot).unwrap_or_else(|e| panic!("{name} saved no screenshot: {e}"));
    assert!(png.starts_with(b"\x89PNG"), "{name}'s screenshot is not a PNG");
    let _ = std::fs::remove_file(&screenshot);
}

#[test]
fn minimal() {
    run_example(env!("CARGO_BIN_EXE_minimal"), "minimal");
}

#[test]
fn eratosthenes() {
    run_example(env!("CARGO_BIN_EXE_eratosthenes"), "eratosthenes");
}

#[test]
fn jobs() {
    run_example(env!("CARGO_BIN_EXE_jobs"), "jobs");
}

#[test]
fn minimal_qml() {
    run_example(env!("CARGO_BIN_EXE_minimal_qml"), "minimal_qml");
}

#[test]
fn tour() {
    let output =
        Command::new(env!("CARGO_BIN_EXE_tour")).output_within(LIMIT).expect("the tour starts");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("executor job returned"), "{text}");
    assert!(text.contains("a callback sent from another thread"), "{text}");
}

/// Runs the download example offscreen with `args`; its stdout (each outcome is printed).
fn run_download(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_download"))
        .args(args)
        .env("QT_QPA_PLATFORM", "offscreen")
        .output_within(LIMIT)
        .expect("the download example starts");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "download: {:?}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn download_completes() {
    run_example(env!("CARGO_BIN_EXE_download"), "download");
    // The quit is only a limit: the 8 MiB body is paced to take about 1.3 s.
    let stdout = run_download(&["--click-after", "100ms", "--quit-after", "10s"]);
    assert!(stdout.contains("download complete: 8388608 bytes"), "{stdout}");
    assert!(stdout.contains("server: sent all 8388608 bytes"), "{stdout}");
}

#[test]
fn download_cancelled() {
    let stdout =
        run_download(&["--click-after", "100ms", "--cancel-after", "500ms", "--quit-after", "4s"]);
    let number_after = |prefix: &str| -> u64 {
        let line = stdout.lines().find(|line| line.starts_with(prefix));
        let line = line.unwrap_or_else(|| panic!("no {prefix:?} line in\n{stdout}"));
        line[prefix.len()..].split(' ').next().unwrap().parse().unwrap()
    };
    let received = number_after("cancelled after ");
    let sent = number_after("server: the client left after ");
    assert!(received < 8 << 20, "cancelled before the end: {stdout}");
    // The server noticed the dropped request: it stopped short of the whole body, having sent
    // at least what the client had received.
    assert!(received <= sent && sent < 8 << 20, "{stdout}");
    assert!(!stdout.contains("download complete"), "{stdout}");
}

#[test]
fn commands() {
    run_example(env!("CARGO_BIN_EXE_commands"), "commands");
    // Run, then Cancel: the child is killed mid-stream and the window says how it ended.
    let output = Command::new(env!("CARGO_BIN_EXE_commands"))
        .args(["--click-after", "100ms", "--cancel-after", "1.2s", "--quit-after", "3s"])
        .env("QT_QPA_PLATFORM", "offscreen")
        .output_within(LIMIT)
        .expect("the example starts");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("; killed by SIGKILL"), "{text}");
    let lines: usize = text
        .split("commands: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no line count in {text:?}"));
    assert!((1..50).contains(&lines), "{lines} lines streamed before the cancel: {text}");
}

#[test]
fn search_qml() {
    run_example(env!("CARGO_BIN_EXE_search_qml"), "search_qml");
}
