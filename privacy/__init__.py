"""Privacy under the Chatham House Rule: what may leave a dialogue room, and in what form.

Pure functions only (no I/O, no Matrix, no database), so every rule here can be tested on its own:

- `pseudonym`: per-dialogue keyed pseudonyms for contributors, unlinkable once the dialogue's secret is destroyed;
- `scrub`: takes user IDs, e-mail addresses, phone numbers, affiliations and names out of text before it is stored;
- `bands`: k-anonymous word bands instead of exact counts, and stakeholder categories named only from k upwards;
- `categories`: the deployment's stakeholder categories, their spellings and the phrase that names them.
"""

from privacy.bands import (
    CATEGORY_PHRASE_ORDER,
    STAKEHOLDER_CATEGORIES,
    band,
    category_phrase,
    normalise_category,
)
from privacy.categories import DEFAULT_CATEGORIES, StakeholderCategories
from privacy.pseudonym import contributor_key, matrix_id_reference, new_dialogue_secret, room_member_key
from privacy.scrub import (
    AFFILIATION,
    EMAIL,
    NAME_STOP_WORDS,
    PARTICIPANT,
    PHONE,
    PLACEHOLDERS,
    ScrubContext,
    html_to_text,
    message_text,
    prepare,
    scrub_message,
    scrub_text,
    strip_reply_fallback,
)

__all__ = [
    "AFFILIATION",
    "CATEGORY_PHRASE_ORDER",
    "DEFAULT_CATEGORIES",
    "EMAIL",
    "NAME_STOP_WORDS",
    "PARTICIPANT",
    "PHONE",
    "PLACEHOLDERS",
    "STAKEHOLDER_CATEGORIES",
    "ScrubContext",
    "StakeholderCategories",
    "band",
    "category_phrase",
    "contributor_key",
    "html_to_text",
    "matrix_id_reference",
    "message_text",
    "new_dialogue_secret",
    "normalise_category",
    "prepare",
    "room_member_key",
    "scrub_message",
    "scrub_text",
    "strip_reply_fallback",
]
