#!/usr/bin/env bash
# Runs the tray app's demo: a local IAM Identity Center and STS (the
# sandbox) in a temporary AWS home, so leases count down in the tray menu,
# renew silently, and a sign-in waits for your approval on the sandbox's
# page; no AWS account needed and your real ~/.aws is never touched.
# Installs what it needs first (scripts/setup.sh). Arguments go to the
# demo: `bash scripts/demo.sh --speed 120` makes time run 120x faster.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "demo: no graphical session (DISPLAY and WAYLAND_DISPLAY are unset), so no tray to show." >&2
  echo "demo: run this in a desktop session, or try the command line's demo: cargo run -p leasekeeper -- demo" >&2
  exit 1
fi
exec cargo run -p leasekeeper-tray -- --demo "$@"
