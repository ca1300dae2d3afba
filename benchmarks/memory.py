"""The running bot's resident memory, idle in 100 rooms before and after one demo dialogue, and its start time.

Run: .venv/bin/python benchmarks/memory.py [--rooms N]

Starts a throwaway Synapse and the bot as a process (through demo/runner.py, so the bot is configured as in the
demo), has the moderator invite it into N rooms (100 by default) and waits for it to join them all, then reads its
resident set (VmRSS of the bot's process plus any children it has then) once it has been idle for a few seconds.
It then restarts the bot with a `!dialogue ping` waiting in one room and prints how long the new process took to
answer it (start to first sync, handled and answered). Last it plays the quick demo dialogue in another room
(challenges, contributions, a consensus round, `themes`, the synopsis pulled in md, docx and json), waits for the bot
to go idle (and its compile worker, bot/compile_worker.py, to exit) and reads it again.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demo.runner import Demo, _stop_bot, body_of, is_reply_from
from devserver.synapse import spawn_process_group

IDLE_SECONDS = 8.0  # how long the bot is left alone before its memory is read (sync settles, outbox drains)
CHILD_GONE_TIMEOUT = 300.0  # the compile's child exits after two idle minutes (bot/compile_worker.py)


def children_of(pid: int) -> list[int]:
    """The children of every thread of `pid` (the compile worker is started from a worker thread)."""
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in children.read_text().split()]
        except FileNotFoundError:
            continue
    return found


def rss_mib(pid: int) -> float:
    """VmRSS of `pid` and of its children, in MiB (a compile worker counts while it lives)."""
    total = 0
    for one in [pid, *children_of(pid)]:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


def own_rss_mib(pid: int) -> float:
    return float(Path(f"/proc/{pid}/status").read_text().split("VmRSS:")[1].split()[0]) / 1024


def compile_children(pid: int) -> list[int]:
    """The bot's children that are compile workers (multiprocessing's resource tracker is not one)."""
    found = []
    for child in children_of(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"spawn_main" in command:
            found.append(int(child))
    return found


async def idle_rss(pid: int) -> tuple[float, float]:
    """The bot's RSS (alone, and with its children) once idle, and once no compile worker is alive."""
    await asyncio.sleep(IDLE_SECONDS)
    if compile_children(pid):
        print(f"  (while the compile worker lives: {own_rss_mib(pid):.0f} MiB, with children {rss_mib(pid):.0f} MiB)")
    waited = time.monotonic()
    for _ in range(int(CHILD_GONE_TIMEOUT)):  # polling another process's children: there is no event to await
        if not compile_children(pid):
            break
        await asyncio.sleep(1)
    if compile_children(pid):
        print(f"  (a compile worker is still alive after {CHILD_GONE_TIMEOUT:.0f}s)")
    elif time.monotonic() - waited > 1:
        print(f"  (waited {time.monotonic() - waited:.0f}s for the compile worker to exit)")
    return own_rss_mib(pid), rss_mib(pid)


async def invite_into_rooms(demo: Demo, count: int) -> list[str]:
    mod = demo.moderator
    assert mod is not None
    rooms = [await mod.create_room(encrypted=True, name=f"Room {n}") for n in range(count)]
    for start in range(0, count, 20):
        batch = rooms[start : start + 20]
        await asyncio.gather(*(mod.invite(room, demo.bot_id) for room in batch))
        await asyncio.gather(*(mod.wait_for_membership(room, demo.bot_id, "join", timeout=120) for room in batch))
    return rooms


async def play_dialogue(demo: Demo) -> None:
    """The quick demo's dialogue (demo/runner.py `play`, after the servers and log-ins)."""
    await demo.create_room()
    await demo.start_dialogue()
    await demo.add_headings()
    root = await demo.open_challenge(1)
    sent = await demo.contributions(1, root)
    await demo.challenge_one_extras(root, sent)
    await demo._close_one()
    await demo.consensus_round()
    await demo._challenge_two()
    await demo.secretariat_wording()
    await demo._plain_challenge(3)
    await demo._scheduled_challenge(4)
    await demo.consensus_closed()
    await demo.pull_synopsis()


async def restart_and_ping(demo: Demo, room: str) -> tuple[float, int]:
    """Stop the bot, leave a ping in `room`, start it again: seconds until the ping is answered, and the new pid."""
    proc = demo.bot_proc
    assert proc is not None
    await asyncio.to_thread(_stop_bot, proc)
    mod = demo.moderator
    assert mod is not None
    asked = await mod.send_text(room, "!dialogue ping")
    bot_dir = demo.bot_log.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIALOGUE_BOT_")}
    env["PYTHONUNBUFFERED"] = "1"
    cmd = [sys.executable, "-m", "bot", "run", "--config", str(bot_dir / "config.toml")]
    started = time.monotonic()
    demo.bot_proc = spawn_process_group(cmd, cwd=bot_dir, log_file=demo.bot_log, env=env)
    reply = await mod.wait_for(room, is_reply_from(demo.bot_id, asked), description="ping", timeout=120)
    assert body_of(reply), "empty answer to ping"
    return time.monotonic() - started, demo.bot_proc.pid


async def main(rooms: int) -> None:
    with tempfile.TemporaryDirectory(prefix="memory-bench-") as tmp:
        demo = Demo(Path(tmp) / "out", Path(tmp), quick=True, keep=False)
        try:
            await demo.start_servers()
            await demo.log_in()
            assert demo.bot_proc is not None
            pid = demo.bot_proc.pid
            started = time.monotonic()
            joined = await invite_into_rooms(demo, rooms)
            print(f"bot joined {rooms} rooms in {time.monotonic() - started:.1f}s")
            own, total = await idle_rss(pid)
            print(f"idle in {rooms} rooms, before any dialogue: RSS {own:.0f} MiB (with children {total:.0f} MiB)")
            # The restart also starts a fresh compile worker, so the dialogue's first `themes` finds it warm (one
            # started later would have to import the synopsis stack first, and `themes` would answer with the
            # "Compiling…" notice, which the demo's script does not expect).
            answered, pid = await restart_and_ping(demo, joined[0])
            print(f"restart: a waiting ping answered {answered:.2f}s after the process was spawned")
            started = time.monotonic()
            await play_dialogue(demo)
            print(f"quick demo dialogue played in {time.monotonic() - started:.1f}s")
            own, total = await idle_rss(pid)
            print(f"idle in {rooms + 2} rooms, after one dialogue: RSS {own:.0f} MiB (with children {total:.0f} MiB)")
        finally:
            await demo.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=100)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    asyncio.run(main(args.rooms))
