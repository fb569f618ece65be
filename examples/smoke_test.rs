//! Every example runs by itself offscreen: it clicks its button, saves a screenshot and quits.

use std::process::Command;
use std::time::{Duration, Instant};

fn run_example(binary: &str, name: &str) {
    let screenshot =
        std::env::temp_dir().join(format!("qtasync-smoke-{name}-{}.png", std::process::id()));
    let _ = std::fs::remove_file(&screenshot);
    let started = Instant::now();
    let output = Command::new(binary)
        .args(["--click-after", "100ms", "--quit-after", "1.5s", "--screenshot"])
        .arg(&screenshot)
        .env("QT_QPA_PLATFORM", "offscreen")
        .output()
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
    let output = Command::new(env!("CARGO_BIN_EXE_tour")).output().expect("the tour starts");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("executor job returned"), "{text}");
    assert!(text.contains("a callback sent from another thread"), "{text}");
}

#[test]
fn search_qml() {
    run_example(env!("CARGO_BIN_EXE_search_qml"), "search_qml");
}
