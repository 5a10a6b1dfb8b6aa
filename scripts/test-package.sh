#!/usr/bin/env bash
# Tests the Linux packages (CI runs it after the test suite): builds them from
# the debug binaries the suite built (scripts/package.sh --debug) and checks
#  - the .deb's control data and file list, and the .rpm's requirements and
#    file list (rpm -qpR, rpm -qpl), against what they must hold;
#  - lintian: no error and no warning (what remains is justified in
#    packaging/lintian-overrides); desktop-file-validate on the entry;
#  - the .deb unpacked into a temporary root, its programs run from there:
#    --version, `status` on a copy of examples/home, `man -l` on every man
#    page, the bash completion completing a subcommand, and
#    `leasekeeper-tray --demo` registering its tray item with a stand-in
#    panel on a private session bus under Xvfb;
#  - the .deb installed for real and purged again (a trap purges it whatever
#    fails), a temporary home's ~/.aws and settings left untouched; while it
#    is installed, `systemd-analyze --user verify` on its unit.
# Every home, bus and folder is temporary: the real ~/.aws is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
apt_packages=(rpm lintian desktop-file-utils man-db xvfb xauth dbus systemd)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-package: installing Debian packages: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

work=$(mktemp -d)
installed=""
cleanup() {
  if [ -n "$installed" ]; then
    $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq leasekeeper >/dev/null 2>&1 \
      || $sudo_cmd dpkg --purge leasekeeper >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "test-package: FAIL: $*" >&2; exit 1; }
ok() { echo "test-package: ok: $*"; }
started=$(date +%s)

# --- the packages ---------------------------------------------------------
bash scripts/package.sh --debug --out "$work/dist"
# The stand-in panel (TEST_PANEL names another build of it).
panel="${TEST_PANEL:-}"
if [ -z "$panel" ]; then
  cargo build -q -p leasekeeper-tray --example test_panel
  panel="$root/target/debug/examples/test_panel"
fi
version=$(cargo metadata --no-deps --format-version 1 \
  | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "leasekeeper"))')
deb="$work/dist/leasekeeper_${version}_amd64.deb"
rpm="$work/dist/leasekeeper-${version}-1.x86_64.rpm"
[ -f "$deb" ] && [ -f "$rpm" ] || fail "package.sh wrote no $deb or $rpm"

# The files both packages install, then each one's own.
common=(
  /usr/bin/leasekeeper
  /usr/bin/leasekeeper-tray
  /usr/share/applications/Leasekeeper.desktop
  /usr/lib/systemd/user/leasekeeper.service
  /usr/share/bash-completion/completions/leasekeeper
  /usr/share/bash-completion/completions/leasekeeper-tray
  /usr/share/fish/vendor_completions.d/leasekeeper.fish
  /usr/share/fish/vendor_completions.d/leasekeeper-tray.fish
)
for s in 16 22 24 32 48 64 128 256 512; do
  common+=("/usr/share/icons/hicolor/${s}x${s}/apps/leasekeeper.png")
done
for page in leasekeeper leasekeeper-tray leasekeeper-status leasekeeper-sandbox leasekeeper-demo \
  leasekeeper-login leasekeeper-logout leasekeeper-daemon leasekeeper-refresh leasekeeper-mfa \
  leasekeeper-credential-process leasekeeper-setup-process leasekeeper-exec leasekeeper-serve \
  leasekeeper-env leasekeeper-console leasekeeper-doctor leasekeeper-settings \
  leasekeeper-profiles leasekeeper-profiles-add-session leasekeeper-profiles-available \
  leasekeeper-profiles-sync; do
  common+=("/usr/share/man/man1/$page.1.gz")
done
deb_only=(
  /usr/share/zsh/vendor-completions/_leasekeeper
  /usr/share/zsh/vendor-completions/_leasekeeper-tray
  /usr/share/doc/leasekeeper/copyright
  /usr/share/doc/leasekeeper/changelog.gz
  /usr/share/lintian/overrides/leasekeeper
)
rpm_only=(
  /usr/share/zsh/site-functions/_leasekeeper
  /usr/share/zsh/site-functions/_leasekeeper-tray
  /usr/share/licenses/leasekeeper/LICENSE
)
printf '%s\n' "${common[@]}" "${deb_only[@]}" | sort >"$work/want-deb"
printf '%s\n' "${common[@]}" "${rpm_only[@]}" | sort >"$work/want-rpm"

# --- the .deb's control data and files -----------------------------------
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = leasekeeper ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version)"
[ "$(field Architecture)" = amd64 ] || fail "Architecture: $(field Architecture)"
[[ "$(field Maintainer)" =~ ^[^\<]+\ \<[^@\>]+@[^\>]+\>$ ]] || fail "Maintainer: $(field Maintainer)"
depends=$(field Depends)
for dep in 'libc6 (>= 2.' libgcc-s1 libgtk-3-0 libwebkit2gtk-4.1-0 libayatana-appindicator3-1 libdbus-1-3; do
  [[ ", $depends," == *", $dep"* ]] || fail "Depends lacks $dep: $depends"
done
dpkg-deb -I "$deb" control | grep -qE "$root|/target/|/home/|/root/" && fail "the control data names a build machine's path"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\.?\/?/, "/", $6); print $6 }' | sort >"$work/got-deb"
diff -u "$work/want-deb" "$work/got-deb" || fail "the .deb's files differ from the list above"
dpkg-deb -c "$deb" | awk '$6 ~ /usr\/bin\// && $1 != "-rwxr-xr-x" { print }' | grep . && fail "a program is not mode 0755"
ok ".deb control data ($depends) and its ${#common[@]}+${#deb_only[@]} files"

# --- the .rpm's requirements and files -----------------------------------
rpm -qpR "$rpm" 2>/dev/null >"$work/requires"
for req in 'libc.so.6(GLIBC_2.' 'libgtk-3.so.0()(64bit)' 'libwebkit2gtk-4.1.so.0()(64bit)' \
  'libayatana-appindicator3.so.1()(64bit)' 'libdbus-1.so.3()(64bit)' 'libgcc_s.so.1()(64bit)'; do
  grep -qF "$req" "$work/requires" || fail "the .rpm requires no $req: $(tr '\n' ' ' <"$work/requires")"
done
grep -qE "$root|/target/" "$work/requires" && fail "the .rpm requires a build machine's path"
rpm -qpl "$rpm" 2>/dev/null | sort >"$work/got-rpm"
diff -u "$work/want-rpm" "$work/got-rpm" || fail "the .rpm's files differ from the list above"
[ "$(rpm -qp --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH} %{LICENSE}' "$rpm" 2>/dev/null)" = \
  "leasekeeper-$version-1.x86_64 Apache-2.0" ] || fail "the .rpm's name, version or licence"
ok ".rpm requirements and its ${#common[@]}+${#rpm_only[@]} files"

# --- lintian and the desktop entry ---------------------------------------
lint=0
lintian --fail-on error,warning --tag-display-limit 0 "$deb" >"$work/lintian.log" 2>&1 || lint=$?
grep -v 'running with root privileges' "$work/lintian.log" || true
[ "$lint" -eq 0 ] && ! grep -qE '^[EW]: ' "$work/lintian.log" || fail "lintian reported errors or warnings (exit $lint)"
ok "lintian: no error, no warning"

unpacked="$work/root"
dpkg-deb -x "$deb" "$unpacked"
desktop-file-validate "$unpacked/usr/share/applications/Leasekeeper.desktop" || fail "desktop-file-validate"
grep -qx 'Icon=leasekeeper' "$unpacked/usr/share/applications/Leasekeeper.desktop" || fail "the entry's icon"
ok "desktop entry valid, icon leasekeeper"

# --- the unpacked programs -----------------------------------------------
lk="$unpacked/usr/bin/leasekeeper"
home="$work/home"
mkdir -p "$home"
cp -a examples/home/. "$home/"
mkdir -p "$home/.config/leasekeeper"
printf '[notifications]\nenabled = false\n' >"$home/.config/leasekeeper/settings.toml"
export HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_STATE_HOME="$home/.local/state" \
  XDG_CACHE_HOME="$home/.cache" XDG_DATA_HOME="$home/.local/share"
unset AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE AWS_PROFILE LEASEKEEPER_STATE_DIR LEASEKEEPER_CONFIG_DIR
snapshot() { (cd "$home" && find .aws .config -type f -print0 | sort -z | xargs -0 sha256sum); }
snapshot >"$work/home-before"

out=$("$lk" --version)
[[ "$out" =~ ^leasekeeper\ $version\ \((commit\ [0-9a-f]+|unknown\ commit)\)$ ]] || fail "--version: $out"
tray_version=$("$unpacked/usr/bin/leasekeeper-tray" --version)
[[ "$tray_version" =~ ^leasekeeper-tray\ $version\ \((commit\ [0-9a-f]+|unknown\ commit)\)$ ]] \
  || fail "tray --version: $tray_version"
status=0
"$lk" status --at 2026-11-22T09:00:00Z >"$work/status.out" 2>"$work/status.err" || status=$?
[ "$status" -eq 3 ] || fail "status exited $status: $(cat "$work/status.err")"
grep -qE '^PROFILE +KIND +LEFT +STATE +SOURCE' "$work/status.out" || fail "status printed: $(cat "$work/status.out")"
grep -qE '^iam-user +static ' "$work/status.out" || fail "status lacks iam-user: $(cat "$work/status.out")"
ok "$out; $tray_version; status on examples/home ($(($(wc -l <"$work/status.out") - 1)) profiles)"

for page in "$unpacked"/usr/share/man/man1/*.1.gz; do
  name=$(basename "$page" .1.gz)
  MANWIDTH=80 man -l "$page" 2>"$work/man.err" >"$work/man.out" || fail "man -l $name"
  [ ! -s "$work/man.err" ] || fail "man -l $name warned: $(cat "$work/man.err")"
  grep -q "^NAME" "$work/man.out" && grep -q "^SYNOPSIS" "$work/man.out" && grep -q "$name" "$work/man.out" \
    || fail "man -l $name rendered: $(head -5 "$work/man.out")"
done
ok "man -l renders every page"

completed=$(bash -c '
  source "$1"
  COMP_WORDS=(leasekeeper sta); COMP_CWORD=1
  _leasekeeper leasekeeper sta leasekeeper
  printf "%s\n" "${COMPREPLY[@]}"
  COMP_WORDS=(leasekeeper status --j); COMP_CWORD=2
  _leasekeeper leasekeeper --j status
  printf "%s\n" "${COMPREPLY[@]}"' _ "$unpacked/usr/share/bash-completion/completions/leasekeeper")
[ "$completed" = $'status\n--json' ] || fail "bash completed: $completed"
ok "bash completes 'leasekeeper sta' to status and 'status --j' to --json"

# The tray, with a stand-in panel on a private session bus under Xvfb.
cat >"$work/tray.sh" <<'SH'
set -euo pipefail
panel="$1"; tray="$2"; work="$3"
export NO_AT_BRIDGE=1
"$panel" >"$work/panel.log" 2>&1 &
panel_pid=$!
trap 'kill $panel_pid ${tray_pid:-} 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^ready' "$work/panel.log" && break; sleep 0.1; done
grep -q '^ready' "$work/panel.log" || { echo "the stand-in panel did not start" >&2; exit 1; }
"$tray" --demo >"$work/tray.log" 2>&1 &
tray_pid=$!
for _ in $(seq 600); do
  grep -q '^registered' "$work/panel.log" && exit 0
  kill -0 "$tray_pid" 2>/dev/null || break
  sleep 0.1
done
echo "leasekeeper-tray --demo registered no tray item; its log:" >&2
cat "$work/tray.log" >&2
exit 1
SH
xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- \
  bash "$work/tray.sh" "$panel" "$unpacked/usr/bin/leasekeeper-tray" "$work" \
  || fail "the unpacked tray"
ok "the unpacked leasekeeper-tray --demo registered its tray item ($(grep -m1 '^registered' "$work/panel.log"))"

# --- installed for real, and purged --------------------------------------
if dpkg-query -W -f='${Status}' leasekeeper 2>/dev/null | grep -q "install ok installed"; then
  echo "test-package: skipped installing: a leasekeeper package is installed on this machine already"
else
  installed=1
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >"$work/apt.log" 2>&1 \
    || { cat "$work/apt.log" >&2; fail "apt-get install"; }
  [ "$(command -v leasekeeper)" = /usr/bin/leasekeeper ] || fail "leasekeeper is not /usr/bin/leasekeeper"
  [ "$(leasekeeper --version)" = "$out" ] || fail "the installed --version"
  dpkg -L leasekeeper | grep -qx /usr/lib/systemd/user/leasekeeper.service || fail "dpkg -L lacks the unit"
  mkdir -m 700 "$work/runtime"
  XDG_RUNTIME_DIR="$work/runtime" systemd-analyze --user verify /usr/lib/systemd/user/leasekeeper.service \
    >"$work/verify.log" 2>&1 || { cat "$work/verify.log" >&2; fail "systemd-analyze --user verify"; }
  [ ! -s "$work/verify.log" ] || { cat "$work/verify.log" >&2; fail "systemd-analyze --user verify warned"; }
  ok "installed with apt-get; systemd-analyze --user verify passes on leasekeeper.service"
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq leasekeeper >"$work/apt.log" 2>&1 \
    || { cat "$work/apt.log" >&2; fail "apt-get purge"; }
  installed=""
  ! dpkg-query -W -f='${Status}' leasekeeper 2>/dev/null | grep -q "installed" || fail "still installed"
  for f in "${common[@]}" "${deb_only[@]}"; do
    [ ! -e "$f" ] || fail "$f is left after the purge"
  done
  ok "purged: no file left"
fi
snapshot >"$work/home-after"
diff -u "$work/home-before" "$work/home-after" || fail "the home's ~/.aws or settings changed"
ok "the temporary home's ~/.aws and settings are untouched"
echo "test-package: all checks passed in $(($(date +%s) - started))s"
