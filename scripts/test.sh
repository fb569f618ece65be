#!/usr/bin/env bash
# Everything CI checks: formatting, clippy (warnings are errors), and every test of the workspace
# (unit, integration on the real Qt loop, compile-fail UI tests, example smoke tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
