"""Question bank types; loading and validation of content packs."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


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
