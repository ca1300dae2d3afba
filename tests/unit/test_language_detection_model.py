"""The language detector the bot loads (six languages only, compact) answers exactly as py3langid cut to six.

`synopsis.language` reads py3langid's model itself, keeping only what six languages need, so it holds some 40 MiB
less; every text here must get the same language and the same confidence from both, to the last bit.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from synopsis import language

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "language_detection.json"


def _texts() -> list[str]:
    texts = [item["text"] for item in json.loads(DATA.read_text(encoding="utf-8"))["texts"]]
    chance = random.Random(8)
    words = " ".join(texts).split()
    # Shuffled words make mixed and ambiguous texts, where a confidence near the floor would show any difference.
    texts += [" ".join(chance.sample(words, chance.randint(1, 30))) for _ in range(500)]
    texts += ["", "OK", "+1", "2026-2030", "ЁЛКА", "NOUS SOUTENONS", "\u00e9\u0301t\u00e9", "🌻🌻", "x" * 5000]
    return texts


def test_the_compact_model_answers_as_py3langid_cut_to_six_languages() -> None:
    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    reference.set_languages(list(language.UN_LANGUAGES))
    compact = language._load()
    texts = _texts()
    assert len(texts) > 600
    differing = [text for text in texts if compact.classify(text) != reference.classify(text)]
    assert differing == []


def test_the_compact_model_keeps_only_the_six_languages() -> None:
    compact = language._load()
    assert sorted(set(compact.nb_classes)) == sorted(language.UN_LANGUAGES)
    assert compact._full_model[0].shape[1] == len(compact.nb_classes)


def test_the_compact_state_machine_has_every_transition_of_py3langids() -> None:
    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    compact = language._load()
    blocks, block_of, first_block = compact.tk_nextmove, compact._block_of, compact._first_block
    for state in range(0, len(reference.tk_output), 7):  # every 7th state, all 256 bytes: some 3.8 million moves
        row = reference._rowbase[state]
        assert all(
            blocks[(block_of[first_block[state] + (byte >> 4)] << 4) | (byte & 15)] == reference.tk_nextmove[row + byte]
            for byte in range(256)
        )
    assert list(compact.tk_output) == list(reference.tk_output)
