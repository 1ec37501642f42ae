#!/bin/sh
# The Python module against the numpy baseline, in one run, on the same grid.
#
#   bench/run_python.sh [N]          default 3162: an N x N grid, ~10^7 points
#
# Environment: BUILD_DIR (default: <repo>/build; the module is built there in
# build/python whenever pybind11-dev and python3-dev are installed), NUMPY_RUNS
# (default 5 runs of ../shared/bench/sweep_numpy.py), REPEAT (default 5 runs of
# repsim.evaluate inside one interpreter), LAW (a law preset; default: the
# default law).
#
# numpy's time on these virtual machines is bimodal (see run_sweep.sh), so the
# ratio is given against its best run (the bar) and its median. Ratios, not
# absolute times: the machines are shared and noisy.
set -eu

. "$(cd "$(dirname "$0")" && pwd)/common.sh"
n=${1:-3162}
numpy_runs=${NUMPY_RUNS:-5}
repeat=${REPEAT:-5}
if ! ls "$build"/python/repsim/_repsim*.so >/dev/null 2>&1; then
  echo "$(basename "$0"): $build/python/repsim is not built (needs pybind11-dev, python3-dev: make deps; then cmake --build $build)" >&2
  exit 2
fi

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
run_numpy "$n" "$numpy_runs"
echo
law_arg=${LAW:+--law $LAW}
echo "\$ PYTHONPATH=$build/python /usr/bin/python3 bench/bench_python.py $n --repeat $repeat $law_arg"
out=$(PYTHONPATH="$build/python" /usr/bin/python3 "$here/bench_python.py" "$n" --repeat "$repeat" $law_arg)
echo "$out"
echo
line=$(echo "$out" | grep '^python:')
check=$(echo "$out" | grep '^python_check:')
awk -v npb="$np_best" -v npm="$np_median" -v npp="$np_points" -v runs="$numpy_runs" \
    -v s="$(field seconds "$line")" -v b="$(field best "$line")" -v pts="$(field points "$line")" \
    -v diff="$(field max_rel_diff "$check")" 'BEGIN {
  printf "numpy, %d points in memory, %d runs: best %.3f s, median %.3f s\n", npp, runs, npb, npm
  printf "repsim.evaluate, %d points (loss_repeated, loss_unique, delta): median %.3f s, best %.3f s\n", pts, s, b
  printf "  (max relative difference from the exact per-point path: %s)\n", diff
  printf "  ratio (median against median-rate): %.1fx numpy best, %.1fx numpy median   (target: >= 10x numpy best)\n", (pts / s) / (npp / npb), (pts / s) / (npp / npm)
}'
