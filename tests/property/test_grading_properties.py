"""The grader on any input (SPEC §5): never raises, scores 0-100, covered and missed partition
the key points, evidence is a span of the answer, and the result is deterministic."""

from __future__ import annotations

from functools import cache

from hypothesis import given
from hypothesis import strategies as st

from bot.domain import grading
from bot.domain.bank import Bank, KeyPoint, load_bank
from bot.paths import builtin_content_dir
from tests.property.strategies import FAST, SLOW, short_text, text

MAX_GRADED_CHARS = 40_000  # what the answer use case grades at most (SPEC §5)


@cache
def bank() -> Bank:
    return load_bank([builtin_content_dir()])


@cache
def idf() -> dict[str, float]:
    return grading.build_idf(kp.point for q in bank().questions for kp in q.key_points)


bank_key_points = st.integers(min_value=0, max_value=10_000).map(
    lambda i: bank().questions[i % len(bank().questions)].key_points
)
made_up_key_points = st.lists(
    st.one_of(
        short_text,
        st.builds(
            KeyPoint,
            point=short_text,
            cues=st.lists(short_text, max_size=3).map(tuple),
            alternatives=st.lists(short_text, max_size=2).map(tuple),
            weight=st.floats(min_value=-1, max_value=5, allow_nan=False),
        ),
    ),
    max_size=8,
)
key_points = st.one_of(bank_key_points, made_up_key_points)


def check(result: grading.Grade, answer: str, n: int) -> None:
    assert isinstance(result.score, int)
    assert 0 <= result.score <= 100
    covered, missed = set(result.covered_indices), set(result.missed_indices)
    assert covered.isdisjoint(missed)
    assert covered | missed == set(range(n))
    assert [p.index for p in result.points] == list(range(n))
    assert set(result.evidence) <= covered
    for span in result.evidence.values():
        assert span
        assert span in answer
    if not answer.strip():
        assert result.score == 0
        assert result.message


@FAST
@given(answer=text, points=key_points, use_idf=st.booleans())
def test_grading_any_answer_keeps_the_contract(
    answer: str, points: tuple[KeyPoint | str, ...], use_idf: bool
) -> None:
    answer = answer[:MAX_GRADED_CHARS]
    result = grading.grade(answer, points, idf=idf() if use_idf else None)
    check(result, answer, len(points))


@SLOW
@given(answer=text, index=st.integers(min_value=0, max_value=10_000))
def test_grading_a_bank_question_is_deterministic(answer: str, index: int) -> None:
    question = bank().questions[index % len(bank().questions)]
    answer = answer[:MAX_GRADED_CHARS]
    first = grading.grade(answer, question.key_points, question=question.question, idf=idf())
    again = grading.grade(answer, question.key_points, question=question.question, idf=idf())
    assert first == again
    check(first, answer, len(question.key_points))


@FAST
@given(a=text, b=text)
def test_similarity_is_a_bounded_symmetric_ratio(a: str, b: str) -> None:
    a, b = a[:2000], b[:2000]
    score = grading.similarity(a, b)
    assert 0.0 <= score <= 100.0
    assert score == grading.similarity(b, a)
