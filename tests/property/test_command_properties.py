"""`/qotd` and `/qotd schedule` parsing on any input (SPEC §6.7): never raises, unknown input
becomes help with the problem named, and whatever is said back fits Slack and carries no markup
the person typed."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.domain import commands as cmd
from bot.domain import schedule as sched
from bot.slack import blocks
from tests.blockkit import assert_valid_message
from tests.property.strategies import FAST, NASTY_PIECES, SLOW, pieces, text

COMMAND_TYPES = cmd.Command.__args__  # type: ignore[attr-defined]

# A subcommand followed by anything: reaches every argument parser, not just "unknown".
subcommand_lines = st.builds(
    lambda name, rest: f"{name} {rest}",
    st.sampled_from((*cmd.SUBCOMMANDS, "HELP", "Now", "sched", "forget_me", "")),
    st.lists(pieces, max_size=6).map(" ".join),
)
schedule_args = st.one_of(
    text,
    st.lists(
        st.one_of(
            st.sampled_from(
                ("weekdays", "daily", "mon,wed,fri", "mon-fri", "sat", "9", "9am", "09:30",
                 "25:00", "17:61", "Europe/Paris", "europe/paris", "America/New_York", "UTC",
                 "Mars/Olympus", "off", "at", "every", ",", "-", "pm", "12:00pm")
            ),
            st.sampled_from(NASTY_PIECES),
        ),
        max_size=6,
    ).map(" ".join),
)  # fmt: skip


@FAST
@given(line=st.one_of(text, subcommand_lines))
def test_any_command_line_parses_to_a_command_and_help_fits_slack(line: str) -> None:
    parsed = cmd.parse(line)
    assert isinstance(parsed, COMMAND_TYPES)
    first = line.split()[0].lower() if line.split() else ""
    if first and first.isprintable() and first not in cmd.SUBCOMMANDS:
        assert isinstance(parsed, cmd.Help)
        assert parsed.problem
    if isinstance(parsed, cmd.Help):
        message = blocks.help_message(parsed.problem)
        assert_valid_message(message.text, message.blocks)
    if isinstance(parsed, cmd.Schedule):
        assert parsed.args.strip()


@SLOW  # each unknown zone is compared with every IANA name
@given(args=schedule_args, default_tz=st.sampled_from((None, "UTC", "Europe/Paris", "Nope/Nope")))
def test_any_schedule_parses_to_a_schedule_or_a_message_that_fits_slack(
    args: str, default_tz: str | None
) -> None:
    parsed = sched.parse_schedule(args, default_tz)
    if isinstance(parsed, str):
        assert parsed.strip()
        message = blocks.notice(parsed, trusted=True)  # as the slash command shows it
        assert_valid_message(message.text, message.blocks)
    elif isinstance(parsed, sched.Schedule):
        assert parsed.days
        assert parsed.days <= set(range(7))
        assert isinstance(parsed.at, time)
        ZoneInfo(parsed.timezone)
        assert parsed.describe()
    else:
        assert isinstance(parsed, sched.ScheduleOff)


@FAST
@given(arg=st.one_of(text, st.from_regex(r"\+?\d{1,4}[hH]?|\d{1,3}:\d{1,3}", fullmatch=True)))
def test_any_close_argument_is_a_close_or_a_message_that_fits_slack(arg: str) -> None:
    parsed = cmd.parse_close(arg)
    if isinstance(parsed, str):
        message = blocks.help_message(parsed)
        assert_valid_message(message.text, message.blocks)
    else:
        assert (parsed.at is None) != (parsed.after_minutes is None)
        assert parsed.after_minutes is None or 60 <= parsed.after_minutes <= 72 * 60
