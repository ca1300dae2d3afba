"""Pick a renderer by format name, and name the file it produces.

`render(synopsis, "md" | "docx" | "json")` returns the file's bytes (UTF-8 for the text formats); `filename_for`
gives a safe ASCII file name such as "synopsis-strengthening-the-norms.md"; `MIME_TYPES` the type to send it as.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from .model import Synopsis
from .render_docx import render_docx
from .render_json import render_json
from .render_markdown import render_markdown

FORMATS: tuple[str, ...] = ("md", "docx", "json")

MIME_TYPES: dict[str, str] = {
    "md": "text/markdown",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
}

SLUG_MAX = 60


def _utf8(text: str) -> bytes:
    # The Markdown has no lone surrogates (they are dropped); in the JSON one can only sit inside a string, where
    # "backslashreplace" writes exactly JSON's own escape for it ("\\ud800"), so the file stays valid.
    return text.encode("utf-8", "backslashreplace")


_RENDERERS: dict[str, Callable[[Synopsis], bytes]] = {
    "md": lambda synopsis: _utf8(render_markdown(synopsis)),
    "docx": render_docx,
    "json": lambda synopsis: _utf8(render_json(synopsis)),
}

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _check(fmt: str) -> None:
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown synopsis format {fmt!r}; expected one of {', '.join(FORMATS)}")


def render(synopsis: Synopsis, fmt: str) -> bytes:
    """Render `synopsis` as `fmt` ("md", "docx" or "json"); ValueError for any other format."""
    _check(fmt)
    return _RENDERERS[fmt](synopsis)


def slug(title: str, max_length: int = SLUG_MAX) -> str:
    """Lower-case ASCII letters, digits and single hyphens; accents are folded, other scripts dropped.

    Cut at a hyphen when the title is longer than `max_length`; may be empty.
    """
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    text = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(text) > max_length:
        cut = text[: max_length + 1]
        text = cut[: cut.rfind("-")] if "-" in cut else text[:max_length]
    return text.strip("-")


def filename_for(synopsis: Synopsis, fmt: str) -> str:
    """E.g. "synopsis-strengthening-the-norms.md", or "synopsis.md" when the title has no ASCII letters or digits."""
    _check(fmt)
    name = slug(synopsis.title)
    return f"synopsis-{name}.{fmt}" if name else f"synopsis.{fmt}"
