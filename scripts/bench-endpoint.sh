#!/usr/bin/env bash
# The local container-credentials endpoint of `leasekeeper exec` and `serve`
# (see docs/BENCHMARKS.md, "The credentials endpoint"), release build,
# against the sandbox at time scale 1 (the SDKs' own refresh windows are not
# scaled), with the `deploy` role (AssumeRole over alice's keys) asked for
# 15 minutes (`duration_seconds = 900`, the shortest AWS gives):
#   latency: REQUESTS requests over one kept-alive connection, as an SDK
#            makes them, to `serve` with a keeper running and without one;
#   soak:    a botocore client calling STS every second for MINUTES minutes
#            under `exec` (every call inside botocore's 15-minute refresh
#            window, so it fetches keys from the endpoint before each call)
#            with a keeper running: how often the endpoint is asked, how
#            often AWS is (the keeper's renewals), and any failed call.
# Usage: scripts/bench-endpoint.sh [latency|soak|all]
# Environment (defaults): REQUESTS=1000 MINUTES=20 KEEP= (keep the work folder)
set -euo pipefail
cd "$(dirname "$0")/.."

PART=${1:-all}
REQUESTS=${REQUESTS:-1000}
MINUTES=${MINUTES:-20}

PIDS=()
WORK=""
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    if [[ -n "$WORK" && -z "${KEEP:-}" ]]; then
        rm -rf "$WORK"
    elif [[ -n "$WORK" ]]; then
        echo "kept: $WORK" >&2
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -x .venv/bin/python ] || { echo "run scripts/setup.sh first (.venv)" >&2; exit 1; }
PY="$PWD/.venv/bin/python"
cargo build --release -p leasekeeper
B="$PWD/target/release/leasekeeper"
WORK=$(mktemp -d /tmp/lk-bench-endpoint.XXXXXX)

echo "machine: $(nproc) cores, $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

"$B" sandbox --auto-approve --write-config "$WORK/world" > "$WORK/sandbox.env" 2> "$WORK/sandbox.log" &
PIDS+=($!)
for _ in $(seq 100); do
    grep -q '^export HOME=' "$WORK/sandbox.env" 2>/dev/null && break
    sleep 0.1
done
set -a
# shellcheck disable=SC1090
. <(grep '^export ' "$WORK/sandbox.env" | sed 's/^export //')
set +a
export LEASEKEEPER_STATE_DIR="$WORK/state"
export LEASEKEEPER_CONFIG_DIR="$WORK/cfg"
export AWS_REGION=us-east-1
mkdir -p "$LEASEKEEPER_CONFIG_DIR"
# The keeper renews roles over long-term keys too; deploy's keys last 15 min.
printf '[renew]\nstatic_keys = true\n' > "$LEASEKEEPER_CONFIG_DIR/settings.toml"
sed -i '/^\[profile deploy\]$/a duration_seconds = 900' "$AWS_CONFIG_FILE"
grep -A1 '^\[profile deploy\]$' "$AWS_CONFIG_FILE" | grep -q 'duration_seconds = 900' || { echo "cannot set deploy's duration" >&2; exit 1; }
"$B" login --use-device-code --no-browser > /dev/null 2>&1

# REQUESTS GETs over one connection: median, p95, p99 and max in ms.
cat > "$WORK/latency.py" <<'EOF'
import http.client, os, statistics, sys, time, urllib.parse
n = int(sys.argv[1])
url = urllib.parse.urlparse(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
token = open(os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]).read()
conn = http.client.HTTPConnection(url.hostname, url.port)
times = []
for _ in range(n):
    start = time.perf_counter()
    conn.request("GET", url.path, headers={"Authorization": token, "Accept": "application/json"})
    r = conn.getresponse()
    body = r.read()
    times.append((time.perf_counter() - start) * 1000)
    assert r.status == 200, (r.status, body[:200])
times.sort()
q = lambda p: times[min(len(times) - 1, int(p * len(times)))]
print(f"{n} requests: median {statistics.median(times):.2f} ms, p95 {q(0.95):.2f} ms, p99 {q(0.99):.2f} ms, max {times[-1]:.2f} ms")
EOF

serve_and_measure() { # LABEL
    "$B" serve --profile deploy > "$WORK/serve.env" 2> "$WORK/serve.log" &
    local pid=$!
    PIDS+=("$pid")
    for _ in $(seq 100); do
        [ "$(grep -c '^export' "$WORK/serve.env" 2>/dev/null)" -ge 2 ] && break
        sleep 0.1
    done
    (
        set -a
        # shellcheck disable=SC1090
        . <(grep '^export AWS_CONTAINER' "$WORK/serve.env" | sed 's/^export //')
        set +a
        "$PY" "$WORK/latency.py" 20 > /dev/null
        echo "$1: $("$PY" "$WORK/latency.py" "$REQUESTS")"
    )
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
}

if [[ "$PART" == latency || "$PART" == all ]]; then
    echo "== latency"
    serve_and_measure "no keeper (resolved by serve, from its cache)"
    LEASEKEEPER_LOG=info "$B" daemon 2> "$WORK/daemon-latency.log" &
    DAEMON=$!
    PIDS+=("$DAEMON")
    for _ in $(seq 300); do grep -q "serving the keeper's socket" "$WORK/daemon-latency.log" && break; sleep 0.1; done
    serve_and_measure "keeper running (its keys, over its socket)"
    kill -TERM "$DAEMON"
    wait "$DAEMON" 2>/dev/null || true
fi

if [[ "$PART" == soak || "$PART" == all ]]; then
    echo "== soak: botocore calling STS every second for $MINUTES min on a 15-minute lease"
    cat > "$WORK/soak.py" <<'EOF'
import sys, time
import botocore.session
secs = int(sys.argv[1]) * 60
session = botocore.session.get_session()
sts = session.create_client("sts", region_name="us-east-1")
start, calls, failed = time.time(), 0, 0
while time.time() - start < secs:
    try:
        sts.get_caller_identity()
        calls += 1
    except Exception as e:
        failed += 1
        print(f"failed at {time.time() - start:.0f} s: {e}", file=sys.stderr)
    time.sleep(1)
print(f"calls={calls} failed={failed}")
EOF
    LEASEKEEPER_LOG=info "$B" daemon 2> "$WORK/daemon-soak.log" &
    DAEMON=$!
    PIDS+=("$DAEMON")
    for _ in $(seq 300); do grep -q "serving the keeper's socket" "$WORK/daemon-soak.log" && break; sleep 0.1; done
    before=$(grep -c 'wrote section.*section=deploy' "$WORK/daemon-soak.log" || true)
    LEASEKEEPER_LOG=leasekeeper_host::endpoint=debug "$B" exec --profile deploy -- "$PY" "$WORK/soak.py" "$MINUTES" \
        > "$WORK/soak.out" 2> "$WORK/exec.log"
    after=$(grep -c 'wrote section.*section=deploy' "$WORK/daemon-soak.log" || true)
    echo "client: $(cat "$WORK/soak.out")"
    echo "endpoint requests: $(grep -c 'keys served' "$WORK/exec.log" || true)"
    echo "keeper renewals of deploy during the run (AWS calls for its keys): $((after - before))"
    kill -TERM "$DAEMON"
    wait "$DAEMON" 2>/dev/null || true
fi
