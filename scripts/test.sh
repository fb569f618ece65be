#!/usr/bin/env bash
# Everything CI checks: formatting, clippy (warnings are errors, run by the test build itself), every test of the workspace
# (unit, integration on the real Qt loop, reliability, compile-fail UI tests, example and
# benchmark smoke tests), memcheck over the test binaries and examples, and Miri over the
# scheduler core (see RELIABILITY.md). Prints how long each phase took.
#
# What needs no compiler runs beside what does: Miri (a small crate of its own, its own target
# directory) from the start, and valgrind (one core: it serialises threads) beside the test run
# once the test binaries are built. Their output is kept in target/ci/ and printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
timings=()
# timed NAME COMMAND...: runs COMMAND, records how long it took.
timed() {
  local name=$1 phase_started=$SECONDS code=0
  shift
  echo "== $name"
  "$@" || code=$?
  timings+=("$(printf '%-26s %5ss' "$name" $((SECONDS - phase_started)))")
  return "$code"
}
# in_background NAME COMMAND...: runs COMMAND with its output in target/ci/NAME.log; `finish NAME` waits.
declare -A job_pids job_started
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
in_background() {
  local name=$1
  shift
  echo "== $name (in the background: target/ci/$name.log)"
  job_started[$name]=$SECONDS
  # SIGINT and SIGQUIT back to their defaults: a non-interactive shell's background jobs start
  # with them ignored, which the tests of SIGINT handling would inherit.
  (
    code=0
    env --default-signal=INT,QUIT "$@" >"target/ci/$name.log" 2>&1 || code=$?
    echo "$((SECONDS - job_started[$name]))" >"target/ci/$name.seconds"
    exit "$code"
  ) &
  job_pids[$name]=$!
}
failed=()
finish() {
  local name=$1 code=0
  wait "${job_pids[$name]}" || code=$?
  echo "== $name (finished; target/ci/$name.log)"
  cat "target/ci/$name.log"
  timings+=("$(printf '%-26s %5ss  (from %ss)' "$name" "$(cat "target/ci/$name.seconds")" "$((job_started[$name] - started))")")
  if [ "$code" -ne 0 ]; then failed+=("$name"); fi
}

timed install-deps bash scripts/install-deps.sh
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
mkdir -p target/ci
in_background miri bash scripts/miri.sh
timed fmt cargo fmt --all -- --check
# Clippy runs inside the test build: the workspace's crates are compiled by clippy-driver
# (scripts/clippy-rustc.sh: clippy's lints with -D warnings, then code generation), so one build
# lints every target and produces the test binaries. A separate `cargo clippy` checked every
# dependency a second time (metadata-only builds share nothing with real ones): minutes on CI.
# The same wrapper for `cargo test` below, so that it finds everything built.
export RUSTC_WORKSPACE_WRAPPER="$PWD/scripts/clippy-rustc.sh"
# Line tables (file:line for backtraces and valgrind) rather than full debug info for the
# workspace's own crates too, as .cargo/config.toml already gives the dependencies: ~15% less
# compile time for the ~50 test and example binaries. Plain `cargo` keeps full debug info.
export CARGO_PROFILE_DEV_DEBUG=line-tables-only
# The test binaries, listed for valgrind (diagnostics still go to the terminal).
timed clippy+build-tests bash -c 'set -o pipefail; cargo test --workspace --locked --no-run \
  --message-format=json-render-diagnostics |
  grep -o "\"executable\":\"[^\"]*\"" | sed "s/\"executable\":\"\(.*\)\"/\1/" >target/ci/test-executables.txt'
in_background valgrind env QTASYNC_TEST_EXECUTABLES=target/ci/test-executables.txt bash scripts/valgrind.sh
test_status=0
timed test cargo test --workspace --locked --no-fail-fast || test_status=$?
finish valgrind
finish miri
if [ "$test_status" -ne 0 ]; then failed+=(test); fi

echo "== time per phase (background phases overlap the others)"
printf '  %s\n' "${timings[@]}"
echo "  total                      $((SECONDS - started))s"
if ((${#failed[@]} > 0)); then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
