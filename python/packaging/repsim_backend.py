"""An in-tree PEP 517 build backend for repsim (pyproject.toml).

It builds the pybind11 extension `_repsim` and the `repsim` command with CMake
for the interpreter running the build (sys.executable), then packs a wheel:

    repsim/                    the package (its .py files, _repsim*.so, .pyi stubs, py.typed)
    repsim-V.data/scripts/repsim    the compiled command (pip puts it on the venv's PATH)
    repsim-V.dist-info/        METADATA, WHEEL, RECORD

Standard library only, no build requirements: `pip install .` downloads
nothing. REPSIM_BUILD_DIR=DIR builds in DIR (an existing CMake build folder
is reused as it is configured: only the two targets are brought up to date);
without it the build is fresh, in a temporary folder. CMAKE_BUILD_PARALLEL_LEVEL
and CMAKE_CXX_COMPILER_LAUNCHER (e.g. ccache) are honoured, as CMake does.
"""

import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile

_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
_NAME = "repsim"


def _version():
    with open(os.path.join(_ROOT, "CMakeLists.txt"), encoding="utf-8") as f:
        m = re.search(r"project\(repsim VERSION ([0-9.]+)", f.read())
    if not m:
        raise RuntimeError("repsim: no `project(repsim VERSION ...)` in CMakeLists.txt")
    return m.group(1)


def _tag():
    impl = f"cp{sys.version_info.major}{sys.version_info.minor}"
    abi = impl + getattr(sys, "abiflags", "")
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return f"{impl}-{abi}-{plat}"


def _metadata(version):
    with open(os.path.join(_ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {_NAME}\n"
        f"Version: {version}\n"
        "Summary: What repeating LLM pre-training data costs: scenarios in, predicted losses out\n"
        "Requires-Python: >=3.9\n"
        "Requires-Dist: numpy\n"
        "Description-Content-Type: text/markdown\n"
        "\n" + readme
    )


def _wheel_file():
    return f"Wheel-Version: 1.0\nGenerator: repsim_backend\nRoot-Is-Purelib: false\nTag: {_tag()}\n"


def _dist_info(version):
    return f"{_NAME}-{version}.dist-info"


# --- PEP 517 hooks ---------------------------------------------------------------


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    version = _version()
    d = os.path.join(metadata_directory, _dist_info(version))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "METADATA"), "w", encoding="utf-8") as f:
        f.write(_metadata(version))
    with open(os.path.join(d, "WHEEL"), "w", encoding="utf-8") as f:
        f.write(_wheel_file())
    return os.path.basename(d)


def _run(cmd):
    print("repsim_backend:", " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, stdout=sys.stderr)


def _build(build_dir):
    """Configures (when needed) and builds the two targets; returns build_dir."""
    if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        cmd = ["cmake", "-S", _ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
               "-DREPSIM_BUILD_TESTS=OFF", f"-DPython_EXECUTABLE={sys.executable}"]
        if shutil.which("ninja"):
            cmd += ["-G", "Ninja"]
        _run(cmd)
    cmd = ["cmake", "--build", build_dir, "--target", "_repsim", "repsim"]
    if "CMAKE_BUILD_PARALLEL_LEVEL" not in os.environ:
        cmd += ["-j", str(os.cpu_count() or 1)]
    _run(cmd)
    return build_dir


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={digest},{len(data)}"


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    version = _version()
    reuse = os.environ.get("REPSIM_BUILD_DIR")
    tmp = None
    if reuse:
        build_dir = os.path.abspath(reuse)
    else:
        tmp = tempfile.mkdtemp(prefix="repsim-build-")
        build_dir = tmp
    try:
        _build(build_dir)
        pkg = os.path.join(build_dir, "python", "repsim")
        files = {}  # arcname -> (bytes, executable)
        for name in sorted(os.listdir(pkg)):
            if name.endswith(".py") or (name.startswith("_repsim") and name.endswith(".so")):
                with open(os.path.join(pkg, name), "rb") as f:
                    files[f"repsim/{name}"] = (f.read(), False)
        src_pkg = os.path.join(_ROOT, "python", "repsim")
        for name in sorted(os.listdir(src_pkg)):
            if name.endswith(".pyi") or name == "py.typed" or name.endswith(".py"):
                with open(os.path.join(src_pkg, name), "rb") as f:
                    files[f"repsim/{name}"] = (f.read(), False)
        if not any(a.endswith(".so") for a in files):
            raise RuntimeError(f"repsim: the extension was not built in {pkg} (pybind11-dev, "
                               "python3-dev installed? `make deps`)")
        with open(os.path.join(build_dir, "repsim"), "rb") as f:
            files[f"{_NAME}-{version}.data/scripts/repsim"] = (f.read(), True)
        info = _dist_info(version)
        files[f"{info}/METADATA"] = (_metadata(version).encode(), False)
        files[f"{info}/WHEEL"] = (_wheel_file().encode(), False)
        record = [_record_line(a, d) for a, (d, _) in files.items()]
        record.append(f"{info}/RECORD,,")
        files[f"{info}/RECORD"] = (("\n".join(record) + "\n").encode(), False)

        wheel_name = f"{_NAME}-{version}-{_tag()}.whl"
        path = os.path.join(wheel_directory, wheel_name)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for arcname, (data, executable) in files.items():
                zi = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
                zi.compress_type = zipfile.ZIP_DEFLATED
                # A regular file (S_IFREG) with its mode: pip makes the
                # scripts executable only when both are there.
                zi.external_attr = (0o100755 if executable else 0o100644) << 16
                z.writestr(zi, data)
        return wheel_name
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
