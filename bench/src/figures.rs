//! Figures more than one kind of row computes: timer accuracy and latency quantiles.

use std::time::Duration;

use crate::report::{Metric, Unit};

/// The timer workload's figures: scheduling cost, out-of-order and early firings.
pub(crate) fn timer_metrics(
    count: usize,
    schedule: Duration,
    inversions: u64,
    early: u64,
    fired: usize,
) -> Vec<Metric> {
    if fired != count {
        return vec![];
    }
    let per_timer = schedule.as_secs_f64() * 1e9 / count.max(1) as f64;
    vec![
        Metric { suffix: "_schedule", value: per_timer, unit: Unit::NanosPerItem },
        Metric { suffix: "_inversions", value: inversions as f64, unit: Unit::Count },
        Metric { suffix: "_early", value: early as f64, unit: Unit::Count },
    ]
}

/// Median and 99th percentile of the overshoots, in milliseconds.
pub(crate) fn overshoot_metrics(mut overshoots: Vec<Duration>) -> Vec<Metric> {
    overshoots.sort();
    let at = |quantile: f64| {
        let index = ((overshoots.len() as f64 - 1.0) * quantile).round() as usize;
        overshoots.get(index).copied().unwrap_or_default()
    };
    vec![
        Metric::millis(at(0.5)).with_suffix("_median_ms"),
        Metric::millis(at(0.99)).with_suffix("_p99_ms"),
    ]
}
