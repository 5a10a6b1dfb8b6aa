#!/usr/bin/env bash
# Times the whole `leasekeeper --home DIR status --json > /dev/null` process
# on a generated home (scripts/gen-home.py: 1,000 profiles, 100 sso-sessions,
# 100 cache files), release build. Figures go to docs/BENCHMARKS.md.
#
#   bash scripts/bench-status.sh            # build, generate, time
#   RUNS=500 bash scripts/bench-status.sh   # more runs
#
# Uses hyperfine when installed (apt-get install -y hyperfine), otherwise a
# plain loop. Reports the peak RSS from /usr/bin/time -v when present.
# `status` exits 3 on this home (some profiles need a sign-in): that exit
# code is expected and ignored.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-200}
WARMUP=${WARMUP:-20}

cargo build --release --locked -p leasekeeper --bin leasekeeper
bin="$(pwd)/${CARGO_TARGET_DIR:-target}/release/leasekeeper"

home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
python3 scripts/gen-home.py "$home"

# The run must see the whole home, or the figure means nothing.
"$bin" --home "$home" status --json >"$home/status.json" || true
python3 - "$home/status.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
profiles = len(report["profiles"])
assert profiles == 1000, profiles
assert not report["problems"], report["problems"]
EOF
echo "home: $(find "$home/.aws" -type f | wc -l) files, $(cat "$home"/.aws/config "$home"/.aws/credentials "$home"/.aws/*/cache/*.json | wc -c) bytes; JSON output $(wc -c <"$home/status.json") bytes"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "date: $(date -u +%Y-%m-%d)"

cmd=("$bin" --home "$home" status --json)
if command -v hyperfine >/dev/null; then
    # -N: no intermediate shell; hyperfine sends the output to /dev/null.
    hyperfine -N --ignore-failure --warmup "$WARMUP" --runs "$RUNS" \
        --command-name "leasekeeper status --json" "${cmd[*]}"
else
    echo "hyperfine not found: timing $RUNS runs with a loop"
    for _ in $(seq "$WARMUP"); do "${cmd[@]}" >/dev/null || true; done
    start=$(date +%s%N)
    for _ in $(seq "$RUNS"); do "${cmd[@]}" >/dev/null || true; done
    end=$(date +%s%N)
    awk -v ns=$((end - start)) -v n="$RUNS" \
        'BEGIN { printf "leasekeeper status --json: mean %.2f ms over %d runs\n", ns / n / 1e6, n }'
fi

if [ -x /usr/bin/time ]; then
    peak=0
    for _ in 1 2 3 4 5; do
        /usr/bin/time -v -o "$home/time.txt" "${cmd[@]}" >/dev/null 2>&1 || true
        kb=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$home/time.txt")
        kb=${kb:-0}
        [ "$kb" -gt "$peak" ] && peak=$kb
    done
    echo "peak RSS: $peak KiB (max of 5 runs, /usr/bin/time -v)"
else
    echo "peak RSS: /usr/bin/time not found"
fi
