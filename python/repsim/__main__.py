"""`python3 -m repsim ARGS...`: the `repsim` command, with the same arguments.

Runs the compiled command installed with the package (`pip install .` puts it
in the environment's scripts folder, next to this interpreter), else the
first `repsim` on PATH, else $REPSIM_BINARY.
"""

import os
import shutil
import sys
import sysconfig


def _binary():
    candidates = [os.path.join(sysconfig.get_path("scripts"), "repsim"),
                  os.path.join(os.path.dirname(sys.executable), "repsim"),
                  shutil.which("repsim"), os.environ.get("REPSIM_BINARY")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def main():
    binary = _binary()
    if binary is None:
        print("python3 -m repsim: the repsim command is not installed with this package "
              "(pip install . installs it; or set REPSIM_BINARY)", file=sys.stderr)
        return 2
    os.execv(binary, [binary] + sys.argv[1:])
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())
