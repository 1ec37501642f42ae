# Sourced by bench/run_*.sh: the paths every benchmark script needs and two
# helpers. Sets here, repo, shared, build (BUILD_DIR or <repo>/build).
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
shared=$(cd "$repo/../shared" && pwd)
build=${BUILD_DIR:-$repo/build}

# require_bench NAME: exits 2, saying how to build it, when build/bench/NAME is missing.
require_bench() {
  if [ ! -x "$build/bench/$1" ]; then
    echo "$(basename "$0"): $build/bench/$1 not found; build it with" >&2
    echo "  cmake -S $repo -B $build -G Ninja -DCMAKE_BUILD_TYPE=Release -DREPSIM_BUILD_BENCH=ON" >&2
    echo "  ninja -C $build bench/$1" >&2
    exit 2
  fi
}

# field NAME LINE: the value of NAME=... in a line of key=value output.
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }

# run_numpy N RUNS: runs ../shared/bench/sweep_numpy.py on an N x N grid RUNS times,
# printing each run; sets np_best and np_median (seconds) and np_points.
run_numpy() {
  echo "\$ /usr/bin/python3 ../shared/bench/sweep_numpy.py $1    # $2 runs"
  local secs="" py i=0
  while [ "$i" -lt "$2" ]; do
    py=$(/usr/bin/python3 "$shared/bench/sweep_numpy.py" "$1")
    echo "$py"
    secs="$secs $(field seconds "$py")"
    np_points=$(field points "$py")
    i=$((i + 1))
  done
  np_best=$(echo $secs | tr ' ' '\n' | sort -g | head -n 1)
  np_median=$(echo $secs | tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
}
