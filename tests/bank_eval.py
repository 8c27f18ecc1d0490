"""Shared helpers for grading the real question bank, used by tests and bench scripts alike.

tests/domain/test_bank_answers.py and tests/domain/test_bank_grading.py assert bounds on what
bench/bank_answers.py and bench/bank_separation.py print; both sides import these helpers so the
benches report exactly what the tests check (same loading, split, typos and scoring).
"""

from __future__ import annotations

import random
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.domain.bank import Bank, Question, load_bank
from bot.domain.grading import DEFAULT_CONFIG, GraderConfig, build_idf, grade

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
ANSWERS = ROOT / "tests" / "data" / "bank-answers.yaml"
KINDS = ("strong", "partial", "weak")
# The grader before realistic answers were used (its SemEval-tuned defaults, new knobs off). Every
# field is spelled out so the baseline stays the old grader even when the defaults move.
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
# Typos go only into words of 4+ letters: a shorter word has no inner letter to swap or drop.
_WORD = re.compile(r"[A-Za-z]{4,}")


@dataclass(frozen=True)
class Answer:
    """One hand-written candidate answer and the key points a human ticks as covered."""

    question_id: str
    kind: str
    covered: frozenset[int]
    text: str


@dataclass(frozen=True)
class Quality:
    """Agreement with the human labels (micro over answer x point pairs) and mean score by kind."""

    precision: float
    recall: float
    f1: float
    mean_by_kind: dict[str, float]
    n_answers: int

    @property
    def gaps(self) -> tuple[float, float]:
        """Mean score gaps strong - partial and partial - weak."""
        m = self.mean_by_kind
        return m["strong"] - m["partial"], m["partial"] - m["weak"]


def load_content_bank() -> Bank:
    """The real question bank (content/*.yaml)."""
    return load_bank([CONTENT])


def bank_idf(bank: Bank) -> dict[str, float]:
    """Bank-wide IDF over every key point and cue, as the bot builds it."""
    return build_idf(t for q in bank.questions for kp in q.key_points for t in (kp.point, *kp.cues))


def load_answers(path: Path = ANSWERS) -> list[Answer]:
    """The hand-labelled candidate answers of tests/data/bank-answers.yaml."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Answer(a["question_id"], a["kind"], frozenset(a["covered"]), a["text"])
        for a in doc["answers"]
    ]


def split_of(bank: Bank, question_ids: Sequence[str]) -> dict[str, str]:
    """'tune' or 'held-out' for each question: within a topic, sorted ids alternate."""
    # Splitting whole questions (not answers) keeps every held-out question unseen by the tuning;
    # alternating within a topic keeps both halves spread over all topics.
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


def measure(
    bank: Bank,
    idf: dict[str, float],
    answers: Sequence[Answer],
    config: GraderConfig = DEFAULT_CONFIG,
) -> Quality:
    """Grade `answers` as the bot does and compare the covered points with the human labels."""
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
    # Guarded so a split with no labelled or no predicted points reports 0 instead of crashing.
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    means = {k: statistics.fmean(v) if v else 0.0 for k, v in scores.items()}
    return Quality(p, r, f1, means, len(answers))


def score(answer: str, q: Question, idf: dict[str, float]) -> int:
    """As the bot grades: the question's key points and text, the bank-wide IDF."""
    return grade(answer, q.key_points, question=q.question, idf=idf).score


def typo(word: str, rng: random.Random) -> str:
    """Two neighbouring letters swapped, a letter dropped, or a letter doubled."""
    # Inner positions only: the first letter is kept, and a swap needs a letter after i.
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def with_typos(text: str, seed: str, share: float = 0.2) -> str:
    """`text` with a typo in `share` of its words, among words longer than 3 letters."""
    # Seeded (by question id) so every run, test or bench, mistypes the same words the same way.
    rng = random.Random(seed)
    words = list(_WORD.finditer(text))
    # The share is of all words (what the tests state), capped at the number of eligible ones.
    picked = sorted(
        rng.sample(range(len(words)), min(len(words), round(share * len(text.split()))))
    )
    out, last = [], 0
    for k in picked:
        m = words[k]
        out += [text[last : m.start()], typo(m.group(), rng)]
        last = m.end()
    return "".join([*out, text[last:]])


def other_topic_questions(questions: Sequence[Question], q: Question, n: int = 3) -> list[Question]:
    """`n` questions of other topics, the same on every run (seeded by the question id)."""
    others = [o for o in questions if o.topic != q.topic]
    return random.Random(q.id).sample(others, n)
