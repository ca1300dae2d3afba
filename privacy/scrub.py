"""Scrubbing: take identifying details out of a contribution before it is stored.

Under the Chatham House Rule nothing that leaves the room may reveal who said what or where they come from. The bot
stores contributions to draft a synopsis later, so the text is scrubbed *before* it is stored: what was never
written down cannot leak from a database, a backup or a draft.

`scrub_text` replaces, in this order, with neutral placeholders:

1. Matrix user IDs (`@alice:example.org`), `matrix.to` user links (also `%40`-encoded) and `matrix:u/` URIs
   → `[participant]`. Room aliases, room IDs and event links stay: they name rooms, not people.
2. e-mail addresses → `[email]`.
3. phone numbers → `[phone]`. A phone number must have at least 7 digits and start like one: `+` or `00`
   (international), `0` followed by a digit (national trunk prefix, e.g. `022 123 45 67`), `(0…)`, or the North
   American `(202) 555-0143` / `202-555-0143` shapes. This is what keeps years ("2026"), article numbers
   ("Article 21"), date ranges ("10-13 September 2024"), "1,000" and "16 years" intact, none of which start with
   `+` or `0`. Dates with a leading zero and a four-digit year ("01.02.2024", "01-02-2024") are kept too.
   Known limits: a number without any prefix and not in North American shape ("123 45 67") is kept, and digits
   that directly follow a phone number after a single space ("… 45 67 2024") are replaced with it.
4. the roster's affiliations (States and organisations) and their aliases → `[affiliation]`, in every form that
   `privacy.forms.affiliation_forms` derives: the name as given, its short forms ("Permanent Mission of the Federal
   Republic of Ostravia" → "Ostravia"), demonyms by rule ("Tarvanian"), for real States (pycountry's ISO 3166 data)
   the official, common and short names, ISO alpha-3 and alpha-2 codes in capitals (not those that are frequent
   words: "NO", "IT", "CAN"; "US" is kept), irregular demonyms ("Norwegian") and the names in the six UN languages
   ("la Suisse", "Швейцария", "瑞士"), and for organisations of three or more significant words the acronym ("HRW").
   Case-insensitive, whole words, longest first, tolerant of `'`/`’`, of any whitespace (including line breaks)
   between words, of `&` for "and" (and vice versa), of missing accents ("Cote d'Ivoire" for a roster's "Côte
   d’Ivoire"), and of a possessive or plural suffix, which is kept ("Ruritania's" → "[affiliation]'s", "Tarvanians" →
   "[affiliation]s"). A form written as a short acronym in capitals ("WHO", "US", "NOR") is matched case-sensitively,
   so the words "who" and "us" survive; so is a one-word form that is a common word ("Turkey", "American").
5. participants' names → `[participant]`: every display name (also without a parenthesised or ` | `-separated suffix,
   "Amara Okafor (MFA)", and without honorifics), every part of one of 3+ letters (first name, surname, each half of
   a double-barrelled one), and every member ID's localpart ("alice" of `@alice:example.org`), in any case, with an
   honorific in front taken along ("Ms Quarterbridge", "Dr. Oyelaran-Fitch" → "[participant]"); a trailing full stop
   of an abbreviation is optional; accents and apostrophes are treated as for affiliations. A name part that is also
   a common English, French or Spanish (in Cyrillic: Russian) word by wordfreq's lists ("Grace", "Will", "Mark",
   "May", but also "John", "Вера") is replaced only after an honorific, when capitalised inside a sentence ("as Will
   said", "thanks, Grace"), or capitalised at the start of a sentence or line when a possessive or a verb of saying
   follows ("Will said …", "Grace's proposal"); not otherwise at a sentence start ("Will the chair …", "May I add …")
   nor in lower case ("grace period"). The month "May" mid-sentence is replaced when a member is called May. Names
   are skipped when they have fewer than 3 letters or digits (a Chinese name of 2 characters is kept), or when every
   word of them is on `NAME_STOP_WORDS` (role words and common words such as "admin", "bot", "state", "civil
   society"), since replacing those everywhere would wreck ordinary sentences and hide nobody.

Whole words, for names and affiliations, means not inside a run of letters, except where lower case turns to upper
case: "#TarvaniaFirst" → "#[affiliation]First", "#StandWithElbonia" → "#StandWith[affiliation]"; digits, "_", "-",
"." and "/" separate words, so names inside URLs, file names and hashtags are found, while "benchmark" keeps its
"mark". Not found: a State or person described without being named ("our host country", "the capital", "the
chair"), a capital city, a leader's or minister's name that is on no roster or display name, a misspelling, and a
demonym that neither the rules nor the irregular list give.

Other scripts (`privacy.scripts` says how): Chinese has no spaces, so next to a Han character any position is a word
boundary ("我同意王小明的意见"); a Chinese name is also found as surname + title ("王先生") and in pinyin ("Wang
Xiaoming"). A Cyrillic word is matched with any Russian case ending ("Смирновой"), and a Cyrillic name also in
Latin letters ("Smirnova"). An Arabic word may have "و", "ب"
or "ل" attached in front, which is kept ("و[participant]"), and a name may have the article or not ("الفيصل"). A
roster's real State is also found by its names in the six UN languages (`privacy.forms.territory_names`).

Every pass takes time linear in the length of the text (and, for names and affiliations, not in the size of the
roster): participants' text is untrusted, and one slow message would hold up every room. A run of more than 16
digit groups is replaced as several phone numbers; a "<" in HTML that opens no complete tag is read as text; names
and affiliations longer than 300 characters are not looked for.
`tests/unit/test_privacy_scrub_adversarial.py` and `benchmarks/scrub_speed.py` keep it so.

Everything else is kept exactly as written. The placeholders are never altered, and scrubbing is idempotent:
scrubbed text passes through unchanged (scrub_text repeats its passes until nothing changes).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser

from privacy.forms import HONORIFICS, affiliation_forms, is_common_word, name_parts
from privacy.scripts import (
    ARABIC_ARTICLE,
    ARABIC_CLITICS,
    ARABIC_NAME_PARTICLES,
    CYRILLIC_ENDING,
    EQUIVALENT_LETTERS,
    HAN,
    chinese_name_forms,
    cyrillic_stem,
    is_arabic,
    is_cyrillic,
    is_han,
    latin_names,
    pinyin_names,
)

PARTICIPANT = "[participant]"
AFFILIATION = "[affiliation]"
EMAIL = "[email]"
PHONE = "[phone]"
PLACEHOLDERS: tuple[str, ...] = (PARTICIPANT, AFFILIATION, EMAIL, PHONE)

NAME_STOP_WORDS: frozenset[str] = frozenset(
    {
        # placeholders' own words, so a name can never rewrite a placeholder
        "participant",
        "affiliation",
        "email",
        "phone",
        # common English words that make plausible localparts or display names
        "the",
        "and",
        "you",
        "who",
        "all",
        "one",
        "new",
        "not",
        "test",
        "guest",
        "info",
        "contact",
        "office",
        "team",
        "support",
        "room",
        "dialogue",
        "notes",
        # accounts and roles rather than people
        "bot",
        "user",
        "admin",
        "moderator",
        "facilitator",
        "chair",
        "host",
        "member",
        "delegate",
        "delegation",
        "observer",
        "secretariat",
        "staff",
        # the stakeholder vocabulary of the dialogues themselves
        "state",
        "states",
        "party",
        "parties",
        "civil",
        "society",
        "survivor",
        "survivors",
        "other",
        "organisation",
        "organization",
        "international",
    }
    # "ابن", "بنت", "عبد", …: words of Arabic names that name nobody alone
    | ARABIC_NAME_PARTICLES
)
"""Words that never count as a name on their own (compared case-insensitively; see the module docstring)."""

_MIN_NAME_CHARS = 3
_MIN_AFFILIATION_CHARS = 2
_MAX_ACRONYM_CHARS = 6
# Longer names and affiliations are not looked for: nobody writes a 300-character name out in a sentence, and the
# regular expression compiler recurses once per branching point of the trie (Python's limit is some 900).
_MAX_PATTERN_NAME_CHARS = 300

# Names and affiliations are whole words: not inside a run of letters, except where lower case turns to upper
# ("#TarvaniaFirst", "#StandWithElbonia"), which is how hashtags join words. Digits and "_" are not letters, so
# "statement_tarvania.pdf" and "tarvania2030" give the name up too; "benchmark" keeps its "mark".
_LETTER = r"[^\W\d_]"
_CAMEL_CASE_BREAK = r"(?-i:(?<=[a-zß-öø-ÿ])(?=[A-ZÀ-ÖØ-Þ]))"
# Chinese has no spaces: next to a Han character any position is a word boundary (a word may start after one; one
# that starts with one right after a letter of another script is not looked for: that check at every position of
# the text cost a fifth of the scrubbing time). An Arabic word may carry an attached conjunction or preposition
# ("و", "ب", "ل"), which is matched here, outside the replaced part, and kept.
_WORD_START = rf"(?:(?<!{_LETTER})(?<![\u0300-\u036f]){ARABIC_CLITICS}|{_CAMEL_CASE_BREAK}|(?<={HAN}))"
# A Chinese State's name ending in "国" does not end before "际": that "国" starts "国际" (international), as in
# "非法国际贸易" (illegal international trade), which holds "法国" (France) across two words.
_WORD_END = rf"(?!(?<=国)际)(?:(?!{_LETTER})(?![\u0300-\u036f])|{_CAMEL_CASE_BREAK}|(?<={HAN})|(?={HAN}))"
_APOSTROPHES = "'’‘ʼ`´"
_APOSTROPHE = "['’‘ʼ`´]"

# Existing placeholders are matched first and given back unchanged, so no later pattern can match inside one.
_KEEP = r"(?P<keep>\[(?:participant|affiliation|email|phone)\])"

# --- Matrix users ------------------------------------------------------------------------------------------------
# Spec grammar: user ID = "@" localpart ":" server_name; server_name = hostname [":" port]; hostname = IPv4 /
# "[" IPv6 "]" / dns-name. Localparts use the current grammar [a-z0-9._=\-/+] plus upper case (historical IDs).
_LOCALPART = r"[A-Za-z0-9._=\-/+]+"
_DNS_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
# Bracketed IPv6 literals are at most 45 characters (135 percent-encoded). The bounds keep a link whose encoded
# localpart is full of `%3A` (each a place the localpart might end) from rescanning the rest of the text at each one.
_HOST = rf"(?:\[[0-9A-Fa-f:.]{{1,45}}\]|{_DNS_LABEL}(?:\.{_DNS_LABEL})*)"
_SERVER = rf"{_HOST}(?::[0-9]{{1,5}})?"
_ENCODED_LOCALPART = r"(?:[A-Za-z0-9._=\-/+]|%[0-9A-Fa-f]{2})+"
_ENCODED_SERVER = (
    r"(?:\[[0-9A-Fa-f:.]{1,45}\]|%5[Bb][0-9A-Fa-f:.%]{1,135}?%5[Dd]|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)"
    r"(?:(?::|%3[Aa])[0-9]{1,5})?"
)
_QUERY = r"(?:\?[\w=&%~+.-]*[\w=&%~+-])?"
_USER_LINK = (
    rf"(?:(?:https?://)?matrix\.to/#/(?:@|%40){_ENCODED_LOCALPART}(?::|%3[Aa]){_ENCODED_SERVER}{_QUERY}"
    rf"|matrix:u/{_ENCODED_LOCALPART}(?::|%3[Aa]){_ENCODED_SERVER}{_QUERY})"
)
_USER_LINK_RE = re.compile(rf"{_KEEP}|(?P<hit>{_USER_LINK})", re.IGNORECASE)
_USER_ID_RE = re.compile(rf"{_KEEP}|(?P<hit>(?<![\w.%+-])@{_LOCALPART}:{_SERVER})")
_USER_HREF_RE = re.compile(r"\s*(?:https?://)?matrix\.to/#/(?:@|%40)|\s*matrix:u/", re.IGNORECASE)

# --- e-mail ------------------------------------------------------------------------------------------------------
# An address is `local@domain`: local = [\w%+-]+(?:['.][\w%+-]+)*, not preceded by [\w.%+-]; domain =
# [\w-]+(?:\.[\w-]+)+. A single regex for this backtracks through every possible start of the local part (a body
# of "a'a'a'…" took minutes), so `_scrub_emails` looks at each "@" instead: see there.
_EMAIL_LOCAL_RUN_RE = re.compile(r"[\w%+'.-]+")
_EMAIL_LOCAL_RE = re.compile(r"[\w%+-]+(?:['.][\w%+-]+)*")  # the same read forwards or backwards
_EMAIL_DOMAIN_RE = re.compile(r"[\w-]+(?:\.[\w-]+)+")
_EMAIL_NOT_BEFORE = re.compile(r"[\w.%+-]")

# --- phone numbers -----------------------------------------------------------------------------------------------
_SPACE = r"[ \u00a0]"
# Between digit groups: one or two spaces, or a hyphen directly followed by the next group (so "45 67 - 2024" or
# "67 – 24h" do not run on).
_SEP = rf"(?:{_SPACE}{{1,2}}|[-\u2010\u2011](?=[0-9(]))"
# At most _MAX_PHONE_GROUPS groups after the first: a candidate that is rejected (a date in front) is retried from
# its next character, and an unbounded run of groups ("01-02-2024 01-02-2024 …") would be rescanned to its end each
# time. No phone number has that many groups; a longer run is replaced in pieces.
_MAX_PHONE_GROUPS = 16
_SPACED_PHONE_RE = re.compile(
    r"(?<![\w@/#%=+,-])"
    r"(?P<hit>(?:\+[0-9]+|0[0-9]+|\(0[0-9]{1,4}\)|\(\+[0-9]{1,3}\))"
    rf"(?:{_SEP}?\([0-9]{{1,5}}\)|{_SEP}[0-9]+|(?<=\))[0-9]+){{0,{_MAX_PHONE_GROUPS}}})"
)
_DOTTED_PHONE_RE = re.compile(
    r"(?<![\w@/#%=+.,-])(?P<hit>(?:\+[0-9]{1,3}|0[0-9]{1,4})(?:\.[0-9]{1,4}){2,})(?![0-9]|\.[0-9])"
)
_NANP_PHONE_RE = re.compile(
    r"(?<![\w@/#%=+.,-])(?P<hit>(?:1[-. ])?"
    rf"(?:\([0-9]{{3}}\){_SPACE}?[0-9]{{3}}[-. ][0-9]{{4}}"
    r"|[0-9]{3}-[0-9]{3}-[0-9]{4}|[0-9]{3}\.[0-9]{3}\.[0-9]{4}|[0-9]{3} [0-9]{3} [0-9]{4}))(?![0-9])"
)
# A date with a four-digit year, day and month in either order ("01.02.2024", "09-13-2024", "01 02 2024").
_DATE_PREFIX_RE = re.compile(
    r"(?:0?[1-9]|[12][0-9]|3[01])([-.\u2010\u2011 ])(?:0?[1-9]|[12][0-9]|3[01])\1(?:19|20)[0-9]{2}(?![0-9])"
)
_MIN_PHONE_DIGITS = 7


@dataclass(frozen=True)
class ScrubContext:
    """What the scrubber must know about a dialogue to take its people and their affiliations out of the text."""

    member_ids: frozenset[str] = frozenset()
    """Matrix IDs of room members (and of anyone on the roster)."""
    display_names: frozenset[str] = frozenset()
    """Display names of room members."""
    affiliations: frozenset[str] = frozenset()
    """States/organisations from the dialogue's roster, e.g. "Ruritania", "Humanity & Inclusion"."""


def scrub_message(body: str, formatted_body: str | None, context: ScrubContext) -> str:
    """Scrub the text of an `m.room.message` content (see `message_text` for which text that is)."""
    return scrub_text(message_text(body, formatted_body), context)


def message_text(body: str, formatted_body: str | None) -> str:
    """The text of an `m.room.message` content, not scrubbed yet: HTML `formatted_body` if present, else `body`.

    The HTML is preferred because it marks what the plain body only implies: the reply quote (`<mx-reply>`, dropped:
    it repeats another person's words under their user ID) and mention pills (links to a user, which become
    `[participant]` whatever their text says). Without HTML, the plain reply fallback ("> <@alice:example.org> …"
    lines and the blank line after them) is stripped from the body instead.
    """
    if formatted_body is not None and formatted_body.strip():
        return html_to_text(formatted_body)
    return strip_reply_fallback(body)


def scrub_text(text: str, context: ScrubContext) -> str:
    """Replace user IDs, e-mail addresses, phone numbers, affiliations and names in `text` with placeholders.

    See the module docstring for what is matched and why. Runs its passes until the text stops changing, so that
    scrubbing is idempotent even where a replacement changes what a later pass sees next to it.
    """
    patterns = _context_patterns(context)
    while True:
        scrubbed = _scrub_once(text, patterns)
        if scrubbed == text:
            return scrubbed
        text = scrubbed


def prepare(context: ScrubContext) -> None:
    """Build (and cache) the patterns of `context`, which takes up to seconds for a roster of hundreds of members.

    Scrubbing builds them when they are missing; call this in a worker thread first, so the event loop does not."""
    _context_patterns(context)


def strip_reply_fallback(body: str) -> str:
    """Remove the quoted reply fallback from a plain-text body, keeping the reply itself.

    The fallback is only recognised by its header line ("> <@alice:example.org> …", or "> * <@…> …" for emotes), so a
    participant's own "> " quotation at the start of a message is kept.
    """
    lines = body.split("\n")
    if not lines or not re.match(r"> (?:\* )?<@[^>\s]+>", lines[0]):
        return body
    index = 0
    while index < len(lines) and (lines[index].startswith("> ") or lines[index] == ">"):
        index += 1
    if index < len(lines) and lines[index] == "":
        index += 1
    return "\n".join(lines[index:])


def html_to_text(formatted_body: str) -> str:
    """Render Matrix HTML as plain text: reply quotes dropped, mention pills as `[participant]`, links as their text.

    `<br>` and block elements become line breaks (paragraphs, headings, quotes and lists are separated by a blank
    line, list items get "- " or "1. "), other whitespace is collapsed as a browser would except inside `<pre>`, and
    entities are unescaped. The result is not scrubbed yet.
    """
    parser = _TextExtractor()
    parser.feed(_complete_markup_only(formatted_body))
    parser.close()
    return parser.text()


# --- HTML --------------------------------------------------------------------------------------------------------

_PARAGRAPH_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "pre", "table", "hr"})
_LINE_TAGS = frozenset({"div", "li", "tr", "details", "summary", "caption"})
_SKIPPED_TAGS = frozenset({"mx-reply", "script", "style"})


# A tag, declaration or processing instruction closed by ">" within _MAX_TAG_CHARS, with no "<" inside.
_MAX_TAG_CHARS = 2048
_COMPLETE_MARKUP_RE = re.compile(rf"<(?:/?[A-Za-z]|[!?])[^<>]{{0,{_MAX_TAG_CHARS}}}>")


def _complete_markup_only(html: str) -> str:
    """`html` with every "<" that does not open complete markup written as "&lt;", and an unclosed comment cut off.

    Python 3.11's HTMLParser rescans the rest of the input from each "<" it cannot finish ("<a <a <a …", "</</…",
    "<!<!…"), which takes quadratic time; given only complete markup it reads each character a bounded number of
    times. Such a "<" is mostly text to a browser too (though a browser reads "<a<b>" as one odd tag, not as text).
    An unclosed comment hides the rest, as it does in a browser.
    """
    pieces: list[str] = []
    position = 0
    while (opening := html.find("<", position)) >= 0:
        pieces.append(html[position:opening])
        if html.startswith("<!--", opening):
            closing = html.find("-->", opening + 4)
            if closing < 0:
                return "".join(pieces)
            pieces.append(html[opening : closing + 3])
            position = closing + 3
            continue
        markup = _COMPLETE_MARKUP_RE.match(html, opening)
        if markup is None:
            pieces.append("&lt;")
            position = opening + 1
        else:
            pieces.append(markup.group())
            position = markup.end()
    pieces.append(html[position:])
    return "".join(pieces)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        # The text so far, in pieces: appending to one growing string (and stripping its end at each line break)
        # would copy it again for every piece.
        self._pieces: list[str] = []
        self._skip_depth = 0
        self._pill_depth = 0
        self._anchors: list[bool] = []
        self._pre_depth = 0
        self._lists: list[list[int]] = []  # [ordered (0/1), next number]

    def text(self) -> str:
        return "".join(self._pieces).strip()

    def _hidden(self) -> bool:
        return self._skip_depth > 0 or self._pill_depth > 0

    def _emit(self, text: str) -> None:
        if text and not self._hidden():
            self._pieces.append(text)

    def _ends_with(self, suffix: str) -> bool:
        tail = ""
        for piece in reversed(self._pieces):
            tail = piece + tail
            if len(tail) >= len(suffix):
                break
        return tail.endswith(suffix)

    def _strip_trailing_spaces(self) -> None:
        while self._pieces:
            stripped = self._pieces[-1].rstrip(" ")
            if stripped:
                self._pieces[-1] = stripped
                return
            self._pieces.pop()

    def _line_break(self) -> None:
        if not self._hidden() and self._pieces and not self._ends_with("\n"):
            self._strip_trailing_spaces()
            self._pieces.append("\n")

    def _blank_line(self) -> None:
        if not self._hidden() and self._pieces:
            self._line_break()
            if not self._ends_with("\n\n"):
                self._pieces.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            is_pill = _USER_HREF_RE.match(href) is not None
            if is_pill:
                self._emit(PARTICIPANT)
                self._pill_depth += 1
            self._anchors.append(is_pill)
        elif tag == "br":
            self._emit("\n")
        elif tag == "img":
            self._emit(dict(attrs).get("alt") or "")
        elif tag in _PARAGRAPH_TAGS:
            self._blank_line()
            if tag == "pre":
                self._pre_depth += 1
            elif tag in ("ul", "ol"):
                start = dict(attrs).get("start") or "1"
                self._lists.append([int(tag == "ol"), int(start) if start.isdigit() else 1])
        elif tag in _LINE_TAGS:
            self._line_break()
            if tag == "li" and self._lists:
                ordered, number = self._lists[-1]
                if ordered:
                    self._emit(f"{number}. ")
                    self._lists[-1][1] += 1
                else:
                    self._emit("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag == "a":
            if self._anchors and self._anchors.pop():
                self._pill_depth -= 1
        elif tag in _PARAGRAPH_TAGS:
            if tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)
            elif tag in ("ul", "ol") and self._lists:
                self._lists.pop()
            self._blank_line()
        elif tag in _LINE_TAGS:
            self._line_break()

    def handle_data(self, data: str) -> None:
        if self._pre_depth:
            self._emit(data)
            return
        collapsed = re.sub(r"[ \t\n\r\f]+", " ", data)
        if not self._pieces or self._ends_with("\n"):
            collapsed = collapsed.lstrip(" ")
        self._emit(collapsed)


# --- patterns built from the context -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _ContextPatterns:
    affiliations: re.Pattern[str] | None
    names: re.Pattern[str] | None
    common_word_names: re.Pattern[str] | None
    """Name parts that are also common words ("Grace", "Will"): replaced only where written as a name."""


@lru_cache(maxsize=64)
def _context_patterns(context: ScrubContext) -> _ContextPatterns:
    """Compile the affiliation and name patterns of a context once; a dialogue scrubs many messages with one context."""
    forms = {form for affiliation in context.affiliations for form in affiliation_forms(affiliation)}
    affiliations = [
        a for a in _variants(forms) if _alnum_count(a) >= _MIN_AFFILIATION_CHARS and len(a) <= _MAX_PATTERN_NAME_CHARS
    ]
    names, common_word_names = _candidate_names(context)
    return _ContextPatterns(
        affiliations=_alternation(affiliations, _affiliation_tokens, suffix=_AFFILIATION_END),
        names=_alternation(_usable_names(names), _name_tokens, prefix=f"(?:{_HONORIFIC})?", suffix=_WORD_END),
        common_word_names=_alternation(
            _usable_names(common_word_names), _name_tokens, prefix=f"(?P<title>{_HONORIFIC})?", suffix=_WORD_END
        ),
    )


def _usable_names(names: set[str]) -> list[str]:
    return [n for n in _variants(names) if _is_name(n) and len(n) <= _MAX_PATTERN_NAME_CHARS]


# A bracketed part of a display name. No opening bracket inside: otherwise each "(" of a name made of unclosed
# brackets (display names are chosen by the people in them) is scanned to the end, in quadratic time.
_BRACKETED = re.compile(r"\s*[(\[{][^(){}\[\]]*[)\]}]")


def _candidate_names(context: ScrubContext) -> tuple[set[str], set[str]]:
    """The names to look for in any case, and the name parts that are common words (see `_written_as_a_name`)."""
    names: set[str] = set()
    common_word_names: set[str] = set()
    for user_id in context.member_ids:
        if user_id.startswith("@") and ":" in user_id:
            names.add(user_id[1:].split(":", 1)[0])
    for display_name in context.display_names:
        full = " ".join(display_name.split())
        names.add(full)
        # "Amara Okafor (MFA)", "Amara Okafor | Ruritania", "Amara Okafor - MFA" → also "Amara Okafor"
        core = " ".join(re.split(r"\s+[|/\u2013\u2014-]\s+", _BRACKETED.sub(" ", full), maxsplit=1)[0].split())
        names.add(core)
        # "Dr. Amara Okafor" → also "Amara Okafor" (an honorific in front is matched by the pattern itself)
        names.add(" ".join(word for word in core.split() if word.rstrip(".").casefold() not in _HONORIFIC_WORDS))
        # "王小明" → also "王先生", "王小明女士", …; and in pinyin, "Wang Xiaoming", "Xiaoming Wang", "Wang", …;
        # "Анна Смирнова" → also "Anna Smirnova"
        names.update(chinese_name_forms(core))
        latin = pinyin_names(core) | latin_names(core)
        names.update(latin)
        for part in {part for written in (core, *latin) for part in name_parts(written)}:
            (common_word_names if is_common_word(part) else names).add(part)
    return names, common_word_names - names


def _variants(names: Iterable[str]) -> set[str]:
    """Each name as written, in NFC, in NFD and without accents ("Côte" → "Cote"), as people type it either way."""
    out: set[str] = set()
    for name in names:
        stripped = name.strip()
        if not stripped or any(placeholder in stripped for placeholder in PLACEHOLDERS):
            continue
        decomposed = unicodedata.normalize("NFD", stripped)
        unaccented = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        out.update({stripped, unicodedata.normalize("NFC", stripped), decomposed, unaccented})
    return out


def _alnum_count(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


def _is_name(name: str) -> bool:
    # Two Han characters make a whole Chinese name ("李伟"), as syllables they are as long as "Li Wei".
    if _alnum_count(name) < _MIN_NAME_CHARS and not (is_han(name) and len(name) >= 2):
        return False
    words = [w.strip('.,;:!?()[]{}"' + _APOSTROPHES).casefold() for w in name.split()]
    return not all(w in NAME_STOP_WORDS or not w for w in words)


def _alternation(
    names: Iterable[str], to_tokens: Callable[[str], list[str]], prefix: str = "", suffix: str = ""
) -> re.Pattern[str] | None:
    """One pattern matching any of `names`, as a trie: names sharing a beginning share its pattern.

    A flat alternation of every name is tried name by name at each position of the text, so its cost grows with the
    roster (a 64 KB body took seconds with 500 members); a trie tries each distinct beginning once. Longest first,
    as in a flat alternation: the first alternative that matches wins, so "Ministry of Foreign Affairs of Ruritania"
    must be tried before "Ruritania". Each branch of the trie is ordered by the longest name below it, and a name
    that ends at a branching point comes after the longer names continuing from there. `prefix` is a pattern
    matched (and replaced) in front of any name, e.g. an optional honorific; `suffix` is what must follow any name
    (the end of a word), written once after the trie rather than at each of its leaves: backtracking into the trie
    tries the same names in the same order, and the regex compiler would otherwise build the Han character class
    of the word end again for every name (seconds for a roster).
    """
    trie = _trie(names, to_tokens)
    if trie is None:
        return None
    return re.compile(rf"{_KEEP}|{_WORD_START}(?P<hit>{prefix}{trie}){suffix}", re.IGNORECASE)


def _trie(names: Iterable[str], to_tokens: Callable[[str], list[str]]) -> str | None:
    """The pattern of `names` as a trie, longest first (see `_alternation`); None when there are none."""
    ordered = sorted(set(names), key=lambda n: (-len(n), n))
    if not ordered:
        return None
    root = _TrieNode()
    for rank, name in enumerate(ordered):
        node = root
        node.first_rank = min(node.first_rank, rank)
        for token in to_tokens(name):
            node = node.children.setdefault(token, _TrieNode())
            node.first_rank = min(node.first_rank, rank)
        if node.end_rank is None:
            node.end_rank = rank
    return _trie_pattern(root)


@dataclass
class _TrieNode:
    children: dict[str, _TrieNode] = field(default_factory=dict)
    first_rank: int = sys.maxsize
    """The rank (in longest-first order) of the first name at or below this node."""
    end_rank: int | None = None
    """The rank of the name that ends here, if one does."""


def _trie_pattern(root: _TrieNode) -> str:
    """The trie as nested alternations, built children first without recursion (names can be long)."""
    done: dict[int, str] = {}
    stack: list[tuple[_TrieNode, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in node.children.values())
            continue
        branches = [(child.first_rank, token + done.pop(id(child))) for token, child in node.children.items()]
        if node.end_rank is not None:
            branches.append((node.end_rank, ""))
        branches.sort(key=lambda branch: branch[0])
        done[id(node)] = branches[0][1] if len(branches) == 1 else "(?:" + "|".join(b for _, b in branches) + ")"
    return done[id(root)]


def _words_tokens(
    name: str, *, and_is_ampersand: bool, keep_case: bool = False, optional_article: bool = False
) -> list[str]:
    """The pattern of `name`, one piece per character (or per word "and"), so that the trie can share pieces.

    A Cyrillic word is its stem and any case ending ("Смирнов" + "ой"); an Arabic word may have the article, which
    `optional_article` (for names) lets the text add or leave out ("فيصل" or "الفيصل"); in a State's name it stays.
    """
    tokens: list[str] = []
    for word in name.split():
        if tokens:
            tokens.append(r"\s+")
        if and_is_ampersand and (word == "&" or word.casefold() == "and"):
            tokens.append("(?:&|and)")
            continue
        if is_cyrillic(word) and (stem := cyrillic_stem(word)) is not None:
            tokens.extend(_char_token(ch, keep_case=keep_case) for ch in stem)
            tokens.append(CYRILLIC_ENDING)
            continue
        if is_arabic(word):
            bare = word[2:] if word.startswith("ال") and len(word) > 4 else None
            if optional_article:
                tokens.append(f"{ARABIC_ARTICLE}?")
                word = bare or word
            elif bare is not None:
                tokens.append(ARABIC_ARTICLE)
                word = bare
        tokens.extend(_char_token(ch, keep_case=keep_case) for ch in word)
        if len(word) > 1 and word.endswith(".") and word[-2].isalpha():
            tokens[-1] += "?"  # "Dr." also as "Dr"
    return tokens


def _char_token(ch: str, *, keep_case: bool) -> str:
    if ch in _APOSTROPHES:
        return _APOSTROPHE
    if ch in EQUIVALENT_LETTERS:
        return EQUIVALENT_LETTERS[ch]
    if keep_case:
        return f"(?-i:{re.escape(ch)})"
    # The patterns ignore case: "R" and "r" are one piece, so "Ruritania" and "ruritania" share a branch.
    lower = ch.lower()
    return re.escape(lower if len(lower) == 1 else ch)


def _is_acronym(name: str) -> bool:
    letters = [ch for ch in name if ch.isalpha()]
    return (
        len(name.split()) == 1
        and 0 < len(letters) <= _MAX_ACRONYM_CHARS
        and all(ch.isupper() for ch in letters)
        and sum(ch.isalnum() for ch in name) >= _MIN_AFFILIATION_CHARS
    )


def _affiliation_tokens(name: str) -> list[str]:
    # An acronym ("WHO", "US") is matched in capitals only, so the words "who" and "us" survive; a form that is a
    # common word ("Turkey", "American") only as written.
    keep_case = _is_acronym(name) or (len(name.split()) == 1 and is_common_word(name))
    return _words_tokens(name, and_is_ampersand=True, keep_case=keep_case)


# The possessive/plural suffix is only looked at, not replaced: "Ruritania's" → "[affiliation]'s".
_AFFILIATION_END = rf"(?=(?:{_APOSTROPHE}s?|e?s)?{_WORD_END})"


def _name_tokens(name: str) -> list[str]:
    return _words_tokens(name, and_is_ampersand=False, optional_article=True)


_HONORIFIC_WORDS = frozenset(word.rstrip(".").casefold() for title in HONORIFICS for word in title.split())
# "Ms Quarterbridge", "Dr. Oyelaran-Fitch", "H.E. Zephyrine": the title goes with the name (it tells a gender or a
# rank, and is no use without the name).
# A trie too: the titles are tried at every word start of every text, and with the Russian and Arabic ones a flat
# alternation of some forty made the name passes half as slow again.
_HONORIFIC = f"{_trie(HONORIFICS, lambda title: _words_tokens(title, and_is_ampersand=False))}" + r"\s+"


# --- the passes --------------------------------------------------------------------------------------------------


def _scrub_once(text: str, patterns: _ContextPatterns) -> str:
    # One function per kind of pattern, in this order; each must take time linear in the length of the text.
    text = _scrub_user_ids(text)
    text = _scrub_emails(text)
    text = _scrub_phones(text)
    text = _scrub_affiliations(text, patterns)
    return _scrub_names(text, patterns)


def _scrub_user_ids(text: str) -> str:
    return _replace(_USER_ID_RE, _replace(_USER_LINK_RE, text, PARTICIPANT), PARTICIPANT)


def _scrub_phones(text: str) -> str:
    text = _replace(_SPACED_PHONE_RE, text, PHONE, _is_phone)
    text = _replace(_DOTTED_PHONE_RE, text, PHONE, _is_phone)
    return _replace(_NANP_PHONE_RE, text, PHONE)


def _scrub_affiliations(text: str, patterns: _ContextPatterns) -> str:
    return text if patterns.affiliations is None else _replace(patterns.affiliations, text, AFFILIATION)


def _scrub_names(text: str, patterns: _ContextPatterns) -> str:
    if patterns.names is not None:
        text = _replace(patterns.names, text, PARTICIPANT)
    if patterns.common_word_names is not None:
        text = _replace(patterns.common_word_names, text, PARTICIPANT, accept_match=_written_as_a_name)
    return text


_OPENERS = "\"'“‘«([{"
_SENTENCE_ENDS = ".!?\n"
_LOOK_BACK_CHARS = 8


# What follows a name at the start of a sentence: a possessive, or a verb of saying or thinking ("Will said …",
# "Grace's proposal …"), which the words themselves ("Will the chair …", "Mark my words", "May I …") are not.
_NAME_FOLLOWERS_RE = re.compile(
    rf"{_APOSTROPHE}s(?!{_LETTER})|[ \t]+(?:said|says|asked|asks|added|adds|argued|argues|noted|notes|agreed|agrees|"
    r"disagreed|disagrees|suggested|suggests|proposed|proposes|mentioned|mentions|thinks|thought|believes|wrote|"
    r"writes|explained|explains|stressed|stresses|pointed|replied|replies|made|raised|is|was|has|had)(?![\w])"
)


def _written_as_a_name(match: re.Match[str]) -> bool:
    """A name part that is also a word ("Grace", "Will") counts as a name after an honorific ("Mr will"), when
    capitalised inside a sentence ("as Will said", "thanks, Grace"), or capitalised at the start of one when a
    possessive or a verb of saying follows ("Will said …", "Grace's proposal"). Otherwise ("Will the chair …",
    "grace period") it is the word. Only a few characters are looked at on either side, to stay linear."""
    if match.group("title"):
        return True
    hit = match.group("hit")
    if not hit[:1].isupper():
        return False
    return _inside_a_sentence(match.string, match.start("hit")) or (
        _NAME_FOLLOWERS_RE.match(match.string, match.end("hit")) is not None
    )


def _inside_a_sentence(text: str, index: int) -> bool:
    """Whether `index` is inside a sentence: after a space that follows no sentence end (nor the text's start)."""
    limit = max(0, index - _LOOK_BACK_CHARS)
    while index > limit and text[index - 1] in _OPENERS:
        index -= 1
    if index == 0 or text[index - 1] not in " \t\u00a0":
        return False
    while index > limit and text[index - 1] in " \t\u00a0":
        index -= 1
    return index > 0 and text[index - 1] not in _SENTENCE_ENDS and not text[index - 1].isspace()


def _replace(
    pattern: re.Pattern[str],
    text: str,
    placeholder: str,
    accept: Callable[[str], bool] | None = None,
    accept_match: Callable[[re.Match[str]], bool] | None = None,
) -> str:
    """Replace each match of `pattern`'s `hit` group with `placeholder`; keep placeholders and rejected candidates.

    A rejected candidate is retried from its next character (with the real text before it still visible to
    look-behinds), so a date glued to a phone number does not hide the phone number.
    """
    pieces: list[str] = []
    done = 0
    position = 0
    while (match := pattern.search(text, position)) is not None:
        hit = match.group("hit")
        if hit is None or (accept is not None and not accept(hit)) or (accept_match and not accept_match(match)):
            position = match.end() if hit is None else match.start() + 1
            continue
        pieces.append(text[done : match.start("hit")])
        pieces.append(placeholder)
        done = position = match.end("hit")
    pieces.append(text[done:])
    return "".join(pieces)


def _scrub_emails(text: str) -> str:
    """Replace e-mail addresses with EMAIL, in time linear in the length of `text`.

    Each run of local-part characters is found by one forward scan (no look-ahead for the "@", which would make the
    scan backtrack through every run); only runs directly followed by an "@" are looked at. The local part is the
    longest valid tail of that run, read backwards with the same (symmetric) pattern; it starts where the run does,
    or, when the character before it may not precede an address, right after the first apostrophe inside it. The
    runs stop at each "@", so all of them together are read a bounded number of times.
    """
    if "@" not in text:
        return text
    pieces: list[str] = []
    done = 0
    for run in _EMAIL_LOCAL_RUN_RE.finditer(text):
        at = run.end()
        if text[at : at + 1] != "@":
            continue
        start = _email_local_start(text, max(run.start(), done), at)
        if start is None:
            continue
        domain = _EMAIL_DOMAIN_RE.match(text, at + 1)
        if domain is None:
            continue
        pieces.append(text[done:start])
        pieces.append(EMAIL)
        done = domain.end()
    pieces.append(text[done:])
    return "".join(pieces)


def _email_local_start(text: str, run_start: int, at: int) -> int | None:
    """Where the e-mail local part ending at `at` starts within text[run_start:at], if it has one."""
    tail = _EMAIL_LOCAL_RE.match(text[run_start:at][::-1])
    if tail is None or tail.end() == 0:
        return None
    start = at - tail.end()
    if start == 0 or _EMAIL_NOT_BEFORE.match(text[start - 1]) is None:
        return start
    apostrophe = text.find("'", start, at)
    return None if apostrophe < 0 else apostrophe + 1


def _is_phone(candidate: str) -> bool:
    if sum(ch.isdigit() for ch in candidate) < _MIN_PHONE_DIGITS:
        return False
    # A candidate that starts with a date is rejected; `_replace` then retries after it, so in
    # "01-02-2024 022 123 45 67" the date stays and the phone number is still found.
    return candidate.startswith(("+", "(+")) or _DATE_PREFIX_RE.match(candidate) is None
