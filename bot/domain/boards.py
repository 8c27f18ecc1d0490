"""Leaderboard periods, competition ranking and streaks (SPEC §4.3): pure, no I/O.

Periods are local to a channel: a week starts Monday 00:00 and a month on the 1st at 00:00 in the
channel's timezone, converted to UTC so the database compares instants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.streaks import Streak

PERIODS = ("week", "month", "all")
# Earlier than any answer the product can hold: the start of the all-time board.
ALL_TIME_START = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Window:
    """A board's period: [start, end) in UTC, and how to name it."""

    start: datetime
    end: datetime
    label: str


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone `name`, or UTC when it is missing or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which `day` starts in `tz` (DST-safe)."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def week_window(day: date, tz: ZoneInfo) -> Window:
    """The Monday-to-Sunday week containing the local date `day`."""
    monday = day - timedelta(days=day.weekday())
    sunday = monday + timedelta(days=6)
    label = (
        f"Week of {monday:%a} {monday.day} {monday:%b} – {sunday:%a} {sunday.day} {sunday:%b %Y}"
    )
    return Window(local_midnight(monday, tz), local_midnight(sunday + timedelta(days=1), tz), label)


def month_window(day: date, tz: ZoneInfo) -> Window:
    """The calendar month containing the local date `day`."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Window(local_midnight(first, tz), local_midnight(following, tz), f"{first:%B %Y}")


def period_window(period: str, now: datetime, timezone: str | None) -> Window:
    """The current `period` ("week", "month" or "all") as seen from `now` in `timezone`."""
    tz = zone(timezone)
    today = now.astimezone(tz).date()
    if period == "week":
        return week_window(today, tz)
    if period == "month":
        return month_window(today, tz)
    if period == "all":
        return Window(ALL_TIME_START, local_midnight(today + timedelta(days=1), tz), "All time")
    raise ValueError(f"unknown period {period!r}")


def competition_ranks(values: Sequence[object]) -> list[int]:
    """Ranks of values sorted best-first, equal values sharing a rank: 1, 1, 3."""
    ranks: list[int] = []
    for i, value in enumerate(values):
        ranks.append(ranks[-1] if i and value == values[i - 1] else i + 1)
    return ranks


def percent(score_sum: int, count: int) -> int:
    """The mean of 0-100 scores, rounded half up (0 when there are none)."""
    return (2 * score_sum + count) // (2 * count) if count else 0


def bar(value: int, width: int = 10) -> str:
    """A bar like ▰▰▰▱▱ for a 0-100 value, rounded to the nearest cell."""
    filled = max(0, min(width, (value * width + 50) // 100))
    return "▰" * filled + "▱" * (width - filled)


@dataclass(frozen=True, slots=True)
class BoardLine:
    """One member on a channel board, with their current streak in that channel."""

    rank: int
    user_id: str
    points: int
    answers: int
    streak: int


@dataclass(frozen=True, slots=True)
class Board:
    """A channel's board for a period, and the caller's own line when outside the top."""

    channel_id: str
    caller_id: str
    period: str
    label: str
    lines: tuple[BoardLine, ...]
    own: BoardLine | None
    participants: int


@dataclass(frozen=True, slots=True)
class TeamLine:
    """A channel in the team standings: average points per member who took part."""

    rank: int
    channel_id: str
    average: float
    members: int
    answers: int


@dataclass(frozen=True, slots=True)
class Standings:
    """The workspace's channels ranked this month; the caller's channel when outside the top."""

    label: str
    caller_channel_id: str
    lines: tuple[TeamLine, ...]
    own: TeamLine | None
    teams: int


@dataclass(frozen=True, slots=True)
class Tally:
    """How many 0-100 scores and their sum (a mean without losing precision)."""

    count: int = 0
    total: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.count + other.count, self.total + other.total)


@dataclass(frozen=True, slots=True)
class TopicMastery:
    """How well a person knows a topic: mean of their channel and practice scores."""

    slug: str
    title: str
    answers: int
    practised: int
    percent: int | None  # None: never tried


def mastery(
    titles: Mapping[str, str], channel: Mapping[str, Tally], practice: Mapping[str, Tally]
) -> list[TopicMastery]:
    """Per-topic mastery over every topic in `titles` (and any other topic seen), bank order.

    Each graded channel answer and each practice card's latest score weigh the same, so a
    person who mostly practises in DM and one who mostly answers in channels compare fairly.
    """
    slugs = list(titles) + sorted((set(channel) | set(practice)) - set(titles))
    found = []
    for slug in slugs:
        c, p = channel.get(slug, Tally()), practice.get(slug, Tally())
        both = c + p
        value = percent(both.total, both.count) if both.count else None
        found.append(TopicMastery(slug, titles.get(slug, slug), c.count, p.count, value))
    return found


def strongest_and_weakest(
    topics: Sequence[TopicMastery], n: int = 2
) -> tuple[list[TopicMastery], list[TopicMastery]]:
    """The best and worst (up to `n` each) topics tried; with few tried, they split evenly,
    the extra one going to the strong side, and a topic is never in both lists."""
    tried = sorted(
        (t for t in topics if t.percent is not None),
        key=lambda t: (-(t.percent or 0), -(t.answers + t.practised), t.slug),
    )
    strong = tried[: min(n, (len(tried) + 1) // 2)]
    weak = list(reversed(tried[len(strong) :]))[:n]
    return strong, weak


@dataclass(frozen=True, slots=True)
class PersonStats:
    """A person's numbers across a workspace's channels (plus practice, for mastery)."""

    user_id: str
    month_label: str
    month_points: int
    points: int
    answers: int
    average: int | None
    streak: Streak
    topics: tuple[TopicMastery, ...]
    due_cards: int = 0
