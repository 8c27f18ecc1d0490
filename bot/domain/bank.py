"""Question bank types; loading and validation of content packs (YAML, one file per topic)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import yaml

try:  # the C loader is several times faster when PyYAML was built with libyaml
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class Level(StrEnum):
    """How senior a question is."""

    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"


class Kind(StrEnum):
    """What sort of answer a question asks for."""

    CONCEPT = "concept"
    SCENARIO = "scenario"
    BEHAVIOURAL = "behavioural"
    DESIGN = "design"


@dataclass(frozen=True, slots=True)
class KeyPoint:
    """One idea a good answer states: a sentence, cue phrases, accepted alternative wordings."""

    point: str
    cues: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()
    hint: str = ""
    weight: float = 1.0

    def with_alternatives(self, extra: tuple[str, ...]) -> KeyPoint:
        """Return a copy that also accepts `extra` wordings (e.g. learned from appeals)."""
        merged = self.alternatives + tuple(a for a in extra if a not in self.alternatives)
        return replace(self, alternatives=merged)


@dataclass(frozen=True, slots=True)
class Question:
    """One interview question with its key points and model answer."""

    id: str
    topic: str
    level: Level
    kind: Kind
    question: str
    key_points: tuple[KeyPoint, ...]
    model_answer: str
    pitfalls: tuple[str, ...] = ()
    source: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic of the bank, declared by the header of a pack file."""

    slug: str
    title: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a pack: where it is and what to fix."""

    file: str
    question_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.question_id}" if self.question_id else self.file
        return f"{where}: {self.message}"


class BankError(Exception):
    """The bank or a pack failed validation."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = tuple(problems)


# Limits of the content format (SPEC §8); also keep each text within one Slack section.
KEY_POINTS_MIN, KEY_POINTS_MAX = 3, 8
MODEL_ANSWER_MIN_WORDS, MODEL_ANSWER_MAX_WORDS = 80, 300
PITFALLS_MIN, PITFALLS_MAX = 2, 4
KEY_POINT_MAX_WORDS = 30
HINT_MAX_WORDS = 25
ALTERNATIVE_MIN_WORDS = 2
QUESTION_MAX_CHARS = 1500
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TOPIC_PATTERN = ID_PATTERN
QUESTION_FIELDS = frozenset(
    {
        "id", "topic", "level", "kind", "question", "key_points",
        "model_answer", "pitfalls", "source",
    }
)  # fmt: skip
KEY_POINT_FIELDS = frozenset({"point", "cues", "alternatives", "hint", "weight"})
HEADER_FIELDS = frozenset({"topic", "title", "description", "questions"})


def word_count(text: str) -> int:
    """Words as a reader counts them."""
    return len(re.findall(r"\w+(?:[-'’]\w+)*", text))


@dataclass(frozen=True)
class Bank:
    """Every question available, with the topics they belong to."""

    questions: tuple[Question, ...]
    topics: Mapping[str, Topic]
    _by_id: Mapping[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {q.id: q for q in self.questions})

    def get(self, question_id: str) -> Question | None:
        """The question with this id, if any."""
        return self._by_id.get(question_id)

    def __len__(self) -> int:
        return len(self.questions)

    def eligible(
        self, topics: Iterable[str] | None = None, level: Level | str | None = None
    ) -> tuple[Question, ...]:
        """Questions in `topics` (all when None) at `level` (any when None), in bank order."""
        wanted = set(topics) if topics is not None else None
        return tuple(
            q
            for q in self.questions
            if (wanted is None or q.topic in wanted) and (level is None or q.level == level)
        )

    def summary(self) -> str:
        """One line: counts per topic and per level."""
        per_topic = Counter(q.topic for q in self.questions)
        per_level = Counter(q.level.value for q in self.questions)
        topics = ", ".join(f"{slug} {per_topic[slug]}" for slug in sorted(per_topic))
        levels = ", ".join(f"{lvl.value} {per_level[lvl.value]}" for lvl in Level)
        return (
            f"{len(self.questions)} questions in {len(per_topic)} topics ({topics}); "
            f"levels: {levels}"
        )


def pack_files(directory: Path) -> list[Path]:
    """The YAML files of a pack directory, in a stable order."""
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def check(directories: Sequence[Path]) -> tuple[Bank, list[Problem]]:
    """Load every pack in `directories`; return the valid questions and every problem found."""
    problems: list[Problem] = []
    documents: list[tuple[str, Any]] = []
    for directory in directories:
        if not directory.is_dir():
            problems.append(Problem(str(directory), None, "is not a directory"))
            continue
        files = pack_files(directory)
        if not files:
            problems.append(Problem(str(directory), None, "holds no .yaml files"))
        for path in files:
            label = str(path)
            try:
                documents.append((label, yaml.load(path.read_text(encoding="utf-8"), _Loader)))
            except (yaml.YAMLError, UnicodeDecodeError) as exc:
                problems.append(Problem(label, None, f"is not valid YAML: {_one_line(exc)}"))

    topics: dict[str, Topic] = {}
    for label, doc in documents:
        topic = _read_header(label, doc, problems)
        if topic is not None and topic.slug not in topics:
            topics[topic.slug] = topic

    questions: list[Question] = []
    seen: dict[str, str] = {}
    for label, doc in documents:
        if not isinstance(doc, dict) or not isinstance(doc.get("questions"), list):
            continue
        for index, raw in enumerate(doc["questions"]):
            question = _read_question(label, index, raw, topics, problems)
            if question is None:
                continue
            if question.id in seen:
                problems.append(
                    Problem(label, question.id, f"duplicate id (also in {seen[question.id]})")
                )
                continue
            seen[question.id] = label
            questions.append(question)
    return Bank(tuple(questions), topics), problems


def load_bank(directories: Sequence[Path]) -> Bank:
    """Load the bank from `directories`; raise BankError listing every problem."""
    bank, problems = check(directories)
    if problems:
        raise BankError(problems)
    return bank


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _read_header(label: str, doc: Any, problems: list[Problem]) -> Topic | None:
    if not isinstance(doc, dict):
        problems.append(Problem(label, None, "must be a mapping with topic, title and questions"))
        return None
    for key in sorted(set(doc) - HEADER_FIELDS):
        problems.append(Problem(label, None, f"unknown top-level field {key!r}"))
    for key in ("topic", "title", "questions"):
        if key not in doc:
            problems.append(Problem(label, None, f"missing top-level field {key!r}"))
    if "questions" in doc and not isinstance(doc["questions"], list):
        problems.append(Problem(label, None, "'questions' must be a list"))
    slug, title = doc.get("topic"), doc.get("title")
    if not isinstance(slug, str) or not TOPIC_PATTERN.match(slug):
        if "topic" in doc:
            problems.append(
                Problem(label, None, f"topic {slug!r} must be a lowercase slug like 'mlops'")
            )
        return None
    if not isinstance(title, str) or not title.strip():
        return None
    description = doc.get("description")
    return Topic(slug, title.strip(), description.strip() if isinstance(description, str) else "")


_E = TypeVar("_E", bound=StrEnum)


class _Collector:
    """Gathers problems for one question while reading its fields."""

    def __init__(self, label: str, question_id: str | None, problems: list[Problem]) -> None:
        self.label, self.question_id, self.problems = label, question_id, problems
        self.failed = False

    def add(self, message: str) -> None:
        self.problems.append(Problem(self.label, self.question_id, message))
        self.failed = True

    def text(self, raw: Mapping[str, Any], key: str, what: str | None = None) -> str:
        value = raw.get(key)
        if key not in raw:
            self.add(f"missing field {what or key!r}")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.add(f"{what or key!r} must be non-empty text")
            return ""
        return " ".join(value.split())

    def texts(self, raw: Mapping[str, Any], key: str, what: str) -> tuple[str, ...]:
        value = raw.get(key, [])
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            # YAML reads `0.25` or `2` as numbers; as cues they are just words.
            value = [
                str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
                for v in value
            ]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(f"{what} must be a list of non-empty texts")
            return ()
        return tuple(" ".join(v.split()) for v in value)


def _read_question(
    label: str, index: int, raw: Any, topics: Mapping[str, Topic], problems: list[Problem]
) -> Question | None:
    if not isinstance(raw, dict):
        problems.append(Problem(label, f"question #{index + 1}", "must be a mapping of fields"))
        return None
    raw_id = raw.get("id")
    qid = raw_id if isinstance(raw_id, str) and raw_id else f"question #{index + 1}"
    c = _Collector(label, qid, problems)
    if "id" not in raw:
        c.add("missing field 'id'")
    elif not isinstance(raw_id, str) or not ID_PATTERN.match(raw_id):
        c.add(f"id {raw_id!r} must be a lowercase slug like 'ml-bias-variance'")
    for key in sorted(set(raw) - QUESTION_FIELDS):
        c.add(f"unknown field {key!r}")

    topic = c.text(raw, "topic")
    if topic and topic not in topics:
        c.add(f"unknown topic {topic!r} (declared: {', '.join(sorted(topics)) or 'none'})")
    level = _choice(c, raw, "level", Level)
    kind = _choice(c, raw, "kind", Kind)
    text = c.text(raw, "question")
    if len(text) > QUESTION_MAX_CHARS:
        c.add(f"question is {len(text)} characters; keep it under {QUESTION_MAX_CHARS}")

    key_points = _read_key_points(c, raw)
    model_answer = c.text(raw, "model_answer")
    words = word_count(model_answer)
    if model_answer and words < MODEL_ANSWER_MIN_WORDS:
        c.add(f"model answer too short: {words} words, at least {MODEL_ANSWER_MIN_WORDS} needed")
    elif words > MODEL_ANSWER_MAX_WORDS:
        c.add(f"model answer too long: {words} words, at most {MODEL_ANSWER_MAX_WORDS}")

    if "pitfalls" not in raw:
        c.add("missing field 'pitfalls'")
    pitfalls = c.texts(raw, "pitfalls", "pitfalls")
    if "pitfalls" in raw and pitfalls and not PITFALLS_MIN <= len(pitfalls) <= PITFALLS_MAX:
        c.add(f"has {len(pitfalls)} pitfalls; {PITFALLS_MIN} to {PITFALLS_MAX} are required")
    if "source" not in raw:
        c.add("missing field 'source'")
    source = c.texts(raw, "source", "source")
    if "source" in raw and not source and not c.failed:
        c.add("source must name at least one document")

    if c.failed or level is None or kind is None:
        return None
    return Question(
        id=qid,
        topic=topic,
        level=level,
        kind=kind,
        question=text,
        key_points=key_points,
        model_answer=model_answer,
        pitfalls=pitfalls,
        source=source,
    )


def _choice(c: _Collector, raw: Mapping[str, Any], key: str, enum: type[_E]) -> _E | None:
    if key not in raw:
        c.add(f"missing field {key!r}")
        return None
    try:
        return enum(str(raw[key]).strip().lower())
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        c.add(f"unknown {key} {raw[key]!r} (use one of: {allowed})")
        return None


def _read_key_points(c: _Collector, raw: Mapping[str, Any]) -> tuple[KeyPoint, ...]:
    if "key_points" not in raw:
        c.add("missing field 'key_points'")
        return ()
    items = raw["key_points"]
    if not isinstance(items, list):
        c.add("key_points must be a list")
        return ()
    if not KEY_POINTS_MIN <= len(items) <= KEY_POINTS_MAX:
        c.add(f"has {len(items)} key points; {KEY_POINTS_MIN} to {KEY_POINTS_MAX} are required")
    points: list[KeyPoint] = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            c.add(f"key point {n} must be a mapping with point, cues and hint")
            continue
        for key in sorted(set(item) - KEY_POINT_FIELDS):
            c.add(f"key point {n}: unknown field {key!r}")
        point = c.text(item, "point", f"key point {n}: point")
        if word_count(point) > KEY_POINT_MAX_WORDS:
            c.add(f"key point {n} is {word_count(point)} words; keep it to one crisp idea")
        if "cues" not in item or not item["cues"]:
            c.add(f"key point {n}: empty cues (list the terms a correct answer would use)")
            cues: tuple[str, ...] = ()
        else:
            cues = c.texts(item, "cues", f"key point {n}: cues")
        alternatives = c.texts(item, "alternatives", f"key point {n}: alternatives")
        for alt in alternatives:
            # An unquoted comma in an inline list splits one wording in two: the tail starts
            # in lower case, and either piece may be a single word.
            if word_count(alt) < ALTERNATIVE_MIN_WORDS or alt[0].islower():
                c.add(
                    f"key point {n}: alternative {alt!r} looks like a fragment; write whole "
                    "wordings starting with a capital, and quote any that contain commas"
                )
        hint = c.text(item, "hint", f"key point {n}: hint")
        if word_count(hint) > HINT_MAX_WORDS:
            c.add(f"key point {n}: hint is {word_count(hint)} words; keep it short")
        weight = item.get("weight", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            c.add(f"key point {n}: weight must be a positive number")
            weight = 1.0
        points.append(KeyPoint(point, cues, alternatives, hint, float(weight)))
    return tuple(points)
