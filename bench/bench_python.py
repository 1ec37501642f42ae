#!/usr/bin/python3
"""repsim.evaluate over the baseline's grid (../shared/bench/sweep_numpy.py).

    PYTHONPATH=build/python /usr/bin/python3 bench/bench_python.py [N] [--repeat R] [--threads T] [--law PRESET]

The grid is sweep_numpy.py's: N x N (default 3162, ~10^7 points), epochs
1..1000 (log) along the columns x unique tokens 1e8..1e13 (log) along the
rows, a 1e9-parameter model under the default law (--law: another preset; the
baseline's formula is muennighoff2023's Chinchilla form, without overfit2026's
overfitting term). The timed region is what a
notebook user writes: build the two axes and call

    repsim.evaluate(params=1e9, epochs=ep[None, :], unique_tokens=uu[:, None],
                    columns=["loss_repeated", "loss_unique", "delta"])

which returns three N x N float64 arrays (the open grid is served by the C++
grid kernel, GIL released, all cores). Prints the median and best of R runs
(default 5), and a check: the largest relative difference of the three
arrays from the exact per-point path (exact=True: the engine, as `repsim run`
evaluates a sweep) on a 200 x 200 subgrid.

delta_sum differs from the baseline's: the engine's fresh-data loss applies
MODEL.md §2's excess-parameter decay when the model is larger than
compute-optimal for its tokens, which the baseline's plain L(N, D) does not.
"""
import argparse
import time

import numpy as np

import repsim

COLUMNS = ["loss_repeated", "loss_unique", "delta"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=3162)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--law", default=None, help="a law preset (default: repsim's default law)")
    a = ap.parse_args()
    n = a.n
    law = {"law.preset": a.law} if a.law else None
    times = []
    out = None
    for _ in range(a.repeat):
        out = None
        t0 = time.perf_counter()
        ep = np.logspace(0, 3, n)
        uu = np.logspace(8, 13, n)
        out = repsim.evaluate(law, params=1e9, epochs=ep[None, :], unique_tokens=uu[:, None],
                              columns=COLUMNS, threads=a.threads)
        times.append(time.perf_counter() - t0)
    times.sort()
    median = times[len(times) // 2] if len(times) % 2 else 0.5 * (times[len(times) // 2 - 1] + times[len(times) // 2])
    best = times[0]
    print(f"python: points={n * n} seconds={median:.4f} best={best:.4f} "
          f"Mpoints_per_s={n * n / median / 1e6:.2f} delta_sum={out['delta'].sum():.9g}")

    # The kernel against the exact path on a subgrid (rows and columns spread over the grid).
    idx = np.unique(np.linspace(0, n - 1, min(n, 200)).round().astype(int))
    ep = np.logspace(0, 3, n)[idx]
    uu = np.logspace(8, 13, n)[idx]
    exact = repsim.evaluate(law, params=1e9, epochs=ep[None, :], unique_tokens=uu[:, None],
                            columns=COLUMNS, exact=True)
    diff = 0.0
    for c in COLUMNS:
        sub = out[c][np.ix_(idx, idx)]
        scale = np.maximum(np.abs(exact[c]), np.abs(exact["loss_unique"]))  # delta can be 0
        diff = max(diff, float(np.max(np.abs(sub - exact[c]) / scale)))
    print(f"python_check: sampled={idx.size ** 2} max_rel_diff={diff:.3g}")


if __name__ == "__main__":
    main()
