#!/usr/bin/env bash
# The packages' footprint and the installed tray's start (not in CI; figures
# in docs/BENCHMARKS.md, "Packages").
#
# Reads the sizes of dist/leasekeeper_<version>_amd64.deb and
# dist/leasekeeper-<version>-1.x86_64.rpm (scripts/package.sh writes them)
# and their installed sizes; then installs the .deb, launches the installed
# /usr/bin/leasekeeper-tray RUNS times under `xvfb-run -a dbus-run-session`
# with a stand-in panel (src-tauri/examples/test_panel.rs) on the private
# session bus, each on a fresh temporary home, and prints the time from the
# launch to its tray item being registered; then purges the package (a trap
# purges it whatever fails). Needs root or sudo.
#
#   bash scripts/bench-package.sh [RUNS]      RUNS defaults to 5
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-5}"
target="${CARGO_TARGET_DIR:-target}"

if [ -z "${BENCH_PACKAGE_INNER:-}" ]; then
  version=$(cargo metadata --no-deps --format-version 1 \
    | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "leasekeeper"))')
  deb="dist/leasekeeper_${version}_amd64.deb"
  rpm="dist/leasekeeper-${version}-1.x86_64.rpm"
  [ -f "$deb" ] && [ -f "$rpm" ] || { echo "no $deb or $rpm: run scripts/package.sh first" >&2; exit 1; }
  # The stand-in panel (TEST_PANEL names another build of it).
  if [ -z "${TEST_PANEL:-}" ]; then
    cargo build -q --release -p leasekeeper-tray --features tauri/custom-protocol --example test_panel
    export TEST_PANEL="$PWD/$target/release/examples/test_panel"
  fi
  echo "| package | file | installed |"
  echo "| --- | --- | --- |"
  printf '| %s | %.1f MiB | %.1f MiB |\n' "$(basename "$deb")" \
    "$(awk -v b="$(stat -c %s "$deb")" 'BEGIN { print b / 1048576 }')" \
    "$(awk -v k="$(dpkg-deb -f "$deb" Installed-Size)" 'BEGIN { print k / 1024 }')"
  printf '| %s | %.1f MiB | %.1f MiB |\n' "$(basename "$rpm")" \
    "$(awk -v b="$(stat -c %s "$rpm")" 'BEGIN { print b / 1048576 }')" \
    "$(awk -v b="$(rpm -qp --qf '%{SIZE}' "$rpm" 2>/dev/null)" 'BEGIN { print b / 1048576 }')"

  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  if dpkg-query -W -f='${Status}' leasekeeper 2>/dev/null | grep -q "install ok installed"; then
    echo "a leasekeeper package is installed already: not measuring the start" >&2
    exit 1
  fi
  trap '$sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq leasekeeper >/dev/null 2>&1 || true' EXIT
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "./$deb" >/dev/null 2>&1 \
    || { echo "apt-get install ./$deb failed" >&2; exit 1; }
  BENCH_PACKAGE_INNER=1 xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- \
    bash "$(pwd)/scripts/bench-package.sh" "$runs"
  exit 0
fi

# --- inside Xvfb and a private session bus from here on ---
export NO_AT_BRIDGE=1
work="$(mktemp -d)"
panel_pid=""
app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$panel_pid" ] && kill "$panel_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$TEST_PANEL" >"$work/panel.log" 2>&1 &
panel_pid=$!
for _ in $(seq 100); do grep -q '^ready' "$work/panel.log" && break; sleep 0.1; done
grep -q '^ready' "$work/panel.log" || { echo "the test panel did not start" >&2; exit 1; }

times=()
for run in $(seq "$runs"); do
  home="$work/home-$run"
  mkdir -p "$home/.aws"
  printf '[profile ci]\nregion = us-east-1\n' >"$home/.aws/config"
  before=$(grep -c '^registered' "$work/panel.log" || true)
  t0=$(date +%s%N)
  env -u AWS_CONFIG_FILE -u AWS_SHARED_CREDENTIALS_FILE -u AWS_PROFILE HOME="$home" \
    XDG_CONFIG_HOME="$home/.config" XDG_STATE_HOME="$home/.local/state" \
    /usr/bin/leasekeeper-tray >"$work/tray-$run.log" 2>&1 &
  app_pid=$!
  registered=""
  for _ in $(seq 3000); do
    if [ "$(grep -c '^registered' "$work/panel.log" || true)" -gt "$before" ]; then registered=1; break; fi
    kill -0 "$app_pid" 2>/dev/null || break
    sleep 0.01
  done
  t1=$(date +%s%N)
  [ -n "$registered" ] || { echo "run $run registered no tray item; its log:" >&2; cat "$work/tray-$run.log" >&2; exit 1; }
  times+=($(((t1 - t0) / 1000000)))
  kill "$app_pid" 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
  app_pid=""
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
echo
echo "installed leasekeeper-tray, launch to tray item registered: median ${median} ms over ${runs} runs (${sorted% }ms)"
