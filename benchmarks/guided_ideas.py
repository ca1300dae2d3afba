"""Guided themes: heading expansion, per-word soft matching and a kNN round over the contributions, each tried
on top of `synopsis.guided.GUIDED`.

Run: .venv/bin/python benchmarks/guided_ideas.py [--blind]

Variants (each with its floor re-chosen on the tuning sets; ranked by the objective of `guided_quality.py`, the mean
of on-topic accuracy and off-topic kept out over eval and holdout, both heading variants):

- expansion g: each heading's embedding plus g times the mean embedding of the phrases of every synonym set it uses
  (the thesaurus: built-in for the CCM sets, with `data/minebans_synonyms.toml` added for the mine-ban set, as a
  deployment's `synopsis.synonyms` would). TF-IDF already maps every phrase of a set to its head word, so expansion
  only changes the embedding side.
- thesaurus embedded: headings and contributions embedded after the thesaurus replaced their synonym phrases.
- late interaction l: l of the headings-only score from wordllama token embeddings, for each content token of a
  heading its best cosine over the contribution's tokens, averaged with token IDF weights (ColBERT-like max-sim).
- kNN k/b: after the centroid round, each contribution's scores mixed (b) with the mean of its k nearest
  contributions' (mixed similarity), i.e. one step of label spreading over the contributions' own graph.

Without `--blind` only the tuning sets are printed. `--blind` prints the blind sets once, for the current method and
the variant named in CHOSEN_VARIANT (fixed beforehand from the tuning run). Uses the real `synopsis.guided` code
(`_Space`, `refine`, `choose`) on matrices cached in /tmp/guided_ideas_cases.pkl.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import tomllib
from dataclasses import replace
from pathlib import Path

import numpy as np
import wordllama
from wordllama import WordLlama

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from synopsis.grouping import CHOSEN, featurise
from synopsis.guided import GUIDED, _Space, choose, refine
from synopsis.text import normalise, words_of
from synopsis.thesaurus import DEFAULT_THESAURUS, Thesaurus

DATA = Path(__file__).resolve().parent / "data"
CACHE = "/tmp/guided_ideas_cases.pkl"
TUNE = ("eval", "holdout")
FLOORS = np.round(np.arange(0.0, 0.4, 0.01), 2)
CHOSEN_VARIANT = (
    "thesaurus embedded + expansion 0.5"  # fixed from the tuning run before --blind was run (see benchmarks/README.md)
)


def _model() -> WordLlama:
    return WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)


def _unit(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(n == 0, 1, n)


def _expansion(thesaurus: Thesaurus, heading: str) -> list[list[str]]:
    """Phrases of every synonym set the heading uses (matched as the thesaurus matches, by stems)."""
    replaced = set(thesaurus.replace_words(words_of(normalise(heading))))
    return [[head, *phrases] for head, phrases in thesaurus.sets.items() if head.casefold() in replaced]


def load() -> list[dict]:
    if os.path.exists(CACHE):
        with open(CACHE, "rb") as cached:
            return pickle.load(cached)
    model = _model()
    table = model.embedding / np.maximum(np.linalg.norm(model.embedding, axis=1, keepdims=True), 1e-9)
    mine_ban = tomllib.loads((DATA / "minebans_synonyms.toml").read_text(encoding="utf-8"))["synopsis"]["synonyms"]
    hd = json.loads((DATA / "blind_headings.json").read_text(encoding="utf-8"))
    cases = []
    for group in ("ccm", "minebans"):
        thesaurus = DEFAULT_THESAURUS if group == "ccm" else DEFAULT_THESAURUS.extended(mine_ban)
        features = replace(CHOSEN, thesaurus=thesaurus)
        for name in hd[group]["sets"]:
            rows = json.loads((DATA / f"{name}_contributions.json").read_text(encoding="utf-8"))
            texts, truth = [r["text"] for r in rows], [r["theme"] for r in rows]
            for v in ("good", "terse"):
                labels = list(hd[group][v])
                written = [hd[group][v][label] for label in labels]
                both = [*written, *texts]
                rows_ = featurise([normalise(t) for t in both], features)
                embedded = model.embed(both, norm=True)
                through = model.embed([thesaurus.apply(normalise(t)) for t in both], norm=True)
                expansions = []
                for heading in written:
                    sets = _expansion(thesaurus, heading)
                    vectors = [_unit(model.embed(phrases, norm=True).mean(0)) for phrases in sets]
                    expansions.append(np.sum(vectors, axis=0) if vectors else np.zeros(embedded.shape[1]))
                ids = [e.ids for e in model.tokenizer.encode_batch(both, add_special_tokens=False)]
                ids = [[i for i in seq if i < table.shape[0]] for seq in ids]
                cases.append(
                    dict(
                        name=name,
                        v=v,
                        truth=truth,
                        labels=labels,
                        H=len(written),
                        rows=rows_,
                        E=embedded,
                        Ethes=through,
                        expansion=np.asarray(expansions, dtype=np.float32),
                        ids=ids,
                        late=_late_interaction(table, ids[: len(written)], ids[len(written) :], model),
                    )
                )
    with open(CACHE, "wb") as out:
        pickle.dump(cases, out)
    return cases


def _late_interaction(table: np.ndarray, heading_ids: list[list[int]], text_ids: list[list[int]], model) -> np.ndarray:
    """Texts × headings: IDF-weighted mean over a heading's content tokens of the best cosine to a text token."""
    pieces = {i: model.tokenizer.id_to_token(i) for seq in heading_ids for i in seq}
    df: dict[int, int] = {}
    for seq in text_ids:
        for i in set(seq):
            df[i] = df.get(i, 0) + 1
    n = len(text_ids)
    out = np.zeros((len(text_ids), len(heading_ids)))
    for h, seq in enumerate(heading_ids):
        # Content tokens only: word pieces of three letters or more (drops "the", "and", "of", punctuation).
        keep = [i for i in seq if len(pieces[i].lstrip("▁")) >= 3 and pieces[i].lstrip("▁").isalpha()]
        if not keep:
            continue
        weights = np.array([np.log((n + 1) / (df.get(i, 0) + 1)) + 1 for i in keep])
        sims = table[keep] @ table.T  # heading tokens × vocabulary
        for t, tseq in enumerate(text_ids):
            if tseq:
                out[t, h] = float(weights @ sims[:, tseq].max(axis=1)) / weights.sum()
    return out


def scores(c: dict, variant: dict) -> np.ndarray:
    H = c["H"]
    E = c["Ethes"] if variant.get("thesaurus_embedded") else c["E"]
    Eh, Et = E[:H].astype(np.float32), E[H:].astype(np.float32)
    if variant.get("expansion"):
        Eh = _unit(Eh + variant["expansion"] * c["expansion"]).astype(np.float32)
    space = _Space(GUIDED.embedding_weight, c["rows"][:H], c["rows"][H:], Eh, Et)
    base = space.heading_scores()
    if variant.get("late"):
        base = (1 - variant["late"]) * base + variant["late"] * c["late"]
    score = refine(space, base, GUIDED)
    if variant.get("knn"):
        k, b = variant["knn"]
        texts = space.scores(space.text_rows, Et)
        np.fill_diagonal(texts, -np.inf)
        nearest = np.argsort(-texts, axis=1)[:, :k]
        score = (1 - b) * score + b * score[nearest].mean(axis=1)
    return score


def evaluate(c: dict, score: np.ndarray, floor: float) -> tuple[float, float]:
    primary = choose(score, replace(GUIDED, floor=floor)).primary
    on = [i for i, label in enumerate(c["truth"]) if label in c["labels"]]
    off = [i for i, label in enumerate(c["truth"]) if label not in c["labels"]]
    acc = float(np.mean([primary[i] == c["labels"].index(c["truth"][i]) for i in on]))
    kept = float(np.mean([primary[i] is None for i in off])) if off else 1.0
    return acc, kept


def objective(cases: list[dict], matrices: list[np.ndarray], floor: float) -> float:
    return float(
        np.mean([sum(evaluate(c, m, floor)) / 2 for c, m in zip(cases, matrices, strict=True) if c["name"] in TUNE])
    )


VARIANTS: dict[str, dict] = {
    "current": {},
    **{f"expansion {g:g}": {"expansion": g} for g in (0.25, 0.5, 1.0, 2.0)},
    "thesaurus embedded": {"thesaurus_embedded": True},
    **{f"thesaurus embedded + expansion {g:g}": {"thesaurus_embedded": True, "expansion": g} for g in (0.25, 0.5, 1.0)},
    **{f"late interaction {w:g}": {"late": w} for w in (0.1, 0.2, 0.3, 0.5)},
    **{f"kNN {k}/{b:g}": {"knn": (k, b)} for k in (3, 5, 10) for b in (0.2, 0.4, 0.6)},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blind", action="store_true", help="also print the blind sets, once, for CHOSEN_VARIANT")
    arguments = parser.parse_args()
    cases = load()
    tuning = [c for c in cases if c["name"] in TUNE]
    ranked = []
    for name, variant in VARIANTS.items():
        matrices = [scores(c, variant) for c in cases]
        floor = max(FLOORS, key=lambda f: (round(objective(cases, matrices, float(f)), 9), -abs(f - GUIDED.floor)))
        ranked.append((objective(cases, matrices, float(floor)), name, float(floor), matrices))
    ranked.sort(key=lambda row: -row[0])
    for value, name, floor, matrices in ranked:
        figures = "  ".join(
            f"{c['name']}/{c['v']} {a:.0%}/{k:.0%}"
            for c, m in zip(cases, matrices, strict=True)
            if c in tuning
            for a, k in [evaluate(c, m, floor)]
        )
        print(f"{value:.3f}  {name:<36} floor {floor:.2f}  {figures}")
    if arguments.blind:
        print("blind sets (right / kept out):")
        for _value, name, floor, matrices in ranked:
            if name not in ("current", CHOSEN_VARIANT):
                continue
            for c, m in zip(cases, matrices, strict=True):
                if c["name"] not in TUNE:
                    a, k = evaluate(c, m, floor)
                    print(f"  {name:<36} {c['name']:<15} {c['v']:<6} {a:.0%} / {k:.0%}")


if __name__ == "__main__":
    main()
