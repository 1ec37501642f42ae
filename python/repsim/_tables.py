"""Tables out: pandas DataFrames when pandas is installed, else dicts of numpy arrays."""

import csv
import io

import numpy as np

from . import _repsim

try:  # pandas is optional
    import pandas as _pd
except ImportError:  # pragma: no cover - Debian's python3-pandas is in `make deps`
    _pd = None


def have_pandas():
    return _pd is not None


def table(columns):
    """A DataFrame of `columns` (name -> 1-D array), or the dict itself without pandas."""
    if _pd is None:
        return columns
    return _pd.DataFrame(columns, copy=False)


def csv_columns(text):
    """The columns of a CSV file repsim wrote, each as a numpy array.

    A column whose every cell reads as a number becomes float64 (an empty cell
    is an unsolved quantity: NaN); any other column stays text. Python's
    float() rounds correctly, so each number is the double the file was
    written from (repsim writes shortest round-trip forms).
    """
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return {}
    header, body = rows[0], rows[1:]
    out = {}
    for j, name in enumerate(header):
        cells = [r[j] if j < len(r) else "" for r in body]
        try:
            out[name] = np.array([float(c) if c != "" else np.nan for c in cells], dtype=np.float64)
        except ValueError:
            out[name] = np.array(cells, dtype=object)
    return out


def csv_table(text):
    return table(csv_columns(text))


def laws():
    """The loss-law presets, their constants and sources (as `repsim laws`)."""
    rows = _repsim.laws()
    return table({k: np.array([r[k] for r in rows], dtype=object if isinstance(rows[0][k], str)
                              else np.float64) for k in rows[0]})
