#!/usr/bin/env bash
# Takes the screenshots in docs/: each example runs in a real X server (Xvfb), gets a real mouse
# click from xdotool where it has a button (and real typing where it has a text field), and is
# captured with ImageMagick's `import` once the coroutine has finished. Needs: xvfb xauth
# imagemagick xdotool (Debian packages). `bash scripts/screenshots.sh NAME...` takes only the
# named shots. Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in xvfb-run import xdotool; do
  command -v "$tool" >/dev/null || { echo "screenshots need $tool (apt-get install xvfb xauth imagemagick xdotool)" >&2; exit 1; }
done
# The workspace's test build (it builds the examples' binaries too): `-p qtasync-examples` or a
# plain `cargo build` unify features differently and would compile cxx-qt-lib's C++ again.
cargo test --workspace --locked -q --no-run
bin_dir="${CARGO_TARGET_DIR:-target}/debug"
mkdir -p docs
# One X server for all the shots: run this script again inside xvfb-run.
if [ -z "${QTASYNC_SCREENSHOT_X:-}" ]; then
  exec env QTASYNC_SCREENSHOT_X=1 xvfb-run -a -s "-screen 0 1024x768x24" bash "$0" "$@"
fi

# `bash scripts/screenshots.sh NAME...` takes only the shots so named.
# name | window title | clicks: x,y inside the window, a negative y counting from the bottom (the
# layouts keep buttons at the bottom; the window's height varies), several separated by spaces
# with the seconds to wait between them ("210,-55 1.2 210,-20"), or "-" | seconds to wait |
# text typed with xdotool after the clicks (optional)
shots=(
  "minimal|qtasync: minimal|210,-49|1.6"
  "minimal_qml|qtasync: minimal QML|210,75|1.6"
  "eratosthenes|qtasync: Eratosthenes|-|3.5"
  "jobs|qtasync: jobs|210,-67|0.4"
  "download|qtasync: download|210,-67|0.7"
  "commands|qtasync: commands|260,-50 1.3 260,-22|0.4"
  "search_qml|qtasync: search QML|150,36|1.2|qlist"
)

shoot() {
  local name=$1 title=$2 click=$3 wait=$4 text=$5
  QT_QPA_PLATFORM=xcb "$bin_dir/$name" --quit-after 20s &
  local pid=$!
  local window
  window=$(xdotool search --sync --onlyvisible --name "^$title\$" | head -n 1)
  sleep 0.5
  local step
  for step in $click; do
    case "$step" in
      -) ;;
      *,*)
        local x=${step%,*} y=${step#*,}
        if [ "$y" -lt 0 ]; then
          eval "$(xdotool getwindowgeometry --shell "$window")"
          y=$((HEIGHT + y))
        fi
        xdotool mousemove --window "$window" "$x" "$y" click 1
        ;;
      *) sleep "$step" ;;
    esac
  done
  if [ -n "$text" ]; then
    xdotool type --delay 120 "$text"
  fi
  sleep "$wait"
  import -window "$window" "docs/$name.png"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  echo "docs/$name.png"
}
for shot in "${shots[@]}"; do
  IFS='|' read -r name title click wait text <<<"$shot"
  if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then
    continue
  fi
  shoot "$name" "$title" "$click" "$wait" "$text"
done
