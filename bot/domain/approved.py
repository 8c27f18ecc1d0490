"""Key points approved on appeal: they count in full while the answer still says what was judged.

An admin approves a missed key point for the answer as it stood (the appeal keeps that text). A
later reply or edit re-grades the answer; the approval stays in force as long as the judged text
is still part of the answer, and lapses when the person rewrites it (the admin did not judge the
new words). Pure functions: the use cases read the appeals and store the result.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from bot.domain import grading
from bot.domain.bank import KeyPoint


def still_approved(
    approved: Iterable[tuple[int, str | None]], text: str, covered: Collection[int]
) -> frozenset[int]:
    """Indices approved on appeal that the grader missed and whose judged text is still there."""
    return frozenset(i for i, judged in approved if i not in covered and judged and judged in text)


def score_counting(
    text: str,
    key_points: Sequence[KeyPoint],
    counted: Collection[int],
    *,
    question: str,
    idf: Mapping[str, float],
    score: int,
) -> int:
    """`score` with the `counted` key points in full, the others as the grader finds them.

    Key points are graded independently, so the others' share is their own grade, weighed.
    """
    weights = [max(kp.weight, 0.0) for kp in key_points]
    total = sum(weights)
    if total <= 0 or not counted:
        return score
    full = sum(weights[i] for i in counted)
    others = [kp for i, kp in enumerate(key_points) if i not in counted]
    rest = total - full
    rest_score = grading.grade(text, others, question=question, idf=idf).score if rest else 0
    return max(score, min(100, round((rest_score * rest + 100 * full) / total)))
