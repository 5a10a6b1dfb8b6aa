#!/usr/bin/env bash
# The window's footprint (not in CI; figures in docs/BENCHMARKS.md, "Window").
#
# Runs `leasekeeper-tray --demo --speed 1` under `xvfb-run -a dbus-run-session`
# and sums RSS and PSS (/proc/PID/smaps_rollup) over the tray's process tree
# four times: with the window open (a desktop without a tray host, as
# under Xvfb, opens it at start), after it was closed (Ctrl+W, sent with
# xdotool), open again (a second launch asks the running app to show it),
# and closed again. It also lists the WebKit processes at each step:
# closing the window must end the web process.
#
#   bash scripts/bench-window.sh [SETTLE_SECONDS] [PROFILE]
#
# SETTLE_SECONDS (default 15) is the wait before each reading; PROFILE is
# `release` (default; built with the front end embedded) or `debug`.
set -euo pipefail
cd "$(dirname "$0")/.."

settle="${1:-15}"
profile="${2:-release}"
target="${CARGO_TARGET_DIR:-target}"

if [ -z "${BENCH_WINDOW_INNER:-}" ]; then
  if [ "$profile" = release ]; then
    echo "== building (release)" >&2
    cargo build --release -p leasekeeper-tray --features tauri/custom-protocol --bin leasekeeper-tray >&2
  else
    echo "== building (debug)" >&2
    cargo build -p leasekeeper-tray --bin leasekeeper-tray >&2
  fi
  export BENCH_WINDOW_INNER=1
  exec xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- \
    bash "$(pwd)/scripts/bench-window.sh" "$settle" "$profile"
fi

# --- inside Xvfb and a private session bus from here on ---
export NO_AT_BRIDGE=1
bin="$target/$profile/leasekeeper-tray"
work="$(mktemp -d)"
demo_pid=""
cleanup() {
  [ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null || true
  sleep 1
  rm -rf "$work"
}
trap cleanup EXIT

source scripts/lib/proctree.sh

webkit() {
  local out=""
  for p in $(tree "$1"); do
    c=$(cat "/proc/$p/comm" 2>/dev/null || true)
    case "$c" in WebKit*) out="$out $c($p)";; esac
  done
  echo "${out:- none}"
}

report() {
  local what="$1" rss pss
  rss=$(sum_kb Rss "$tray_pid")
  pss=$(sum_kb Pss "$tray_pid")
  printf '%-16s RSS %4d MiB  PSS %4d MiB  WebKit:%s\n' "$what" $((rss / 1024)) $((pss / 1024)) "$(webkit "$tray_pid")"
}

"$bin" --demo --speed 1 >"$work/demo.log" 2>&1 &
demo_pid=$!
tray_pid=""
for _ in $(seq 100); do
  tray_pid=$(ps -o pid= --ppid "$demo_pid" 2>/dev/null | head -1 | tr -d ' ' || true)
  [ -n "$tray_pid" ] && break
  sleep 0.1
done
[ -n "$tray_pid" ] || { echo "the tray did not start" >&2; cat "$work/demo.log" >&2; exit 1; }
close_window() {
  local wid
  wid=$(xdotool search --name '^Leasekeeper$' 2>/dev/null | head -1 || true)
  [ -n "$wid" ] || return 0
  xdotool windowfocus --sync "$wid" 2>/dev/null || xdotool windowfocus "$wid"
  sleep 0.5
  xdotool key --clearmodifiers ctrl+w
}
echo "== leasekeeper-tray (pid $tray_pid), $profile build, settle ${settle}s"
# With no tray host under Xvfb the app opens its window by itself at start.
sleep "$settle"
report "open at start"
close_window
sleep "$settle"
report "closed"
# A second launch asks the running one to show its window, and exits.
"$bin" >/dev/null 2>&1 || true
sleep "$settle"
report "open again"
close_window
sleep "$settle"
report "closed again"
