"""What is stored about one person, and how to say it (SPEC §4.5): pure data and wording."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PersonalData:
    """What is stored about one person in one workspace (or what was just deleted of it)."""

    answers: int = 0
    points: int = 0
    appeals: int = 0
    wordings: int = 0
    practice_cards: int = 0
    practice_reviews: int = 0
    practice_profile: bool = False
    reminders: int = 0
    # Appeals they decided as an admin: the answerer's history stays, their id is removed.
    decisions: int = 0
    # Channels they administer: a role others rely on, not their history, so it is kept.
    admin_channels: tuple[str, ...] = ()

    @property
    def anything(self) -> bool:
        """True when forget-me has something to delete."""
        return bool(
            self.answers
            or self.appeals
            or self.wordings
            or self.practice_cards
            or self.practice_profile
            or self.reminders
            or self.decisions
        )


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def describe(data: PersonalData) -> list[str]:
    """One line per kind of data held, e.g. "12 answers (340 points)"; empty when none."""
    lines = []
    if data.answers:
        lines.append(f"{_n(data.answers, 'answer')} ({_n(data.points, 'point')})")
    if data.appeals:
        lines.append(_n(data.appeals, "appeal"))
    if data.wordings:
        lines.append(f"{_n(data.wordings, 'wording')} of yours accepted on appeal")
    if data.practice_cards:
        reviews = _n(data.practice_reviews, "practice answer")
        lines.append(f"{_n(data.practice_cards, 'practice card')} ({reviews})")
    if data.practice_profile:
        lines.append("your practice settings (topic, reminders, timezone)")
    if data.reminders:
        lines.append(_n(data.reminders, "practice reminder record"))
    if data.decisions:
        lines.append(f"your name on {_n(data.decisions, 'appeal decision')}")
    return lines
