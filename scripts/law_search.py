#!/usr/bin/python3
"""How the default law's overfitting form was chosen (issue 25, docs/MODEL.md §2b).

A one-off exploration, kept so that the choice can be re-run and questioned:
every candidate form is fitted and judged by the same cross-validation on
../shared/data/muennighoff2023_all_runs.csv, and the table it prints is the
one in MODEL.md §2b.

  /usr/bin/python3 scripts/law_search.py [--quick] [--only NAME,...]

Data built exactly as `repsim validate --group-by dedup` does (src/core/validate.cpp):
  * penalty pairs: each repeated run (U < D) with the fresh run (U >= D) of the
    same params, tokens and dedup, seed repeats averaged (86 pairs);
  * iso-FLOP groups: same dedup, same unique tokens, 6ND within ±10 % of the
    group's median, >= 3 distinct model sizes, best measured loss < 5 nats.

Columns: penalty error (pp; median / mean) cross-validated by params and by
unique tokens; allocation (hits of the measured best, regret % median / mean /
max) in-sample and cross-validated (refit without the group's runs); absolute
loss error over all runs (median / mean / max %, in-sample); median predicted /
measured penalty on the pairs measured at 0.5-10 % (cv by params); properties
(a) delta non-increasing with scale at fixed N/U and epochs, (b) loss never
rises along a run with <= 4 epochs, <= 2 params per unique token, N <= 2e11,
(c) penalty non-decreasing in epochs and non-increasing in U at fixed N, D.
"""
import argparse
import csv
import math
import sys
from collections import defaultdict

import numpy as np
from scipy.optimize import minimize

DATA = "../shared/data/muennighoff2023_all_runs.csv"
CAP = 11.0
LN1E9 = math.log(1e9)

# muennighoff2023 (datablations), the base of overfit2026.
M_E, M_A, M_B = math.exp(0.6254804), math.exp(6.255414), math.exp(7.3049974)
M_ALPHA = M_BETA = 0.3526596
# overfit2026 as shipped (src/core/law.cpp).
OF2026 = dict(e=M_E, A=M_A, B=M_B, alpha=M_ALPHA, beta=M_BETA, rd=20.443677258023268,
              rn=74.70773824629075, w=-9.60670552812429, a=3.566085638237251,
              c=2.9897476737266317, k=1.1399041029191426)


# --- data ------------------------------------------------------------------------

def load_runs():
    runs = []
    with open(DATA) as f:
        for r in csv.DictReader(f):
            runs.append(dict(n=float(r["params"]), d=float(r["tokens"]), u=float(r["unique_tokens"]),
                             loss=float(r["loss"]), dedup=r["dedup"]))
    return runs


def seed_average(runs):
    """One measurement per (dedup, N, D, U): the mean loss over seeds."""
    acc = defaultdict(list)
    for r in runs:
        acc[(r["dedup"], r["n"], r["d"], r["u"])].append(r["loss"])
    return [dict(dedup=k[0], n=k[1], d=k[2], u=k[3], loss=sum(v) / len(v)) for k, v in
            sorted(acc.items())]


def form_pairs(runs):
    rep, fresh = defaultdict(lambda: defaultdict(list)), defaultdict(lambda: defaultdict(list))
    for r in runs:
        key = (r["dedup"], r["n"], r["d"])
        (fresh if r["u"] >= r["d"] else rep)[key][r["u"]].append(r["loss"])
    pairs = []
    for key in sorted(rep):
        if key not in fresh:
            continue
        fm = [sum(v) / len(v) for v in fresh[key].values()]
        lf = sum(fm) / len(fm)
        for u in sorted(rep[key]):
            v = rep[key][u]
            pairs.append(dict(dedup=key[0], n=key[1], d=key[2], u=u, lrep=sum(v) / len(v), lfresh=lf))
    return pairs


def iso_flop_groups(meas):
    """Groups of seed-averaged runs: same dedup and U, 6ND within ±10 % of the
    group's median (greedy from the smallest compute), >= 3 sizes, best < 5."""
    by = defaultdict(list)
    for i, r in enumerate(meas):
        by[(r["dedup"], r["u"])].append(i)
    groups = []
    for key in sorted(by):
        idx = sorted(by[key], key=lambda i: meas[i]["n"] * meas[i]["d"])
        used = set()
        for s in idx:
            if s in used:
                continue
            c0 = 6 * meas[s]["n"] * meas[s]["d"]
            # Candidates within [c0, c0 * 1.1/0.9]; then keep those within
            # ±10 % of their median.
            cand = [i for i in idx if i not in used and c0 <= 6 * meas[i]["n"] * meas[i]["d"] <= c0 * 1.1 / 0.9]
            med = float(np.median([6 * meas[i]["n"] * meas[i]["d"] for i in cand]))
            mem = [i for i in cand if abs(6 * meas[i]["n"] * meas[i]["d"] / med - 1) <= 0.1]
            if s not in mem:
                continue
            used.update(mem)
            sizes = {meas[i]["n"] for i in mem}
            if len(sizes) >= 3 and min(meas[i]["loss"] for i in mem) < 5:
                groups.append(mem)
    return groups


# --- the laws ----------------------------------------------------------------------
# A law is a dict of constants plus 'kind':
#   'capped'   : Muennighoff's N', D' and z = e^w (N'/1e9)^a (U/1e9)^-c R^k inside the cap
#   'additive' : Lovelace et al.: E + A/N^a + B/D^b + P R^delta (N/U)^kappa

def n_opt(law, u):
    return np.exp((np.log(law["alpha"] * law["A"] / (law["beta"] * law["B"])) + law["beta"] * np.log(u))
                  / law["alpha"])


def eff_params(law, n, seen):
    un = np.minimum(n, n_opt(law, seen))
    rn = np.maximum(n / un - 1, 0)
    return un + un * law["rn"] * (-np.expm1(-rn / law["rn"]))


def loss(law, n, d, u):
    n, d, u = np.asarray(n, float), np.asarray(d, float), np.asarray(u, float)
    seen = np.minimum(d, u)
    r = np.maximum(d / u - 1, 0)
    if law["kind"] == "additive":
        base = law["e"] + law["A"] * n ** -law["alpha"] + law["B"] * d ** -law["beta"]
        return base + law["P"] * r ** law["delta"] * (n / seen) ** law["kappa"]
    npr = eff_params(law, n, seen)
    dp = np.where(d <= u, d, u + u * law["rd"] * (-np.expm1(-r / law["rd"])))
    lm = law["e"] + law["A"] * npr ** -law["alpha"] + law["B"] * dp ** -law["beta"]
    with np.errstate(divide="ignore"):
        lr = np.where(r > 0, np.log(np.maximum(r, 1e-300)), -np.inf)
    cap_n = n if law.get("z_n") else npr
    z = np.exp(law["w"] + law["a"] * (np.log(cap_n) - LN1E9) - law["c"] * (np.log(seen) - LN1E9) + law["k"] * lr)
    if law.get("k2", 0) > 0:  # ratio2026's early term: e^w2 (N'/1e9)^a2 (U/1e9)^-c2 ((1 + R)^k2 - 1)
        z = z + np.exp(law["w2"] + law["a2"] * (np.log(cap_n) - LN1E9) - law["c2"] * (np.log(seen) - LN1E9)) \
            * np.expm1(law["k2"] * np.log1p(r))
    if "H" in law:  # a bounded additive term: at most H nats
        return lm + law["H"] * (-np.expm1(-z))
    return lm + np.maximum(CAP - lm, 0) * (-np.expm1(-z))


def penalty_pct(law, n, d, u):
    return 100 * (loss(law, n, d, u) / loss(law, n, d, d) - 1)


# --- fitting -----------------------------------------------------------------------

def huber(r, delta):
    a = np.abs(r)
    return np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))


class Form:
    """A candidate: how its constants map to a law and how it is fitted."""

    def __init__(self, name, unpack, x0s, objective, note=""):
        self.name, self.unpack, self.x0s, self.objective, self.note = name, unpack, x0s, objective, note

    def fit(self, meas, pairs, x_hint=None):
        starts = list(self.x0s) if x_hint is None else [x_hint]
        best = None
        f = lambda x: self.objective(self.unpack(x), meas, pairs)
        for x0 in starts:
            x = np.array(x0, float)
            # L-BFGS-B (numerical gradients) then Nelder-Mead, twice: the
            # objective's scales differ by orders of magnitude. A refit for
            # cross-validation starts from the full fit's optimum and polishes
            # once (L-BFGS-B).
            for _ in range(2 if x_hint is None else 1):
                methods = [("L-BFGS-B", dict(maxiter=3000, maxfun=60000))]
                if x_hint is None:
                    methods.append(("Nelder-Mead", dict(maxiter=20000, maxfev=20000, xatol=1e-7, fatol=1e-12)))
                for method, opts in methods:
                    try:
                        r = minimize(f, x, method=method, options=opts)
                    except (FloatingPointError, ValueError):
                        continue
                    if np.isfinite(r.fun) and r.fun <= f(x):
                        x = r.x
            fx = f(x)
            if np.isfinite(fx) and (best is None or fx < best[0]):
                best = (fx, x)
        return best[1]


def arrays(meas):
    return (np.array([r["n"] for r in meas]), np.array([r["d"] for r in meas]),
            np.array([r["u"] for r in meas]), np.array([r["loss"] for r in meas]))


def pair_arrays(pairs):
    return (np.array([p["n"] for p in pairs]), np.array([p["d"] for p in pairs]),
            np.array([p["u"] for p in pairs]), np.log(np.array([p["lrep"] / p["lfresh"] for p in pairs])))


def obj_pairs(law, meas, pairs, delta=1e-2):
    n, d, u, t = pair_arrays(pairs)
    with np.errstate(all="ignore"):
        r = np.log(loss(law, n, d, u)) - np.log(loss(law, n, d, d)) - t
    v = huber(r, delta).sum()
    return v if np.isfinite(v) else 1e30


def obj_abs(law, meas, pairs, delta=1e-3, pair_weight=0.0, pair_delta=1e-2):
    n, d, u, l = arrays(meas)
    with np.errstate(all="ignore"):
        r = np.log(loss(law, n, d, u)) - np.log(l)
    v = huber(r, delta).sum()
    if pair_weight:
        v += pair_weight * obj_pairs(law, meas, pairs, pair_delta) * delta / pair_delta
    return v if np.isfinite(v) else 1e30


def capped(x, ratio, joint, height=False, z_n=False, tie=False):
    """x = [log rd, log rn, w, a, (gamma | c), log k] (+ [log E, log A, log B, alpha, beta])
    (+ [log H] with height: the term is H (1 - e^-z) instead of (cap - L_M)(1 - e^-z))."""
    law = dict(kind="capped", rd=math.exp(x[0]), rn=math.exp(x[1]), w=x[2], a=x[3], k=math.exp(x[5]))
    law["c"] = x[3] + abs(x[4]) if ratio else x[4]
    if z_n:
        law["z_n"] = True
    if height:
        law["H"] = math.exp(x[-1])
    if joint:
        law.update(e=math.exp(x[6]), A=math.exp(x[7]), B=math.exp(x[8]), alpha=x[9], beta=x[9] if tie else x[10])
    else:
        law.update(e=M_E, A=M_A, B=M_B, alpha=M_ALPHA, beta=M_BETA)
    return law


def additive(x):
    return dict(kind="additive", e=math.exp(x[0]), A=math.exp(x[1]), B=math.exp(x[2]), alpha=x[3], beta=x[4],
                P=math.exp(x[5]), delta=x[6], kappa=x[7])


MBASE = [math.log(M_E), math.log(M_A), math.log(M_B), M_ALPHA, M_BETA]


def make_forms():
    forms = {}
    of0 = [math.log(OF2026["rd"]), math.log(OF2026["rn"]), OF2026["w"], OF2026["a"], OF2026["c"], math.log(OF2026["k"])]
    forms["overfit2026"] = Form("overfit2026", lambda x: capped(x, False, False),
                                [of0, [math.log(15), math.log(5), -10, 1, 1, 0]], obj_pairs,
                                "z = e^w (N'/1e9)^a (U/1e9)^-c R^k, penalty pairs")
    r0 = [math.log(20), math.log(20), -8, 2, 0.0, 0.0]
    forms["ratio-pairs"] = Form("ratio-pairs", lambda x: capped(x, True, False),
                                [r0, [math.log(15), math.log(5), -6, 1, 0.1, 0.5]], obj_pairs,
                                "z in N'/U (a <= c), penalty pairs, E..beta Muennighoff's")
    forms["additive"] = Form("additive", additive,
                             [MBASE + [math.log(0.01), 1.0, 1.0], MBASE + [math.log(0.001), 2.0, 0.5]],
                             lambda law, m, p: obj_abs(law, m, p),
                             "Lovelace: E + A/N^a + B/D^b + P R^d (N/U)^k, all runs")
    forms["ratio-abs"] = Form("ratio-abs", lambda x: capped(x, True, True),
                              [r0 + MBASE, [math.log(15), math.log(5), -6, 1, 0.1, 0.5] + MBASE],
                              lambda law, m, p: obj_abs(law, m, p),
                              "z in N'/U (a <= c), E..beta refitted, all runs")
    forms["ratio-abs+pairs"] = Form("ratio-abs+pairs", lambda x: capped(x, True, True),
                                    [r0 + MBASE, [math.log(15), math.log(5), -6, 1, 0.1, 0.5] + MBASE],
                                    lambda law, m, p: obj_abs(law, m, p, pair_weight=1.0),
                                    "as ratio-abs, plus the penalty pairs")
    forms["free-abs+pairs"] = Form("free-abs+pairs", lambda x: capped(x, False, True),
                                   [of0 + MBASE, r0 + MBASE], lambda law, m, p: obj_abs(law, m, p, pair_weight=1.0),
                                   "overfit2026's z (a, c free), E..beta refitted, all runs + pairs")
    h0 = [math.log(7.0)]
    forms["height-abs+pairs"] = Form("height-abs+pairs", lambda x: capped(x, True, True, height=True),
                                     [r0 + MBASE + h0, [math.log(15), math.log(5), -6, 1, 0.1, 0.5] + MBASE + h0],
                                     lambda law, m, p: obj_abs(law, m, p, pair_weight=1.0),
                                     "z in N'/U (a <= c), term H (1 - e^-z), E..beta refitted, all runs + pairs")
    forms["height-n-abs+pairs"] = Form("height-n-abs+pairs", lambda x: capped(x, True, True, height=True, z_n=True),
                                       [r0 + MBASE + h0, [math.log(15), math.log(5), -6, 1, 0.1, 0.5] + MBASE + h0],
                                       lambda law, m, p: obj_abs(law, m, p, pair_weight=1.0),
                                       "z in N/U (a <= c), term H (1 - e^-z), E..beta refitted, all runs + pairs")
    forms["ratio-n-abs+pairs"] = Form("ratio-n-abs+pairs", lambda x: capped(x, True, True, z_n=True),
                                      [r0 + MBASE, [math.log(15), math.log(5), -6, 1, 0.1, 0.5] + MBASE],
                                      lambda law, m, p: obj_abs(law, m, p, pair_weight=1.0),
                                      "z in N/U (a <= c), capped, E..beta refitted, all runs + pairs")
    MTIE = MBASE[:4]
    forms["height-tie"] = Form("height-tie", lambda x: capped(x, True, True, height=True, tie=True),
                               [r0 + MTIE + h0, [math.log(15), math.log(5), -6, 1, 0.1, 0.5] + MTIE + h0],
                               lambda law, m, p: obj_abs(law, m, p, pair_weight=1.0),
                               "z in N'/U (a <= c), term H (1 - e^-z), E, A, B, alpha = beta refitted, all runs + pairs")
    forms["ratio-tie"] = Form("ratio-tie", lambda x: capped(x, True, True, tie=True),
                              [r0 + MTIE, [math.log(15), math.log(5), -6, 1, 0.1, 0.5] + MTIE],
                              lambda law, m, p: obj_abs(law, m, p, pair_weight=1.0),
                              "z in N'/U (a <= c), capped, E, A, B, alpha = beta refitted, all runs + pairs")
    return forms


# --- evaluation ----------------------------------------------------------------------

def penalty_errors(form, meas, pairs, fold_key):
    vals = sorted({p[fold_key] for p in pairs})
    pred = np.zeros(len(pairs))
    for v in vals:
        tr_pairs = [p for p in pairs if p[fold_key] != v]
        key = "n" if fold_key == "n" else "u"
        tr_meas = [m for m in meas if m[key] != v]
        law = form.unpack(form.fit(tr_meas, tr_pairs))
        for i, p in enumerate(pairs):
            if p[fold_key] == v:
                pred[i] = penalty_pct(law, p["n"], p["d"], p["u"])
    meas_pct = np.array([100 * (p["lrep"] / p["lfresh"] - 1) for p in pairs])
    return pred, meas_pct


def allocation(law_for_group, meas, groups):
    hits, regrets = 0, []
    for gi, g in enumerate(groups):
        law = law_for_group(gi)
        pred = [float(loss(law, meas[i]["n"], meas[i]["d"], meas[i]["u"])) for i in g]
        pick = g[int(np.argmin(pred))]
        best = min(meas[i]["loss"] for i in g)
        reg = 100 * (meas[pick]["loss"] / best - 1)
        hits += reg == 0
        regrets.append(reg)
    return hits, np.array(regrets)


def properties(law):
    """(a), (b), (c) on grids; returns a short string of failures."""
    out = []
    # (a) delta at fixed N/U and epochs, N from 1e7 to 1e13.
    bad_a = 0
    for ratio in [0.01, 0.05, 0.2, 1, 2, 5, 20, 80]:
        for ep in [1.5, 2, 4, 8, 16, 40, 100, 300]:
            ns = np.logspace(7, 13, 61)
            us = ns / ratio
            ds = us * ep
            delta = loss(law, ns, ds, us) - loss(law, ns, ds, ds)
            bad_a += np.sum(np.diff(delta) > 1e-9 * np.abs(delta[1:]) + 1e-12)
    out.append(f"a:{bad_a}")
    # (b) along a run, <= 4 epochs, <= 2 params per unique token.
    bad_b = 0
    for n in np.logspace(7, np.log10(2e11), 25):
        for ratio in [0.001, 0.01, 0.1, 0.5, 1, 2]:
            u = n / ratio
            ds = u * np.linspace(0.05, 4, 400)
            lo = loss(law, np.full_like(ds, n), ds, np.full_like(ds, u))
            bad_b += np.sum(np.diff(lo) > 1e-12)
    out.append(f"b:{bad_b}")
    # (c) penalty in epochs (fixed N, U) and in U (fixed N, D).
    bad_c = 0
    for n in np.logspace(7, 12, 11):
        for u in np.logspace(8, 13, 11):
            ds = u * np.logspace(0, 3.5, 200)
            p = penalty_pct(law, np.full_like(ds, n), ds, np.full_like(ds, u))
            bad_c += np.sum(np.diff(p) < -1e-9)
        for d in np.logspace(9, 13, 9):
            us = d / np.logspace(0, 3.5, 200)[::-1]
            p = penalty_pct(law, np.full_like(us, n), np.full_like(us, d), us)
            bad_c += np.sum(np.diff(p) > 1e-9)
    out.append(f"c:{bad_c}")
    return " ".join(out)


def stop_epochs(law):
    """Epoch at which the loss stops falling, compute-optimal N for U."""
    out = []
    for u in [1e9, 1e10, 1e11, 1e12, 1e13]:
        n = float(n_opt(law, u)) if law["kind"] == "capped" else float(n_opt(dict(law), u))
        ep = np.logspace(0, 4, 4000)
        lo = loss(law, np.full_like(ep, n), ep * u, np.full_like(ep, u))
        i = int(np.argmin(lo))
        out.append(f"{ep[i]:.0f}" if i < len(ep) - 1 else ">1e4")
    return "/".join(out)


# --- fits by repsim itself (the shipped fitter) ------------------------------------------

REPSIM = "build/repsim"


def repsim_fit(form, raw_runs, extra=()):
    """Fit `form` (ratio | overfit) with `repsim fit` on the given raw runs; a law dict."""
    import subprocess
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write("params,tokens,unique_tokens,loss,dedup\n")
        for r in raw_runs:
            f.write(f"{r['n']!r},{r['d']!r},{r['u']!r},{r['loss']!r},{r['dedup']}\n")
        name = f.name
    out = subprocess.run([REPSIM, "fit", name, "--form", form, "--group-by", "dedup", "--threads", "2",
                          "--format", "csv", *extra], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"repsim fit {form} {' '.join(extra)} on {name}: {out.stderr.strip()}")
    out = out.stdout
    c = {}
    for line in out.splitlines()[1:]:
        k, v = line.split(",")[:2]
        c[k] = float(v)
    if form == "ratio":
        return dict(kind="capped", e=c["E"], A=c["A"], B=c["B"], alpha=c["alpha"], beta=c["alpha"],
                    rd=c["rd_star"], rn=c["rn_star"], w=c["overfit_w"], a=c["overfit_a"], c=c["overfit_a"],
                    k=c["overfit_k"], H=c["overfit_height"], w2=c["overfit_w2"], a2=c["overfit_a2"],
                    c2=c["overfit_a2"] + 0.1, k2=c["overfit_k2"])
    return dict(kind="capped", e=M_E, A=M_A, B=M_B, alpha=M_ALPHA, beta=M_BETA, rd=c["rd_star"],
                rn=c["rn_star"], w=c["overfit_w"], a=c["overfit_a"], c=c["overfit_c"], k=c["overfit_k"])


def repsim_form(form, extra=()):
    """A Form whose fit runs `repsim fit` (cv refits: the training runs only)."""
    f = Form(f"repsim:{form}{''.join(extra)}", lambda law: law, [None], None,
             f"repsim fit --form {form} {' '.join(extra)}")

    def fit(meas, pairs, x_hint=None):
        keep = {(m["dedup"], m["n"], m["d"], m["u"]) for m in meas}
        return repsim_fit(form, [r for r in RAW if (r["dedup"], r["n"], r["d"], r["u"]) in keep], extra)
    f.fit = fit
    return f


RAW = []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--no-cv", action="store_true")
    ap.add_argument("--no-cv-pen", action="store_true", help="skip the penalty cv (repsim validate has it)")
    args = ap.parse_args()
    np.seterr(all="ignore")
    runs = load_runs()
    RAW.extend(runs)
    meas = seed_average(runs)
    pairs = form_pairs(runs)
    groups = iso_flop_groups(meas)
    print(f"# {len(runs)} runs, {len(meas)} measurements, {len(pairs)} pairs, {len(groups)} iso-FLOP groups")
    forms = make_forms()
    forms["ratio2026"] = repsim_form("ratio")
    for w in ["0", "3", "10"]:
        forms[f"ratio2026-pw{w}"] = repsim_form("ratio", ("--pair-weight", w))
    for rd in ["0", "34", "60", "100", "200"]:
        forms[f"ratio2026-rd{rd}"] = repsim_form("ratio", ("--rd-star", rd))
    for hd in ["0.01", "0.03", "0.1"]:
        for w in ["1", "3"]:
            forms[f"ratio2026-hd{hd}-pw{w}"] = repsim_form("ratio", ("--huber-delta", hd, "--pair-weight", w))
    forms["overfit2026-refit"] = repsim_form("overfit")
    names = args.only.split(",") if args.only else list(forms)
    for name in names:
        form = forms[name]
        x = form.fit(meas, pairs)
        law = form.unpack(x)
        consts = " ".join(f"{k}={v:.5g}" for k, v in law.items() if k != "kind")
        print(f"## {name}: {form.note}\n   {consts}")
        n, d, u, l = arrays(meas)
        ae = 100 * np.abs(loss(law, n, d, u) / l - 1)
        h, reg = allocation(lambda gi: law, meas, groups)
        line = (f"   abs err % {np.median(ae):.2f}/{ae.mean():.2f}/{ae.max():.1f}; "
                f"alloc in-sample {h}/{len(groups)} {np.median(reg):.2f}/{reg.mean():.2f}/{reg.max():.2f}; "
                f"props {properties(law)}; stop epochs U=1e9..1e13 {stop_epochs(law)}")
        print(line, flush=True)
        if args.no_cv:
            continue
        for key in ([] if args.no_cv_pen else ["n", "u"]):
            pred, mp = penalty_errors(form, meas, pairs, key)
            err = np.abs(pred - mp)
            mod = (mp >= 0.5) & (mp <= 10)
            print(f"   cv:{'params' if key == 'n' else 'unique_tokens'} pp {np.median(err):.2f}/{err.mean():.2f}/"
                  f"{err.max():.1f}; moderate ratio median {np.median(pred[mod] / mp[mod]):.2f} ({mod.sum()} pairs)",
                  flush=True)
        gl = {}

        def law_without(gi):
            excl = {(meas[i]["dedup"], meas[i]["n"], meas[i]["d"], meas[i]["u"]) for i in groups[gi]}
            tr = [m for m in meas if (m["dedup"], m["n"], m["d"], m["u"]) not in excl]
            tp = [p for p in pairs if (p["dedup"], p["n"], p["d"], p["u"]) not in excl
                  and not any(p["dedup"] == e[0] and p["n"] == e[1] and p["d"] == e[2] and e[3] >= e[2] for e in excl)]
            return form.unpack(form.fit(tr, tp, x_hint=x))

        if args.no_cv_pen:
            pass

        h, reg = allocation(law_without, meas, groups)
        print(f"   cv:allocation {h}/{len(groups)} regret {np.median(reg):.2f}/{reg.mean():.2f}/{reg.max():.2f}",
              flush=True)


if __name__ == "__main__":
    main()
