"""repsim's Python API against values from the papers and independent numpy code.

Reference values: Muennighoff et al. 2023 (huggingface/datablations), Hoffmann
et al. 2022 Table 3, Kaplan et al. 2020, and the synthetic runs of
tests/data/fit (generated independently of repsim)."""

import math

import numpy as np
import pytest

import repsim
from conftest import SOURCE_DIR

# Muennighoff et al. 2023's fitted law (datablations), written out here
# independently of repsim's presets.
E, A, B = math.exp(0.6254804), math.exp(6.255414), math.exp(7.3049974)
ALPHA = BETA = 0.3526596
RD, RN = 15.387756, 5.309743


def numpy_loss_repeated(n, d, u):
    """Muennighoff et al. 2023's L(N', D') in numpy (../shared/bench/sweep_numpy.py's formula)."""
    g = ((ALPHA * A) / (BETA * B)) ** (1 / (ALPHA + BETA))
    un = np.minimum(n, (u * g) ** (BETA / ALPHA) * g)
    rd = np.maximum(d / u - 1, 0)
    rn = np.maximum(n / un - 1, 0)
    dp = u + u * RD * (1 - np.exp(-rd / RD))
    np_ = un + un * RN * (1 - np.exp(-rn / RN))
    return E + A / np_**ALPHA + B / dp**BETA


def test_datablations_reference_value():
    # datablations' own check: L(6.34e9, 242e9, 25e9) = 2.2256440889984477.
    s = repsim.evaluate(params=6.34e9, tokens=242e9, unique_tokens=25e9, preset="muennighoff2023")
    assert s["loss_repeated"] == pytest.approx(2.2256440889984477, rel=1e-12)


@pytest.mark.parametrize("epochs,fraction", [(4, 0.9314), (16, 0.6614), (40, 0.3792)])
def test_effective_fraction(epochs, fraction):
    # Muennighoff et al. 2023: D'/D at 4, 16, 40 epochs (R_D* = 15.39).
    s = repsim.evaluate(params=1e9, epochs=epochs, unique_tokens=1e10, preset="muennighoff2023")
    assert s["effective_fraction"] == pytest.approx(fraction, abs=5e-5)


def test_key_spellings_agree():
    a = repsim.evaluate(params=7e9, tokens=1.4e12, unique_tokens=2e11, rate=0.1, schedule="constant")
    b = repsim.evaluate(model__params="7B", training__tokens="1.4T", data__unique_tokens="200B",
                        training__dropout__rate=0.1, training__dropout__schedule="constant")
    c = repsim.evaluate({"model.params": 7e9, "training.tokens": 1.4e12, "data.unique_tokens": 2e11,
                         "training.dropout.rate": 0.1, "training.dropout.schedule": "constant",
                         "law.preset": "ratio2026"})
    assert a == b == c
    assert a["dropout_schedule"] == "constant" and a["law"] == "ratio2026"  # the default law
    assert set(a) >= {"loss_repeated", "loss_unique", "delta", "sources", "warnings"}


def test_columns_select():
    s = repsim.evaluate(params=1e9, epochs=4, unique_tokens=1e10, columns=["delta", "epochs"])
    assert list(s) == ["delta", "epochs"] and s["epochs"] == 4


def test_broadcast_grid_against_numpy():
    n, u = 1e9, np.logspace(8, 13, 7)[:, None]
    ep = np.logspace(0, 3, 11)[None, :]
    out = repsim.evaluate(params=n, epochs=ep, unique_tokens=u, preset="muennighoff2023")
    assert out["loss_repeated"].shape == (7, 11)
    assert set(out["status"].ravel()) <= {"ok"} | {s for s in out["status"].ravel() if s.startswith("partial")}
    expected = numpy_loss_repeated(n, ep * u, u)
    np.testing.assert_allclose(out["loss_repeated"], expected, rtol=1e-12)


def test_kernel_path_agrees_with_exact_path():
    ep = np.logspace(0, 3, 40)[None, :]
    u = np.logspace(8, 13, 30)[:, None]
    cols = ["loss_repeated", "loss_unique", "delta"]
    fast = repsim.evaluate(params=1e9, epochs=ep, unique_tokens=u, columns=cols)
    exact = repsim.evaluate(params=1e9, epochs=ep, unique_tokens=u, columns=cols, exact=True)
    transposed = repsim.evaluate(params=1e9, epochs=ep.T, unique_tokens=u.T, columns=cols)
    for c in cols:
        assert fast[c].shape == (30, 40)
        np.testing.assert_allclose(fast[c], exact[c], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(transposed[c], exact[c].T, rtol=1e-12, atol=1e-14)
    # numpy's formula for muennighoff2023's repeated loss (the kernel's over-sized corner included)
    m = repsim.evaluate(params=1e9, epochs=ep, unique_tokens=u, columns=cols, preset="muennighoff2023")
    np.testing.assert_allclose(m["loss_repeated"], numpy_loss_repeated(1e9, ep * u, u), rtol=1e-12)


def test_scalar_and_array_paths_give_the_same_doubles():
    rates = np.array([0.0, 0.05, 0.1])
    out = repsim.evaluate(params=1e9, epochs=20, unique_tokens=1e10, schedule="constant", rate=rates)
    for i, r in enumerate(rates):
        s = repsim.evaluate(params=1e9, epochs=20, unique_tokens=1e10, schedule="constant", rate=float(r))
        assert out["loss_repeated"][i] == s["loss_repeated"]
        assert out["equivalent_params"][i] == s["equivalent_params"]


def test_string_arrays_and_frames():
    df = repsim.evaluate(params=["1B", "7B"], tokens="100B", unique_tokens="10B",
                         objective=np.array(["causal", "ul2"])[:, None], as_frame=True)
    assert len(df) == 4 and list(df["model.params"]) == ["1B", "7B", "1B", "7B"]
    assert list(df["objective"]) == ["causal", "causal", "ul2", "ul2"]
    assert (df["params"].to_numpy() == [1e9, 7e9, 1e9, 7e9]).all()


def test_invalid_points():
    out = repsim.evaluate(params=1e9, unique_tokens=1e10, epochs=[2.0, -1.0], columns=["delta", "status"])
    assert out["status"][0] == "ok" and out["status"][1].startswith("invalid: training.epochs = -1")
    assert math.isnan(out["delta"][1])
    with pytest.raises(repsim.ScenarioError, match=r"point \(1\) is invalid: training.epochs"):
        repsim.evaluate(params=1e9, unique_tokens=1e10, epochs=[2.0, -1.0], columns=["delta"])


def test_errors_are_located_value_errors():
    with pytest.raises(repsim.ScenarioError) as e:
        repsim.evaluate(params=1e9, tokens=1e10, unique_tokens=1e9, rate=1.5, schedule="constant")
    assert isinstance(e.value, ValueError)
    assert "training.dropout.rate = 1.5: must be in [0, 1)" in str(e.value)
    assert ":" in str(e.value).splitlines()[0] and "^" in str(e.value)
    with pytest.raises(repsim.ScenarioError, match="did you mean 'tokens'"):
        repsim.evaluate(params=1e9, tokns=1e10, unique_tokens=1e9)
    with pytest.raises(repsim.ScenarioError, match="broadcast"):
        repsim.evaluate(params=[1e9, 2e9], tokens=[1e10, 2e10, 3e10], unique_tokens=1e9)
    with pytest.raises(repsim.ScenarioError, match=r"t.toml:4:1: error: unknown key .model.parms., did you mean .params."):
        repsim.Scenario.from_toml('[scenario]\nname = "t"\n[model]\nparms = 1\n', "t.toml")
    with pytest.raises(repsim.ScenarioError, match="cannot read the file"):
        repsim.Scenario.from_file("/nonexistent/x.toml")


def test_scenario_roundtrip(tmp_path):
    path = SOURCE_DIR / "scenarios" / "t5-base-token-crisis.toml"
    result = repsim.Scenario.from_file(path).run()
    # Xue et al. 2023 T1: 2^35 tokens of 2^27 unique, 256 epochs.
    assert result.summary["epochs"] == 256
    assert result.summary["delta"] > 0
    assert len(result.trajectory) == 64 and result.compare is not None and result.sweep is None
    again = repsim.Scenario.from_toml(path.read_text()).run()
    assert again.summary == result.summary


def test_fit_recovers_synthetic_chinchilla_constants():
    # 16 noise-free runs of Hoffmann et al. 2022 eq. 10 (tests/data/fit/README.md).
    path = SOURCE_DIR / "tests" / "data" / "fit" / "chinchilla2022_synthetic.csv"
    r = repsim.fit(path, starts=300)
    assert r.constants["E"] == pytest.approx(1.69, rel=1e-4)
    assert r.constants["alpha"] == pytest.approx(0.34, rel=1e-4)
    assert r.constants["beta"] == pytest.approx(0.28, rel=1e-4)
    import csv

    with open(path) as f:
        rows = list(csv.DictReader(f))
    data = {k: np.array([float(r_[k]) for r_ in rows]) for k in ("params", "tokens", "loss")}
    r2 = repsim.fit(data, starts=300, bootstrap=8, seed=3)
    assert r2.constants == r.constants
    assert r2.intervals is not None and len(r2.samples["E"]) + r2.bootstrap["failed"] == 8
    r3 = repsim.fit(data, starts=300, bootstrap=8, seed=3, threads=1)
    assert r3.bootstrap["params"] == r2.bootstrap["params"]  # deterministic for a seed


def test_plan():
    t = repsim.plan.table()
    row = t[t["params"] == 1e9].iloc[0] if hasattr(t, "iloc") else None
    # Hoffmann et al. 2022 Table 3: 1B parameters -> 20.2B tokens, 1.21e20 FLOPs.
    assert row["tokens"] == pytest.approx(20.2e9, rel=0.01)
    assert row["flops"] == pytest.approx(1.21e20, rel=0.01)
    # Kaplan et al. 2020: N ~ C^0.73, so 10x compute -> 10^0.73 x params.
    assert repsim.plan.scale(10, law="kaplan2020")["params_factor"] == pytest.approx(10**0.73, rel=1e-12)
    # Chinchilla-form laws: beta / (alpha + beta); muennighoff2023 has alpha = beta.
    assert repsim.plan.scale("10", law="muennighoff2023")["params_exponent"] == pytest.approx(0.5)
    assert repsim.plan.allocate(compute=1e22, unique_tokens="25B")["law"] == "ratio2026"  # the default
    a = repsim.plan.allocate(compute=1e22, unique_tokens="25B", law="muennighoff2023")
    opt = a["optimum"]
    assert opt["flops"] == pytest.approx(1e22, rel=1e-9)
    assert opt["params"] * opt["tokens"] * 6 == pytest.approx(1e22, rel=1e-9)
    # Muennighoff et al.: with scarce data, a smaller model trained for more epochs.
    assert opt["params"] < a["compute_optimal"]["params"] and opt["loss"] <= a["compute_optimal"]["loss"]
    k = repsim.plan.kaplan(params=1e9)
    assert k["tokens_to_avoid_overfitting"] == pytest.approx(5e3 * 1e9**0.74, rel=1e-12)


def test_laws():
    t = repsim.laws()
    presets = list(t["preset"])
    assert "muennighoff2023" in presets and "chinchilla2022" in presets
    i = presets.index("chinchilla2022")
    assert float(np.asarray(t["E"])[i]) == pytest.approx(1.69)  # Hoffmann et al. 2022 eq. 10


def test_validate_matches_cli(binary):
    import csv
    import io
    import subprocess

    path = SOURCE_DIR / "tests" / "data" / "fit" / "muennighoff2023_all_runs.csv"
    got = repsim.validate(path, law="muennighoff2023", folds="params", group_by="dedup")
    cli = subprocess.run([binary, "validate", str(path), "--group-by", "dedup", "--law", "muennighoff2023",
                          "--folds", "params", "--format", "csv"], check=True, capture_output=True, text=True)
    rows = list(csv.DictReader(io.StringIO(cli.stdout)))
    # Cross-validated rows first (issue 21 item 4).
    assert list(got["evaluation"]) == [r["evaluation"] for r in rows] == ["cv:params", "in-sample"]
    for i, r in enumerate(rows):
        assert int(got["pairs"][i]) == int(r["pairs"]) == 86  # the 86 datablations pairs (validate --help)
        for k in ("median_abs_error_pp", "mean_abs_error_pp", "max_abs_error_pp"):
            assert float(got[k][i]) == pytest.approx(float(r[k]), rel=1e-5)  # the CLI prints 6 digits
        assert int(got["moderate_pairs"][i]) == int(r["moderate_pairs"]) == 37
    with pytest.raises(repsim.ScenarioError, match="folds = 'x'"):
        repsim.validate(path, folds="x", group_by="dedup")


def test_validate_pair_weight_matches_cli(binary):
    import csv
    import io
    import subprocess

    path = SOURCE_DIR / "tests" / "data" / "fit" / "subset_40_seed3.csv"
    for w in (0, 1, 3):
        got = repsim.validate(path, form="ratio", group_by="dedup", pair_weight=w)
        cli = subprocess.run([binary, "validate", str(path), "--group-by", "dedup", "--form", "ratio",
                              "--pair-weight", str(w), "--format", "csv"],
                             check=True, capture_output=True, text=True)
        row = list(csv.DictReader(io.StringIO(cli.stdout)))[-1]
        got_pp = float(np.asarray(got["median_abs_error_pp"])[-1])
        assert got_pp == pytest.approx(float(row["median_abs_error_pp"]), rel=1e-5)
    # The weight changes the fit: without the pairs' term the datablations pairs are
    # predicted worse on average (mean 6.76 against 6.29 pp in-sample).
    full = SOURCE_DIR / "tests" / "data" / "fit" / "muennighoff2023_all_runs.csv"
    without = repsim.validate(full, form="ratio", group_by="dedup", pair_weight=0)
    with_pairs = repsim.validate(full, form="ratio", group_by="dedup", pair_weight=1)
    assert (np.asarray(with_pairs["mean_abs_error_pp"])[-1]
            < np.asarray(without["mean_abs_error_pp"])[-1])
    some = repsim.validate(path, form="ratio", group_by="dedup", pair_weight=1)
    for bad in (-1, float("nan"), 1e7, "1", True):
        with pytest.raises(repsim.ScenarioError, match="pair_weight = "):
            repsim.validate(path, form="ratio", group_by="dedup", pair_weight=bad)
    for bad in (-3, float("inf"), 2e12, "200"):
        with pytest.raises(repsim.ScenarioError, match="rd_star = "):
            repsim.validate(path, form="ratio", group_by="dedup", rd_star=bad)
    held = repsim.validate(path, form="ratio", group_by="dedup", rd_star=50)
    assert np.asarray(held["median_abs_error_pp"])[-1] != np.asarray(some["median_abs_error_pp"])[-1]
    # huber_delta: as `repsim validate --huber-delta`, and refused out of (0, 10].
    wide = repsim.validate(path, form="ratio", group_by="dedup", huber_delta=0.1)
    cli = subprocess.run([binary, "validate", str(path), "--group-by", "dedup", "--form", "ratio",
                          "--huber-delta", "0.1", "--format", "csv"],
                         check=True, capture_output=True, text=True)
    row = list(csv.DictReader(io.StringIO(cli.stdout)))[-1]
    assert float(np.asarray(wide["median_abs_error_pp"])[-1]) == pytest.approx(
        float(row["median_abs_error_pp"]), rel=1e-5)
    assert np.asarray(wide["median_abs_error_pp"])[-1] != np.asarray(some["median_abs_error_pp"])[-1]
    for bad in (0, -0.1, 11, float("nan"), "0.1", True):
        with pytest.raises(repsim.ScenarioError, match="huber_delta = "):
            repsim.validate(path, form="ratio", group_by="dedup", huber_delta=bad)


def test_validate_allocation_and_too_little_data():
    path = SOURCE_DIR / "tests" / "data" / "fit" / "allocation_tiny.csv"
    got = repsim.validate(path, law="chinchilla2022", group_by="dedup", metric="allocation")
    # By hand (tests/test_allocation.cpp): 2 groups, one hit, regrets 0 and 10 %.
    assert list(got["evaluation"]) == ["cv:allocation", "in-sample"]
    assert list(got["groups"]) == [2, 2] and list(got["hits"]) == [1, 1]
    assert float(got["max_regret_pct"][1]) == pytest.approx(10.0)
    one_pair = {"params": [1e9, 1e9], "tokens": [1e10, 1e10], "unique_tokens": [1e10, 1e9],
                "loss": [3.0, 3.2]}
    # Too little data is bad input: a ValueError, not a RuntimeError.
    with pytest.raises(ValueError, match="too little data"):
        repsim.validate(one_pair, folds="params")
    with pytest.raises(ValueError, match="no allocation groups"):
        repsim.validate(one_pair, metric="allocation")


def test_fit_warnings_domain_and_source():
    # Losses that rise with params and tokens: no Chinchilla law fits them with
    # positive exponents, so the fit must warn (issue 22 item 10), in
    # FitResult.warnings, as Python warnings and in law_toml().
    data = {"params": [1e8, 2e8, 4e8, 8e8, 1.6e9, 3.2e9], "tokens": [1e9, 2e9, 4e9, 8e9, 1.6e10, 3.2e10],
            "loss": [2.0, 2.2, 2.4, 2.6, 2.8, 3.0]}
    with pytest.warns(UserWarning, match="negative exponent"):
        r = repsim.fit(data, starts=20)
    assert any("negative exponent" in w for w in r.warnings)
    assert r.domain["params_min"] == 1e8 and r.domain["params_max"] == 3.2e9
    assert r.domain["tokens_max"] == 3.2e10
    # No unique tokens in the Chinchilla form: each run's tokens are unique (1 epoch), as the CLI.
    assert r.domain["unique_tokens_max"] == 3.2e10 and r.domain["epochs_max"] == 1
    toml = r.law_toml()
    assert "# warning: " in toml and 'source = "repsim.fit(' in toml and 'preset = "chinchilla2022"' in toml
    # Five identical runs are one point: too little data, a ValueError.
    with pytest.raises(ValueError, match="1 distinct"):
        repsim.fit({"params": [1e9] * 5, "tokens": [1e10] * 5, "loss": [3.0] * 5})


def test_caveats_are_the_terminal_lines(binary, tmp_path):
    """Issue 21: Result.caveats carries every `assumption:` line of `repsim run`."""
    import subprocess

    path = SOURCE_DIR / "scenarios" / "weight-decay" / "token-crisis-dropout-vs-weight-decay.toml"
    result = repsim.Scenario.from_file(path).run()
    out = subprocess.run([binary, "run", str(path), "--wide", "--out", str(tmp_path)], check=True,
                         capture_output=True, text=True).stdout
    lines = [l[len("assumption: "):] for l in out.splitlines() if l.startswith("assumption: ")]
    assert lines and [c["text"] for c in result.caveats] == lines
    assert result.summary["caveats"] == result.caveats
    flips = [c for c in result.caveats if c["kind"] == "ranking_flip"]
    assert flips and all(c["range"][0] <= c["threshold"] <= c["range"][1] for c in flips)
    wd = [c for c in result.caveats if c.get("assumption") == "weight_decay_factor"]
    assert wd and wd[0]["value"] == 0.3 and wd[0]["range"] == [0.2, 0.4]


def test_weight_decay_key():
    """training.weight_decay in Python: 1.0 lowers the loss of a heavily repeated run
    under the default law (its overfitting term), and the output says its factor."""
    path = SOURCE_DIR / "scenarios" / "t5-base-token-crisis.toml"
    base = repsim.Scenario.from_file(path).run().summary
    strong = repsim.Scenario.from_toml(
        path.read_text().replace("[training]\n", "[training]\nweight_decay = 1.0\n")).run().summary
    assert strong["loss_repeated"] < base["loss_repeated"]
    assert strong["loss_unique"] == base["loss_unique"]
    assert strong["weight_decay"] == 1.0
    assert strong["weight_decay_overfit_factor"] == pytest.approx(0.3, rel=1e-12)


def test_plan_allocate_up_to_the_budget():
    """Issue 21: the best plan within the budget, with what it leaves unused."""
    huge = repsim.plan.allocate(1e26, "50B")
    assert huge["unused_because"] == "loss_rises"
    assert huge["optimum"]["flops"] + huge["unused_flops"] == pytest.approx(1e26)
    small = repsim.plan.allocate(1e22, "50B")
    assert small["unused_flops"] == 0 and small["unused_because"] == ""
    strong = repsim.plan.allocate(1e26, "50B", weight_decay=1.0)
    assert strong["optimum"]["loss"] <= huge["optimum"]["loss"]
    with pytest.raises(repsim.ScenarioError):
        repsim.plan.allocate(1e26, "50B", weight_decay=-1)


def test_implausible_inputs_raise_with_the_suggestion():
    # params = 7 meant 7B: an error naming the suffix, unless allowed.
    with pytest.raises(repsim.ScenarioError, match=r'did you mean params = "7B"\?'):
        repsim.evaluate(params=7, tokens="1.4T", unique_tokens="200B")
    s = repsim.evaluate(params=7, tokens="1.4T", unique_tokens="200B", allow_implausible=True)
    assert s["loss_unique"] > 11  # far above the cap: why it is refused by default
    with pytest.raises(repsim.ScenarioError, match=r'did you mean unique_tokens = "50B"\?'):
        repsim.evaluate(params="1B", epochs=4, unique_tokens=50)
    text = '[scenario]\nname = "p"\n[model]\nparams = 7\n[data]\nunique_tokens = "200B"\n' \
           '[training]\ntokens = "1.4T"\n'
    with pytest.raises(repsim.ScenarioError, match="p.toml:4:10"):
        repsim.Scenario.from_toml(text, "p.toml")
    assert repsim.Scenario.from_toml(text, "p.toml", allow_implausible=True).name == "p"
    # A contradiction is an error even when allowed.
    with pytest.raises(repsim.ScenarioError, match="dropout never starts"):
        repsim.evaluate(params="7B", epochs=4, unique_tokens="10B", schedule="step", rate=0.1,
                        start_epoch=10, allow_implausible=True)


def test_plan_scale_is_the_cli_s(binary):
    # One list of relations and one row table (io::ScaleRowFields) for both front ends:
    # the default law without law=, --compare's rows in its order, the same numbers.
    import json
    import subprocess

    def cli(*args):
        out = subprocess.run([binary, "plan", "scale", "--factor", "10", "--format", "json", *args],
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out)

    assert [repsim.plan.scale(10)] == cli()
    assert [repsim.plan.scale(10, law="kaplan2020")] == cli("--law", "kaplan2020")
    t = repsim.plan.scale(10, compare=True)
    rows = cli("--compare")
    names = list(t.columns) if hasattr(t, "columns") else list(t)
    assert names == list(rows[0])
    for k in names:
        assert [x.item() if hasattr(x, "item") else x for x in t[k]] == [r[k] for r in rows]


def test_plan_table_is_the_cli_s(binary):
    # `plan table` and repsim.plan.table() are one row table (io::PlanTableRowFields):
    # the CLI's columns in its order, then `fitted` (Python only); NaN where the CLI's is null.
    import json
    import math
    import subprocess

    for args, kw in ((["--params", "7B,13B,70B"], {"params": ["7B", "13B", "70B"]}),
                     ([], {}), (["--law", "muennighoff2023", "--params", "1B,1T"],
                                {"params": ["1B", "1T"], "law": "muennighoff2023"})):
        cli = json.loads(subprocess.run([binary, "plan", "table", "--format", "json", *args], check=True,
                                        capture_output=True, text=True).stdout)
        t = repsim.plan.table(**kw)
        names = list(t.columns) if hasattr(t, "columns") else list(t)
        assert names == repsim._repsim.field_names()["plan_table_row"]
        assert [n for n in names if n in cli[0]] == list(cli[0])
        for i, row in enumerate(cli):
            for k, v in row.items():
                got = t[k][i]
                got = got.item() if hasattr(got, "item") else got
                assert (v is None and math.isnan(got)) or got == v, (k, got, v)
        assert t["fitted"].dtype == bool


def test_dicts_follow_the_field_tables(binary):
    # Issue 23 item 5: fit, plan and validate build their dicts from the C++
    # field tables (src/io/result_fields.h), the same the CLI's outputs use.
    import csv
    import io
    import subprocess

    import json

    names = repsim._repsim.field_names()
    data = SOURCE_DIR / "tests" / "data" / "fit" / "subset_40_seed3.csv"
    r = repsim._repsim.fit(str(data), [], [], [], [], "data-constrained", [], 1e-3, 0, 5, 2, 1, 0)
    assert list(r) == names["fit"] + ["law_toml"]
    assert list(r["domain"]) == names["domain"]
    assert all(list(s) == names["spread"] for s in r["bootstrap"]["params"].values())
    # The dict is `repsim fit --format json` (one table, io::FitReportFields)
    # plus what only Python has; law_toml is `--format toml`.
    args = [binary, "fit", str(data), "--form", "data-constrained", "--starts", "5", "--bootstrap", "2",
            "--seed", "1"]
    cli = json.loads(subprocess.run(args + ["--format", "json"], check=True, capture_output=True,
                                    text=True).stdout)
    boot = dict(r["bootstrap"])
    assert boot.pop("params") == {k: v for k, v in cli["bootstrap"].items() if isinstance(v, dict)}
    assert len(boot.pop("samples")["E"]) == 2
    assert {**r, "bootstrap": boot, "law_toml": None} == {**cli, "law_toml": None}
    toml = subprocess.run(args + ["--format", "toml"], check=True, capture_output=True, text=True).stdout
    assert r["law_toml"] == toml.replace("`repsim fit --form data-constrained`",
                                         "`repsim.fit(form='data-constrained')`").replace(
        '"repsim fit --form data-constrained to', '"repsim.fit(form=\'data-constrained\') to')
    point = repsim.plan.allocate(1e22, 25e9)["optimum"]
    assert list(point) == names["plan_point"]
    runs = SOURCE_DIR / "tests" / "data" / "fit" / "muennighoff2023_all_runs.csv"
    got = repsim.validate(runs, law="muennighoff2023", group_by="dedup")
    assert list(got.columns) == names["validation_row"]
    cli = subprocess.run([binary, "validate", str(runs), "--group-by", "dedup", "--law", "muennighoff2023",
                          "--format", "csv"], check=True, capture_output=True, text=True)
    header = next(csv.reader(io.StringIO(cli.stdout)))
    assert [h for h in header if h != "rank"] == names["validation_row"]
    alloc = SOURCE_DIR / "tests" / "data" / "fit" / "allocation_tiny.csv"
    got = repsim.validate(alloc, law="chinchilla2022", group_by="dedup", metric="allocation")
    assert list(got.columns) == names["allocation_row"]
