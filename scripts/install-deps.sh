#!/usr/bin/env bash
# Installs what sotinc needs to build and test, from Debian's packages.
# Does nothing for packages already installed; needs root (or sudo) otherwise.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libgit2-dev libsqlite3-dev libxxhash-dev libyaml-cpp-dev libcli11-dev libre2-dev
  libgtest-dev libgmock-dev python3
)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
