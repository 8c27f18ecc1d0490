"""Which part of an answer an approved appeal teaches the grader."""

from __future__ import annotations

from bot.domain.bank import KeyPoint
from bot.domain.wording import MAX_PIECES, MAX_WORDING_CHARS, best_wording, pieces

POINTS = (
    KeyPoint("Bias is error from an overly simple model, which underfits."),
    KeyPoint("Variance is error from sensitivity to the training data, which overfits."),
    KeyPoint("Total error is bias squared plus variance plus irreducible noise."),
)
BIAS = "Bias is the error you get when the model is too simple, so it underfits."
VARIANCE = "Variance is error from being too sensitive to the training data, so it overfits."
PARAPHRASE = "What we care about is how wrong we are on fresh examples, part of it forever."


def test_the_sentence_stating_the_point_is_chosen_not_one_stating_another_point() -> None:
    answer = f"{BIAS} {VARIANCE} {PARAPHRASE}"
    assert best_wording(answer, POINTS, 2) == PARAPHRASE
    assert best_wording(answer, POINTS, 0) == BIAS


def test_no_wording_when_every_part_is_a_keyword_or_another_point() -> None:
    assert best_wording("Underfits. Overfits. Noise.", POINTS, 2) is None
    assert best_wording(f"{BIAS} {VARIANCE}", POINTS, 2) is None
    assert best_wording("", POINTS, 2) is None


def test_pieces_stay_short_and_few_even_for_one_endless_sentence() -> None:
    endless = ", ".join(f"clause number {n} about models and data" for n in range(2000))
    found = pieces(endless)
    assert 0 < len(found) <= MAX_PIECES
    assert all(len(c) <= MAX_WORDING_CHARS for c in found)
    assert best_wording(f"{PARAPHRASE} {endless}", POINTS, 2) == PARAPHRASE


def test_a_point_stated_across_two_sentences_is_kept_whole() -> None:
    answer = f"{BIAS} {VARIANCE} Total error adds both. Plus irreducible noise on top of it."
    chosen = best_wording(answer, POINTS, 2)
    assert chosen == "Total error adds both. Plus irreducible noise on top of it."


def test_pieces_are_sentences_in_order() -> None:
    assert pieces("One two three. Four five six!\nSeven eight?") == [
        "One two three.",
        "Four five six!",
        "Seven eight?",
    ]
