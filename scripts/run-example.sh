#!/usr/bin/env bash
# Sets up sotinc and runs it on the bundled example repository
# (fixtures/example, made into a git repository in a temp directory).
# Some of the example's rules fail on purpose: see fixtures/example/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh build
repo="$(mktemp -d "${TMPDIR:-/tmp}/sotinc-example.XXXXXX")"
bash fixtures/make-example-repo.sh "$repo" >/dev/null
echo "== sotinc check in $repo"
status=0
./build/sotinc -C "$repo" check || status=$?
echo "== sotinc exited with status $status (1 = some rules failed, as the example intends)"
[ "$status" -le 1 ]
