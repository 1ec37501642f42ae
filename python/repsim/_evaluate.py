"""repsim.evaluate(): scenario keys in, summary.json's numbers out.

The keyword arguments are turned into the scenario file a user would have
written (TOML, one `full.key = value` line per argument), which the C++
loader checks exactly as it checks a file: the same defaults, the same
contradictions, the same messages. Array arguments are broadcast; the file
then holds each array's first value, and every point of the broadcast shape is
that scenario with the arrays' values set, resolved and evaluated as a sweep
point (repsim/sweep.h), on all cores with the GIL released.
"""

import json
import math
import numbers
import operator

import numpy as np

from . import _repsim
from ._repsim import ScenarioError
from ._tables import have_pandas

_KEYS = None  # full key -> (kind, choices, help)
_LEAVES = None  # leaf name -> [full keys]

# As sweeps: a typo must not ask for 10^12 evaluations (repsim/scenario.h).
MAX_POINTS = 1e8
# And a cap in bytes (issue 22): what a grid holds at its peak — every output
# column in C++ and again in numpy, the per-point text of name arrays — is
# estimated from the shapes before anything of the grid's size is allocated;
# over MAX_BYTES, or over 80 % of the memory available now, is refused.
MAX_BYTES = 4 * 2 ** 30


def _available_bytes():
    """MemAvailable from /proc/meminfo, or None where there is none."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _compact(a):
    """The smallest view of `a` that broadcasts back to it: every axis along
    which it does not vary (stride 0, as np.broadcast_to makes) cut to one
    element. Reads nothing; a broadcast view is never materialised."""
    if a.ndim == 0 or all(s != 0 or n <= 1 for s, n in zip(a.strides, a.shape)):
        return a
    return a[tuple(slice(0, 1) if (s == 0 and n > 1) else slice(None)
                   for s, n in zip(a.strides, a.shape))]


# A name array's values as the C++ side receives them: a Python str per
# point (~60 bytes) in a list (8), a std::string (32).
_TEXT_INPUT_BYTES = 100


def _key_tables():
    global _KEYS, _LEAVES
    if _KEYS is None:
        keys, leaves = {}, {}
        for path, kind, choices, help_text in _repsim.keys():
            if "<" in path:  # data.source.<name>.*: mixtures live in scenario files
                continue
            keys[path] = (kind, tuple(choices), help_text)
            leaves.setdefault(path.rsplit(".", 1)[-1], []).append(path)
        _KEYS, _LEAVES = keys, leaves
    return _KEYS, _LEAVES


def keys():
    """Every key evaluate() accepts: {full key: (kind, choices, meaning)}."""
    return dict(_key_tables()[0])


def _suggest(name, candidates):
    import difflib

    best = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f", did you mean '{best[0]}'?" if best else ""


def _full_key(name):
    """The full dotted key for a keyword: a leaf, a__b__c, or a dotted key."""
    if not isinstance(name, str):
        raise ScenarioError(f"key {_short(name)}: keys are strings (e.g. 'training.dropout.rate')")
    table, leaves = _key_tables()
    path = name.replace("__", ".") if "__" in name else name
    if path in table:
        return path
    if "." not in path and path in leaves:
        hits = leaves[path]
        if len(hits) == 1:
            return hits[0]
        raise ScenarioError(f"{name}: ambiguous, give the full key: one of {', '.join(hits)}")
    known = list(table) + list(leaves)
    raise ScenarioError(
        f"{name}: unknown key{_suggest(path, known)} "
        f"(keys: {', '.join(sorted(leaves))}; or full keys like training__dropout__rate)"
    )


def _toml_string(s):
    # JSON's escapes are TOML's basic-string escapes; ensure_ascii keeps any
    # odd code point an escape the loader judges.
    return json.dumps(s, ensure_ascii=True)


def _toml_scalar(key, kind, value):
    """A scalar argument as the TOML value a scenario file would hold."""
    if isinstance(value, (bool, np.bool_)):
        raise ScenarioError(f"{key} = {_short(value)}: must be a number, not a boolean")
    if isinstance(value, str):
        if kind == "number":
            raise ScenarioError(f"{key} = {_short(value)}: must be a number")
        return _toml_string(value)
    if isinstance(value, numbers.Integral):
        try:
            v = int(value)
        except Exception:
            raise ScenarioError(f"{key} = {_short(value)}: not a usable number") from None
        if -(2**63) <= v < 2**63:
            return str(v)
    if isinstance(value, numbers.Real):
        if kind == "choice":
            raise ScenarioError(f"{key} = {_short(value)}: must be one of {', '.join(_key_tables()[0][key][1])}")
        v = _to_float(key, value)
        return repr(v) if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
    raise ScenarioError(
        f"{key} = {_short(value)}: must be a number"
        + (', a quantity like "25B"' if kind == "quantity" else "")
        + (" or a name" if kind == "choice" else "")
        + ", or a numpy array of them"
    )


def _to_float(key, x):
    """A real number argument as a double; ScenarioError for anything else."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise ScenarioError(f"{key} = {_short(x)}: must be a number")
    try:
        return float(x)
    except OverflowError:  # an int beyond the doubles
        return math.inf if x > 0 else -math.inf
    except Exception:
        raise ScenarioError(f"{key} = {_short(x)}: not a usable number") from None


def _text(key, s):
    """A str argument that can cross into C++ (UTF-8 encodable, no NUL)."""
    if not isinstance(s, str):
        raise ScenarioError(f"{key} = {_short(s)}: must be a string")
    try:
        s.encode("utf-8")
    except UnicodeError:
        raise ScenarioError(f"{key} = {_short(s)}: not valid text (lone surrogate)") from None
    if "\0" in s:
        raise ScenarioError(f"{key} = {_short(s)}: contains a NUL character")
    return s


def summary_json(text, where):
    """summary.json's text as a dict; ScenarioError when the engine produced
    numbers JSON cannot hold (inf, nan: inputs outside what it can evaluate)."""
    try:
        return json.loads(text)
    except ValueError:
        bad = [line.strip() for line in text.splitlines() if "inf" in line or "nan" in line]
        raise ScenarioError(
            f"{where}: these inputs give non-finite results ({'; '.join(bad[:3])}): a constant or "
            "input is outside what the engine can evaluate"
        ) from None


def _short(value):
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."


def _as_array(key, kind, value):
    """An array argument as float64 (numbers) or an object array of str (names, "25B").
    Converted on its compact form (_compact), then broadcast back: a
    np.broadcast_to view of 5*10^8 points costs what its one value costs."""
    try:
        a = np.asarray(value)
    except Exception as e:
        raise ScenarioError(f"{key} = {_short(value)}: not an array of numbers ({e})") from None
    if a.ndim > 0 and a.size > 0:
        small = _compact(a)
        if small is not a:
            return np.broadcast_to(_as_array(key, kind, small), a.shape)
    if a.dtype.kind in "iuf":
        if kind == "choice":
            raise ScenarioError(f"{key}: takes names, not numbers")
        with np.errstate(all="ignore"):
            return a.astype(np.float64, copy=False)
    if a.dtype.kind in "US" or a.dtype.kind == "O":
        if kind == "number" and a.dtype.kind == "O":
            try:
                return _as_float_array(key, a)
            except ScenarioError:
                raise
        if kind == "number":
            raise ScenarioError(f"{key}: must be numbers, got {a.dtype} values")
        flat = a.ravel()
        out = np.empty(flat.shape, dtype=object)
        for i, x in enumerate(flat):
            if isinstance(x, bytes):
                x = x.decode("utf-8", "replace")
            if isinstance(x, str):
                out[i] = _text(key, x)
            elif isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
                raise ScenarioError(f"{key}: element {i} = {_short(x)}: must be a name, a number or a quantity like \"25B\"")
            elif kind == "choice":
                raise ScenarioError(f"{key}: element {i} = {_short(x)}: must be a name")
            else:
                out[i] = repr(_to_float(key, x))
        return out.reshape(a.shape)
    raise ScenarioError(f"{key}: an array of {a.dtype} values: must be numbers" +
                        (" or strings" if kind != "number" else ""))


def _as_float_array(key, a):
    flat = a.ravel()
    out = np.empty(flat.shape, dtype=np.float64)
    for i, x in enumerate(flat):
        out[i] = _to_float(f"{key}[{i}]", x)
    return out.reshape(a.shape)


def _is_array(value):
    if isinstance(value, (str, bytes, numbers.Number, np.generic)):
        return False
    if isinstance(value, np.ndarray):
        return value.ndim > 0
    return isinstance(value, (list, tuple, range)) or hasattr(value, "__array__")


def _arguments(keys_arg, kw):
    """(full key, value) pairs from the positional dict and the keywords."""
    pairs = []
    if keys_arg is not None:
        if not isinstance(keys_arg, dict):
            raise ScenarioError(
                f"keys = {_short(keys_arg)}: must be a dict of full keys, e.g. "
                '{"training.dropout.rate": 0.1}'
            )
        pairs.extend(keys_arg.items())
    pairs.extend(kw.items())
    out, seen = [], {}
    for name, value in pairs:
        path = _full_key(name)
        if path in seen:
            raise ScenarioError(f"{name}: given twice (also as {seen[path]})")
        seen[path] = name
        out.append((path, value))
    return out


def _scenario_text(pairs):
    """The scenario file the arguments stand for (array keys at their first value)."""
    table = _key_tables()[0]
    # law.preset first: it resets the law's constants, which later keys override.
    pairs = sorted(pairs, key=lambda kv: kv[0] != "law.preset")
    lines = ['[scenario]', 'name = "evaluate"']
    body = []
    for path, value in pairs:
        body.append(f"{path} = {_toml_scalar(path, table[path][0], value)}")
    # Dotted keys at the root define the tables, as [training.dropout] would.
    return "\n".join(body + lines) + "\n"


def _check_columns(columns):
    if columns is None:
        return None
    if isinstance(columns, str):
        columns = [columns]
    try:
        columns = list(columns)
    except TypeError:
        raise ScenarioError(f"columns = {_short(columns)}: must be a list of column names") from None
    for c in columns:
        _text("columns", c)
    if not columns:
        raise ScenarioError("columns = []: name at least one column")
    if len(set(columns)) != len(columns):
        raise ScenarioError("columns: a column is named twice")
    return columns


def _check_threads(threads):
    if isinstance(threads, (bool, np.bool_)) or not isinstance(threads, numbers.Integral):
        raise ScenarioError(f"threads = {_short(threads)}: must be an integer (0: all cores)")
    if not 0 <= int(threads) <= 1024:
        raise ScenarioError(f"threads = {threads}: must be from 0 (all cores) to 1024")
    return int(threads)


def evaluate(keys=None, /, *, columns=None, as_frame=False, threads=0, exact=False,
             allow_implausible=False, **kw):
    """Evaluate one run, or a broadcast grid of runs, from scenario keys.

    Keys: the leaf name where it is unambiguous (params=7e9, tokens=1.4e12,
    unique_tokens=2e11, rate=0.1), the full key with dots as double
    underscores (training__dropout__rate=0.1), or a dict of full keys as the
    first argument ({"training.dropout.rate": 0.1, "law.preset":
    "muennighoff2023"}). Quantities take numbers or "25B"-style strings,
    choices their names. What a scenario file needs, evaluate() needs: params,
    unique_tokens and one of tokens, epochs or compute.

    Without arrays: a dict of summary.json's keys (numbers, names, `sources`
    and `warnings`), the same values `repsim run` writes.

    With numpy arrays (or lists) for some keys: they broadcast (numpy's rules)
    and the result is a dict of arrays of the broadcast shape, one per summary
    column (float64, NaN where a quantity has no solution; text columns as
    object arrays) plus `status` ("ok", "partial: ...", "invalid: ..."), as a
    sweep reports them; as_frame=True gives a DataFrame with one row per
    point and the array arguments as columns. `columns=[...]` returns only
    those (without 'status', a point that does not resolve raises
    ScenarioError); asking for loss_repeated, loss_unique and/or delta on an
    open grid of epochs x unique_tokens (e.g. epochs[None, :],
    unique_tokens[:, None]) of a one-source, causal, dropout-free run lets the
    vectorised grid kernel serve it (agrees with the engine to ~1e-15
    relative; exact=True evaluates every point like a sweep instead, bit for
    bit as `repsim run`). threads: 0 uses every core.

    A run taken for a unit slip (params=7 meaning 7B; a predicted loss above
    the law's cap) raises ScenarioError naming the key and the likely suffix;
    allow_implausible=True evaluates it anyway (as `repsim run
    --allow-implausible`; for arrays, the first point is the one checked).
    Contradictions (active_params > params, a dropout window after the run's
    end) always raise.
    """
    allow_implausible = bool(allow_implausible)
    columns = _check_columns(columns)
    threads = _check_threads(threads)
    pairs = _arguments(keys, kw)
    table = _key_tables()[0]

    scalars, arrays = [], []
    for path, value in pairs:
        if _is_array(value):
            arrays.append((path, _as_array(path, table[path][0], value)))
        else:
            if isinstance(value, np.ndarray):  # 0-d
                value = value.item()
            elif isinstance(value, np.generic):
                value = value.item()
            scalars.append((path, value))

    if not arrays:
        summary = summary_json(_repsim.evaluate_one(_scenario_text(scalars), allow_implausible), "<repsim.evaluate>")
        summary.pop("scenario", None)
        if columns is not None:
            missing = [c for c in columns if c not in summary]
            if missing:
                raise ScenarioError(f"columns: unknown column '{missing[0]}' (one of: {', '.join(summary)})")
            summary = {c: summary[c] for c in columns}
        if as_frame:
            if not have_pandas():
                raise ScenarioError("as_frame=True needs pandas (Debian: python3-pandas)")
            import pandas as pd

            return pd.DataFrame([{k: v for k, v in summary.items() if not isinstance(v, (list, dict))}])
        return summary

    try:
        shape = np.broadcast_shapes(*(a.shape for _, a in arrays))
    except ValueError:
        shapes = ", ".join(f"{k} {a.shape}" for k, a in arrays)
        raise ScenarioError(f"the arrays do not broadcast to one shape: {shapes}") from None
    points = math.prod(shape)
    if points == 0:
        raise ScenarioError(f"the arrays broadcast to an empty shape {shape}: nothing to evaluate")
    if points > MAX_POINTS:
        raise ScenarioError(f"the arrays broadcast to {points} points, more than {MAX_POINTS:g}: "
                            "split the grid")
    texts = sum(1 for _, a in arrays if a.dtype != np.float64)
    need = points * (_repsim.point_bytes(columns) + texts * _TEXT_INPUT_BYTES
                     + (len(arrays) * 8 if as_frame else 0))
    available = _available_bytes()
    if need > MAX_BYTES or (available is not None and need > 0.8 * available):
        room = f"at most {MAX_BYTES / 1e9:.1f} GB (repsim._evaluate.MAX_BYTES)"
        if available is not None and 0.8 * available < MAX_BYTES:
            room = f"{available / 1e9:.1f} GB of memory is available now"
        raise ScenarioError(f"the arrays broadcast to {points} points, which need about "
                            f"{need / 1e9:.1f} GB; {room}: split the grid or ask for fewer "
                            "columns")

    # The scenario at the first point: what the loader checks.
    first = [(k, a.ravel()[0]) for k, a in arrays]
    first = [(k, v.item() if isinstance(v, np.generic) else v) for k, v in first]
    text = _scenario_text(scalars + first)
    keys_out, values = [], []
    for path, a in arrays:
        view = np.broadcast_to(a, shape)
        keys_out.append(path)
        if a.dtype == np.float64:
            values.append(view)
        else:
            values.append([str(x) for x in view.ravel()])
    out = _repsim.evaluate(text, keys_out, values, list(shape), columns, threads, bool(exact),
                          allow_implausible)
    if as_frame:
        if not have_pandas():
            raise ScenarioError("as_frame=True needs pandas (Debian: python3-pandas)")
        import pandas as pd

        frame = {}
        for path, a in arrays:
            frame[path] = np.broadcast_to(a, shape).ravel()
        for name, col in out.items():
            frame[name] = col.ravel()
        return pd.DataFrame(frame)
    return out
