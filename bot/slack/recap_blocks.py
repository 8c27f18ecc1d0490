"""The weekly recap message as Block Kit data (pure: data in, payload out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from bot.domain.schedule import DAY_ABBREVIATIONS
from bot.slack.blocks import (
    FALLBACK_TEXT_LIMIT,
    MEDALS,
    Message,
    clip,
    context,
    escape,
    header,
    section,
)


class BoardLine(Protocol):
    """A board row (bot.db.boards.BoardRow fits): rank, member, points, answers."""

    @property
    def rank(self) -> int: ...
    @property
    def user_id(self) -> str: ...
    @property
    def points(self) -> int: ...
    @property
    def answers(self) -> int: ...


@dataclass(frozen=True, slots=True)
class MissedLesson:
    """The week's most-missed key point, with its question."""

    question: str
    key_point: str
    missed: int
    answers: int


@dataclass(frozen=True, slots=True)
class Recap:
    """Everything the recap message says about one channel's week."""

    channel_id: str
    period: date  # the Monday the week starts on
    questions: int
    answers: int
    people: int
    points: int
    board: Sequence[BoardLine]
    lesson: MissedLesson | None


def week_label(monday: date) -> str:
    """`2–8 March 2026`, `30 March – 5 April 2026`, `29 December 2025 – 4 January 2026`."""
    sunday = monday + timedelta(days=6)
    if monday.year != sunday.year:
        return f"{monday.day} {monday:%B %Y} – {sunday.day} {sunday:%B %Y}"
    if monday.month != sunday.month:
        return f"{monday.day} {monday:%B} – {sunday.day} {sunday:%B %Y}"
    return f"{monday.day}–{sunday.day} {sunday:%B %Y}"


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def _board_line(row: BoardLine) -> str:
    medal = f" {MEDALS[row.rank - 1]}" if row.rank <= len(MEDALS) else ""
    return (
        f"{row.rank}. <@{row.user_id}> — {row.points} pts ({_count(row.answers, 'answer')}){medal}"
    )


def recap_message(recap: Recap) -> Message:
    """The channel's recap of last week: totals, the top 10, and the key point most missed."""
    week = week_label(recap.period)
    summary = (
        f"Here is how <#{recap.channel_id}> did last week: "
        f"*{_count(recap.questions, 'question')}*, "
        f"*{_count(recap.answers, 'answer')}* from *{_count(recap.people, 'person', 'people')}*, "
        f"*{recap.points} points* in all. Thank you for taking part! :tada:"
    )
    blocks = [header(f"Weekly recap: {week}"), section(summary)]
    if recap.board:
        lines = "\n".join(_board_line(row) for row in recap.board)
        blocks.append(section(f"*Top of the week*\n{lines}"))
    if recap.lesson is not None:
        lesson = recap.lesson
        blocks.append(
            section(
                ":bulb: *The key point most missed* (worth a second look)\n"
                f"> {escape(lesson.key_point)}\n"
                f"Missed by *{lesson.missed} of {_count(lesson.answers, 'answer')}* to "
                f"_{escape(lesson.question)}_"
            )
        )
    blocks.append(
        context(
            "Points: 1 for taking part + the score ÷ 10 (up to 11 per question). "
            "See the board any time with `/qotd leaderboard`. A new week starts now: good luck!"
        )
    )
    leader = recap.board[0] if recap.board else None
    fallback = f"Weekly recap for {week}: {_count(recap.answers, 'answer')} from " + _count(
        recap.people, "person", "people"
    )
    if leader is not None:
        fallback += f"; top: <@{leader.user_id}> with {leader.points} pts"
    return Message(clip(fallback + ".", FALLBACK_TEXT_LIMIT), blocks)


def chart_title(monday: date) -> str:
    """The chart's title (also its file title in Slack)."""
    return f"Points per day, {week_label(monday)}"


def chart_alt_text(points: Sequence[int], answers: Sequence[int]) -> str:
    """What the chart shows, for screen readers."""
    parts = [
        f"{day} {p} pts ({a})" for day, p, a in zip(DAY_ABBREVIATIONS, points, answers, strict=True)
    ]
    return "Bar chart of points per day (answers in brackets): " + ", ".join(parts)
