#!/usr/bin/env bash
# Runs the scheduler core's unit tests (the qtasync-core crate: ready queue, timer heap, arena, wakers,
# tasks; no Qt) under Miri, which checks for undefined behaviour and leaks. Needs a nightly
# toolchain with the miri and rust-src components; installs them with rustup when it can.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! cargo +nightly miri --version >/dev/null 2>&1; then
  if ! rustup toolchain list 2>/dev/null | grep -q nightly ||
    ! rustup +nightly component add miri rust-src >/dev/null 2>&1; then
    echo "miri: no nightly toolchain with Miri here; skipped (see RELIABILITY.md)" >&2
    exit 0
  fi
fi
# The Qt-free core crate only (no C++ to build); the driver's FFI cannot run under Miri.
MIRIFLAGS="${MIRIFLAGS:--Zmiri-strict-provenance}" \
  cargo +nightly miri test --locked -p qtasync-core
