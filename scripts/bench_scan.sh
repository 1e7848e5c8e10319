#!/usr/bin/env bash
# Whole-process scan comparison, all in one run (docs/detection.md, "Performance"):
#   1. scan_bench: the full detector over POSTS posts (default 1,000,000, cycling a pool of POOL
#      distinct generated posts) on 1 and 2 threads, the raw fastText floor on the same posts,
#      peak RSS; it also writes the pool as JSONL for the other two;
#   2. `bulwark scan` (JSONL in -> JSONL out, the real process: parsing and writing included) over
#      the pool file on 1 and 2 threads, with peak RSS from /usr/bin/time;
#   3. the popular alternative: the `obscenity` npm profanity filter under Node over the same
#      posts (bench/detect/npm; `npm install` there first, node_modules is git-ignored).
#
# Usage: scripts/bench_scan.sh  (env: BUILD=build POSTS=1000000 POOL=100000 NPM_POSTS=POSTS)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
POSTS=${POSTS:-1000000}
POOL=${POOL:-100000}
OUT=${OUT:-$BUILD/bench-scan}
mkdir -p "$OUT"

cmake --build "$BUILD" --target scan_bench bulwark >/dev/null
CLI="$BUILD/src/cli/bulwark"

echo "== machine: $(nproc) CPUs, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== 1. in-process detector vs raw fastText floor ($POSTS posts)"
"$BUILD/bench/detect/scan_bench" --posts "$POSTS" --pool "$POOL" --threads 1,2 \
  --write-posts "$OUT/posts.jsonl" | tee "$OUT/scan_bench.txt"

echo "== 2. whole process: $CLI scan over $OUT/posts.jsonl ($(wc -l <"$OUT/posts.jsonl") posts)"
for t in 1 2; do
  /usr/bin/time -f "peak RSS %M KB, wall %e s" "$CLI" scan --quiet --threads "$t" \
    --data-dir "$ROOT/data" --cache-dir "$BUILD/lexicon-cache" \
    --in "$OUT/posts.jsonl" --out "$OUT/verdicts.$t.jsonl" 2>"$OUT/scan.$t.time"
  wall=$(sed -n 's/.*wall \([0-9.]*\) s/\1/p' "$OUT/scan.$t.time")
  n=$(wc -l <"$OUT/verdicts.$t.jsonl")
  echo "bulwark scan, $t thread(s): $n posts in $wall s = $(awk -v n="$n" -v w="$wall" -v t="$t" \
    'BEGIN{printf "%.0f posts/s total, %.0f per thread", n/w, n/w/t}') (load included); $(cut -d, -f1 "$OUT/scan.$t.time")"
done
cmp -s "$OUT/verdicts.1.jsonl" "$OUT/verdicts.2.jsonl" && echo "answer check: 1 and 2 threads wrote identical output"

echo "== 3. npm baseline (obscenity under Node, one thread) over the same posts"
if [ ! -d "$ROOT/bench/detect/npm/node_modules/obscenity" ]; then
  (cd "$ROOT/bench/detect/npm" && npm install --no-audit --no-fund >/dev/null)
fi
node "$ROOT/bench/detect/npm/filter.js" "$OUT/posts.jsonl" "${NPM_POSTS:-$POSTS}" | tee "$OUT/npm.json"
