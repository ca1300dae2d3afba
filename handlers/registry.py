"""The bot's command table, in one explicit list."""

from __future__ import annotations

from handlers import arguments, builtin, schedule_commands
from handlers import dialogue_commands as dialogue
from handlers import synopsis_commands as synopsis
from handlers.commands import Command, CommandRegistry, Permission, rest_of_line

MODERATOR = Permission.MODERATOR


def build_registry() -> CommandRegistry:
    return CommandRegistry(
        [
            Command(
                name="help",
                arguments="[command]",
                summary="lists the commands, or explains one",
                handler=builtin.show_help,
                parse=builtin.parse_help_topic,
            ),
            Command(
                name="start",
                arguments="<title>",
                summary="starts a dialogue in this room and posts the ground rules (the Chatham House Rule)",
                handler=dialogue.start,
                permission=MODERATOR,
                parse=arguments.dialogue_title,
            ),
            Command(
                name="challenge add",
                arguments="<title> ; <prompt>",
                summary="adds a challenge to the agenda and tells its number",
                handler=dialogue.challenge_add,
                permission=MODERATOR,
                parse=arguments.title_and_prompt,
            ),
            Command(
                name="challenge edit",
                arguments="<n> <title> ; <prompt>",
                summary="changes challenge n while it has not been opened",
                handler=dialogue.challenge_edit,
                permission=MODERATOR,
                parse=arguments.number_title_and_prompt,
            ),
            Command(
                name="challenge remove",
                arguments="<n> [--force]",
                summary="removes challenge n; once it has contributions only with --force",
                handler=dialogue.challenge_remove,
                permission=MODERATOR,
                parse=arguments.remove_challenge,
            ),
            Command(
                name="agenda",
                summary="lists the challenges, their state, and participation as a band once enough people took part",
                handler=dialogue.agenda,
            ),
            Command(
                name="open",
                arguments="<n>",
                summary="posts challenge n's prompt (reply in its thread to contribute) and accepts contributions",
                handler=dialogue.open_challenge,
                permission=MODERATOR,
                parse=arguments.challenge_number,
            ),
            Command(
                name="close",
                arguments="<n>",
                summary="stops accepting contributions to challenge n and says so in its thread",
                handler=dialogue.close_challenge,
                permission=MODERATOR,
                parse=arguments.challenge_number,
            ),
            Command(
                name="schedule",
                arguments="[<n> <when> [for <duration>]]",
                summary="opens challenge n at a time (e.g. 2026-12-01 10:00, in 10m, tomorrow 09:30) and closes it "
                "after the duration (e.g. 45m, 1h30m); alone, lists what is scheduled",
                handler=schedule_commands.schedule,
                permission=MODERATOR,
                parse=schedule_commands.schedule_arguments,
            ),
            Command(
                name="unschedule",
                arguments="<n>",
                summary="cancels challenge n's scheduled opening",
                handler=schedule_commands.unschedule,
                permission=MODERATOR,
                parse=arguments.challenge_number,
            ),
            Command(
                name="timezone",
                arguments="<IANA name>",
                summary="sets the dialogue's time zone (e.g. Europe/Zurich), used to read and show times",
                handler=schedule_commands.set_timezone,
                permission=MODERATOR,
                parse=schedule_commands.timezone_argument,
            ),
            Command(
                name="reminder",
                arguments="<duration>|off",
                summary="how long before a scheduled close to post a reminder in the challenge's thread (default 10m)",
                handler=schedule_commands.set_reminder,
                permission=MODERATOR,
                parse=schedule_commands.reminder_argument,
            ),
            Command(
                name="digest",
                arguments="<HH:MM>|off",
                summary="a daily direct message to each moderator at that local time: open challenges and "
                "participation bands, never names",
                handler=schedule_commands.set_digest,
                permission=MODERATOR,
                parse=schedule_commands.digest_argument,
            ),
            Command(
                name="status",
                summary="shows the dialogue's title and which challenges are open",
                handler=dialogue.status,
            ),
            Command(
                name="roster set",
                arguments="<user> <affiliation> [| <alias>, <alias>…] [; <category>]",
                summary="records a participant's affiliation (and other ways people write it) and stakeholder "
                "category, used only to scrub text and for anonymous category bands; never shown back",
                handler=dialogue.roster_set,
                permission=MODERATOR,
                parse=arguments.roster_entry,
            ),
            Command(
                name="roster import",
                summary="sent as a reply to a CSV file (user, affiliation, category, aliases): records many "
                "participants",
                handler=dialogue.roster_import,
                permission=MODERATOR,
            ),
            Command(
                name="contributions",
                arguments="<n>",
                summary="lists challenge n's contributions as stored (scrubbed), with their references",
                handler=dialogue.list_contributions,
                permission=MODERATOR,
                parse=arguments.challenge_number,
            ),
            Command(
                name="withdraw",
                summary="sent as a reply to one of your contributions: removes it",
                handler=dialogue.withdraw,
            ),
            Command(
                name="forget-me",
                arguments="[confirm]",
                summary="removes all your contributions and support in this dialogue (asks for confirmation)",
                handler=dialogue.forget_me,
                parse=arguments.optional_confirm,
            ),
            Command(
                name="remove",
                arguments="<ref>",
                summary="removes a contribution by its reference (see contributions)",
                handler=dialogue.remove_contribution,
                permission=MODERATOR,
                parse=arguments.contribution_ref,
            ),
            Command(
                name="end",
                summary="ends the dialogue: all challenges close, no more contributions",
                handler=dialogue.end,
                permission=MODERATOR,
            ),
            Command(
                name="themes",
                arguments="<n>",
                summary="lists the draft synopsis's themes for challenge n, with their contributions' references",
                handler=synopsis.themes,
                permission=MODERATOR,
                parse=arguments.challenge_number,
            ),
            Command(
                name="merge",
                arguments="<n> <theme> <theme>",
                summary="joins two of challenge n's themes (the correction survives recompilation)",
                handler=synopsis.merge,
                permission=MODERATOR,
                parse=synopsis.merge_arguments,
            ),
            Command(
                name="move",
                arguments="<ref> <theme>|new",
                summary="moves one contribution to another theme of its challenge, or to a theme of its own",
                handler=synopsis.move,
                permission=MODERATOR,
                parse=synopsis.move_arguments,
            ),
            Command(
                name="exclude",
                arguments="<ref>",
                summary="leaves a contribution out of the synopsis",
                handler=synopsis.exclude,
                permission=MODERATOR,
                parse=arguments.contribution_ref,
            ),
            Command(
                name="include",
                arguments="<ref>",
                summary="puts an excluded contribution back into the synopsis",
                handler=synopsis.include,
                permission=MODERATOR,
                parse=arguments.contribution_ref,
            ),
            Command(
                name="way-forward",
                arguments="<ref> [off]",
                summary="lists a contribution under III. Suggested ways forward (off: no longer)",
                handler=synopsis.way_forward,
                permission=MODERATOR,
                parse=synopsis.forward_arguments,
            ),
            Command(
                name="synopsis",
                arguments="[<dialogue>] [md|docx|json]",
                summary="posts the draft synopsis as a file (Markdown by default); the secretariat can name any "
                "dialogue, also in a direct message",
                handler=synopsis.send_synopsis,
                permission=Permission.ISU,
                parse=synopsis.synopsis_arguments,
            ),
            Command(
                name="dialogues",
                summary="lists the dialogues whose synopsis you may pull",
                handler=synopsis.list_dialogues,
                permission=Permission.ISU,
            ),
            Command(
                name="adopt",
                summary="stores the current draft as the adopted synopsis",
                handler=synopsis.adopt,
                permission=MODERATOR,
            ),
            Command(
                name="purge",
                arguments="[confirm]",
                summary="after the end and adoption: deletes contributions, support, roster and the secret, keeping "
                "only the adopted synopsis (asks for confirmation)",
                handler=synopsis.purge,
                permission=MODERATOR,
                parse=arguments.optional_confirm,
            ),
            Command(
                name="ping",
                summary="checks that the bot is listening",
                handler=builtin.ping,
                # Anything after `ping` is ignored, so a client's autocompletion cannot turn it into a usage error.
                parse=rest_of_line,
            ),
            Command(
                name="health",
                summary="shows the bot's version, uptime, encryption and queue sizes",
                handler=builtin.health,
                permission=MODERATOR,
            ),
        ]
    )
