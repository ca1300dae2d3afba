"""Every message the code marks renders in every complete language: translated, placeholders intact, no missing key."""

from __future__ import annotations

import pytest

import i18n
from i18n import COMPLETE_LANGUAGES, DOMAINS, SOURCE_LANGUAGE, Domain, placeholders
from i18n.catalogues import marked_messages, read_catalogue

TRANSLATED = [language for language in COMPLETE_LANGUAGES if language != SOURCE_LANGUAGE]


def _forms(msgid: str | tuple[str, str]) -> tuple[str, ...]:
    return (msgid,) if isinstance(msgid, str) else msgid


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda domain: domain.name)
@pytest.mark.parametrize("language", TRANSLATED)
def test_every_marked_message_is_translated_in_every_complete_language(domain: Domain, language: str):
    catalog = read_catalogue(domain, language)
    assert catalog is not None, f"no {domain.name} catalogue for {language}: run python -m i18n.catalogues {language}"
    missing = []
    for msgid in marked_messages(domain):
        entry = catalog.get(msgid)
        strings = () if entry is None else _forms(entry.string) if entry.string else ()
        if entry is None or entry.fuzzy or not strings or not all(strings):
            missing.append(_forms(msgid)[0])
    assert not missing, f"{len(missing)} untranslated in {language}/{domain.name}.po, e.g. {missing[:3]}"


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda domain: domain.name)
@pytest.mark.parametrize("language", TRANSLATED)
def test_every_translation_keeps_the_placeholders_of_its_message(domain: Domain, language: str):
    catalog = read_catalogue(domain, language)
    assert catalog is not None
    broken = []
    for entry in catalog:
        if not entry.id or not entry.string:
            continue
        expected = set().union(*(placeholders(form) for form in _forms(entry.id)))
        for translated in _forms(entry.string):
            if translated and placeholders(translated) != expected:
                broken.append((_forms(entry.id)[0], translated))
    assert not broken, broken[:3]


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda domain: domain.name)
@pytest.mark.parametrize("language", COMPLETE_LANGUAGES)
def test_every_marked_message_renders_with_its_values(domain: Domain, language: str):
    translate = i18n.bot_text if domain is i18n.BOT else i18n.document_text
    translate_plural = i18n.bot_text_plural if domain is i18n.BOT else i18n.document_text_plural
    for msgid in marked_messages(domain):
        forms = _forms(msgid)
        values = {name: f"<{name}>" for form in forms for name in placeholders(form) if name != "count"}
        if isinstance(msgid, str):
            rendered = [translate(language, msgid, **values)]
        else:
            rendered = [translate_plural(language, *msgid, count, **values) for count in (0, 1, 2, 5, 21)]
        for text in rendered:
            assert text.strip(), msgid
            assert all(value in text for value in values.values()), (msgid, text)


def test_a_language_without_a_catalogue_and_an_unknown_code_both_fall_back_to_english():
    assert i18n.bot_text("ru", "Help: {command}", command="!dialogue help") == "Help: !dialogue help"
    assert i18n.bot_text("xx", "Help") == "Help"
    assert i18n.bot_text(None, "Help") == "Help"
