#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine with Rust: installs what
# the tests need (scripts/setup.sh), builds every binary the end-to-end tests
# start, then runs all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Cargo builds another package's binaries only for that package's own tests:
# build them all first so every test finds them in target/.
cargo build --workspace --bins
cargo test --workspace --exclude leasekeeper-tray
xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- cargo test -p leasekeeper-tray
