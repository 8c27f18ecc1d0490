"""The weekly recap's pure rules: its week and window per timezone, the most-missed point."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.recap import (
    GradedAnswer,
    MissedPoint,
    latest_slot,
    most_missed,
    slot_for,
    sum_by_weekday,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("period", "tz", "week_start", "week_end", "due", "ends"),
    [
        # Paris in winter (UTC+1): the week is Sunday 23:00 UTC to Sunday 23:00 UTC.
        (
            date(2026, 3, 2), "Europe/Paris",
            utc(2026, 3, 1, 23), utc(2026, 3, 8, 23), utc(2026, 3, 9, 8), utc(2026, 3, 9, 23),
        ),
        # The week in which Paris moves to summer time (29 March) is an hour shorter.
        (
            date(2026, 3, 23), "Europe/Paris",
            utc(2026, 3, 22, 23), utc(2026, 3, 29, 22), utc(2026, 3, 30, 7), utc(2026, 3, 30, 22),
        ),
        # Los Angeles (UTC-8): Monday 09:00 there is 17:00 UTC.
        (
            date(2026, 2, 23), "America/Los_Angeles",
            utc(2026, 2, 23, 8), utc(2026, 3, 2, 8), utc(2026, 3, 2, 17), utc(2026, 3, 3, 8),
        ),
        (
            date(2026, 3, 2), "UTC",
            utc(2026, 3, 2), utc(2026, 3, 9), utc(2026, 3, 9, 9), utc(2026, 3, 10),
        ),
    ],
)  # fmt: skip
def test_a_recap_covers_the_local_week_and_goes_out_on_monday_from_nine(
    period: date,
    tz: str,
    week_start: datetime,
    week_end: datetime,
    due: datetime,
    ends: datetime,
) -> None:
    slot = slot_for(period, tz)
    assert (slot.week_start, slot.week_end, slot.due, slot.ends) == (
        week_start,
        week_end,
        due,
        ends,
    )
    assert slot.open_at(due)
    assert slot.open_at(ends - timedelta(minutes=1))
    assert not slot.open_at(due - timedelta(minutes=1))
    assert not slot.open_at(ends)


def test_a_period_is_a_monday() -> None:
    with pytest.raises(ValueError, match="Monday"):
        slot_for(date(2026, 3, 3), "UTC")


@pytest.mark.parametrize(
    ("now", "tz", "period"),
    [
        (utc(2026, 3, 9, 8, 59), "UTC", date(2026, 2, 23)),  # not yet 09:00: the previous one
        (utc(2026, 3, 9, 9, 0), "UTC", date(2026, 3, 2)),
        (utc(2026, 3, 15, 23, 59), "UTC", date(2026, 3, 2)),  # Sunday: last Monday's
        (utc(2026, 3, 9, 8, 0), "Europe/Paris", date(2026, 3, 2)),  # 09:00 in Paris
        (utc(2026, 3, 2, 16, 59), "America/Los_Angeles", date(2026, 2, 16)),
        (utc(2026, 3, 2, 17, 0), "America/Los_Angeles", date(2026, 2, 23)),
        # On 9 March Los Angeles is on summer time (since the 8th): 09:00 there is 16:00 UTC.
        (utc(2026, 3, 9, 16, 0), "America/Los_Angeles", date(2026, 3, 2)),
        # Monday 01:00 in Auckland is still Sunday in UTC.
        (utc(2026, 3, 8, 20, 0), "Pacific/Auckland", date(2026, 3, 2)),
    ],
)
def test_the_latest_slot_is_the_last_monday_nine_oclock_reached(
    now: datetime, tz: str, period: date
) -> None:
    slot = latest_slot(now, tz)
    assert slot.period == period
    assert slot.due <= now


def test_points_are_counted_on_the_local_weekday() -> None:
    answers = [
        (utc(2026, 3, 8, 23, 30), 7),  # Monday 00:30 in Paris, Sunday in UTC
        (utc(2026, 3, 9, 12, 0), 4),
        (utc(2026, 3, 15, 22, 0), 11),  # Sunday 23:00 in Paris
    ]
    assert sum_by_weekday(answers, "Europe/Paris") == [11, 0, 0, 0, 0, 0, 11]
    assert sum_by_weekday(answers, "UTC") == [4, 0, 0, 0, 0, 0, 18]


def answers(question: str, *covered: set[int]) -> list[GradedAnswer]:
    return [GradedAnswer(question, frozenset(c)) for c in covered]


def test_the_most_missed_point_is_the_one_most_answers_missed() -> None:
    graded = answers("bias", {0, 1}, {0}, {0, 2}) + answers("drift", {1}, {1}, {0, 1}, {1})
    # bias: point 1 missed 2x, point 2 missed 2x; drift: point 0 missed 3x, point 2 missed 4x.
    assert most_missed(graded, {"bias": 3, "drift": 3}) == MissedPoint("drift", 2, 4, 4)


def test_ties_go_to_the_larger_share_then_the_first_question_and_point() -> None:
    # Both missed twice, but by 2 of 2 in "drift" against 2 of 3 in "bias".
    graded = answers("bias", {0}, {1}, {0, 1}) + answers("drift", {0}, {0})
    assert most_missed(graded, {"bias": 2, "drift": 2}) == MissedPoint("drift", 1, 2, 2)
    # Same count and share: the first question (by id), then the first key point.
    graded = answers("bias", set(), {0, 1}) + answers("drift", set(), {0, 1})
    assert most_missed(graded, {"bias": 2, "drift": 2}) == MissedPoint("bias", 0, 1, 2)


def test_nothing_missed_or_no_known_question_means_no_lesson() -> None:
    assert most_missed([], {}) is None
    assert most_missed(answers("bias", {0, 1}, {0, 1}), {"bias": 2}) is None
    assert most_missed(answers("gone", set()), {"bias": 2}) is None
