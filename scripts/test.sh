#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, checks formatting, builds
# with warnings as errors and runs every test, then does the same under ASan + UBSan.
#   scripts/test.sh           everything (what CI runs)
#   scripts/test.sh --fast    skip the sanitizer build
set -euo pipefail
cd "$(dirname "$0")/.."

FAST=0
[ "${1:-}" = "--fast" ] && FAST=1
JOBS=${JOBS:-$(nproc)}

scripts/setup.sh

echo "== clang-format check"
scripts/format.sh --check

echo "== build (RelWithDebInfo, -Werror)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBULWARK_WERROR=ON >/dev/null
cmake --build build -j "$JOBS"

echo "== tests"
(cd build && ctest -j "$JOBS" --output-on-failure --timeout 600)

if [ "$FAST" = 0 ]; then
  echo "== build (ASan + UBSan)"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DBULWARK_SANITIZE=ON \
        -DBULWARK_BUILD_BENCH=OFF >/dev/null
  cmake --build build-asan -j "$JOBS"
  echo "== tests under ASan + UBSan"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest -j "$JOBS" --output-on-failure --timeout 900)
fi
if [ "$FAST" = 0 ]; then
  echo "== short fuzz runs (long runs: scripts/fuzz.sh 3600)"
  scripts/fuzz.sh 15
fi
echo "== all tests passed"
