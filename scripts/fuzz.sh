#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for SECONDS (default 60).
#   scripts/fuzz.sh          60 s per target (the long runs: use e.g. 3600)
#   scripts/fuzz.sh 15       the short run the test suite does
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
# A fixed seed makes the short CI run repeatable (the same inputs in the same order); long runs
# can pass FUZZ_SEED=0 for a time-based seed.
FUZZ_SEED=${FUZZ_SEED:-1}
CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DBULWARK_BUILD_FUZZ=ON -DBULWARK_BUILD_TESTS=OFF -DBULWARK_BUILD_BENCH=OFF >/dev/null
for target in fuzz_normalizer fuzz_ingest_codec fuzz_policy fuzz_review_queues fuzz_attack \
              fuzz_web_decoders fuzz_policy_lifecycle; do
  cmake --build build-fuzz --target "$target" -j "${JOBS:-$(nproc)}"
  corpus="build-fuzz/corpus/$target"
  mkdir -p "$corpus"
  seeds="fuzz/corpus/${target#fuzz_}"
  [ -d "$seeds" ] && cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true
  echo "== $target for ${SECONDS_PER_TARGET}s"
  (cd build-fuzz && "fuzz/$target" -max_total_time="$SECONDS_PER_TARGET" -seed="$FUZZ_SEED" -print_final_stats=1 \
       -artifact_prefix="$PWD/fuzz-artifacts-" "corpus/$target" 2>&1 | tail -n 12)
done
