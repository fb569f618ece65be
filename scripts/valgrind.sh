#!/usr/bin/env bash
# Runs qtasync's test binaries and examples under valgrind memcheck: no invalid read or write,
# no use of uninitialised memory, no definite leak. Covers the C++ boundary cases (a QObject
# destroyed while its async slot is suspended, wakers kept after the loop is gone, a loop dropped
# with pending tasks) along with everything else those binaries do. Loads are scaled down
# (valgrind runs code ~30x slower). Logs: $CARGO_TARGET_DIR/valgrind/*.log (target/ by default).
# CI runs this (scripts/test.sh). `bash scripts/valgrind.sh io example-commands` checks only
# the named binaries (test binaries by name, examples as example-NAME).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

export QT_QPA_PLATFORM=offscreen
export QTASYNC_LOAD_SCALE=0.01 PROPTEST_CASES=20
export QTASYNC_TIMEOUT_SCALE=10 # test timeouts (qtasync::testing), for valgrind's slowness
export QV4_FORCE_INTERPRETER=1 # QML's JIT writes code valgrind cannot follow
export RUST_BACKTRACE=0

# The test binaries, built as `cargo test` builds them (which also builds the examples' binaries,
# with the same features: a plain `cargo build` would unify features differently and rebuild).
# scripts/test.sh builds them once and passes their list in QTASYNC_TEST_EXECUTABLES.
if [ -n "${QTASYNC_TEST_EXECUTABLES:-}" ]; then
  mapfile -t executables <"$QTASYNC_TEST_EXECUTABLES"
else
  mapfile -t executables < <(
    cargo test --workspace --locked --no-run --message-format=json 2>/dev/null |
      grep -o '"executable":"[^"]*"' | sed 's/"executable":"\(.*\)"/\1/'
  )
fi

if [ "${#executables[@]}" -eq 0 ]; then
  echo "valgrind: cargo test --no-run built no test binary (does the workspace compile?)" >&2
  exit 1
fi

target=${CARGO_TARGET_DIR:-target}
out=$target/valgrind
mkdir -p "$out"
only=("$@")

# wanted NAME: whether the command line asked for NAME (everything without arguments).
wanted() {
  [ "${#only[@]}" -eq 0 ] && return 0
  local name
  for name in "${only[@]}"; do
    [ "$name" = "$1" ] && return 0
  done
  return 1
}

# Several binaries at once (valgrind runs each on one core): QTASYNC_VALGRIND_JOBS, by default
# one per core. Each verdict is printed when its binary finishes.
jobs_max=${QTASYNC_VALGRIND_JOBS:-$(nproc)}
names=()
pids=()

# run_one NAME COMMAND...: runs COMMAND under memcheck, prints its verdict, exits non-zero on
# any error, definite leak or failing test.
run_one() {
  local name=$1
  shift
  local log="$out/$name.log"
  local started=$SECONDS
  local code=0
  valgrind --error-exitcode=97 --leak-check=full --show-leak-kinds=definite \
    --errors-for-leak-kinds=definite --num-callers=40 \
    --suppressions=scripts/valgrind.supp --log-file="$log" "$@" >"$out/$name.out" 2>&1 || code=$?
  local errors lost
  errors=$(grep -o 'ERROR SUMMARY: [0-9,]* errors' "$log" | grep -o '[0-9,][0-9,]*' | head -1 || true)
  lost=$(grep -o 'definitely lost: [0-9,]* bytes' "$log" | grep -o '[0-9,][0-9,]*' | head -1 || true)
  printf '%-28s exit %-3s errors %-4s definitely lost %-8s bytes  %3ss\n' \
    "$name" "$code" "${errors:-0}" "${lost:-0}" "$((SECONDS - started))"
  return "$code"
}

# check NAME COMMAND...: starts COMMAND under memcheck once fewer than jobs_max are running.
check() {
  local name=$1
  shift
  wanted "$name" || return 0
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
    wait -n || true
  done
  run_one "$name" "$@" &
  names+=("$name")
  pids+=($!)
}

for exe in "${executables[@]}"; do
  name=$(basename "$exe" | sed 's/-[0-9a-f]*$//')
  case "$name" in
    # process runs on the SIGCHLD fallback here (valgrind 3.19 has no pidfd_open), which
    # process_sigchld forces everywhere.
    event_loop | tasks_and_futures | macros | qtasync | toolkit | signals | net | io | process | \
      process_sigchld | qml_results)
      check "$name" "$exe" --test-threads=1 ;;
    reliability | run | widgets | soundness | object_refs)
      check "$name" "$exe" ;;
  esac
done

for example in minimal minimal_qml eratosthenes jobs commands; do
  check "example-$example" "$target/debug/$example" --click-after 500ms --quit-after 4s \
    --screenshot "$out/$example.png"
done

# Every verdict: bash keeps the exit status of each background job for `wait PID`.
status=0
failures=()
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    status=1
    failures+=("${names[$i]}")
  fi
done

if [ "$status" -ne 0 ]; then
  echo "valgrind: failed: ${failures[*]} (see $out/<name>.log and .out)" >&2
fi
exit "$status"
