"""Realistic candidate answers: does the grader agree with a human about which points are covered?

Run: `python bench/bank_answers.py [--split tune|held-out|all]` (default: held-out).
Data: tests/data/bank-answers.yaml, hand-written answers to bank questions (kinds strong /
partial / weak), each with `covered`, the key-point indices a fair, strict interviewer ticks.
The questions are split deterministically into a tuning half and a held-out half (`split_of`:
within each topic, the questions sorted by id alternate tune / held-out), so whole questions are
unseen by the tuning. Graded as the bot grades (question text, bank-wide IDF).

Reported for the current DEFAULT_CONFIG and, in the same run, the grader as it was before this
work (OLD_CONFIG): per key point, precision / recall / F1 of "covered" against the human labels
(micro over all answer x point pairs); mean score by kind; and the gaps strong - partial,
partial - weak. tests/domain/test_bank_answers.py asserts the held-out figures; both use the
helpers of tests/bank_eval.py.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.domain.grading import DEFAULT_CONFIG  # noqa: E402
from tests.bank_eval import (  # noqa: E402
    OLD_CONFIG,
    bank_idf,
    load_answers,
    load_content_bank,
    measure,
    split_of,
)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("tune", "held-out", "all"), default="held-out")
    args = parser.parse_args(argv)
    bank = load_content_bank()
    idf = bank_idf(bank)
    answers = load_answers()
    split = split_of(bank, [a.question_id for a in answers])
    picked = [a for a in answers if args.split == "all" or split[a.question_id] == args.split]
    n_q = len({a.question_id for a in picked})
    print(f"{args.split}: {len(picked)} answers to {n_q} questions")
    print(
        "| grader | point precision | point recall | point F1 | strong mean | partial mean "
        "| weak mean | strong - partial | partial - weak |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, config in (("old grader", OLD_CONFIG), ("ours", DEFAULT_CONFIG)):
        r = measure(bank, idf, picked, config)
        m = r.mean_by_kind
        g1, g2 = r.gaps
        print(
            f"| {name} | {r.precision:.3f} | {r.recall:.3f} | {r.f1:.3f} | {m['strong']:.1f} "
            f"| {m['partial']:.1f} | {m['weak']:.1f} | {g1:.1f} | {g2:.1f} |"
        )


if __name__ == "__main__":
    main()
