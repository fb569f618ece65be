#!/usr/bin/env bash
# Everything CI checks: formatting, clippy (warnings are errors), every test of the workspace
# (unit, integration on the real Qt loop, reliability, compile-fail UI tests, example and
# benchmark smoke tests), then memcheck over the test binaries and examples, and Miri over the
# scheduler core (see RELIABILITY.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
bash scripts/valgrind.sh
bash scripts/miri.sh
