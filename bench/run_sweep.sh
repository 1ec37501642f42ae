#!/bin/sh
# repsim's sweeps against the numpy baseline, on the same grid.
#
#   bench/run_sweep.sh [N]          default 3162: an N x N grid, ~10^7 points
#
# Environment: BUILD_DIR (default: <repo>/build, configured with
# -DREPSIM_BUILD_BENCH=ON), REPEAT (default 3 runs of each C++ measurement; the
# median is used), CSV_SIDE (default 1000: the CSV sweep is CSV_SIDE^2 points),
# CSV_DIR (default: the temporary folder, $TMPDIR or /tmp).
#
# Runs ../shared/bench/sweep_numpy.py N (numpy: loss_repeated, loss_unique and
# delta on the N x N grid of epochs 1..1000 x unique tokens 1e8..1e13, 1e9
# params) NUMPY_RUNS times (default 5) and build/bench/bench_sweep N on the same
# grid (all cores), then prints
#   1. the in-memory rates and their ratio (repsim's grid kernel: the same three
#      quantities per point, checked against the engine);
#   2. a CSV_SIDE^2-point sweep written to sweep.csv through RunSweep (the lean
#      file `repsim run` writes: axes, status, the columns that vary) against
#      numpy's time for its N^2 points in memory, with the two floors under it:
#      the same points evaluated in memory (every column), and their numbers
#      formatted alone (evaluated beforehand); and the time `dd` takes to write
#      as many bytes into the same folder through the page cache.
# numpy's time on these virtual machines is bimodal (0.4 s to 2.2 s for 10^7
# points, set by how fast the kernel hands it fresh memory), so both ratios are
# given against numpy's median AND its best run; the best is the honest bar.
# Ratios, not absolute times: these machines are shared and noisy.
set -eu

. "$(cd "$(dirname "$0")" && pwd)/common.sh"
n=${1:-3162}
repeat=${REPEAT:-3}
numpy_runs=${NUMPY_RUNS:-5}
csv_side=${CSV_SIDE:-1000}
csv_dir=${CSV_DIR:-${TMPDIR:-/tmp}}
bench=$build/bench/bench_sweep

require_bench bench_sweep


echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
run_numpy "$n" "$numpy_runs"
echo
echo "\$ $bench $n --repeat $repeat --csv-side $csv_side --csv-dir $csv_dir"
cpp=$("$bench" "$n" --repeat "$repeat" --csv-side "$csv_side" --csv-dir "$csv_dir")
echo "$cpp"
echo

csv=$(echo "$cpp" | grep '^csv:')
bytes=$(field bytes "$csv")
# The disk's own cost for that many bytes (page cache included), as dd sees it.
ddfile="$csv_dir/run_sweep-dd-$$"
mb=$(( (bytes + 1048575) / 1048576 ))
t0=$(date +%s.%N)
dd if=/dev/zero of="$ddfile" bs=1M count="$mb" 2>/dev/null
t1=$(date +%s.%N)
rm -f "$ddfile"
dd_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
echo "\$ dd if=/dev/zero of=$csv_dir/... bs=1M count=$mb    # $dd_secs s"
echo

kernel=$(echo "$cpp" | grep '^kernel:')
check=$(echo "$cpp" | grep '^kernel_check:')
summary=$(echo "$cpp" | grep '^summary:')
format=$(echo "$cpp" | grep '^format:')
awk -v npb="$np_best" -v npm="$np_median" -v npp="$np_points" -v runs="$numpy_runs" \
    -v k="$(field Mpoints_per_s "$kernel")" \
    -v t="$(field threads "$kernel")" -v diff="$(field max_rel_diff "$check")" \
    -v ss="$(field seconds "$summary")" -v cs="$(field seconds "$csv")" \
    -v fs="$(field seconds "$format")" -v fn="$(field numbers "$format")" \
    -v cp="$(field points "$csv")" -v cb="$bytes" -v dd="$dd_secs" 'BEGIN {
  printf "numpy, %d points in memory, %d runs: best %.3f s, median %.3f s\n\n", npp, runs, npb, npm
  printf "in memory (loss_repeated, loss_unique, delta per point):\n"
  printf "  numpy                %8.2f Mpoints/s best, %.2f median  (1 thread)\n", npp / npb / 1e6, npp / npm / 1e6
  printf "  repsim grid kernel   %8.2f Mpoints/s  (%d threads; max relative difference from Evaluate(): %s)\n", k, t, diff
  printf "  ratio                %8.1fx numpy best, %.1fx numpy median   (target: >= 10x)\n\n", k / (npp / npb / 1e6), k / (npp / npm / 1e6)
  printf "a %d-point sweep (%d threads):\n", cp, t
  printf "  in memory, every column   %8.3f s  (%.2fx numpy best)\n", ss, ss / npb
  printf "  its %d numbers formatted alone %8.3f s  (%.2fx numpy best)\n", fn, fs, fs / npb
  printf "  to the lean sweep.csv     %8.3f s  (%.0f MB; dd alone needs %.3f s for as many bytes there)\n", cs, cb / 1e6, dd
  printf "  against numpy for %d points: %.2fx its best time, %.2fx its median   (target: <= 0.8x its best)\n", npp, cs / npb, cs / npm
}'
