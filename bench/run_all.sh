#!/bin/sh
# Every benchmark against its baseline in ../shared/bench (`make bench`).
#   BUILD=build-bench bench/run_all.sh
# Set FIT_STARTS=300 for a quicker fit comparison (scipy's full grid takes minutes).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=${BUILD:-build-bench}
case "$build" in /*) ;; *) build="$repo/$build" ;; esac
echo "== sweep: repsim vs sweep_numpy.py"
BUILD_DIR="$build" sh "$here/run_sweep.sh"
echo
echo "== python: repsim.evaluate vs sweep_numpy.py"
BUILD_DIR="$build" sh "$here/run_python.sh"
echo
echo "== fit: repsim vs fit_scipy.py"
BUILD_DIR="$build" sh "$here/run_fit.sh" "${FIT_STARTS:-4500}"
echo
echo "== serve: /api/run latency (no baseline: the target is ~100 ms per update)"
/usr/bin/python3 "$here/bench_serve.py" "$build/repsim"
echo
echo "== select: repsim vs select_sklearn.py"
BUILD_DIR="$build" sh "$here/run_select.sh"
