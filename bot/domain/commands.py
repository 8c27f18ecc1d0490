"""Parse the text after `/qotd` into a typed command, or a clear message about what is wrong."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time

SUBCOMMANDS = (
    "help",
    "now",
    "schedule",
    "pause",
    "resume",
    "skip",
    "close",
    "topics",
    "level",
    "leaderboard",
    "teams",
    "stats",
    "practice",
    "reveal",
    "forget-me",
)
LEVEL_CHOICES = ("junior", "mid", "senior", "any")
PERIODS = ("week", "month", "all")
MAX_CLOSE_HOURS = 72


@dataclass(frozen=True, slots=True)
class Help:
    """Show the help text (optionally because the input was not understood)."""

    problem: str | None = None


@dataclass(frozen=True, slots=True)
class Now:
    """Post a question now, optionally from one topic."""

    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Reveal:
    """Close the open question now and reveal the answer."""


@dataclass(frozen=True, slots=True)
class Close:
    """When questions close: a local time, or a number of minutes after posting."""

    at: time | None = None
    after_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class Topics:
    """Show the topics (`topics is None` and not `set_all`) or choose them."""

    topics: tuple[str, ...] | None = None
    set_all: bool = False


@dataclass(frozen=True, slots=True)
class SetLevel:
    """Show the level (`level is None` and not `set_any`) or choose it."""

    level: str | None = None
    set_any: bool = False


@dataclass(frozen=True, slots=True)
class Schedule:
    """Set or turn off the schedule; the arguments are parsed by the schedule module."""

    args: str


@dataclass(frozen=True, slots=True)
class Pause:
    """Stop scheduled questions until resumed."""


@dataclass(frozen=True, slots=True)
class Resume:
    """Resume scheduled questions."""


@dataclass(frozen=True, slots=True)
class Skip:
    """Skip the next scheduled question, or the one on `on`."""

    on: date | None = None


@dataclass(frozen=True, slots=True)
class Leaderboard:
    """The channel's leaderboard for a period."""

    period: str = "week"


@dataclass(frozen=True, slots=True)
class Teams:
    """Channels of the workspace ranked this month."""


@dataclass(frozen=True, slots=True)
class Stats:
    """Someone's statistics (the caller's when `user_id` is None)."""

    user_id: str | None = None


@dataclass(frozen=True, slots=True)
class Practice:
    """Start practising in DM."""

    topic: str | None = None


@dataclass(frozen=True, slots=True)
class ForgetMe:
    """Delete the caller's data in this workspace."""


Command = (
    Help
    | Now
    | Reveal
    | Close
    | Topics
    | SetLevel
    | Schedule
    | Pause
    | Resume
    | Skip
    | Leaderboard
    | Teams
    | Stats
    | Practice
    | ForgetMe
)

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
# A topic id as the bank writes them (lower-case words joined by hyphens).
TOPIC_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _clean(text: str) -> str:
    # Slack sends control characters and odd spaces as typed; keep the words only.
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())


def parse(text: str) -> Command:
    """Parse `/qotd` arguments; unknown or malformed input becomes Help with the problem."""
    words = _clean(text).split(" ") if _clean(text) else []
    if not words:
        return Help()
    name, args = words[0].lower(), words[1:]
    if name not in SUBCOMMANDS:
        close = difflib.get_close_matches(name, SUBCOMMANDS, n=1)
        hint = f" Did you mean `{close[0]}`?" if close else ""
        return Help(f"I don't know `{_shorten(words[0])}`.{hint}")
    parser = _PARSERS[name]
    return parser(args)


def _shorten(word: str, limit: int = 30) -> str:
    word = word.replace("`", "'")
    return word if len(word) <= limit else word[: limit - 1] + "…"


Parser = Callable[[list[str]], Command]


def _no_args(command: Command, name: str) -> Parser:
    def parser(args: list[str]) -> Command:
        if args:
            return Help(f"`{name}` takes no arguments.")
        return command

    return parser


def _parse_now(args: list[str]) -> Command:
    if len(args) > 1:
        return Help("Use `/qotd now` or `/qotd now <topic>`.")
    if args and not TOPIC_SLUG.match(args[0].lower()):
        return Help(f"`{_shorten(args[0])}` is not a topic name; see `/qotd topics`.")
    return Now(args[0].lower() if args else None)


def _parse_practice(args: list[str]) -> Command:
    now = _parse_now(args)
    return (
        Practice(now.topic)
        if isinstance(now, Now)
        else Help("Use `/qotd practice` or `/qotd practice <topic>`.")
    )


def parse_close(arg: str) -> Close | str:
    """`HH:MM` (local time) or `+Nh` (hours after posting); a message when neither."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", arg)
    if match:
        hour, minute = int(match[1]), int(match[2])
        if hour < 24 and minute < 60:
            return Close(at=time(hour, minute))
        return f"`{_shorten(arg)}` is not a time of day; use 24-hour HH:MM like 17:30."
    match = re.fullmatch(r"\+(\d{1,3})h", arg.lower())
    if match:
        hours = int(match[1])
        if 1 <= hours <= MAX_CLOSE_HOURS:
            return Close(after_minutes=hours * 60)
        return f"Choose between +1h and +{MAX_CLOSE_HOURS}h."
    return f"`{_shorten(arg)}` is neither HH:MM nor +Nh (e.g. `17:30` or `+8h`)."


def _parse_close(args: list[str]) -> Command:
    if len(args) != 1:
        return Help("Use `/qotd close HH:MM` (local time) or `/qotd close +Nh`.")
    result = parse_close(args[0])
    return result if isinstance(result, Close) else Help(result)


def _parse_topics(args: list[str]) -> Command:
    if not args:
        return Topics()
    joined = ",".join(args).lower()
    names = tuple(dict.fromkeys(t for t in joined.split(",") if t))
    if names == ("all",):
        return Topics(set_all=True)
    bad = [n for n in names if not TOPIC_SLUG.match(n) or n == "all"]
    if bad or not names:
        return Help(f"`{_shorten(bad[0] if bad else joined)}` is not a topic name.")
    return Topics(names)


def _parse_level(args: list[str]) -> Command:
    if not args:
        return SetLevel()
    if len(args) != 1 or args[0].lower() not in LEVEL_CHOICES:
        return Help(f"Choose a level: {', '.join(LEVEL_CHOICES)}.")
    level = args[0].lower()
    return SetLevel(set_any=True) if level == "any" else SetLevel(level)


def _parse_skip(args: list[str]) -> Command:
    if not args:
        return Skip()
    if len(args) == 1:
        try:
            return Skip(date.fromisoformat(args[0]))
        except ValueError:
            pass
    return Help("Use `/qotd skip` for the next question or `/qotd skip YYYY-MM-DD`.")


def _parse_leaderboard(args: list[str]) -> Command:
    if not args:
        return Leaderboard()
    if len(args) == 1 and args[0].lower() in PERIODS:
        return Leaderboard(args[0].lower())
    return Help("Use `/qotd leaderboard`, or add `week`, `month` or `all`.")


def _parse_stats(args: list[str]) -> Command:
    if not args:
        return Stats()
    match = _MENTION.match(args[0]) if len(args) == 1 else None
    if match:
        return Stats(match[1])
    return Help("Use `/qotd stats` or `/qotd stats @someone`.")


def _parse_schedule(args: list[str]) -> Command:
    if not args:
        return Help("Use `/qotd schedule weekdays 09:30 [Europe/Paris]` or `/qotd schedule off`.")
    return Schedule(" ".join(args))


_PARSERS: dict[str, Parser] = {
    "help": _no_args(Help(), "help"),
    "now": _parse_now,
    "schedule": _parse_schedule,
    "pause": _no_args(Pause(), "pause"),
    "resume": _no_args(Resume(), "resume"),
    "skip": _parse_skip,
    "close": _parse_close,
    "topics": _parse_topics,
    "level": _parse_level,
    "leaderboard": _parse_leaderboard,
    "teams": _no_args(Teams(), "teams"),
    "stats": _parse_stats,
    "practice": _parse_practice,
    "reveal": _no_args(Reveal(), "reveal"),
    "forget-me": _no_args(ForgetMe(), "forget-me"),
}
