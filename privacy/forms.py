"""The forms in which people write a roster's affiliations and members' names, for the scrubber to look for.

Nobody writes "the Republic of Tarvania" in a discussion: they write "Tarvania", "the Tarvanians", "TRV", "Ms
Quarterbridge", "Zephyrine's". This module derives those forms; `privacy.scrub` turns them into patterns.

Affiliations (`affiliation_forms`):
- the name as given, and its short form with State and mission prefixes taken off ("Permanent Mission of the Federal
  Republic of Ostravia" → "Federal Republic of Ostravia" → "Ostravia"), suffixes such as ", Republic of" too;
- demonyms by rule from the short form: -ia → -ian, -a → -an, -stan → -stani, -land → -lander, -e → -ian/-ean,
  -o → -an/-ese, -y → -ian, otherwise -ian/-ese/-i; a plural or possessive after any form is matched by the scrubber;
- for a real State (found in pycountry's ISO 3166 data by its name, official name or common name): those names, the
  ISO alpha-3 and alpha-2 codes in capitals only, unless the code is a frequent word ("NO", "IT", "IN", "CAN";
  "US" is kept all the same: it is how people write the United States, and "us" in lower case survives); plus the
  irregular demonyms of `_IRREGULAR_DEMONYMS` (pycountry has no demonyms, and no package found ships them); and its
  names in the six UN languages from CLDR via Babel (`territory_names`: "Suisse", "Suiza", "Швейцария", "سويسرا",
  "瑞士"), except one that is an ordinary word of its language (`_is_ordinary_word`: "Того", "مالي") unless the roster
  gives it. A roster entry is recognised as a real State by any of those names too ("Россия", "la Suisse", "中国");
- for an organisation of three or more significant words, its acronym ("Human Rights Watch" → "HRW").
Forms that are common words ("Chad", "Turkey", "Jordan") are matched only as written (capitalised), see
`is_common_word`.

Names (`name_parts`): each part of a display name of three or more letters (also each half of a double-barrelled
one), without honorifics; `is_common_word` tells which parts ("Grace", "Will", "Mark") the scrubber takes only when
capitalised inside a sentence or after an honorific.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry
from babel import Locale

from privacy.common_words import is_at_least
from privacy.scripts import is_arabic, is_cyrillic, is_han

# Zipf frequency (log10 of occurrences per billion words) from which a word counts as common in any of English,
# French or Spanish. "grace" is 4.6, "mark" 5.1, "will" 6.5; "okafor" 2.6, "vasquez" 3.0, "ingrid" 3.3.
_COMMON_ZIPF = 4.5
_LANGUAGES = ("en", "fr", "es")
# The six UN languages, in which Babel's CLDR data names every territory.
UN_LANGUAGES: tuple[str, ...] = ("ar", "zh", "en", "fr", "ru", "es")
# A State's name in one of them that is this frequent is a function word there ("Того", Togo, is "of that" in
# Russian): looking for it, even as written, would blank ordinary sentences.
_FUNCTION_WORD_ZIPF = 6.0
# An Arabic State's name without the article whose form with the article is this frequent is an ordinary word
# ("مالي", Mali, and "المالي", "the financial"): a country's name takes no article.
_ARABIC_WITH_ARTICLE_ZIPF = 4.0
# An ISO code that is also a frequent word is not looked for, even in capitals ("NO", "IT", "IN" for Norway, Italy,
# India; "CAN", "ARE", "PER"), so shouted text and headings survive. Frequent here: zipf 4.5 for two letters (that
# still keeps "GB", "CH", "NL"…), 5.0 for three (keeps "NOR", "ITA", "IND"; wordfreq counts acronyms as words).
_ALPHA_2_WORD_ZIPF = 4.5
_ALPHA_3_WORD_ZIPF = 5.0

HONORIFICS: tuple[str, ...] = (
    "Mr.",
    "Mrs.",
    "Ms.",
    "Mx.",
    "Miss",
    "Dr.",
    "Prof.",
    "Professor",
    "Ambassador",
    "Amb.",
    "Minister",
    "Sir",
    "Dame",
    "H.E.",
    "Mme.",
    "Madame",
    "Monsieur",
    "Sr.",
    "Sra.",
    "Señor",
    "Señora",
    "Dra.",
    # Russian and Arabic ones, so "г-жа Смирнова" and "السيد سلمان" go whole too.
    "г-н",
    "г-жа",
    "господин",
    "госпожа",
    "доктор",
    "профессор",
    "посол",
    "السيد",
    "السيدة",
    "الدكتور",
    "الدكتورة",
    "د.",
    "الأستاذ",
    "الأستاذة",
    "السفير",
    "السفيرة",
    "سعادة",
)
_HONORIFIC_KEYS = frozenset(h.rstrip(".").casefold() for h in HONORIFICS)

# Prefixes that name the kind of State or the body representing it, taken off one after another.
_PREFIX = re.compile(
    r"^(?:the\s+"
    r"|(?:permanent\s+)?(?:mission|delegation|embassy|representation|government|consulate)\s+of\s+"
    r"|ministry\s+of\s+(?:foreign\s+affairs|defen[cs]e|[\w\s]{1,40}?)\s+of\s+"
    r"|(?:(?:federal|democratic|people['’]s|islamic|united|socialist|federative|arab|plurinational|bolivarian|"
    r"independent|sovereign|grand|cooperative|co-operative|oriental|hashemite)\s+)*"
    r"(?:republic|kingdom|federation|duchy|principality|state|commonwealth|sultanate|emirate|union|confederation)"
    r"\s+of\s+)",
    re.IGNORECASE,
)
_SUFFIX = re.compile(r"(?:,\s*[^,]*\bof\b.*|\s*\([^)]*\)|\s+(?:federation|republic))$", re.IGNORECASE)

# "la Suisse", "el Perú", "l'Inde": a State's name as a French or Spanish roster may give it.
_ROMANCE_ARTICLE = re.compile(r"^(?:la|le|les|el|los|las)\s+|^l['’]", re.IGNORECASE)

_MINOR_WORDS = frozenset({"of", "the", "for", "and", "&", "de", "des", "du", "la", "le", "on", "in", "at", "to", "a"})
_MIN_ACRONYM_WORDS = 3

# Demonyms no rule gives, for real States by ISO alpha-3 (pycountry has none, and no data package with demonyms
# installs offline). States whose demonym the rules give ("Elbonia" → "Elbonian", "Kenya" → "Kenyan") are not here.
_IRREGULAR_DEMONYMS: dict[str, tuple[str, ...]] = {
    "AFG": ("Afghan",),
    "ARG": ("Argentine", "Argentinian"),
    "BGD": ("Bangladeshi",),
    "CHE": ("Swiss",),
    "CHN": ("Chinese",),
    "CZE": ("Czech",),
    "DEU": ("German",),
    "DNK": ("Danish", "Dane"),
    "ESP": ("Spanish", "Spaniard"),
    "FIN": ("Finnish", "Finn"),
    "FRA": ("French", "Frenchman", "Frenchwoman"),
    "GBR": ("British", "Briton", "UK"),
    "GRC": ("Greek",),
    "IRL": ("Irish",),
    "ISL": ("Icelandic", "Icelander"),
    "ISR": ("Israeli",),
    "IRQ": ("Iraqi",),
    "JPN": ("Japanese",),
    "KOR": ("Korean", "South Korea", "South Korean"),
    "PRK": ("North Korea", "North Korean"),
    "LAO": ("Lao", "Laotian"),
    "MDG": ("Malagasy",),
    "MAR": ("Moroccan",),
    "MEX": ("Mexican",),
    "NLD": ("Dutch", "Holland"),
    "NOR": ("Norwegian",),
    "NZL": ("New Zealander",),
    "PAK": ("Pakistani",),
    "PER": ("Peruvian",),
    "PHL": ("Filipino", "Filipina", "Philippine"),
    "POL": ("Polish",),
    "PRT": ("Portuguese",),
    "RUS": ("Russia", "Russian"),
    "SWE": ("Swedish", "Swede"),
    "THA": ("Thai",),
    "TUR": ("Turkish", "Turk", "Türkiye"),
    "USA": ("American", "US", "U.S.", "USA"),
    "VNM": ("Vietnamese", "Viet Nam", "Vietnam"),
    "YEM": ("Yemeni",),
    "COD": ("Congolese", "DRC"),
    "COG": ("Congolese",),
    "CIV": ("Ivorian", "Ivory Coast"),
}


@lru_cache(maxsize=8192)
def is_common_word(word: str, threshold: float = _COMMON_ZIPF) -> bool:
    """Whether `word` is a common word in English, French or Spanish, or (written in Cyrillic) Russian, by wordfreq
    (its frequent words, shipped with the package: `privacy.common_words`).

    Arabic and Chinese words are never common here: those scripts have no capitals, so the scrubber could not tell
    the name from the word where it is written, and a name left in the text is worse than a word taken out.
    """
    if is_arabic(word) or is_han(word):
        return False
    lowered = word.casefold()
    languages = (*_LANGUAGES, "ru") if is_cyrillic(word) else _LANGUAGES
    return any(is_at_least(lowered, language, threshold) for language in languages)


def affiliation_forms(affiliation: str) -> set[str]:
    """Every form of `affiliation` to look for (the name itself included); see the module docstring."""
    full = " ".join(affiliation.split())
    if not full:
        return set()
    steps = stripped_forms(full)
    forms = set(steps)
    country = _country(full) or _country(steps[-1]) or _country(_ROMANCE_ARTICLE.sub("", steps[-1]))
    names = set(steps)
    if country is not None:
        names.update(_country_names(country))
        forms.update(names)
        forms.update(_country_codes(country))
        # Named in the other UN languages too; a name that is an ordinary word in its language is left out, unless
        # the roster itself gives it.
        forms.update(
            n for n in territory_names(str(getattr(country, "alpha_2", ""))) if n in steps or not _is_ordinary_word(n)
        )
    for name in names:
        if len(name.split()) == 1 and not _is_capitals(name):
            forms.update(demonyms(name))
    if country is None and len(steps) == 1:
        forms.update(_acronyms(full))
    return {form for form in forms if form}


def short_form(affiliation: str) -> str:
    """The affiliation without its State or mission prefixes and suffixes ("Republic of Tarvania" → "Tarvania")."""
    return stripped_forms(affiliation)[-1]


def stripped_forms(affiliation: str) -> list[str]:
    """The affiliation, then each form with one more prefix or suffix taken off; the last is the short form."""
    text = " ".join(affiliation.split())
    steps = [text]
    while True:
        stripped = _SUFFIX.sub("", _PREFIX.sub("", text, count=1), count=1).strip()
        if stripped == text or not stripped:
            return steps
        text = stripped
        steps.append(text)


def demonyms(name: str) -> set[str]:
    """Adjective and people forms of a one-word place name, by rule ("Tarvania" → "Tarvanian")."""
    lowered = name.casefold()
    # English rules: for names in Latin script only ("Россия" has its own forms, `privacy.scripts`).
    if len(lowered) < 4 or not name.isalpha() or any(ord(ch) >= 0x250 for ch in name):
        return set()
    if lowered.endswith("stan"):
        return {name + "i"}
    if lowered.endswith("land"):
        return {name + "er"}
    if lowered.endswith("ia"):
        return {name + "n"}
    if lowered.endswith("a"):
        return {name + "n"}
    if lowered.endswith("e"):
        return {name[:-1] + "ian", name + "an"}
    if lowered.endswith("o"):
        return {name[:-1] + "an", name + "an", name[:-1] + "ese"}
    if lowered.endswith("y"):
        return {name[:-1] + "ian"}
    if lowered.endswith(("i", "u")):
        return {name + "an"}
    return {name + "ian", name + "ese", name + "i"}


def name_parts(display_name: str) -> set[str]:
    """The parts of a display name that identify its owner: words of 3+ letters (and halves of hyphenated ones)."""
    parts: set[str] = set()
    for word in display_name.split():
        cleaned = word.strip(".,;:!?()[]{}\"'’|")
        if cleaned.rstrip(".").casefold() in _HONORIFIC_KEYS:
            continue
        pieces = [cleaned, *cleaned.split("-")] if "-" in cleaned else [cleaned]
        parts.update(piece for piece in pieces if sum(ch.isalpha() for ch in piece) >= 3)
    return parts


def _is_capitals(form: str) -> bool:
    letters = [ch for ch in form if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


def _country(name: str) -> object | None:
    wanted = name.casefold()
    # Two Han characters name a State ("中国"); in other scripts the shortest names are codes or words.
    return None if len(wanted) < (2 if is_han(wanted) else 4) else _countries_by_name().get(wanted)


@lru_cache(maxsize=1)
def _countries_by_name() -> dict[str, object]:
    """pycountry's countries by casefolded name, official name and common name, and by their names in the six UN
    languages (built once: 249 countries), so that a roster may name a State in any of them ("Россия")."""
    index: dict[str, object] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                index.setdefault(value.casefold(), country)
    for country in pycountry.countries:
        for value in territory_names(str(country.alpha_2)):
            index.setdefault(value.casefold(), country)
    return index


def territory_names(alpha_2: str) -> set[str]:
    """A State's names in the six UN languages, from CLDR via Babel ("CH" → "Suisse", "Suiza", "Швейцария", …)."""
    return {names[alpha_2] for names in _territories() if alpha_2 in names}


@lru_cache(maxsize=1)
def _territories() -> tuple[dict[str, str], ...]:
    # Loaded once per process (some 50 ms for the six locales): contexts are prepared in a worker thread.
    # Chinese also in traditional characters ("俄羅斯"), as written in Taiwan and Hong Kong.
    return tuple(dict(Locale.parse(language).territories) for language in (*UN_LANGUAGES, "zh_Hant"))


def _is_ordinary_word(name: str) -> bool:
    """Whether a State's name in another language is an ordinary word of that language (see the constants)."""
    if len(name.split()) != 1:
        return False
    lowered = name.casefold()
    language = "ar" if is_arabic(name) else "ru" if is_cyrillic(name) else None
    if language is None:
        return False  # Latin names: matched as written when common (the scrubber's rule); Chinese: see is_common_word
    if is_at_least(lowered, language, _FUNCTION_WORD_ZIPF):
        return True
    return (
        language == "ar"
        and not lowered.startswith("ال")
        and is_at_least(lowered, "ar", _COMMON_ZIPF)
        and is_at_least("ال" + lowered, "ar", _ARABIC_WITH_ARTICLE_ZIPF)
    )


def _country_names(country: object) -> set[str]:
    names: set[str] = set()
    for attribute in ("name", "official_name", "common_name"):
        value = getattr(country, attribute, None)
        if value:
            names.update(stripped_forms(value))
    return names


def _country_codes(country: object) -> set[str]:
    """ISO codes in capitals (alpha-2 only where it is no English word, "US" excepted) and irregular demonyms."""
    forms: set[str] = set()
    alpha_3 = str(getattr(country, "alpha_3", ""))
    alpha_2 = str(getattr(country, "alpha_2", ""))
    if alpha_3 and not is_common_word(alpha_3, _ALPHA_3_WORD_ZIPF):
        forms.add(alpha_3)
    if alpha_2 == "US" or (alpha_2 and not is_common_word(alpha_2, _ALPHA_2_WORD_ZIPF)):
        forms.add(alpha_2)
    forms.update(_IRREGULAR_DEMONYMS.get(alpha_3, ()))
    return forms


def _acronyms(name: str) -> set[str]:
    words = [word for word in name.split() if word.casefold() not in _MINOR_WORDS]
    if len(words) < _MIN_ACRONYM_WORDS or not all(word[:1].isalpha() for word in words):
        return set()
    return {"".join(word[0].upper() for word in words)}
