#!/usr/bin/env bash
# Listing a large organisation within the portal's rate limit (not in CI;
# figures in docs/BENCHMARKS.md, "Listing the access portal").
#
# Serves crates/sandbox/worlds/portal-300x4.toml (300 accounts with 4 roles
# each, the portal limiting at 20 calls a second) with the sandbox, signs
# in with a device code (approved at once), then times
# `leasekeeper profiles available --calls-per-second RATE` RUNS times: 303
# calls, so at 20 a second, one second's worth saved, the limit allows
# (303 - 20) / 20 = 14.15 s at best.
#
#   bash scripts/bench-portal.sh [RATE] [RUNS] [release|debug]   (defaults: 20 3 release)
set -euo pipefail
cd "$(dirname "$0")/.."

rate="${1:-20}"
runs="${2:-3}"
profile="${3:-release}"
target="${CARGO_TARGET_DIR:-target}"
if [ "$profile" = release ]; then
  cargo build --release -p leasekeeper --bin leasekeeper >&2
else
  cargo build -p leasekeeper --bin leasekeeper >&2
fi
bin="$(pwd)/$target/$profile/leasekeeper"
work="$(mktemp -d)"
sandbox_pid=""
cleanup() {
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" sandbox --world crates/sandbox/worlds/portal-300x4.toml --auto-approve \
  --write-config "$work" >"$work/env" 2>"$work/sandbox.log" &
sandbox_pid=$!
for _ in $(seq 100); do grep -q AWS_ENDPOINT_URL_SSO "$work/env" 2>/dev/null && break; sleep 0.1; done
grep -q AWS_ENDPOINT_URL_SSO "$work/env" || { echo "the sandbox did not start" >&2; cat "$work/sandbox.log" >&2; exit 1; }
# shellcheck disable=SC1091
. "$work/env"
export LEASEKEEPER_STATE_DIR="$work/state"
"$bin" login --sso-session bigorg --use-device-code --no-browser 2>"$work/login.log" \
  || { cat "$work/login.log" >&2; exit 1; }

echo "machine: $(nproc) cores, $(uname -sr); $profile build; portal limit 20/s; client rate $rate/s"
best=""
for i in $(seq "$runs"); do
  # A second apart, so the portal's bucket is full again, as for a first run.
  sleep 1.1
  start=$(date +%s%N)
  "$bin" profiles available --sso-session bigorg --calls-per-second "$rate" --json \
    >"$work/out.json" 2>"$work/err.log"
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  accounts=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["accounts"]), sum(len(a["roles"]) for a in d["accounts"]))' "$work/out.json")
  retried=$(grep -o '([0-9]* calls asked again' "$work/err.log" | tail -1 | tr -dc '0-9' || true)
  printf 'run %d: %d.%03d s, accounts and roles: %s, calls asked again: %s\n' \
    "$i" $((ms / 1000)) $((ms % 1000)) "$accounts" "${retried:-0}"
  if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
python3 -c "import sys; b=int(sys.argv[1]); print(f'best {b/1000:.2f} s = {b/15000:.2f}x the 15 s of 303 calls at 20/s ({b/14150:.2f}x the 14.15 s floor)')" "$best"
