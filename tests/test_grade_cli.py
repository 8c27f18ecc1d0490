"""`qotd grade`: one answer against a bank question, and JSON lines in batch (SPEC §3, §5)."""

from __future__ import annotations

import functools
import json
import subprocess
import sys

from bot.app import load_question_bank
from bot.config import load_settings
from bot.domain.bank import Question


@functools.cache
def first_question() -> Question:
    """A question of the built-in bank (loaded once, inside a test, not at collection)."""
    return load_question_bank(load_settings(None, {}, env_file=None)).questions[0]


def qotd_grade(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "grade", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )


def test_grading_a_model_answer_prints_score_points_and_evidence() -> None:
    question = first_question()
    result = qotd_grade(question.id, question.model_answer)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    total = len(question.key_points)
    assert lines[0].startswith(f"{question.id}: ")
    assert lines[1].startswith("Score ")
    assert lines[1].endswith(f"{total}/{total} key points")
    assert sum(line.startswith("  [x] ") for line in lines) == total
    assert sum("evidence: " in line for line in lines) == total


def test_a_weak_answer_shows_unticked_points() -> None:
    question = first_question()
    result = qotd_grade(question.id, "I am not sure.")
    assert result.returncode == 0
    assert "  [ ] " in result.stdout
    assert "0/" in result.stdout.splitlines()[1]


def test_answer_can_come_from_stdin() -> None:
    question = first_question()
    result = qotd_grade(question.id, stdin=question.model_answer)
    assert result.returncode == 0
    assert "Score " in result.stdout


def test_unknown_question_id_is_a_clear_error_with_suggestions() -> None:
    question = first_question()
    typo = question.id[:-1] + ("x" if question.id[-1] != "x" else "y")
    result = qotd_grade(typo, "anything")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"qotd grade: unknown question id '{typo}'. Did you mean ")
    assert question.id in result.stderr


def test_empty_answer_scores_zero_with_a_message() -> None:
    question = first_question()
    result = qotd_grade(question.id, "   ")
    assert result.returncode == 0
    assert "Score 0/100" in result.stdout
    assert "empty" in result.stdout


def test_jsonl_streams_results_in_order_and_survives_bad_lines() -> None:
    question = first_question()
    lines = [
        {"answer": "Regularisation reduces overfitting by penalising large weights.",
         "key_points": ["Regularization reduces overfitting",
                        {"point": "Dropout randomly disables units", "cues": ["dropout"]}]},
        "this is not json",
        {"answer": question.model_answer, "question_id": question.id},
        {"answer": "x", "question_id": "no-such-question"},
        {"answer": 42, "key_points": ["a"]},
        {"answer": "x"},
        {"answer": "x", "key_points": []},
        {"answer": "", "key_points": ["Something"]},
    ]  # fmt: skip
    stdin = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    result = qotd_grade("--jsonl", stdin=stdin + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(lines)
    assert out[0]["covered"] == [0]
    assert out[0]["missed"] == [1]
    assert "regularisation reduces overfitting" in out[0]["evidence"]["0"].lower()
    assert set(out[0]) == {"score", "covered", "missed", "evidence"}
    assert out[1]["error"].startswith("not valid JSON")
    assert out[2]["covered"] == list(range(len(question.key_points)))
    assert out[2]["score"] >= 80
    assert out[3] == {"error": "unknown question id 'no-such-question'."}
    assert out[4] == {"error": "'answer' must be a string"}
    assert out[5] == {"error": "give 'key_points' (a list) or 'question_id'"}
    assert out[6] == {"error": "'key_points' must be a non-empty list"}
    assert out[7]["score"] == 0


def test_usage_errors_exit_2() -> None:
    question = first_question()
    assert qotd_grade().returncode == 2
    assert qotd_grade("--jsonl", question.id, stdin="").returncode == 2
