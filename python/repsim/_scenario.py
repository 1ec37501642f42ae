"""Scenario files from Python: load, run, and write what `repsim run` writes."""

import json
import os

from . import _repsim
from ._repsim import ScenarioError
from ._tables import csv_table, table
from ._evaluate import _check_threads, _short, _text, summary_json


class Scenario:
    """A scenario file, loaded and checked as `repsim check` checks it.

    Scenario.from_file(path) / Scenario.from_toml(text); .run() evaluates it.
    """

    def __init__(self, handle):
        if not isinstance(handle, _repsim._Scenario):
            raise TypeError("use Scenario.from_file(path) or Scenario.from_toml(text)")
        self._h = handle

    @classmethod
    def from_file(cls, path, allow_implausible=False):
        try:
            path = os.fspath(path)
        except TypeError:
            raise ScenarioError(f"path = {_short(path)}: must be a file name") from None
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        return cls(_repsim.load_file(_text("path", path), bool(allow_implausible)))

    @classmethod
    def from_toml(cls, text, path="<string>", allow_implausible=False):
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        if not isinstance(text, str):
            raise ScenarioError(f"text: must be the TOML text of a scenario, got {type(text).__name__}")
        if not isinstance(path, str):
            raise ScenarioError("path: must be a string (the name used in messages)")
        return cls(_repsim.load_text(_text("text", text), _text("path", path), bool(allow_implausible)))

    name = property(lambda self: self._h.name)
    description = property(lambda self: self._h.description)
    path = property(lambda self: self._h.path)
    text = property(lambda self: self._h.text, doc="the TOML text")
    sweep_points = property(lambda self: self._h.sweep_points, doc="points of the sweep grid, 0 without one")

    def run(self, threads=0, max_sweep_points=2e7):
        """Evaluates the scenario as `repsim run` does.

        The sweep (when the file has one) is evaluated in memory on all cores
        (`threads`), up to `max_sweep_points` points; larger grids: .write().
        """
        threads = _check_threads(threads)
        results = self._h.run()
        sweep = None
        if self._h.sweep_points:
            sweep = self._h.sweep(threads=threads, max_points=float(max_sweep_points))
        return Result(self, results, sweep, threads)

    def __repr__(self):
        return f"<repsim.Scenario {self.name!r} from {self.path}>"


class Result:
    """What Scenario.run() computed.

    summary     dict: summary.json's keys
    trajectory  table: trajectory.csv
    sources     table: sources.csv (one row per data source)
    compare     table: compare.csv (variants ranked by loss_repeated), None without [[compare]]
    caveats     list of dicts: summary.json's "caveats" -- every `assumption:` line of
                `repsim run` (kind, assumption, value, range, and for a ranking that
                flips: winner, loser, threshold, direction; text: the line itself)
    sweep       table: one row per sweep point (axis values, status, every
                summary column), None without [[sweep.axis]]
    Tables are pandas DataFrames when pandas is installed, else dicts of numpy arrays.
    write(dir)  writes exactly what `repsim run --out dir` writes.
    """

    def __init__(self, scenario, handle, sweep, threads):
        self.scenario = scenario
        self._h = handle
        self._threads = threads
        texts = handle.texts()
        self.summary = summary_json(texts["summary_json"], scenario.path)
        self.trajectory = csv_table(texts["trajectory_csv"])
        self.sources = csv_table(texts["sources_csv"])
        self.compare = csv_table(texts["compare_csv"]) if "compare_csv" in texts else None
        self.caveats = list(self.summary.get("caveats", []))
        self.sweep = table(sweep) if sweep is not None else None

    def write(self, out_dir="results", png=False):
        """Writes DIR/<name>/ as `repsim run FILE --out DIR` does; returns that folder."""
        try:
            out_dir = os.fspath(out_dir)
        except TypeError:
            raise ScenarioError(f"out_dir = {_short(out_dir)}: must be a folder name") from None
        if isinstance(out_dir, bytes):
            out_dir = os.fsdecode(out_dir)
        return self._h.write(_text("out_dir", out_dir), self._threads, bool(png))

    def __repr__(self):
        s = self.summary
        return (f"<repsim.Result {s.get('scenario')!r}: loss_repeated {s.get('loss_repeated'):.6g}, "
                f"delta {s.get('delta'):.4g}>")
