#!/usr/bin/python3
"""The scikit-learn + numpy baseline of `repsim select`: the same pipeline.

  /usr/bin/python3 bench/select_sklearn.py EMBEDDINGS.npy COUNT [CLUSTERS] [SEED]

1. L2-normalise the rows (float32, as repsim does).
2. sklearn.cluster.KMeans(n_clusters=CLUSTERS, n_init=1, random_state=SEED,
   max_iter=20, tol=0): k-means++ seeding, then 20 Lloyd iterations, as
   repsim runs (n_init=1: repsim runs K-means once). (repsim trains on a
   sample of <= 256 rows per cluster; sklearn here on every row.)
   CLUSTERS defaults to round(sqrt(rows / 2)), repsim's rule.
3. Quotas proportional to cluster size, at least one each, summing to COUNT:
   the largest-remainder rule of repsim (include/repsim/select.h).
4. k-center greedy in numpy inside each cluster: start at the member nearest
   the centroid, then always the member farthest from those picked.
5. Evaluation (not part of the selection): each row's distance to its nearest
   selected row (blocked matrix products), the covering radius and the mean;
   the same for a uniform random draw of COUNT rows (repsim's baseline): both
   covering radii, the same work `repsim select` does.

Prints key=value lines: the phases' seconds and the covering radius/mean.
"""
import sys
import time

import numpy as np
from sklearn.cluster import KMeans


def quotas(sizes, count):
    sizes = np.asarray(sizes, dtype=np.int64)
    share = count * sizes / sizes.sum()
    q = np.maximum(1, np.minimum(sizes, np.floor(share))).astype(np.int64)
    while q.sum() < count:
        order = sorted(range(len(q)), key=lambda i: (-(share[i] - q[i]), i))
        for i in order:
            if q.sum() == count:
                break
            if q[i] < sizes[i]:
                q[i] += 1
    while q.sum() > count:
        order = sorted(range(len(q)), key=lambda i: (share[i] - q[i], -i))
        for i in order:
            if q.sum() == count:
                break
            if q[i] > 1:
                q[i] -= 1
    return q


def kcenter(xc, centre, k):
    start = int(np.argmin(((xc - centre) ** 2).sum(axis=1)))
    picked = [start]
    nearest = ((xc - xc[start]) ** 2).sum(axis=1)
    nearest[start] = -1
    while len(picked) < k:
        j = int(np.argmax(nearest))
        picked.append(j)
        nearest = np.minimum(nearest, ((xc - xc[j]) ** 2).sum(axis=1))
        nearest[picked] = -1
    return picked


def coverage(x, sel):
    s = x[sel]
    s2 = (s * s).sum(axis=1)
    best = np.empty(len(x), dtype=np.float32)
    for a in range(0, len(x), 8192):
        xb = x[a:a + 8192]
        d2 = (xb * xb).sum(axis=1)[:, None] + s2[None, :] - 2.0 * (xb @ s.T)
        best[a:a + 8192] = d2.min(axis=1)
    d = np.sqrt(np.maximum(best, 0))
    return float(d.max()), float(d.mean())


def main():
    path, count = sys.argv[1], int(sys.argv[2])
    t0 = time.perf_counter()
    x = np.load(path).astype(np.float32, copy=False)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    n = len(x)
    clusters = int(sys.argv[3]) if len(sys.argv) > 3 else max(1, min(count, round((n / 2) ** 0.5)))
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    t1 = time.perf_counter()
    km = KMeans(n_clusters=clusters, n_init=1, random_state=seed, max_iter=20, tol=0).fit(x)
    t2 = time.perf_counter()
    labels = km.labels_
    sizes = np.bincount(labels, minlength=clusters)
    live = np.nonzero(sizes)[0]
    q = quotas(sizes[live], count)
    selected = []
    for c, k in zip(live, q):
        members = np.nonzero(labels == c)[0]
        picked = kcenter(x[members], km.cluster_centers_[c], int(k))
        selected.extend(members[picked].tolist())
    selected = np.sort(np.asarray(selected))
    t3 = time.perf_counter()
    radius, mean = coverage(x, selected)
    rng = np.random.default_rng(seed)
    random_radius, random_mean = coverage(x, np.sort(rng.choice(n, size=len(selected),
                                                                replace=False)))
    t4 = time.perf_counter()
    print(f"rows={n} dim={x.shape[1]} count={len(selected)} clusters={len(live)} "
          f"kmeans_iterations={km.n_iter_} inertia={km.inertia_:.6g}")
    print(f"time: read_s={t1 - t0:.3f} kmeans_s={t2 - t1:.3f} select_s={t3 - t2:.3f} "
          f"evaluate_s={t4 - t3:.3f} total_s={t4 - t0:.3f}")
    print(f"coverage: radius={radius:.6g} mean={mean:.6g} random_radius={random_radius:.6g} "
          f"random_mean={random_mean:.6g}")


if __name__ == "__main__":
    main()
