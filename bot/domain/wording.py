"""Which part of an answer an approved appeal teaches the grader (SPEC §4.2 appeals).

An admin approves "this answer covers that key point", but storing the whole answer as an
accepted wording would let any long answer match the point later. So we keep only the sentence
(or two adjacent sentences, or clauses of a very long sentence) that the grader itself finds
closest to the point, and nothing too short to mean more than a keyword.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.domain import grading
from bot.domain.bank import KeyPoint

MAX_WORDING_CHARS = 300
# Fewer words than this is a keyword, not a phrasing: it would cover the point by name-dropping.
MIN_WORDING_WORDS = 4
# Only this much of an answer is searched, as only this much is graded (answer.MAX_GRADED_CHARS).
MAX_SEARCHED_CHARS = 40_000
# Each piece is graded on its own (about a millisecond each), so the search is bounded: the first
# pieces of a huge answer, then pairs of neighbours around the best few pieces only.
MAX_PIECES = 150
PAIR_SEEDS = 8

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\s*\n+\s*")
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+|\s+[-–—]+\s+")

_Rank = tuple[float, float, float, int]


def _split(text: str, pattern: re.Pattern[str]) -> list[str]:
    return [p.strip() for p in pattern.split(text) if p and p.strip()]


def _clip(text: str) -> str:
    """At most MAX_WORDING_CHARS, cut at a word boundary."""
    if len(text) <= MAX_WORDING_CHARS:
        return text
    cut = text[:MAX_WORDING_CHARS]
    return cut.rsplit(" ", 1)[0] if " " in cut else cut


def pieces(answer: str) -> list[str]:
    """The answer's sentences in order; an over-long sentence is cut into its clauses."""
    found: list[str] = []
    for sentence in _split(answer[:MAX_SEARCHED_CHARS], _SENTENCE_END):
        if len(sentence) <= MAX_WORDING_CHARS:
            found.append(sentence)
        else:
            found += [_clip(c) for c in _split(sentence, _CLAUSE_END)]
        if len(found) >= MAX_PIECES:
            break
    return found[:MAX_PIECES]


def best_wording(
    answer: str,
    key_points: Sequence[KeyPoint],
    index: int,
    *,
    question: str = "",
    idf: Mapping[str, float] | None = None,
) -> str | None:
    """The part of `answer` that best states key point `index`, or None when none does.

    A part that the grader finds closer to *another* key point is not what the appeal is about
    (teaching it would let that other idea cover this point): it is never chosen. The rest are
    ranked by how much more they look like this point than like any other; then by strength for
    this point, by likeness to the point's text, and shorter first (less to match by accident).
    """

    def rank(text: str) -> _Rank:
        points = grading.grade(text, key_points, question=question, idf=idf).points
        this = points[index].strength
        other = max((p.strength for p in points if p.index != index), default=0.0)
        return (this - other, this, grading.similarity(text, key_points[index].point), -len(text))

    def eligible(text: str, r: _Rank) -> bool:
        return r[0] >= 0.0 and len(text.split()) >= MIN_WORDING_WORDS

    parts = pieces(answer)
    ranks = [rank(p) for p in parts]
    options = [(r, p) for p, r in zip(parts, ranks, strict=True) if eligible(p, r)]
    # A point stated across two sentences: join the best pieces with their neighbours.
    seeds = sorted(range(len(parts)), key=lambda i: ranks[i], reverse=True)[:PAIR_SEEDS]
    pairs = {(i - 1, i) for i in seeds if i > 0} | {(i, i + 1) for i in seeds if i + 1 < len(parts)}
    for a, b in sorted(pairs):
        joined = f"{parts[a]} {parts[b]}"
        if len(joined) <= MAX_WORDING_CHARS:
            r = rank(joined)
            if eligible(joined, r):
                options.append((r, joined))
    return max(options)[1] if options else None
