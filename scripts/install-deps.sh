#!/usr/bin/env bash
# Installs what qtasync needs on Debian 12 (or Ubuntu) when it is missing: a C++ compiler, Qt 6
# with qmake6, the QML runtime modules the examples load, lld (see .cargo/config.toml), GLib's
# headers (the benchmark's glib peer) and valgrind (scripts/valgrind.sh). Nothing here needs a
# display (tests and the demo run offscreen); scripts/screenshots.sh names its own X tools.
# Other distributions: install Qt 6.4+ and put qmake6 on PATH (or set QMAKE).
set -euo pipefail

packages=(
  build-essential lld pkg-config
  qt6-base-dev qt6-base-dev-tools qmake6
  qt6-declarative-dev qt6-declarative-dev-tools
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-templates
  qml6-module-qtquick-window qml6-module-qtqml-workerscript qml6-module-qtquick-layouts
  libglib2.0-dev valgrind
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "qtasync: missing ${missing[*]}; install Qt 6.4+ (qmake6 on PATH or QMAKE set), lld and a C++ compiler" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
echo "qtasync: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
