"""The web view's HTML: the draft synopsis laid out from the same outline as the Markdown and DOCX files.

`synopsis.outline.outline` builds the document once (title block, headings, numbered paragraphs with their
bullets: themes with their bands, the annex of contributions by theme, the consensus marks, the participation
bands); this module only lays those blocks out as HTML, with the participation charts (web/charts.py) under their
annex's heading, so the page says exactly what the files say, in the document's language, and names nobody the
files do not. Every piece of text is escaped, the renderer's own words included: nothing in the page is markup but
what this module writes. No script, no inline style (the CSP forbids both); the style sheet is served apart.
"""

from __future__ import annotations

from html import escape

from handlers.access import PURGED_DRAFT
from i18n import COMPLETE_LANGUAGES, SOURCE_LANGUAGE, bot_marked, bot_text, document_text
from synopsis.model import Synopsis
from synopsis.outline import HEADING_PARTICIPATION, Heading, Note, Paragraph, Text, TitleLine, outline
from synopsis.render import FORMATS

from .charts import participation_charts
from .draft import DialogueView

STYLE_SHEET = """\
body { font-family: Georgia, serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5;
       color: #1b1b1b; background: #fff; }
header.downloads { font-family: sans-serif; border-bottom: 1px solid #ccc; padding-bottom: .5rem; }
header.downloads a { margin-right: 1rem; }
p.title { font-size: 1.6rem; font-weight: bold; margin: 1rem 0 .25rem; }
p.bold { font-weight: bold; margin: .25rem 0; }
p.italic { font-style: italic; margin: .25rem 0; }
p.plain { margin: .25rem 0; }
ol.para { padding-left: 2.5rem; margin: .5rem 0; }
ol.para > li { margin: .5rem 0; }
ul { margin: .25rem 0; }
em.note { color: #555; }
section.charts figure { margin: 1rem 0; }
section.charts figcaption { font-family: sans-serif; font-size: .85rem; color: #555; }
"""

FORMAT_NAMES = {"md": "Markdown", "docx": "Word (DOCX)", "json": "JSON"}
# The page's own words, in the bot's catalogue: the synopsis has its own (document) words, these are the view's.
DRAFT_LINK = bot_marked("Draft, {format}")
ADOPTED_LINK = bot_marked("Adopted, {format}")
NOT_AVAILABLE = bot_marked("Not available")


def _text(text: Text) -> str:
    out = []
    for part in text:
        if isinstance(part, Note):
            out.append(f'<em class="note">{escape(part)}</em>')
        else:
            out.append(escape(part))
    return "".join(out)


def _body(synopsis: Synopsis) -> list[str]:
    charts = participation_charts(synopsis)
    participation_heading = document_text(synopsis.language, HEADING_PARTICIPATION)
    lines: list[str] = []
    for block in outline(synopsis):
        if isinstance(block, TitleLine):
            tag = "h1" if block.style == "title" else "p"
            css = f' class="{block.style}"' if tag == "p" else ""
            lines.append(f"<{tag}{css}>{_text(block.text)}</{tag}>")
        elif isinstance(block, Heading):
            level = block.level + 1
            lines.append(f"<h{level}>{_text(block.text)}</h{level}>")
            if charts and block.text == (participation_heading,):
                # The charts draw what the annex's paragraphs below them say.
                lines += ['<section class="charts">', *charts, "</section>"]
        elif isinstance(block, Paragraph):
            bullets = "".join(f"<li>{_text(bullet)}</li>" for bullet in block.bullets)
            inner = _text(block.text) + (f"<ul>{bullets}</ul>" if bullets else "")
            lines.append(f'<ol class="para" start="{block.number}"><li>{inner}</li></ol>')
    return lines


def _links(view: DialogueView, language: str | None) -> str:
    base = f"/d/{view.dialogue_id}"
    links = []
    if view.synopsis is not None:
        links += [
            f'<a href="{base}/draft.{fmt}">{escape(bot_text(language, DRAFT_LINK, format=FORMAT_NAMES[fmt]))}</a>'
            for fmt in FORMATS
        ]
    if view.adopted is not None:
        links += [
            f'<a href="{base}/adopted.{fmt}">{escape(bot_text(language, ADOPTED_LINK, format=FORMAT_NAMES[fmt]))}</a>'
            for fmt in FORMATS
        ]
    return '<header class="downloads">' + " ".join(links) + "</header>"


def render_page(view: DialogueView) -> str:
    """The whole page for `view`: download links, then the draft (or, once purged, a line saying only the adopted
    synopsis remains)."""
    language: str | None
    if view.synopsis is not None:
        body = _body(view.synopsis)
        language = view.synopsis.language
    else:
        language = view.language
        body = [f"<h1>{escape(view.title)}</h1>", f"<p>{escape(bot_text(language, PURGED_DRAFT))}</p>"]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{escape(language or SOURCE_LANGUAGE)}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="referrer" content="no-referrer">',
            f"<title>{escape(view.title)}</title>",
            '<link rel="stylesheet" href="/style.css">',
            "</head>",
            "<body>",
            _links(view, language),
            "<main>",
            *body,
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
    )


def refusal_page(reason: str) -> str:
    """The page every refused request gets (403, 404): one sentence, nothing about the dialogue.

    No dialogue is known here (the link did not say which one may be seen), so the sentence is given in each complete
    language, English first, each paragraph marked with its own language."""
    title = " / ".join(bot_text(code, NOT_AVAILABLE) for code in COMPLETE_LANGUAGES)
    paragraphs = "".join(f'<p lang="{code}">{escape(bot_text(code, reason))}</p>' for code in COMPLETE_LANGUAGES)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head>\n"
        f"<body>{paragraphs}</body>\n</html>\n"
    )
