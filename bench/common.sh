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
