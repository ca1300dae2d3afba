"""What the web view shows of one dialogue: its draft, compiled from the stored material as the files are.

The stored material is read in one short transaction; compiling and rendering run in a worker thread afterwards, so
the bot's event loop (and its one database connection) is never held while a large dialogue is grouped.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from config import Settings
from handlers.access import dialogue_facts
from handlers.synopsis_input import compile_off_loop, synopsis_input_for
from handlers.synopsis_rules import adopted_file_name
from storage import Database
from synopsis.model import Synopsis, SynopsisInput
from synopsis.render import FORMATS, MIME_TYPES, filename_for, render


@dataclass(frozen=True, slots=True)
class DialogueView:
    """A dialogue as the web view shows it: the draft, or, once purged, only its adopted files."""

    dialogue_id: int
    title: str
    synopsis: Synopsis | None  # None: purged, only `adopted` remains
    adopted: dict[str, bytes] | None  # the adopted synopsis's files by format, if it was adopted
    language: str | None = None  # the dialogue's, for the page's own words (links, the purged notice)


@dataclass(frozen=True, slots=True)
class Download:
    filename: str
    mime_type: str
    data: bytes


async def _read(
    db: Database, settings: Settings, dialogue_id: int
) -> tuple[str, str | None, SynopsisInput | None, dict | None]:
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.get(dialogue_id)
        if dialogue is None:
            raise LookupError(dialogue_id)
        facts = await dialogue_facts(tx, dialogue)
        adopted_row = await tx.synopses.adopted(dialogue.id) if facts.adopted else None
        adopted = {fmt: adopted_row.rendered(fmt) for fmt in FORMATS} if adopted_row is not None else None
        if facts.purged:
            return dialogue.title, dialogue.language, None, adopted
        data = await synopsis_input_for(tx, dialogue, settings)
        return dialogue.title, dialogue.language, data, adopted


async def load_view(db: Database, settings: Settings, dialogue_id: int) -> DialogueView:
    """The dialogue's view as the stored material stands now; LookupError when there is no such dialogue."""
    title, language, data, adopted = await _read(db, settings, dialogue_id)
    synopsis = None if data is None else await compile_off_loop(data, settings.synopsis)
    return DialogueView(dialogue_id, title, synopsis, adopted, language)


async def load_download(db: Database, settings: Settings, dialogue_id: int, fmt: str, adopted: bool) -> Download | None:
    """One file of the dialogue: the draft in `fmt`, or the adopted one; None when there is no such file (a purged
    dialogue's draft, an adoption that did not happen)."""
    view = await load_view(db, settings, dialogue_id)
    if adopted:
        if view.adopted is None:
            return None
        return Download(adopted_file_name(dialogue_id, fmt), MIME_TYPES[fmt], view.adopted[fmt])
    if view.synopsis is None:
        return None
    data = await asyncio.to_thread(render, view.synopsis, fmt)
    return Download(filename_for(view.synopsis, fmt), MIME_TYPES[fmt], data)
