"""What a turn of DM practice shows, as plain data: rendered for Slack and for the terminal."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.bank import Question


@dataclass(frozen=True, slots=True)
class Asked:
    """A question to answer now."""

    question: Question
    topic_title: str
    returning: bool  # a due card coming back, not a new question
    due_after: int  # due cards still waiting after this one


@dataclass(frozen=True, slots=True)
class PointView:
    """One key point in the feedback: covered (with the words that showed it) or missed."""

    covered: bool
    point: str
    evidence: str | None


@dataclass(frozen=True, slots=True)
class Graded:
    """Complete feedback on one answer: nothing is hidden in practice."""

    question: Question
    score: int
    covered: int
    total: int
    points: tuple[PointView, ...]
    comes_back: str
    rating: str
    truncated: bool


@dataclass(frozen=True, slots=True)
class Info:
    """A short message; `text` is plain text with `commands` in backticks."""

    text: str


@dataclass(frozen=True, slots=True)
class HelpView:
    """What can be typed in the DM; `intro` says why help is shown."""

    intro: str | None = None


@dataclass(frozen=True, slots=True)
class TopicRow:
    """A topic of the bank with the person's progress in it."""

    slug: str
    title: str
    questions: int
    seen: int
    mastery: int | None


@dataclass(frozen=True, slots=True)
class TopicsView:
    """Every topic, and the one practice is limited to (if any)."""

    rows: tuple[TopicRow, ...]
    current: str | None


@dataclass(frozen=True, slots=True)
class StatsView:
    """A person's practice so far."""

    seen: int
    due: int
    reviews: int
    average: int | None
    topics: tuple[TopicRow, ...]
    next_due: str | None
    remind: bool


Part = Asked | Graded | Info | HelpView | TopicsView | StatsView
Turn = tuple[Part, ...]
