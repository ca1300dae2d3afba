"""The ground rules the bot posts when a dialogue starts, and shows people who join later."""

from __future__ import annotations

from handlers.replies import Reply

CHATHAM_HOUSE_RULE = (
    "When a meeting, or part thereof, is held under the Chatham House Rule, participants are free to use the "
    "information received, but neither the identity nor the affiliation of the speaker(s), nor that of any other "
    "participant, may be revealed."
)


def ground_rules(title: str, prefix: str) -> Reply:
    lines = [
        f"Dialogue started: {title}",
        "",
        "This dialogue is held under the Chatham House Rule:",
        f"“{CHATHAM_HOUSE_RULE}”",
        "",
        "What the bot records: the text of your contributions to each challenge, after replacing names, Matrix "
        "IDs, e-mail addresses, phone numbers and the affiliations on the roster with neutral placeholders; when "
        "each was made; and 👍 support. It never stores your name or Matrix ID next to a contribution, only a "
        "pseudonymous key that lets you edit or withdraw what you wrote.",
        "What leaves the room: a draft synopsis of considerations and concerns, which attributes nothing to "
        'anyone. Counts appear only as bands ("a few", "several", "many"), and only when enough different '
        "people stand behind them.",
        "",
        "How to contribute: reply in the thread of an open challenge, write in the room while exactly one "
        "challenge is open, or send the bot a direct message. Edit or delete your message as usual; "
        f"{prefix} withdraw (as a reply to your contribution) removes it; {prefix} forget-me removes all of "
        f"yours. {prefix} agenda shows the challenges.",
    ]
    text = "\n".join(lines)
    return Reply(text=text)


def welcome_for_late_joiners(title: str, prefix: str) -> Reply:
    """Sent by direct message to someone who joins the dialogue's room after it started (once per person)."""
    text = (
        f"Welcome. The room you joined is running a dialogue, “{title}”, under the Chatham House Rule: "
        f"“{CHATHAM_HOUSE_RULE}” Contributions are recorded without names or Matrix IDs, and the synopsis "
        f"attributes nothing to anyone. In that room, {prefix} agenda shows the challenges and {prefix} help lists the "
        "commands."
    )
    return Reply(text=text)
