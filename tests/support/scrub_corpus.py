"""Adversarial bodies for the scrubber: one 64 KB body per pattern, built to hit that pattern's worst case.

Shared by the unit test (which asserts only that each body is scrubbed, without e-mail addresses or user IDs left)
and `benchmarks/scrub_speed.py` (which times them). Pure data: no imports from the bot, so the benchmark can load it
by path while timing another checkout's scrubber.
"""

from __future__ import annotations

from dataclasses import dataclass

BODY_CHARS = 64 * 1024

_FIRST_NAMES = [
    "Amara",
    "Wei",
    "Zoltan",
    "Ingrid",
    "Kwame",
    "Lucia",
    "Mateo",
    "Priya",
    "Olusegun",
    "Hana",
    "Dmitri",
    "Fatima",
    "Jonas",
    "Aiko",
    "Emeka",
    "Sofia",
    "Rahul",
    "Leila",
    "Tomasz",
    "Nadia",
    "Kofi",
    "Elena",
    "Yusuf",
    "Marta",
    "Chen",
    "Ana",
    "Ibrahim",
    "Greta",
    "Tariq",
    "Beatriz",
    # first names that are also common words, matched only where written as a name
    "Grace",
    "Will",
]
_LAST_NAMES = [
    "Okafor",
    "Chen",
    "Nagy",
    "Larsen",
    "Mensah",
    "Ferreira",
    "Rossi",
    "Sharma",
    "Adeyemi",
    "Sato",
    "Volkov",
    "Haddad",
    "Weber",
    "Ito",
    "Nwosu",
]
_AFFILIATIONS = (
    "Ruritania",
    "Grand Fenwick",
    "Freedonia",
    "Sylvania",
    "Latveria",
    "Genovia",
    "Elbonia",
    "Wakanda",
    "Zubrowka",
    "Borduria",
    "Syldavia",
    "Kasnia",
    "Markovia",
    "Sokovia",
    "Côte d’Ivoire",
    "Ministry of Foreign Affairs of Ruritania",
    "Ruritania Red Cross",
    "Humanity & Inclusion",
    "Humanity Without Borders",
    "International Committee of the Red Cross",
    "ICRC",
    "WHO",
    "UNDP",
    "Mine Action Network",
    "Survivors' Network of Freedonia",
    "Geneva Centre for Humanitarian Demining",
    "Cluster Munition Coalition",
    "Permanent Mission of Genovia",
    "Elbonian Ministry of Defence",
    "Landmine Monitor",
)


@dataclass(frozen=True)
class Roster:
    """The inputs of a ScrubContext, as plain sets (the caller builds the ScrubContext of the code it tests)."""

    member_ids: frozenset[str]
    display_names: frozenset[str]
    affiliations: frozenset[str]


def realistic_roster(members: int = 60) -> Roster:
    """`members` people with IDs and display names in the usual shapes, and the roster's affiliations."""
    ids: set[str] = set()
    names: set[str] = set()
    for index in range(members):
        first = _FIRST_NAMES[index % len(_FIRST_NAMES)]
        last = _LAST_NAMES[(index // len(_FIRST_NAMES) + index) % len(_LAST_NAMES)]
        suffix = "" if index < len(_FIRST_NAMES) * 2 else str(index)
        ids.add(f"@{first.lower()}.{last.lower()}{suffix}:example.org")
        shapes = (f"{first} {last}{suffix}", f"Dr. {first} {last}{suffix}", f"{first} {last}{suffix} (MFA)")
        names.add(shapes[index % len(shapes)])
    affiliations = set(_AFFILIATIONS)
    for index in range(max(0, members // 2 - len(_AFFILIATIONS))):
        affiliations.add(f"Delegation of {_LAST_NAMES[index % len(_LAST_NAMES)]}land {index}")
    return Roster(frozenset(ids), frozenset(names), frozenset(affiliations))


def _fill(unit: str, head: str = "", tail: str = "") -> str:
    """`head`, then `unit` repeated, then `tail`: BODY_CHARS characters in all (as near as whole units allow)."""
    count = max(1, (BODY_CHARS - len(head) - len(tail)) // len(unit))
    return head + unit * count + tail


def _name_prefixes(roster: Roster) -> str:
    # Every name and affiliation cut one letter short: each word start tries every alternative almost to its end.
    words = sorted(roster.display_names | roster.affiliations)
    return _fill(" ".join(word[:-1] for word in words) + " ")


@dataclass(frozen=True)
class Shape:
    name: str
    body: str
    formatted_body: str | None = None


def adversarial_shapes(roster: Roster | None = None) -> list[Shape]:
    """One 64 KB body (plain or HTML) per worst case of each pattern the scrubber applies."""
    roster = roster or realistic_roster()
    plain = [
        # e-mail: local parts that never reach an "@", or reach one that leads to no domain
        ("email_apostrophe_runs", _fill("a'")),
        ("email_dots_then_at", _fill("a.", tail="@")),
        ("email_at_runs", _fill("a@")),
        ("email_domain_without_dot", _fill("b-", head="a@")),
        ("email_domain_trailing_dot", _fill("b.", head="a@")),
        ("email_plus_percent_runs", _fill("a%+", tail="@")),
        ("email_many_real_addresses", _fill("x.y@mail.example.org ")),
        ("email_word_runs", _fill("a", tail="@")),
        # Matrix user IDs and links
        ("user_id_colon_runs", _fill("a:", head="@")),
        ("user_id_at_colon_runs", _fill("@a:")),
        ("user_id_slash_at_runs", _fill("=@a/")),
        ("user_id_server_label_runs", _fill("a-", head="@a:")),
        ("user_id_ipv6_unclosed", _fill("1:", head="@a:[")),
        ("user_link_encoded_colons", _fill("%3A", head="https://matrix.to/#/@", tail="!")),
        ("user_link_encoded_bracket", _fill("%3A", head="https://matrix.to/#/@a:%5B", tail="!")),
        ("user_link_encoded_bracket_runs", _fill("%3A%5B", head="https://matrix.to/#/@", tail="!")),
        ("user_link_repeated", _fill("matrix.to/#/@a%3A")),
        ("matrix_uri_runs", _fill("a%3a", head="matrix:u/", tail="!")),
        ("matrix_uri_query_runs", _fill("=&", head="matrix:u/a:b.org?", tail="?")),
        ("long_url", _fill("abc/", head="https://example.org/")),
        # phone numbers
        ("phone_digit_run", _fill("1")),
        ("phone_zero_digit_run", _fill("1", head="0")),
        ("phone_spaced_groups", _fill("12 ", head="0")),
        ("phone_double_spaces", _fill("00  ")),
        ("phone_hyphen_groups", _fill("1-", head="0")),
        ("phone_dates_glued", _fill("01-02-2024 ")),
        ("phone_dates_dotted", _fill("01.02.2024 ")),
        ("phone_short_groups", _fill("012 34, ")),
        ("phone_dotted_trailing_digit", _fill(".1234", head="0.1234", tail="5")),
        ("phone_parentheses_runs", _fill("(12)", head="+41")),
        ("phone_plus_runs", _fill("+1 ")),
        ("phone_nanp_near_misses", _fill("(202) 555-014 ")),
        ("phone_space_runs", _fill(" ", head="0", tail="1")),
        # affiliations and names
        ("name_prefixes", _name_prefixes(roster)),
        ("affiliation_words_then_spaces", _fill(" ", head="Ministry of Foreign Affairs of", tail="x")),
        ("affiliation_repeated", _fill("Ministry of Foreign Affairs of Ruritania Red Cros ")),
        ("name_repeated_spaces", _fill("Amara  ")),
        ("honorific_runs", _fill("Ms. ")),
        ("honorific_then_spaces", _fill(" ", head="Dr.", tail="x")),
        ("camel_case_runs", _fill("aB")),
        ("camel_case_name_prefixes", _fill("xAmar")),
        ("common_word_name_runs", _fill(", Will")),
        ("common_word_name_after_spaces", _fill(" ", head="so", tail="Grace")),
        ("common_word_name_after_openers", _fill("(", head="so ", tail="Grace")),
        ("demonym_runs", _fill("Ruritanians ")),
        ("common_word_name_sentence_starts", _fill(".\nWill \t ")),
        ("common_word_name_before_spaces", _fill(" ", head="Grace", tail="said")),
        # whitespace and the reply fallback
        ("whitespace_run", _fill(" ")),
        ("newline_run", _fill("\n")),
        ("reply_fallback_lines", _fill("> a\n", head="> <@alice:example.org> hi\n")),
        ("reply_fallback_header_run", _fill("<@a", head="> ")),
    ]
    html = [
        ("html_nested_divs", _fill("<div>")),
        ("html_nested_lists", _fill("<ol><li>")),
        ("html_line_breaks", _fill("a<br>")),
        ("html_paragraphs", _fill("<p>a</p>")),
        ("html_pills", _fill("<a href='https://matrix.to/#/@a:b.org'>x")),
        ("html_nested_replies", _fill("<mx-reply>")),
        ("html_unclosed_tags", _fill("<a ")),
        ("html_unclosed_comment", _fill("a", head="<!--")),
        ("html_lone_brackets", _fill("<")),
        ("html_entities", _fill("&amp;")),
        ("html_attribute_runs", _fill(" x=y", head="<a", tail=">")),
        ("html_emails_in_text", _fill("<b>a'</b>")),
        ("html_unclosed_quotes", _fill("<a x='>")),
        ("html_unclosed_double_quotes", _fill('<a x=">')),
        ("html_end_tag_opens", _fill("</")),
        ("html_declaration_opens", _fill("<!")),
        ("html_processing_opens", _fill("<?")),
        ("html_unclosed_cdata", _fill("a", head="<![CDATA[")),
        ("html_unclosed_end_tag", _fill("a ", head="</a")),
        ("html_char_ref_opens", _fill("&#")),
        ("html_unclosed_script", _fill("<", head="<script>")),
    ]
    shapes = [Shape(name, body) for name, body in plain]
    shapes += [Shape(name, "fallback text", formatted) for name, formatted in html]
    return shapes
