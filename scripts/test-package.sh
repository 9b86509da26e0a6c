#!/usr/bin/env bash
# Packages a built tree with CPack, installs the .deb with dpkg, tries the
# installed sotinc as a user would (--version, help, the man page, the bash
# completion, the example repository, compared with the build's own
# report), then removes the package. Usage: scripts/test-package.sh BUILD_DIR
#
# Needs root, or sudo (CI runs it as root on a fresh Debian machine, after
# scripts/test.sh built BUILD_DIR). It refuses to run when a sotinc package
# is already installed, so it never removes an installation it did not make.
set -euo pipefail
# grep reads its whole input (no -q): with pipefail, a producer cut off by an
# early exit dies of SIGPIPE and fails the script.
cd "$(dirname "$0")/.."
if [ "$#" -ne 1 ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
root=""
[ "$(id -u)" -eq 0 ] || root=sudo
start=$(date +%s)

if dpkg-query -W -f='${Status}' sotinc 2>/dev/null | grep "install ok installed" >/dev/null; then
    echo "$0: a sotinc package is already installed; remove it first (dpkg -r sotinc)" >&2
    exit 1
fi

if [ ! -x "$build/sotinc" ] || [ ! -f "$build/sotinc.1" ]; then
    echo "$0: build sotinc in $build first (bash scripts/build.sh $1)" >&2
    exit 2
fi
echo "== cpack"
rm -f "$build"/sotinc_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/sotinc_*.deb)
dpkg-deb --info "$deb" | sed -n 's/^ \(Package\|Version\|Depends\):/  \1:/p'

work=$(mktemp -d "${TMPDIR:-/tmp}/sotinc-package.XXXXXX")
installed_by_us=false
cleanup() {
    if $installed_by_us; then $root dpkg -r sotinc >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "== dpkg -i $(basename "$deb")"
installed_by_us=true
$root dpkg -i "$deb" >/dev/null
installed=/usr/bin/sotinc
"$installed" --version
test "$("$installed" --version)" = "$("$build/sotinc" --version)"
"$installed" help check | grep "Usage: sotinc check" >/dev/null
dpkg-deb -c "$deb" | grep " ./usr/share/man/man1/sotinc.1$" >/dev/null
# Minimal Debian images drop /usr/share/man (dpkg path-exclude): read the
# page only when dpkg kept it.
if [ -f /usr/share/man/man1/sotinc.1 ] && command -v man >/dev/null; then
    MANWIDTH=80 man sotinc 2>/dev/null | grep "sotinc init" >/dev/null
fi
bash -c 'source /usr/share/bash-completion/completions/sotinc && complete -p sotinc' >/dev/null
test -f /usr/share/zsh/vendor-completions/_sotinc

echo "== the installed sotinc on the example repository"
bash fixtures/make-example-repo.sh "$work/repo" >/dev/null
status=0
(cd "$work/repo" && SOTINC_CACHE_DIR="$work/cache-installed" \
    "$installed" check --format json >"$work/installed.json") || status=$?
SOTINC_CACHE_DIR="$work/cache-build" "$build/sotinc" -C "$work/repo" check --format json \
    >"$work/build.json" || true
# 1: the example's rules fail on purpose (fixtures/example/README.md).
[ "$status" -eq 1 ] || { echo "installed sotinc exited $status" >&2; exit 1; }
strip_times() { sed 's/"duration_ms": [0-9.e+-]*/"duration_ms": 0/g' "$1"; }
diff <(strip_times "$work/build.json") <(strip_times "$work/installed.json")

echo "== dpkg -r sotinc"
$root dpkg -r sotinc >/dev/null
installed_by_us=false
test ! -e "$installed"
echo "== package OK in $(($(date +%s) - start)) s"
