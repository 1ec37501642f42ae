#!/usr/bin/python3
"""Synthetic sentence-embedding-like vectors for the `repsim select` benchmark.

  /usr/bin/python3 bench/select_data.py OUT.npy [ROWS] [DIM] [SEED]

ROWS (default 200000) unit vectors in DIM (default 384) dimensions, shaped
like sentence embeddings of an instruction set: 200 "tasks" (directions drawn
uniformly on the sphere) with Zipf-distributed sizes (exponent 1.1: a few
large tasks, a long tail of small ones, the smallest ~0.06 % of the rows);
each row is its task's direction, plus variation inside a task-specific
16-dimensional subspace (Gaussian, norm ~0.3), plus isotropic noise (norm
~0.05), then L2-normalised. Real embeddings have such a low intrinsic
dimension; isotropic noise in all 384 dimensions would make every pair of
rows nearly equidistant, and no selection could cover them better than
another. Written as float32 with np.save (format 1.0). Deterministic for a
seed (numpy's PCG64 generator).
"""
import sys

import numpy as np


def main():
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    dim = int(sys.argv[3]) if len(sys.argv) > 3 else 384
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    rng = np.random.default_rng(seed)
    topics, local = 200, 16
    centres = rng.standard_normal((topics, dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    # An orthonormal basis of each task's subspace, scaled so the variation has norm ~0.3.
    bases = np.linalg.qr(rng.standard_normal((topics, dim, local)))[0].astype(np.float32)
    bases *= 0.3 / np.sqrt(local)
    weights = 1.0 / np.arange(1, topics + 1) ** 1.1
    topic = rng.choice(topics, size=rows, p=weights / weights.sum())
    x = np.empty((rows, dim), dtype=np.float32)
    step = 10_000  # bounds the per-row basis gather (step x dim x 16 floats)
    for a in range(0, rows, step):
        b = min(rows, a + step)
        t = topic[a:b]
        z = rng.standard_normal((b - a, local)).astype(np.float32)
        noise = rng.standard_normal((b - a, dim)).astype(np.float32) * (0.05 / np.sqrt(dim))
        v = centres[t] + np.einsum("ndk,nk->nd", bases[t], z) + noise
        x[a:b] = v / np.linalg.norm(v, axis=1, keepdims=True)
    np.save(out, x)
    print(f"wrote {out}: {rows} x {dim} float32, {topics} tasks")


if __name__ == "__main__":
    main()
