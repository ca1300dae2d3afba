"""The ground rules the bot posts when a dialogue starts, and shows people who join later."""

from __future__ import annotations

from handlers.replies import Reply
from i18n import bot_marked, bot_text

CHATHAM_HOUSE_RULE = bot_marked(
    "When a meeting, or part thereof, is held under the Chatham House Rule, participants are free to use the "
    "information received, but neither the identity nor the affiliation of the speaker(s), nor that of any other "
    "participant, may be revealed."
)


def ground_rules(title: str, prefix: str, language: str | None = None) -> Reply:
    """Posted in the dialogue's room, in the dialogue's language."""
    lines = [
        bot_text(language, "Dialogue started: {title}", title=title),
        "",
        bot_text(language, "This dialogue is held under the Chatham House Rule:"),
        f"“{bot_text(language, CHATHAM_HOUSE_RULE)}”",
        "",
        bot_text(
            language,
            "What the bot records: the text of your contributions to each challenge, after replacing names, Matrix "
            "IDs, e-mail addresses, phone numbers and the affiliations on the roster with neutral placeholders; when "
            "each was made; and 👍 support. It never stores your name or Matrix ID next to a contribution, only a "
            "pseudonymous key that lets you edit or withdraw what you wrote.",
        ),
        bot_text(
            language,
            "What leaves the room: a draft synopsis of considerations and concerns, which attributes nothing to "
            'anyone. Counts appear only as bands ("a few", "several", "many"), and only when enough different '
            "people stand behind them.",
        ),
        "",
        bot_text(
            language,
            "How to contribute: reply in the thread of an open challenge, write in the room while exactly one "
            "challenge is open, or send the bot a direct message. Edit or delete your message as usual; "
            "{withdraw} (as a reply to your contribution) removes it; {forget_me} removes all of yours. "
            "{agenda} shows the challenges.",
            withdraw=f"{prefix} withdraw",
            forget_me=f"{prefix} forget-me",
            agenda=f"{prefix} agenda",
        ),
    ]
    text = "\n".join(lines)
    return Reply(text=text)


def welcome_for_late_joiners(title: str, prefix: str, language: str | None = None) -> Reply:
    """Sent by direct message to someone who joins the dialogue's room after it started (once per person)."""
    text = bot_text(
        language,
        "Welcome. The room you joined is running a dialogue, “{title}”, under the Chatham House Rule: “{rule}” "
        "Contributions are recorded without names or Matrix IDs, and the synopsis attributes nothing to anyone. In "
        "that room, {agenda} shows the challenges and {help} lists the commands.",
        title=title,
        rule=bot_text(language, CHATHAM_HOUSE_RULE),
        agenda=f"{prefix} agenda",
        help=f"{prefix} help",
    )
    return Reply(text=text)
