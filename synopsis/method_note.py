"""The method annex's account of how contributions were grouped, in the document's language.

Each sentence is one message of the ``document`` catalogue, with its figures as named placeholders written the
language's way (synopsis.document_locale): a variant of the grouping (features, linkage, thesaurus, the scalable
path, guided themes) chooses a whole sentence, so no sentence is put together from translated pieces.
"""

from __future__ import annotations

from typing import Final

from i18n import document_marked, document_text
from synopsis.document_locale import format_number
from synopsis.grouping import GroupingParams

_LINKAGES: Final = {
    "average": document_marked(
        "The texts were then grouped by agglomerative clustering (average linkage on cosine distance, cut at a "
        "distance of {threshold})."
    ),
    "complete": document_marked(
        "The texts were then grouped by agglomerative clustering (complete linkage on cosine distance, cut at a "
        "distance of {threshold})."
    ),
    "single": document_marked(
        "The texts were then grouped by agglomerative clustering (single linkage on cosine distance, cut at a "
        "distance of {threshold})."
    ),
}

_CHARACTERS_ONLY = document_marked(
    "Each remaining text was described by the TF-IDF weights of the character {low}–{high}-grams of its content words."
)
_WORDS_ONLY = document_marked("Each remaining text was described by the TF-IDF weights of its content words.")
_WORD_RUNS_ONLY = document_marked(
    "Each remaining text was described by the TF-IDF weights of its content words and runs of up to {runs} of them."
)
_WORDS_AND_CHARACTERS = document_marked(
    "Each remaining text was described by the TF-IDF weights of its content words ({words}%) and of the character "
    "{low}–{high}-grams of its content words ({characters}%)."
)
_WORD_RUNS_AND_CHARACTERS = document_marked(
    "Each remaining text was described by the TF-IDF weights of its content words and runs of up to {runs} of them "
    "({words}%) and of the character {low}–{high}-grams of its content words ({characters}%)."
)


def _features(params: GroupingParams, language: str) -> str:
    low, high = (format_number(n, language) for n in params.char_ngrams)
    runs = format_number(params.word_ngrams, language)
    if params.word_weight <= 0:
        return document_text(language, _CHARACTERS_ONLY, low=low, high=high)
    if params.word_weight >= 1:
        if params.word_ngrams > 1:
            return document_text(language, _WORD_RUNS_ONLY, runs=runs)
        return document_text(language, _WORDS_ONLY)
    weight = round(params.word_weight * 100)
    shares = {"words": format_number(weight, language), "characters": format_number(100 - weight, language)}
    if params.word_ngrams > 1:
        return document_text(language, _WORD_RUNS_AND_CHARACTERS, runs=runs, low=low, high=high, **shares)
    return document_text(language, _WORDS_AND_CHARACTERS, low=low, high=high, **shares)


def method_paragraph(
    params: GroupingParams,
    k: int,
    *,
    scalable: bool = False,
    guided: bool = False,
    cross_lingual: bool = False,
    language: str = "en",
) -> str:
    """The plain account of how contributions were grouped, for the method annex, in `language`."""
    # Every sentence is marked where it is written (document_text with a literal), so the catalogue finds it.
    sentences = [
        document_text(
            language,
            "Contributions were grouped by machine, challenge by challenge, as a draft for the moderators to review.",
        ),
        document_text(
            language,
            "Exact duplicates (ignoring case, spacing and punctuation at either end) and near duplicates (texts at "
            "least {threshold}% alike by edit distance) were merged first, keeping every contribution they stand "
            "for.",
            threshold=format_number(params.near_duplicate_threshold, language),
        ),
        _features(params, language),
        document_text(language, "Common English and dialogue words were left out and simple word endings ignored."),
    ]
    if params.thesaurus is not None:
        sentences.append(
            document_text(
                language,
                "Words of the same meaning in treaty dialogues (such as “withdrawal” and “leaving the treaty”) were "
                "counted as one.",
            )
        )
    sentences += [
        document_text(
            language, _LINKAGES[params.linkage], threshold=format_number(params.distance_threshold, language)
        ),
        document_text(
            language,
            "Each theme of two or more contributions is stated by its most representative contribution (the one "
            "most similar, on average, to the others in the theme) and labelled with the keywords most distinctive "
            "of it within its challenge.",
        ),
        document_text(
            language,
            "Contributions that matched no other are kept under “Other points raised”, so that minority views are "
            "not lost.",
        ),
        document_text(
            language, "Moderators could then exclude contributions, join themes and move contributions between themes."
        ),
    ]
    if scalable:
        sentences.append(
            document_text(
                language,
                "In challenges with more than {large} distinct contributions, themes were first formed on a fixed "
                "sample of {large} of them and every other contribution joined the theme it was closest to on "
                "average if it was within the same distance (otherwise it was grouped with the remaining ones in "
                "the same way); there, near duplicates were merged only when they differed in punctuation alone.",
                large=format_number(params.large_threshold, language),
            )
        )
    if guided:
        sentences.append(
            document_text(
                language,
                "Where the secretariat gave a challenge a list of expected themes, each contribution was first "
                "placed under the heading it was most similar to (by the character pieces of its words and by a "
                "sentence embedding model), when it was similar enough; a contribution about as close to two "
                "headings is listed under both but counted once. Only the contributions no heading took were "
                "grouped as above.",
            )
        )
    if cross_lingual:
        sentences.append(
            document_text(
                language,
                "As the contributions were written in more than one language, texts and headings were compared "
                "mainly by a multilingual sentence embedding model (mixed with the character pieces of their words, "
                "and with a grouping cut suited to it), so that the same point made in different languages could "
                "fall in one theme.",
            )
        )
    sentences.append(
        document_text(
            language,
            "Support counts distinct people who made or endorsed a contribution in the theme, each person once, and "
            "is shown only as a band, never below {k} people; a stakeholder category is named only when at least "
            "{k} people from it stand behind the theme.",
            k=format_number(k, language),
        )
    )
    return " ".join(sentences)
