#!/usr/bin/env bash
# The keeper's benchmarks (see docs/BENCHMARKS.md, "The keeper"):
#   1. LEASES role profiles over SOURCES IAM users with static keys, all due
#      at once, renewed by `leasekeeper refresh --all` against the sandbox:
#      wall time until every section is written, AWS requests, peak
#      concurrency. Run twice: with no added latency, and with
#      LATENCY_MS per answer (the concurrency cap then sets the time).
#   2. The daemon's CPU over IDLE_SECS idle seconds with IDLE_LEASES leases
#      (sandbox at --speed 1: nothing is due during the window).
# Usage: scripts/bench-keeper.sh
# Environment (defaults): LEASES=500 SOURCES=20 CONCURRENCY=4 LATENCY_MS=20
#   IDLE_LEASES=50 IDLE_SECS=300 SKIP_FANOUT= SKIP_IDLE= KEEP=
# Requests are counted from the AWS SDK's own debug log (one
# "beginning attempt #N" line per HTTP request, retries included); peak
# concurrency is the most attempts between that line and the attempt's
# end ("exiting attempt loop") at any moment, read in log order.
# Everything listens on 127.0.0.1 only; every process started here is
# stopped by its pid when the script ends, also on error or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

LEASES=${LEASES:-500}
SOURCES=${SOURCES:-20}
CONCURRENCY=${CONCURRENCY:-4}
LATENCY_MS=${LATENCY_MS:-20}
IDLE_LEASES=${IDLE_LEASES:-50}
IDLE_SECS=${IDLE_SECS:-300}

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

cargo build --release -p leasekeeper
B="$PWD/target/release/leasekeeper"
WORK=$(mktemp -d /tmp/lk-bench-keeper.XXXXXX)
TICK=$(getconf CLK_TCK)

echo "machine: $(nproc) cores, $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

now_ns() { date +%s%N; }

# write_world FILE ROLES USERS: USERS IAM users with static keys in one
# account, ROLES roles in another, role i trusting user (i mod USERS).
write_world() {
    local file=$1 roles=$2 users=$3 u r
    {
        cat <<'EOF'
[identity_center]
start_url = "https://bench.awsapps.com/start"
region = "us-east-1"

[[accounts]]
id = "111111111111"
name = "users"
email = "users@example.com"

[[accounts]]
id = "222222222222"
name = "roles"
email = "roles@example.com"
EOF
        for ((u = 1; u <= users; u++)); do
            printf '\n[[users]]\naccount = "111111111111"\nname = "user%03d"\n' "$u"
            printf 'access_key_id = "AKIABENCHUSER%07d"\n' "$u"
            printf 'secret_access_key = "benchSecretKey%026d"\n' "$u"
        done
        for ((r = 0; r < roles; r++)); do
            u=$((r % users + 1))
            printf '\n[[roles]]\naccount = "222222222222"\nname = "Bench%04d"\n' "$r"
            printf 'max_session_duration_secs = 3600\n'
            printf 'trust = ["arn:aws:iam::111111111111:user/user%03d"]\n' "$u"
        done
    } >"$file"
}

# write_settings DIR: renew chains over long-term keys, with the cap.
write_settings() {
    mkdir -p "$1"
    printf '[renew]\nstatic_keys = true\nconcurrency = %s\n' "$CONCURRENCY" >"$1/settings.toml"
}

# start_sandbox DIR WORLD [FLAGS...]: starts it, waits for its lines in
# DIR.env, sets SANDBOX_PID and ENVARGS (the lines as `env` arguments).
start_sandbox() {
    local dir=$1 world=$2 i kw rest
    shift 2
    "$B" sandbox --world "$world" --write-config "$dir" "$@" >"$dir.env" 2>"$dir.sandbox.log" &
    SANDBOX_PID=$!
    PIDS+=("$SANDBOX_PID")
    for ((i = 0; i < 200; i++)); do
        grep -q '^export HOME=' "$dir.env" 2>/dev/null && break
        kill -0 "$SANDBOX_PID" 2>/dev/null || { cat "$dir.sandbox.log" >&2; exit 1; }
        sleep 0.05
    done
    grep -q '^export HOME=' "$dir.env" || { echo "the sandbox did not start" >&2; exit 1; }
    local unsets=() sets=()
    while read -r kw rest; do
        case $kw in
        export)
            # The sandbox quotes a value with spaces in single quotes.
            [[ $rest == *"='"*"'" ]] && rest="${rest%%=*}=$(sed "s/^'//; s/'\$//" <<<"${rest#*=}")"
            sets+=("$rest")
            ;;
        unset) unsets+=(-u "$rest") ;;
        esac
    done <"$dir.env"
    ENVARGS=("${unsets[@]}" "${sets[@]}" "LEASEKEEPER_STATE_DIR=$dir/state" "LEASEKEEPER_CONFIG_DIR=$dir/settings")
}

sections() { grep -c '^# managed by leasekeeper' "$1" 2>/dev/null || true; }

# requests_and_peak LOG: prints "requests retries peak".
requests_and_peak() {
    awk '
        /beginning attempt #/ { n++; if ($0 !~ /attempt #1$/) retries++; cur++; if (cur > peak) peak = cur }
        /exiting attempt loop|encountered orchestrator error; halting/ { cur-- }
        END { printf "%d %d %d\n", n, retries, peak }
    ' "$1"
}

# fanout LABEL LATENCY: one sandbox, one `refresh --all` pass.
fanout() {
    local label=$1 latency=$2 dir="$WORK/fanout-$1"
    write_world "$dir.world.toml" "$LEASES" "$SOURCES"
    write_settings "$dir/settings"
    start_sandbox "$dir" "$dir.world.toml" --latency-ms "$latency"
    local creds="$dir/credentials"
    local t0 t_all="" t_exit rc=0 n user sys rss
    t0=$(now_ns)
    local timer=()
    [[ -x /usr/bin/time ]] && timer=(/usr/bin/time -f '%U %S %M' -o "$dir.time")
    env "${ENVARGS[@]}" LEASEKEEPER_LOG="info,aws_smithy_runtime::client::orchestrator=debug" \
        "${timer[@]}" "$B" refresh --all >"$dir.refresh.out" 2>"$dir.refresh.log" &
    local kpid=$!
    PIDS+=("$kpid")
    # Poll the file (every 10 ms) for the moment all sections exist.
    while kill -0 "$kpid" 2>/dev/null; do
        if [[ -z "$t_all" && $(sections "$creds") -ge $LEASES ]]; then
            t_all=$(now_ns)
        fi
        sleep 0.01
    done
    wait "$kpid" || rc=$?
    t_exit=$(now_ns)
    n=$(sections "$creds")
    [[ -n "$t_all" ]] || { [[ $n -ge $LEASES ]] && t_all=$t_exit; }
    read -r reqs retries peak < <(requests_and_peak "$dir.refresh.log")
    local sandbox_cpu
    sandbox_cpu=$(awk -v t="$TICK" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$SANDBOX_PID/stat")
    kill -TERM "$SANDBOX_PID" 2>/dev/null || true
    wait "$SANDBOX_PID" 2>/dev/null || true
    echo
    echo "== fan-out ($label): $LEASES roles over $SOURCES users, latency ${latency} ms, renew.concurrency = $CONCURRENCY"
    echo "   refresh --all exit code: $rc; sections written: $n; lines in the file: $(wc -l <"$creds")"
    if [[ -n "$t_all" ]]; then
        awk -v a="$t0" -v b="$t_all" 'BEGIN { printf "   time until all sections exist: %.3f s\n", (b - a) / 1e9 }'
    else
        echo "   not all sections were written"
    fi
    awk -v a="$t0" -v b="$t_exit" 'BEGIN { printf "   refresh process wall time: %.3f s\n", (b - a) / 1e9 }'
    echo "   AWS requests (SDK attempts): $reqs, of which retries: $retries"
    echo "   peak concurrency (from the SDK log): $peak"
    if [[ $latency -gt 0 ]]; then
        awk -v n="$reqs" -v l="$latency" -v a="$t0" -v b="$t_exit" \
            'BEGIN { if (b > a) printf "   mean in flight (requests x latency / wall time): %.2f\n", n * l / 1000 / ((b - a) / 1e9) }'
    fi
    echo "   sandbox CPU: $sandbox_cpu s"
    if [[ -s "$dir.time" ]]; then
        read -r user sys rss <"$dir.time"
        echo "   refresh CPU: user $user s, system $sys s; peak RSS $((rss / 1024)) MiB"
    fi
    echo "   credentials file: $(wc -c <"$creds") bytes; writes (bursts of \"wrote section\" lines, gaps over 0.5 ms): $(
        grep 'wrote section' "$dir.refresh.log" |
            awk '{ split($1, a, /[T:Z]/); t = a[2] * 3600 + a[3] * 60 + a[4]; if (NR == 1 || t - p > 0.0005) w++; p = t } END { print w + 0 }'
    )"
    echo "   errors or warnings logged: $(grep -c -E ' (WARN|ERROR) ' "$dir.refresh.log" || true)"
}

# idle: the daemon over IDLE_LEASES leases, CPU over IDLE_SECS.
idle() {
    local dir="$WORK/idle"
    write_world "$dir.world.toml" "$IDLE_LEASES" "$SOURCES"
    write_settings "$dir/settings"
    start_sandbox "$dir" "$dir.world.toml" --speed 1
    env "${ENVARGS[@]}" "$B" daemon >"$dir.daemon.out" 2>"$dir.daemon.log" &
    local dpid=$! i
    PIDS+=("$dpid")
    for ((i = 0; i < 600; i++)); do
        [[ $(sections "$dir/credentials") -ge $IDLE_LEASES ]] && break
        kill -0 "$dpid" 2>/dev/null || { cat "$dir.daemon.log" >&2; exit 1; }
        sleep 0.1
    done
    [[ $(sections "$dir/credentials") -ge $IDLE_LEASES ]] || { echo "the daemon did not write $IDLE_LEASES sections" >&2; exit 1; }
    sleep 5 # let the first pass settle
    local d0 s0 l0 t0 d1 s1 l1 t1
    d0=$(awk '{ print $14 + $15 }' "/proc/$dpid/stat")
    s0=$(awk '{ print $14 + $15 }' "/proc/$SANDBOX_PID/stat")
    l0=$(wc -l <"$dir.daemon.log")
    t0=$(now_ns)
    echo
    echo "== idle daemon: $IDLE_LEASES leases, waiting $IDLE_SECS s (started $(date -u +%H:%M:%SZ))"
    sleep "$IDLE_SECS"
    d1=$(awk '{ print $14 + $15 }' "/proc/$dpid/stat")
    s1=$(awk '{ print $14 + $15 }' "/proc/$SANDBOX_PID/stat")
    l1=$(wc -l <"$dir.daemon.log")
    t1=$(now_ns)
    awk -v a="$d0" -v b="$d1" -v t="$TICK" -v x="$t0" -v y="$t1" 'BEGIN {
        w = (y - x) / 1e9; c = (b - a) / t
        printf "   window: %.1f s; daemon CPU (utime+stime): %.2f s = %.3f%% of one core\n", w, c, 100 * c / w }'
    awk -v a="$s0" -v b="$s1" -v t="$TICK" 'BEGIN { printf "   sandbox CPU in the window: %.2f s\n", (b - a) / t }'
    echo "   daemon RSS: $(awk '/^VmRSS/ { print $2, $3 }' "/proc/$dpid/status"); log lines in the window: $((l1 - l0)); sections: $(sections "$dir/credentials")"
}

if [[ -z "${SKIP_FANOUT:-}" ]]; then
    fanout no-latency 0
    fanout added-latency "$LATENCY_MS"
fi
if [[ -z "${SKIP_IDLE:-}" ]]; then
    idle
fi
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
