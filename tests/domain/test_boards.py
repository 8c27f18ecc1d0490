"""Board periods across timezones, competition ranking, mastery and bars."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.boards import (
    ALL_TIME_START,
    Tally,
    TopicMastery,
    bar,
    competition_ranks,
    mastery,
    percent,
    period_window,
    strongest_and_weakest,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "tz", "start", "end"),
    [
        # Sunday 22 Nov 2026, 22:30 in Los Angeles is Monday 06:30 UTC: still last week there.
        (
            utc(2026, 11, 23, 6, 30),
            "America/Los_Angeles",
            utc(2026, 11, 16, 8),
            utc(2026, 11, 23, 8),
        ),
        # A minute after local midnight Monday, the new week has begun.
        (
            utc(2026, 11, 23, 8, 1),
            "America/Los_Angeles",
            utc(2026, 11, 23, 8),
            utc(2026, 11, 30, 8),
        ),
        # Monday 00:30 in Tokyo is Sunday 15:30 UTC: already the new week there.
        (utc(2026, 11, 22, 15, 30), "Asia/Tokyo", utc(2026, 11, 22, 15), utc(2026, 11, 29, 15)),
        (utc(2026, 11, 22, 15, 30), "UTC", utc(2026, 11, 16), utc(2026, 11, 23)),
        # The week in which Europe leaves summer time: 7 days of 24 h plus one hour.
        (utc(2026, 10, 21, 12), "Europe/Paris", utc(2026, 10, 18, 22), utc(2026, 10, 25, 23)),
        # A missing or unknown zone falls back to UTC.
        (utc(2026, 11, 18, 12), "Mars/Olympus", utc(2026, 11, 16), utc(2026, 11, 23)),
        (utc(2026, 11, 18, 12), None, utc(2026, 11, 16), utc(2026, 11, 23)),
    ],
)
def test_weeks_start_monday_in_the_channel_timezone(
    now: datetime, tz: str | None, start: datetime, end: datetime
) -> None:
    window = period_window("week", now, tz)
    assert (window.start, window.end) == (start, end)


@pytest.mark.parametrize(
    ("now", "tz", "start", "end", "label"),
    [
        # 31 Oct 20:00 in New York is 1 Nov 00:00 UTC: October there.
        (
            utc(2026, 11, 1, 0),
            "America/New_York",
            utc(2026, 10, 1, 4),
            utc(2026, 11, 1, 4),
            "October 2026",
        ),
        (utc(2026, 11, 1, 0), "UTC", utc(2026, 11, 1), utc(2026, 12, 1), "November 2026"),
        # 1 Jan 08:00 in Sydney is still 31 Dec in UTC: January there, year rolls over.
        (
            utc(2026, 12, 31, 21),
            "Australia/Sydney",
            utc(2026, 12, 31, 13),
            utc(2027, 1, 31, 13),
            "January 2027",
        ),
        (utc(2028, 2, 15), "UTC", utc(2028, 2, 1), utc(2028, 3, 1), "February 2028"),
    ],
)
def test_months_are_local_calendar_months(
    now: datetime, tz: str, start: datetime, end: datetime, label: str
) -> None:
    window = period_window("month", now, tz)
    assert (window.start, window.end, window.label) == (start, end, label)


def test_all_time_covers_everything_up_to_today() -> None:
    now = utc(2026, 11, 23, 12)
    window = period_window("all", now, "Europe/Berlin")
    assert window.start == ALL_TIME_START
    assert window.end > now
    assert window.label == "All time"


def test_week_label_names_both_ends() -> None:
    assert period_window("week", utc(2026, 11, 18), "UTC").label == (
        "Week of Mon 16 Nov – Sun 22 Nov 2026"
    )


def test_unknown_period_is_a_bug() -> None:
    with pytest.raises(ValueError, match="year"):
        period_window("year", utc(2026, 1, 1), "UTC")


@pytest.mark.parametrize(
    ("values", "ranks"),
    [
        ([], []),
        ([30], [1]),
        ([30, 30, 20], [1, 1, 3]),
        ([30, 20, 20, 20, 5], [1, 2, 2, 2, 5]),
        ([9, 8, 7], [1, 2, 3]),
        ([4, 4, 4], [1, 1, 1]),
    ],
)
def test_competition_ranking(values: list[int], ranks: list[int]) -> None:
    assert competition_ranks(values) == ranks


@pytest.mark.parametrize(
    ("value", "width", "shown"),
    [
        (0, 5, "▱▱▱▱▱"),
        (62, 5, "▰▰▰▱▱"),
        (100, 5, "▰▰▰▰▰"),
        (95, 10, "▰▰▰▰▰▰▰▰▰▰"),
        (4, 10, "▱" * 10),
    ],
)
def test_bar(value: int, width: int, shown: str) -> None:
    assert bar(value, width) == shown


def test_percent_rounds_half_up_and_survives_no_scores() -> None:
    assert percent(0, 0) == 0
    assert percent(125, 2) == 63
    assert percent(100, 3) == 33


def test_mastery_mixes_channel_answers_and_practice_with_equal_weight() -> None:
    titles = {"deep-learning": "Deep learning", "evaluation": "Evaluation", "mlops": "MLOps"}
    found = mastery(
        titles,
        channel={"deep-learning": Tally(2, 160), "legacy-topic": Tally(1, 50)},
        practice={"deep-learning": Tally(1, 40), "evaluation": Tally(2, 150)},
    )
    assert found == [
        TopicMastery("deep-learning", "Deep learning", 2, 1, 67),
        TopicMastery("evaluation", "Evaluation", 0, 2, 75),
        TopicMastery("mlops", "MLOps", 0, 0, None),
        TopicMastery("legacy-topic", "legacy-topic", 1, 0, 50),
    ]


def test_strongest_and_weakest_never_share_a_topic() -> None:
    topics = [
        TopicMastery("a", "A", 1, 0, 90),
        TopicMastery("b", "B", 1, 0, 40),
        TopicMastery("c", "C", 0, 0, None),
        TopicMastery("d", "D", 3, 0, 70),
    ]
    strong, weak = strongest_and_weakest(topics)
    assert [t.slug for t in strong] == ["a", "d"]
    assert [t.slug for t in weak] == ["b"]
    strong, weak = strongest_and_weakest(topics[:2])
    assert ([t.slug for t in strong], [t.slug for t in weak]) == (["a"], ["b"])
    strong, weak = strongest_and_weakest(topics[:1])
    assert ([t.slug for t in strong], weak) == (["a"], [])
    many = [
        TopicMastery(c, c.upper(), 1, 0, p)
        for c, p in zip("pqrstu", (10, 90, 50, 30, 70, 20), strict=True)
    ]
    strong, weak = strongest_and_weakest(many)
    assert ([t.slug for t in strong], [t.slug for t in weak]) == (["q", "t"], ["p", "u"])
