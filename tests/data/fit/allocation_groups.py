import csv, statistics, sys
from collections import defaultdict
f = sys.argv[1]
rows = list(csv.DictReader(open(f)))
meas = defaultdict(list)
for r in rows:
    meas[(r['dedup'], float(r['unique_tokens']), float(r['params']), float(r['tokens']))].append(float(r['loss']))
by = defaultdict(list)
for (g,u,n,d),ls in meas.items():
    by[(g,u)].append((6*n*d, n, d, sum(ls)/len(ls)))
groups=[]
for key in sorted(by):
    xs = sorted(by[key])
    i=0
    while i < len(xs):
        j=i+1
        while j < len(xs):
            cand = xs[i:j+1]
            med = statistics.median([c[0] for c in cand])
            if all(abs(c[0]/med-1) <= 0.1 for c in cand): j+=1
            else: break
        g = xs[i:j]; i=j
        if len(set(c[1] for c in g))>=3 and min(c[3] for c in g) < 5: groups.append((key,g))
print(len(groups))
for key,g in groups:
    best=min(g,key=lambda c:c[3])
    print(key, len(g), "%.3g"%statistics.median([c[0] for c in g]), "best N=%.3g L=%.4f"%(best[1],best[3]))
