"""Lean sweep files: sweep.csv keeps the axes, status and the varying columns;
sweep.meta.json holds the others. A lean row plus sweep.meta.json must be the
wide row (`repsim run --columns all`), cell for cell, for every shipped sweep
and for a grid built so that a column varies only at points the probes skip."""

import csv
import json
import subprocess

import pytest

from conftest import BINARY, shipped_scenarios

SWEEPS = [p for p in shipped_scenarios() if "[[sweep.axis]]" in p.read_text()]


def run(args):
    subprocess.run([BINARY, "run", "--quiet", *args], check=True)


def read(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def json_cell(v):
    """The CSV cell of a sweep.meta.json value: numbers keep their text (JSON
    numbers as repsim writes them are its CSV cells), null is empty."""
    return "" if v is None else v


def widen(lean_dir):
    rows = read(lean_dir / "sweep.csv")
    meta_path = lean_dir / "sweep.meta.json"
    if not meta_path.exists():
        return rows
    # json.loads would turn 1000000000 into an int and 1e+17 into a float: read the numbers' text.
    meta = json.loads(meta_path.read_text(), parse_float=str, parse_int=str)
    constants = meta["constant_columns"]
    header = rows[0] + list(constants)
    status = rows[0].index("status")
    out = [header]
    for r in rows[1:]:
        invalid = r[status].startswith("invalid")
        out.append(r + ["" if invalid else json_cell(v) for v in constants.values()])
    return out


def same_table(wide, widened):
    assert sorted(wide[0]) == sorted(widened[0])
    idx = [widened[0].index(c) for c in wide[0]]
    assert len(wide) == len(widened)
    for i, (a, b) in enumerate(zip(wide[1:], widened[1:])):
        assert a == [b[j] for j in idx], f"row {i + 1}"


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.stem)
def test_lean_row_plus_meta_is_the_wide_row(path, tmp_path):
    run(["--out", str(tmp_path / "lean"), str(path)])
    run(["--columns", "all", "--out", str(tmp_path / "wide"), str(path)])
    (name,) = [d.name for d in (tmp_path / "lean").iterdir()]
    lean, wide = tmp_path / "lean" / name, tmp_path / "wide" / name
    assert not (wide / "sweep.meta.json").exists()
    meta = json.loads((lean / "sweep.meta.json").read_text())
    header = read(lean / "sweep.csv")[0]
    # nothing constant left in the file, nothing varying moved out
    assert set(meta["varying_columns"]) == set(header) - {"status", *meta["axes"]}
    wide_rows = read(wide / "sweep.csv")
    for col in meta["varying_columns"]:
        j = wide_rows[0].index(col)
        assert len({r[j] for r in wide_rows[1:]}) > 1, f"{col} does not vary"
    same_table(wide_rows, widen(lean))
    # report.md and the plot data are the same either way
    assert (lean / "report.md").read_text() == (wide / "report.md").read_text()
    for f in wide.iterdir():
        if f.suffix == ".dat":
            assert (lean / f.name).read_bytes() == f.read_bytes()


def test_a_column_the_probes_miss_is_found(tmp_path):
    # 10000 values of model.params, all 1e9 but one at index 1, which the
    # probes (every other value of a long axis, 256 spread points) skip: the
    # sweep must notice params varies and write it per row.
    values = ["1e9"] * 10000
    values[1] = "2e9"
    toml = tmp_path / "probe-miss.toml"
    toml.write_text(
        '[scenario]\nname = "probe-miss"\n[model]\nparams = 1e9\n[data]\nunique_tokens = 1e10\n'
        '[training]\nepochs = 4\n[output]\nplots = false\n'
        f'[[sweep.axis]]\nkey = "model.params"\nvalues = [{", ".join(values)}]\n'
    )
    run(["--out", str(tmp_path / "lean"), str(toml)])
    run(["--columns", "all", "--out", str(tmp_path / "wide"), str(toml)])
    lean = tmp_path / "lean" / "probe-miss"
    header = read(lean / "sweep.csv")[0]
    assert "params" in header and "loss_repeated" in header
    meta = json.loads((lean / "sweep.meta.json").read_text())
    assert "params" not in meta["constant_columns"] and meta["constant_columns"]["law"] == "ratio2026"
    same_table(read(tmp_path / "wide" / "probe-miss" / "sweep.csv"), widen(lean))
