"""Streaks (SPEC §4.3): consecutive questions of a channel answered. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Streak:
    """Consecutive questions answered: running now, and the best run ever."""

    current: int = 0
    longest: int = 0


@dataclass(frozen=True, slots=True)
class Asked:
    """One question the channel was asked, oldest first, and whether the person answered."""

    answered: bool
    is_open: bool = False


def streak(asked: Sequence[Asked]) -> Streak:
    """Streak over the channel's questions in order.

    Only questions actually posted are given: skipped dates and non-schedule days are simply
    absent, so they never break a run. An unanswered question breaks it, except the newest ones
    while still open (the person may yet answer).
    """
    longest = run = 0
    for item in asked:
        run = run + 1 if item.answered else 0
        longest = max(longest, run)
    current = 0
    pending = True  # still inside the trailing open, unanswered questions
    for item in reversed(asked):
        if item.answered:
            current += 1
            pending = False
        elif pending and item.is_open:
            continue
        else:
            break
    return Streak(current, longest)


def best_streak(streaks: Iterable[Streak]) -> Streak:
    """A person's workspace streak: the best current and best longest across their channels."""
    found = list(streaks)
    return Streak(
        max((s.current for s in found), default=0), max((s.longest for s in found), default=0)
    )
