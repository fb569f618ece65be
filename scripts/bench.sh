#!/usr/bin/env bash
# Reproduces BENCHMARKS.md's table: the Python peers (PySide6 QtAsyncio, qasync, asyncio; each
# workload in its own process, so a crash is reported, not fatal), then qtasync and the Rust/Qt
# peers in one process, with the Python figures merged into the same table.
# Output: target/bench/table.md (+ rust.json, python.json). Arguments go to the Rust bench
# (e.g. --scale 0.1 for a quick run; then set PYTHON_SCALE=0.1 too).
# QTASYNC_BENCH_PYTHON=0 skips the Python peers.
# The I/O rows (tcp_echo, tcp_many, idle_timer_0/_n, spawn_wait) run on qtasync, tokio and async-io;
# the TCP rows also on asyncio and qasync (QtAsyncio raises NotImplementedError for sockets);
# idle_timer_n holds 8,000 x scale localhost connections whose far ends live in a child process
# (this binary with --idle-peer), so neither process nears the open-file limit.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
out=target/bench
mkdir -p "$out"

merge=()
if [ "${QTASYNC_BENCH_PYTHON:-1}" != 0 ] && command -v python3 >/dev/null; then
  python3 -m pip install --quiet pyside6 qasync pyqt6 ||
    echo "bench: could not install the Python peers; the script reports them as not installed" >&2
  python3 bench/python/bench.py --scale "${PYTHON_SCALE:-1}" --json "$out/python.json" \
    >"$out/python.md"
  merge=(--merge "$out/python.json")
fi

cargo build --release --locked -p qtasync-bench
target/release/qtasync-bench --json "$out/rust.json" "${merge[@]}" "$@" | tee "$out/table.md"
