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
partial - weak. tests/domain/test_bank_answers.py asserts the held-out figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.bank import Bank, load_bank
from bot.domain.grading import DEFAULT_CONFIG, GraderConfig, build_idf, grade

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "tests" / "data" / "bank-answers.yaml"
KINDS = ("strong", "partial", "weak")
# The grader before this work (its SemEval-tuned defaults, new knobs off): grades exactly as the
# old grader did, so it is the baseline of the same run.
OLD_CONFIG = GraderConfig(
    word_threshold=70.0,
    exact_len=3,
    idf_power=0.0,
    echo_weight=0.3,
    echo_floor=0.25,
    window_sentences=2,
    max_sentence_tokens=40,
    negation_scope=2,
    negation_penalty=0.5,
    dump_penalty=0.5,
    cover_threshold=0.7,
    partial_credit=1.0,
    partial_floor=0.0,
    max_anchors=6,
    full_concepts=0.0,
    min_found=0,
    cue_bonus=0.0,
)


@dataclass(frozen=True)
class Answer:
    question_id: str
    kind: str
    covered: frozenset[int]
    text: str


@dataclass(frozen=True)
class Quality:
    precision: float
    recall: float
    f1: float
    mean_by_kind: dict[str, float]
    n_answers: int

    @property
    def gaps(self) -> tuple[float, float]:
        m = self.mean_by_kind
        return m["strong"] - m["partial"], m["partial"] - m["weak"]


def load_answers(path: Path = ANSWERS) -> list[Answer]:
    with path.open(encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    return [
        Answer(a["question_id"], a["kind"], frozenset(a["covered"]), a["text"])
        for a in doc["answers"]
    ]


def split_of(bank: Bank, question_ids: Sequence[str]) -> dict[str, str]:
    """'tune' or 'held-out' for each question: within a topic, sorted ids alternate."""
    by_topic: dict[str, list[str]] = {}
    for qid in sorted(set(question_ids)):
        q = bank.get(qid)
        assert q is not None, qid
        by_topic.setdefault(q.topic, []).append(qid)
    return {
        qid: ("tune" if k % 2 == 0 else "held-out")
        for ids in by_topic.values()
        for k, qid in enumerate(ids)
    }


def bank_and_idf() -> tuple[Bank, dict[str, float]]:
    bank = load_bank([ROOT / "content"])
    idf = build_idf(t for q in bank.questions for kp in q.key_points for t in (kp.point, *kp.cues))
    return bank, idf


def measure(
    bank: Bank, idf: dict[str, float], answers: Sequence[Answer], config: GraderConfig
) -> Quality:
    tp = fp = fn = 0
    scores: dict[str, list[int]] = {k: [] for k in KINDS}
    for a in answers:
        q = bank.get(a.question_id)
        assert q is not None, a.question_id
        g = grade(a.text, q.key_points, question=q.question, idf=idf, config=config)
        got = set(g.covered_indices)
        tp += len(got & a.covered)
        fp += len(got - a.covered)
        fn += len(a.covered - got)
        scores[a.kind].append(g.score)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    means = {k: statistics.fmean(v) if v else 0.0 for k, v in scores.items()}
    return Quality(p, r, f1, means, len(answers))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("tune", "held-out", "all"), default="held-out")
    args = parser.parse_args(argv)
    bank, idf = bank_and_idf()
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
