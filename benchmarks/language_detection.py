"""Which offline language detector fits contributions: short texts in the six UN languages?

Run from the repository root:  .venv/bin/python benchmarks/language_detection.py [--repeat N]

Compares lingua-language-detector (low- and high-accuracy mode) and py3langid, each restricted to Arabic, Chinese,
English, French, Russian and Spanish, on the labelled short texts in benchmarks/data/language_detection.json (20 per
language, plus a few with no language of their own, labelled null, where a detector should be unsure). Each detector
runs in its own process, so its load time and memory are its own: load time is building the detector and its first
answer (lingua's models are preloaded, py3langid's model is unpickled); memory is the growth of peak RSS from just
before the import. Time per text is the mean over every text of the set, --repeat times, after the first pass, and
the time for one text as long as the longest contribution the bot accepts.

For each confidence threshold it prints how many labelled texts got the right answer, a wrong one, or none (the
confidence was below the threshold), and how many of the null-labelled texts got none, as they should. The project's
own detector (synopsis/language.py) is measured as well, with its chosen threshold, so a change there shows here.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
_DATA = _ROOT / "benchmarks" / "data" / "language_detection.json"
UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
THRESHOLDS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
DETECTORS = ("lingua-low", "lingua-high", "py3langid", "project")

# A detector: text -> (ISO 639-1 code or None, confidence in [0, 1]).
Detect = Callable[[str], tuple[str | None, float]]


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _lingua(low: bool) -> Detect:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    builder = LanguageDetectorBuilder.from_iso_codes_639_1(
        *(IsoCode639_1.from_str(code) for code in UN_LANGUAGES)
    ).with_preloaded_language_models()
    if low:
        builder = builder.with_low_accuracy_mode()
    detector = builder.build()

    def detect(text: str) -> tuple[str | None, float]:
        values = detector.compute_language_confidence_values(text)
        if not values or values[0].value == 0.0:
            return None, 0.0
        return values[0].language.iso_code_639_1.name.lower(), values[0].value

    return detect


def _py3langid() -> Detect:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(UN_LANGUAGES))

    def detect(text: str) -> tuple[str | None, float]:
        code, confidence = identifier.classify(text)
        return code, float(confidence)

    return detect


def _project() -> Detect:
    sys.path.insert(0, str(_ROOT))
    from synopsis.language import detect_language

    def detect(text: str) -> tuple[str | None, float]:
        code = detect_language(text)
        return code, 1.0 if code else 0.0

    return detect


def _one(name: str, repeat: int) -> dict[str, object]:
    """Measure one detector in this process (see the module docstring)."""
    texts = json.loads(_DATA.read_text(encoding="utf-8"))["texts"]
    before = _peak_rss_mib()
    started = time.perf_counter()
    if name == "lingua-low":
        detect = _lingua(low=True)
    elif name == "lingua-high":
        detect = _lingua(low=False)
    elif name == "py3langid":
        detect = _py3langid()
    else:
        detect = _project()
    detect("warm up")
    load_s = time.perf_counter() - started
    memory = _peak_rss_mib() - before
    answers = [detect(row["text"]) for row in texts]
    times = []
    for _ in range(repeat):
        for row in texts:
            began = time.perf_counter()
            detect(row["text"])
            times.append(time.perf_counter() - began)
    # The longest contribution the bot accepts (handlers/limits.py: 20,000 characters).
    longest = (texts[0]["text"] + " ") * (20_000 // (len(texts[0]["text"]) + 1))
    began = time.perf_counter()
    detect(longest)
    longest_ms = (time.perf_counter() - began) * 1000
    return {
        "name": name,
        "longest_ms": longest_ms,
        "load_s": load_s,
        "memory_mib": memory,
        "mean_ms": statistics.fmean(times) * 1000,
        "max_ms": max(times) * 1000,
        "answers": [
            [row["language"], code, confidence] for row, (code, confidence) in zip(texts, answers, strict=True)
        ],
    }


def _measure(name: str, repeat: int) -> dict[str, object]:
    # A process of its own, so one detector's import and models do not count towards another's load time or memory.
    out = subprocess.run(
        [sys.executable, __file__, "--one", name, "--repeat", str(repeat)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout)


def _report(result: dict[str, object]) -> None:
    answers = result["answers"]
    assert isinstance(answers, list)
    labelled = [a for a in answers if a[0] is not None]
    unlabelled = [a for a in answers if a[0] is None]
    print(
        f"\n{result['name']}: load {result['load_s']:.2f} s, +{result['memory_mib']:.0f} MiB peak RSS, "
        f"{result['mean_ms']:.3f} ms per text (max {result['max_ms']:.2f} ms; 20,000 characters: "
        f"{result['longest_ms']:.1f} ms)"
    )
    print("  threshold  right  wrong  unsure  null-set unsure")
    thresholds = (0.0,) if result["name"] == "project" else THRESHOLDS
    for threshold in thresholds:
        right = sum(1 for want, got, conf in labelled if got == want and conf >= threshold)
        wrong = sum(1 for want, got, conf in labelled if got not in (None, want) and conf >= threshold)
        unsure = len(labelled) - right - wrong
        null_unsure = sum(1 for _, got, conf in unlabelled if got is None or conf < threshold)
        print(
            f"  {threshold:9.2f}  {right:3d}/{len(labelled)}  {wrong:5d}  {unsure:6d}  "
            f"{null_unsure:3d}/{len(unlabelled)}"
        )
    misses = [(want, got, round(conf, 2)) for want, got, conf in labelled if got != want]
    if misses:
        print("  top answers that were wrong or none (label, answer, confidence):", misses)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="passes over the set for the time per text")
    parser.add_argument("--one", choices=DETECTORS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.one, args.repeat)))
        return
    baseline = subprocess.run(
        [sys.executable, "-c", "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
        check=True,
        capture_output=True,
        text=True,
    )
    print(f"Python alone: {int(baseline.stdout) / 1024:.0f} MiB peak RSS")
    for name in DETECTORS:
        _report(_measure(name, args.repeat))


if __name__ == "__main__":
    main()
