"""Points, reactions and the reveal's ranking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.scoring import Entry, points_for, reaction_for, top_answers


@pytest.mark.parametrize(
    ("score", "late", "copied", "points"),
    [
        (0, False, False, 1),
        (4, False, False, 1),
        (5, False, False, 2),
        (44, False, False, 5),
        (45, False, False, 6),
        (70, False, False, 8),
        (100, False, False, 11),
        (100, True, False, 0),
        (100, False, True, 0),
        (150, False, False, 11),
        (-3, False, False, 1),
    ],
)
def test_points_are_one_plus_score_over_ten(
    score: int, late: bool, copied: bool, points: int
) -> None:
    assert points_for(score, late=late, copied=copied) == points


@pytest.mark.parametrize(
    ("score", "emoji"),
    [(100, "white_check_mark"), (70, "white_check_mark"), (69, "large_yellow_circle"),
     (40, "large_yellow_circle"), (39, "writing_hand"), (0, "writing_hand")],
)  # fmt: skip
def test_reaction_thresholds(score: int, emoji: str) -> None:
    assert reaction_for(score) == emoji


def test_top_answers_rank_by_score_then_time() -> None:
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    entries = [
        Entry("U1", 80, t0 + timedelta(minutes=5)),
        Entry("U2", 90, t0 + timedelta(minutes=9)),
        Entry("U3", 80, t0 + timedelta(minutes=1)),
        Entry("U4", 10, t0),
    ]
    assert [e.user_id for e in top_answers(entries)] == ["U2", "U3", "U1"]
    assert top_answers([]) == []
