#!/usr/bin/env bash
# Times the whole `leasekeeper --home DIR status --json > /dev/null` process
# on a generated home (scripts/gen-home.py: 1,000 profiles, 100 sso-sessions,
# 100 cache files), release build, and beside it, in the same run, a whole
# Python process of botocore merely loading the same files
# (scripts/lib/botocore_load.py, in the .venv scripts/setup.sh makes).
# Figures go to docs/BENCHMARKS.md.
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
[ -x .venv/bin/python ] || bash scripts/setup.sh
bin="$(pwd)/${CARGO_TARGET_DIR:-target}/release/leasekeeper"

home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
# Every run, ours and botocore's, sees the generated home alone: `status`
# records sign-ins it sees in its state folder, kept inside the home too.
export HOME="$home" LEASEKEEPER_STATE_DIR="$home/state" LEASEKEEPER_CONFIG_DIR="$home/settings"
unset AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE XDG_STATE_HOME XDG_CONFIG_HOME
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
boto=("$(pwd)/.venv/bin/python" "$(pwd)/scripts/lib/botocore_load.py")
# botocore must see the same 1,000 profiles, or the comparison means nothing.
"${boto[@]}" >"$home/boto.txt"
grep -qx 'profiles 1000' "$home/boto.txt" \
    || { echo "botocore did not see the home's 1000 profiles: $(cat "$home/boto.txt")" >&2; exit 1; }
if command -v hyperfine >/dev/null; then
    # -N: no intermediate shell; hyperfine sends the output to /dev/null.
    # Side by side: both figures come from the same minutes of this machine.
    hyperfine -N --ignore-failure --warmup "$WARMUP" --runs "$RUNS" \
        --command-name "leasekeeper status --json" "${cmd[*]}" \
        --command-name "python: botocore loads the files" "${boto[*]}" \
        --export-json "$home/hyperfine.json"
    python3 - "$home/hyperfine.json" <<'EOF'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
lk = r["leasekeeper status --json"]["mean"]
py = r["python: botocore loads the files"]["mean"]
print(f"means: leasekeeper status --json {lk * 1e3:.2f} ms, "
      f"botocore loading {py * 1e3:.1f} ms: {py / lk:.1f}x")
EOF
else
    echo "hyperfine not found: timing $RUNS runs with a loop"
    for _ in $(seq "$WARMUP"); do "${cmd[@]}" >/dev/null || true; done
    start=$(date +%s%N)
    for _ in $(seq "$RUNS"); do "${cmd[@]}" >/dev/null || true; done
    end=$(date +%s%N)
    awk -v ns=$((end - start)) -v n="$RUNS" \
        'BEGIN { printf "leasekeeper status --json: mean %.2f ms over %d runs\n", ns / n / 1e6, n }'
    n=$(( RUNS / 10 + 1 ))
    start=$(date +%s%N)
    for _ in $(seq "$n"); do "${boto[@]}" >/dev/null; done
    end=$(date +%s%N)
    awk -v ns=$((end - start)) -v n="$n" \
        'BEGIN { printf "python: botocore loads the files: mean %.1f ms over %d runs\n", ns / n / 1e6, n }'
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
