#!/bin/sh
# `repsim select` against the scikit-learn + numpy baseline, on the same file.
#
#   bench/run_select.sh [ROWS] [DIM] [FRACTION]     default 200000 384 0.005
#
# Environment: BUILD_DIR (default: <repo>/build), DATA_DIR (default: the
# temporary folder, $TMPDIR or /tmp; the embeddings are generated there once,
# by bench/select_data.py, and reused).
#
# Runs, one after the other on the same .npy file:
#   /usr/bin/python3 bench/select_sklearn.py   sklearn KMeans (k-means++, 20
#       Lloyd iterations, n_init=1) + numpy k-center greedy per cluster, then
#       the covering radii of the selection and of a random draw by blocked
#       matrix products (the same work as repsim);
#   build/repsim select --fraction FRACTION   FAISS K-means (20 iterations on a
#       sample of <= 256 rows per cluster) + k-center greedy, then the covering
#       radius of the selection AND of a random selection (each row's exact
#       nearest selected row, searched cluster by cluster with triangle-
#       inequality bounds), and the distance of each selected row to its
#       nearest other (what the report needs).
# and prints both covering radii and mean distances (the ratio must be within
# +-5 %) and the time ratios: the selection itself (K-means + per-cluster
# selection, the same work on both sides) and the whole command (repsim also
# measures the random baseline, which the Python script does not).
# Ratios, not absolute times: the machine is shared and noisy; say so.
set -eu

. "$(cd "$(dirname "$0")" && pwd)/common.sh"
rows=${1:-200000}
dim=${2:-384}
fraction=${3:-0.005}
data_dir=${DATA_DIR:-${TMPDIR:-/tmp}}
data="$data_dir/repsim-select-bench-${rows}x${dim}.npy"
out="$data_dir/repsim-select-bench-out"
if [ ! -x "$build/repsim" ]; then
  echo "$(basename "$0"): $build/repsim not found; build it first (make build)" >&2
  exit 2
fi

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ! -f "$data" ]; then
  /usr/bin/python3 "$here/select_data.py" "$data" "$rows" "$dim"
fi
count=$(/usr/bin/python3 -c "print(max(1, round($fraction * $rows)))")

# CPU seconds and peak memory of each process, when /usr/bin/time is there
# (Debian package `time`): on a shared machine CPU time is steadier than wall time.
timed() {
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "process: wall_s=%e user_s=%U sys_s=%S maxrss_kb=%M" \
      -o "$data_dir/select-bench-time" "$@"
    cat "$data_dir/select-bench-time"
  else
    "$@"
  fi
}

echo
echo "\$ /usr/bin/python3 bench/select_sklearn.py $data $count"
py=$(timed /usr/bin/python3 "$here/select_sklearn.py" "$data" "$count")
echo "$py"
echo
echo "\$ $build/repsim select $data --fraction $fraction --out $out"
cpp=$(timed "$build/repsim" select "$data" --fraction "$fraction" --out "$out")
echo "$cpp"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

pyt=$(echo "$py" | grep '^time:')
pyc=$(echo "$py" | grep '^coverage:')
cppt=$(echo "$cpp" | grep '^time:')
json="$out/summary.json"
radius=$(sed -n 's/^  "covering_radius": \(.*\),$/\1/p' "$json")
mean=$(sed -n 's/^  "mean_distance": \(.*\),$/\1/p' "$json")
awk -v pk="$(field kmeans_s "$pyt")" -v ps="$(field select_s "$pyt")" \
    -v pe="$(field evaluate_s "$pyt")" -v ptot="$(field total_s "$pyt")" \
    -v pr="$(field radius "$pyc")" -v pm="$(field mean "$pyc")" \
    -v ck="$(field kmeans_s "$cppt")" -v cs="$(field select_s "$cppt")" \
    -v ce="$(field evaluate_s "$cppt")" -v ctot="$(field total_s "$cppt")" \
    -v cr="$radius" -v cm="$mean" \
    -v pcpu="$(field user_s "$(echo "$py" | grep '^process:')")" \
    -v ccpu="$(field user_s "$(echo "$cpp" | grep '^process:')")" 'BEGIN {
  printf "                      sklearn+numpy     repsim    ratio\n"
  printf "K-means + selection   %10.2f s  %8.2f s  %6.1fx   (target: >= 10x)\n", pk + ps, ck + cs, (pk + ps) / (ck + cs)
  printf "  K-means             %10.2f s  %8.2f s  %6.1fx\n", pk, ck, pk / ck
  printf "  per-cluster select  %10.2f s  %8.2f s  %6.1fx\n", ps, cs, ps / cs
  printf "evaluation            %10.2f s  %8.2f s  %6.1fx   (both: selection and random baseline)\n", pe, ce, pe / ce
  printf "whole run (same work) %10.2f s  %8.2f s  %6.1fx   (target: >= 10x)\n", ptot, ctot, ptot / ctot
  if (pcpu != "" && ccpu != "") printf "whole run, CPU (user) %10.2f s  %8.2f s  %6.1fx\n", pcpu, ccpu, pcpu / ccpu
  printf "covering radius       %10.5g    %8.5g    %+.1f %% (target: within +-5 %%)\n", pr, cr, 100 * (cr - pr) / pr
  printf "mean distance         %10.5g    %8.5g    %+.1f %%\n", pm, cm, 100 * (cm - pm) / pm
}'
