"""Spaced repetition for DM practice (SPEC §4.4): grades become FSRS ratings and due dates.

Each (person, question) is an FSRS card whose state is kept as JSON. FSRS is tuned here for
interview questions rather than flashcards: no minute-long learning steps (re-asking a long
question ten minutes after its model answer was shown tests nothing) and no random fuzz (the
same answers always give the same schedule). FSRS picks the number of days; the card is then
due from 04:00 local time on that day, so the 09:00 nudge and `practice` agree on what is due
whatever hour the question was answered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fsrs import Card, Rating, Scheduler

from bot.domain.schedule import zone

# Score thresholds of the ratings (SPEC §4.4): Again < 40 <= Hard < 70 <= Good < 90 <= Easy.
HARD_FROM, GOOD_FROM, EASY_FROM = 40, 70, 90
# A practice day starts at this local hour, so a late-night answer belongs to its evening.
DAY_STARTS = time(4, 0)

_SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)

RATING_NAMES = {
    Rating.Again: "again",
    Rating.Hard: "hard",
    Rating.Good: "good",
    Rating.Easy: "easy",
}


def rating_for(score: int) -> Rating:
    """The FSRS rating of a 0-100 score."""
    if score >= EASY_FROM:
        return Rating.Easy
    if score >= GOOD_FROM:
        return Rating.Good
    if score >= HARD_FROM:
        return Rating.Hard
    return Rating.Again


@dataclass(frozen=True, slots=True)
class Review:
    """The outcome of one graded answer: the card's new state and when it is due again."""

    state: dict[str, Any]
    rating: Rating
    days: int
    due_at: datetime


def practice_day(moment: datetime, tz: str | None) -> date:
    """The local practice day `moment` belongs to (days start at 04:00)."""
    local = moment.astimezone(zone(tz))
    start = datetime.combine(local.date(), DAY_STARTS, tzinfo=local.tzinfo)
    return local.date() if local >= start else local.date() - timedelta(days=1)


def day_start(day: date, tz: str | None) -> datetime:
    """When practice day `day` begins, in UTC."""
    return datetime.combine(day, DAY_STARTS, tzinfo=zone(tz)).astimezone(UTC)


def review(state: Mapping[str, Any] | None, score: int, now: datetime, tz: str | None) -> Review:
    """Apply one graded answer (score 0-100, at `now`) to a card (None: a new card)."""
    now_utc = now.astimezone(UTC)
    card = (
        Card.from_dict(dict(state))  # type: ignore[arg-type]
        if state
        else Card(card_id=0, due=now_utc)
    )
    rating = rating_for(score)
    reviewed, _log = _SCHEDULER.review_card(card, rating, now_utc)
    days = max(1, round((reviewed.due - now_utc) / timedelta(days=1)))
    due_day = practice_day(now, tz) + timedelta(days=days)
    return Review(dict(reviewed.to_dict()), rating, days, day_start(due_day, tz))


def comes_back(due_at: datetime, now: datetime, tz: str | None) -> str:
    """`tomorrow (Tue 3 Mar)` or `in 3 days (Thu 5 Mar)`, counted in practice days."""
    due_day = practice_day(due_at, tz)
    days = (due_day - practice_day(now, tz)).days
    label = f"{due_day:%a} {due_day.day} {due_day:%b}"
    if days <= 0:
        return f"today ({label})"
    if days == 1:
        return f"tomorrow ({label})"
    return f"in {days} days ({label})"


def mastery(scores: Iterable[int | None]) -> int | None:
    """A topic's mastery: the mean of its cards' latest scores (None when none was answered)."""
    known = [s for s in scores if s is not None]
    return round(sum(known) / len(known)) if known else None
