#!/usr/bin/env bash
# The window's footprint and its time to a painted list (not in CI; figures
# in docs/BENCHMARKS.md, "The window").
#
# Runs `leasekeeper-tray` as a person does (not the demo) on a temporary AWS
# home (an sso-session not signed in, static keys, roles over them; every
# AWS endpoint pointed at a closed local port), under
# `xvfb-run -a dbus-run-session` with a stand-in panel on the session bus
# (a StatusNotifierWatcher with a host, and a notification server, in a few
# lines of Python over Gio), so the tray shows its item and never opens the
# window by itself. It sums RSS and PSS (/proc/PID/smaps_rollup) over the
# tray's process tree and lists its WebKit processes, SETTLE_SECONDS after
# each step:
#
#   idle          the tray alone (no window process, no WebKit process);
#   open          a second launch of `leasekeeper-tray` asks the running
#                 tray to open its window (`Activate` on the session bus),
#                 and the tray starts `leasekeeper-tray --window`;
#   closed        Ctrl+W in the window (xdotool), the window process ends;
#   open again    the same, the binary warm;
#   closed again
#
# For each open it also prints the time from the second launch to the page's
# first painted list (the `first list painted` line the window process logs,
# `unix_ms` minus the wall clock read just before the launch). The closed
# steps are compared with idle. It exits 1 with the tray's log if the tray
# does not start, no list is painted within 60 s of a launch, the window
# process does not end within 20 s of Ctrl+W (xdotool windowclose, then
# wmctrl, are tried and named before that), the tray runs a window or WebKit
# while idle, or a WebKit process outlives the window process.
#
#   bash scripts/bench-window.sh [SETTLE_SECONDS] [PROFILE]
#
# SETTLE_SECONDS (default 15) is the wait before each reading; PROFILE is
# `release` (default; built with the front end embedded) or `debug`.
# CARGO_TARGET_DIR is honoured. Needs xvfb-run, dbus-run-session, python3
# with PyGObject (python3-gi) and xdotool (installed with apt-get if
# missing; root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

settle="${1:-15}"
profile="${2:-release}"
target="${CARGO_TARGET_DIR:-target}"

case "$profile" in release | debug) ;; *) echo "PROFILE is release or debug, not '$profile'" >&2; exit 2;; esac
case "$settle" in '' | *[!0-9]*) echo "SETTLE_SECONDS is a whole number of seconds, not '$settle'" >&2; exit 2;; esac

if [ -z "${BENCH_WINDOW_INNER:-}" ]; then
  if ! command -v xdotool >/dev/null 2>&1; then
    echo "== installing xdotool" >&2
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends xdotool >&2 \
      || { echo "cannot install xdotool (apt-get install xdotool)" >&2; exit 1; }
  fi
  if [ "$profile" = release ]; then
    echo "== building (release)" >&2
    cargo build --release -p leasekeeper-tray --features tauri/custom-protocol --bin leasekeeper-tray >&2
  else
    echo "== building (debug)" >&2
    cargo build -p leasekeeper-tray --bin leasekeeper-tray >&2
  fi
  export BENCH_WINDOW_INNER=1
  # The session's own output (the bus, services it starts) goes to stderr;
  # the results to stdout, through fd 3.
  exec 3>&1
  exec xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- \
    bash "$(pwd)/scripts/bench-window.sh" "$settle" "$profile" >&2
fi

# --- inside Xvfb and a private session bus from here on ---
if { true >&3; } 2>/dev/null; then exec >&3 3>&-; fi
export NO_AT_BRIDGE=1
bin="$PWD/$target/$profile/leasekeeper-tray"
case "$target" in /*) bin="$target/$profile/leasekeeper-tray";; esac
[ -x "$bin" ] || { echo "no $bin" >&2; exit 1; }
work="$(mktemp -d)"
panel_pid=""
tray_pid=""
cleanup() {
  local p left=()
  if [ -n "$tray_pid" ]; then
    read -r -a left <<<"$(tree "$tray_pid")"
    kill "${left[@]}" 2>/dev/null || true
    for _ in $(seq 50); do
      alive_any "${left[@]}" || break
      sleep 0.1
    done
    for p in "${left[@]}"; do
      if alive "$p"; then kill -KILL "$p" 2>/dev/null || true; fi
    done
  fi
  for p in "${webkit_seen[@]}"; do
    if is_webkit "$p"; then kill -KILL "$p" 2>/dev/null || true; fi
  done
  if [ -n "$panel_pid" ]; then kill "$panel_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
webkit_seen=()
trap cleanup EXIT

source scripts/lib/proctree.sh

fail() {
  echo "bench-window: $*" >&2
  if [ -f "$work/tray.log" ]; then
    echo "-- the tray's log (last 40 lines):" >&2
    tail -n 40 "$work/tray.log" >&2
  fi
  exit 1
}

# Whether $1 runs (a zombie does not count).
alive() {
  local state
  state=$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null || true)
  [ -n "$state" ] && [ "$state" != Z ]
}

alive_any() {
  local p
  for p in "$@"; do alive "$p" && return 0; done
  return 1
}

is_webkit() {
  case "$(cat "/proc/$1/comm" 2>/dev/null || true)" in WebKit*) alive "$1";; *) return 1;; esac
}

# WebKit's process names, short: WebKitNetworkPr(ocess) -> network, ...
webkit_kind() {
  case "$(cat "/proc/$1/comm" 2>/dev/null || true)" in
    WebKitNetwork*) echo network;;
    WebKitWebProc*) echo web;;
    WebKitGPU*) echo gpu;;
    *) cat "/proc/$1/comm" 2>/dev/null || echo gone;;
  esac
}

# The WebKit processes in the tree of $1, one pid a line.
webkit_pids() {
  local p
  for p in $(tree "$1"); do
    is_webkit "$p" && echo "$p"
  done
  return 0
}

# The running `leasekeeper-tray --window` children of the tray, one a line.
window_pids() {
  local p
  for p in $(ps -o pid= --ppid "$tray_pid" 2>/dev/null || true); do
    alive "$p" || continue
    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q -- ' --window' && echo "$p"
  done
  return 0
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f%%", 100 * (a - b) / b }'; }

# The stand-in panel: owns org.kde.StatusNotifierWatcher (a host registered,
# so the tray shows its item) and org.freedesktop.Notifications; prints
# `ready`, then `registered <item>` and `notification <summary>` lines.
cat >"$work/panel.py" <<'PY'
import sys
from gi.repository import Gio, GLib

XML = """<node>
 <interface name="org.kde.StatusNotifierWatcher">
  <method name="RegisterStatusNotifierItem"><arg name="service" type="s" direction="in"/></method>
  <method name="RegisterStatusNotifierHost"><arg name="service" type="s" direction="in"/></method>
  <property name="RegisteredStatusNotifierItems" type="as" access="read"/>
  <property name="IsStatusNotifierHostRegistered" type="b" access="read"/>
  <property name="ProtocolVersion" type="i" access="read"/>
  <signal name="StatusNotifierItemRegistered"><arg type="s"/></signal>
  <signal name="StatusNotifierItemUnregistered"><arg type="s"/></signal>
  <signal name="StatusNotifierHostRegistered"/>
 </interface>
 <interface name="org.freedesktop.Notifications">
  <method name="Notify">
   <arg type="s" direction="in"/><arg type="u" direction="in"/><arg type="s" direction="in"/>
   <arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="as" direction="in"/>
   <arg type="a{sv}" direction="in"/><arg type="i" direction="in"/><arg type="u" direction="out"/>
  </method>
  <method name="CloseNotification"><arg type="u" direction="in"/></method>
  <method name="GetCapabilities"><arg type="as" direction="out"/></method>
  <method name="GetServerInformation">
   <arg type="s" direction="out"/><arg type="s" direction="out"/>
   <arg type="s" direction="out"/><arg type="s" direction="out"/>
  </method>
 </interface>
</node>"""

items = []
last_id = 0


def call(conn, sender, path, iface, method, params, inv):
    global last_id
    if method == "RegisterStatusNotifierItem":
        service = params.unpack()[0]
        item = sender + service if service.startswith("/") else service
        items.append(item)
        print("registered " + item, flush=True)
        conn.emit_signal(None, path, iface, "StatusNotifierItemRegistered", GLib.Variant("(s)", (item,)))
        inv.return_value(None)
    elif method == "Notify":
        print("notification " + params.unpack()[3], flush=True)
        last_id += 1
        inv.return_value(GLib.Variant("(u)", (last_id,)))
    elif method == "GetCapabilities":
        inv.return_value(GLib.Variant("(as)", (["body"],)))
    elif method == "GetServerInformation":
        inv.return_value(GLib.Variant("(ssss)", ("bench-panel", "leasekeeper", "1", "1.2")))
    else:
        inv.return_value(None)


def get(conn, sender, path, iface, prop):
    return {
        "RegisteredStatusNotifierItems": GLib.Variant("as", items),
        "IsStatusNotifierHostRegistered": GLib.Variant("b", True),
        "ProtocolVersion": GLib.Variant("i", 0),
    }.get(prop)


node = Gio.DBusNodeInfo.new_for_xml(XML)
bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
bus.register_object("/StatusNotifierWatcher", node.interfaces[0], call, get, None)
bus.register_object("/org/freedesktop/Notifications", node.interfaces[1], call, get, None)
for name in ("org.kde.StatusNotifierWatcher", "org.freedesktop.Notifications"):
    reply = bus.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "RequestName", GLib.Variant("(su)", (name, 4)), None, 0, -1, None)
    if reply.unpack()[0] != 1:
        sys.exit("cannot own " + name)
print("ready", flush=True)
GLib.MainLoop().run()
PY
python=""
for py in /usr/bin/python3 python3; do
  if "$py" -c 'from gi.repository import Gio' >/dev/null 2>&1; then python="$py"; break; fi
done
[ -n "$python" ] || fail "no python3 with PyGObject (python3-gi) for the stand-in panel"
"$python" "$work/panel.py" >"$work/panel.log" 2>&1 &
panel_pid=$!
for _ in $(seq 100); do grep -q '^ready' "$work/panel.log" && break; sleep 0.1; done
grep -q '^ready' "$work/panel.log" || { cat "$work/panel.log" >&2; fail "the stand-in panel did not start"; }

# A small AWS home: nothing the keeper must renew, nothing reaches AWS.
home="$work/home"
mkdir -p "$home/.aws" "$work/state" "$work/cfg" "$work/run"
chmod 700 "$work/state" "$work/cfg" "$work/run"
cat >"$home/.aws/config" <<'INI'
[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1

[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
region = us-east-1

[profile admin]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-west-1

[profile ci]
region = us-east-1

[profile deploy]
role_arn = arn:aws:iam::111122223333:role/Deploy
source_profile = ci
region = us-east-1

[profile audit]
role_arn = arn:aws:iam::444455556666:role/ReadOnly
source_profile = ci
region = eu-central-1
INI
cat >"$home/.aws/credentials" <<'INI'
[ci]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY
INI
chmod 600 "$home/.aws/credentials"

# Runs `leasekeeper-tray` as a person's desktop does, on that home. Only
# ever run in the background (`lk &`): it replaces that subshell, so `$!` is
# the program's own pid.
lk() {
  exec env -u AWS_CONFIG_FILE -u AWS_SHARED_CREDENTIALS_FILE -u AWS_PROFILE \
    HOME="$home" XDG_RUNTIME_DIR="$work/run" LEASEKEEPER_STATE_DIR="$work/state" \
    LEASEKEEPER_CONFIG_DIR="$work/cfg" XDG_CONFIG_HOME="$home/.config" \
    XDG_DATA_HOME="$home/.local/share" XDG_CACHE_HOME="$home/.cache" \
    XDG_STATE_HOME="$home/.local/state" LEASEKEEPER_LOG=info \
    AWS_ENDPOINT_URL_STS=http://127.0.0.1:9 AWS_ENDPOINT_URL_SSO=http://127.0.0.1:9 \
    AWS_ENDPOINT_URL_SSO_OIDC=http://127.0.0.1:9 "$bin"
}

lk >"$work/tray.log" 2>&1 &
tray_pid=$!
registered=""
for _ in $(seq 600); do
  if grep -q '^registered' "$work/panel.log"; then registered=1; break; fi
  alive "$tray_pid" || break
  sleep 0.1
done
alive "$tray_pid" || fail "the tray did not start (it exited)"
[ -n "$registered" ] || fail "the tray registered no tray item within 60 s"
owner=""
for _ in $(seq 100); do
  owner=$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner dev.leasekeeper.Tray 2>/dev/null || true)
  [ "$owner" = "(true,)" ] && break
  sleep 0.1
done
[ "$owner" = "(true,)" ] || fail "the tray does not own dev.leasekeeper.Tray on the session bus"
echo "== leasekeeper-tray (pid $tray_pid), $profile build, settle ${settle}s, WebKitGTK" \
  "$(dpkg-query -W -f='${Version}' libwebkit2gtk-4.1-0 2>/dev/null || echo '?')" >&2

steps=()
rss_of=()
pss_of=()
webkit_of=()
painted=()
warnings=()

# measure STEP: one reading of the tray's tree.
measure() {
  local rss pss pids=() p kinds=""
  rss=$(sum_kb Rss "$tray_pid")
  pss=$(sum_kb Pss "$tray_pid")
  mapfile -t pids < <(webkit_pids "$tray_pid")
  for p in "${pids[@]}"; do kinds="$kinds, $(webkit_kind "$p")"; done
  steps+=("$1")
  rss_of+=("$rss")
  pss_of+=("$pss")
  if [ ${#pids[@]} -eq 0 ]; then webkit_of+=("none"); else webkit_of+=("${#pids[@]} (${kinds#, })"); fi
  echo "-- $1: RSS $(mib "$rss") MiB, PSS $(mib "$pss") MiB, WebKit: ${webkit_of[-1]}" >&2
}

# open STEP: a second launch asks the tray to open the window; waits for
# the painted list, settles, measures.
open_window() {
  local step="$1" before t0 rc win="" line unix_ms after_ms p below wins=()
  before=$(grep -c 'first list painted' "$work/tray.log" || true)
  t0=$(date +%s%3N)
  rc=0
  lk >"$work/launch.log" 2>&1 </dev/null & local launch=$!
  for _ in $(seq 200); do alive "$launch" || break; sleep 0.1; done
  alive "$launch" && { kill "$launch" 2>/dev/null || true; fail "$step: the second launch did not end within 20 s"; }
  wait "$launch" || rc=$?
  [ "$rc" -eq 0 ] || { cat "$work/launch.log" >&2; fail "$step: the second launch exited with $rc"; }
  line=""
  for _ in $(seq 600); do
    line=$(grep 'first list painted' "$work/tray.log" | sed -n "$((before + 1))p" || true)
    [ -n "$line" ] && break
    alive "$tray_pid" || fail "$step: the tray exited"
    sleep 0.1
  done
  [ -n "$line" ] || fail "$step: no 'first list painted' line within 60 s of the second launch"
  unix_ms=$(sed -n 's/.*unix_ms=\([0-9]*\).*/\1/p' <<<"$line")
  after_ms=$(sed -n 's/.*after_ms=\([0-9]*\).*/\1/p' <<<"$line")
  [ -n "$unix_ms" ] || fail "$step: no unix_ms in: $line"
  painted+=("$step: $((unix_ms - t0)) ms from the second launch to the first painted list (${after_ms:-?} ms of it in the window process)")
  echo "-- ${painted[-1]}" >&2
  sleep "$settle"
  mapfile -t wins < <(window_pids)
  [ ${#wins[@]} -eq 1 ] || fail "$step: ${#wins[@]} window processes below the tray, not one"
  win="${wins[0]}"
  measure "$step"
  below=" $(tree "$win") "
  for p in $(webkit_pids "$tray_pid"); do
    webkit_seen+=("$p")
    case "$below" in
      *" $p "*) ;;
      *) warnings+=("$step: WebKit process $p ($(webkit_kind "$p")) is not below the window process $win");;
    esac
  done
}

# close STEP: Ctrl+W in the window, as a person closes it; waits for the
# window process to end, settles, measures.
close_window() {
  local step="$1" win wid how="Ctrl+W" p wins=()
  mapfile -t wins < <(window_pids)
  [ ${#wins[@]} -ge 1 ] || fail "$step: no window process to close"
  win="${wins[0]}"
  wid=$(xdotool search --all --onlyvisible --pid "$win" --name '^Leasekeeper$' 2>/dev/null | head -1 || true)
  [ -n "$wid" ] || wid=$(xdotool search --onlyvisible --name '^Leasekeeper$' 2>/dev/null | head -1 || true)
  [ -n "$wid" ] || fail "$step: no X window named Leasekeeper"
  xdotool windowfocus --sync "$wid" 2>/dev/null || xdotool windowfocus "$wid" || true
  sleep 0.5
  xdotool key --clearmodifiers ctrl+w
  for _ in $(seq 50); do alive "$win" || break; sleep 0.1; done
  if alive "$win"; then
    if xdotool windowclose "$wid" 2>/dev/null; then
      how="xdotool windowclose (Ctrl+W left the window open)"
    elif command -v wmctrl >/dev/null 2>&1 && wmctrl -i -c "$wid"; then
      how="wmctrl -c (Ctrl+W left the window open)"
    else
      fail "$step: Ctrl+W left the window open and neither xdotool windowclose nor wmctrl closed it"
    fi
    echo "-- $step: $how" >&2
    warnings+=("$step: closed with $how")
  fi
  for _ in $(seq 150); do alive "$win" || break; sleep 0.1; done
  alive "$win" && fail "$step: the window process $win did not end within 20 s of $how"
  sleep "$settle"
  measure "$step ($how)"
  for p in "${webkit_seen[@]}"; do
    if is_webkit "$p"; then
      warnings+=("$step: WebKit process $p ($(webkit_kind "$p")) outlived the window process")
    fi
  done
  [ -z "$(window_pids)" ] || warnings+=("$step: a window process still runs below the tray")
}

sleep "$settle"
measure idle
[ -z "$(window_pids)" ] || fail "the tray opened its window at start with a tray host on the bus"
[ "${webkit_of[0]}" = none ] || fail "the tray runs WebKit processes while idle: ${webkit_of[0]}"

open_window "open (second launch)"
close_window "closed"
open_window "open again (second launch)"
close_window "closed again"

echo
echo "| step | RSS MiB | PSS MiB | WebKit processes | RSS vs idle | PSS vs idle |"
echo "| --- | ---: | ---: | --- | ---: | ---: |"
for i in "${!steps[@]}"; do
  d_rss="" d_pss=""
  case "${steps[$i]}" in closed*)
    d_rss=$(pct "${rss_of[$i]}" "${rss_of[0]}")
    d_pss=$(pct "${pss_of[$i]}" "${pss_of[0]}");;
  esac
  printf '| %s | %s | %s | %s | %s | %s |\n' "${steps[$i]}" "$(mib "${rss_of[$i]}")" \
    "$(mib "${pss_of[$i]}")" "${webkit_of[$i]}" "$d_rss" "$d_pss"
done
echo
for p in "${painted[@]}"; do echo "$p"; done
if [ ${#warnings[@]} -gt 0 ]; then
  echo
  for w in "${warnings[@]}"; do echo "WARNING: $w"; done
  # A WebKit process outliving its window, or one outside the window process, fails the run.
  if printf '%s\n' "${warnings[@]}" | grep -q 'WebKit\|still runs'; then exit 1; fi
fi
