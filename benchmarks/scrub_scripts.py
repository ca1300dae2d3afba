"""What do the names of States in six languages, and names in Cyrillic, Arabic and Chinese, cost the scrubber?

Run from the repository root:  .venv/bin/python benchmarks/scrub_scripts.py [--states N] [--members N] [--texts N]

A roster of N real States (by their English names, as a secretariat enters them) and members whose display names are
in Latin, Cyrillic, Arabic and Chinese script; contributions are short sentences in the six UN languages naming some
of them. Prints the time to build a context's patterns (the first context in a process also loads CLDR's territory
names, wordfreq's lists and, with a Chinese name, the pinyin data; a second, different context shows the cost per
context after that) and how many contributions `scrub_text` scrubs a second (best of three runs). The scrubber is
whichever `privacy` package Python imports: to time another checkout, put it first on PYTHONPATH
(`PYTHONPATH=/path/to/other/checkout python benchmarks/scrub_scripts.py`).
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

_STATES = [
    "Switzerland", "France", "Spain", "Russian Federation", "China", "Egypt", "Saudi Arabia", "Mexico", "Brazil",
    "Norway", "Kenya", "Japan", "India", "Germany", "Canada", "Argentina", "Chile", "Morocco", "Algeria", "Jordan",
    "Iraq", "Lebanon", "Kazakhstan", "Ukraine", "Belarus", "Colombia", "Peru", "Nigeria", "South Africa", "Australia",
    "New Zealand", "Thailand", "Viet Nam", "Indonesia", "Philippines", "Italy", "Portugal", "Sweden", "Finland",
    "Austria", "Belgium", "Netherlands", "Poland", "Türkiye", "Iran (Islamic Republic of)", "Pakistan", "Bangladesh",
    "Ethiopia", "Senegal", "Mali",
]  # fmt: skip
_DISPLAY_NAMES = [
    "Amara Okafor", "Dr. Ingrid Vasquez", "Анна Петровна Смирнова", "Иван Сергеевич Петров", "Ольга Кузнецова",
    "محمد بن سلمان", "خالد الفيصل", "فاطمة الزهراء", "王小明", "李伟", "欧阳娜娜", "Camille Dubois", "José Ramírez",
]  # fmt: skip
_SENTENCES = [
    "The delegation of {state} supports the draft, as {name} said yesterday.",
    "La délégation de la {state} soutient le projet, comme l'a dit {name}.",
    "La delegación de {state} apoya el proyecto, como dijo {name}.",
    "Делегация поддерживает проект, как сказала вчера {name}.",
    "يؤيد الوفد المشروع كما قال {name} أمس.",
    "代表团支持该草案，正如{name}昨天所说。",
    "We need more funding for victim assistance and for clearance in affected areas before the deadline.",
    "Nous avons besoin de plus de fonds pour l'assistance aux victimes et le déminage.",
    "Необходимо больше средств на помощь пострадавшим и разминирование.",
    "نحتاج إلى مزيد من التمويل لمساعدة الضحايا وإزالة الألغام.",
    "我们需要更多资金用于援助受害者和排雷。",
]


def _contexts(states: int, members: int) -> tuple[object, object]:
    """Two different contexts (the second one shifted by one State and with other member IDs)."""
    from privacy import ScrubContext

    def build(offset: int) -> ScrubContext:
        # The sample names first, then numbered copies of them, as a big room would have several Annas.
        names = {
            name if index < len(_DISPLAY_NAMES) else f"{name} {offset}{index}"
            for index, name in ((i, _DISPLAY_NAMES[i % len(_DISPLAY_NAMES)]) for i in range(members))
        }
        ids = {f"@member{offset}{index}:example.org" for index in range(members)}
        return ScrubContext(frozenset(ids), frozenset(names), frozenset(_STATES[offset : offset + states]))

    return build(0), build(1)


def _texts(count: int) -> list[str]:
    rng = random.Random(7)
    out = []
    for _ in range(count):
        sentence = rng.choice(_SENTENCES)
        out.append(sentence.format(state=rng.choice(_STATES), name=rng.choice(_DISPLAY_NAMES)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--states", type=int, default=30, help="real States on the roster")
    parser.add_argument("--members", type=int, default=60, help="room members")
    parser.add_argument("--texts", type=int, default=2000, help="contributions to scrub")
    args = parser.parse_args()
    import privacy
    from privacy import prepare, scrub_text

    first, second = _contexts(args.states, args.members)
    start = time.perf_counter()
    prepare(first)
    first_seconds = time.perf_counter() - start
    start = time.perf_counter()
    prepare(second)
    second_seconds = time.perf_counter() - start
    texts = _texts(args.texts)
    for text in texts[:50]:
        scrub_text(text, first)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for text in texts:
            scrub_text(text, first)
        best = min(best, time.perf_counter() - start)
    rate = len(texts) / best
    # A text that changes is scrubbed twice (scrub_text repeats its passes until nothing changes), so a scrubber that
    # finds more also takes longer per text.
    changed = sum(scrub_text(text, first) != text for text in texts)
    placeholders = sum(scrub_text(text, first).count("[") for text in texts)
    print(f"scrubber: {Path(privacy.__file__).resolve().parent}; states: {args.states}; members: {args.members}")
    print(f"{'first context patterns':28} {first_seconds * 1000:9.1f} ms")
    print(f"{'another context patterns':28} {second_seconds * 1000:9.1f} ms")
    print(f"{'scrubbing':28} {rate:9.0f} texts/s ({len(texts)} texts)")
    print(f"{'texts changed':28} {changed:9d} ({placeholders} placeholders)")


if __name__ == "__main__":
    main()
