"""The draft synopsis as Markdown: the blocks of `synopsis.outline.outline`, laid out and escaped.

Participants' text (and anything else that comes from the synopsis, such as titles) is untrusted. Before escaping,
it is put on one line: runs of whitespace, line breaks included, become one space and control characters are
dropped, so no text can start a new Markdown block. Then, in Markdown:

- at the start of the text, characters that would open a block are escaped: `#`, `>`, `-`, `+`, `*`, `=`, `|`,
  `[` (a link reference definition or a task-list box), and digits followed by `.` or `)` (an ordered list);
- everywhere: backslash, `*`, `_`, backtick, `~`, `<` (so no emphasis, code, strikethrough, HTML or autolink), and
  `#` at the start or after a space (a heading, or an ATX closing sequence that would eat the end of a title), and
  `&` when it would start a character reference such as `&lt;`;
- `]` only when followed by `(`, `[` or `:`, which is what a link, an image, a reference link or a definition needs.
  A lone `[` elsewhere is left alone, so scrubbed placeholders such as "[participant]" stay readable, and
  `[x](http://evil)` prints as `[x\\](http://evil)`: text, not a link.
"""

from __future__ import annotations

import re

from .model import Synopsis
from .outline import Heading, Note, Text, Theirs, TitleLine, outline

_INLINE = re.compile(r"[\\*_`~<]|(?<!\S)#|\](?=[(\[:])|&(?=#?[A-Za-z0-9]+;)")
_BLOCK_START = re.compile(r"^(?:[#>+*=|\[-]|\d+(?=[.)]))")


def escape_markdown(text: str, *, line_start: bool = True) -> str:
    """Escape untrusted one-line text so it can only ever render as text (rules in the module docstring).

    `line_start=False` is for text that follows the renderer's own words on the same line, where block syntax
    cannot take effect; it only spares those texts a needless backslash.
    """
    text = _INLINE.sub(lambda match: "\\" + match.group(0), text)
    match = _BLOCK_START.match(text) if line_start else None
    if match:
        start = match.group(0)
        # "2026." → "2026\." ; "#", "-", … → "\#", "\-", …
        text = f"{start}\\{text[len(start) :]}" if start[0].isdigit() else f"\\{text}"
    return text


def _markdown(text: Text) -> str:
    out: list[str] = []
    for part in text:
        if isinstance(part, Theirs):
            out.append(escape_markdown(part, line_start=not "".join(out)))
        elif isinstance(part, Note):
            out.append(f"*{part}*")
        else:
            out.append(part)
    return "".join(out)


_TITLE_STYLES = {"title": "# {}", "plain": "{}", "bold": "**{}**", "italic": "*{}*"}


def render_markdown(synopsis: Synopsis) -> str:
    """Render the draft synopsis as CommonMark; the same synopsis always gives the same text."""
    chunks: list[str] = []
    for block in outline(synopsis):
        if isinstance(block, TitleLine):
            chunks.append(_TITLE_STYLES[block.style].format(_markdown(block.text)))
        elif isinstance(block, Heading):
            chunks.append(f"{'#' * (block.level + 1)} {_markdown(block.text)}")
        else:
            marker = f"{block.number}. "
            lines = [marker + _markdown(block.text)]
            if block.bullets:
                lines.append("")
                lines += [" " * len(marker) + "- " + _markdown(bullet) for bullet in block.bullets]
            chunks.append("\n".join(lines))
    return "\n\n".join(chunks) + "\n"
