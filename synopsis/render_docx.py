"""The draft synopsis as a Word document (DOCX), mirroring the Markdown outline block for block.

The title is in Word's "Title" style, the parts and challenges are real "Heading 1"/"Heading 2" paragraphs (so they
show in Word's navigation pane), and numbered paragraphs carry their number as text ("1.", a tab, then the text,
with a hanging indent), as in the model document: the numbers are then exactly those of the Markdown and survive
copying into other documents. Bullets use the template's "List Bullet" style.

Determinism: python-docx stamps no time on a document made from its default template, but the template's core
properties name python-docx, and the zip entries carry the time of writing. So the core properties are set to fixed
values (author and last modified by "dialogue-bot", created and modified 2000-01-01T00:00:00Z, revision 1), the
template's stale thumbnail is dropped, and the package is re-zipped with its entries in a fixed order
("[Content_Types].xml" first, then sorted by name) and a fixed date, so the same synopsis gives the same bytes.

Language: the document language (`Synopsis.language`) is Word's default language for every run (`w:lang` in the
style defaults of styles.xml), so Word checks spelling in it, and the core properties' language.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import docx
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph as DocxParagraph

from i18n import document_text

from .document_locale import language_tag
from .model import Synopsis
from .outline import NOTICE, Heading, Note, Paragraph, Text, TitleLine, one_line, outline, plain

AUTHOR = "dialogue-bot"
FIXED_TIME = datetime(2000, 1, 1, tzinfo=UTC)
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
_CONTENT_TYPES = "[Content_Types].xml"

_NUMBER_INDENT = Cm(1)
_BULLET_INDENT = Cm(1.6)
_BULLET_HANG = Cm(0.6)


def _set_properties(document: Document, synopsis: Synopsis) -> None:
    properties = document.core_properties
    properties.author = AUTHOR
    properties.last_modified_by = AUTHOR
    properties.title = one_line(synopsis.title)
    properties.subject = document_text(synopsis.language, NOTICE)
    properties.language = language_tag(synopsis.language)
    properties.comments = ""
    properties.keywords = ""
    properties.category = ""
    properties.revision = 1
    properties.created = FIXED_TIME
    properties.modified = FIXED_TIME


def _set_language(document: Document, synopsis: Synopsis) -> None:
    """Declare the document language in the style defaults, so Word checks spelling (and hyphenates) in it; the
    contributions quoted in other languages are not marked run by run (their detected language is a guess)."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_defaults.find(qn("w:lang"))
    if lang is None:
        lang = run_defaults.makeelement(qn("w:lang"), {})
        run_defaults.append(lang)
    lang.set(qn("w:val"), language_tag(synopsis.language))


def _drop_thumbnail(document: Document) -> None:
    # The default template carries a thumbnail of an empty page; a stale preview is worse than none.
    package_rels = document.part.package.rels
    for rel_id, rel in list(package_rels.items()):
        if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
            del package_rels[rel_id]


def _add_runs(paragraph: DocxParagraph, text: Text) -> None:
    # The renderer's notes (the machine-drafted flag) are italic; everything else is one plain run.
    plain_parts: list[str] = []
    for part in text:
        if isinstance(part, Note):
            if plain_parts:
                paragraph.add_run("".join(plain_parts))
                plain_parts = []
            paragraph.add_run(str(part)).italic = True
        else:
            plain_parts.append(part)
    if plain_parts:
        paragraph.add_run("".join(plain_parts))


def _build(synopsis: Synopsis) -> Document:
    document = docx.Document()
    _set_properties(document, synopsis)
    _set_language(document, synopsis)
    _drop_thumbnail(document)
    bullet_style = document.styles["List Bullet"].style_id
    for block in outline(synopsis):
        if isinstance(block, TitleLine):
            if block.style == "title":
                document.add_heading(plain(block.text), level=0)
                continue
            run = document.add_paragraph().add_run(plain(block.text))
            run.bold = block.style == "bold"
            run.italic = block.style == "italic"
        elif isinstance(block, Heading):
            document.add_heading(plain(block.text), level=block.level)
        elif isinstance(block, Paragraph):
            paragraph = document.add_paragraph(f"{block.number}.\t")
            _add_runs(paragraph, block.text)
            layout = paragraph.paragraph_format
            layout.left_indent = _NUMBER_INDENT
            layout.first_line_indent = -_NUMBER_INDENT
            layout.tab_stops.add_tab_stop(_NUMBER_INDENT)
            layout.space_after = Pt(6)
            for bullet in block.bullets:
                item = document.add_paragraph()
                # The style's ID is looked up once: python-docx resolves a style name by scanning every style on
                # each paragraph, which took most of the time for an annex of thousands of contributions.
                item._p.style = bullet_style
                _add_runs(item, bullet)
                item.paragraph_format.left_indent = _BULLET_INDENT
                item.paragraph_format.first_line_indent = -_BULLET_HANG
                item.paragraph_format.space_after = Pt(3)
    return document


def _normalise_zip(data: bytes) -> bytes:
    """Re-write the package with a fixed entry order, date and attributes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        names = sorted(source.namelist(), key=lambda name: (name != _CONTENT_TYPES, name))
        for name in names:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name))
    return out.getvalue()


def render_docx(synopsis: Synopsis) -> bytes:
    """Render the draft synopsis as a DOCX package; the same synopsis always gives the same bytes."""
    buffer = io.BytesIO()
    _build(synopsis).save(buffer)
    return _normalise_zip(buffer.getvalue())
