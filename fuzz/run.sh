#!/usr/bin/env bash
# Runs every libFuzzer target for FUZZ_SECONDS each (default 60), with seed
# corpora from scenarios/ and the test inputs. New interesting inputs are kept
# in build-fuzz/corpus/<target>/; crashes land in build-fuzz/crashes/.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-60}
mkdir -p "$BUILD/corpus/fuzz_scenario" "$BUILD/corpus/fuzz_runs_csv" "$BUILD/crashes"
# Seeds: the shipped scenarios, the bad-input scenarios of the tests, run CSVs.
find scenarios tests -name '*.toml' -exec cp {} "$BUILD/corpus/fuzz_scenario/" \; 2>/dev/null || true
find tests -path '*fit*' -name '*.csv' -exec cp {} "$BUILD/corpus/fuzz_runs_csv/" \; 2>/dev/null || true
for f in ../shared/data/*.csv; do [ -f "$f" ] && head -40 "$f" > "$BUILD/corpus/fuzz_runs_csv/$(basename "$f")"; done
for target in "$BUILD"/fuzz/fuzz_*; do
  name=$(basename "$target")
  echo "== $name for ${SECONDS_EACH}s"
  "$target" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=4096 -max_len=8192 \
    -artifact_prefix="$BUILD/crashes/$name-" "$BUILD/corpus/$name" 2>&1 | grep -E '^(#[0-9]+.*(DONE|pulse)|INFO: |==|SUMMARY|Done)' | tail -5
done
