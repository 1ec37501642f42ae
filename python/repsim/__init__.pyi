# Type stubs of the public repsim API (PEP 561; the package ships py.typed).
# Quantities take numbers or "25B"-style strings; tables are pandas DataFrames
# when pandas is installed, else dicts of numpy arrays.
from os import PathLike
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import numpy as np

from . import plan as plan

__version__: str

Quantity = Union[float, int, str]
Table = Any  # pandas.DataFrame, or Dict[str, np.ndarray] without pandas

class ScenarioError(ValueError):
    """Bad input: the message is the command line's diagnostic."""

def evaluate(
    keys: Optional[Mapping[str, Any]] = None,
    /,
    *,
    columns: Optional[Sequence[str]] = None,
    as_frame: bool = False,
    threads: int = 0,
    exact: bool = False,
    allow_implausible: bool = False,
    **kw: Union[Quantity, str, np.ndarray, Sequence[Any]],
) -> Any:
    """Evaluate one run (a dict of summary.json's keys) or a broadcast grid of
    runs (a dict of arrays, or a DataFrame with as_frame=True)."""

def keys() -> dict[str, tuple[str, list[str], str]]:
    """Every key evaluate() accepts: {full key: (kind, choices, meaning)}."""

class Scenario:
    name: str
    description: str
    path: str
    text: str
    sweep_points: int
    @classmethod
    def from_file(cls, path: Union[str, bytes, PathLike[str]], allow_implausible: bool = False) -> "Scenario": ...
    @classmethod
    def from_toml(cls, text: Union[str, bytes], path: str = "<string>", allow_implausible: bool = False) -> "Scenario": ...
    def run(self, threads: int = 0, max_sweep_points: float = 2e7) -> "Result": ...

class Result:
    scenario: Scenario
    summary: dict[str, Any]
    trajectory: Table
    sources: Table
    compare: Optional[Table]
    sweep: Optional[Table]
    def write(self, out_dir: Union[str, bytes, PathLike[str]] = "results", png: bool = False) -> str: ...

class FitResult:
    form: str
    constants: dict[str, float]
    fixed: list[str]
    objective: float
    runs: int
    starts: int
    failed_starts: int
    converged_to_best: int
    exponent_a: float
    exponent_b: float
    warnings: list[str]
    bootstrap: Optional[dict[str, Any]]
    intervals: Optional[Table]
    samples: Optional[Table]
    def law_toml(self) -> str: ...

def fit(
    data: Union[str, PathLike[str], Mapping[str, Any], Any],
    form: str = "chinchilla",
    fix: Union[None, str, Mapping[str, float]] = None,
    bootstrap: int = 0,
    seed: int = 0,
    *,
    huber_delta: float = 1e-3,
    drop_highest: int = 0,
    starts: Optional[int] = None,
    threads: int = 0,
) -> FitResult: ...

def validate(
    data: Union[str, PathLike[str], Mapping[str, Any], Any],
    law: Union[None, str, Iterable[str]] = None,
    form: Union[None, str, Iterable[str]] = None,
    folds: Iterable[Union[str, int]] = (),
    group_by: Iterable[str] = (),
    seed: int = 0,
    threads: int = 0,
) -> Any: ...

def laws() -> Table:
    """The loss-law presets, their constants and sources (as `repsim laws`)."""
