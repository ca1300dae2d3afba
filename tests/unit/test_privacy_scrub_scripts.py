"""Scrubbing in every script of the six UN languages: Cyrillic, Arabic and Chinese names, and States named in Arabic,
Chinese, English, French, Russian or Spanish.

Treaty dialogues have Arabic, Chinese and Russian speakers: their names are written in their own script (and inflected,
or glued to a preposition, or in a sentence without spaces), and they name States in their own language.
"""

from __future__ import annotations

import pytest

from privacy import ScrubContext, scrub_text
from tests.support.time_guard import finishes_within

PEOPLE = ScrubContext(
    member_ids=frozenset({"@anna:example.org", "@ivan:example.org", "@salman:example.org", "@xm:example.org"}),
    display_names=frozenset(
        {
            "Анна Петровна Смирнова",
            "Иван Сергеевич Петров",
            "Вера Соколова",
            "محمد بن سلمان",
            "خالد الفيصل",
            "أحمد",
            "ريم",
            "علي",
            "عبد الله الأحمد",
            "王小明",
            "李伟",
            "欧阳娜娜",
        }
    ),
)


# --- Cyrillic names: Russian inflects them ---------------------------------------------------------------------


def test_a_cyrillic_display_name_becomes_participant():
    assert scrub_text("Анна Петровна Смирнова выступила.", PEOPLE) == "[participant] выступила."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Мы согласны со Смирновой.", "Мы согласны со [participant]."),
        ("спасибо Анне Петровне", "спасибо [participant] [participant]"),
        ("позиция Петрова и Ивану", "позиция [participant] и [participant]"),
        ("предложение Ивана Сергеевича", "предложение [participant] [participant]"),
        ("с Иваном Петровым", "с [participant] [participant]"),
        ("СМИРНОВОЙ", "[participant]"),
    ],
)
def test_an_inflected_cyrillic_name_becomes_participant(text, expected):
    assert scrub_text(text, PEOPLE) == expected


def test_an_inflected_full_name_becomes_participant():
    assert scrub_text("по мнению Анны Петровны Смирновой", PEOPLE) == "по мнению [participant]"


def test_a_cyrillic_word_that_only_starts_like_a_name_is_kept():
    assert scrub_text("деревня Ивановка и анналы", PEOPLE) == "деревня Ивановка и анналы"


def test_a_cyrillic_name_that_is_a_common_russian_word_is_kept_in_lower_case():
    # "Вера" is also "faith"; as for "Grace", only the capitalised word inside a sentence is the name.
    assert scrub_text("мы верим, что вера важна", PEOPLE) == "мы верим, что вера важна"
    assert scrub_text("как сказала Вера", PEOPLE) == "как сказала [participant]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("г-жа Смирнова сказала", "[participant] сказала"),
        ("предложение господина Петрова", "предложение [participant]"),
        ("قال السيد سلمان", "قال [participant]"),
        ("والدكتور محمد", "و[participant]"),
    ],
)
def test_a_russian_or_arabic_honorific_goes_with_the_name(text, expected):
    assert scrub_text(text, PEOPLE) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("as Anna Petrovna Smirnova said", "as [participant] said"),
        ("Ms Smirnova agreed", "[participant] agreed"),
        ("Sergeyevich or Sergeevich", "[participant] or [participant]"),
        ("Petrov's proposal", "[participant]'s proposal"),
    ],
)
def test_a_cyrillic_name_written_in_latin_letters_becomes_participant(text, expected):
    assert scrub_text(text, PEOPLE) == expected


# --- Arabic names: the article and the attached prepositions ---------------------------------------------------


def test_an_arabic_display_name_becomes_participant():
    assert scrub_text("قال محمد بن سلمان إن", PEOPLE) == "قال [participant] إن"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("وسلمان", "و[participant]"),
        ("بمحمد", "ب[participant]"),
        ("لسلمان", "ل[participant]"),
        ("ولمحمد", "ول[participant]"),
    ],
)
def test_an_attached_conjunction_or_preposition_is_kept_and_the_name_replaced(text, expected):
    assert scrub_text(text, PEOPLE) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("فيصل", "[participant]"),
        ("الفيصل", "[participant]"),
        ("والفيصل", "و[participant]"),
        ("للفيصل", "ل[participant]"),
        ("السلمان", "[participant]"),
    ],
)
def test_an_arabic_name_is_found_with_and_without_the_definite_article(text, expected):
    assert scrub_text(text, PEOPLE) == expected


def test_an_arabic_name_is_found_without_its_hamza():
    assert scrub_text("احمد وأحمد وإحمد", PEOPLE) == "[participant] و[participant] و[participant]"


def test_the_halves_of_a_compound_arabic_name_are_not_names_alone():
    assert scrub_text("إن شاء الله، قال عبد الله الأحمد", PEOPLE) == "إن شاء الله، قال [participant]"
    assert scrub_text("رأي الأحمد", PEOPLE) == "رأي [participant]"


def test_the_name_ali_is_not_the_preposition_ala():
    assert scrub_text("قال علي إن الاتفاق على الطاولة", PEOPLE) == "قال [participant] إن الاتفاق على الطاولة"


def test_arabic_words_that_contain_a_name_or_a_particle_are_kept():
    # "ابن" (son of) is a particle of names, not a name; "كريم" is not "ك" + "ريم".
    assert scrub_text("ابن خلدون رجل كريم", PEOPLE) == "ابن خلدون رجل كريم"


# --- Chinese names: no spaces, surname and title, pinyin -------------------------------------------------------


def test_a_chinese_name_inside_a_sentence_without_spaces_becomes_participant():
    assert scrub_text("我同意王小明的意见。", PEOPLE) == "我同意[participant]的意见。"


def test_a_two_character_chinese_name_becomes_participant():
    assert scrub_text("李伟说得对", PEOPLE) == "[participant]说得对"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("王先生说", "[participant]说"),
        ("感谢王女士。", "感谢[participant]。"),
        ("欧阳女士的提议", "[participant]的提议"),
        ("王小明先生", "[participant]"),
    ],
)
def test_a_chinese_surname_with_a_title_becomes_participant(text, expected):
    assert scrub_text(text, PEOPLE) == expected


def test_a_chinese_surname_alone_is_kept():
    # "王" is also "king": only the surname with a title, or the whole name, names someone.
    assert scrub_text("国王和王后", PEOPLE) == "国王和王后"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I agree with Wang Xiaoming.", "I agree with [participant]."),
        ("Xiaoming Wang said so", "[participant] said so"),
        ("as Mr Wang said", "as [participant] said"),
        ("WANG XIAOMING", "[participant]"),
        ("和Wang Xiaoming一起", "和[participant]一起"),
    ],
)
def test_a_chinese_name_written_in_pinyin_becomes_participant(text, expected):
    assert scrub_text(text, PEOPLE) == expected


# --- affiliations in the six languages -------------------------------------------------------------------------

SWITZERLAND = ScrubContext(affiliations=frozenset({"Switzerland"}))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("la Suisse propose", "la [affiliation] propose"),
        ("Suiza propone", "[affiliation] propone"),
        ("Швейцария предлагает", "[affiliation] предлагает"),
        ("вместе со Швейцарией", "вместе со [affiliation]"),
        ("делегация Швейцарии", "делегация [affiliation]"),
        ("سويسرا تقترح", "[affiliation] تقترح"),
        ("وسويسرا", "و[affiliation]"),
        ("瑞士代表团认为", "[affiliation]代表团认为"),
        ("Switzerland proposes", "[affiliation] proposes"),
    ],
)
def test_a_state_named_in_any_un_language_becomes_affiliation(text, expected):
    assert scrub_text(text, SWITZERLAND) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia agrees", "[affiliation] agrees"),
        ("the Russian delegation", "the [affiliation] delegation"),
        ("la Russie", "la [affiliation]"),
        ("позиция России", "позиция [affiliation]"),
        ("俄罗斯认为", "[affiliation]认为"),
        ("روسيا", "[affiliation]"),
    ],
)
def test_a_roster_affiliation_entered_in_cyrillic_is_found_in_every_language(text, expected):
    assert scrub_text(text, ScrubContext(affiliations=frozenset({"Россия"}))) == expected


@pytest.mark.parametrize("affiliation", ["la Suisse", "Suiza", "سويسرا", "瑞士"])
def test_a_roster_affiliation_entered_in_another_un_language_is_found_in_english(affiliation):
    context = ScrubContext(affiliations=frozenset({affiliation}))
    assert (
        scrub_text("Switzerland and the Swiss; 瑞士", context) == "[affiliation] and the [affiliation]; [affiliation]"
    )


def test_a_state_named_in_traditional_chinese_characters_becomes_affiliation():
    assert scrub_text("俄羅斯認為", ScrubContext(affiliations=frozenset({"Russian Federation"}))) == "[affiliation]認為"


def test_an_uninflected_russian_state_name_is_found_as_written():
    assert scrub_text("Перу предлагает", ScrubContext(affiliations=frozenset({"Peru"}))) == "[affiliation] предлагает"


def test_a_roster_affiliation_entered_in_chinese_is_found_in_english():
    context = ScrubContext(affiliations=frozenset({"中国"}))
    assert scrub_text("China and the Chinese delegation; 中国", context) == (
        "[affiliation] and the [affiliation] delegation; [affiliation]"
    )


def test_an_arabic_state_name_with_the_article_is_found_after_a_preposition():
    context = ScrubContext(affiliations=frozenset({"China"}))
    assert scrub_text("والصين وللصين", context) == "و[affiliation] ول[affiliation]"


@pytest.mark.parametrize(
    ("affiliation", "text"),
    [
        # Togo in Russian is "Того", also "of that"; Mali in Arabic is "مالي", also "financial".
        ("Togo", "Того же мнения и мы. Кроме того, это важно."),
        ("Mali", "هذا دعم مالي والنظام المالي"),
        # Chile in Spanish is also the pepper: matched as written only.
        ("Chile", "un chile rojo"),
        # Russian does not inflect "Перу" or "Мали": their stems would make "перо" (feather) and "мало" (little).
        ("Peru", "перо и пера"),
        ("Mali", "мало кто знает"),
    ],
)
def test_a_state_name_that_is_an_ordinary_word_in_its_language_does_not_blank_that_word(affiliation, text):
    assert scrub_text(text, ScrubContext(affiliations=frozenset({affiliation}))) == text


def test_a_chinese_state_name_across_two_words_is_kept():
    # "非法国际贸易": "非法" (illegal) + "国际" (international), with "法国" (France) across them.
    context = ScrubContext(affiliations=frozenset({"France"}))
    assert scrub_text("打击非法国际贸易。法国认为", context) == "打击非法国际贸易。[affiliation]认为"


def test_a_state_name_that_is_an_ordinary_word_is_still_found_in_the_other_languages():
    context = ScrubContext(affiliations=frozenset({"Togo"}))
    assert scrub_text("Togo et le Togo; 多哥", context) == "[affiliation] et le [affiliation]; [affiliation]"


# --- idempotence and linear time -------------------------------------------------------------------------------

MIXED = ScrubContext(
    member_ids=PEOPLE.member_ids,
    display_names=PEOPLE.display_names,
    affiliations=frozenset({"Switzerland", "China", "Россия"}),
)


def test_scrubbing_text_in_every_script_twice_changes_nothing_more():
    text = "Смирновой и Ивану; وسلمان وللفيصل والصين; 王先生和王小明在瑞士; Wang Xiaoming, la Suisse, России."
    once = scrub_text(text, MIXED)
    assert "[participant]" in once
    assert scrub_text(once, MIXED) == once


BODY_CHARS = 64 * 1024
GUARD_SECONDS = 20  # a linear scrub of 64 KB takes milliseconds


def _scrub_body(body: str) -> str:
    return scrub_text(body, MIXED)


@pytest.mark.parametrize(
    ("unit", "scrubbed_unit"),
    [
        # stems without a space between them: every position starts a stem and tries every ending
        ("Смирнов", "Смирнов"),
        ("Смирновыми ", "[participant] "),  # the longest ending, again and again
        ("وبل", "وبل"),  # attached letters that never reach a name
        ("والفيص ", "والفيص "),  # the article and a name cut one letter short
        ("王小", "王小"),  # a Chinese name cut short, with no spaces anywhere
        ("王先", "王先"),
    ],
)
def test_a_64_kb_body_built_against_the_script_rules_is_scrubbed_in_linear_time(unit, scrubbed_unit):
    count = BODY_CHARS // len(unit)
    scrub_text("", MIXED)  # the patterns are built before the fork, so that the child only scrubs
    assert finishes_within(GUARD_SECONDS, _scrub_body, unit * count) == scrubbed_unit * count
