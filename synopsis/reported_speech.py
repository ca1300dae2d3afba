"""A contribution's first person ("we", "our", "I") rewritten in the reported form a synopsis is written in.

Pure and rule-based, sentence by sentence, so the same text always gives the same statement:

- an opinion opener becomes impersonal: "We (strongly) believe (that) X" → "It was (strongly) considered that X",
  "I am concerned that/about X" → "Concern was expressed that/about X", "We suggest/recommend/propose/stress/note
  that X" → "It was suggested/… that X";
- otherwise the speaker becomes "Participants" ("we") or "A participant" ("I", and the verb after it agrees: "I
  support" → "A participant supports"); a later "we"/"I" in the same statement is "they", "us"/"me" are
  "participants" and then "them", and every possessive ("our", "my") is "their": "our country" → "their country".
  Nothing here can name anyone; placeholders such as "[affiliation]" are left as scrubbing wrote them.

Conservative: a sentence whose first person cannot be rewritten safely (a question, "let us", first person inside
quotation marks, an "I" that is not followed by a verb) is kept exactly as written, and the result says it is not
`complete`. "I" after words such as "Protocol" or "World War" is a numeral, and "US" in capitals a country: both
are left alone. The compiler flags every statement taken from a contribution as machine-drafted either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reported:
    text: str
    rewritten: bool  # whether any sentence changed
    complete: bool  # False when a sentence with a first person had to be kept as written


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_FIRST_PERSON = re.compile(
    r"\b(?:I(?:'m|'ve|'d|'ll)?|me|my|mine|myself|we(?:'re|'ve|'d|'ll)?|us|our|ours|ourselves|let's)(?![\w'])",
    re.IGNORECASE,
)
_VERB_AFTER = re.compile(r"\s+[a-z]")
_QUOTES = re.compile(r"[\"“”«»]")
# Words after which "I" is a Roman numeral (Protocol I, Annex I, World War I), not the speaker.
_NUMERAL_HOSTS = frozenset(
    [
        "protocol",
        "article",
        "annex",
        "part",
        "chapter",
        "section",
        "phase",
        "title",
        "volume",
        "schedule",
        "appendix",
        "war",
        "class",
        "category",
        "type",
        "level",
        "stage",
        "tier",
        "group",
        "pillar",
        "action",
        "item",
    ]
)
_AUXILIARIES = frozenset(
    [
        "am",
        "are",
        "is",
        "was",
        "were",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "can",
        "could",
        "shall",
        "should",
        "will",
        "would",
        "may",
        "might",
        "must",
    ]
)

_OPINION = {
    "believe": "considered",
    "think": "considered",
    "consider": "considered",
    "feel": "felt",
    "suggest": "suggested",
    "propose": "proposed",
    "recommend": "recommended",
    "stress": "stressed",
    "emphasise": "emphasised",
    "emphasize": "emphasized",
    "underline": "underlined",
    "underscore": "underscored",
    "highlight": "highlighted",
    "note": "noted",
}
# "We (strongly) believe that X", "I would suggest that X", "We think X" (believe/think only take a bare clause).
_OPENER = re.compile(
    r"^(?:we|i)\s+(?:would\s+|do\s+)?(?P<adverb>\w+ly\s+)?(?P<verb>"
    + "|".join(_OPINION)
    + r")\s+(?:(?P<that>that)\s+)?(?P<rest>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)
_CONCERN = re.compile(
    r"^(?:we\s+are|we're|i\s+am|i'm)\s+(?:(?:deeply|very|gravely|particularly)\s+)?concerned\s+"
    r"(?P<link>that|about|by|at|with)\s+(?P<rest>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)

_I_VERB = {"am": "is", "was": "was", "have": "has", "do": "does", "don't": "does not", "go": "goes"}


def reported(text: str) -> Reported:
    """`text` in reported form; see the module docstring for the rules."""
    state = _State()
    sentences = _SENTENCE_END.split(text.strip()) if text.strip() else []
    out = [_sentence(sentence, state) for sentence in sentences]
    rewritten = any(new != old for new, old in zip(out, sentences, strict=True))
    # Keep the original spacing between sentences where nothing changed: only the sentences are rewritten.
    joined = text if not rewritten else " ".join(out)
    return Reported(joined, rewritten, state.complete)


@dataclass(slots=True)
class _State:
    named: bool = False  # a speaker ("participants", "a participant") has been introduced: later ones are "they"
    complete: bool = True


def _sentence(sentence: str, state: _State) -> str:
    if not _speaks(sentence):
        return sentence
    if _unsafe(sentence):
        state.complete = False
        return sentence
    opened = _opener(sentence)
    if opened is not None:
        head, rest = opened
        return _capitalised(head + _pronouns(rest, state))
    return _capitalised(_pronouns(sentence, state))


def _is_first_person(word: str, start: int, sentence: str) -> bool:
    if word == "US":  # the country
        return False
    if word.casefold() == "i" and word != "I":
        return False  # a lone lower-case "i" is too rare in this register to rewrite safely
    if word == "I":
        # A bounded look back: the words that make "I" a numeral are short, and a long text must stay linear.
        before = sentence[max(0, start - 40) : start].split()
        if before and before[-1].strip(",;:()").casefold() in _NUMERAL_HOSTS:
            return False
    return True


def _speaks(sentence: str) -> bool:
    return any(_is_first_person(m.group(0), m.start(), sentence) for m in _FIRST_PERSON.finditer(sentence))


def _unsafe(sentence: str) -> bool:
    stripped = sentence.strip()
    if stripped.endswith("?") or _QUOTES.search(stripped):
        return True
    if re.search(r"\blet(?:'s|\s+us)\b", stripped, re.IGNORECASE):
        return True
    for match in re.finditer(r"\bI\b(?!')", stripped):
        if not _is_first_person(match.group(0), match.start(), stripped):
            continue
        if not _VERB_AFTER.match(stripped, match.end()):
            return True  # "I, for one, …": no verb to make agree
    return False


def _opener(sentence: str) -> tuple[str, str] | None:
    concern = _CONCERN.match(sentence)
    if concern:
        return f"Concern was expressed {concern.group('link').lower()} ", concern.group("rest")
    match = _OPENER.match(sentence)
    if match is None:
        return None
    verb = match.group("verb").lower()
    rest = match.group("rest")
    if match.group("that") is None and (verb not in ("believe", "think") or len(rest.split()) < 3):
        return None
    adverb = match.group("adverb").lower() if match.group("adverb") else ""
    return f"It was {adverb}{_OPINION[verb]} that ", rest


_TOKEN = re.compile(
    r"\b(?P<word>I(?:'m|'ve|'d|'ll)?|me|my|mine|myself|we(?:'re|'ve|'d|'ll)?|us|our|ours|ourselves)(?![\w'])"
    r"(?P<gap>\s+)?(?P<next>(?:(?:\w+ly|also|still|really|fully|firmly|only|just|always|never|personally)\s+)?"
    r"[\w']+)?",
    re.IGNORECASE,
)


def _pronouns(text: str, state: _State) -> str:
    out: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        word = match.group("word")
        if not _is_first_person(word, match.start(), text):
            continue
        out.append(text[position : match.start()])
        lower = word.casefold()
        gap = match.group("gap") or ""
        following = match.group("next") or ""
        replacement, consumed = _replace(lower, gap, following, state)
        out.append(replacement)
        position = match.end() if consumed else match.end("word")
    out.append(text[position:])
    return "".join(out)


def _replace(word: str, gap: str, following: str, state: _State) -> tuple[str, bool]:
    """The reported form of one first-person word, and whether it took the word after it too (a verb to agree)."""
    if word in ("my", "our"):
        return "their", False
    if word in ("mine", "ours"):
        return "theirs", False
    if word in ("myself", "ourselves"):
        return "themselves", False
    if word in ("me", "us"):
        if state.named:
            return "them", False
        state.named = True
        return "participants", False
    contraction = {"'re": " are", "'ve": " have", "'d": " would", "'ll": " will", "'m": " am"}
    base, suffix = word, ""
    for ending, expansion in contraction.items():
        if word.endswith(ending):
            base, suffix = word[: -len(ending)], expansion
    if base == "we":
        subject = "they" if state.named else "participants"
        state.named = True
        return subject + suffix, False
    # "I": the first time "a participant", whose verb takes the third person; after that "they", whose does not.
    if state.named:
        return "they" + {" am": " are"}.get(suffix, suffix), False
    state.named = True
    if suffix:
        return "a participant" + {" am": " is", " have": " has"}.get(suffix, suffix), False
    if not following:
        return "a participant", False
    return f"a participant{gap}{_agreeing(following)}", True


def _agreeing(phrase: str) -> str:
    """The verb (after an optional adverb) in the third person singular: "also support" → "also supports"."""
    words = phrase.split()
    verb = words[-1]
    prefix = phrase[: len(phrase) - len(verb)]
    return prefix + _third_person(verb)


def _third_person(verb: str) -> str:
    lower = verb.casefold()
    if lower in _I_VERB:
        return _I_VERB[lower]
    if lower in _AUXILIARIES or lower.endswith("ed") or not verb.isalpha() or not verb.islower():
        return verb
    if re.search(r"(?:s|sh|ch|x|z|o)$", lower):
        return verb + "es"
    if re.search(r"[^aeiou]y$", lower):
        return verb[:-1] + "ies"
    return verb + "s"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text
