"""The question bank: the built-in bank's quality, and precise messages for broken packs."""

from __future__ import annotations

import copy
import itertools
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from bot.domain.bank import Bank, Kind, Level, Problem, check
from bot.paths import builtin_content_dir
from tests import seeds

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_PACK = ROOT / "docs" / "example-pack"
SEED_NAMES = {
    "000_10105b300225bac6.txt",
    "001_6f7bc8c36d62dbaa.txt",
    "002_7f17833994474c1e.txt",
    "003_0ca4b1b766bd317a.txt",
}


# -- the built-in bank ------------------------------------------------------------------------


def test_bank_is_large_and_balanced(bank: Bank) -> None:
    assert len(bank) >= 120
    per_topic = Counter(q.topic for q in bank.questions)
    assert len(per_topic) >= 8
    assert min(per_topic.values()) >= 10, per_topic
    per_level = Counter(q.level for q in bank.questions)
    assert all(per_level[level] >= 25 for level in Level), per_level
    assert set(Counter(q.kind for q in bank.questions)) == set(Kind)


def test_one_file_per_topic(bank: Bank) -> None:
    files = sorted(p.stem for p in builtin_content_dir().glob("*.yaml"))
    assert files == sorted(bank.topics)
    for path in builtin_content_dir().glob("*.yaml"):
        doc = yaml.safe_load(path.read_text())
        assert {q["topic"] for q in doc["questions"]} == {path.stem}


def test_every_question_meets_the_content_rules(bank: Bank) -> None:
    for q in bank.questions:
        assert 3 <= len(q.key_points) <= 8, q.id
        assert 80 <= len(q.model_answer.split()) <= 200, q.id
        assert 2 <= len(q.pitfalls) <= 4, q.id
        assert q.source, q.id
        assert set(q.source) <= SEED_NAMES, (q.id, q.source)
        for kp in q.key_points:
            assert len(kp.point.split()) <= 25, (q.id, kp.point)
            assert kp.cues, (q.id, kp.point)
            assert kp.hint, (q.id, kp.point)


def test_every_seed_is_drawn_on(bank: Bank) -> None:
    used = Counter(s for q in bank.questions for s in q.source)
    assert set(used) == SEED_NAMES
    assert min(used.values()) >= 5, used


def test_question_ids_have_their_topic_prefix(bank: Bank) -> None:
    prefixes: dict[str, set[str]] = {}
    for q in bank.questions:
        prefixes.setdefault(q.topic, set()).add(q.id.split("-")[0])
    assert all(len(p) == 1 for p in prefixes.values()), prefixes
    assert len({next(iter(p)) for p in prefixes.values()}) == len(prefixes)


def test_hints_do_not_give_the_point_away(bank: Bank) -> None:
    for q in bank.questions:
        for kp in q.key_points:
            hint = default_process(kp.hint)
            assert default_process(kp.point) not in hint, (q.id, kp.hint)
            assert fuzz.token_set_ratio(kp.point, kp.hint, processor=default_process) < 90


def test_no_near_duplicate_questions(bank: Bank) -> None:
    close = [
        (a.id, b.id, round(score))
        for a, b in itertools.combinations(bank.questions, 2)
        if (score := fuzz.token_sort_ratio(a.question, b.question, processor=default_process)) >= 80
    ]
    assert close == []


def test_bank_is_written_in_our_own_words(bank: Bank) -> None:
    fingerprint = seeds.seed_fingerprint()
    assert len(fingerprint) > 10_000
    copied = []
    for q in bank.questions:
        texts = [q.question, q.model_answer, *q.pitfalls]
        for kp in q.key_points:
            texts += [kp.point, kp.hint, *kp.alternatives]
        copied += [(q.id, run) for t in texts if (run := seeds.copied_run(t, fingerprint))]
    assert copied == []


def test_the_own_words_check_catches_a_copied_sentence() -> None:
    source = "Gradient boosting adds shallow trees one at a time, each fitting the residual errors."
    fingerprint = seeds.fingerprint_of([source])
    copied = "As I said, gradient boosting adds shallow trees one at a time to fix errors."
    assert seeds.copied_run(copied, fingerprint) == "gradient boosting adds shallow trees one at a"
    reworded = "Boosting grows small trees in sequence; every new tree corrects the last ones."
    assert seeds.copied_run(reworded, fingerprint) is None


def test_committed_fingerprint_matches_the_seeds() -> None:
    texts = seeds.seed_texts()
    committed = set(seeds.FINGERPRINT.read_text().split())
    if texts:  # the seeds travel beside every checkout CI makes
        assert committed == seeds.fingerprint_of(texts)
    assert len(committed) > 10_000


def test_eligible_filters_by_topic_and_level(bank: Bank) -> None:
    chosen = bank.eligible(["mlops"], Level.SENIOR)
    assert chosen
    assert all(q.topic == "mlops" and q.level is Level.SENIOR for q in chosen)
    assert len(bank.eligible()) == len(bank)
    assert bank.get(chosen[0].id) is chosen[0]
    assert bank.get("no-such-question") is None


def test_example_pack_is_accepted_beside_the_bank() -> None:
    merged, problems = check([builtin_content_dir(), EXAMPLE_PACK])
    assert problems == []
    assert {q.topic for q in merged.questions} >= {"search-and-ranking", "mlops"}


# -- broken packs -----------------------------------------------------------------------------

VALID: dict[str, Any] = {
    "id": "team-q1",
    "topic": "team",
    "level": "mid",
    "kind": "concept",
    "question": "Why do we normalise features before training a distance-based model?",
    "key_points": [
        {"point": f"Point number {n} is stated here.", "cues": [f"cue{n}"], "hint": "Think."}
        for n in range(1, 4)
    ],
    "model_answer": " ".join(["word"] * 90),
    "pitfalls": ["One weak claim.", "Another weak claim."],
    "source": ["team wiki"],
}


def write_pack(tmp_path: Path, *questions: dict[str, Any], header: Any = None) -> Path:
    doc = header if header is not None else {"topic": "team", "title": "Team"}
    if isinstance(doc, dict):
        doc = {**doc, "questions": list(questions)}
    (tmp_path / "team.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return tmp_path


def problems_for(tmp_path: Path, question: dict[str, Any]) -> list[str]:
    pack = write_pack(tmp_path, question)
    _, found = check([pack])
    prefix = f"{pack / 'team.yaml'}: "
    return [str(p).removeprefix(prefix) for p in found]


def mutated(**changes: Any) -> dict[str, Any]:
    q = copy.deepcopy(VALID)
    for key, value in changes.items():
        if value is None:
            q.pop(key)
        else:
            q[key] = value
    return q


def test_a_valid_pack_has_no_problems(tmp_path: Path) -> None:
    assert problems_for(tmp_path, VALID) == []


def _kp(**extra: Any) -> list[dict[str, Any]]:
    kps = copy.deepcopy(VALID["key_points"])
    kps[1].update(extra)
    return [{k: v for k, v in kp.items() if v is not None} for kp in kps]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (mutated(model_answer=None), ["team-q1: missing field 'model_answer'"]),
        (mutated(pitfalls=None), ["team-q1: missing field 'pitfalls'"]),
        (mutated(id=None), ["question #1: missing field 'id'"]),
        (
            mutated(level="expert"),
            ["team-q1: unknown level 'expert' (use one of: junior, mid, senior)"],
        ),
        (
            mutated(kind="quiz"),
            ["team-q1: unknown kind 'quiz' (use one of: concept, scenario, behavioural, design)"],
        ),
        (mutated(topic="cooking"), ["team-q1: unknown topic 'cooking' (declared: team)"]),
        (
            mutated(key_points=VALID["key_points"][:2]),
            ["team-q1: has 2 key points; 3 to 8 are required"],
        ),
        (
            mutated(key_points=VALID["key_points"] * 3),
            ["team-q1: has 9 key points; 3 to 8 are required"],
        ),
        (
            mutated(key_points=_kp(cues=[])),
            ["team-q1: key point 2: empty cues (list the terms a correct answer would use)"],
        ),
        (mutated(key_points=_kp(hint=None)), ["team-q1: missing field 'key point 2: hint'"]),
        (
            mutated(model_answer="Too short to teach anything."),
            ["team-q1: model answer too short: 5 words, at least 80 needed"],
        ),
        (mutated(pitfalls=["Only one."]), ["team-q1: has 1 pitfalls; 2 to 4 are required"]),
        (
            mutated(id="Team Q1"),
            ["Team Q1: id 'Team Q1' must be a lowercase slug like 'ml-bias-variance'"],
        ),
        (mutated(keypoints=[]), ["team-q1: unknown field 'keypoints'"]),
        (
            mutated(key_points=_kp(weight=-1)),
            ["team-q1: key point 2: weight must be a positive number"],
        ),
        (
            mutated(key_points=_kp(alternatives=["With no labels", "the model finds groups"])),
            [
                "team-q1: key point 2: alternative 'the model finds groups' looks like a "
                "fragment; write whole wordings starting with a capital, and quote any that "
                "contain commas"
            ],
        ),
    ],
)
def test_broken_packs_get_precise_messages(
    tmp_path: Path, question: dict[str, Any], expected: list[str]
) -> None:
    assert problems_for(tmp_path, question) == expected


def test_duplicate_ids_across_packs_are_reported(tmp_path: Path) -> None:
    first = write_pack(tmp_path / "a" if (tmp_path / "a").mkdir() is None else tmp_path, VALID)
    second = write_pack(tmp_path / "b" if (tmp_path / "b").mkdir() is None else tmp_path, VALID)
    _, found = check([first, second])
    assert found == [
        Problem(
            str(second / "team.yaml"), "team-q1", f"duplicate id (also in {first / 'team.yaml'})"
        )
    ]


def test_every_problem_is_listed_not_just_the_first(tmp_path: Path) -> None:
    q = mutated(level="guru", model_answer=None)
    other = mutated(id="team-q2", kind="essay")
    pack = write_pack(tmp_path, q, other)
    _, found = check([pack])
    assert [(p.question_id, p.message.split(" ")[0]) for p in found] == [
        ("team-q1", "unknown"),
        ("team-q1", "missing"),
        ("team-q2", "unknown"),
    ]


def test_invalid_yaml_and_headers_are_reported(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("topic: team\nquestions: [unclosed\n")
    (tmp_path / "list.yaml").write_text("- just\n- a list\n")
    _, found = check([tmp_path])
    messages = [p.message for p in found]
    assert messages[0].startswith("is not valid YAML:")
    assert messages[1] == "must be a mapping with topic, title and questions"


def test_an_empty_directory_is_a_problem(tmp_path: Path) -> None:
    _, found = check([tmp_path])
    assert [p.message for p in found] == ["holds no .yaml files"]


# -- the command ------------------------------------------------------------------------------


def run_check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "content", "check", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )


def test_content_check_command_summarises_a_clean_bank() -> None:
    result = run_check(str(EXAMPLE_PACK))
    assert result.returncode == 0, result.stdout
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("OK: ")
    assert "search-and-ranking 2" in lines[0]
    assert "levels: junior" in lines[0]


def test_content_check_command_lists_problems_and_exits_1(tmp_path: Path) -> None:
    write_pack(tmp_path, mutated(level="expert", model_answer=None))
    result = run_check(str(tmp_path))
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "2 problems found."
    assert all("team.yaml: team-q1: " in line for line in lines[:-1])


def test_numbers_in_cues_are_read_as_words(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, mutated(key_points=_kp(cues=[0.25, 2, "PSI"])))
    bank, found = check([pack])
    assert found == []
    (question,) = bank.questions
    assert question.key_points[1].cues == ("0.25", "2", "PSI")
