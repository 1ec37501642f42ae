"""repsim.plan: the planners of `repsim plan` (compute-optimal table, scaling,
data-limited allocation, Kaplan's relations). Quantities take numbers or
"25B"-style strings."""

import numbers

import numpy as np

from . import _repsim
from ._repsim import ScenarioError
from ._tables import table as _table
from ._evaluate import _short, _text, _to_float

__all__ = ["table", "scale", "allocate", "kaplan"]

_SUFFIX = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


def _quantity(name, value, required=True):
    """A number or a "25B"-style string, as scenario files take them."""
    if value is None:
        if required:
            raise ScenarioError(f"{name}: required")
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        raise ScenarioError(f"{name} = {_short(value)}: must be a number")
    if isinstance(value, numbers.Real):
        v = _to_float(name, value)
    elif isinstance(value, str):
        text = value.strip()
        scale = _SUFFIX.get(text[-1:].upper(), 1.0)
        if scale != 1.0:
            text = text[:-1]
        try:
            if not text or text[-1:].isspace() or text.lower().lstrip("+-") in ("inf", "nan", "infinity"):
                raise ValueError
            v = float(text) * scale
        except ValueError:
            raise ScenarioError(f'{name} = {_short(value)}: must be a number or a quantity like "25B" (K, M, B, T)') from None
    else:
        raise ScenarioError(f"{name} = {_short(value)}: must be a number or a quantity like \"25B\"")
    if not (np.isfinite(v) and v > 0):
        raise ScenarioError(f"{name} = {_short(value)}: must be a finite number > 0")
    return v


def _law(law, default=None):
    if law is None:
        return default
    if not isinstance(law, str):
        raise ScenarioError(f"law = {_short(law)}: a preset name (repsim.laws())")
    return _text("law", law)


def _rows(rows):
    if not rows:
        return _table({})
    return _table({k: np.array([r[k] for r in rows]) for k in rows[0]})


def table(params=None, law=None):
    """Hoffmann et al. 2022 Table 3: compute-optimal tokens and FLOPs per model size.

    params: sizes (default: the paper's nine); law: a preset's own allocation
    instead of the fit to the published rows. The columns of `repsim plan table`
    (params, flops, gopher_units, tokens, tokens_per_param, published_flops,
    published_tokens, flops_off_pct, tokens_off_pct = ours against the paper in %,
    NaN for a size the paper does not list, extrapolation) and `fitted` (the row is
    one approach 1 was fitted to).
    """
    if params is None:
        ps = []
    elif isinstance(params, (str, numbers.Real)):
        ps = [_quantity("params", params)]
    else:
        try:
            ps = [_quantity("params", p) for p in params]
        except TypeError:
            raise ScenarioError(f"params = {_short(params)}: a size or a list of sizes") from None
    return _rows(_repsim.plan_table(ps, _law(law)))


def scale(factor, law=None, compare=False):
    """How N and D grow when compute grows `factor`-fold (Kaplan vs Chinchilla-form laws),
    as `repsim plan scale`: a dict (relation, params_exponent, tokens_exponent,
    compute_factor, params_factor, tokens_factor, source) for `law` (a preset; None is
    the default law, as the CLI).

    compare=True: every preset and the Table 3 fit, one row each (a table), in the
    order of `repsim plan scale --compare`.
    """
    f = _quantity("factor", factor)
    if compare:
        if law is not None:
            raise ScenarioError("scale: give either compare=True or law=, not both")
        return _rows(_repsim.plan_scale(f, None, True))
    return _repsim.plan_scale(f, _law(law))[0]


def allocate(compute=None, unique_tokens=None, *, params=None, tokens=None, law=None, weight_decay=0.1):
    """The loss-minimising (N, D) with U unique tokens, under the data-constrained law.

    Exactly one of compute (FLOPs: the best plan with 6 N D <= C; `budget`,
    `unused_flops` and `unused_because` say what it leaves unused), params (the D
    for which N is the best size) or tokens (the N for which D is the best
    token count). law: a preset name (repsim.laws()); None is the default law
    (ratio2026, as `repsim plan allocate`). Returns {optimum, compute_optimal, loss_floor, law}, each
    plan a dict (params, tokens, unique_tokens, epochs, flops, loss, loss_if_fresh).
    weight_decay: AdamW lambda in [0, 10], scaling the law's overfitting term
    (docs/WEIGHT_DECAY.md; no effect on a law without one).
    """
    given = [(k, v) for k, v in (("compute", compute), ("params", params), ("tokens", tokens)) if v is not None]
    if len(given) != 1:
        raise ScenarioError("allocate: give exactly one of compute, params or tokens")
    what, value = given[0]
    u = _quantity("unique_tokens", unique_tokens)
    if isinstance(weight_decay, bool) or not isinstance(weight_decay, (int, float)):
        raise ScenarioError(f"weight_decay = {weight_decay!r}: must be a number in [0, 10]")
    return _repsim.plan_allocate(what, _quantity(what, value), u, _law(law), float(weight_decay))


def kaplan(loss=None, params=None, compute=None, steps=None):
    """Kaplan et al. 2020's relations: with loss, the critical batch, params, tokens and
    compute for it; with params, L(N), the data needed to avoid overfitting (and
    L(N, S) with steps); with compute, L(C_min)."""
    if loss is None and params is None and compute is None:
        raise ScenarioError("kaplan: give loss, params and/or compute")
    if steps is not None and params is None:
        raise ScenarioError("kaplan: steps needs params (L(N, S))")
    return _repsim.plan_kaplan(
        None if loss is None else _quantity("loss", loss),
        _quantity("params", params, False),
        _quantity("compute", compute, False),
        _quantity("steps", steps, False),
    )
