"""`dialogue-bot demo`: a throwaway Synapse, the bot and a scripted stakeholder dialogue, ending in a draft synopsis."""

from __future__ import annotations

__all__ = ["main"]


def main(out: str = "./demo-output", *, keep: bool = False, data_dir: str | None = None, quick: bool = False) -> int:
    from demo.runner import run

    return run(out=out, keep=keep, data_dir=data_dir, quick=quick)
