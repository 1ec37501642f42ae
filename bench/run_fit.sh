#!/bin/sh
# repsim's fitter against the scipy baseline, on the same data and start grid.
#
#   bench/run_fit.sh [STARTS]          default 4500: the whole Besiroglu et al. grid
#
# Environment: BUILD_DIR (default: <repo>/build, configured with
# -DREPSIM_BUILD_BENCH=ON), BOOTSTRAP (default 1000 resamples), REPEAT
# (default 3 runs of the C++ fit; its median time is used).
#
# Runs ../shared/bench/fit_scipy.py --starts STARTS (scipy L-BFGS-B, one
# thread, once: the full grid takes minutes) and build/bench/bench_fit on the
# same CSV (Chinchilla data, five highest losses dropped) and the same first
# STARTS starts (all cores), then prints both times, their ratio, and whether
# repsim's best objective is no worse than scipy's (to 1e-9). Ratios, not
# absolute times: these machines are shared and noisy.
set -eu

. "$(cd "$(dirname "$0")" && pwd)/common.sh"
starts=${1:-4500}
bootstrap=${BOOTSTRAP:-1000}
repeat=${REPEAT:-3}
data=$shared/data/chinchilla_hoffmann2022_fig4.csv
bench=$build/bench/bench_fit

require_bench bench_fit

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "\$ /usr/bin/python3 ../shared/bench/fit_scipy.py --starts $starts"
py=$(/usr/bin/python3 "$shared/bench/fit_scipy.py" --data "$data" --starts "$starts")
echo "$py"
echo
echo "\$ bench_fit --starts $starts --bootstrap $bootstrap --repeat $repeat"
cpp=$("$bench" --data "$data" --starts "$starts" --bootstrap "$bootstrap" --repeat "$repeat")
echo "$cpp"
echo

fit_line=$(echo "$cpp" | grep '^fit:')
py_s=$(field seconds "$py")
py_obj=$(field objective "$py")
cpp_s=$(field seconds "$fit_line")
cpp_obj=$(field objective "$fit_line")
threads=$(field threads "$fit_line")

awk -v ps="$py_s" -v cs="$cpp_s" -v po="$py_obj" -v co="$cpp_obj" -v n="$starts" \
    -v t="$threads" 'BEGIN {
  printf "fit, %d starts: scipy %.3f s (1 thread), repsim %.3f s (%d threads, median of runs): %.1fx faster\n",
         n, ps, cs, t, ps / cs
  d = co - po
  printf "best objective: scipy %.15g, repsim %.15g, repsim - scipy = %.3g (%s)\n",
         po, co, d, (d <= 1e-9 ? "no worse, to 1e-9" : "WORSE than scipy")
}'
boot_line=$(echo "$cpp" | grep '^bootstrap:' || true)
if [ -n "$boot_line" ]; then
  echo "bootstrap: $(field resamples "$boot_line") resamples in $(field seconds "$boot_line") s"
fi
