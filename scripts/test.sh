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
# `--profile test`: the same profile as `cargo test` below, so that both share every build
# script run and host dependency (cxx-qt-lib's build script compiles ~260 C++ files; under the
# default `dev` profile clippy would compile them a second time in other build directories).
cargo clippy --workspace --all-targets --locked --profile test -- -D warnings
cargo test --workspace --locked
bash scripts/valgrind.sh
bash scripts/miri.sh
