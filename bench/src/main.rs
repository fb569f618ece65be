//! qtasync's benchmark: the workloads of the benchmarks issue on qtasync and, in the same run, on
//! tokio (current_thread + LocalSet), async-executor's LocalExecutor, GLib's MainContext and raw
//! Qt. Prints a markdown table (figures, ratios, targets); `--json FILE` writes every cell.
//!
//! ```text
//! cargo run --release -p qtasync-bench -- [--scale F] [--repeat N] [--peers a,b]
//!     [--workloads a,b] [--json FILE] [--merge FILE.json]...
//! ```
//! `--merge` adds the cells of another run, e.g. the Python peers (`bench/python/bench.py`).
//! `--idle-peer` is internal: the far ends of the `idle_timer_n` connections (`io_rows.rs`).
//! Memory is measured in a child process per figure (`--memory-child PEER TASKS`), so that what
//! earlier workloads allocated does not hide the growth.

mod countdown;
mod dispatch;
mod figures;
mod interop;
mod io_rows;
mod peers;
mod report;
mod signal_rows;
mod tcp_rows;
mod workload;
mod workloads;

// cxx-qt-build's generated initializer for this crate calls the initializers of cxx-qt and
// cxx-qt-lib; without a Rust reference rustc would not link those crates at all.
extern crate cxx_qt as _;
extern crate cxx_qt_lib as _;

use std::process::{Command, ExitCode};

use dispatch::run_here;
use report::{Entry, Outcome, Report};
use workload::Workload;

const PEERS: &[&str] = &["qtasync", "tokio", "async-executor", "glib", "raw-qt"];

struct Options {
    scale: f64,
    repeat: usize,
    peers: Vec<String>,
    workloads: Option<Vec<String>>,
    json: Option<String>,
    merge: Vec<String>,
}

fn usage() -> String {
    format!(
        "usage: qtasync-bench [--scale F] [--repeat N] [--peers {}] [--workloads KEY,..] \
         [--json FILE] [--merge FILE.json]...",
        PEERS.join(",")
    )
}

fn parse_options(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        scale: 1.0,
        repeat: 3,
        peers: PEERS.iter().map(|peer| peer.to_string()).collect(),
        workloads: None,
        json: None,
        merge: Vec::new(),
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value\n{}", usage()));
        match arg.as_str() {
            "--scale" => {
                options.scale = value()?
                    .parse()
                    .ok()
                    .filter(|scale: &f64| *scale > 0.0)
                    .ok_or("--scale takes a positive number")?
            }
            "--repeat" => {
                options.repeat = value()?
                    .parse()
                    .ok()
                    .filter(|repeat| *repeat > 0)
                    .ok_or("--repeat takes a positive whole number")?
            }
            "--peers" => {
                let peers: Vec<String> = value()?.split(',').map(str::to_string).collect();
                if let Some(unknown) = peers.iter().find(|peer| !PEERS.contains(&peer.as_str())) {
                    return Err(format!(
                        "unknown peer {unknown:?}; the peers: {}",
                        PEERS.join(", ")
                    ));
                }
                options.peers = peers;
            }
            "--workloads" => {
                options.workloads = Some(value()?.split(',').map(str::to_string).collect())
            }
            "--json" => options.json = Some(value()?),
            "--merge" => options.merge.push(value()?),
            "--help" | "-h" => return Err(usage()),
            other => return Err(format!("unknown argument {other:?}\n{}", usage())),
        }
    }
    Ok(options)
}

/// Runs a memory workload in a child process of this binary.
fn run_in_child(peer: &str, tasks: usize) -> Outcome {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(error) => return Outcome::Failed(format!("cannot find this program: {error}")),
    };
    let output = Command::new(exe).args(["--memory-child", peer, &tasks.to_string()]).output();
    match output {
        Ok(output) if output.status.success() => {
            let text = String::from_utf8_lossy(&output.stdout);
            match text.trim().parse::<f64>() {
                Ok(bytes) => Outcome::Done(vec![report::Metric {
                    suffix: "",
                    value: bytes,
                    unit: report::Unit::BytesPerItem,
                }]),
                Err(_) => Outcome::Failed(format!("child printed {:?}", text.trim())),
            }
        }
        Ok(output) => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let last = stderr.lines().last().unwrap_or("").to_string();
            Outcome::Failed(format!("child exited with {}: {last}", output.status))
        }
        Err(error) => Outcome::Failed(format!("cannot start the child: {error}")),
    }
}

/// `--memory-child PEER TASKS`: prints bytes of RSS per pending task.
fn memory_child(peer: &str, tasks: &str) -> ExitCode {
    let Ok(tasks) = tasks.parse::<usize>() else {
        eprintln!("--memory-child takes a task count");
        return ExitCode::FAILURE;
    };
    match run_here(peer, &Workload::Memory { tasks }) {
        Outcome::Done(metrics) if !metrics.is_empty() => {
            println!("{}", metrics[0].value);
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("{other:?}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(io_rows::IDLE_PEER_FLAG) {
        return io_rows::idle_peer_main();
    }
    if let [flag, peer, tasks] = args.as_slice() {
        if flag == "--memory-child" {
            // The Qt application must exist before any peer runs (raw Qt and qtasync need it).
            drop(qtasync::EventLoop::new());
            return memory_child(peer, tasks);
        }
    }
    let options = match parse_options(args.into_iter()) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    // Creates the QCoreApplication that qtasync and raw Qt run on.
    drop(qtasync::EventLoop::new());

    let mut report = Report::default();
    for peer in &options.peers {
        report.add_peer(peer);
    }
    let workloads: Vec<Workload> = Workload::all(options.scale)
        .into_iter()
        .filter(|workload| match &options.workloads {
            Some(keys) => keys.iter().any(|key| workload.key().starts_with(key.as_str())),
            None => true,
        })
        .collect();
    for workload in &workloads {
        let key = workload.key();
        let rounds = if workload.repeatable() { options.repeat } else { 1 };
        // Peers take turns within each round, so that a noisy moment hurts them alike.
        for round in 0..rounds {
            for peer in &options.peers {
                eprintln!("{key}: {peer} (round {}/{rounds})", round + 1);
                let outcome = match workload {
                    Workload::Memory { tasks } if peer != "raw-qt" => run_in_child(peer, *tasks),
                    _ => run_here(peer, workload),
                };
                let outcome = match outcome {
                    Outcome::Done(metrics) if metrics.is_empty() => {
                        Outcome::Failed("not every item completed".into())
                    }
                    other => other,
                };
                report.record(&key, peer, &outcome);
            }
        }
    }

    for path in &options.merge {
        let merged =
            std::fs::read_to_string(path).map_err(|error| error.to_string()).and_then(|text| {
                serde_json::from_str::<Vec<Entry>>(&text).map_err(|error| error.to_string())
            });
        match merged {
            Ok(entries) => report.merge(entries),
            Err(error) => {
                eprintln!("cannot merge {path}: {error}");
                return ExitCode::FAILURE;
            }
        }
    }

    print!("{}", report.markdown());
    if let Some(path) = &options.json {
        let json = serde_json::to_string_pretty(&report.entries()).expect("plain data");
        if let Err(error) = std::fs::write(path, json + "\n") {
            eprintln!("cannot write {path}: {error}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
