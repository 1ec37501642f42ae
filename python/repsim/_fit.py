"""repsim.fit(): a loss law fitted to your runs (the engine of `repsim fit`)."""

import numbers
import os
import warnings

import numpy as np

from . import _repsim
from ._repsim import ScenarioError
from ._tables import table
from ._evaluate import _check_threads, _short, _text, _to_float

_FIX_PRESETS = ("chinchilla2022", "besiroglu2024", "muennighoff2023")


class FitResult:
    """The best fit, and with bootstrap > 0 its spread.

    constants    dict: E, A, B, alpha, beta (and rd_star, rn_star for the
                 data-constrained form), natural units
    objective    the Huber objective at the optimum
    exponent_a/b compute-optimal exponents: N_opt ~ C^a, D_opt ~ C^b
    intervals    table (with bootstrap): per constant and exponent, mean,
                 std_error, ci95_low, ci95_high
    samples      table (with bootstrap): each resample's constants
    warnings     implausible constants, > 10 % failed bootstrap refits (also
                 issued as Python warnings)
    domain       dict: the runs' ranges (params, tokens, unique_tokens,
                 epochs min/max), the fit's domain of validity
    """

    def __init__(self, d):
        self._d = d
        self.form = d["form"]
        self.constants = dict(d["constants"])
        self.fixed = list(d["fixed"])
        self.objective = d["objective"]
        self.runs = d["runs"]
        self.starts = d["starts"]
        self.failed_starts = d["failed_starts"]
        self.converged_to_best = d["converged_to_best"]
        self.exponent_a = d["exponent_a"]
        self.exponent_b = d["exponent_b"]
        self.warnings = list(d["warnings"])
        self.domain = dict(d["domain"])  # the runs' ranges: where the fitted law holds
        self.bootstrap = d.get("bootstrap")
        self.intervals = None
        self.samples = None
        if self.bootstrap:
            p = self.bootstrap["params"]
            names = list(p)
            self.intervals = table({
                "constant": np.array(names, dtype=object),
                **{k: np.array([p[n][k] for n in names]) for k in ("mean", "std_error", "ci95_low", "ci95_high")},
            })
            self.samples = table(dict(self.bootstrap["samples"]))

    def law_toml(self):
        """The [law] table to paste into a scenario file, as `repsim fit --format toml`
        writes it (the same C++ writer): comments on how it was fitted, what was held,
        the bootstrap's standard errors, the domain and the warnings; the preset whose
        form the constants belong to, a `source` naming this fit, then the constants."""
        return self._d["law_toml"]

    def __repr__(self):
        c = ", ".join(f"{k}={v:.6g}" for k, v in self.constants.items())
        return f"<repsim.FitResult {self.form}: {c}; objective {self.objective:.6g}>"


def _int_arg(name, value, lo, hi):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ScenarioError(f"{name} = {_short(value)}: must be an integer from {lo} to {hi}")
    if not lo <= int(value) <= hi:
        raise ScenarioError(f"{name} = {value}: must be from {lo} to {hi}")
    return int(value)


def _column(data, name, required):
    try:
        col = data[name]
    except (KeyError, IndexError, TypeError, ValueError):
        if required:
            have = ", ".join(map(str, getattr(data, "keys", lambda: [])()))
            raise ScenarioError(f"data: no column '{name}' (columns: {have})") from None
        return None
    try:
        a = np.asarray(col)
        if a.dtype.kind not in "iuf" or a.ndim != 1:
            raise ValueError
        return a.astype(np.float64).tolist()
    except Exception:
        raise ScenarioError(f"data: column '{name}' must be a 1-D array of numbers") from None


def fit(data, form="chinchilla", fix=None, bootstrap=0, seed=0, *, huber_delta=1e-3,
        drop_highest=0, starts=None, threads=0):
    """Fits a loss law to measured runs, as `repsim fit` does.

    data: a CSV file (path), a DataFrame or a dict of arrays with columns
    params, tokens, loss (and unique_tokens for form="data-constrained").
    form: "chinchilla" or "data-constrained". fix: a dict {constant: value}
    (E, A, B, alpha, beta, rd_star, rn_star) or a preset name whose E, A, B,
    alpha, beta are held (chinchilla2022, besiroglu2024, muennighoff2023).
    bootstrap: resamples for standard errors and 95 % intervals (seeded by
    `seed`, the same whatever `threads`). starts: use only the first N starts
    of the grid (default: all). drop_highest: leave out the K highest losses.
    """
    _text("form", form)
    threads = _check_threads(threads)
    bootstrap = _int_arg("bootstrap", bootstrap, 0, 100000)
    seed = _int_arg("seed", seed, 0, 2**64 - 1)
    drop_highest = _int_arg("drop_highest", drop_highest, 0, 2**30)
    if starts is not None:
        starts = _int_arg("starts", starts, 1, 2**30)
    huber_delta = _to_float("huber_delta", huber_delta)
    if not (huber_delta > 0 and np.isfinite(huber_delta)):
        raise ScenarioError(f"huber_delta = {_short(huber_delta)}: must be a finite number > 0")

    fixed = []
    if isinstance(fix, str):
        if fix not in _FIX_PRESETS:
            raise ScenarioError(f"fix = '{fix}': a preset whose E, A, B, alpha, beta to hold: "
                                f"one of {', '.join(_FIX_PRESETS)}; or a dict {{constant: value}}")
        law = next(l for l in _repsim.laws() if l["preset"] == fix)
        fixed = [(k, law[k]) for k in ("E", "A", "B", "alpha", "beta")]
    elif isinstance(fix, dict):
        for k, v in fix.items():
            if not isinstance(k, str):
                raise ScenarioError(f"fix: {_short(k)} is not a constant name")
            fixed.append((_text("fix", k), _to_float(f"fix: {k}", v)))
    elif fix is not None:
        raise ScenarioError(f"fix = {_short(fix)}: a dict {{constant: value}} or a preset name")

    need_u = form == "data-constrained"
    path, cols = None, ([], [], [], [])
    if isinstance(data, (str, bytes, os.PathLike)):
        path = _text("data", os.fsdecode(os.fspath(data)))
    elif isinstance(data, dict) or hasattr(data, "columns"):
        cols = (_column(data, "params", True), _column(data, "tokens", True),
                _column(data, "unique_tokens", need_u) or [], _column(data, "loss", True))
    else:
        raise ScenarioError(f"data = {_short(data)}: a CSV path, a DataFrame or a dict of arrays")
    result = FitResult(_repsim.fit(path, cols[0], cols[1], cols[2], cols[3], form, fixed,
                                   float(huber_delta), drop_highest, starts, bootstrap, seed,
                                   threads, fix if isinstance(fix, str) else None))
    for w in result.warnings:
        warnings.warn(f"repsim.fit: {w}", stacklevel=2)
    return result


def _names(name, value):
    if value is None:
        return []
    if isinstance(value, (str, numbers.Integral)) and not isinstance(value, bool):
        value = [value]
    try:
        items = list(value)
    except TypeError:
        raise ScenarioError(f"{name} = {_short(value)}: a name or a list of names") from None
    out = []
    for v in items:
        if isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_)):
            v = str(int(v))
        out.append(_text(name, v))
    return out


def validate(data, law=None, form=None, folds=(), group_by=(), seed=0, threads=0,
             metric="penalty", pair_weight=1.0, rd_star=200.0, huber_delta=1e-3):
    """Judges repetition laws on measured runs, as `repsim validate` does.

    data: a CSV path, a DataFrame or a dict of arrays with params, tokens,
    unique_tokens, loss (and the group_by columns). Runs are paired
    (repeated vs fresh at the same params and tokens) and each candidate's
    predicted penalty is compared with the measured one, in percentage
    points: in-sample, and cross-validated for each of `folds` ("params",
    "unique_tokens", "epochs" or an integer K for K random folds, shuffled by
    `seed`). law / form: presets and forms to judge (default: those of
    `repsim validate`). Cross-validated rows come first, in-sample rows last.
    Returns a table: candidate, evaluation, pairs, median_abs_error_pp,
    mean_abs_error_pp, max_abs_error_pp, moderate_pairs, moderate_ratio_median
    (median predicted / measured penalty on the pairs whose measured penalty is
    0.5-10 %), held_at_preset (constants a fit held at the preset because the
    pairs cannot identify them; the reasons are warned).

    metric="allocation": which model size each candidate picks in groups of
    runs at equal compute (as `repsim validate --metric allocation`); columns
    candidate, evaluation ("cv:allocation" or "in-sample"), groups, hits,
    median/mean/max_regret_pct, loss_runs, median/mean/max_loss_error_pct,
    held_at_preset. Too little data raises ScenarioError (a ValueError).

    pair_weight, rd_star, huber_delta: how the ratio form is refitted: its
    weight on the pairs (default 1, as ratio2026 was fitted; 0: absolute
    losses only), its R_D* (default 200, held; 0: fitted) and the delta of its
    Huber loss on log loss (default 0.001), as `repsim validate --pair-weight
    W --rd-star R --huber-delta D`.
    """
    from ._tables import table as _table

    threads = _check_threads(threads)
    seed = _int_arg("seed", seed, 0, 2**64 - 1)
    groups = _names("group_by", group_by)
    if isinstance(data, (str, bytes, os.PathLike)):
        text, is_path = _text("data", os.fsdecode(os.fspath(data))), True
    elif isinstance(data, dict) or hasattr(data, "columns"):
        names = ["params", "tokens", "unique_tokens", "loss"] + groups
        cols = []
        for n in names:
            try:
                cols.append([str(v) for v in np.asarray(data[n]).ravel().tolist()])
            except Exception:
                raise ScenarioError(f"data: no usable column '{n}'") from None
        if len({len(c) for c in cols}) != 1:
            raise ScenarioError("data: the columns must have the same length")
        import csv as _csv
        import io as _io

        buf = _io.StringIO()
        w = _csv.writer(buf, lineterminator="\n")
        w.writerow(names)
        w.writerows(zip(*cols))
        text, is_path = _text("data", buf.getvalue()), False
    else:
        raise ScenarioError(f"data = {_short(data)}: a CSV path, a DataFrame or a dict of arrays")
    if not isinstance(metric, str):
        raise ScenarioError(f"metric = {_short(metric)}: one of 'penalty', 'allocation'")
    if isinstance(pair_weight, (bool, np.bool_)) or not isinstance(pair_weight, numbers.Real):
        raise ScenarioError(f"pair_weight = {_short(pair_weight)}: must be a number from 0 to 1e6")
    if isinstance(rd_star, (bool, np.bool_)) or not isinstance(rd_star, numbers.Real):
        raise ScenarioError(f"rd_star = {_short(rd_star)}: must be 0 (fitted) or in (0, 1e12]")
    if isinstance(huber_delta, (bool, np.bool_)) or not isinstance(huber_delta, numbers.Real):
        raise ScenarioError(f"huber_delta = {_short(huber_delta)}: must be a number > 0 and <= 10")
    res = _repsim.validate(text, is_path, groups, _names("law", law), _names("form", form),
                           _names("folds", folds), seed, threads, metric, float(pair_weight),
                           float(rd_star), float(huber_delta))
    for note in res["notes"]:
        warnings.warn(f"repsim.validate: {note}", stacklevel=2)
    text_cols = ("candidate", "evaluation", "held_at_preset")
    return _table({k: np.array(v, dtype=object if k in text_cols else None)
                   for k, v in res["table"].items()})
