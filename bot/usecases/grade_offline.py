"""Offline grading (`qotd grade`): one answer against a bank question, or JSON lines in batch."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain import grading
from bot.domain.bank import Bank, KeyPoint, Question


class UnknownQuestion(LookupError):
    """No question has this id; `message` suggests the closest ids."""

    def __init__(self, question_id: str, bank: Bank) -> None:
        ids = [q.id for q in bank.questions]
        close = difflib.get_close_matches(question_id, ids, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        self.message = f"unknown question id {question_id!r}.{hint}"
        super().__init__(self.message)


@dataclass(frozen=True)
class Grader:
    """Grades against the bank, weighing words by their rarity in it."""

    bank: Bank
    idf: Mapping[str, float]

    def question(self, question_id: str) -> Question:
        """The bank question with this id, or UnknownQuestion."""
        found = self.bank.get(question_id)
        if found is None:
            raise UnknownQuestion(question_id, self.bank)
        return found

    def grade_question(self, question_id: str, answer: str) -> tuple[Question, grading.Grade]:
        """Grade an answer to a bank question."""
        q = self.question(question_id)
        return q, grading.grade(answer, q.key_points, question=q.question, idf=self.idf)

    def grade_line(self, line: str) -> dict[str, Any]:
        """One JSON line in, one result (or {"error": ...}) out, as SPEC §5 describes."""
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            return {"error": f"not valid JSON: {exc.msg} at column {exc.colno}"}
        if not isinstance(item, dict):
            return {"error": "each line must be a JSON object"}
        answer = item.get("answer")
        if not isinstance(answer, str):
            return {"error": "'answer' must be a string"}
        if "question_id" in item:
            try:
                _, result = self.grade_question(str(item["question_id"]), answer)
            except UnknownQuestion as exc:
                return {"error": exc.message}
        elif "key_points" in item:
            points = _key_points(item["key_points"])
            if isinstance(points, str):
                return {"error": points}
            result = grading.grade(answer, points, idf=self.idf)
        else:
            return {"error": "give 'key_points' (a list) or 'question_id'"}
        return {
            "score": result.score,
            "covered": list(result.covered_indices),
            "missed": list(result.missed_indices),
            "evidence": {str(i): text for i, text in result.evidence.items()},
        }


def _key_points(raw: Any) -> list[KeyPoint] | str:
    if not isinstance(raw, list) or not raw:
        return "'key_points' must be a non-empty list"
    points = []
    for n, entry in enumerate(raw):
        if isinstance(entry, str) and entry.strip():
            points.append(KeyPoint(entry))
        elif (
            isinstance(entry, dict)
            and isinstance(entry.get("point"), str)
            and entry["point"].strip()
        ):
            cues = entry.get("cues", [])
            alternatives = entry.get("alternatives", [])
            if not all(isinstance(c, str) for c in [*cues, *alternatives]):
                return f"key point {n}: cues and alternatives must be lists of strings"
            points.append(KeyPoint(entry["point"], tuple(cues), tuple(alternatives)))
        else:
            return f"key point {n} must be a non-empty string or an object with 'point'"
    return points


def render(question: Question, result: grading.Grade) -> str:
    """The terminal report: score, N/M key points, each point ticked or not with evidence."""
    total = len(question.key_points)
    lines = [
        f"{question.id}: {question.question}",
        f"Score {result.score}/100 — {len(result.covered_indices)}/{total} key points",
    ]
    if result.message:
        lines.append(result.message)
    for p in result.points:
        mark = "[x]" if p.covered else "[ ]"
        lines.append(f"  {mark} {p.key_point.point}")
        if p.covered and p.evidence:
            lines.append(f'        evidence: "{p.evidence}"')
    return "\n".join(lines)
