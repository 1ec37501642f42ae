"""Property tests of the Python API (hypothesis; Debian python3-hypothesis).

Bounded: a fixed number of examples per property and no deadline flakiness.
The expected behaviour comes from the model's definitions, not from the
code under test:
  * evaluate() either returns finite numbers or raises ScenarioError, for
    any numbers (NaN, infinities, huge, tiny, negative) and any shapes;
  * repetition never helps: the loss on repeated data is at least the loss
    on as many unique tokens (effective data <= actual data);
  * a grid equals its points evaluated one at a time (broadcasting changes
    nothing);
  * any text given to Scenario.from_toml loads or raises ScenarioError."""

import math

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import repsim  # noqa: E402

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

any_float = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10 ** 30, 10 ** 30)
epochs_ok = st.floats(min_value=1.0, max_value=64.0)
unique_ok = st.floats(min_value=1e8, max_value=1e12)
params_ok = st.floats(min_value=1e7, max_value=1e11)


@SETTINGS
@given(epochs=any_float, unique=any_float, params=any_float)
def test_any_numbers_give_numbers_or_scenario_error(epochs, unique, params):
    try:
        out = repsim.evaluate(epochs=epochs, unique_tokens=unique, params=params)
    except repsim.ScenarioError:
        return
    for key in ("loss_repeated", "loss_unique", "effective_tokens"):
        assert math.isfinite(out[key])


@SETTINGS
@given(epochs=epochs_ok, unique=unique_ok, params=params_ok)
def test_repetition_never_helps(epochs, unique, params):
    out = repsim.evaluate(epochs=epochs, unique_tokens=unique, params=params)
    assert out["loss_repeated"] >= out["loss_unique"] * (1 - 1e-12)
    assert out["effective_tokens"] <= epochs * unique * (1 + 1e-9)


@settings(max_examples=15, deadline=None, derandomize=True)
@given(epochs=st.lists(epochs_ok, min_size=1, max_size=4),
       unique=st.lists(unique_ok, min_size=1, max_size=3), params=params_ok)
def test_grid_equals_its_points(epochs, unique, params):
    grid = repsim.evaluate(epochs=np.array(epochs)[None, :], unique_tokens=np.array(unique)[:, None],
                           params=params, columns=["loss_repeated"], exact=True)
    for i, u in enumerate(unique):
        for j, e in enumerate(epochs):
            one = repsim.evaluate(epochs=e, unique_tokens=u, params=params)
            assert grid["loss_repeated"][i, j] == pytest.approx(one["loss_repeated"], rel=1e-12)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(text=st.text(alphabet=st.sampled_from(list("[]{}.=\"'#\n ,ab1e-")), max_size=300)
       | st.builds(lambda n, h: ("[" if h else "") + ".".join(["a"] * n) + ("]" if h else " = 1"),
                   st.integers(1, 5000), st.booleans()))
def test_any_text_loads_or_raises_scenario_error(text):
    try:
        repsim.Scenario.from_toml(text)
    except repsim.ScenarioError:
        pass
