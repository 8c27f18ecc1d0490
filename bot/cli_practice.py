"""`qotd practice`: the DM practice loop in the terminal, same use case, same database.

The terminal is one more front end of bot.usecases.practice: it sends the person's text to
`practice.handle` and prints the same parts a DM shows, rendered as plain text.
"""

from __future__ import annotations

import getpass
import os
import sys
import textwrap
from collections.abc import Iterator
from typing import TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.deps import Deps
from bot.domain import dm_commands
from bot.domain.practice_views import (
    Asked,
    Graded,
    HelpView,
    Info,
    Part,
    StatsView,
    TopicRow,
    TopicsView,
)
from bot.usecases import practice

# The workspace terminal practice is kept in: apart from every Slack workspace.
LOCAL_TEAM = "T-LOCAL"
WIDTH = 88
USER_ID_LIMIT = 32  # the width of the user id column

HELP = (
    ("practice [topic]", "the next question: due ones first, then new ones"),
    ("(your answer)", "any other text; end it with an empty line"),
    ("skip", "leave this question for later and get another"),
    ("stop", "end the session (progress is kept)"),
    ("stats", "questions seen, due, average score, mastery per topic"),
    ("topics", "the topics, their sizes and your mastery"),
    ("level junior|mid|senior|any", "the level of new questions"),
)


def local_user(name: str | None) -> str:
    """Whose cards to use: --user, else the login name, else "you"."""
    if not name:
        try:
            name = os.environ.get("USER") or getpass.getuser()
        except (KeyError, OSError):
            name = None
    name = (name or "you").strip() or "you"
    return name[:USER_ID_LIMIT]


def local_timezone() -> str | None:
    """The IANA zone in TZ, when it names one (dates are shown in it); else UTC is used."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def answers(stream: TextIO, prompt: bool) -> Iterator[str]:
    """Messages typed by the person: lines up to an empty line (or the end of input)."""
    lines: list[str] = []
    while True:
        if prompt:
            print("> " if not lines else "  ", end="", flush=True)
        line = stream.readline()
        if not line:  # end of input
            if lines:
                yield "\n".join(lines)
            return
        text = line.rstrip("\n")
        if text.strip():
            lines.append(text)
            # A command is a message of its own: no need for an empty line after it.
            if len(lines) == 1 and not isinstance(dm_commands.parse(text), dm_commands.Answer):
                yield lines.pop()
        elif lines:
            yield "\n".join(lines)
            lines = []


def run(deps: Deps, user: str, topic: str | None, stdin: TextIO, stdout: TextIO) -> int:
    """The loop: ask, read, grade, until `stop` or the end of input."""
    interactive = stdin.isatty()
    timezone = local_timezone()

    def say(text: str) -> None:
        print(text, file=stdout, flush=True)

    def turn(text: str) -> None:
        parts = practice.handle(deps, LOCAL_TEAM, user, text, timezone=timezone)
        for part in parts or ():
            say(render(part))
            say("")

    say(f"Practising as {user}. Answer in a few sentences, then an empty line.")
    say("Type help for commands, stop to finish.\n")
    turn(f"practice {topic}" if topic else "practice")
    for message in answers(stdin, interactive):
        command = dm_commands.parse(message)
        if isinstance(command, dm_commands.Remind):
            say("Reminders are sent in Slack; in the terminal, run qotd practice when you like.\n")
            continue
        turn(message)
        if isinstance(command, dm_commands.Stop):
            return 0
    say("Bye! Your progress is saved; run qotd practice to go on.")
    return 0


# --- rendering ---------------------------------------------------------------------------------


def _plain(text: str) -> str:
    """Commands are quoted with backticks for Slack; plain quotes read better in a terminal."""
    return text.replace("`", "'")


def _wrap(text: str, indent: str = "", first: str | None = None) -> str:
    """Wrapped to the terminal width; `first` replaces the indent of the first line."""
    paragraphs = [p for p in text.splitlines() if p.strip()]
    return "\n".join(
        textwrap.fill(
            para,
            WIDTH,
            initial_indent=first if first is not None and n == 0 else indent,
            subsequent_indent=indent,
        )
        for n, para in enumerate(paragraphs)
    )


def render(part: Part) -> str:
    """One part of a practice turn as terminal text."""
    match part:
        case Asked():
            return _asked(part)
        case Graded():
            return _graded(part)
        case Info():
            return _wrap(_plain(part.text))
        case HelpView():
            return _help(part)
        case TopicsView():
            lines = ["Topics (practice <topic> to focus on one):"]
            lines += [_topic_line(r, part.current) for r in part.rows]
            return "\n".join(lines)
        case StatsView():
            return _stats(part)
    raise AssertionError(f"unknown part {part!r}")  # pragma: no cover


def _asked(a: Asked) -> str:
    tags = [a.topic_title, a.question.level.value]
    if a.returning:
        tags.append("back for review")
    if a.due_after:
        tags.append(f"{a.due_after} more due")
    return "\n".join(
        [
            f"── Question ({' · '.join(tags)}) " + "─" * 8,
            _wrap(a.question.question),
            "(answer, then an empty line; or skip, stop, stats)",
        ]
    )


def _graded(g: Graded) -> str:
    lines = [f"{g.covered}/{g.total} key points · score {g.score}/100 (rated {g.rating})"]
    for point in g.points:
        if point.covered:
            lines.append(_wrap(point.point, "      ", first="  [x] "))
            if point.evidence:
                lines.append(_wrap(f'"{point.evidence}"', "        "))
        else:
            lines.append(_wrap(f"Missed: {point.point}", "      ", first="  [ ] "))
    lines.append("Model answer:")
    lines.append(_wrap(g.question.model_answer, "  "))
    lines.append(f"This question comes back {g.comes_back}.")
    if g.truncated:
        lines.append("Only the first 40,000 characters of your answer were graded.")
    return "\n".join(lines)


def _help(h: HelpView) -> str:
    lines = [_wrap(_plain(h.intro))] if h.intro else []
    lines.append("What you can type:")
    width = max(len(usage) for usage, _ in HELP)
    lines += [f"  {usage.ljust(width)}  {what}" for usage, what in HELP]
    return "\n".join(lines)


def _topic_line(row: TopicRow, current: str | None = None) -> str:
    mastery = f"mastery {row.mastery}/100" if row.mastery is not None else "not practised yet"
    mark = "  <- practising" if row.slug == current else ""
    return f"  {row.slug:<24} {row.questions:>3} questions, {row.seen} seen, {mastery}{mark}"


def _stats(st: StatsView) -> str:
    average = f"{st.average}/100" if st.average is not None else "-"
    lines = [
        f"{_count(st.seen, 'question')} seen · {st.due} due now · {_count(st.reviews, 'answer')} · "
        f"average score {average}"
    ]
    lines += [_topic_line(r) for r in st.topics]
    if st.next_due:
        lines.append(f"Next review {st.next_due}.")
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def main(deps: Deps, user: str | None, topic: str | None) -> int:
    """Run the loop on the process's stdin and stdout (exit 2 for an unknown topic)."""
    if topic is not None and topic not in deps.bank.topics:
        known = ", ".join(sorted(deps.bank.topics))
        print(f"qotd practice: there is no topic {topic!r}. Topics: {known}.", file=sys.stderr)
        return 2
    return run(deps, local_user(user), topic, sys.stdin, sys.stdout)
