"""The module gives the CLI's numbers, bit for bit, for every shipped scenario.

`repsim run` writes every scenario of scenarios/ once; the module loads and
runs each, and every summary key, every trajectory, comparison and source row
and every sweep row must be the same double (or the same text). Then
Result.write() must write the same files, byte for byte."""

import csv
import filecmp
import json
import math
import pathlib
import subprocess

import pytest

import repsim
from conftest import BINARY, shipped_scenarios

SCENARIOS = shipped_scenarios()


@pytest.fixture(scope="module")
def cli_results(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli")
    subprocess.run([BINARY, "run", "--quiet", "--out", str(out), *map(str, SCENARIOS)], check=True)
    return out


def same(a, b):
    """Equal as repsim writes them: the same double (NaN for an empty cell), or the same text."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return a == b


def cell(text):
    if text == "":
        return math.nan
    try:
        return float(text)
    except ValueError:
        return text


def rows_of(table):
    """A result table as a list of row dicts (DataFrame or dict of arrays)."""
    if hasattr(table, "to_dict"):
        return table.to_dict("records")
    names = list(table)
    return [dict(zip(names, vals)) for vals in zip(*(table[n] for n in names))]


def check_csv(path, table, meta=None):
    """Every row of the CSV file equals the table's; a lean sweep.csv is
    widened with sweep.meta.json's constant columns (for rows not invalid)."""
    with open(path, newline="") as f:
        expected = list(csv.DictReader(f))
    got = rows_of(table)
    if meta is not None and meta.exists():
        constants = json.loads(meta.read_text())["constant_columns"]
        order = list(got[0]) if got else []
        widened = []
        for row in expected:
            invalid = row["status"].startswith("invalid")
            full = dict(row)
            for k, v in constants.items():
                full[k] = "" if invalid or v is None else (v if isinstance(v, str) else repr(v))
            widened.append({k: full[k] for k in order})
        expected = widened
    assert len(got) == len(expected), path
    for i, (e, g) in enumerate(zip(expected, got)):
        assert list(e) == list(g), f"{path}: columns differ"
        for k in e:
            gv = g[k]
            if isinstance(gv, str):  # a text column: the same text
                assert e[k] == gv, f"{path} row {i} column {k}: {e[k]!r} != {gv!r}"
                continue
            assert same(cell(e[k]), float(gv)), f"{path} row {i} column {k}: {e[k]!r} != {gv!r}"


def test_every_scenario_is_covered():
    assert len(SCENARIOS) >= 10


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_same_numbers_as_cli(path, cli_results):
    scenario = repsim.Scenario.from_file(path)
    result = scenario.run()
    folder = cli_results / scenario.name
    with open(folder / "summary.json") as f:
        expected = json.load(f)
    assert list(result.summary) == list(expected)
    for k, v in expected.items():
        assert same(result.summary[k], v) or (v is None and result.summary[k] is None), k
    check_csv(folder / "trajectory.csv", result.trajectory)
    check_csv(folder / "sources.csv", result.sources)
    if (folder / "compare.csv").exists():
        check_csv(folder / "compare.csv", result.compare)
    else:
        assert result.compare is None
    if (folder / "sweep.csv").exists():
        check_csv(folder / "sweep.csv", result.sweep, folder / "sweep.meta.json")
    else:
        assert result.sweep is None


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_write_writes_what_cli_writes(path, cli_results, tmp_path):
    scenario = repsim.Scenario.from_file(path)
    written = pathlib.Path(scenario.run().write(tmp_path))
    assert written == tmp_path / scenario.name
    expected = cli_results / scenario.name
    names = sorted(p.name for p in expected.iterdir())
    assert sorted(p.name for p in written.iterdir()) == names
    match, mismatch, errors = filecmp.cmpfiles(expected, written, names, shallow=False)
    assert not mismatch and not errors, (mismatch, errors)


def test_evaluate_matches_cli_summary(cli_results, tmp_path):
    """evaluate() with keyword arguments is the scenario file written out."""
    toml = tmp_path / "kw.toml"
    toml.write_text(
        '[scenario]\nname = "kw"\n[model]\nparams = "7B"\n[data]\nunique_tokens = "200B"\n'
        '[training]\ntokens = "1.4T"\n[training.dropout]\nschedule = "constant"\nrate = 0.1\n'
    )
    subprocess.run([BINARY, "run", "--quiet", "--out", str(tmp_path), str(toml)], check=True)
    expected = json.loads((tmp_path / "kw" / "summary.json").read_text())
    got = repsim.evaluate(params="7B", unique_tokens=2e11, tokens="1.4T",
                          training__dropout__schedule="constant", rate=0.1)
    expected.pop("scenario")
    assert got == expected
