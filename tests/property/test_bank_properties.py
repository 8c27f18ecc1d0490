"""Content loading on generated packs (SPEC §8): broken YAML, wrong types, missing fields and
hostile text are reported as problems, never raised, and whatever loads obeys the schema."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import bank
from tests.property.strategies import FAST, medium_text, short_text

slugs = st.from_regex(r"[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,3}", fullmatch=True)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), short_text)
junk = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(short_text, inner, max_size=4),
    max_leaves=8,
)
sentence = st.lists(st.sampled_from(("model", "data", "Bias", "variance", "loss")), min_size=3,
                    max_size=12).map(" ".join)  # fmt: skip
key_point = st.fixed_dictionaries(
    {"point": st.one_of(sentence, medium_text, junk), "hint": st.one_of(sentence, junk)},
    optional={
        "cues": st.one_of(st.lists(st.one_of(short_text, st.integers()), max_size=4), junk),
        "alternatives": st.lists(st.one_of(sentence, short_text), max_size=3),
        "weight": st.one_of(st.floats(allow_nan=False), st.integers(), st.booleans(), junk),
        "extra": junk,
    },
)
question = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(slugs, short_text, st.integers()),
        "topic": st.one_of(st.just("generated"), slugs, junk),
        "level": st.one_of(st.sampled_from(("junior", "mid", "senior", "Senior ", "guru")), junk),
        "kind": st.one_of(st.sampled_from(("concept", "scenario", "design")), junk),
        "question": st.one_of(medium_text, sentence, junk),
        "key_points": st.one_of(st.lists(key_point, max_size=9), junk),
        "model_answer": st.one_of(sentence.map(lambda s: " ".join([s] * 12)), medium_text, junk),
        "pitfalls": st.one_of(st.lists(sentence, max_size=5), junk),
        "source": st.one_of(st.lists(short_text, max_size=2), short_text, junk),
        "surprise": junk,
    },
)
pack = st.fixed_dictionaries(
    {},
    optional={
        "topic": st.one_of(st.just("generated"), slugs, junk),
        "title": st.one_of(medium_text, junk),
        "description": st.one_of(medium_text, junk),
        "questions": st.one_of(st.lists(question, max_size=4), junk),
        "unknown": junk,
    },
)
raw_files = st.one_of(
    pack.map(lambda doc: yaml.safe_dump(doc, allow_unicode=True).encode()),
    junk.map(lambda doc: yaml.safe_dump(doc, allow_unicode=True).encode()),
    medium_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=200),
    st.sampled_from(
        (b"", b"key: [unclosed", b"- a\n - b", b"\xff\xfe", b"!!python/object:os.system x",
         b"&a [*a]", b"a: &x 1\nb: *y")
    ),
)  # fmt: skip


def check_directory(files: list[bytes]) -> tuple[bank.Bank, list[bank.Problem]]:
    with tempfile.TemporaryDirectory() as tmp:
        for n, content in enumerate(files):
            (Path(tmp) / f"pack-{n}.yaml").write_bytes(content)
        loaded, problems = bank.check([Path(tmp)])
        if not problems:  # nothing wrong: loading for real must give the same bank
            assert bank.load_bank([Path(tmp)]) == loaded
        return loaded, problems


@FAST
@given(files=st.lists(raw_files, min_size=1, max_size=3))
def test_any_pack_is_loaded_or_its_problems_reported(files: list[bytes]) -> None:
    loaded, problems = check_directory(files)
    for problem in problems:
        assert str(problem).strip()
    for q in loaded.questions:
        assert bank.ID_PATTERN.match(q.id)
        assert q.topic in loaded.topics
        assert bank.KEY_POINTS_MIN <= len(q.key_points) <= bank.KEY_POINTS_MAX
        assert all(kp.point.strip() and kp.hint.strip() and kp.weight > 0 for kp in q.key_points)
        assert q.question.strip()
        assert len(q.question) <= bank.QUESTION_MAX_CHARS
    ids = [q.id for q in loaded.questions]
    assert len(ids) == len(set(ids))
    assert loaded.summary()


def _valid(n: int) -> dict[str, Any]:
    return {
        "id": f"gen-q-{n}", "topic": "generated", "level": "mid", "kind": "concept",
        "question": "What does regularisation do to a model's variance?",
        "key_points": [
            {"point": f"Point {i} names the model variance trade", "cues": ["variance"],
             "hint": "Think about variance."}
            for i in range(3)
        ],
        "model_answer": " ".join(["Regularisation shrinks weights and lowers variance."] * 20),
        "pitfalls": ["Saying it always helps.", "Ignoring bias."], "source": ["seed.md"],
    }  # fmt: skip


@FAST
@given(broken=question, position=st.integers(min_value=0, max_value=3))
def test_one_broken_question_never_hides_the_valid_ones(
    broken: dict[str, Any], position: int
) -> None:
    questions: list[Any] = [_valid(n) for n in range(3)]
    questions.insert(position, broken)
    doc = {"topic": "generated", "title": "Generated", "questions": questions}
    loaded, problems = check_directory([yaml.safe_dump(doc, allow_unicode=True).encode()])
    # A broken question may share an id with a valid one; every other valid one loads.
    assert {f"gen-q-{n}" for n in range(3)} - {broken.get("id")} <= {q.id for q in loaded.questions}
    assert problems or broken.get("id") in {q.id for q in loaded.questions}
