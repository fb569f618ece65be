#!/usr/bin/env bash
# Installs what is missing, then runs the demo (offscreen when there is no display).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
fi
cargo run --locked -p qtasync-examples --bin tour -- "$@"
