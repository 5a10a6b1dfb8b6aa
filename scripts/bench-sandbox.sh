#!/usr/bin/env bash
# AssumeRole throughput of the sandbox (see docs/BENCHMARKS.md, "The sandbox").
# Usage: scripts/bench-sandbox.sh [CONNECTIONS] [SECONDS]   (defaults: 32 10)
# Builds in release; the server runs on two worker threads, the client on one.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(uname -sr)"
exec cargo run --quiet --release -p leasekeeper-sandbox --example bench -- "${1:-32}" "${2:-10}"
