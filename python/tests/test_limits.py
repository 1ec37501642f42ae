"""Issue 22 in the Python API: hostile inputs are refused before any memory
of their size is taken, with ScenarioError, never a crash or a MemoryError
half-way (the cases of the issue, measured on main: the 60,000-part key
killed the interpreter; evaluate() on a broadcast 25000 x 20000 view
allocated 3.9 GB for 11 s before refusing)."""

import resource
import time

import numpy as np
import pytest

import repsim
from repsim import _evaluate


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("text", [".".join(["a"] * 60000) + " = 1\n",
                                  "[" + ".".join(["a"] * 60000) + "]\n",
                                  "[[" + ".".join(['"a"'] * 60000) + "]]\n"])
def test_deep_key_is_a_located_error(text):
    with pytest.raises(repsim.ScenarioError) as e:
        repsim.Scenario.from_toml(text, "d.toml")
    assert "d.toml:1:" in str(e.value)
    assert "60000 dotted parts: at most 64 are allowed" in str(e.value)


def test_thirty_thousand_errors_are_capped_and_fast():
    text = "".join(f"[t{i}]\n" for i in range(30000))
    t0 = time.monotonic()
    with pytest.raises(repsim.ScenarioError) as e:
        repsim.Scenario.from_toml(text, "t.toml")
    assert time.monotonic() - t0 < 3
    message = str(e.value)
    assert message.count(": error: ") == 20
    assert "more errors (only the first 20 are shown)" in message


def test_broadcast_view_is_refused_without_materialising():
    before = peak_rss_mb()
    t0 = time.monotonic()
    with pytest.raises(repsim.ScenarioError) as e:
        repsim.evaluate(epochs=np.broadcast_to(2.0, (25000, 20000)), params=1e9,
                        unique_tokens=np.broadcast_to(1e10, (25000, 20000)))
    took = time.monotonic() - t0
    assert "500000000 points" in str(e.value)
    assert took < 1.0
    assert peak_rss_mb() - before < 100  # was 3.9 GB


def test_byte_cap_refuses_before_allocating(monkeypatch):
    # 2e6 points x all columns is ~1.5 GB by the estimate: over a 0.1 GB cap.
    monkeypatch.setattr(_evaluate, "MAX_BYTES", 10 ** 8)
    before = peak_rss_mb()
    with pytest.raises(repsim.ScenarioError) as e:
        repsim.evaluate(epochs=np.broadcast_to(np.linspace(1, 8, 2000), (1000, 2000)),
                        unique_tokens=1e10, params=1e9)
    assert "2000000 points" in str(e.value) and "GB" in str(e.value)
    assert peak_rss_mb() - before < 100
    # Fewer columns, fewer bytes: the same grid passes the estimate.
    small = repsim.evaluate(epochs=np.linspace(1, 8, 20)[None, :],
                            unique_tokens=np.geomspace(1e9, 1e11, 5)[:, None], params=1e9,
                            columns=["loss_repeated"])
    assert small["loss_repeated"].shape == (5, 20)


def test_broadcast_int_view_converts_its_one_value():
    # An int view is converted on its compact form: no 8-byte copy per point.
    grid = repsim.evaluate(epochs=np.broadcast_to(np.int64(4), (3, 4)), unique_tokens=1e10,
                           params=1e9, columns=["loss_repeated"])
    one = repsim.evaluate(epochs=4, unique_tokens=1e10, params=1e9)
    assert grid["loss_repeated"].shape == (3, 4)
    assert np.all(grid["loss_repeated"] == one["loss_repeated"])
