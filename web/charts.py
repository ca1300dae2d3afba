"""The web view's participation charts, as inline SVG: one bar per challenge and per day, its length the band.

The bars draw `Synopsis.participation` (synopsis/participation.py), which holds bands only, and only where at least
k people stand behind them: a bar is one, two or three steps long for "a few", "several", "many", never a count. A
challenge below k is a row that says "not reported", with no bar; a day below k is not there at all. Each row's text
is the annex's own sentence, in the document's language. Drawn by hand rather than with a plotting library: a few
rectangles need no dependency, and presentation attributes only (no `style`), so the page's CSP holds.
"""

from __future__ import annotations

from html import escape

from i18n import document_text
from privacy.bands import A_FEW, MANY, SEVERAL
from synopsis.document_locale import format_day, format_number
from synopsis.model import Synopsis
from synopsis.outline import (
    CHALLENGE_CONTRIBUTIONS,
    CHALLENGE_NOT_REPORTED,
    DAY_CONTRIBUTIONS,
    PARTICIPATION_BY_CHALLENGE,
    PARTICIPATION_BY_DAY,
)

STEPS = {A_FEW: 1, SEVERAL: 2, MANY: 3}
WIDTH, ROW, BAR, STEP = 560, 44, 14, 150


def _chart(title: str, rows: list[tuple[str, str | None]]) -> str:
    """An SVG of `rows` (text, band or None for no bar) under `title`."""
    height = ROW * len(rows) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (text, band) in enumerate(rows):
        top = index * ROW
        parts.append(f'<text x="0" y="{top + 16}" font-size="13" fill="#1b1b1b">{escape(text)}</text>')
        if band is not None:
            length = STEPS[band] * STEP
            parts.append(
                f'<rect class="bar" x="0" y="{top + 22}" width="{length}" height="{BAR}" fill="#3d6b99" '
                f'data-band="{escape(band)}"/>'
            )
        else:
            parts.append(
                f'<line x1="0" y1="{top + 29}" x2="{STEP * 3}" y2="{top + 29}" stroke="#bbb" stroke-dasharray="4 4"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def participation_charts(synopsis: Synopsis) -> list[str]:
    """The two charts (per challenge, per day) as HTML figures; none when nothing reaches k."""
    shown = synopsis.participation
    if not shown.any_shown:
        return []
    language = synopsis.language
    k = format_number(synopsis.method.k, language)
    by_challenge: list[tuple[str, str | None]] = []
    for bar in shown.by_challenge:
        number = format_number(bar.number, language)
        if bar.band is None:
            by_challenge.append((document_text(language, CHALLENGE_NOT_REPORTED, number=number), None))
        else:
            by_challenge.append((document_text(language, CHALLENGE_CONTRIBUTIONS[bar.band], number=number), bar.band))
    figures = [_figure(document_text(language, PARTICIPATION_BY_CHALLENGE, k=k), by_challenge)]
    if shown.by_day:
        by_day: list[tuple[str, str | None]] = [
            (document_text(language, DAY_CONTRIBUTIONS[bar.band], day=format_day(bar.day, language)), bar.band)
            for bar in shown.by_day
        ]
        figures.append(_figure(document_text(language, PARTICIPATION_BY_DAY, k=k), by_day))
    return figures


def _figure(title: str, rows: list[tuple[str, str | None]]) -> str:
    return f"<figure><figcaption>{escape(title)}</figcaption>{_chart(title, rows)}</figure>"
