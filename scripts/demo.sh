#!/usr/bin/env bash
# Installs what is missing, then runs the demo (offscreen when there is no display).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
example="${DEMO:-minimal}"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  # No display: run offscreen, click the button, save a screenshot, quit.
  export QT_QPA_PLATFORM=offscreen
  if [ "$example" != tour ] && [ $# -eq 0 ]; then
    set -- --click-after 300ms --quit-after 2s --screenshot "$example.png"
    echo "No display: running $example offscreen; it clicks its button and saves $example.png"
  fi
fi
cargo run --locked -p qtasync-examples --bin "$example" -- "$@"
