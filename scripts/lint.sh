#!/usr/bin/env bash
# CI lint (STYLE.md "Habits"): fails on
#   1. any file clang-format would change (the repo's .clang-format), all C++
#      sources and headers under include/ src/ tests/ bench/ fuzz/;
#   2. any clang-tidy finding (the repo's .clang-tidy, every check an error) in
#      the .cpp files changed since the lint base.
#
# "Changed" has to work on a clean clone with no remote (CI), so it does not
# ask a remote branch. The base is, in order:
#   $LINT_BASE                 a commit, when set (e.g. LINT_BASE=HEAD~3);
#   .ci/lint-base              the commit recorded in the repo: the last one at
#                              which the whole tree was tidy-clean. Whoever
#                              makes the whole tree clean again moves it.
# Changed = files that differ between the base and the work tree (committed
# or not). When the base is not in the clone (a shallow clone), every .cpp is
# checked: slower, never laxer. LINT_ALL=1 checks every .cpp too.
#
# clang-tidy needs the compile commands: BUILD (default build) is configured
# with CMake when it has no compile_commands.json (configuring is enough).
# Usage: scripts/lint.sh            (from anywhere in the checkout)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
status=0

mapfile -t sources < <(git ls-files -- 'include/*.h' 'src/*.h' 'src/*.cpp' 'tests/*.h' \
  'tests/*.cpp' 'bench/*.h' 'bench/*.cpp' 'fuzz/*.cpp' 'python/*.cpp' | while read -r f; do
  [ -f "$f" ] && echo "$f"
done)

# --- 1. clang-format ------------------------------------------------------------
echo "lint: clang-format --dry-run --Werror on ${#sources[@]} files"
if ! clang-format --dry-run --Werror "${sources[@]}"; then
  echo "lint: clang-format would change the files above; run: clang-format -i FILE" >&2
  status=1
fi

# --- 2. clang-tidy on changed files -------------------------------------------------
base=${LINT_BASE:-}
if [ -z "$base" ] && [ -f .ci/lint-base ]; then base=$(tr -d '[:space:]' < .ci/lint-base); fi
tidy=()
if [ "${LINT_ALL:-0}" = 1 ] || [ -z "$base" ] || ! git cat-file -e "${base}^{commit}" 2>/dev/null; then
  echo "lint: no usable lint base (${base:-none}): clang-tidy checks every .cpp"
  for f in "${sources[@]}"; do [[ $f == *.cpp ]] && tidy+=("$f"); done
else
  while read -r f; do
    [[ $f == *.cpp ]] && [ -f "$f" ] && [[ $f =~ ^(src|tests|bench|fuzz)/ ]] && tidy+=("$f")
  done < <({ git diff --name-only "$base" -- ; git ls-files --others --exclude-standard; } | sort -u)
  echo "lint: clang-tidy on ${#tidy[@]} .cpp files changed since $base"
fi
if [ "${#tidy[@]}" -gt 0 ]; then
  if [ ! -f "$BUILD/compile_commands.json" ]; then
    cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  # Only files the build knows (bench/ and fuzz/ are optional targets).
  known=()
  for f in "${tidy[@]}"; do
    grep -q "\"file\": \"$(pwd)/$f\"" "$BUILD/compile_commands.json" && known+=("$f") ||
      echo "lint: $f: not in $BUILD/compile_commands.json (target not configured), skipped"
  done
  if [ "${#known[@]}" -gt 0 ]; then
    # Two at a time: the machine has 2 cores (README).
    if ! printf '%s\n' "${known[@]}" |
      xargs -P 2 -n 1 clang-tidy -p "$BUILD" --quiet 2> >(grep -v "warnings generated" >&2); then
      echo "lint: clang-tidy reported findings (above)" >&2
      status=1
    fi
  fi
fi
[ "$status" = 0 ] && echo "lint: ok"
exit "$status"
