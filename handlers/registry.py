"""The bot's command table, in one explicit list."""

from __future__ import annotations

from handlers import (
    agenda_import,
    arguments,
    backroom_commands,
    builtin,
    consensus,
    language_commands,
    schedule_commands,
    web_commands,
)
from handlers import dialogue_commands as dialogue
from handlers import synopsis_commands as synopsis
from handlers import theme_commands as theme
from handlers import wording_commands as wording
from handlers.commands import Command, CommandRegistry, Permission, Sensitivity, rest_of_line
from i18n import bot_marked

MODERATOR = Permission.MODERATOR
WORDING_NAMES_THE_DIALOGUE = bot_marked(
    "Acts on this room's dialogue, or on the one named with dialogue <d> (its number in dialogues): the "
    "secretariat words any dialogue's draft, also in a direct message with the bot; a moderator only their own room's."
)


def build_registry() -> CommandRegistry:
    # A tuple with no declared type, so that the type checker infers each entry's Command[A] on its own and checks its
    # handler against its parser; a list, or any declared Command[Any] context, would make every A Any unchecked.
    commands = (
        Command(
            name="help",
            arguments="[command]",
            summary=bot_marked("lists the commands, or explains one"),
            handler=builtin.show_help,
            parse=builtin.parse_help_topic,
            in_backroom=True,
        ),
        Command(
            name="start",
            arguments="<title>",
            summary=bot_marked("starts a dialogue in this room and posts the ground rules (the Chatham House Rule)"),
            handler=dialogue.start,
            permission=MODERATOR,
            parse=arguments.dialogue_title,
        ),
        Command(
            name="challenge add",
            arguments="<title> ; <prompt>",
            summary=bot_marked("adds a challenge to the agenda and tells its number"),
            handler=dialogue.challenge_add,
            permission=MODERATOR,
            parse=arguments.title_and_prompt,
            in_backroom=True,
        ),
        Command(
            name="agenda import",
            arguments="[outline]",
            summary=bot_marked(
                "sent as a reply to an outline file (.md/.txt), or with the outline on the lines after it: "
                "adds many challenges with their expected themes at once, or none if any line is wrong"
            ),
            details=bot_marked(
                "The outline: a line '# <title>' starts a challenge (a leading '1.' is dropped); the lines "
                "after it are its prompt (required); lines '- <heading>' are its expected themes. Blank lines are "
                "ignored; an indented line continues the heading above. The limits of challenge add and theme add "
                "apply; problems are named by line, counted from the outline's first line."
            ),
            handler=agenda_import.agenda_import,
            permission=MODERATOR,
            parse=agenda_import.outline_text,
            in_backroom=True,
        ),
        Command(
            name="challenge edit",
            arguments="<n> <title> ; <prompt>",
            summary=bot_marked("changes challenge n while it has not been opened"),
            handler=dialogue.challenge_edit,
            permission=MODERATOR,
            parse=arguments.number_title_and_prompt,
            in_backroom=True,
        ),
        Command(
            name="challenge remove",
            arguments="<n> [--force]",
            summary=bot_marked("removes challenge n; once it has contributions only with --force"),
            handler=dialogue.challenge_remove,
            permission=MODERATOR,
            parse=arguments.remove_challenge,
            in_backroom=True,
            changes_agenda=True,
        ),
        Command(
            name="agenda",
            summary=bot_marked(
                "lists the challenges, their state, and participation as a band once enough people took part"
            ),
            handler=dialogue.agenda,
            in_backroom=True,
        ),
        Command(
            name="open",
            arguments="<n>",
            summary=bot_marked(
                "posts challenge n's prompt (reply in its thread to contribute) and accepts contributions"
            ),
            handler=dialogue.open_challenge,
            permission=MODERATOR,
            parse=arguments.challenge_number,
            in_backroom=True,
            changes_agenda=True,
        ),
        Command(
            name="close",
            arguments="<n>",
            summary=bot_marked("stops accepting contributions to challenge n and says so in its thread"),
            handler=dialogue.close_challenge,
            permission=MODERATOR,
            parse=arguments.challenge_number,
            in_backroom=True,
            changes_agenda=True,
        ),
        Command(
            name="schedule",
            arguments="[<n> <when> [for <duration>]]",
            summary=bot_marked(
                "opens challenge n at a time (e.g. 2026-12-01 10:00, in 10m, tomorrow 09:30) and closes it "
                "after the duration (e.g. 45m, 1h30m); alone, lists what is scheduled"
            ),
            handler=schedule_commands.schedule,
            permission=MODERATOR,
            parse=schedule_commands.schedule_arguments,
            in_backroom=True,
            changes_agenda=True,
        ),
        Command(
            name="unschedule",
            arguments="<n>",
            summary=bot_marked("cancels challenge n's scheduled opening"),
            handler=schedule_commands.unschedule,
            permission=MODERATOR,
            parse=arguments.challenge_number,
            in_backroom=True,
            changes_agenda=True,
        ),
        Command(
            name="timezone",
            arguments="<IANA name>",
            summary=bot_marked("sets the dialogue's time zone (e.g. Europe/Zurich), used to read and show times"),
            handler=schedule_commands.set_timezone,
            permission=MODERATOR,
            parse=schedule_commands.timezone_argument,
            in_backroom=True,
            changes_agenda=True,
        ),
        Command(
            name="reminder",
            arguments="<duration>|off",
            summary=bot_marked(
                "how long before a scheduled close to post a reminder in the challenge's thread (default 10m)"
            ),
            handler=schedule_commands.set_reminder,
            permission=MODERATOR,
            parse=schedule_commands.reminder_argument,
            in_backroom=True,
            changes_agenda=True,
        ),
        Command(
            name="digest",
            arguments="<HH:MM>|off",
            summary=bot_marked(
                "a daily direct message to each moderator at that local time: open challenges and "
                "participation bands, never names"
            ),
            handler=schedule_commands.set_digest,
            permission=MODERATOR,
            parse=schedule_commands.digest_argument,
            in_backroom=True,
            changes_agenda=True,
        ),
        Command(
            name="language",
            arguments="[<code>]",
            summary=bot_marked(
                "the language the bot writes this dialogue's messages in (ar, zh, en, fr, ru, es; en by "
                "default); alone, shows it and the choices"
            ),
            handler=language_commands.set_dialogue_language,
            permission=MODERATOR,
            parse=language_commands.language_argument,
            in_backroom=True,
        ),
        Command(
            name="my-language",
            arguments="[<code>|default]",
            summary=bot_marked(
                "the language the bot writes to you in by direct message (ar, zh, en, fr, ru, es; default: "
                "the dialogue's); best sent in a direct message to the bot, answered there"
            ),
            handler=language_commands.set_my_language,
            parse=language_commands.my_language_argument,
            in_backroom=True,
        ),
        Command(
            name="status",
            summary=bot_marked("shows the dialogue's title and which challenges are open"),
            handler=dialogue.status,
            in_backroom=True,
        ),
        Command(
            name="roster set",
            arguments="<user> <affiliation> [| <alias>, <alias>…] [; <category>]",
            summary=bot_marked(
                "records a participant's affiliation (and other ways people write it) and stakeholder "
                "category, used only to scrub text and for anonymous category bands; never shown back"
            ),
            handler=dialogue.roster_set,
            permission=MODERATOR,
            parse=arguments.roster_entry,
            sensitive=Sensitivity.REQUEST,
        ),
        Command(
            name="roster import",
            summary=bot_marked(
                "sent as a reply to a CSV file (user, affiliation, category, aliases): records many participants"
            ),
            handler=dialogue.roster_import,
            permission=MODERATOR,
            sensitive=Sensitivity.REQUEST_WITH_FILE,
        ),
        Command(
            name="contributions",
            arguments="<n>",
            summary=bot_marked("lists challenge n's contributions as stored (scrubbed), with their references"),
            handler=dialogue.list_contributions,
            permission=MODERATOR,
            parse=arguments.challenge_number,
            sensitive=Sensitivity.ANSWER,
        ),
        Command(
            name="withdraw",
            summary=bot_marked("sent as a reply to one of your contributions: removes it"),
            handler=dialogue.withdraw,
        ),
        Command(
            name="forget-me",
            arguments="[confirm]",
            summary=bot_marked("removes all your contributions and support in this dialogue (asks for confirmation)"),
            handler=dialogue.forget_me,
            parse=arguments.optional_confirm,
        ),
        Command(
            name="remove",
            arguments="<ref>",
            summary=bot_marked("removes a contribution by its reference (see contributions)"),
            handler=dialogue.remove_contribution,
            permission=MODERATOR,
            parse=arguments.contribution_ref,
            sensitive=Sensitivity.ANSWER,
        ),
        Command(
            name="end",
            summary=bot_marked("ends the dialogue: all challenges close, no more contributions"),
            handler=dialogue.end,
            permission=MODERATOR,
            in_backroom=True,
            changes_agenda=True,
        ),
        Command(
            name="themes",
            arguments="<n>",
            summary=bot_marked(
                "lists the draft synopsis's themes for challenge n (expected themes first, then the machine's, "
                "with keywords), with their contributions' references and, under a theme the secretariat "
                "re-worded, the wording used"
            ),
            handler=synopsis.themes,
            permission=MODERATOR,
            parse=arguments.challenge_number,
            sensitive=Sensitivity.ANSWER,
        ),
        Command(
            name="theme add",
            arguments="<n> <heading>",
            summary=bot_marked(
                "gives challenge n an expected theme: contributions close to it are listed under it in the "
                "draft, the rest is grouped by machine"
            ),
            handler=theme.theme_add,
            permission=MODERATOR,
            parse=theme.add_arguments,
            sensitive=Sensitivity.ANSWER,
        ),
        Command(
            name="theme edit",
            arguments="<n> <heading number> <heading>",
            summary=bot_marked("rewords one of challenge n's expected themes"),
            handler=theme.theme_edit,
            permission=MODERATOR,
            parse=theme.edit_arguments,
            sensitive=Sensitivity.ANSWER,
        ),
        Command(
            name="theme remove",
            arguments="<n> <heading number>",
            summary=bot_marked("removes one of challenge n's expected themes (those after it move up)"),
            handler=theme.theme_remove,
            permission=MODERATOR,
            parse=theme.ref_arguments,
            sensitive=Sensitivity.ANSWER,
        ),
        Command(
            name="theme adopt",
            arguments="<n> <theme>",
            summary=bot_marked(
                "makes one of the machine's themes of challenge n (numbered as in themes) an expected theme, "
                "worded by its keywords"
            ),
            handler=theme.theme_adopt,
            permission=MODERATOR,
            parse=theme.ref_arguments,
            sensitive=Sensitivity.ANSWER,
        ),
        Command(
            name="merge",
            arguments="<n> <theme> <theme>",
            summary=bot_marked("joins two of challenge n's themes (the correction survives recompilation)"),
            handler=synopsis.merge,
            permission=MODERATOR,
            parse=synopsis.merge_arguments,
            sensitive=Sensitivity.ANSWER,
        ),
        Command(
            name="move",
            arguments="<ref> <theme>|new",
            summary=bot_marked("moves one contribution to another theme of its challenge, or to a theme of its own"),
            handler=synopsis.move,
            permission=MODERATOR,
            parse=synopsis.move_arguments,
            sensitive=Sensitivity.ANSWER,
        ),
        Command(
            name="exclude",
            arguments="<ref>",
            summary=bot_marked("leaves a contribution out of the synopsis"),
            handler=synopsis.exclude,
            permission=MODERATOR,
            parse=arguments.contribution_ref,
            sensitive=Sensitivity.ANSWER,
        ),
        Command(
            name="include",
            arguments="<ref>",
            summary=bot_marked("puts an excluded contribution back into the synopsis"),
            handler=synopsis.include,
            permission=MODERATOR,
            parse=arguments.contribution_ref,
            sensitive=Sensitivity.ANSWER,
        ),
        Command(
            name="way-forward",
            arguments="[dialogue <d>] <ref> [off] | <n> <text>|clear",
            summary=bot_marked(
                "lists a contribution under III. Suggested ways forward (off: no longer), or adds a way "
                "forward written by the secretariat to challenge n (clear: removes those)"
            ),
            handler=wording.way_forward,
            permission=Permission.ISU,
            details=WORDING_NAMES_THE_DIALOGUE,
            parse=wording.way_forward_arguments,
            sensitive=Sensitivity.ANSWER,
        ),
        Command(
            name="theme wording",
            arguments="[dialogue <d>] <ref> <text>|clear",
            summary=bot_marked(
                "states the theme holding contribution ref (a reference from themes) in the secretariat's "
                "words instead of the machine's (clear: the machine's again)"
            ),
            handler=wording.theme_wording,
            permission=Permission.ISU,
            details=WORDING_NAMES_THE_DIALOGUE,
            parse=wording.theme_wording_arguments,
            sensitive=Sensitivity.ANSWER,
        ),
        Command(
            name="lead",
            arguments="[dialogue <d>] <n> <paragraph>|clear",
            summary=bot_marked(
                "opens challenge n's part of the synopsis with the secretariat's lead paragraph (clear: none)"
            ),
            handler=wording.lead,
            permission=Permission.ISU,
            details=WORDING_NAMES_THE_DIALOGUE,
            parse=wording.challenge_text_arguments,
            sensitive=Sensitivity.ANSWER,
        ),
        Command(
            name="consensus",
            arguments="<n> [for <duration>]",
            summary=bot_marked(
                "after challenge n closed: sends each participant its theme statements by direct message to "
                "answer 👍 agree, 👎 disagree or ➖ pass within the duration (default 1h); the draft marks each "
                "theme once enough people answered, never showing anyone's answer"
            ),
            handler=consensus.open_round,
            permission=MODERATOR,
            parse=consensus.consensus_arguments,
            in_backroom=True,
            changes_agenda=True,
        ),
        Command(
            name="synopsis",
            arguments="[<dialogue>] [adopted] [md|docx|json] [en|fr|es]",
            summary=bot_marked(
                "posts the draft synopsis as a file (Markdown by default; the adopted one with adopted, or "
                "once purged), written in the dialogue's language unless en, fr or es is given; the secretariat "
                "can name any dialogue, also in a direct message"
            ),
            handler=synopsis.send_synopsis,
            permission=Permission.ISU,
            parse=synopsis.synopsis_arguments,
            sensitive=Sensitivity.ANSWER,
        ),
        Command(
            name="dialogues",
            summary=bot_marked("lists the dialogues whose synopsis you may pull"),
            handler=synopsis.list_dialogues,
            permission=Permission.ISU,
            in_backroom=True,
        ),
        Command(
            name="web",
            arguments="[<dialogue>]",
            summary=bot_marked(
                "the secretariat only: sends you by direct message a link, valid for a while, to a read-only web "
                "view of the dialogue's draft synopsis (this room's, or the one named)"
            ),
            handler=web_commands.web_link,
            permission=Permission.ISU,
            parse=web_commands.web_arguments,
            in_backroom=True,
        ),
        Command(
            name="adopt",
            summary=bot_marked("stores the current draft as the adopted synopsis"),
            handler=synopsis.adopt,
            permission=MODERATOR,
            in_backroom=True,
        ),
        Command(
            name="purge",
            arguments="[confirm]",
            summary=bot_marked(
                "after the end and adoption: deletes contributions, support, roster and the secret, keeping "
                "only the adopted synopsis (asks for confirmation)"
            ),
            handler=synopsis.purge,
            permission=MODERATOR,
            parse=arguments.optional_confirm,
            in_backroom=True,
        ),
        Command(
            name="backroom",
            summary=bot_marked(
                "shows whether this dialogue room has a moderators' back-room, or which room this back-room serves"
            ),
            handler=backroom_commands.status,
            permission=MODERATOR,
            in_backroom=True,
        ),
        Command(
            name="backroom link",
            arguments="<dialogue room ID>",
            summary=bot_marked(
                "sent in a private room of moderators: makes it the dialogue room's back-room, where the "
                "roster, contributions, themes, curation and synopsis files are handled (you must moderate "
                "both rooms)"
            ),
            handler=backroom_commands.link,
            permission=MODERATOR,
            parse=backroom_commands.room_id_argument,
            in_backroom=True,
        ),
        Command(
            name="backroom unlink",
            summary=bot_marked("ends the link between a dialogue room and its back-room (in either room)"),
            handler=backroom_commands.unlink,
            permission=MODERATOR,
            in_backroom=True,
        ),
        Command(
            name="ping",
            summary=bot_marked("checks that the bot is listening"),
            handler=builtin.ping,
            # Anything after `ping` is ignored, so a client's autocompletion cannot turn it into a usage error.
            parse=rest_of_line,
            in_backroom=True,
        ),
        Command(
            name="health",
            summary=bot_marked("shows the bot's version, uptime, encryption and queue sizes"),
            handler=builtin.health,
            permission=MODERATOR,
            in_backroom=True,
        ),
    )
    return CommandRegistry(commands)
