"""Question rotation: no repeats until the eligible bank is exhausted; a low-bank warning once."""

from __future__ import annotations

from bot.domain.bank import KeyPoint, Kind, Level, Question
from bot.domain.rotation import pick_next, should_warn_low_bank, unasked


def q(n: int) -> Question:
    kp = KeyPoint("a point", ("cue",), (), "hint")
    return Question(f"q-{n}", "t", Level.MID, Kind.CONCEPT, f"Question {n}?", (kp,) * 3, "x")


BANK = [q(n) for n in range(8)]


def test_no_repeat_until_every_question_was_asked() -> None:
    history: list[str] = []
    for _ in range(len(BANK)):
        pick = pick_next(BANK, history, seed=f"c:{len(history)}")
        assert pick is not None
        assert pick.question.id not in history
        history.append(pick.question.id)
    assert sorted(history) == sorted(x.id for x in BANK)
    again = pick_next(BANK, history, seed="c:next")
    assert again is not None
    assert again.new_cycle
    assert again.remaining == len(BANK) - 1


def test_history_of_questions_no_longer_eligible_is_ignored() -> None:
    history = ["retired-1", "q-0", "retired-2"]
    assert [x.id for x in unasked(BANK, history)] == [f"q-{n}" for n in range(1, 8)]


def test_a_completed_cycle_starts_over() -> None:
    history = [x.id for x in BANK] + ["q-3"]
    assert "q-3" not in [x.id for x in unasked(BANK, history)]
    assert len(unasked(BANK, history)) == 7


def test_pick_is_deterministic_for_a_seed() -> None:
    first = pick_next(BANK, [], seed="T1:C1:0")
    second = pick_next(BANK, [], seed="T1:C1:0")
    assert first == second


def test_nothing_eligible_gives_none() -> None:
    assert pick_next([], [], seed="x") is None


def test_low_bank_warning_once() -> None:
    history = [x.id for x in BANK[:4]]
    pick = pick_next(BANK, history, seed="s")
    assert pick is not None
    assert pick.remaining == 3
    assert should_warn_low_bank(pick, already_warned=False)
    assert not should_warn_low_bank(pick, already_warned=True)
    early = pick_next(BANK, [], seed="s")
    assert early is not None
    assert not should_warn_low_bank(early, already_warned=False)
