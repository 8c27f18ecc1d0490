"""Spaced repetition: scores become ratings, ratings become due dates (fixed times, no fuzz)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating

from bot.domain import srs

MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("score", "rating"),
    [
        (0, Rating.Again),
        (39, Rating.Again),
        (40, Rating.Hard),
        (69, Rating.Hard),
        (70, Rating.Good),
        (89, Rating.Good),
        (90, Rating.Easy),
        (100, Rating.Easy),
    ],
)
def test_score_maps_to_rating(score: int, rating: Rating) -> None:
    assert srs.rating_for(score) == rating


def test_a_poor_answer_comes_back_sooner_than_a_good_one() -> None:
    poor = srs.review(None, 20, MONDAY_9, "UTC")
    good = srs.review(None, 80, MONDAY_9, "UTC")
    easy = srs.review(None, 95, MONDAY_9, "UTC")
    assert poor.due_at < good.due_at < easy.due_at
    assert poor.days == 1  # never the same day: the model answer was just shown


def test_a_well_known_card_is_spaced_further_each_time() -> None:
    first = srs.review(None, 80, MONDAY_9, "UTC")
    second = srs.review(first.state, 80, first.due_at, "UTC")
    assert second.days > first.days
    forgotten = srs.review(second.state, 10, second.due_at, "UTC")
    assert forgotten.days < second.days


def test_state_is_json_and_survives_a_round_trip() -> None:
    first = srs.review(None, 75, MONDAY_9, "UTC")
    restored = json.loads(json.dumps(first.state))
    assert srs.review(restored, 75, first.due_at, "UTC") == srs.review(
        first.state, 75, first.due_at, "UTC"
    )


def test_due_from_four_in_the_morning_local_time() -> None:
    late_evening = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)  # 23:30 in Paris
    review = srs.review(None, 10, late_evening, "Europe/Paris")
    # Due on Tuesday from 04:00 Paris time (03:00 UTC), before the 09:00 nudge.
    assert review.due_at == datetime(2026, 3, 3, 3, 0, tzinfo=UTC)


def test_after_midnight_still_belongs_to_the_evening() -> None:
    night = datetime(2026, 3, 3, 1, 30, tzinfo=UTC)  # 02:30 Paris, Tuesday
    assert srs.practice_day(night, "Europe/Paris").isoformat() == "2026-03-02"
    assert srs.practice_day(night + timedelta(hours=3), "Europe/Paris").isoformat() == "2026-03-03"


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(hours=1), "today (Mon 2 Mar)"),
        (timedelta(days=1), "tomorrow (Tue 3 Mar)"),
        (timedelta(days=3), "in 3 days (Thu 5 Mar)"),
    ],
)
def test_comes_back_in_words(delta: timedelta, expected: str) -> None:
    assert srs.comes_back(MONDAY_9 + delta, MONDAY_9, "UTC") == expected


def test_mastery_averages_latest_scores() -> None:
    assert srs.mastery([80, 60, None]) == 70
    assert srs.mastery([None]) is None
