"""Writes privacy/data/common_words.json, the part of wordfreq's lists the scrubber's common-word check needs.

Run: python -m privacy.build_common_words   (wordfreq installed: it is a test dependency, not the bot's)

wordfreq keeps a language's whole list in memory once asked about one word of it (34–108 MiB each for English,
French, Spanish, Russian and Arabic), but the scrubber only asks whether a word is at least this frequent, at zipf
:data:`privacy.common_words.FLOOR` or above. So only the words that frequent are kept: each language's frequency
buckets (wordfreq's centibel steps, 0 the most frequent) down to the floor, as wordfreq stores them, so
`privacy.common_words` computes exactly wordfreq's frequency for them. The unit tests check that the file shipped
equals what this writes from the installed wordfreq.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from privacy.common_words import DATA_FILE, LANGUAGES, LAST_BUCKET


def build() -> str:
    """The data file's text: for each language, its buckets 0..LAST_BUCKET, each a sorted list of words."""
    from wordfreq import get_frequency_list

    lists = {
        language: [sorted(bucket) for bucket in get_frequency_list(language)[: LAST_BUCKET + 1]]
        for language in LANGUAGES
    }
    return json.dumps(lists, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    target = Path(argv[0]) if argv else DATA_FILE
    target.write_text(build(), encoding="utf-8")
    print(f"wrote {target} ({target.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
