#!/usr/bin/env python3
"""Draws the small "your own runs" sets of tests/data/fit/subset_<n>_seed<s>.csv
from muennighoff2023_all_runs.csv (issue 21 item 4): keys (dedup, params, tokens)
that hold a fresh run (unique_tokens >= tokens) and a repeated one are shuffled
with random.Random(seed); each key adds its first fresh run, then its repeated runs,
one at a time, until the set holds n runs. Run from this folder:
    python3 make_subsets.py
"""
import csv
import random

SRC = "muennighoff2023_all_runs.csv"
SETS = [(10, 1), (20, 2), (40, 3)]

rows = list(csv.DictReader(open(SRC)))
keys = {}
for r in rows:
    k = (r["dedup"], float(r["params"]), float(r["tokens"]))
    fresh = float(r["unique_tokens"]) >= float(r["tokens"])
    keys.setdefault(k, ([], []))[0 if fresh else 1].append(r)
usable = sorted(k for k, (f, rep) in keys.items() if f and rep)
for n, seed in SETS:
    order = usable[:]
    random.Random(seed).shuffle(order)
    out = []
    for k in order:
        fresh, rep = keys[k]
        if len(out) + 2 > n:
            continue
        out.append(fresh[0])
        for r in rep:
            if len(out) < n:
                out.append(r)
        if len(out) == n:
            break
    assert len(out) == n, (n, len(out))
    with open(f"subset_{n}_seed{seed}.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["params", "tokens", "unique_tokens", "loss", "dedup"])
        w.writeheader()
        for r in out:
            w.writerow({c: r[c] for c in w.fieldnames})
