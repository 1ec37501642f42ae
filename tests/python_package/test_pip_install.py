#!/usr/bin/python3
"""`pip install .` into a fresh venv of Debian's Python, then use it.

A venv (--system-site-packages: numpy and pandas are Debian's) gets the
package with `python -m pip install --no-build-isolation --no-index SOURCE`
(nothing downloaded); then, from a folder outside the source tree: `import
repsim` comes from the venv, a scenario runs and gives the numbers of the
`repsim` command this build made, the venv's `repsim` command and `python -m
repsim` run it too, the stubs are installed and help() shows signatures.

usage: test_pip_install.py PYTHON SOURCE_DIR REPSIM
REPSIM_BUILD_DIR (set by CTest to this build folder) makes the install reuse
that configured build instead of a fresh one (minutes); unset, it is fresh.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

PYTHON, SOURCE, REPSIM = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
SCENARIO = os.path.join(SOURCE, "scenarios", "t5-base-token-crisis.toml")
FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILURES.append(what)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def main():
    r = run([PYTHON, "-c", "import venv, ensurepip"])
    if r.returncode != 0:
        print("SKIPPED: python3-venv is not installed (`make deps`)")
        return 77
    tmp = tempfile.mkdtemp(prefix="repsim-venv-")
    try:
        venv = os.path.join(tmp, "venv")
        r = run([PYTHON, "-m", "venv", "--system-site-packages", venv])
        check(r.returncode == 0, f"python3 -m venv ({r.stderr.strip()})")
        vpy = os.path.join(venv, "bin", "python")
        env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
        env.pop("PYTHONPATH", None)
        t0 = time.monotonic()
        r = run([vpy, "-m", "pip", "install", "--no-build-isolation", "--no-index", SOURCE],
                env=env)
        took = time.monotonic() - t0
        check(r.returncode == 0, f"pip install . ({took:.1f} s; REPSIM_BUILD_DIR="
                                 f"{os.environ.get('REPSIM_BUILD_DIR', '(fresh build)')})"
                                 + ("" if r.returncode == 0 else "\n" + r.stdout[-3000:] + r.stderr[-3000:]))

        outside = os.path.join(tmp, "elsewhere")
        os.makedirs(outside)
        code = f"""
import inspect, json, os, sys
import repsim
print(json.dumps({{
  "file": repsim.__file__,
  "loss": repsim.Scenario.from_file({SCENARIO!r}).run().summary["loss_repeated"],
  "eval": repsim.evaluate(params="2.5e8", tokens=34359738368, unique_tokens=134217728,
                          objective="span_corruption")["loss_repeated"],
  "doc": repsim._repsim.load_file.__doc__,
  "sig": str(inspect.signature(repsim.evaluate)),
  "stubs": sorted(f for f in os.listdir(os.path.dirname(repsim.__file__))
                  if f.endswith(".pyi") or f == "py.typed"),
}}))
"""
        r = run([vpy, "-c", code], cwd=outside, env=env)
        check(r.returncode == 0, f"import repsim and run a scenario in the venv {r.stderr[-2000:]}")
        got = json.loads(r.stdout) if r.returncode == 0 else {}
        check(got.get("file", "").startswith(venv), f"repsim imported from the venv ({got.get('file')})")
        ref_dir = os.path.join(tmp, "ref")
        r = run([REPSIM, "run", SCENARIO, "--quiet", "--out", ref_dir])
        ref = json.load(open(os.path.join(ref_dir, "t5-base-token-crisis", "summary.json")))
        check(got.get("loss") == ref["loss_repeated"],
              f"Scenario.run() loss_repeated {got.get('loss')} == repsim run's {ref['loss_repeated']}")
        check(got.get("eval") == ref["loss_repeated"], "repsim.evaluate gives the same loss")
        check("allow_implausible: bool = False" in (got.get("doc") or ""),
              f"help() of the extension shows signatures ({(got.get('doc') or '').splitlines()[:1]})")
        check("allow_implausible" in got.get("sig", ""), f"evaluate's signature: {got.get('sig')}")
        check({"__init__.pyi", "py.typed", "plan.pyi", "_repsim.pyi"} <= set(got.get("stubs", [])),
              f"type stubs installed ({got.get('stubs')})")

        vbin = os.path.join(venv, "bin", "repsim")
        for name, cmd in (("venv/bin/repsim", [vbin]), ("python -m repsim", [vpy, "-m", "repsim"])):
            out = os.path.join(tmp, name.replace("/", "_").replace(" ", "_"))
            r = run(cmd + ["run", SCENARIO, "--quiet", "--out", out], cwd=outside, env=env)
            check(r.returncode == 0, f"{name} run ({r.stderr.strip()[-500:]})")
            a = os.path.join(out, "t5-base-token-crisis", "summary.json")
            b = os.path.join(ref_dir, "t5-base-token-crisis", "summary.json")
            check(os.path.exists(a) and open(a, "rb").read() == open(b, "rb").read(),
                  f"{name}: summary.json byte for byte as the build's repsim")
        env_path = dict(env, PATH=os.path.join(venv, "bin") + os.pathsep + env.get("PATH", ""))
        r = run(["repsim", "--version"], env=env_path, cwd=outside)
        check(r.returncode == 0 and r.stdout.startswith("repsim "), "`repsim` is on the venv's PATH")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILURES:
        print(f"{len(FAILURES)} failed")
        return 1
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
