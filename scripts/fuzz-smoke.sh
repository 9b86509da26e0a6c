#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz for SECONDS (default 15) on its
# seed corpus, two at a time, and fails if any of them finds a crash, a
# hang (10 s for one input) or an out-of-memory (2 GiB). BUILD_DIR is a
# build configured with CC=clang CXX=clang++ -DSOTINC_FUZZ=ON (and
# -DSOTINC_SANITIZE=ON, as scripts/test.sh does). The checked-in corpora
# are only read: what the fuzzer adds goes to a temporary directory, and a
# crashing input is kept as BUILD_DIR/fuzz-artifacts/<target>-crash-...
# to be added to tests/fuzz/corpus/<target>/ with a regression test.
#
#   scripts/fuzz-smoke.sh build-asan 15
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:?usage: scripts/fuzz-smoke.sh BUILD_DIR [SECONDS]}"
seconds="${2:-15}"
targets=(config glob yaml_check codec)

for t in "${targets[@]}"; do
  if [ ! -x "$dir/tests/fuzz/${t}_fuzzer" ]; then
    echo "fuzz-smoke: $dir/tests/fuzz/${t}_fuzzer is missing (configure with -DSOTINC_FUZZ=ON)" >&2
    exit 2
  fi
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
artifacts="$dir/fuzz-artifacts"
mkdir -p "$artifacts"

run() {
  local t="$1"
  mkdir -p "$work/$t"
  # Leak checking stays on: a leak found while fuzzing is a bug too.
  ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1}" \
    UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
    "$dir/tests/fuzz/${t}_fuzzer" "$work/$t" "tests/fuzz/corpus/$t" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$t-" >"$work/$t.log" 2>&1
}

failed=()
# Two at a time: the CI machine has 2 cores.
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  pids=()
  batch=("${targets[@]:i:2}")
  for t in "${batch[@]}"; do
    run "$t" &
    pids+=($!)
  done
  for k in "${!batch[@]}"; do
    t="${batch[$k]}"
    if wait "${pids[$k]}"; then
      echo "fuzz-smoke: $t: $(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/$t.log" | tail -1)"
    else
      echo "fuzz-smoke: $t FAILED; its log:" >&2
      tail -n 60 "$work/$t.log" >&2
      failed+=("$t")
    fi
  done
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz-smoke: ${failed[*]} failed; reproducers are in $artifacts/" >&2
  exit 1
fi
