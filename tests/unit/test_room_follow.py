"""Room upgrades and removals: the pure decisions, and the handlers on a real (temporary) SQLite database with the
homeserver's answer about the replacement room given by hand (the integration tests ask a real Synapse)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import nio
import pytest

from bot.room_follow import JOIN_RETRY_DELAYS_SECONDS, ReplacementRooms
from handlers.context import BotInfo, RoomSnapshot
from handlers.dispatch import HandlerEnv, handle_event
from handlers.events import InboundEvent
from handlers.handler_settings import HandlerSettings
from handlers.registry import build_registry
from handlers.room_removal import is_own_membership, is_removal
from handlers.room_upgrades import Tombstone, Verdict, predecessor_of, tombstone_in, verdict
from handlers.slow_work import CheckReplacement, ReplacementCheck, SlowRequest, SlowWork
from storage import Database, OutboxRow, Person, Room, RoomMessage
from tests.unit.fakes import BOT_ID, make_settings

OLD, NEW, BACKROOM = "!old:test", "!new:test", "!back:test"
MODERATOR, ALICE, CREATOR = "@mod:test", "@alice:test", "@creator:test"
NOW = 1_000_000.0
_ids = itertools.count(1)


def snapshot(room_id: str, **changes: Any) -> RoomSnapshot:
    room = RoomSnapshot(
        room_id=room_id,
        room_version="12",
        creators=frozenset({CREATOR}),
        user_power_levels={MODERATOR: 100, ALICE: 0},
        display_names={MODERATOR: "Mod", ALICE: "Alice", CREATOR: "Creator", BOT_ID: "Bot"},
        joined_member_count=4,
        tombstone_power_level=100,
    )
    return replace(room, **changes)


def event(room_id: str, sender: str, event_type: str, content: dict[str, Any], **fields: Any) -> InboundEvent:
    return InboundEvent(
        event_id=f"${next(_ids)}",
        room_id=room_id,
        sender=sender,
        type=event_type,
        content=content,
        origin_server_ts=int(NOW * 1000) + next(_ids),
        **fields,
    )


def tombstone(sender: str = MODERATOR, replacement: Any = NEW, **fields: Any) -> InboundEvent:
    fields.setdefault("state_key", "")
    return event(OLD, sender, "m.room.tombstone", {"body": "replaced", "replacement_room": replacement}, **fields)


# ------------------------------------------------------------------ pure decisions


def test_a_tombstone_from_someone_with_the_power_to_send_it_names_the_room_and_server_to_follow():
    assert tombstone_in(tombstone(), snapshot(OLD)) == Tombstone(NEW, "test")


def test_a_room_version_12_creator_may_replace_the_room_without_appearing_in_the_power_levels():
    assert tombstone_in(tombstone(CREATOR), snapshot(OLD)) == Tombstone(NEW, "test")
    assert tombstone_in(tombstone(CREATOR), snapshot(OLD, room_version="10")) is None


def test_a_tombstone_from_someone_below_its_power_level_is_not_followed():
    assert tombstone_in(tombstone(ALICE), snapshot(OLD)) is None
    assert tombstone_in(tombstone(ALICE), snapshot(OLD, tombstone_power_level=0)) == Tombstone(NEW, "test")


@pytest.mark.parametrize("replacement", [None, 42, "", "#alias:test", OLD])
def test_a_tombstone_naming_no_other_room_is_not_followed(replacement):
    assert tombstone_in(tombstone(replacement=replacement), snapshot(OLD)) is None


def test_a_tombstone_that_arrived_encrypted_or_not_as_state_is_not_followed():
    # InboundEvent drops the state key of whatever was decrypted; an encrypted claim never counts.
    assert tombstone_in(tombstone(state_key=None), snapshot(OLD)) is None
    assert tombstone_in(tombstone(was_encrypted=True), snapshot(OLD)) is None
    decrypted = InboundEvent.from_source(
        {"type": "m.room.tombstone", "state_key": "", "sender": MODERATOR, "content": {"replacement_room": NEW}},
        OLD,
        was_encrypted=True,
    )
    assert tombstone_in(decrypted, snapshot(OLD)) is None


def test_the_predecessor_comes_from_the_create_event_content():
    assert predecessor_of({"predecessor": {"room_id": OLD, "event_id": "$x"}}) == OLD
    assert predecessor_of({"predecessor": {"room_id": OLD}}) == OLD  # room version 12 drops the event ID
    assert predecessor_of({}) is None
    assert predecessor_of({"predecessor": "nope"}) is None
    assert predecessor_of({"predecessor": {"room_id": 7}}) is None


def test_only_a_joined_room_naming_the_old_one_takes_the_dialogue():
    assert verdict(ReplacementCheck(joined=True, predecessor=OLD), OLD) is Verdict.MOVE
    assert verdict(ReplacementCheck(joined=True, predecessor="!other:test"), OLD) is Verdict.NOT_SUCCESSOR
    assert verdict(ReplacementCheck(joined=True, predecessor=None), OLD) is Verdict.NOT_SUCCESSOR
    assert verdict(ReplacementCheck(joined=False, problem="M_FORBIDDEN: no"), OLD) is Verdict.NOT_JOINED


def member(sender: str, membership: str, state_key: str = BOT_ID) -> InboundEvent:
    return event(OLD, sender, "m.room.member", {"membership": membership}, state_key=state_key)


def test_a_kick_or_a_ban_of_the_bot_is_a_removal_its_own_leave_or_others_are_not():
    assert is_removal(member(MODERATOR, "leave"), BOT_ID)
    assert is_removal(member(MODERATOR, "ban"), BOT_ID)
    assert not is_removal(member(BOT_ID, "leave"), BOT_ID)
    assert not is_removal(member(MODERATOR, "leave", state_key=ALICE), BOT_ID)
    assert not is_removal(member(MODERATOR, "invite"), BOT_ID)


def test_only_the_bots_own_membership_is_taken_from_a_left_room():
    assert is_own_membership({"type": "m.room.member", "state_key": BOT_ID}, BOT_ID)
    assert not is_own_membership({"type": "m.room.member", "state_key": ALICE}, BOT_ID)
    assert not is_own_membership({"type": "m.room.message", "sender": BOT_ID}, BOT_ID)


# ------------------------------------------------------------------ the handlers, on a real database


@dataclass
class Harness:
    db: Database
    env: HandlerEnv
    asked: list[SlowRequest]
    answer: list[ReplacementCheck]  # what the homeserver says about the replacement room (the last one counts)

    async def handle(self, incoming: InboundEvent, room: RoomSnapshot | None = None) -> None:
        async with self.db.transaction() as tx:
            await handle_event(incoming, room or snapshot(incoming.room_id), self.env, tx)

    async def outbox(self) -> list[OutboxRow]:
        rows = []
        async with self.db.transaction() as tx:
            while (row := await tx.outbox.next_sendable(NOW + 1e6)) is not None:
                rows.append(row)
                await tx.outbox.mark_sent(row.txn_id, f"$sent{next(_ids)}", NOW)
        return rows

    async def dialogue_room(self) -> str:
        async with self.db.transaction() as tx:
            dialogue = await tx.dialogues.get(1)
            assert dialogue is not None
            return dialogue.room_id


def body(row: OutboxRow) -> str:
    assert isinstance(row.item, RoomMessage)
    return str(row.item.content.get("body", ""))


async def make_harness(tmp_path: Path, check: ReplacementCheck) -> AsyncIterator[Harness]:
    db = await Database.open(tmp_path / "bot.db")
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(OLD, "Norms", b"s" * 32, NOW)
        first = await tx.challenges.add(dialogue.id, "Transfers", "What do transfers mean?")
        await tx.challenges.add(dialogue.id, "Withdrawal", "What follows?")
        await tx.challenges.open(first.id, "txn-prompt", NOW - 60)
        second = await tx.challenges.by_number(dialogue.id, 2)
        assert second is not None
        await tx.schedules.set(second.id, NOW + 3600, None, NOW)
    asked: list[SlowRequest] = []

    answer = [check]

    async def runner(request: SlowRequest) -> object:
        asked.append(request)
        return answer[-1]

    env = HandlerEnv(
        settings=HandlerSettings.of(make_settings(tmp_path)),
        registry=build_registry(),
        bot=BotInfo(user_id=BOT_ID, version="test", started_at=0.0, encryption_enabled=True),
        now=NOW,
        slow_work=SlowWork(runner),
    )
    yield Harness(db, env, asked, answer)
    await db.close()


@pytest.fixture
async def followed(tmp_path: Path) -> AsyncIterator[Harness]:
    async for harness in make_harness(tmp_path, ReplacementCheck(joined=True, predecessor=OLD)):
        yield harness


@pytest.fixture
async def forged(tmp_path: Path) -> AsyncIterator[Harness]:
    async for harness in make_harness(tmp_path, ReplacementCheck(joined=True, predecessor="!other:test")):
        yield harness


@pytest.fixture
async def unjoinable(tmp_path: Path) -> AsyncIterator[Harness]:
    async for harness in make_harness(tmp_path, ReplacementCheck(joined=False, problem="M_FORBIDDEN: not invited")):
        yield harness


async def test_a_verified_replacement_takes_the_dialogue_its_schedule_and_open_prompts_once(followed):
    await followed.handle(tombstone())
    assert followed.asked == [CheckReplacement(OLD, NEW, "test")]
    assert await followed.dialogue_room() == NEW
    rows = await followed.outbox()
    assert [row.destination for row in rows] == [Room(NEW), Room(NEW)]
    assert "continues here" in body(rows[0])
    assert body(rows[1]).startswith("Challenge 1: Transfers")
    async with followed.db.transaction() as tx:
        schedules = await tx.schedules.pending()
        challenge = await tx.challenges.by_number(1, 1)
    assert [schedule.room_id for schedule in schedules] == [NEW]
    assert challenge is not None and challenge.opened_at == NOW - 60 and challenge.prompt_txn_id == rows[1].txn_id

    await followed.handle(tombstone())  # another tombstone in the old room: nothing is there to move any more
    assert await followed.outbox() == []
    assert await followed.dialogue_room() == NEW


async def test_the_backroom_link_moves_with_the_dialogue(followed):
    async with followed.db.transaction() as tx:
        await tx.backrooms.link(OLD, BACKROOM, NOW)
    await followed.handle(tombstone())
    async with followed.db.transaction() as tx:
        assert await tx.backrooms.backroom_of(NEW) == BACKROOM
        assert await tx.backrooms.backroom_of(OLD) is None
    rows = await followed.outbox()
    assert Room(BACKROOM) in [row.destination for row in rows]


async def test_a_tombstone_from_a_participant_asks_the_homeserver_nothing_and_moves_nothing(followed):
    await followed.handle(tombstone(ALICE))
    assert followed.asked == []
    assert await followed.dialogue_room() == OLD
    assert await followed.outbox() == []


async def test_a_replacement_naming_another_predecessor_leaves_the_dialogue_and_tells_the_backroom(forged):
    async with forged.db.transaction() as tx:
        await tx.backrooms.link(OLD, BACKROOM, NOW)
    await forged.handle(tombstone())
    assert await forged.dialogue_room() == OLD
    rows = await forged.outbox()
    assert [row.destination for row in rows] == [Room(BACKROOM)]
    assert "does not name this one" in body(rows[0])


async def test_without_a_backroom_each_moderator_is_told_by_direct_message_when_the_bot_cannot_join(unjoinable):
    await unjoinable.handle(tombstone())
    assert await unjoinable.dialogue_room() == OLD
    rows = await unjoinable.outbox()
    assert sorted(str(row.destination) for row in rows) == sorted(str(Person(user)) for user in (CREATOR, MODERATOR))
    assert all("could not join it (M_FORBIDDEN: not invited)" in body(row) and "invite" in body(row) for row in rows)


async def test_a_removed_bot_ends_the_dialogue_cancels_its_schedule_and_gives_up_the_rooms_messages(followed):
    async with followed.db.transaction() as tx:
        await tx.outbox.enqueue(Room(OLD), RoomMessage({"msgtype": "m.notice", "body": "pending"}), NOW)
    await followed.handle(member(MODERATOR, "ban"))
    async with followed.db.transaction() as tx:
        dialogue = await tx.dialogues.get(1)
        assert dialogue is not None and dialogue.state == "ended"
        assert await tx.schedules.pending() == []
        assert await tx.challenges.open_in_dialogue(1) == []
    rows = await followed.outbox()
    assert all(row.destination != Room(OLD) for row in rows)
    assert rows and all("dialogue-bot synopsis --dialogue 1" in body(row) for row in rows)


# ------------------------------------------------------------------ joining and reading the replacement room


class FakeClient:
    """Answers join and state requests as told; records what the bot asked for."""

    def __init__(self, *, joins_refused: int, predecessor: str | None, known_rooms: tuple[str, ...] = ()) -> None:
        self.rooms = dict.fromkeys(known_rooms)
        self.access_token = "token"
        self.joins_refused = joins_refused
        self.predecessor = predecessor
        self.calls: list[str] = []

    async def _send(self, response_class: Any, method: str, path: str, data: str) -> Any:
        self.calls.append(f"{method} {path.split('?')[0]}")
        assert "server_name=test" in path
        if self.joins_refused > 0:
            self.joins_refused -= 1
            return nio.JoinError("not invited", "M_FORBIDDEN")
        return nio.JoinResponse(NEW)

    async def room_get_state_event(self, room_id: str, event_type: str, state_key: str) -> Any:
        self.calls.append(f"state {event_type}")
        content = {"predecessor": {"room_id": self.predecessor}} if self.predecessor else {}
        return nio.RoomGetStateEventResponse(content, event_type, state_key, room_id)

    async def room_leave(self, room_id: str) -> Any:
        self.calls.append(f"leave {room_id}")


async def no_wait(seconds: float) -> None:
    return None


async def test_a_join_refused_at_first_is_tried_again_while_the_invite_is_on_its_way():
    client = FakeClient(joins_refused=2, predecessor=OLD)
    check = await ReplacementRooms(client, sleep=no_wait).check(CheckReplacement(OLD, NEW, "test"))  # type: ignore[arg-type]
    assert check == ReplacementCheck(joined=True, predecessor=OLD)
    assert client.calls.count(f"POST /_matrix/client/v3/join/{quote(NEW, safe='')}") == 3


async def test_a_room_that_never_lets_the_bot_in_gives_the_last_reason():
    client = FakeClient(joins_refused=100, predecessor=OLD)
    check = await ReplacementRooms(client, sleep=no_wait).check(CheckReplacement(OLD, NEW, "test"))  # type: ignore[arg-type]
    assert not check.joined and check.problem.startswith("M_FORBIDDEN")
    assert len(client.calls) == len(JOIN_RETRY_DELAYS_SECONDS) + 1


async def test_a_room_joined_only_to_look_is_left_when_it_is_not_the_successor():
    client = FakeClient(joins_refused=0, predecessor="!other:test")
    check = await ReplacementRooms(client, sleep=no_wait).check(CheckReplacement(OLD, NEW, "test"))  # type: ignore[arg-type]
    assert check == ReplacementCheck(joined=True, predecessor="!other:test")
    assert client.calls[-1] == f"leave {NEW}"
    already_in = FakeClient(joins_refused=0, predecessor=None, known_rooms=(NEW,))
    await ReplacementRooms(already_in, sleep=no_wait).check(CheckReplacement(OLD, NEW, "test"))  # type: ignore[arg-type]
    assert not any(call.startswith("leave") for call in already_in.calls)


async def test_a_backroom_the_bot_was_removed_from_is_unlinked_and_the_dialogue_goes_on(followed):
    async with followed.db.transaction() as tx:
        await tx.backrooms.link(OLD, BACKROOM, NOW)
    kicked = replace(member(MODERATOR, "leave"), room_id=BACKROOM)
    await followed.handle(kicked)
    async with followed.db.transaction() as tx:
        assert await tx.backrooms.backroom_of(OLD) is None
        dialogue = await tx.dialogues.get(1)
        assert dialogue is not None and dialogue.state == "active"


async def test_once_invited_the_first_event_in_the_new_room_completes_the_move_and_counts_in_the_dialogue(unjoinable):
    await unjoinable.handle(tombstone())
    assert await unjoinable.dialogue_room() == OLD
    await unjoinable.outbox()
    unjoinable.answer.append(ReplacementCheck(joined=True, predecessor=OLD))  # invited, and the bot joined

    first = event(NEW, ALICE, "m.room.message", {"msgtype": "m.text", "body": "Transfers erode the norm."})
    await unjoinable.handle(first, snapshot(NEW))
    assert await unjoinable.dialogue_room() == NEW
    rows = await unjoinable.outbox()
    assert "continues here" in body(rows[0])
    async with unjoinable.db.transaction() as tx:
        assert len(await tx.contributions.for_dialogue(1)) == 1  # the message that brought the dialogue counts

    later = event(NEW, ALICE, "m.room.member", {"membership": "join"}, state_key=ALICE)
    asked = len(unjoinable.asked)
    await unjoinable.handle(later, snapshot(NEW))
    assert len(unjoinable.asked) == asked  # nothing awaited any more: the homeserver is not asked again


# ------------------------------------------------------------------ the command line's end and adopt


async def test_the_cli_end_closes_open_challenges(tmp_path: Path, capsys):
    from bot import exit_codes
    from bot.offline import _end

    db = await Database.open(tmp_path / "bot.db")
    try:
        async with db.transaction() as tx:
            dialogue = await tx.dialogues.create(OLD, "Norms", b"s" * 32, NOW)
            challenge = await tx.challenges.add(dialogue.id, "A", "a?")
            await tx.challenges.open(challenge.id, "txn", NOW)
            assert await _end(tx, dialogue) == exit_codes.OK
            ended = await tx.dialogues.get(dialogue.id)
            assert ended is not None and ended.state == "ended"
            assert await tx.challenges.open_in_dialogue(dialogue.id) == []
    finally:
        await db.close()
    assert "ended: dialogue 1 takes no more contributions" in capsys.readouterr().out


async def test_the_cli_adopt_refuses_a_purged_dialogue(tmp_path: Path):
    from bot import exit_codes
    from bot.offline import _refusal
    from handlers.access import Action

    db = await Database.open(tmp_path / "bot.db")
    try:
        async with db.transaction() as tx:
            dialogue = await tx.dialogues.create(OLD, "Norms", b"s" * 32, NOW)
            await tx.synopses.adopt(dialogue.id, NOW, b"md", b"docx", b"json")
            await tx.dialogues.end(dialogue.id, NOW)
            await tx.synopses.purge(dialogue.id, NOW)
            assert await _refusal(tx, dialogue.id, Action.ADOPT) == exit_codes.REFUSED
            adopted = await tx.synopses.adopted(dialogue.id)
            assert adopted is not None and adopted.markdown == b"md"  # the adopted synopsis is never replaced
    finally:
        await db.close()
