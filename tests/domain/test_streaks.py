"""Streaks: consecutive questions of a channel answered (SPEC §4.3)."""

from __future__ import annotations

import pytest

from bot.domain.streaks import Asked, Streak, best_streak, streak

Y = Asked(answered=True)
N = Asked(answered=False)
OPEN = Asked(answered=False, is_open=True)
OPEN_Y = Asked(answered=True, is_open=True)


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ([], Streak(0, 0)),
        ([Y], Streak(1, 1)),
        ([Y, Y, Y], Streak(3, 3)),
        # An unanswered question breaks the run.
        ([Y, Y, N, Y], Streak(1, 2)),
        ([Y, Y, Y, N], Streak(0, 3)),
        # Today's question still open and not answered yet does not break it...
        ([Y, Y, OPEN], Streak(2, 2)),
        # ...and answering it extends it.
        ([Y, Y, OPEN_Y], Streak(3, 3)),
        # Only the newest open questions are forgiven; an older miss still counts.
        ([Y, N, Y, OPEN], Streak(1, 1)),
        ([N, N, N], Streak(0, 0)),
        ([Y, Y, N, Y, Y, Y, N, Y], Streak(1, 3)),
    ],
)
def test_streak(asked: list[Asked], expected: Streak) -> None:
    assert streak(asked) == expected


def test_days_without_a_question_are_simply_absent() -> None:
    # Monday, Tuesday answered; Wednesday skipped by an admin (no post); weekend (no post);
    # Thursday, Friday, next Monday answered: the run is unbroken.
    assert streak([Y, Y, Y, Y, Y]) == Streak(5, 5)


def test_workspace_streak_is_the_best_across_channels() -> None:
    assert best_streak([Streak(2, 9), Streak(4, 4), Streak(0, 1)]) == Streak(4, 9)
    assert best_streak([]) == Streak(0, 0)
