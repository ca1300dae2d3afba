"""The harness itself, proven against the real Synapse (no bot involved)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tomllib
from pathlib import Path

import nio
import pytest

from tests.conftest import BotFactory, MakeUser
from tests.support import BotProcessError, is_text

pytestmark = pytest.mark.integration


async def test_plain_room_message(make_user: MakeUser) -> None:
    alice = await make_user("alice")
    bob = await make_user("bob")

    room_id = await alice.create_room(encrypted=False, invite=[bob.user_id])
    await alice.wait_for_membership(room_id, bob.user_id)
    await alice.send_text(room_id, "hello bob")

    event = await bob.wait_for(room_id, is_text("hello bob", sender=alice.user_id), description="alice's hello")
    assert isinstance(event, nio.RoomMessageText)
    assert not event.decrypted


async def test_encrypted_room_message_is_decrypted(make_user: MakeUser) -> None:
    alice = await make_user("alice")
    bob = await make_user("bob")

    room_id = await alice.create_room(encrypted=True, invite=[bob.user_id])
    await alice.wait_for_membership(room_id, bob.user_id)
    await alice.send_text(room_id, "secret hello")

    event = await bob.wait_for(room_id, is_text("secret hello"), description="decrypted hello")
    assert isinstance(event, nio.RoomMessageText), type(event)
    assert event.decrypted
    assert event.sender == alice.user_id
    # Nothing in Bob's view of the room stayed undecryptable.
    assert not [e for e in bob.events(room_id) if isinstance(e, nio.MegolmEvent)]

    # And the other direction, which needs Bob to share a session with Alice's device.
    await bob.send_text(room_id, "secret reply")
    reply = await alice.wait_for(room_id, is_text("secret reply"), description="decrypted reply")
    assert isinstance(reply, nio.RoomMessageText)
    assert reply.decrypted


async def test_rc_message_is_left_at_synapse_default(make_user: MakeUser) -> None:
    limited = await make_user("limited", exempt=False)
    room_id = await limited.create_room(encrypted=False)

    # Synapse's default rc_message is 0.2/s with a burst of 10 (room creation already used one):
    # 15 sends at once must trip it. Sent concurrently because Synapse holds every 429 for 0.5 s.
    # Raw nio responses: the harness client never retries 429s (max_limit_exceeded=0).
    responses = await asyncio.gather(
        *(
            limited.client.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": f"spam {i}"})
            for i in range(15)
        )
    )

    sent = [r for r in responses if isinstance(r, nio.RoomSendResponse)]
    rejected = [r for r in responses if isinstance(r, nio.RoomSendError)]
    assert len(sent) + len(rejected) == 15
    assert rejected, "no send was rate limited: rc_message must stay at Synapse's default"
    assert all(r.status_code == "M_LIMIT_EXCEEDED" for r in rejected), rejected
    assert all((r.retry_after_ms or 0) > 0 for r in rejected)
    assert 1 <= len(sent) <= 10, f"{len(sent)} sends got through a burst limit of 10"


async def test_exempt_user_is_not_rate_limited(make_user: MakeUser) -> None:
    fast = await make_user("fast")
    room_id = await fast.create_room(encrypted=False)
    for i in range(15):
        await fast.send_text(room_id, f"burst {i}")
    await fast.wait_for_count(room_id, is_text(contains="burst "), 15, description="own burst")


async def test_new_rooms_use_room_version_12(make_user: MakeUser) -> None:
    alice = await make_user("alice")
    room_id = await alice.create_room(encrypted=True)

    resp = await alice.client.room_get_state_event(room_id, "m.room.create")
    assert isinstance(resp, nio.RoomGetStateEventResponse), resp
    assert resp.content["room_version"] == "12"


# A stand-in for the not-yet-written bot: honours the same CLI/config contract (reads the TOML,
# the 0600 password file, logs in, joins the room it is told to) so BotProcess is proven end to end.
_STAND_IN_BOT = r"""
import json, os, signal, sys, tomllib, urllib.parse, urllib.request

config_path = sys.argv[sys.argv.index("--config") + 1]
assert sys.argv[1] == "run", sys.argv
with open(config_path, "rb") as fh:
    config = tomllib.load(fh)
matrix = config["matrix"]
assert os.stat(matrix["password_file"]).st_mode & 0o777 == 0o600
with open(matrix["password_file"]) as fh:
    password = fh.read().strip()

def call(method, path, body, token=None):
    req = urllib.request.Request(matrix["homeserver"] + path, json.dumps(body).encode(), method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as resp:
        return json.load(resp)

login = {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": matrix["user_id"]}}
token = call("POST", "/_matrix/client/v3/login", {**login, "password": password})["access_token"]
if config["stand_in"]["ignore_sigterm"]:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
else:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
room = urllib.parse.quote(config["stand_in"]["join"], safe="")
call("POST", "/_matrix/client/v3/join/" + room, {}, token)
print("stand-in joined", config["stand_in"]["join"], "log level", config["logging"]["level"])
while True:
    signal.pause()
"""


@pytest.mark.parametrize("ignore_sigterm", [False, True], ids=["graceful", "hangs"])
async def test_bot_process_lifecycle_with_stand_in(
    make_user: MakeUser, bot_factory: BotFactory, tmp_path: Path, ignore_sigterm: bool
) -> None:
    script = tmp_path / "stand_in_bot.py"
    script.write_text(_STAND_IN_BOT)
    alice = await make_user("alice")
    room_id = await alice.create_room(encrypted=False)

    bot = await bot_factory(
        start=False,
        extra_config={"stand_in": {"join": room_id, "ignore_sigterm": ignore_sigterm}, "logging": {"level": "DEBUG"}},
    )
    bot.command_prefix = [sys.executable, str(script)]
    assert tomllib.loads(bot.config_path.read_text())["bot"]["allowed_inviters"] == ["localhost"]
    await alice.invite(room_id, bot.user_id)
    await bot.start()

    await alice.wait_for_membership(room_id, bot.user_id, "join")
    assert bot.is_running()
    pgid = bot.pid
    assert pgid is not None

    if ignore_sigterm:
        with pytest.raises(BotProcessError, match="did not exit within 1s"):
            await bot.stop(timeout=1)
        assert bot.returncode == -signal.SIGKILL
    else:
        assert await bot.stop() == 0
    assert not bot.is_running()
    with pytest.raises(ProcessLookupError):
        os.killpg(pgid, 0)  # nothing left in its process group
    assert f"stand-in joined {room_id} log level DEBUG" in bot.log_text()
