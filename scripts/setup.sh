#!/usr/bin/env bash
# Installs what the build and the test suite need on a fresh Debian machine
# with Rust: Debian packages (the tray app's libraries among them) and a
# Python virtualenv (.venv) with botocore, boto3 and AWS CLI v1, and the AWS
# SDK for JavaScript v3 (tests/js), the independent AWS clients our tests
# check our work against.
# Idempotent: a second run does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(python3 python3-venv python3-pip faketime libfaketime ca-certificates dbus dbus-daemon
  # The tray app: WebKitGTK to build, the AppIndicator library it loads at run time,
  # and a display, a WebDriver and screenshots for its tests.
  pkg-config libwebkit2gtk-4.1-dev libayatana-appindicator3-dev
  xvfb xauth webkit2gtk-driver imagemagick x11-utils)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Python clients, pinned to a known-good major line.
python_reqs="scripts/python-requirements.txt"
stamp=".venv/.requirements"
if [ ! -x .venv/bin/python ] || ! cmp -s "$python_reqs" "$stamp"; then
  echo "setup: creating .venv with $(tr '\n' ' ' < "$python_reqs")"
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r "$python_reqs"
  cp "$python_reqs" "$stamp"
fi

# The AWS SDK for JavaScript v3, a third independent client of the
# credentials endpoint (`exec`, `serve`): Node and npm (Debian's, unless a
# Node with its npm is there already), and the pinned SDK in tests/js.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "setup: installing Debian packages: nodejs npm"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
js_stamp="tests/js/node_modules/.package-lock.json"
if [ ! -f "$js_stamp" ] || [ tests/js/package-lock.json -nt "$js_stamp" ]; then
  echo "setup: installing the JavaScript SDK for the tests (tests/js)"
  npm ci --prefix tests/js --no-audit --no-fund --loglevel=error >/dev/null
fi

# The window's WebDriver tests: tauri-driver in front of Debian's WebKitWebDriver.
# Pinned: the registry also serves 3.0 pre-releases.
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "setup: installing tauri-driver 2.1.0"
  cargo install tauri-driver --version 2.1.0 --locked
fi
