"""Guided themes: the absolute floor next to relative ones, on the refined (centroid round) scores of `GUIDED`.

Run: .venv/bin/python benchmarks/guided_floors.py

Rules for "under no heading": best score below a floor (abs, what `GUIDED` does); best minus the row's mean
(overmean); that over the row's standard deviation (z); best minus second best (margin); best over the row's mean
(ratio). Each threshold is chosen on eval and holdout by the objective of `guided_quality.py`; per set
accuracy/kept out is printed.
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import guided_refinement as g

cases = g.load()


def refined(c, w=0.3, a=0.9, sm=0.02, floor=0.1):
    tf = (c["Ft"] @ c["Fh"].T).toarray()
    em = c["Et"] @ c["Eh"].T
    S = (1 - w) * tf + w * em
    Ft = c["Ft"].toarray()
    Fh = c["Fh"].toarray()
    o = np.sort(S, 1)
    best = S.argmax(1)
    ok = (o[:, -1] >= floor) & (o[:, -1] - o[:, -2] >= sm)
    C = np.zeros_like(S)
    for h in range(S.shape[1]):
        m = ok & (best == h)
        ef = Ft[m].sum(0) + Fh[h]
        ee = c["Et"][m].sum(0) + c["Eh"][h]
        ef /= np.linalg.norm(ef)
        ee /= np.linalg.norm(ee)
        C[:, h] = (1 - w) * (Ft @ ef) + w * (c["Et"] @ ee)
    return (1 - a) * S + a * C


Rs = [refined(c) for c in cases]


def rule(R, kind, t):
    if kind == "abs":
        v = R.max(1)
    elif kind == "overmean":
        v = R.max(1) - R.mean(1)
    elif kind == "z":
        v = (R.max(1) - R.mean(1)) / (R.std(1) + 1e-9)
    elif kind == "margin":
        o = np.sort(R, 1)
        v = o[:, -1] - o[:, -2]
    elif kind == "ratio":
        v = R.max(1) / (R.mean(1) + 1e-9)
    return np.where(v >= t, R.argmax(1), -1)


for kind, grid in [
    ("abs", np.arange(0, 0.4, 0.01)),
    ("overmean", np.arange(0, 0.4, 0.005)),
    ("z", np.arange(0, 3, 0.05)),
    ("margin", np.arange(0, 0.3, 0.005)),
    ("ratio", np.arange(1, 5, 0.05)),
]:

    def ob(t, kind=kind):
        r = [g.evaluate(c, rule(R, kind, t)) for c, R in zip(cases, Rs, strict=False) if c["name"] in g.TUNE]
        return np.mean([(x + y) / 2 for x, y in r])

    bo, bt = max((ob(t), t) for t in grid)
    tab = "  ".join(
        f"{c['name'][:8]}/{c['v'][0]} {a:.0%}/{k:.0%}"
        for c, R in zip(cases, Rs, strict=False)
        for a, k in [g.evaluate(c, rule(R, kind, bt))]
    )
    print(f"{kind:9} {bo:.3f} t={bt:.3f} {tab}")
