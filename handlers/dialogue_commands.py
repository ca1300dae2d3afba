"""Moderators run a dialogue; participants manage their own contributions.

Every command here is a plain function of the call and the transaction: it reads and writes storage, queues
messages, and returns the reply. Nothing here names a participant, and nothing reports an exact small count.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from dialogue.vocabulary import ChallengeState, EventId, RoomId
from handlers.access import Action, dialogue_facts, require_in_chat
from handlers.arguments import RemoveChallenge, RosterEntry
from handlers.commands import CommandCall, CommandRefused
from handlers.confirmation import Confirmation, confirmation_step
from handlers.dialogue_rules import (
    closing_refusal,
    is_own_contribution,
    may_edit_prompt,
    opening_refusal,
    prompt_recipients,
    removal_needs_force,
    scheduled_opening,
)
from handlers.ground_rules import ground_rules
from handlers.languages import STATE_NAMES, room_language
from handlers.outgoing import queue_direct_message, queue_message, queue_notice
from handlers.replies import Reply, replied_event_id
from handlers.roster_csv import RosterFileRefused, parse_roster_csv
from handlers.slow_work import AttachmentError, attachment_problem
from i18n import bot_marked, bot_text, bot_text_plural
from privacy import band, contributor_key, new_dialogue_secret
from privacy.bands import A_FEW, MANY, SEVERAL
from scheduling import describe, format_duration
from scheduling.zones import dialogue_zone

if TYPE_CHECKING:
    from handlers.context import RoomSnapshot
    from storage import Challenge, Dialogue, Transaction

FORGET_ME_ACTION = "forget-me"
FORGET_ME_WINDOW_SECONDS = 300.0
SUPPORT_BANDS = {
    A_FEW: bot_marked("[supported by a few participants]"),
    SEVERAL: bot_marked("[supported by several participants]"),
    MANY: bot_marked("[supported by many participants]"),
}
AGENDA_BANDS = {
    A_FEW: bot_marked("contributions from a few participants"),
    SEVERAL: bot_marked("contributions from several participants"),
    MANY: bot_marked("contributions from many participants"),
}


async def active_dialogue(call: CommandCall, tx: Transaction) -> Dialogue:
    dialogue = await tx.dialogues.active_in_room(call.dialogue_room)
    if dialogue is None:
        raise CommandRefused(
            bot_text(
                call.language,
                "No dialogue is running in this room. A moderator starts one with {command}.",
                command=f"{call.prefix} start <title>",
            )
        )
    return dialogue


async def challenge_numbered(call: CommandCall, tx: Transaction, dialogue: Dialogue, number: int) -> Challenge:
    challenge = await tx.challenges.by_number(dialogue.id, number)
    if challenge is None:
        raise CommandRefused(
            bot_text(
                call.language,
                "There is no challenge {number}. {agenda} lists them.",
                number=number,
                agenda=f"{call.prefix} agenda",
            )
        )
    return challenge


async def start(call: CommandCall[str], tx: Transaction) -> Reply | None:
    existing = await tx.dialogues.active_in_room(call.room.room_id)
    if existing is not None:
        raise CommandRefused(
            bot_text(
                call.language,
                "A dialogue is already running here: “{title}”. End it first with {command}.",
                title=existing.title,
                command=f"{call.prefix} end",
            )
        )
    title: str = call.args
    dialogue = await tx.dialogues.create(call.room.room_id, title, new_dialogue_secret(), call.now)
    await queue_notice(tx, call.room.room_id, ground_rules(title, call.prefix, dialogue.language), call.now)
    return None


async def end(call: CommandCall[None], tx: Transaction) -> Reply:
    dialogue = await active_dialogue(call, tx)
    await require_in_chat(call, tx, await dialogue_facts(tx, dialogue), Action.END)
    await end_dialogue(tx, dialogue, call.now)
    return Reply.plain(
        bot_text(
            call.language,
            "The dialogue “{title}” has ended. No more contributions are accepted.",
            title=dialogue.title,
        )
    )


async def end_dialogue(tx: Transaction, dialogue: Dialogue, now: float, *, announce: bool = True) -> None:
    """End it: every open challenge closes (said in its thread when `announce`), no more contributions.

    The one way a dialogue ends, whether a moderator ends it, the bot is removed from its room (nothing can be said
    there any more: `announce=False`), or the operator ends it from the command line."""
    for challenge in await tx.challenges.open_in_dialogue(dialogue.id):
        if announce:
            await close_in_room(tx, dialogue.room_id, challenge, now)
        else:
            await tx.challenges.close(challenge.id, now)
            await tx.schedules.set_closes_at(challenge.id, None)
    await tx.dialogues.end(dialogue.id, now)


async def challenge_add(call: CommandCall[tuple[str, str]], tx: Transaction) -> Reply:
    dialogue = await active_dialogue(call, tx)
    title, prompt = call.args
    challenge = await tx.challenges.add(dialogue.id, title, prompt)
    return Reply.plain(
        bot_text(call.language, "Added challenge {number}: {title}", number=challenge.number, title=challenge.title)
    )


async def challenge_edit(call: CommandCall[tuple[int, str, str]], tx: Transaction) -> Reply:
    dialogue = await active_dialogue(call, tx)
    number, title, prompt = call.args
    challenge = await challenge_numbered(call, tx, dialogue, number)
    if not may_edit_prompt(challenge.state):
        raise CommandRefused(
            bot_text(
                call.language,
                "Challenge {number} has already been opened; its prompt can no longer change.",
                number=number,
            )
        )
    await tx.challenges.update(challenge.id, title, prompt)
    return Reply.plain(bot_text(call.language, "Challenge {number} is now: {title}", number=number, title=title))


async def challenge_remove(call: CommandCall[RemoveChallenge], tx: Transaction) -> Reply:
    dialogue = await active_dialogue(call, tx)
    request: RemoveChallenge = call.args
    challenge = await challenge_numbered(call, tx, dialogue, request.number)
    if removal_needs_force(await tx.contributions.count_for_challenge(challenge.id), force=request.force):
        raise CommandRefused(
            bot_text(
                call.language,
                "Challenge {number} has contributions. To remove it and them, use {command}",
                number=request.number,
                command=f"{call.prefix} challenge remove {request.number} --force",
            )
        )
    await tx.challenges.remove(challenge.id)
    return Reply.plain(
        bot_text(call.language, "Removed challenge {number}: {title}", number=request.number, title=challenge.title)
    )


async def agenda(call: CommandCall[None], tx: Transaction) -> Reply:
    dialogue = await active_dialogue(call, tx)
    challenges = await tx.challenges.list(dialogue.id)
    language = call.language
    if not challenges:
        return Reply.plain(
            bot_text(
                language,
                "“{title}”: no challenges yet. {command}",
                title=dialogue.title,
                command=f"{call.prefix} challenge add <title> ; <prompt>",
            )
        )
    zone = dialogue_zone(dialogue.timezone, call.settings.bot.timezone)
    schedules = {item.challenge_id: item for item in await tx.schedules.for_dialogue(dialogue.id)}
    lines = [bot_text(language, "Agenda of “{title}” (times in {zone}):", title=dialogue.title, zone=zone.key)]
    k = call.settings.privacy.k_threshold
    for challenge in challenges:
        state = bot_text(language, STATE_NAMES.get(challenge.state, challenge.state))
        parts = [f"{challenge.number}. {challenge.title} ({state})"]
        shown = band(await tx.contributions.distinct_members_for_challenge(challenge.id), k)
        if shown:
            parts.append(bot_text(language, AGENDA_BANDS[shown]))
        scheduled = scheduled_opening(challenge.state, schedules.get(challenge.id))
        if scheduled is not None:
            when = describe(datetime.fromtimestamp(scheduled.opens_at, UTC), zone, language)
            if scheduled.window_seconds:
                duration = format_duration(timedelta(seconds=scheduled.window_seconds), language)
                parts.append(bot_text(language, "opens {when} for {duration}", when=when, duration=duration))
            else:
                parts.append(bot_text(language, "opens {when}", when=when))
        closes_at = await tx.schedules.closes_at(challenge.id) if challenge.state == ChallengeState.OPEN else None
        if closes_at is not None:
            when = describe(datetime.fromtimestamp(closes_at, UTC), zone, language)
            parts.append(bot_text(language, "closes {when}", when=when))
        # Each part is a whole clause of its own, set off by a dash, so none is built from translated pieces.
        lines.append(" — ".join(parts))
    return Reply.plain("\n".join(lines))


async def status(call: CommandCall[None], tx: Transaction) -> Reply:
    dialogue = await active_dialogue(call, tx)
    challenges = await tx.challenges.list(dialogue.id)
    open_ones = [challenge for challenge in challenges if challenge.state == ChallengeState.OPEN]
    lines = [
        bot_text_plural(
            call.language,
            "“{title}” is running with {count} challenge on the agenda.",
            "“{title}” is running with {count} challenges on the agenda.",
            len(challenges),
            title=dialogue.title,
        )
    ]
    if open_ones:
        listing = "; ".join(f"{c.number}. {c.title}" for c in open_ones)
        lines.append(bot_text(call.language, "Open now: {challenges}", challenges=listing))
    else:
        lines.append(bot_text(call.language, "No challenge is open."))
    return Reply.plain("\n".join(lines))


async def _numbered_for(
    call: CommandCall[int], tx: Transaction, refusal_for: Callable[[ChallengeState], str | None]
) -> tuple[Dialogue, Challenge]:
    """The active dialogue and its challenge numbered `call.args`, refused when `refusal_for` its state says why."""
    dialogue = await active_dialogue(call, tx)
    challenge = await challenge_numbered(call, tx, dialogue, call.args)
    refusal = refusal_for(challenge.state)
    if refusal is not None:
        raise CommandRefused(bot_text(call.language, refusal, number=challenge.number))
    return dialogue, challenge


async def open_challenge(call: CommandCall[int], tx: Transaction) -> Reply | None:
    dialogue, challenge = await _numbered_for(call, tx, opening_refusal)
    room = call.room if call.room.room_id == dialogue.room_id else call.rooms(dialogue.room_id)
    await open_in_room(tx, dialogue, challenge, call.now, room)
    return None


async def open_in_room(
    tx: Transaction, dialogue: Dialogue, challenge: Challenge, now: float, room: RoomSnapshot | None = None
) -> None:
    """Post the prompt (it becomes the thread's root) and start accepting contributions.

    A member of the dialogue room (`room`) who chose a language of their own other than the room's is also sent the
    prompt by direct message in their language: the room has one language, each participant may read another."""
    txn_id = await queue_message(tx, dialogue.room_id, challenge_prompt(challenge, dialogue.language), now)
    await tx.challenges.open(challenge.id, txn_id, now)
    if room is None:
        return
    chosen = await tx.language_preferences.of(room.display_names)
    for user_id, language in prompt_recipients(chosen, room_language=dialogue.language):
        await queue_direct_message(tx, user_id, prompt_by_direct_message(dialogue, challenge, language), now)


def prompt_by_direct_message(dialogue: Dialogue, challenge: Challenge, language: str | None) -> Reply:
    """The prompt for one participant in their own language; the moderator's title and prompt stay as written."""
    heading = bot_text(
        language,
        "Challenge {number} of the dialogue “{dialogue}” is open: {title}",
        number=challenge.number,
        dialogue=dialogue.title,
        title=challenge.title,
    )
    how = bot_text(
        language,
        "Reply in its thread in the dialogue room, or send your contribution here in this chat. Contributions are "
        "recorded without names.",
    )
    return Reply.plain(f"{heading}\n\n{challenge.prompt}\n\n{how}")


async def repost_prompt(tx: Transaction, room_id: RoomId, challenge: Challenge, now: float) -> None:
    """Post an open challenge's prompt again in `room_id` (the room that replaced the dialogue's): replies in its
    thread there count from now on. When it opened stays as it was."""
    language = await _dialogue_language(tx, challenge)
    txn_id = await queue_message(tx, room_id, challenge_prompt(challenge, language), now)
    await tx.challenges.open(challenge.id, txn_id, challenge.opened_at if challenge.opened_at is not None else now)


def challenge_prompt(challenge: Challenge, language: str | None = None) -> Reply:
    """The bot's framing in the dialogue's language around the moderator's own title and prompt, which stay as
    written."""
    heading = bot_text(language, "Challenge {number}: {title}", number=challenge.number, title=challenge.title)
    how = bot_text(language, "Reply in this thread to contribute. Contributions are recorded without names.")
    return Reply.plain(f"{heading}\n\n{challenge.prompt}\n\n{how}")


async def _dialogue_language(tx: Transaction, challenge: Challenge) -> str | None:
    return room_language(await tx.dialogues.get(challenge.dialogue_id))


async def close_challenge(call: CommandCall[int], tx: Transaction) -> Reply | None:
    dialogue, challenge = await _numbered_for(call, tx, closing_refusal)
    await close_in_room(tx, dialogue.room_id, challenge, call.now)
    return None


async def close_in_room(tx: Transaction, room_id: RoomId, challenge: Challenge, now: float) -> None:
    """Stop accepting contributions and say so in its thread (by hand, at its scheduled end, or at `end`)."""
    await tx.challenges.close(challenge.id, now)
    await tx.schedules.set_closes_at(challenge.id, None)
    root = await thread_root_of(tx, challenge)
    notice = Reply.plain(
        bot_text(
            await _dialogue_language(tx, challenge),
            "Challenge {number} is closed: no more contributions are accepted. Thank you.",
            number=challenge.number,
        )
    )
    await queue_notice(tx, room_id, notice, now, thread_root=root)


async def thread_root_of(tx: Transaction, challenge: Challenge) -> str | None:
    """The event its prompt was sent as, which replies thread under; None before the prompt has gone out."""
    return await tx.outbox.sent_event_id(challenge.prompt_txn_id) if challenge.prompt_txn_id else None


async def roster_set(call: CommandCall[RosterEntry], tx: Transaction) -> Reply:
    dialogue = await active_dialogue(call, tx)
    entry: RosterEntry = call.args
    category = None
    if entry.category is not None:
        categories = call.settings.privacy.categories()
        category = categories.normalise(entry.category)
        if category is None:
            raise CommandRefused(
                bot_text(
                    call.language,
                    "Unknown stakeholder category. Use one of: {categories}.",
                    categories=categories.listing(),
                )
            )
    member = contributor_key(dialogue.secret, entry.user_id)
    await tx.roster.set(dialogue.id, member, entry.affiliation, category, entry.aliases)
    # The reply repeats neither the person nor the affiliation.
    # English keeps its one "participant(s)" wording for both forms; other languages have their own plural forms.
    return Reply.plain(
        bot_text_plural(
            call.language,
            "Roster updated: {count} participant(s) recorded.",
            "Roster updated: {count} participant(s) recorded.",
            await tx.roster.count(dialogue.id),
        )
    )


async def withdraw(call: CommandCall[None], tx: Transaction) -> Reply:
    dialogue = await active_dialogue(call, tx)
    target = reply_target(call)
    if target is None:
        raise CommandRefused(
            bot_text(
                call.language,
                "Send {command} as a reply to the contribution you want to remove.",
                command=f"{call.prefix} withdraw",
            )
        )
    contribution = await tx.contributions.by_event(EventId(target))
    member = contributor_key(dialogue.secret, call.event.sender)
    if contribution is None or not is_own_contribution(
        dialogue_id=contribution.dialogue_id,
        member_key=contribution.member_key,
        in_dialogue=dialogue.id,
        of_member=member,
    ):
        raise CommandRefused(bot_text(call.language, "That message is not one of your recorded contributions."))
    await tx.contributions.delete(contribution.id)
    return Reply.plain(bot_text(call.language, "Withdrawn: that contribution is no longer recorded."))


async def forget_me(call: CommandCall[bool], tx: Transaction) -> Reply:
    dialogue = await active_dialogue(call, tx)
    member = contributor_key(dialogue.secret, call.event.sender)
    asked = await confirmation_step(
        call,
        tx,
        Confirmation(member, FORGET_ME_ACTION, FORGET_ME_WINDOW_SECONDS),
        ask=bot_text(
            call.language,
            "This removes every contribution you made in this dialogue, and your support. To confirm, send "
            "{command} within 5 minutes.",
            command=f"{call.prefix} forget-me confirm",
        ),
        not_asked=bot_text(
            call.language, "Nothing to confirm: send {command} first.", command=f"{call.prefix} forget-me"
        ),
    )
    if asked is not None:
        return asked
    await tx.contributions.delete_by_member(dialogue.id, member)
    await tx.contributions.remove_support_by_member(dialogue.id, member)
    await tx.consensus.delete_votes_by_member(dialogue.id, member)
    # Events of theirs that failed or await a key still hold their ID and words; they will not be retried.
    await tx.inbox.scrub_held_from_sender(call.event.sender)
    # Their language choice is personal data too (docs/privacy.md).
    await tx.language_preferences.clear(call.event.sender)
    return Reply.plain(bot_text(call.language, "Done: none of your contributions or support remain in this dialogue."))


async def remove_contribution(call: CommandCall[str], tx: Transaction) -> Reply:
    dialogue = await active_dialogue(call, tx)
    contribution = await tx.contributions.by_ref(dialogue.id, call.args)
    if contribution is None:
        raise CommandRefused(
            bot_text(call.language, "No contribution {reference} in this dialogue.", reference=call.args)
        )
    await tx.contributions.delete(contribution.id)
    return Reply.plain(bot_text(call.language, "Removed contribution {reference}.", reference=contribution.ref))


async def list_contributions(call: CommandCall[int], tx: Transaction) -> Reply:
    dialogue = await active_dialogue(call, tx)
    challenge = await challenge_numbered(call, tx, dialogue, call.args)
    contributions = await tx.contributions.for_challenge(challenge.id)
    if not contributions:
        return Reply.plain(
            bot_text(call.language, "Challenge {number} has no contributions yet.", number=challenge.number)
        )
    k = call.settings.privacy.k_threshold
    lines = [bot_text(call.language, "Contributions to challenge {number} (reference: text):", number=challenge.number)]
    for contribution in contributions:
        supporters = band(await tx.contributions.distinct_supporters(contribution.id), k)
        line = f"{contribution.ref}: {contribution.text}"
        if supporters:
            # The band word is part of one whole message per band, never a translated word dropped into a sentence.
            line += " " + bot_text(call.language, SUPPORT_BANDS[supporters])
        lines.append(line)
    return Reply.plain("\n".join(lines))


async def roster_import(call: CommandCall[None], tx: Transaction) -> Reply:
    dialogue = await active_dialogue(call, tx)
    not_a_reply = bot_text(
        call.language,
        "Send {command} as a reply to a CSV file (user, affiliation, category, aliases).",
        command=f"{call.prefix} roster import",
    )
    data = await replied_attachment(call, not_a_reply)
    try:
        categories = call.settings.privacy.categories()
        roster = parse_roster_csv(data, categories, call.language)
    except RosterFileRefused as refusal:
        raise CommandRefused(str(refusal)) from refusal
    for row in roster.rows:
        member = contributor_key(dialogue.secret, row.user_id)
        await tx.roster.set(dialogue.id, member, row.affiliation, row.category, row.aliases)
    language = call.language
    # As in roster set: one English wording for both forms, the other languages' plural forms by the rows' count.
    summary = bot_text_plural(
        language,
        "Roster import: {count} row(s) recorded; the roster has {total} participant(s). Consider deleting the file "
        "from the room now.",
        "Roster import: {count} row(s) recorded; the roster has {total} participant(s). Consider deleting the file "
        "from the room now.",
        len(roster.rows),
        total=await tx.roster.count(dialogue.id),
    )
    lines = [summary]
    if roster.problems:
        skipped = "; ".join(roster.problems[:10]) + ("; …" if len(roster.problems) > 10 else "")
        lines.append(bot_text(language, "Skipped: {problems}", problems=skipped))
    if roster.unknown_category:
        lines.append(bot_text(language, "Stakeholder categories: {categories}.", categories=categories.listing()))
    return Reply.plain("\n".join(lines))


def reply_target(call: CommandCall) -> str | None:
    return replied_event_id(call.event)


async def replied_attachment(call: CommandCall, not_a_reply: str) -> bytes:
    """The file the command was sent in reply to; refused with `not_a_reply` when it is no reply, or with what went
    wrong fetching it."""
    target = reply_target(call)
    if target is None:
        raise CommandRefused(not_a_reply)
    try:
        return await call.slow_work.fetch_attachment(call.room.room_id, EventId(target))
    except AttachmentError as error:
        raise CommandRefused(attachment_problem(error, call.language)) from error
