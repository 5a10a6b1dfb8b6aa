#!/usr/bin/env bash
# The whole `leasekeeper credential-process` process (see docs/BENCHMARKS.md,
# "credential-process"), release build, against the sandbox's built-in world
# on 127.0.0.1 (speed 1):
#   1. alone, answered from its own cache (no keeper runs);
#   2. served by a running `leasekeeper daemon` over its socket;
#   3. a keeper waiting for a sign-in: the refusal (exit 3) it answers with.
# Usage: scripts/bench-process.sh
# Environment (defaults): RUNS=300 WARMUP=20 KEEP= (keep the work folder)
# Every process started here is stopped by its pid when the script ends,
# also on error or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-300}
WARMUP=${WARMUP:-20}

PIDS=()
WORK=""
cleanup() {
    local pid
    # The second keeper starts in a subshell: its pid is in a file until then.
    if [[ -n "$WORK" && -f "$WORK/none.pid" ]]; then
        PIDS+=("$(cat "$WORK/none.pid")")
    fi
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

command -v hyperfine > /dev/null || { echo "hyperfine is needed" >&2; exit 1; }
cargo build --release -p leasekeeper
B="$PWD/target/release/leasekeeper"
WORK=$(mktemp -d /tmp/lk-bench-process.XXXXXX)

echo "machine: $(nproc) cores, $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# The sandbox and its environment lines (`export NAME='value'`).
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
mkdir -p "$LEASEKEEPER_CONFIG_DIR"
"$B" login --use-device-code --no-browser > /dev/null 2>&1

bench() { # NAME, then the command
    local name=$1
    shift
    hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-markdown "$WORK/$name.md" "$@"
    cat "$WORK/$name.md"
}

echo "== 1. alone, from its own cache"
"$B" credential-process --profile dev-admin > /dev/null
"$B" credential-process --profile auditor > /dev/null
bench alone "$B credential-process --profile dev-admin" "$B credential-process --profile auditor"

echo "== 2. served by the keeper"
rm -rf "$LEASEKEEPER_STATE_DIR/process"
LEASEKEEPER_LOG=info "$B" daemon 2> "$WORK/daemon.log" &
PIDS+=($!)
served() {
    local said
    said=$(LEASEKEEPER_LOG=debug "$B" credential-process --profile "$1" 2>&1 > /dev/null) || true
    grep -q 'served by the keeper' <<< "$said"
}
for _ in $(seq 200); do
    served dev-admin && served auditor && break
    sleep 0.1
done
served dev-admin && served auditor || { echo "the keeper serves no keys" >&2; exit 1; }
# Runs before the keeper held keys resolved alone: start clean.
rm -rf "$LEASEKEEPER_STATE_DIR/process"
bench keeper "$B credential-process --profile dev-admin" "$B credential-process --profile auditor"
if [[ -d "$LEASEKEEPER_STATE_DIR/process" ]]; then
    echo "credential-process fetched keys itself during the run" >&2
    exit 1
fi

echo "== 3. a keeper waiting for a sign-in"
NONE="$WORK/none"
mkdir -p "$NONE/.aws" "$NONE/state"
chmod 700 "$NONE/state" # the keeper serves its socket only in an owner-only folder
cp "$AWS_CONFIG_FILE" "$NONE/.aws/config"
(
    export HOME="$NONE" AWS_CONFIG_FILE="$NONE/.aws/config" \
        AWS_SHARED_CREDENTIALS_FILE="$NONE/.aws/credentials" \
        LEASEKEEPER_STATE_DIR="$NONE/state"
    LEASEKEEPER_LOG=info "$B" daemon 2> "$WORK/daemon-none.log" &
    echo $! > "$WORK/none.pid"
    for _ in $(seq 100); do
        grep -q "serving the keeper's socket" "$WORK/daemon-none.log" && break
        sleep 0.1
    done
    grep -q "serving the keeper's socket" "$WORK/daemon-none.log" \
        || { echo "the second keeper serves no socket" >&2; exit 1; }
    LEASEKEEPER_LOG=debug "$B" credential-process --profile dev-admin > "$WORK/none-check.log" 2>&1 || true
    # Read from a file: `grep -q` in a pipe ends early, and pipefail would
    # count the writer's SIGPIPE as a failure.
    grep -q 'the keeper says the person must act' "$WORK/none-check.log" \
        || { echo "not answered by the keeper" >&2; exit 1; }
    hyperfine -N -i --warmup "$WARMUP" --runs "$RUNS" --export-markdown "$WORK/none.md" \
        "$B credential-process --profile dev-admin"
)
cat "$WORK/none.md"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
