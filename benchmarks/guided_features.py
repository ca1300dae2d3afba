"""Guided themes with other TF-IDF features: simplemma lemmas, character 3-6-grams, word bigrams, word weight.

Run: .venv/bin/pip install simplemma && .venv/bin/python benchmarks/guided_features.py

Each variant replaces the TF-IDF part of `GUIDED` (with its centroid round, the arithmetic of
`guided_refinement.py`), its floor is chosen on eval and holdout, and it prints the tuning objective; the 5 best
also print per-set accuracy/kept out. simplemma is not a dependency: nothing here was adopted.
"""

import itertools
import json
import re
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import simplemma

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import guided_refinement as g

from synopsis.grouping import CHOSEN, featurise
from synopsis.text import normalise

cases = g.load()
DATA = Path(__file__).resolve().parent / "data"
hd = json.loads((DATA / "blind_headings.json").read_text())
raw = {}
for group in ("ccm", "minebans"):
    for name in hd[group]["sets"]:
        rows = json.loads((DATA / f"{name}_contributions.json").read_text())
        for v in ("good", "terse"):
            raw[(name, v)] = [hd[group][v][label] for label in hd[group][v]] + [r["text"] for r in rows]


def lem(t):
    return re.sub(r"[A-Za-z]+", lambda m: simplemma.lemmatize(m.group(0), lang="en"), t)


floors = np.round(np.arange(0.0, 0.4, 0.01), 2)
res = []
for lemma, chars, wn, ww in itertools.product((False, True), ((3, 5), (3, 6)), (1, 2), (0.25, 0.5)):
    p = replace(CHOSEN, char_ngrams=chars, word_ngrams=wn, word_weight=ww)
    cs = []
    for c in cases:
        texts = raw[(c["name"], c["v"])]
        F = featurise([normalise(lem(t) if lemma else t) for t in texts], p)
        H = len(c["labels"])
        cs.append({**c, "Fh": F[:H], "Ft": F[H:]})
    kw = dict(w=0.3, iters=1, a=0.9, seed_margin=0.02, floor_on="refined")
    bo, bf = max((g.obj(cs, floor=f, **kw), f) for f in floors)
    res.append((bo, lemma, chars, wn, ww, bf, g.table(cs, floor=bf, **kw)))
    print(f"{bo:.3f} lemma={lemma} chars={chars} wordn={wn} ww={ww} floor={bf}", flush=True)
res.sort(key=lambda r: -r[0])
for r in res[:5]:
    print(r)
