#!/usr/bin/env bash
# RUSTC_WORKSPACE_WRAPPER for scripts/test.sh: the workspace's own crates (not their
# dependencies) are compiled by clippy-driver, which runs clippy's lints and then generates code
# as rustc would, with warnings as errors. One build both lints (what `cargo clippy --all-targets
# -- -D warnings` checks: libraries, binaries, tests, build scripts) and produces the test
# binaries, instead of a `cargo clippy` that checks every dependency a second time.
# bash, not sh: dash drops variables whose names are not identifiers, such as the
# CARGO_BIN_EXE_qtasync-bench that cargo gives the benchmark's smoke test.
if ! command -v clippy-driver >/dev/null 2>&1; then
  echo "qtasync: clippy-driver not found: rustup component add clippy" >&2
  exit 1
fi
exec clippy-driver "$@" -D warnings
