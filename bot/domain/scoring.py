"""Points, reactions and ranking rules (SPEC §4.2, §4.3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

GOOD_SCORE = 70
FAIR_SCORE = 40


def points_for(score: int, *, late: bool, copied: bool) -> int:
    """1 for taking part plus score/10 rounded half up (1-11); copies and late answers earn 0."""
    if late or copied:
        return 0
    score = max(0, min(100, score))
    return 1 + (score + 5) // 10


def reaction_for(score: int) -> str:
    """The emoji put on a reply: ✅ at 70 or more, 🟡 at 40 or more, ✍️ below."""
    if score >= GOOD_SCORE:
        return "white_check_mark"
    if score >= FAIR_SCORE:
        return "large_yellow_circle"
    return "writing_hand"


@dataclass(frozen=True, slots=True)
class Entry:
    """One answer as the reveal ranks it."""

    user_id: str
    score: int
    answered_at: datetime


def top_answers(entries: Sequence[Entry], n: int = 3) -> list[Entry]:
    """The best `n` answers: highest score first, earlier answer first on a tie."""
    return sorted(entries, key=lambda e: (-e.score, e.answered_at, e.user_id))[:n]
