"""What the scrubber must know about the scripts of the six UN languages beyond Latin: Cyrillic, Arabic and Chinese.

- Russian inflects names ("Смирнова" → "Смирновой", "Иван" → "Ивану"): a Cyrillic word of a name or a State is looked
  for as its stem (the word without a final "а", "я", "й", "ь" or adjective ending) followed by any of the case
  endings of `CYRILLIC_ENDINGS` (a suffix rule: no morphology package needed; a fleeting vowel, "Павел" → "Павла", is
  missed). Words ending in another vowel ("Перу", "Шевченко") are not inflected in Russian and are looked for as
  written.
- Arabic attaches conjunctions and prepositions ("و", "ب", "ل") and the article ("ال") to the word: the scrubber
  keeps the attached letters ("وسلمان" → "و[participant]") and takes the article along. Hamza forms of alef, and
  teh marbuta and heh, are read as one letter each, as people type them either way.
- Chinese is written without spaces, so a Han name or State is looked for anywhere in a run of Han characters; a
  name is also looked for as surname + title ("王先生") and in pinyin ("Wang Xiaoming", "Xiaoming Wang").
- A Cyrillic name is also looked for in Latin letters, as a passport and as English usually spell it ("Smirnova",
  "Sergeevich" and "Sergeyevich").
"""

from __future__ import annotations

import re
from functools import lru_cache

# Han ideographs (with extension A and compatibility ideographs), and the kana that Japanese writes among them.
HAN_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_ARABIC_LETTERS = "\u0621-\u064a\u066e-\u06d3"
# Case-sensitive classes: under IGNORECASE the regex compiler case-folds every character of a range, which for the
# 27,000 Han characters took seconds per pattern (the classes stand at each name's end in the trie).
HAN = f"(?-i:[{HAN_CHARS}])"
ARABIC = f"(?-i:[{_ARABIC_LETTERS}])"
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")
_HAN_WORD = re.compile(rf"{HAN}+")
_ARABIC_RE = re.compile(ARABIC)

# Russian case endings of nouns, adjectives (surnames in -ский/-ская) and names, singular and plural, longest first
# so that the alternation tries "ыми" before "ы".
CYRILLIC_ENDINGS: tuple[str, ...] = (
    "ыми", "ими", "ого", "его", "ому", "ему", "ами", "ями",
    "ой", "ей", "ою", "ею", "ом", "ем", "ым", "им", "ых", "их", "ов", "ев", "ам", "ям", "ах", "ях",
    "ая", "яя", "ую", "юю", "ое", "ее", "ые", "ие", "ий", "ый",
    "а", "я", "у", "ю", "ы", "и", "е", "о", "й", "ь",
)  # fmt: skip
CYRILLIC_ENDING = "(?:" + "|".join(CYRILLIC_ENDINGS) + ")?"
_ADJECTIVE_ENDINGS = ("ий", "ый", "ой", "ая", "яя", "ое", "ее", "ые", "ие")
# A final letter that a case ending replaces. Words ending in "о", "е", "у", "ю", "и" or "ы" (and not in an adjective
# ending) are foreign names that Russian does not inflect ("Перу", "Мали", "Шевченко"): their stem would make words
# of them ("перо", "мало").
_FINAL_LETTERS = "аяйь"
_INDECLINABLE_FINALS = "оеуюиы"
_MIN_STEM = 3

# Attached to the word before a name: "و" (and), then "ب" (with, by) or "ل" (for, to). Not "ك" or "ف": "كريم" is a
# word of its own, not "ك" + the name "ريم", and those two start many more words than they attach to.
ARABIC_CLITICS = f"(?:(?=[وبل])و?[بل]?(?={ARABIC}))?"
# The article, or its "ل" alone after the preposition "ل" ("للفيصل" is "ل" + "الفيصل").
ARABIC_ARTICLE = "(?:ال|(?<=ل)ل)"
# Words of Arabic names that are not names by themselves: son/daughter/father/mother of, servant of, family of; and
# the second halves of compound names ("عبد الله", "نور الدين", "عبد الرحمن"), which are everyday words ("إن شاء الله").
ARABIC_NAME_PARTICLES: frozenset[str] = frozenset(
    {"بن", "ابن", "بنت", "أبو", "ابو", "أبي", "أم", "عبد", "آل", "ال", "الله", "الدين", "الرحمن"}
)
# Letters people write interchangeably: alef with or without hamza or madda, teh marbuta and heh; and (in Russian)
# "ё", mostly written "е". Not yeh and alef maqsura, though they are confused too: the name "علي" (Ali) would then
# be the preposition "على" (on), one of the most frequent words.
EQUIVALENT_LETTERS: dict[str, str] = {
    **dict.fromkeys("اأإآ", "[اأإآ]"),
    **dict.fromkeys("ةه", "[ةه]"),
    **dict.fromkeys("её", "[её]"),
}

# Titles written after a Chinese surname or full name ("王先生", "王小明女士").
CHINESE_TITLES: tuple[str, ...] = (
    "先生", "女士", "小姐", "太太", "夫人", "博士", "教授", "老师", "大使", "部长", "主任", "主席", "阁下", "同志",
)  # fmt: skip
# Two-character surnames; any other Chinese name's surname is its first character.
_COMPOUND_SURNAMES = frozenset(
    {
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "公孙", "慕容", "尉迟", "长孙", "宇文", "司徒", "夏侯",
        "端木", "独孤", "南宫", "西门", "轩辕", "呼延", "万俟", "闻人", "澹台", "申屠", "公冶", "太史", "钟离",
    }
)  # fmt: skip


def is_cyrillic(word: str) -> bool:
    return _CYRILLIC_WORD.fullmatch(word) is not None


def is_arabic(word: str) -> bool:
    return _ARABIC_RE.search(word) is not None


def is_han(word: str) -> bool:
    return _HAN_WORD.fullmatch(word) is not None


def cyrillic_stem(word: str) -> str | None:
    """The part of a Cyrillic word that its case endings follow ("Смирнова" → "Смирнов"), or None when the word is
    looked for only as written (too short, or not inflected)."""
    lowered = word.casefold()
    if lowered.endswith(_ADJECTIVE_ENDINGS) and len(word) - 2 >= _MIN_STEM:
        return word[:-2]
    if lowered[-1:] in _INDECLINABLE_FINALS:
        return None
    if lowered[-1:] in _FINAL_LETTERS:
        return word[:-1] if len(word) - 1 >= _MIN_STEM else None
    return word if len(word) >= _MIN_STEM else None


def chinese_name_forms(name: str) -> set[str]:
    """For a Chinese name of 2 to 4 Han characters: the name and surname each with every title ("王先生")."""
    if not is_han(name) or not 2 <= len(name) <= 4:
        return set()
    surname = name[:2] if name[:2] in _COMPOUND_SURNAMES and len(name) > 2 else name[:1]
    return {f"{stem}{title}" for stem in (name, surname) for title in CHINESE_TITLES}


def pinyin_names(name: str) -> set[str]:
    """A Chinese name in pinyin, surname first and last ("王小明" → "Wang Xiaoming", "Xiaoming Wang")."""
    if not is_han(name) or not 2 <= len(name) <= 4:
        return set()
    surname_length = 2 if name[:2] in _COMPOUND_SURNAMES and len(name) > 2 else 1
    syllables = _pinyin(name)
    if len(syllables) != len(name):
        return set()
    surname = "".join(syllables[:surname_length]).capitalize()
    given = "".join(syllables[surname_length:]).capitalize()
    return {f"{surname} {given}", f"{given} {surname}"}


# Russian names in Latin letters, as passports write them (ICAO Doc 9303) and as they are usually spelt in English
# ("Юлия" → "Iuliia", "Yuliya"; "Сергеевич" → "Sergeevich", "Sergeyevich").
_ICAO: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "i",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y", "ь": "-", "э": "e", "ю": "iu",
    "я": "ia",
}  # fmt: skip
_USUAL = {**_ICAO, "й": "y", "ъ": "-", "ю": "yu", "я": "ya"}
_VOWELS = "аеёиоуыэюяъь"


def latin_names(name: str) -> set[str]:
    """A Cyrillic name in Latin letters, in the passport and the usual spelling ("Смирнова" → "Smirnova")."""
    words = name.split()
    if not words or not all(is_cyrillic(word.replace("-", "")) for word in words):
        return set()
    return {" ".join(_transliterate(word, table) for word in words) for table in (_ICAO, _USUAL)}


def _transliterate(word: str, table: dict[str, str]) -> str:
    out: list[str] = []
    lowered = word.casefold()
    for index, ch in enumerate(lowered):
        latin = table.get(ch, ch)
        if latin == "-":
            latin = ""
        elif table is _USUAL and ch == "е" and index > 0 and lowered[index - 1] in _VOWELS:
            latin = "ye"  # "Сергеевич" → "Sergeyevich"
        elif table is _USUAL and lowered.endswith(("ий", "ый")) and index == len(lowered) - 2:
            latin = ""  # then "й" → "y": "Дмитрий" → "Dmitry", "Чёрный" → "Cherny"
        out.append(latin)
    text = "".join(out)
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=4096)
def _pinyin(name: str) -> tuple[str, ...]:
    # Imported here: loading pypinyin's dictionary takes a tenth of a second, which only a Chinese name should cost.
    from pypinyin import lazy_pinyin

    return tuple(lazy_pinyin(name, errors="ignore"))
