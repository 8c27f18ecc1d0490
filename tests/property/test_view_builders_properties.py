"""Every public Block Kit builder of bot/slack/*blocks*.py, found by name and fed hostile view
data generated from its type hints: the payload always fits Slack (tests/blockkit.py).

A new builder is covered as soon as it exists; one whose argument types cannot be generated
fails here until tests/property/views.py learns them.
"""

from __future__ import annotations

import importlib
import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack import blocks
from tests.blockkit import BLOCK_TYPES, assert_valid_blocks, assert_valid_message, assert_valid_view
from tests.property.strategies import SLOW
from tests.property.views import arguments, free_text

SLACK_PACKAGE = Path(blocks.__file__).parent
# Primitives that take mrkdwn other builders composed: covered through those builders.
PRIMITIVES = {"blocks.section", "blocks.header", "blocks.context", "blocks.button", "blocks.notice"}


def builders() -> list[tuple[str, Callable[..., Any]]]:
    """(name, function) of each public function returning a message, view or block."""
    found = []
    for path in sorted(SLACK_PACKAGE.glob("*blocks*.py")):
        module = importlib.import_module(f"bot.slack.{path.stem}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            returns = typing.get_type_hints(fn).get("return")
            qualified = f"{path.stem}.{name}"
            if qualified in PRIMITIVES:
                continue
            if returns is blocks.Message or typing.get_origin(returns) is dict:
                found.append((qualified, fn))
    return found


BUILDERS = builders()


def test_the_builders_are_found() -> None:
    names = {name for name, _ in BUILDERS}
    assert {"blocks.feedback", "blocks.help_message", "privacy_blocks.forget_me_prompt"} <= names


def check(payload: Any) -> None:
    if isinstance(payload, blocks.Message):
        assert_valid_message(payload.text, payload.blocks)
    elif payload.get("type") in ("modal", "home"):
        assert_valid_view(payload)
    elif payload.get("type") in BLOCK_TYPES:
        assert_valid_blocks([payload])
    else:  # an element, e.g. a button to put in an actions block
        assert_valid_blocks([{"type": "actions", "elements": [payload]}])


@pytest.mark.parametrize(("name", "builder"), BUILDERS, ids=[n for n, _ in BUILDERS])
@SLOW
@given(data=st.data())
def test_builder_output_fits_slack(name: str, builder: Callable[..., Any], data: Any) -> None:
    check(builder(**data.draw(arguments(builder), label=name)))


@SLOW
@given(said=free_text, trusted=st.booleans())
def test_notices_fit_slack(said: str, trusted: bool) -> None:
    message = blocks.notice(blocks.escape(said) if trusted else said, trusted=trusted)
    assert_valid_message(message.text, message.blocks)
