#!/usr/bin/env bash
# Runs every libFuzzer target for FUZZ_SECONDS each (default 60), with seed
# corpora from scenarios/, the test inputs and fuzz/seeds.py (HTTP requests,
# .npy files, the hostile cases of issue 22). New interesting inputs are kept
# in build-fuzz/corpus/<target>/; crashes land in build-fuzz/crashes/. Exits
# non-zero when a target crashed (CI fails on it).
# FUZZ_JOBS=2 runs two targets at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-1}
mkdir -p "$BUILD/corpus/fuzz_scenario" "$BUILD/corpus/fuzz_runs_csv" "$BUILD/crashes" \
  "$BUILD/fuzz-logs"
# Seeds: the shipped scenarios, the bad-input scenarios of the tests, run CSVs.
find scenarios tests -name '*.toml' -exec cp {} "$BUILD/corpus/fuzz_scenario/" \; 2>/dev/null || true
find tests -path '*fit*' -name '*.csv' -exec cp {} "$BUILD/corpus/fuzz_runs_csv/" \; 2>/dev/null || true
for f in ../shared/data/*.csv; do [ -f "$f" ] && head -40 "$f" > "$BUILD/corpus/fuzz_runs_csv/$(basename "$f")"; done
python3 fuzz/seeds.py . "$BUILD/corpus"

run_one() {
  local target=$1 name
  name=$(basename "$target")
  "$target" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -artifact_prefix="$BUILD/crashes/$name-" "$BUILD/corpus/$name" > "$BUILD/fuzz-logs/$name.log" 2>&1
  local rc=$?
  echo "== $name (${SECONDS_EACH}s): exit $rc"
  grep -E '^(#[0-9]+.*(DONE|pulse)|SUMMARY|==[0-9]+==ERROR)' "$BUILD/fuzz-logs/$name.log" | tail -3
  grep -E '^stat::number_of_executed_units|^Done [0-9]+ runs' "$BUILD/fuzz-logs/$name.log" | tail -1
  return $rc
}

failed=0
pids=()
for target in "$BUILD"/fuzz/fuzz_*; do
  run_one "$target" &
  pids+=($!)
  if [ "${#pids[@]}" -ge "$JOBS" ]; then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done
exit $failed
