"""Strategies for the view dataclasses our Block Kit builders take, built from their type hints.

Text fields get hostile text; fields that hold Slack ids get Slack-shaped ids (they come from
Slack, not from people); counts, scores and percentages get values in their real ranges, and
collections are sometimes longer than any screen, to hit the block limits.
"""

from __future__ import annotations

import dataclasses
import enum
import typing
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from types import NoneType, UnionType
from typing import Any

from hypothesis import strategies as st

from bot.domain import boards
from bot.domain.bank import KeyPoint, Kind, Level, Question
from bot.slack.blocks import escape
from tests.property.strategies import medium_text, short_text, text

user_ids = st.from_regex(r"[UW][A-Z0-9]{8,10}", fullmatch=True)
channel_ids = st.from_regex(r"C[A-Z0-9]{8,10}", fullmatch=True)
slugs = st.from_regex(r"[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,3}", fullmatch=True)

key_points = st.builds(
    KeyPoint, point=medium_text, cues=st.lists(short_text, max_size=3).map(tuple), hint=short_text
)
questions = st.builds(
    Question,
    id=slugs,
    topic=slugs,
    level=st.sampled_from(Level),
    kind=st.sampled_from(Kind),
    question=text,
    key_points=st.lists(key_points, min_size=1, max_size=8).map(tuple),
    model_answer=text,
    pitfalls=st.lists(medium_text, max_size=4).map(tuple),
)

# Field names whose strings are Slack ids or fixed vocabularies, not free text.
_NAMED: dict[str, st.SearchStrategy[Any]] = {
    "user_id": user_ids,
    "caller": user_ids,
    "caller_id": user_ids,
    "by": user_ids,
    "channel_id": channel_ids,
    "caller_channel_id": channel_ids,
    "caller_channel": channel_ids,
    "slug": slugs,
    "topic": slugs,
    "period": st.sampled_from(("week", "month", "all")),
    "admin_channels": channel_ids,
}
# Texts our own code composes (labels, outcome lines): mrkdwn already, so escaped text.
_COMPOSED = ("label", "month_label", "outcome", "rating", "comes_back")
# People's and the bank's text: anything, but never blank (Slack refuses empty sections, and
# nothing upstream passes blank text).
free_text = medium_text.filter(str.strip)
# Integer fields bounded by their meaning.
_PERCENT = ("score", "percent", "average", "mastery")
# Protocols in builder signatures, and the concrete type that implements them.
_CONCRETE: dict[str, type] = {"BoardLine": boards.BoardLine}


def _for_int(name: str) -> st.SearchStrategy[int]:
    if name in _PERCENT or name.endswith("percent"):
        return st.integers(min_value=0, max_value=100)
    return st.integers(min_value=0, max_value=10**6)


def for_type(tp: Any, name: str = "") -> st.SearchStrategy[Any]:
    """A strategy for a value of type `tp` held in a field called `name`."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, UnionType):
        return st.one_of([for_type(arg, name) for arg in typing.get_args(tp)])
    if tp is NoneType:
        return st.none()
    if origin is typing.Literal:
        return st.sampled_from(typing.get_args(tp))
    if origin in (tuple, list, Sequence) or tp in (tuple, list):
        args = [a for a in typing.get_args(tp) if a is not Ellipsis] or [str]
        items = st.lists(for_type(args[0], name), max_size=40)
        return items.map(tuple) if origin is tuple else items
    if tp is str:
        if name in _COMPOSED:
            return free_text.map(escape)
        return _NAMED.get(name, free_text)
    if tp is bool:
        return st.booleans()
    if tp is int:
        return _for_int(name)
    if tp is float:
        return st.floats(min_value=0, max_value=1e4, allow_nan=False)
    if tp is datetime:
        return st.just(datetime(2026, 3, 2, 9, tzinfo=UTC))
    if tp is date:
        return st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
    if tp is Question:
        return questions
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(tp)
    if isinstance(tp, type) and tp.__name__ in _CONCRETE and not dataclasses.is_dataclass(tp):
        return for_type(_CONCRETE[tp.__name__], name)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = typing.get_type_hints(tp)
        return st.builds(
            tp, **{f.name: for_type(hints[f.name], f.name) for f in dataclasses.fields(tp)}
        )
    raise TypeError(f"no strategy for {tp!r} ({name})")


def arguments(fn: Callable[..., Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments for a builder function, from its type hints."""
    hints = typing.get_type_hints(fn)
    return st.fixed_dictionaries(
        {name: for_type(tp, name) for name, tp in hints.items() if name != "return"}
    )
