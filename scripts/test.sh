#!/usr/bin/env bash
# Sets up and runs the whole test suite: unit and end-to-end tests in a
# normal build, then again under AddressSanitizer + UndefinedBehaviorSanitizer
# (built with clang), then a short run of each fuzz target (tests/fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs="$(nproc 2>/dev/null || echo 2)"

echo "== build (RelWithDebInfo)"
bash scripts/build.sh build -DSOTINC_WERROR=ON
echo "== tests"
# 150 steps of the differential walk (300 when run alone) keep the whole
# CI run under its 20 minutes on 2 cores.
(cd build && SOTINC_DIFF_STEPS=150 ctest --output-on-failure -j "$jobs")
bash scripts/test-package.sh build   # the .deb: install, run, remove (docs/packaging.md)

echo "== build (ASan + UBSan, clang, with the fuzz targets)"
# clang builds the sanitizer tree so that the libFuzzer targets of
# tests/fuzz come from the same objects, at no extra compile. CMake keeps
# the compiler of an existing build directory: start over if it was not clang.
if [ -f build-asan/CMakeCache.txt ] && ! grep -q '^CMAKE_CXX_COMPILER:.*clang' build-asan/CMakeCache.txt; then
  rm -rf build-asan
fi
CC=clang CXX=clang++ bash scripts/build.sh build-asan -DSOTINC_SANITIZE=ON -DSOTINC_FUZZ=ON \
  -DSOTINC_WERROR=ON
echo "== tests under sanitizers"
# Under the sanitizers (several times slower) 10 steps of the differential
# walk and 20 of the kill test's 200 kills keep CI in time.
(cd build-asan && SOTINC_DIFF_STEPS=10 SOTINC_KILL_ROUNDS=20 ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j "$jobs")
echo "== fuzz smoke"
# Each fuzz target on its seed corpus, two at a time (docs/reliability.md).
bash scripts/fuzz-smoke.sh build-asan "${SOTINC_FUZZ_SECONDS:-10}"
