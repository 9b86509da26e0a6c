#!/usr/bin/env bash
# Installs what sotinc needs to build and test: Debian's packages, then the
# SARIF validator the tests run (Microsoft's SARIF Multitool from npm, a
# self-contained binary) into .tools/sarif in the source tree (gitignored).
# Does nothing for what is already installed; needs root (or sudo) for apt.
# With --build-only (CI jobs that only build sotinc to use it) the tools
# that only the tests need are left out.
set -euo pipefail
cd "$(dirname "$0")/.."
build_only=false
if [ "${1:-}" = "--build-only" ]; then build_only=true; fi

packages=(
  build-essential cmake pkg-config git
  libgit2-dev libsqlite3-dev libxxhash-dev libyaml-cpp-dev libcli11-dev libre2-dev
  libgtest-dev libgmock-dev python3
)
if ! $build_only; then
  # xmllint parses the JUnit report; pre-commit runs .pre-commit-hooks.yaml;
  # man-db and groff-base render the man page, zsh runs its completion;
  # the sanitizer build uses clang, whose compiler-rt package holds
  # libFuzzer (tests/fuzz).
  packages+=(libxml2-utils pre-commit man-db groff-base zsh clang libclang-rt-14-dev)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# npm may come with a Node.js that is not Debian's: ask for Debian's only
# when there is none at all.
if ! $build_only && ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if $build_only; then exit 0; fi
# tests/report_e2e_test.cc looks for .tools/sarif/node_modules/.bin/sarif-multitool.
sarif_version=5.7.0
sarif_dir=.tools/sarif
sarif_package="$sarif_dir/node_modules/@microsoft/sarif-multitool/package.json"
if ! grep -q "\"version\": \"$sarif_version\"" "$sarif_package" 2>/dev/null; then
  echo "install-deps: installing @microsoft/sarif-multitool@$sarif_version into $sarif_dir" >&2
  mkdir -p "$sarif_dir"
  npm install --prefix "$sarif_dir" --no-audit --no-fund --loglevel=error \
    "@microsoft/sarif-multitool@$sarif_version" >/dev/null
fi
# The package's postinstall only marks its binary executable; npm may be
# set to skip install scripts, so do it here too.
chmod u+x "$sarif_dir"/node_modules/@microsoft/sarif-multitool-*/Sarif.Multitool 2>/dev/null || true
