"""`agenda import`: a whole agenda, each challenge with its expected themes, from one outline.

The outline comes either inline, on the lines after the command (pasted from a document), or as the file the command
replies to. The file is fetched as slow work (handlers/slow_work.py): outside the event's transaction, after which the
handler runs again from the start, and only that run writes. So the writes stay in the event's one transaction, with
the inbox's exactly-once guarantee: all challenges and headings are recorded together, or (on any problem) none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.agenda_outline import OutlineRefused, parse_agenda_bytes, parse_agenda_outline
from handlers.commands import CommandCall, UsageError
from handlers.dialogue_commands import active_dialogue, replied_attachment
from handlers.replies import Reply
from i18n import bot_text, bot_text_plural

if TYPE_CHECKING:
    from handlers.agenda_outline import OutlineChallenge
    from storage import Transaction

_SHOWN_PROBLEMS = 10  # a reply names this many problems at most, so that it does not grow with the file


def outline_text(raw: str) -> str:
    """The inline outline, kept as written (line breaks are its structure); empty when a file is meant."""
    return raw.strip()


async def agenda_import(call: CommandCall[str], tx: Transaction) -> Reply:
    dialogue = await active_dialogue(call, tx)
    inline: str = call.args
    try:
        outline = parse_agenda_outline(inline) if inline else await _from_file(call)
    except OutlineRefused as refused:
        problems = refused.problems_in(call.language)
        shown = "; ".join(problems[:_SHOWN_PROBLEMS]) + ("; …" if len(problems) > _SHOWN_PROBLEMS else "")
        raise UsageError(
            bot_text(call.language, "the agenda import was refused, nothing was added: {problems}", problems=shown)
        ) from refused
    numbers = []
    headings = 0
    for item in outline:
        challenge = await tx.challenges.add(dialogue.id, item.title, item.prompt)
        numbers.append(challenge.number)
        for heading in item.headings:
            await tx.theme_headings.add(challenge.id, heading, call.now)
            headings += 1
    # The English says "challenge(s)" for any count; a translation gives each count its form.
    return Reply.plain(
        bot_text_plural(
            call.language,
            "Agenda import: {count} challenge(s) added ({numbers}) with {headings} expected theme(s). {agenda} lists "
            "them; {open} posts one.",
            "Agenda import: {count} challenge(s) added ({numbers}) with {headings} expected theme(s). {agenda} lists "
            "them; {open} posts one.",
            len(numbers),
            numbers=", ".join(map(str, numbers)),
            headings=headings,
            agenda=f"{call.prefix} agenda",
            open=f"{call.prefix} open <n>",
        )
    )


async def _from_file(call: CommandCall) -> list[OutlineChallenge]:
    not_a_reply = bot_text(
        call.language,
        "Send {command} as a reply to an outline file (.md or .txt), or paste the outline on the lines after "
        "the command. {help} shows the format.",
        command=f"{call.prefix} agenda import",
        help=f"{call.prefix} help agenda import",
    )
    return parse_agenda_bytes(await replied_attachment(call, not_a_reply))
