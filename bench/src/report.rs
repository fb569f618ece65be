//! What a measurement produced, and the report: a markdown table of every metric for every peer,
//! qtasync's ratios to each peer, the targets, and the same as JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

/// How a metric reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Items per second; higher is better.
    PerSecond,
    /// Nanoseconds per item; lower is better.
    NanosPerItem,
    /// Milliseconds; lower is better.
    Millis,
    /// A count of bad events (out-of-order, early); lower is better.
    Count,
    /// Bytes of RSS per item; lower is better.
    BytesPerItem,
    /// Mebibytes per second; higher is better.
    MibPerSecond,
}

impl Unit {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Unit::PerSecond => "items/s",
            Unit::NanosPerItem => "ns/item",
            Unit::Millis => "ms",
            Unit::Count => "count",
            Unit::BytesPerItem => "bytes/item",
            Unit::MibPerSecond => "MiB/s",
        }
    }

    fn from_label(label: &str) -> Option<Unit> {
        [
            Unit::PerSecond,
            Unit::NanosPerItem,
            Unit::Millis,
            Unit::Count,
            Unit::BytesPerItem,
            Unit::MibPerSecond,
        ]
        .into_iter()
        .find(|unit| unit.label() == label)
    }

    pub(crate) fn higher_is_better(self) -> bool {
        matches!(self, Unit::PerSecond | Unit::MibPerSecond)
    }

    fn format(self, value: f64) -> String {
        match self {
            Unit::PerSecond if value >= 1e6 => format!("{:.2}M/s", value / 1e6),
            Unit::PerSecond => format!("{:.1}k/s", value / 1e3),
            Unit::NanosPerItem => format!("{value:.0} ns"),
            Unit::Millis => format!("{value:.3} ms"),
            Unit::Count => format!("{value:.0}"),
            Unit::MibPerSecond => format!("{value:.0} MiB/s"),
            Unit::BytesPerItem => format!("{value:.0} B"),
        }
    }
}

/// One figure of one workload; its key is the workload's key plus `suffix`.
#[derive(Clone, Debug)]
pub(crate) struct Metric {
    pub(crate) suffix: &'static str,
    pub(crate) value: f64,
    pub(crate) unit: Unit,
}

impl Metric {
    pub(crate) fn rate(items: usize, elapsed: Duration) -> Metric {
        let seconds = elapsed.as_secs_f64().max(1e-9);
        Metric { suffix: "", value: items as f64 / seconds, unit: Unit::PerSecond }
    }

    pub(crate) fn mib_per_second(bytes_per_second: f64) -> Metric {
        Metric { suffix: "", value: bytes_per_second / 1048576.0, unit: Unit::MibPerSecond }
    }

    pub(crate) fn millis(duration: Duration) -> Metric {
        Metric { suffix: "", value: duration.as_secs_f64() * 1e3, unit: Unit::Millis }
    }

    pub(crate) fn with_suffix(mut self, suffix: &'static str) -> Metric {
        self.suffix = suffix;
        self
    }
}

/// What running one workload on one peer gave.
#[derive(Clone, Debug)]
pub(crate) enum Outcome {
    Done(Vec<Metric>),
    /// The peer has nothing to measure here (raw Qt has no tasks).
    NotApplicable(String),
    /// The peer could not finish (crashed, timed out, lost items).
    Failed(String),
}

/// One table cell.
#[derive(Clone, Debug)]
pub(crate) struct Cell {
    pub(crate) value: Option<f64>,
    pub(crate) unit: Unit,
    pub(crate) note: String,
}

/// Every cell of the run, by metric key then peer, in the order they were added.
#[derive(Default)]
pub(crate) struct Report {
    metrics: Vec<String>,
    peers: Vec<String>,
    cells: BTreeMap<(String, String), Cell>,
}

/// What a target compares qtasync's figure against.
pub(crate) enum Bound {
    Min(f64),
    Max(f64),
    /// At least this peer's figure in the same run.
    NotBelowPeer(&'static str),
}

/// A target from the benchmarks issue.
pub(crate) struct Target {
    pub(crate) metric: &'static str,
    pub(crate) bound: Bound,
}

pub(crate) const TARGETS: &[Target] = &[
    Target { metric: "callbacks", bound: Bound::Min(20e6) },
    Target { metric: "tasks", bound: Bound::NotBelowPeer("tokio") },
    Target { metric: "yields", bound: Bound::NotBelowPeer("tokio") },
    Target { metric: "cross_thread_1", bound: Bound::Min(5e6) },
    Target { metric: "cross_thread_4", bound: Bound::Min(5e6) },
    Target { metric: "sleep_overshoot_median_ms", bound: Bound::Max(0.1) },
    Target { metric: "memory_100k", bound: Bound::Max(256.0) },
    Target { metric: "memory_1m", bound: Bound::Max(256.0) },
    Target { metric: "fairness", bound: Bound::Max(5.0) },
    Target { metric: "tcp_echo", bound: Bound::NotBelowPeer("tokio") },
    Target { metric: "tcp_many", bound: Bound::NotBelowPeer("tokio") },
];

impl Report {
    pub(crate) fn add_peer(&mut self, peer: &str) {
        if !self.peers.iter().any(|known| known == peer) {
            self.peers.push(peer.to_string());
        }
    }

    /// Records `outcome` for `peer` under the workload `key`; for a repeated measurement keeps
    /// the best value.
    pub(crate) fn record(&mut self, key: &str, peer: &str, outcome: &Outcome) {
        self.add_peer(peer);
        match outcome {
            Outcome::Done(metrics) => {
                for metric in metrics {
                    let cell =
                        Cell { value: Some(metric.value), unit: metric.unit, note: String::new() };
                    self.put(&format!("{key}{}", metric.suffix), peer, cell, true);
                }
            }
            Outcome::NotApplicable(why) | Outcome::Failed(why) => {
                let note = match outcome {
                    Outcome::Failed(_) => format!("failed: {why}"),
                    _ => format!("n/a: {why}"),
                };
                let cell = Cell { value: None, unit: Unit::Count, note };
                self.put(key, peer, cell, false);
            }
        }
    }

    fn put(&mut self, metric: &str, peer: &str, cell: Cell, keep_best: bool) {
        if !self.metrics.iter().any(|known| known == metric) {
            self.metrics.push(metric.to_string());
        }
        let slot = (metric.to_string(), peer.to_string());
        let better = match (self.cells.get(&slot), cell.value) {
            (Some(Cell { value: Some(old), .. }), Some(new)) if keep_best => {
                if cell.unit.higher_is_better() {
                    new > *old
                } else {
                    new < *old
                }
            }
            (Some(Cell { value: Some(_), .. }), None) => false,
            _ => true,
        };
        if better {
            self.cells.insert(slot, cell);
        }
    }

    pub(crate) fn value(&self, metric: &str, peer: &str) -> Option<f64> {
        self.cells.get(&(metric.to_string(), peer.to_string())).and_then(|cell| cell.value)
    }

    fn cell_text(&self, metric: &str, peer: &str) -> String {
        match self.cells.get(&(metric.to_string(), peer.to_string())) {
            Some(Cell { value: Some(value), unit, .. }) => unit.format(*value),
            Some(Cell { note, .. }) => short(note),
            None => {
                // A workload that failed as a whole is keyed without its suffix.
                let failed = self.cells.iter().find(|((key, cell_peer), cell)| {
                    cell_peer == peer && cell.value.is_none() && metric.starts_with(key.as_str())
                });
                failed.map(|(_, cell)| short(&cell.note)).unwrap_or_else(|| "-".to_string())
            }
        }
    }

    fn unit_of(&self, metric: &str) -> Option<Unit> {
        self.cells
            .iter()
            .find(|((key, _), cell)| key == metric && cell.value.is_some())
            .map(|(_, cell)| cell.unit)
    }

    /// The markdown report: figures, ratios, targets.
    pub(crate) fn markdown(&self) -> String {
        let metrics: Vec<&String> =
            self.metrics.iter().filter(|metric| self.unit_of(metric).is_some()).collect();
        let mut out = String::new();
        let _ = writeln!(out, "| metric | unit | {} |", self.peers.join(" | "));
        let _ = writeln!(out, "|---|---|{}", "---|".repeat(self.peers.len()));
        for metric in &metrics {
            let unit = self.unit_of(metric).map_or("", |unit| unit.label());
            let row: Vec<String> =
                self.peers.iter().map(|peer| self.cell_text(metric, peer)).collect();
            let _ = writeln!(out, "| {metric} | {unit} | {} |", row.join(" | "));
        }

        let others: Vec<&String> = self.peers.iter().filter(|peer| *peer != "qtasync").collect();
        let _ = writeln!(out, "\nRatios qtasync / peer (above 1 is better for qtasync on items/s, below 1 on the others):\n");
        let _ = writeln!(
            out,
            "| metric | {} |",
            others.iter().map(|p| format!("qtasync / {p}")).collect::<Vec<_>>().join(" | ")
        );
        let _ = writeln!(out, "|---|{}", "---|".repeat(others.len()));
        for metric in &metrics {
            let unit = self.unit_of(metric);
            if matches!(unit, Some(Unit::Count)) {
                continue;
            }
            let ours = self.value(metric, "qtasync");
            let row: Vec<String> = others
                .iter()
                .map(|peer| match (ours, self.value(metric, peer)) {
                    (Some(ours), Some(theirs)) if theirs > 0.0 => format!("{:.2}", ours / theirs),
                    _ => "-".to_string(),
                })
                .collect();
            let _ = writeln!(out, "| {metric} | {} |", row.join(" | "));
        }

        let _ = writeln!(out, "\nTargets:\n");
        let _ = writeln!(out, "| metric | target | qtasync | met |");
        let _ = writeln!(out, "|---|---|---|---|");
        for target in TARGETS {
            let Some(unit) = self.unit_of(target.metric) else { continue };
            let ours = self.value(target.metric, "qtasync");
            let (text, threshold, at_least) = match target.bound {
                Bound::Min(value) => (format!(">= {}", unit.format(value)), Some(value), true),
                Bound::Max(value) => (format!("<= {}", unit.format(value)), Some(value), false),
                Bound::NotBelowPeer(peer) => {
                    (format!(">= {peer}"), self.value(target.metric, peer), true)
                }
            };
            let met = match (ours, threshold) {
                (Some(ours), Some(threshold)) if at_least => yes_no(ours >= threshold),
                (Some(ours), Some(threshold)) => yes_no(ours <= threshold),
                _ => "not measured",
            };
            let shown = ours.map_or("-".to_string(), |value| unit.format(value));
            let _ = writeln!(out, "| {} | {text} | {shown} | {met} |", target.metric);
        }
        out
    }

    /// Every cell, as the JSON entries the Python peers' script also writes.
    pub(crate) fn entries(&self) -> Vec<Entry> {
        let mut entries = Vec::new();
        for metric in &self.metrics {
            for peer in &self.peers {
                if let Some(cell) = self.cells.get(&(metric.clone(), peer.clone())) {
                    entries.push(Entry {
                        workload: metric.clone(),
                        peer: peer.clone(),
                        value: cell.value,
                        unit: cell.unit.label().to_string(),
                        note: cell.note.clone(),
                    });
                }
            }
        }
        entries
    }

    /// Adds the cells of another run (the Python peers' script writes the same entries).
    pub(crate) fn merge(&mut self, entries: Vec<Entry>) {
        for entry in entries {
            self.add_peer(&entry.peer);
            let unit = Unit::from_label(&entry.unit).unwrap_or(Unit::Count);
            let cell = Cell { value: entry.value, unit, note: entry.note };
            self.put(&entry.workload, &entry.peer, cell, true);
        }
    }
}

/// One cell in the JSON report.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Entry {
    pub(crate) workload: String,
    pub(crate) peer: String,
    pub(crate) value: Option<f64>,
    pub(crate) unit: String,
    #[serde(default)]
    pub(crate) note: String,
}

/// A note cut to fit a table cell (the JSON keeps it whole).
fn short(note: &str) -> String {
    const MAX: usize = 40;
    let note = note.replace("Fatal Python error: ", "");
    match note.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &note[..end]),
        None => note,
    }
}

fn yes_no(met: bool) -> &'static str {
    if met {
        "yes"
    } else {
        "NO"
    }
}
