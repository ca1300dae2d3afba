"""First person to reported form, by rules: what is rewritten, what is kept, and that nothing first-person is left."""

from __future__ import annotations

import re

import pytest

from synopsis.reported_speech import reported

REWRITTEN = [
    # Opinion openers become the impersonal form the synopsis is written in.
    (
        "We believe that the treaty must be universalised.",
        "It was considered that the treaty must be universalised.",
    ),
    ("We believe the treaty is the very guardrail.", "It was considered that the treaty is the very guardrail."),
    ("I think the norm is under pressure.", "It was considered that the norm is under pressure."),
    (
        "We strongly believe that withdrawal sets a dangerous precedent.",
        "It was strongly considered that withdrawal sets a dangerous precedent.",
    ),
    (
        "We are concerned that some states show less respect for IHL.",
        "Concern was expressed that some states show less respect for IHL.",
    ),
    (
        "I am concerned about transfers through the territory of States Parties.",
        "Concern was expressed about transfers through the territory of States Parties.",
    ),
    (
        "We suggest that a human-centred approach to security is discussed ahead of the Review Conference.",
        "It was suggested that a human-centred approach to security is discussed ahead of the Review Conference.",
    ),
    ("We recommend that States Parties redouble efforts.", "It was recommended that States Parties redouble efforts."),
    ("I would propose that the ISU convenes a dialogue.", "It was proposed that the ISU convenes a dialogue."),
    (
        "We stress that cooperation and assistance must reach survivors.",
        "It was stressed that cooperation and assistance must reach survivors.",
    ),
    # Otherwise the speaker becomes participants (we) or a participant (I), and the verb agrees.
    ("We call on States Parties to discourage use.", "Participants call on States Parties to discourage use."),
    ("We welcome the Lausanne Declaration.", "Participants welcome the Lausanne Declaration."),
    (
        "I support a realistic assessment of the challenges.",
        "A participant supports a realistic assessment of the challenges.",
    ),
    ("I also urge wide alliances.", "A participant also urges wide alliances."),
    ("I have seen the harm done by remnants.", "A participant has seen the harm done by remnants."),
    ("I am a survivor advocate.", "A participant is a survivor advocate."),
    ("I can only echo the call for universalisation.", "A participant can only echo the call for universalisation."),
    ("I don't accept the normalisation of transfers.", "A participant does not accept the normalisation of transfers."),
    ("I'm worried about the use in ongoing conflicts.", "A participant is worried about the use in ongoing conflicts."),
    ("We're losing ground on the norm.", "Participants are losing ground on the norm."),
    ("We've seen casualties rise.", "Participants have seen casualties rise."),
    # Possessives and objects follow; "our country" is the speaker's, reported as theirs.
    ("Our country remains committed to the Convention.", "Their country remains committed to the Convention."),
    (
        "We ask that our partners help us clear remnants.",
        "Participants ask that their partners help them clear remnants.",
    ),
    (
        "My organisation works with affected communities.",
        "Their organisation works with affected communities.",
    ),
    (
        "Clearance is slow and it affects us every day.",
        "Clearance is slow and it affects participants every day.",
    ),
    (
        "The norm protects civilians, and we must defend it ourselves.",
        "The norm protects civilians, and participants must defend it themselves.",
    ),
    (
        "We must act. Our credibility depends on it.",
        "Participants must act. Their credibility depends on it.",
    ),
    (
        "I believe that my delegation and [affiliation] agree.",
        "It was considered that their delegation and [affiliation] agree.",
    ),
]


@pytest.mark.parametrize(("written", "expected"), REWRITTEN)
def test_first_person_is_reported(written, expected):
    result = reported(written)
    assert result.text == expected
    assert result.rewritten
    assert result.complete


NOT_FIRST_PERSON = [
    "The use of cluster munitions in ongoing conflicts demands a strategic assessment.",
    "A strengthening of implementation support mechanisms is critical.",
    "Amended Protocol II and Protocol I are relevant here.",
    "The US and other States not party should be encouraged to join.",
    "Article 21 obliges States Parties to discourage use.",
    "World War I left remnants that still kill.",
]


@pytest.mark.parametrize("written", NOT_FIRST_PERSON)
def test_text_without_a_speaker_is_kept_as_it_is(written):
    result = reported(written)
    assert result.text == written
    assert not result.rewritten
    assert result.complete


UNSAFE = [
    "Should we not ask more of States Parties?",
    "Let us redouble efforts to promote the norms.",
    "Let's be realistic about geopolitical shifts.",
    'The campaign\'s slogan, "we will not forget", says it all.',
    "I, for one, cannot accept this.",
]


@pytest.mark.parametrize("written", UNSAFE)
def test_a_sentence_that_cannot_be_rewritten_safely_is_kept_and_said_to_be(written):
    result = reported(written)
    assert result.text == written
    assert not result.complete


def test_only_the_unsafe_sentence_is_kept_as_written():
    result = reported("We support the Convention. Should we not ask more?")
    assert result.text == "Participants support the Convention. Should we not ask more?"
    assert result.rewritten
    assert not result.complete


_FIRST_PERSON = re.compile(r"\b(?:I|me|my|mine|myself|we|us|our|ours|ourselves)\b|\bI'|\bwe'", re.IGNORECASE)


@pytest.mark.parametrize(("written", "_expected"), REWRITTEN)
def test_no_first_person_is_left_in_a_complete_rewrite(written, _expected):
    text = reported(written).text
    assert not [word for word in _FIRST_PERSON.findall(text) if word != "US"]


def test_placeholders_are_kept_untouched():
    result = reported("I think [participant] of [affiliation] said it best.")
    assert result.text == "It was considered that [participant] of [affiliation] said it best."


def test_empty_text_stays_empty():
    assert reported("").text == ""
    assert reported("   ").complete
