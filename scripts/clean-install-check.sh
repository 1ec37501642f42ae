#!/usr/bin/env bash
# Clean-install check: builds and tests repsim inside a fresh Debian bookworm
# root made with debootstrap, using only the README's set-up (make, then
# `make test` and `make run`), and prints the result.
#
#   sudo scripts/clean-install-check.sh [ROOT_DIR]     (default /tmp/repsim-clean-root)
#
# Needs root (debootstrap, chroot, mount) and reaches only Debian's package
# mirror, read from this machine's apt sources. Not run in CI (it takes ~10 min).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=${1:-/tmp/repsim-clean-root}
[ "$(id -u)" -eq 0 ] || { echo "run as root (sudo $0)"; exit 2; }
command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap; }

# The mirror this machine's apt already uses.
mirror=$(grep -hoE '^(URIs:|deb) *[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
         | awk '{print $2}' | grep -m1 '/debian$' || true)
[ -n "$mirror" ] || { echo "no Debian mirror found in /etc/apt sources"; exit 2; }

cleanup() { umount "$root/proc" 2>/dev/null || true; }
trap cleanup EXIT

if [ ! -x "$root/bin/bash" ]; then
  echo "== debootstrap bookworm into $root"
  debootstrap --variant=minbase bookworm "$root" "$mirror" > /tmp/repsim-debootstrap.log 2>&1 \
    || { tail -20 /tmp/repsim-debootstrap.log; exit 1; }
fi
mount -t proc proc "$root/proc"

echo "== copy a clean clone of the repository (and ../shared beside it)"
rm -rf "$root/work"
mkdir -p "$root/work"
git clone -q "$here" "$root/work/repsim"
[ -d "$here/../shared" ] && cp -r "$here/../shared" "$root/work/shared"

echo "== inside the fresh root: apt-get install make, then the README's two commands"
start=$(date +%s)
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root bash -c '
  set -e
  apt-get update -qq && apt-get install -y -qq make >/dev/null
  cd /work/repsim
  make test 2>&1 | tail -15
  make run 2>&1 | tail -8
' && status=0 || status=$?
echo "== result: $([ $status -eq 0 ] && echo PASS || echo "FAIL ($status)") in $(( $(date +%s) - start )) s"
exit $status
