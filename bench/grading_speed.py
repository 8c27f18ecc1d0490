"""Grading speed (SPEC §7): time per answer against 6 key points, ours vs difflib.

Run: `python bench/grading_speed.py`. Two cases: a 150-word answer and a 40,000-character answer,
each graded against the same 6 key points; the baseline is `difflib.SequenceMatcher(None, point,
answer).ratio()` for each of the 6 points, timed in the same run on the same texts. Answers are
assembled from made-up AI/ML interview sentences with a fixed seed, so every run times the same
texts. Budget: <= 2 ms median (150 words) and <= 50 ms median (40,000 characters).
"""

from __future__ import annotations

import difflib
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.bank import KeyPoint
from bot.domain.grading import build_idf, grade

QUESTION = (
    "What is the bias-variance trade-off, and how do regularisation, cross-validation and "
    "ensembles help you manage it when a model overfits?"
)
KEY_POINTS = (
    KeyPoint(
        "Bias is error from wrong assumptions; high bias makes a model underfit.",
        cues=("underfitting", "too simple"),
    ),
    KeyPoint(
        "Variance is sensitivity to the training sample; high variance makes a model overfit.",
        cues=("overfitting", "memorises noise"),
    ),
    KeyPoint(
        "Regularisation such as L1 or L2 penalises large weights and reduces variance.",
        cues=("weight decay", "ridge", "lasso"),
        alternatives=("Adding a penalty on the weights lowers variance at the cost of some bias.",),
    ),
    KeyPoint(
        "Cross-validation estimates generalisation error to choose model complexity.",
        cues=("k-fold", "held-out folds"),
    ),
    KeyPoint(
        "Bagging averages many high-variance models to reduce variance.",
        cues=("random forest", "bootstrap aggregating"),
    ),
    KeyPoint(
        "More training data reduces variance but does not fix high bias.",
        cues=("collect more data", "data augmentation"),
    ),
)
SENTENCES = (
    "Bias is the error that comes from wrong assumptions in the model, so a high-bias model "
    "underfits and misses real patterns.",
    "Variance measures how much the learned function changes when you train on a different "
    "sample; high variance means the model overfits and memorises noise.",
    "The trade-off is that making a model more flexible lowers bias but raises variance.",
    "L2 regularisation, also called weight decay or ridge, penalises large weights and shrinks "
    "them, which reduces variance.",
    "L1 or lasso pushes many weights to exactly zero, so it also does feature selection.",
    "I would use k-fold cross-validation to estimate the generalisation error and pick the "
    "regularisation strength and model complexity.",
    "Bagging, for example a random forest, averages many deep trees trained on bootstrap "
    "samples, and the averaging cuts variance.",
    "Boosting works the other way round: it adds weak learners sequentially to reduce bias.",
    "Collecting more training data usually helps an overfitting model, but it won't fix a model "
    "that is too simple.",
    "In practice I plot learning curves: a big gap between training and validation loss "
    "suggests variance, while two high curves suggest bias.",
    "Early stopping on a validation set is another cheap form of regularization for neural nets.",
    "Dropout randomly zeroes activations during training, which acts like an ensemble of "
    "thinned networks.",
    "For gradient boosted trees I'd tune max depth, learning rate and the number of estimators "
    "with a held-out set.",
    "Data leakage can make validation scores look great while the model fails in production.",
    "It's worth checking the metric too: accuracy isn't enough on imbalanced data, so I'd look "
    "at precision, recall and PR-AUC.",
    "Feature engineering and better inputs can reduce bias when the model is underfitting.",
    "A linear model on a non-linear problem is the classic high-bias example.",
    "A 1-nearest-neighbour classifier is the classic high-variance example because it "
    "memorises every training point.",
    "Ensembling several models with different errors generally gives a more stable prediction.",
    "Finally, I'd monitor the model after deployment, since drift changes the bias and variance "
    "picture over time.",
)


def answer_of(rng: random.Random, words: int | None = None, chars: int | None = None) -> str:
    """Shuffled interview sentences, cut at exactly `words` words or `chars` characters."""
    parts: list[str] = []
    pool = list(SENTENCES)
    while sum(len(p) + 1 for p in parts) < (chars or 0) + 1 or (
        words is not None and sum(len(p.split()) for p in parts) < words
    ):
        rng.shuffle(pool)
        parts.extend(pool)
    text = " ".join(parts)
    if words is not None:
        return " ".join(text.split()[:words])
    return text[:chars]


def timings(fn: Callable[[str], object], answers: Sequence[str], repeat: int) -> list[float]:
    """Seconds per call, over `repeat` passes through `answers` (after one warm-up pass)."""
    for a in answers:
        fn(a)
    out = []
    for _ in range(repeat):
        for a in answers:
            t0 = time.perf_counter()
            fn(a)
            out.append(time.perf_counter() - t0)
    return out


def p99(xs: Sequence[float]) -> float:
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def main() -> None:
    rng = random.Random(20240601)
    idf = build_idf(t for kp in KEY_POINTS for t in (kp.point, *kp.cues))
    short = [answer_of(rng, words=150) for _ in range(20)]
    long = [answer_of(rng, chars=40_000) for _ in range(5)]
    assert all(len(a.split()) == 150 for a in short), [len(a.split()) for a in short]
    assert all(len(a) == 40_000 for a in long), [len(a) for a in long]

    def ours(answer: str) -> object:
        return grade(answer, KEY_POINTS, question=QUESTION, idf=idf)

    def difflib_baseline(answer: str) -> object:
        return [difflib.SequenceMatcher(None, kp.point, answer).ratio() for kp in KEY_POINTS]

    cases = (("150 words, 6 key points", short, 50), ("40,000 chars, 6 key points", long, 10))
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print("| case | ours median | ours p99 | difflib median | difflib p99 | ours / difflib |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, answers, repeat in cases:
        mine = timings(ours, answers, repeat)
        base = timings(difflib_baseline, answers, repeat)
        m, b = statistics.median(mine), statistics.median(base)
        print(
            f"| {name} | {m * 1e3:.2f} ms | {p99(mine) * 1e3:.2f} ms | {b * 1e3:.2f} ms | "
            f"{p99(base) * 1e3:.2f} ms | {m / b:.2f}x |"
        )
    g = grade(long[0], KEY_POINTS, question=QUESTION, idf=idf)
    print(f"\n40,000-char answer: score {g.score}, covered {g.covered_indices} (sanity check)")


if __name__ == "__main__":
    main()
