//! `cargo test` builds the benchmark, so it cannot rot, and runs every workload on every peer at
//! a tiny scale: each cell must hold a figure (or say why the peer has none), and qtasync's
//! timers must fire in order and never early. Nothing is timed here; BENCHMARKS.md has figures.

// The package's build script links its C++ (raw Qt) into every target; that code calls the
// initializers of cxx-qt and cxx-qt-lib, so this test binary must link those crates too.
extern crate cxx_qt as _;
extern crate cxx_qt_lib as _;

use std::process::Command;

use serde_json::Value;

#[test]
fn every_workload_runs_on_every_peer_at_a_tiny_scale() {
    let json =
        std::env::temp_dir().join(format!("qtasync-bench-smoke-{}.json", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_qtasync-bench"))
        .args(["--scale", "0.001", "--repeat", "1", "--json"])
        .arg(&json)
        .env("QT_QPA_PLATFORM", "offscreen")
        .output()
        .expect("the benchmark starts");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("| metric | unit | qtasync | tokio | async-executor | glib | raw-qt |"));
    assert!(table.contains("Targets:"), "{table}");

    let entries: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).expect("valid JSON");
    let _ = std::fs::remove_file(&json);
    let value = |workload: &str, peer: &str| {
        entries
            .iter()
            .find(|entry| entry["workload"] == workload && entry["peer"] == peer)
            .unwrap_or_else(|| panic!("no cell for {workload} on {peer}"))["value"]
            .as_f64()
    };
    let workloads = [
        "callbacks",
        "tasks",
        "yields",
        "cross_thread_1",
        "cross_thread_4",
        "timers_schedule",
        "timers_inversions",
        "timers_early",
        "sleep_overshoot_median_ms",
        "sleep_overshoot_p99_ms",
        "ping_pong",
        "memory_100",
        "memory_1000",
        "fairness",
    ];
    for peer in ["qtasync", "tokio", "async-executor", "glib"] {
        for workload in workloads {
            assert!(value(workload, peer).is_some(), "{workload} on {peer} has no figure");
        }
    }
    for workload in ["callbacks", "cross_thread_1", "cross_thread_4", "timers_schedule", "fairness"]
    {
        assert!(value(workload, "raw-qt").is_some(), "{workload} on raw Qt has no figure");
    }
    for workload in ["tokio_round_trip", "cross_loop_spawn"] {
        for peer in ["qtasync", "tokio"] {
            assert!(value(workload, peer).is_some(), "{workload} on {peer} has no figure");
        }
        assert_eq!(value(workload, "glib"), None, "tokio interop is not measured on GLib");
    }
    let io = [
        "tcp_echo",
        "tcp_many",
        "idle_timer_0_median_ms",
        "idle_timer_0_p99_ms",
        "idle_timer_n_median_ms",
        "idle_timer_n_p99_ms",
    ];
    for peer in ["qtasync", "tokio", "async-executor"] {
        for workload in io {
            assert!(value(workload, peer).is_some(), "{workload} on {peer} has no figure");
        }
    }
    for peer in ["qtasync", "tokio"] {
        assert!(value("spawn_wait", peer).is_some(), "spawn_wait on {peer} has no figure");
    }
    assert_eq!(value("spawn_wait", "async-executor"), None, "async-io has no subprocesses");
    for workload in ["tcp_echo", "tcp_many", "idle_timer_0", "idle_timer_n", "spawn_wait"] {
        assert_eq!(value(workload, "glib"), None, "I/O is not measured on GLib");
        assert_eq!(value(workload, "raw-qt"), None, "I/O is not measured on raw Qt");
    }
    for workload in ["signal_stream", "signal_latency_median_ms", "signal_latency_p99_ms"] {
        assert!(value(workload, "qtasync").is_some(), "{workload} on qtasync has no figure");
    }
    assert!(value("signal_stream", "raw-qt").is_some(), "raw Qt's direct emits have no figure");
    for peer in ["tokio", "async-executor", "glib"] {
        assert_eq!(value("signal_stream", peer), None, "Qt signals are not measured on {peer}");
    }
    assert_eq!(value("tasks", "raw-qt"), None, "raw Qt has no tasks");
    assert_eq!(value("timers_inversions", "qtasync"), Some(0.0));
    assert_eq!(value("timers_early", "qtasync"), Some(0.0));
}
