//! Which code runs a workload on a peer: the rows written once over `Peer` (`workloads.rs`),
//! raw Qt's C++ versions, or the rows with code per runtime (interop, I/O, Qt signals). The one
//! place that names them all, so that none of them needs another.

use crate::peers::async_executor::AsyncExecutor;
use crate::peers::glib::Glib;
use crate::peers::qtasync::Qtasync;
use crate::peers::tokio::Tokio;
use crate::peers::{raw_qt, Peer};
use crate::report::Outcome;
use crate::workload::Workload;
use crate::{interop, io_rows, signal_rows, workloads};

/// Runs `workload` on the peer named `peer` in this process.
pub(crate) fn run_here(peer: &str, workload: &Workload) -> Outcome {
    match *workload {
        Workload::TokioRoundTrip { count } | Workload::CrossLoop { count } => {
            return interop::run(peer, &workload.key(), count)
        }
        Workload::TcpEcho { .. }
        | Workload::TcpMany { .. }
        | Workload::IdleTimer { .. }
        | Workload::SpawnWait { .. } => return io_rows::run(peer, workload),
        Workload::SignalStream { count } | Workload::SignalLatency { count } => {
            return signal_rows::run(peer, &workload.key(), count)
        }
        _ => {}
    }
    let generic = match peer {
        Qtasync::NAME => workloads::run::<Qtasync>(workload),
        Tokio::NAME => workloads::run::<Tokio>(workload),
        AsyncExecutor::NAME => workloads::run::<AsyncExecutor>(workload),
        Glib::NAME => workloads::run::<Glib>(workload),
        _ => Some(raw_qt::run(workload)),
    };
    generic.unwrap_or_else(|| Outcome::Failed(format!("no code runs {}", workload.key())))
}
