"""What a direct message to the bot means: a practice command, or an answer (SPEC §4.4).

A message is a command only when it is nothing but the command (`stop`, `practice llms`): an
answer that starts with "stop words are..." is still an answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.commands import LEVEL_CHOICES, TOPIC_SLUG


@dataclass(frozen=True, slots=True)
class Start:
    """Ask the next question (due cards first), in `topic` or in every topic."""

    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Skip:
    """Leave the pending question for now and ask another."""


@dataclass(frozen=True, slots=True)
class Stop:
    """End the session: nothing pending any more."""


@dataclass(frozen=True, slots=True)
class ShowStats:
    """Cards seen, due, reviews, average score, mastery per topic."""


@dataclass(frozen=True, slots=True)
class ShowTopics:
    """The bank's topics with their sizes and the person's mastery."""


@dataclass(frozen=True, slots=True)
class ShowHelp:
    """What can be typed here."""


@dataclass(frozen=True, slots=True)
class Remind:
    """Turn the daily nudge on or off."""

    on: bool


@dataclass(frozen=True, slots=True)
class SetLevel:
    """Only new questions of this level (None: any level)."""

    level: str | None


@dataclass(frozen=True, slots=True)
class Answer:
    """Anything else: the answer to the pending question."""

    text: str


@dataclass(frozen=True, slots=True)
class Unclear:
    """A command word with arguments that make no sense; `problem` says what to type."""

    problem: str


DmCommand = (
    Start | Skip | Stop | ShowStats | ShowTopics | ShowHelp | Remind | SetLevel | Answer | Unclear
)

_SIMPLE: dict[str, DmCommand] = {
    "skip": Skip(),
    "next": Skip(),
    "stop": Stop(),
    "stats": ShowStats(),
    "topics": ShowTopics(),
    "help": ShowHelp(),
    "?": ShowHelp(),
}


def parse(text: str) -> DmCommand:
    """Read one direct message."""
    words = text.strip().rstrip(".!").lower().split()
    if not words or len(words) > 3:
        return Answer(text)
    name, args = words[0], words[1:]
    if name in _SIMPLE and not args:
        return _SIMPLE[name]
    if name == "practice" or name == "practise":
        if not args:
            return Start()
        if len(args) == 1 and TOPIC_SLUG.match(args[0]):
            return Start(args[0])
        return Unclear("Use `practice` or `practice <topic>` (see `topics`).")
    if name == "remind" and len(words) == 2:
        if args[0] in ("on", "off"):
            return Remind(args[0] == "on")
        return Unclear("Use `remind on` or `remind off`.")
    if name == "level" and len(words) == 2:
        if args[0] in LEVEL_CHOICES:
            return SetLevel(None if args[0] == "any" else args[0])
        return Unclear("Choose a level: `level junior`, `mid`, `senior` or `any`.")
    return Answer(text)
