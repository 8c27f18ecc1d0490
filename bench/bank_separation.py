"""Does the grader tell the bank's questions apart? Model answers against key points.

Run: `python bench/bank_separation.py`. For every question of the bank (content/*.yaml), graded as
the bot grades (question text, bank-wide IDF):
- own: its model answer against its own key points (should be high);
- other: another question's model answer against its key points: every ordered pair within a
  topic (the hardest case) plus, for each question, 3 deterministic questions from other topics
  (should be low);
- typo cost: own score minus the score of the model answer with typos in 20 % of its words
  (a letter swapped, dropped or doubled in words longer than 3 letters; seeded by question id).
tests/domain/test_bank_grading.py asserts the same checks; both use the helpers of
tests/bank_eval.py.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.domain.bank import Bank  # noqa: E402
from tests.bank_eval import (  # noqa: E402
    bank_idf,
    load_content_bank,
    other_topic_questions,
    score,
    with_typos,
)


def measure(bank: Bank, idf: dict[str, float]) -> dict[str, list[tuple[int, str]]]:
    """Scores by check, each with a label naming the questions involved."""
    qs = bank.questions
    own = [(score(q.model_answer, q, idf), q.id) for q in qs]
    within = [
        (score(a.model_answer, q, idf), f"{a.id} -> {q.id}")
        for q in qs
        for a in qs
        if a.topic == q.topic and a.id != q.id
    ]
    across = [
        (score(a.model_answer, q, idf), f"{a.id} -> {q.id}")
        for q in qs
        for a in other_topic_questions(qs, q)
    ]
    own_by_id = {i: s for s, i in own}
    typos = [(own_by_id[q.id] - score(with_typos(q.model_answer, q.id), q, idf), q.id) for q in qs]
    return {"own": own, "within": within, "across": across, "typo": typos}


def pct(xs: Sequence[int], p: float) -> float:
    ordered = sorted(xs)
    return float(ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))])


def main() -> None:
    started = time.perf_counter()
    bank = load_content_bank()
    idf = bank_idf(bank)
    r = measure(bank, idf)
    own = [s for s, _ in r["own"]]
    print(f"{len(bank.questions)} questions")
    print("| check | n | min | median | p95 | max | worst |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, label, worst in (
        ("own", "own model answer", min),
        ("within", "other answer, same topic", max),
        ("across", "other answer, other topic", max),
        ("typo", "typo cost (20 % of words)", max),
    ):
        xs = [s for s, _ in r[name]]
        w = worst(r[name])
        print(
            f"| {label} | {len(xs)} | {min(xs)} | {statistics.median(xs):g} | {pct(xs, 0.95):g} "
            f"| {max(xs)} | {w[1]} ({w[0]}) |"
        )
    print(f"\nown scores below 80: {sorted(x for x in r['own'] if x[0] < 80)}")
    print(f"other scores above 30: {sorted(x for x in r['within'] + r['across'] if x[0] > 30)}")
    print(f"typo costs above 10: {sorted(x for x in r['typo'] if x[0] > 10)}")
    print(f"own median {statistics.median(own):g}; elapsed {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
