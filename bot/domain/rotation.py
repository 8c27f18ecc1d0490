"""Which question a channel gets next: no repeats until every eligible question was asked."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.bank import Question

LOW_BANK_THRESHOLD = 5


@dataclass(frozen=True, slots=True)
class Pick:
    """The chosen question and how many eligible ones remain unasked in this cycle after it."""

    question: Question
    remaining: int
    new_cycle: bool


def unasked(eligible: Sequence[Question], history: Sequence[str]) -> list[Question]:
    """Eligible questions not yet asked in the current cycle.

    `history` is the channel's asked question ids, oldest first. A cycle ends when every eligible
    question has been asked; the next one starts fresh.
    """
    ids = {q.id for q in eligible}
    seen: set[str] = set()
    for question_id in history:
        if question_id in ids:
            seen.add(question_id)
            if seen == ids:
                seen = set()
    return [q for q in eligible if q.id not in seen]


def pick_next(eligible: Sequence[Question], history: Sequence[str], seed: str) -> Pick | None:
    """Choose the next question (deterministic for a given seed); None when nothing is eligible."""
    if not eligible:
        return None
    candidates = unasked(eligible, history)
    new_cycle = len(candidates) == len(eligible)
    question = random.Random(seed).choice(candidates)
    return Pick(question, len(candidates) - 1, new_cycle)


def should_warn_low_bank(pick: Pick, already_warned: bool) -> bool:
    """Tell the admins once per cycle when fewer than five unasked questions remain."""
    return pick.remaining < LOW_BANK_THRESHOLD and not already_warned
