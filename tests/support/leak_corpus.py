"""The leak corpus: how people actually write about each other and each other's States, with the scrubbed text.

Pure data, shared by the unit tests (tests/unit/test_privacy_scrub_leak_corpus.py). Each LEAKS row is one test:
(test id, body, formatted_body or None, expected scrubbed text). KEPT rows must come out unchanged.
The roster below is the one the rows are written against.
"""

from __future__ import annotations

MEMBER_IDS = frozenset(
    {
        "@zq:example.org",
        "@ottoline:example.org",
        "@cof:example.org",
        "@gw:example.org",
        "@wa:example.org",
        "@mf:example.org",
        "@ml:example.org",
    }
)
DISPLAY_NAMES = frozenset(
    {
        "Zephyrine Quarterbridge",
        "Ottoline Vasquez-Marlow",
        "Dr. Casimir Oyelaran-Fitch",
        "Grace Whitlock",
        "Will Ashdown",
        "Mark Fenwright",
        "May Lindqvist",
    }
)
AFFILIATIONS = frozenset(
    {
        "Republic of Tarvania",
        "Grand Duchy of Elbonia",
        "Kingdom of Norway",
        "United States of America",
        "Human Rights Watch",
        "International Committee of the Red Cross",
        "Permanent Mission of the Federal Republic of Ostravia",
        "Kazarstan",
        "Vendaland",
        # an explicit alias from `roster set … | RT`
        "RT",
    }
)

LEAKS: list[tuple[str, str, str | None, str]] = [
    # affiliations: short forms, demonyms, possessives, capitals
    ("short_form", "Tarvania disagrees.", None, "[affiliation] disagrees."),
    ("full_form_possessive", "The Republic of Tarvania's view", None, "The [affiliation]'s view"),
    ("demonym_plural", "the Tarvanians objected", None, "the [affiliation]s objected"),
    ("demonym_adjective", "our Tarvanian colleagues", None, "our [affiliation] colleagues"),
    ("demonym_hyphenated", "a Tarvanian-led coalition", None, "a [affiliation]-led coalition"),
    ("all_caps_short_form", "TARVANIA MUST ACT", None, "[affiliation] MUST ACT"),
    ("all_caps_demonym", "THE TARVANIANS WALKED OUT", None, "THE [affiliation]S WALKED OUT"),
    ("lowercase_short_form", "i think tarvania is wrong", None, "i think [affiliation] is wrong"),
    ("typographic_possessive", "Tarvania’s draft", None, "[affiliation]’s draft"),
    ("two_states_hyphenated", "the Tarvania-Elbonia talks", None, "the [affiliation]-[affiliation] talks"),
    ("grand_duchy_short", "Elbonia and its neighbours", None, "[affiliation] and its neighbours"),
    ("grand_duchy_demonym", "the Elbonian delegation", None, "the [affiliation] delegation"),
    ("demonym_possessive_plural", "the Elbonians' paper", None, "the [affiliation]s' paper"),
    ("mission_prefix_stripped", "Ostravia abstained", None, "[affiliation] abstained"),
    ("federal_republic_stripped", "a Federal Republic of Ostravia statement", None, "a [affiliation] statement"),
    ("mission_demonym", "Ostravian experts", None, "[affiliation] experts"),
    ("stan_demonym", "Kazarstani farmers", None, "[affiliation] farmers"),
    ("land_demonym", "the Vendalanders agree", None, "the [affiliation]s agree"),
    ("explicit_alias", "RT will sign", None, "[affiliation] will sign"),
    # real States: names, official names, ISO codes, demonyms
    ("real_state_short", "Norway agrees", None, "[affiliation] agrees"),
    ("real_state_official", "the Kingdom of Norway", None, "the [affiliation]"),
    ("real_state_demonym_irregular", "the Norwegian position", None, "the [affiliation] position"),
    ("real_state_all_caps", "NORWAY FIRST", None, "[affiliation] FIRST"),
    ("iso_alpha3", "NOR and USA disagree", None, "[affiliation] and [affiliation] disagree"),
    ("iso_alpha2_us", "the US delegation", None, "the [affiliation] delegation"),
    ("real_state_common_name", "the United States", None, "the [affiliation]"),
    ("real_state_demonym_american", "the American view", None, "the [affiliation] view"),
    # organisations and acronyms
    ("org_full_possessive", "Human Rights Watch's report", None, "[affiliation]'s report"),
    ("org_acronym", "HRW reported", None, "[affiliation] reported"),
    ("org_acronym_long_name", "as the ICRC said", None, "as the [affiliation] said"),
    # hashtags, URLs, e-mail addresses
    ("hashtag", "#Tarvania", None, "#[affiliation]"),
    ("hashtag_camel_suffix", "#TarvaniaFirst", None, "#[affiliation]First"),
    ("hashtag_camel_prefix", "#StandWithElbonia", None, "#StandWith[affiliation]"),
    ("hashtag_name", "#ZephyrineForChair", None, "#[participant]ForChair"),
    ("hashtag_lowercase_name", "#quarterbridge", None, "#[participant]"),
    ("url_path", "see example.org/tarvania-statement", None, "see example.org/[affiliation]-statement"),
    ("url_host", "https://elbonia.example/news", None, "https://[affiliation].example/news"),
    ("url_underscore", "example.org/statement_tarvania.pdf", None, "example.org/statement_[affiliation].pdf"),
    ("email_with_name", "write to zephyrine.quarterbridge@mfa.example", None, "write to [email]"),
    (
        "link_text_html",
        "Elbonian statement",
        '<a href="https://example.org/x">Elbonian statement</a>',
        "[affiliation] statement",
    ),
    # people: first names, surnames, honorifics, possessives, capitals
    ("first_name_said", "Zephyrine said so", None, "[participant] said so"),
    ("first_name_possessive", "Zephyrine's point", None, "[participant]'s point"),
    ("first_name_all_caps", "ZEPHYRINE IS RIGHT", None, "[participant] IS RIGHT"),
    ("surname_with_honorific", "Ms Quarterbridge said", None, "[participant] said"),
    ("surname_with_dotted_honorific", "Ms. Quarterbridge said", None, "[participant] said"),
    ("surname_lowercase", "quarterbridge is right", None, "[participant] is right"),
    ("full_name_split_by_line_break", "Zephyrine\nQuarterbridge spoke", None, "[participant] spoke"),
    ("name_in_quotes", 'as "Zephyrine" put it', None, 'as "[participant]" put it'),
    ("name_in_parentheses", "(Casimir)", None, "([participant])"),
    ("double_barrelled_surname", "Dr. Oyelaran-Fitch agreed", None, "[participant] agreed"),
    ("double_barrelled_undotted", "Dr Oyelaran-Fitch agreed", None, "[participant] agreed"),
    ("ambassador_surname", "Ambassador Oyelaran-Fitch", None, "[participant]"),
    ("half_of_double_barrel", "Ms Vasquez agrees with Marlow", None, "[participant] agrees with [participant]"),
    ("half_of_double_barrel_possessive", "Fitch's amendment", None, "[participant]'s amendment"),
    ("two_first_names", "Ottoline and Casimir", None, "[participant] and [participant]"),
    ("all_caps_first_name", "OTTOLINE", None, "[participant]"),
    ("double_barrel_possessive", "Vasquez-Marlow's paper", None, "[participant]'s paper"),
    ("honorific_full_name", "Ms Grace Whitlock", None, "[participant]"),
    ("common_word_name_mid_sentence", "I agree with Grace here", None, "I agree with [participant] here"),
    ("common_word_name_after_as", "as Will said", None, "as [participant] said"),
    ("common_word_name_with_honorific", "Mr will replied", None, "[participant] replied"),
    ("common_word_name_thanks", "thanks, Mark", None, "thanks, [participant]"),
    ("surname_alone", "Whitlock disagrees", None, "[participant] disagrees"),
    ("common_word_name_starts_saying", "Will said it first.", None, "[participant] said it first."),
    ("common_word_name_starts_possessive", "Grace's proposal stands.", None, "[participant]'s proposal stands."),
    (
        "common_word_name_after_line_break",
        "Agreed.\nMark suggested a review.",
        None,
        "Agreed.\n[participant] suggested a review.",
    ),
    # reply fallbacks, DMs, edits (all go through scrub_message)
    (
        "reply_fallback_plain",
        "> <@ottoline:example.org> Tarvania first\n\nI agree, Zephyrine",
        None,
        "I agree, [participant]",
    ),
    (
        "reply_fallback_html",
        "fallback",
        "<mx-reply><blockquote>Ottoline wrote</blockquote></mx-reply>Per Casimir, yes",
        "Per [participant], yes",
    ),
    (
        "dm_with_challenge_prefix",
        "#2 the Tarvanian view, as Zephyrine said",
        None,
        "#2 the [affiliation] view, as [participant] said",
    ),
    ("edit_adds_name_html", "* Per Zephyrine", "<p>Per <b>Zephyrine</b></p>", "Per [participant]"),
    ("edit_adds_demonym", "* and the Elbonians", None, "* and the [affiliation]s"),
]

KEPT: list[tuple[str, str]] = [
    ("benchmark", "the benchmark results are in"),
    ("remark", "a remarkable remark"),
    ("will_lowercase", "we will decide tomorrow"),
    ("will_sentence_start", "Will the chair allow this?"),
    ("mark_sentence_start", "Mark my words: this matters."),
    ("may_sentence_start", "May I add a point?"),
    ("may_lowercase", "it may work"),
    ("mark_verb", "mark the date"),
    ("grace_period", "a grace period of 30 days"),
    ("gracefully", "Gracefully withdrawn"),
    ("us_pronoun", "tell us more about it"),
    ("no_in_capitals", "NO DECISION WAS TAKEN"),
    ("treaty_words", "the States Parties to the Convention on Cluster Munitions, Article 5"),
    ("federal_republic_generic", "a federal republic of equals"),
    ("kingdom_generic", "the kingdom of heaven"),
    ("willingness", "the willingness of all"),
    ("human_rights", "human rights are universal"),
    ("watch", "we watch the red cross emblem"),
]
