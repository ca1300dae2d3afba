"""Scrubbing contributions before they are stored: no user IDs, contact details, affiliations or names."""

from __future__ import annotations

import unicodedata

import pytest

from privacy import ScrubContext, html_to_text, scrub_message, scrub_text, strip_reply_fallback

EMPTY = ScrubContext()

ROSTER = ScrubContext(
    member_ids=frozenset({"@alice:example.org", "@bob:example.org", "@admin:example.org", "@jo:example.org"}),
    display_names=frozenset({"Dr. Amara Okafor", "Zoltan", "Civil Society", "Li", "Wei Chen (MFA)"}),
    affiliations=frozenset(
        {
            "Ruritania",
            "Ministry of Foreign Affairs of Ruritania",
            "Ruritania Red Cross",
            "Humanity & Inclusion",
            "Rus",
            "Côte d’Ivoire",
            "WHO",
        }
    ),
)


# --- Matrix user IDs and links ---------------------------------------------------------------------------------


def test_a_matrix_user_id_becomes_participant():
    assert scrub_text("thanks @carol:example.org!", EMPTY) == "thanks [participant]!"


def test_a_user_id_with_a_port_is_replaced_whole():
    assert scrub_text("ask @carol:localhost:8448.", EMPTY) == "ask [participant]."


def test_a_user_id_on_an_ipv6_server_is_replaced_whole():
    assert scrub_text("(@carol:[::1]:8448)", EMPTY) == "([participant])"


def test_a_matrix_to_user_link_becomes_participant():
    assert scrub_text("see https://matrix.to/#/@alice:example.org.", EMPTY) == "see [participant]."


def test_a_percent_encoded_matrix_to_user_link_becomes_participant():
    assert scrub_text("see https://matrix.to/#/%40alice%3Aexample.org now", EMPTY) == "see [participant] now"


def test_a_matrix_to_user_link_loses_its_via_parameters_too():
    assert scrub_text("https://matrix.to/#/@alice:example.org?via=example.org", EMPTY) == "[participant]"


def test_a_matrix_uri_for_a_user_becomes_participant():
    assert scrub_text("matrix:u/alice:example.org", EMPTY) == "[participant]"


def test_room_aliases_and_room_links_are_kept():
    text = "join #dialogue:example.org or https://matrix.to/#/#dialogue:example.org"
    assert scrub_text(text, EMPTY) == text


# --- e-mail ----------------------------------------------------------------------------------------------------


def test_an_email_address_becomes_email():
    assert scrub_text("write to amara.okafor@mfa.example.", EMPTY) == "write to [email]."


def test_an_email_address_in_quotes_keeps_its_quotes():
    assert scrub_text("'o'brien+dialogue@example.org'", EMPTY) == "'[email]'"


# --- phone numbers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "+41 22 123 45 67",
        "+1 (202) 555-0143",
        "022 123 45 67",
        "0041 22 1234567",
        "+41 (0)22 123 45 67",
        "+41-22-123-45-67",
        "(022) 123 45 67",
        "01.23.45.67.89",
        "202-555-0143",
        "(202) 555-0143",
    ],
)
def test_a_phone_number_becomes_phone(number):
    assert scrub_text(f"call {number}, please", EMPTY) == "call [phone], please"


@pytest.mark.parametrize(
    "text",
    [
        "In 2026 the meeting resumes.",
        "Article 21 of the Convention",
        "held on 10-13 September 2024 in Geneva",
        "1,000 survivors",
        "children under 16 years",
        "from 09.00-10.30",
        "adopted on 01.02.2024",
        "a 2019-2024 strategy and 3.14159265",
    ],
)
def test_numbers_that_are_not_phone_numbers_are_kept(text):
    assert scrub_text(text, EMPTY) == text


def test_a_date_right_before_a_phone_number_is_kept():
    assert scrub_text("01-02-2024 022 123 45 67", EMPTY) == "01-02-2024 [phone]"


def test_a_short_number_with_a_leading_zero_is_kept():
    assert scrub_text("room 012 34", EMPTY) == "room 012 34"


# --- affiliations ----------------------------------------------------------------------------------------------


def test_an_affiliation_becomes_affiliation():
    assert scrub_text("Ruritania supports this.", ROSTER) == "[affiliation] supports this."


def test_the_longest_affiliation_wins():
    assert scrub_text("the Ministry of Foreign Affairs of Ruritania said", ROSTER) == "the [affiliation] said"


def test_a_longer_affiliation_starting_with_a_shorter_one_wins():
    assert scrub_text("the Ruritania Red Cross said", ROSTER) == "the [affiliation] said"


def test_an_affiliation_is_matched_case_insensitively():
    assert scrub_text("RURITANIA and ruritania", ROSTER) == "[affiliation] and [affiliation]"


def test_a_possessive_suffix_is_kept_after_the_affiliation_placeholder():
    assert scrub_text("Ruritania's view", ROSTER) == "[affiliation]'s view"


def test_a_typographic_possessive_suffix_is_kept_too():
    assert scrub_text("Ruritania’s view", ROSTER) == "[affiliation]’s view"


def test_a_plural_suffix_is_kept_after_the_affiliation_placeholder():
    assert scrub_text("both Ruritanias", ROSTER) == "both [affiliation]s"


def test_an_affiliation_is_matched_only_as_a_whole_word():
    assert scrub_text("Russell and Rusty met Rus.", ROSTER) == "Russell and Rusty met [affiliation]."


def test_an_affiliation_inside_a_longer_word_is_kept():
    assert scrub_text("Ruritaniaphiles", ROSTER) == "Ruritaniaphiles"


def test_the_demonym_of_an_affiliation_becomes_affiliation():
    assert scrub_text("Ruritanian delegates", ROSTER) == "[affiliation] delegates"


def test_a_multi_word_affiliation_spread_over_whitespace_and_lines_is_matched():
    assert scrub_text("the Ministry of  Foreign\nAffairs of Ruritania", ROSTER) == "the [affiliation]"


def test_a_straight_apostrophe_matches_a_typographic_one_in_the_roster():
    assert scrub_text("Côte d'Ivoire", ROSTER) == "[affiliation]"


def test_an_affiliation_written_without_its_accents_is_matched():
    assert scrub_text("Cote d'Ivoire", ROSTER) == "[affiliation]"


def test_a_decomposed_affiliation_is_matched():
    assert scrub_text(unicodedata.normalize("NFD", "Côte d’Ivoire"), ROSTER) == "[affiliation]"


def test_and_matches_an_ampersand_in_an_affiliation():
    assert scrub_text("Humanity and Inclusion", ROSTER) == "[affiliation]"


def test_an_acronym_affiliation_is_matched_only_in_capitals():
    assert scrub_text("who said WHO?", ROSTER) == "who said [affiliation]?"


# --- names -----------------------------------------------------------------------------------------------------


def test_a_multi_word_display_name_becomes_participant():
    assert scrub_text("as Dr. Amara Okafor said", ROSTER) == "as [participant] said"


def test_a_multi_word_display_name_is_matched_case_insensitively():
    assert scrub_text("DR. AMARA OKAFOR", ROSTER) == "[participant]"


def test_the_full_stop_of_an_abbreviation_in_a_display_name_is_optional():
    assert scrub_text("Dr Amara Okafor agreed", ROSTER) == "[participant] agreed"


def test_parts_of_a_multi_word_display_name_become_participant():
    assert scrub_text("Amara and Okafor", ROSTER) == "[participant] and [participant]"


def test_a_display_name_also_matches_without_its_parenthesised_suffix():
    assert scrub_text("Wei Chen asked", ROSTER) == "[participant] asked"


def test_a_single_word_display_name_is_matched_as_a_whole_word():
    assert scrub_text("Zoltan agreed, Zoltanic did not", ROSTER) == "[participant] agreed, Zoltanic did not"


def test_a_localpart_becomes_participant():
    assert scrub_text("Alice and bob agreed", ROSTER) == "[participant] and [participant] agreed"


def test_a_possessive_after_a_name_is_kept():
    assert scrub_text("Alice's point", ROSTER) == "[participant]'s point"


def test_a_localpart_inside_a_longer_word_is_kept():
    assert scrub_text("Bobby and Alicealike", ROSTER) == "Bobby and Alicealike"


def test_names_shorter_than_three_characters_are_skipped():
    assert scrub_text("Li and Jo", ROSTER) == "Li and Jo"


def test_stop_listed_localparts_are_skipped():
    assert scrub_text("ask the admin", ROSTER) == "ask the admin"


def test_display_names_made_only_of_stop_words_are_skipped():
    assert scrub_text("civil society organisations", ROSTER) == "civil society organisations"


# --- order, idempotence, placeholders --------------------------------------------------------------------------


def test_an_email_made_of_a_localpart_becomes_email_not_participant():
    assert scrub_text("alice@example.org", ROSTER) == "[email]"


def test_placeholders_are_never_altered():
    context = ScrubContext(display_names=frozenset({"Participant", "Phone"}), affiliations=frozenset({"Email"}))
    text = "[participant] [affiliation] [email] [phone]"
    assert scrub_text(text, context) == text


def test_scrubbing_is_idempotent():
    text = "Ruritania's @bob:example.org (amara.okafor@mfa.example, +41 22 123 45 67) and Dr Amara Okafor's team"
    once = scrub_text(text, ROSTER)
    assert scrub_text(once, ROSTER) == once


def test_scrubbing_is_idempotent_when_a_replacement_uncovers_a_neighbouring_number():
    # "+" right after a letter is not the start of a phone number, but right after "[affiliation]" it is; the
    # repeated passes make the first scrub already do what a second one would.
    once = scrub_text("Ruritania+41221234567", ROSTER)
    assert (once, scrub_text(once, ROSTER)) == ("[affiliation][phone]", "[affiliation][phone]")


def test_whitespace_and_punctuation_are_kept_as_written():
    text = "  Line one,\n\n\tline two — with  two spaces!  "
    assert scrub_text(text, ROSTER) == text


def test_a_treaty_dialogue_paragraph_is_scrubbed_end_to_end():
    text = (
        "As the delegate of Ruritania (amara.okafor@mfa.example) said to @bob:example.org, transfers through the "
        "territory of States parties are covered by Article 21. Humanity & Inclusion and Dr. Amara Okafor stressed on "
        "10-13 September 2024 that 1,000 survivors under 16 years need help; call +41 22 123 45 67 (Alice)."
    )
    assert scrub_text(text, ROSTER) == (
        "As the delegate of [affiliation] ([email]) said to [participant], transfers through the "
        "territory of States parties are covered by Article 21. [affiliation] and [participant] stressed on "
        "10-13 September 2024 that 1,000 survivors under 16 years need help; call [phone] ([participant])."
    )


# --- messages: reply fallbacks and HTML ------------------------------------------------------------------------


def test_the_plain_reply_fallback_is_stripped_from_the_body():
    body = "> <@alice:example.org> We disagree.\n> Strongly.\n\nI see it differently."
    assert scrub_message(body, None, EMPTY) == "I see it differently."


def test_an_emote_reply_fallback_is_stripped_too():
    assert strip_reply_fallback("> * <@alice:example.org> nods\n\nYes.") == "Yes."


def test_a_participants_own_leading_quote_is_kept():
    body = "> transfers are covered\n\nThat is our reading."
    assert scrub_message(body, None, EMPTY) == body


def test_the_body_is_scrubbed_when_there_is_no_html():
    assert scrub_message("Ruritania agrees", None, ROSTER) == "[affiliation] agrees"


def test_the_html_is_used_instead_of_the_body_when_present():
    assert scrub_message("plain text", "<p>html text</p>", EMPTY) == "html text"


def test_the_mx_reply_block_is_dropped_from_html():
    html = (
        '<mx-reply><blockquote><a href="https://matrix.to/#/!room:example.org/$event">In reply to</a> '
        '<a href="https://matrix.to/#/@alice:example.org">@alice:example.org</a><br>We disagree.</blockquote>'
        "</mx-reply>I see it differently."
    )
    assert scrub_message("> <@alice:example.org> We disagree.\n\nI see it differently.", html, EMPTY) == (
        "I see it differently."
    )


def test_a_mention_pill_becomes_participant_whatever_its_text():
    html = 'Thanks <a href="https://matrix.to/#/@zed:example.org">Zed the Delegate</a>, agreed.'
    assert scrub_message("Thanks Zed the Delegate, agreed.", html, EMPTY) == "Thanks [participant], agreed."


def test_a_percent_encoded_mention_pill_becomes_participant():
    html = '<a href="https://matrix.to/#/%40zed%3Aexample.org">Zed</a>: yes'
    assert html_to_text(html) == "[participant]: yes"


def test_other_links_keep_their_text():
    assert html_to_text('see <a href="https://example.org/report">the report</a>') == "see the report"


def test_line_breaks_and_paragraphs_become_newlines():
    assert html_to_text("<p>one<br>two</p>\n<p>three</p>") == "one\ntwo\n\nthree"


def test_html_entities_are_unescaped():
    assert html_to_text("Humanity &amp; Inclusion &lt;3&#64;") == "Humanity & Inclusion <3@"


def test_an_escaped_affiliation_in_html_is_scrubbed():
    assert scrub_message("", "<p>Humanity &amp; Inclusion</p>", ROSTER) == "[affiliation]"


def test_list_items_become_lines():
    assert html_to_text("<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>") == "- one\n- two\n\n1. first"


def test_preformatted_text_keeps_its_whitespace():
    assert html_to_text("<pre><code>a  b\n  c</code></pre>") == "a  b\n  c"
