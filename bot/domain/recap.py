"""The weekly recap's pure rules: when it is due, what week it covers, what the week taught.

A channel's recap covers the previous local week (Monday 00:00 to the next Monday 00:00 in the
channel's timezone). It is due at 09:00 local on Monday and may still go out, after a crash or a
Slack failure, until Monday ends locally; after that it is skipped, never sent late on Tuesday.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.domain.schedule import Schedule, local_date, occurrence_on, week_start, zone

RECAP_AT = time(9, 0)
_MONDAY = frozenset({0})
_UTC = zone("UTC")


@dataclass(frozen=True, slots=True)
class RecapSlot:
    """One channel's recap of one week.

    `period` is the Monday the recapped week starts on (the key of its delivery); the week is
    [week_start, week_end) and the recap may be sent in [due, ends), all aware UTC.
    """

    period: date
    week_start: datetime
    week_end: datetime
    due: datetime
    ends: datetime

    def open_at(self, now: datetime) -> bool:
        """Whether the recap may be sent at `now`."""
        return self.due <= now < self.ends


def _midnight(day: date, tz: str) -> datetime:
    """The UTC instant local `day` begins in `tz` (via UTC, so a DST change cannot shift it)."""
    return datetime.combine(day, time(0), tzinfo=zone(tz)).astimezone(_UTC)


def slot_for(period: date, tz: str) -> RecapSlot:
    """The recap of the week starting on the Monday `period`, in the zone `tz`."""
    if period.weekday() != 0:
        raise ValueError(f"a recap period starts on a Monday, not {period:%A}")
    monday = period + timedelta(days=7)
    due = occurrence_on(Schedule(_MONDAY, RECAP_AT, tz), monday)
    assert due is not None  # `monday` is a Monday
    return RecapSlot(
        period=period,
        week_start=_midnight(period, tz),
        week_end=_midnight(monday, tz),
        due=due,
        ends=_midnight(monday + timedelta(days=1), tz),
    )


def latest_slot(now: datetime, tz: str) -> RecapSlot:
    """The most recent recap whose time has come at `now` (sent or not) in the zone `tz`."""
    this_monday = week_start(local_date(now, tz))
    slot = slot_for(this_monday - timedelta(days=7), tz)
    if now < slot.due:
        return slot_for(this_monday - timedelta(days=14), tz)
    return slot


def sum_by_weekday(values: Iterable[tuple[datetime, int]], tz: str) -> list[int]:
    """(moment, value) pairs summed by the moment's weekday in `tz`, Monday first."""
    totals = [0] * 7
    for moment, value in values:
        totals[moment.astimezone(zone(tz)).weekday()] += value
    return totals


@dataclass(frozen=True, slots=True)
class GradedAnswer:
    """What the most-missed rule needs of one answer: its question and covered key points."""

    question_id: str
    covered: frozenset[int]


@dataclass(frozen=True, slots=True)
class MissedPoint:
    """The key point missed by the most answers: `missed` of `answers` to its question."""

    question_id: str
    index: int
    missed: int
    answers: int


def most_missed(
    answers: Iterable[GradedAnswer], key_point_counts: dict[str, int]
) -> MissedPoint | None:
    """The key point most answers missed (ties: higher share missed, then question, index).

    `key_point_counts` gives each question's number of key points; answers to other questions
    are ignored. None when every answer covered every key point, or there is no answer.
    """
    by_question: dict[str, list[frozenset[int]]] = {}
    for answer in answers:
        if answer.question_id in key_point_counts:
            by_question.setdefault(answer.question_id, []).append(answer.covered)
    best: MissedPoint | None = None
    for question_id in sorted(by_question):
        covered_sets: Sequence[frozenset[int]] = by_question[question_id]
        for index in range(key_point_counts[question_id]):
            missed = sum(1 for covered in covered_sets if index not in covered)
            candidate = MissedPoint(question_id, index, missed, len(covered_sets))
            if missed and (best is None or _ranks_above(candidate, best)):
                best = candidate
    return best


def _ranks_above(a: MissedPoint, b: MissedPoint) -> bool:
    # Cross-multiplied shares: a.missed / a.answers > b.missed / b.answers, without floats.
    return (a.missed, a.missed * b.answers) > (b.missed, b.missed * a.answers)
