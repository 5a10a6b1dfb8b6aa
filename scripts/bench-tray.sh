#!/usr/bin/env bash
# The tray app's footprint (not in CI; figures in docs/BENCHMARKS.md, "Tray").
#
# Builds `leasekeeper-tray` and a bare Tauri 2 tray app (examples/bare_tray.rs:
# one tray icon, one menu item) in release, then runs each the same way under
# `xvfb-run -a dbus-run-session` with a stand-in panel on the session bus
# (examples/test_panel.rs: a StatusNotifierWatcher with a host, and a
# notification server), never opening a window. Once the item is registered
# and the app has settled, it sums RSS and PSS (/proc/PID/smaps_rollup) over
# the app's whole process tree, checks that no WebKit process exists, and
# samples the tree's CPU time over an idle window.
#
#   bash scripts/bench-tray.sh [CPU_SECONDS] [SETTLE_SECONDS]
#
# CPU_SECONDS defaults to 300 (five idle minutes); SETTLE_SECONDS (the wait
# after the item registered, before memory is read) to 20. The tray is
# measured twice: as a person runs it, one process on a temporary AWS home
# (an sso-session not signed in, static keys, a role over them: nothing to
# renew, and every AWS endpoint pointed at a closed local port so nothing
# can reach AWS), and as `leasekeeper-tray --demo --speed 1`, whose tree
# also holds the process serving the embedded sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."

cpu_secs="${1:-300}"
settle_secs="${2:-20}"
target="${CARGO_TARGET_DIR:-target}"

if [ -z "${BENCH_TRAY_INNER:-}" ]; then
  echo "== building (release)" >&2
  cargo build --release -p leasekeeper-tray --features tauri/custom-protocol \
    --bin leasekeeper-tray --example bare_tray --example test_panel >&2
  echo "== measuring: settle ${settle_secs}s, CPU window ${cpu_secs}s per app" >&2
  export BENCH_TRAY_INNER=1
  exec xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- \
    bash "$(pwd)/scripts/bench-tray.sh" "$cpu_secs" "$settle_secs"
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

"$target/release/examples/test_panel" >"$work/panel.log" 2>&1 &
panel_pid=$!
for _ in $(seq 100); do grep -q '^ready' "$work/panel.log" && break; sleep 0.1; done
grep -q '^ready' "$work/panel.log" || { echo "the test panel did not start" >&2; exit 1; }

source scripts/lib/proctree.sh

# utime + stime (clock ticks) over the tree of $1.
cpu_ticks() {
  local total=0 t
  for p in $(tree "$1"); do
    t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo 0)
    total=$((total + ${t:-0}))
  done
  echo "$total"
}

# measure NAME COMMAND...: one app, one result line.
measure() {
  local name="$1"; shift
  local before log="$work/$name.log"
  before=$(grep -c '^registered' "$work/panel.log" || true)
  "$@" >"$log" 2>&1 &
  app_pid=$!
  local registered=""
  for _ in $(seq 600); do
    if [ "$(grep -c '^registered' "$work/panel.log" || true)" -gt "$before" ]; then registered=1; break; fi
    kill -0 "$app_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$registered" ]; then
    echo "$name registered no tray item; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep "$settle_secs"
  local procs webkit rss pss t0 t1 hz cpu_pct
  procs=$(tree "$app_pid" | wc -w)
  webkit=$(for p in $(tree "$app_pid"); do cat "/proc/$p/comm" 2>/dev/null; done | grep -c '^WebKit' || true)
  rss=$(sum_kb Rss "$app_pid")
  pss=$(sum_kb Pss "$app_pid")
  t0=$(cpu_ticks "$app_pid")
  sleep "$cpu_secs"
  t1=$(cpu_ticks "$app_pid")
  hz=$(getconf CLK_TCK)
  cpu_pct=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$cpu_secs" 'BEGIN { printf "%.3f", 100 * d / hz / s }')
  kill -0 "$app_pid" 2>/dev/null || { echo "$name exited during the measurement; its log:" >&2; cat "$log" >&2; exit 1; }
  printf '| %s | %d | %d | %.1f | %.1f | %d ticks (%s%%) over %ss |\n' \
    "$name" "$procs" "$webkit" "$(awk -v k="$rss" 'BEGIN{print k/1024}')" \
    "$(awk -v k="$pss" 'BEGIN{print k/1024}')" $((t1 - t0)) "$cpu_pct" "$cpu_secs"
  kill "$app_pid" 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
  app_pid=""
}

# A small AWS home with nothing the keeper must renew while idle.
home="$work/home"
mkdir -p "$home/.aws" "$work/state" "$work/cfg"
chmod 700 "$work/state" "$work/cfg"
cat >"$home/.aws/config" <<'INI'
[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1

[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
region = us-east-1

[profile ci]
region = us-east-1

[profile deploy]
role_arn = arn:aws:iam::111122223333:role/Deploy
source_profile = ci
region = us-east-1
INI
cat >"$home/.aws/credentials" <<'INI'
[ci]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY
INI
chmod 600 "$home/.aws/credentials"

echo "| app | processes | WebKit processes | RSS MiB | PSS MiB | CPU idle |"
echo "| --- | --- | --- | --- | --- | --- |"
measure bare_tray "$target/release/examples/bare_tray"
measure leasekeeper-tray env -u AWS_CONFIG_FILE -u AWS_SHARED_CREDENTIALS_FILE -u AWS_PROFILE HOME="$home" LEASEKEEPER_STATE_DIR="$work/state" \
  LEASEKEEPER_CONFIG_DIR="$work/cfg" AWS_ENDPOINT_URL_STS=http://127.0.0.1:9 \
  AWS_ENDPOINT_URL_SSO=http://127.0.0.1:9 AWS_ENDPOINT_URL_SSO_OIDC=http://127.0.0.1:9 \
  "$target/release/leasekeeper-tray"
measure "leasekeeper-tray --demo" "$target/release/leasekeeper-tray" --demo --speed 1
