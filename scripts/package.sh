#!/usr/bin/env bash
# Builds the Linux packages: dist/leasekeeper_<version>_amd64.deb and
# dist/leasekeeper-<version>-1.x86_64.rpm, each holding the tray app
# (leasekeeper-tray, its window's assets embedded) and the command
# (leasekeeper), with the desktop entry, icons, shell completions, man pages,
# a systemd user unit and the licence. Runs on Debian 12 with Rust and
# installs what it needs (Debian packages, and the Tauri CLI from npm, pinned).
#
#   bash scripts/package.sh                 release build, into dist/
#   bash scripts/package.sh --no-build       the release binaries target/release
#                                            already holds
#   bash scripts/package.sh --debug --out D  the debug binaries target/debug
#                                            already holds (the test suite
#                                            built them), into D: for CI
#
# Tauri's own bundler writes both formats (no dpkg-dev, rpmbuild or other
# outside tool). It is given stripped copies of the binaries in a staging
# target folder, so the shared target/ is never changed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

profile=release
build=1
out="$root/dist"
while [ $# -gt 0 ]; do
  case "$1" in
    --debug) profile=debug; build="" ;;
    --no-build) build="" ;;
    --out) out=$(realpath -m "$2"); shift ;;
    *) echo "usage: $0 [--debug | --no-build] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done

TAURI_CLI_VERSION=2.12.6

# What the build and the bundler need.
apt_packages=(pkg-config libwebkit2gtk-4.1-dev libayatana-appindicator3-dev binutils gzip)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm: Debian's own, unless a Node.js with npm is installed already.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "package: installing Debian packages: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Tauri CLI: the npm package carries a prebuilt binary of the bundler.
tools="$root/target/tools/tauri-cli"
tauri="$tools/node_modules/.bin/tauri"
if [ ! -x "$tauri" ] || [ "$("$tauri" --version 2>/dev/null)" != "tauri-cli $TAURI_CLI_VERSION" ]; then
  echo "package: installing @tauri-apps/cli $TAURI_CLI_VERSION"
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --silent "@tauri-apps/cli@$TAURI_CLI_VERSION"
fi

version=$(cargo metadata --no-deps --format-version 1 \
  | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "leasekeeper"))')

# The binaries. A release tray is built as `tauri build` builds it: with
# the custom protocol, so the window is served from the embedded assets.
if [ -n "$build" ]; then
  echo "package: building the release binaries"
  cargo build --release -p leasekeeper
  cargo build --release -p leasekeeper-tray --features tauri/custom-protocol
else
  for b in leasekeeper leasekeeper-tray; do
    [ -x "target/$profile/$b" ] || { echo "package: no target/$profile/$b: build it first" >&2; exit 1; }
  done
fi
bin="$root/target/$profile"

work="$root/target/package/$profile"
rm -rf "$work"
stage="$work/stage"
mkdir -p "$work/target/$profile" "$stage"

# Stripped copies where the bundler looks for the app's binaries.
strip=(objcopy --strip-unneeded --remove-section=.comment)
"${strip[@]}" "$bin/leasekeeper-tray" "$work/target/$profile/leasekeeper-tray"
"${strip[@]}" "$bin/leasekeeper" "$stage/leasekeeper"

# Completions and man pages, from the command definitions.
"$bin/leasekeeper" generate-files --out "$work/generated"
mkdir -p "$stage/man" "$stage/bash" "$stage/zsh" "$stage/fish"
for page in "$work"/generated/man/*.1; do
  gzip -9n -c "$page" >"$stage/man/$(basename "$page").gz"
done
for prog in leasekeeper leasekeeper-tray; do
  cp "$work/generated/completions/bash/$prog.bash" "$stage/bash/$prog"
  cp "$work/generated/completions/zsh/_$prog" "$stage/zsh/_$prog"
  cp "$work/generated/completions/fish/$prog.fish" "$stage/fish/$prog.fish"
done

# The Debian changelog of this version (a native package: changelog.gz).
date_rfc=$(date -u -R -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")
printf 'leasekeeper (%s) unstable; urgency=medium\n\n  * Leasekeeper %s.\n\n -- %s  %s\n' \
  "$version" "$version" "Leasekeeper maintainers <maintainers@leasekeeper.dev>" "$date_rfc" \
  | gzip -9n >"$stage/changelog.gz"

# The bundler's settings, merged over src-tauri/tauri.conf.json.
python3 - "$root" "$stage" "$work/tauri.bundle.json" "$bin" <<'PY'
import json, re, subprocess, sys
root, stage, dest, bindir = sys.argv[1:5]

# The newest glibc symbol version the binaries use: the least libc they need.
def glibc(path):
    out = subprocess.run(["objdump", "-T", path], capture_output=True, text=True, check=True).stdout
    found = [tuple(int(x) for x in v.split(".")) for v in re.findall(r"GLIBC_([0-9.]+)\b", out)]
    return ".".join(str(x) for x in max(found))
libc = max((glibc(f"{bindir}/{b}") for b in ("leasekeeper", "leasekeeper-tray")),
           key=lambda v: tuple(int(x) for x in v.split(".")))

common = {
    "/usr/bin/leasekeeper": f"{stage}/leasekeeper",
    "/usr/share/fish/vendor_completions.d/leasekeeper.fish": f"{stage}/fish/leasekeeper.fish",
    "/usr/share/fish/vendor_completions.d/leasekeeper-tray.fish": f"{stage}/fish/leasekeeper-tray.fish",
    "/usr/share/bash-completion/completions/leasekeeper": f"{stage}/bash/leasekeeper",
    "/usr/share/bash-completion/completions/leasekeeper-tray": f"{stage}/bash/leasekeeper-tray",
    "/usr/lib/systemd/user/leasekeeper.service": f"{root}/packaging/leasekeeper.service",
}
import os
for page in sorted(os.listdir(f"{stage}/man")):
    common[f"/usr/share/man/man1/{page}"] = f"{stage}/man/{page}"
for size in (16, 22, 24, 32, 48, 64, 128, 256, 512):
    common[f"/usr/share/icons/hicolor/{size}x{size}/apps/leasekeeper.png"] = f"{root}/icons/leasekeeper-{size}.png"

deb_files = dict(common)
deb_files.update({
    "/usr/share/zsh/vendor-completions/_leasekeeper": f"{stage}/zsh/_leasekeeper",
    "/usr/share/zsh/vendor-completions/_leasekeeper-tray": f"{stage}/zsh/_leasekeeper-tray",
    "/usr/share/doc/leasekeeper/copyright": f"{root}/packaging/copyright",
    "/usr/share/doc/leasekeeper/changelog.gz": f"{stage}/changelog.gz",
    "/usr/share/lintian/overrides/leasekeeper": f"{root}/packaging/lintian-overrides",
})
rpm_files = dict(common)
rpm_files.update({
    "/usr/share/zsh/site-functions/_leasekeeper": f"{stage}/zsh/_leasekeeper",
    "/usr/share/zsh/site-functions/_leasekeeper-tray": f"{stage}/zsh/_leasekeeper-tray",
    "/usr/share/licenses/leasekeeper/LICENSE": f"{root}/LICENSE",
})

desktop = f"{root}/packaging/leasekeeper.desktop"
config = {
    "bundle": {
        "active": True,
        "targets": ["deb", "rpm"],
        # The icons are installed under the name the desktop entry and the
        # autostart entry use (leasekeeper), by the file lists below.
        "icon": [],
        "publisher": "Leasekeeper maintainers <maintainers@leasekeeper.dev>",
        "homepage": "https://github.com/leasekeeper/leasekeeper",
        "license": "Apache-2.0",
        "category": "Utility",
        "shortDescription": "Keeps AWS credential leases alive",
        "longDescription": (
            "Leasekeeper shows every AWS profile's remaining lease, signs in to\n"
            "IAM Identity Center with one click and renews SSO role credentials\n"
            "and assumed roles before they expire, writing them to\n"
            "~/.aws/credentials or serving them as a credential_process.\n"
            "This package holds the tray app (leasekeeper-tray), the command\n"
            "(leasekeeper) and a systemd user unit running its keeper."
        ),
        "linux": {
            "deb": {
                "section": "utils",
                "priority": "optional",
                # The bundler adds libwebkit2gtk-4.1-0, libgtk-3-0 and
                # libayatana-appindicator3-1 (the tray loads it at run time).
                "depends": [f"libc6 (>= {libc})", "libgcc-s1", "libdbus-1-3"],
                "desktopTemplate": desktop,
                "files": deb_files,
            },
            "rpm": {
                "release": "1",
                # The bundler adds WebKitGTK 4.1, GTK 3 and the AppIndicator
                # library, by their sonames, as rpmbuild would.
                "depends": [
                    f"libc.so.6(GLIBC_{libc})(64bit)",
                    "libgcc_s.so.1()(64bit)",
                    "libdbus-1.so.3()(64bit)",
                ],
                "desktopTemplate": desktop,
                "files": rpm_files,
            },
        },
    }
}
with open(dest, "w") as f:
    json.dump(config, f, indent=2)
PY

echo "package: bundling ($profile)"
debug_flag=()
[ "$profile" = debug ] && debug_flag=(--debug)
(cd src-tauri && CARGO_TARGET_DIR="$work/target" "$tauri" bundle "${debug_flag[@]}" --ci \
  --no-binary-patching --bundles deb,rpm --config "$work/tauri.bundle.json")

mkdir -p "$out"
deb="$out/leasekeeper_${version}_amd64.deb"
rpm="$out/leasekeeper-${version}-1.x86_64.rpm"
cp "$work/target/$profile/bundle/deb/Leasekeeper_${version}_amd64.deb" "$deb"
cp "$work/target/$profile"/bundle/rpm/*"${version}-1.x86_64.rpm" "$rpm"
echo "package: wrote $deb ($(du -h "$deb" | cut -f1)) and $rpm ($(du -h "$rpm" | cut -f1))"
