"""A reusable Block Kit validator: the limits Slack enforces, checked on our payloads as data.

    from tests.blockkit import assert_valid_blocks, assert_valid_message, assert_valid_view
    assert_valid_blocks(message.blocks)                  # a message (50 blocks)
    assert_valid_message(message.text, message.blocks)   # plus the fallback text
    assert_valid_view(view)                              # a modal or App Home view (100 blocks)

Limits from Slack's Block Kit reference (blocks, block elements, composition objects, views).
Besides lengths, mrkdwn is checked for markup that did not come from us: every `<…>` must be a
Slack entity we build on purpose (mention, channel, special mention, date, link), and every `&`
must start one of the three entities Slack wants escaped, so unescaped user text is caught
(a `>` opening a line is a blockquote and allowed).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NoReturn

Surface = Literal["message", "modal", "home"]

MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}
FALLBACK_TEXT = 40_000
TEXT = 3000
SECTION_FIELD = 2000
FIELDS = 10
HEADER = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
URL = 3000
ACTION_ID = 255
BLOCK_ID = 255
CALLBACK_ID = 255
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
INPUT_LABEL = 2000
PLACEHOLDER = 150
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTIONS = 100
PLAIN_TEXT_INPUT_MAX = 3000
VIEW_TITLE = 24
PRIVATE_METADATA = 3000
CONFIRM_TITLE = 100
CONFIRM_TEXT = 300
CONFIRM_BUTTON = 30
ALT_TEXT = 2000

BLOCK_TYPES = {"section", "header", "context", "actions", "divider", "image", "input", "rich_text"}
# Entities our builders write on purpose: mentions, channels, !here/!channel/!date, links.
_ENTITY = re.compile(
    r"<(?:@[UWB][A-Z0-9]+|#C[A-Z0-9]+|![a-z]+(?:\^[^|>]*)?|(?:https?|mailto):[^\s|<>]+)"
    r"(?:\|[^<>]*)?>"
)
_AMPERSAND = re.compile(r"&(?!amp;|lt;|gt;)")
# A `>` opening a line is Slack's blockquote, written on purpose (people's `>` arrive as &gt;).
_BLOCKQUOTE = re.compile(r"(?m)^>")


class BlockKitViolation(AssertionError):
    """A payload Slack would refuse (or render as markup we did not mean)."""


def _fail(where: str, problem: str) -> NoReturn:
    raise BlockKitViolation(f"{where}: {problem}")


def _text(obj: Any, where: str, limit: int, *, plain: bool = False, empty: bool = False) -> str:
    if not isinstance(obj, Mapping):
        _fail(where, f"a text object is required, got {type(obj).__name__}")
    kind = obj.get("type")
    if kind not in ("plain_text", "mrkdwn") or (plain and kind != "plain_text"):
        _fail(where, f"text type {kind!r} not allowed here")
    text = obj.get("text")
    if not isinstance(text, str):
        _fail(where, "text must be a string")
    if not text and not empty:
        _fail(where, "text must not be empty")
    if len(text) > limit:
        _fail(where, f"text of {len(text)} characters (limit {limit})")
    if kind == "mrkdwn":
        _check_markup(text, where)
    return text


def _check_markup(text: str, where: str) -> None:
    stray = _BLOCKQUOTE.sub("", _ENTITY.sub("", text))
    if "<" in stray or ">" in stray:
        _fail(where, f"unescaped < or > in mrkdwn: {stray[:120]!r}")
    if _AMPERSAND.search(text):
        _fail(where, f"unescaped & in mrkdwn: {text[:120]!r}")


def _id(value: Any, where: str, limit: int) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not value or len(value) > limit:
        _fail(where, f"id must be a string of 1-{limit} characters, got {value!r:.80}")


def _confirm(obj: Any, where: str) -> None:
    if obj is None:
        return
    _text(obj.get("title"), f"{where}.title", CONFIRM_TITLE, plain=True)
    _text(obj.get("text"), f"{where}.text", CONFIRM_TEXT)
    _text(obj.get("confirm"), f"{where}.confirm", CONFIRM_BUTTON, plain=True)
    _text(obj.get("deny"), f"{where}.deny", CONFIRM_BUTTON, plain=True)


def _options(options: Any, where: str, most: int = OPTIONS, least: int = 1) -> None:
    if not isinstance(options, list) or not least <= len(options) <= most:
        _fail(where, f"needs {least}-{most} options")
    for i, option in enumerate(options):
        _text(option.get("text"), f"{where}[{i}].text", OPTION_TEXT)
        _id(option.get("value"), f"{where}[{i}].value", OPTION_VALUE)


def _element(el: Any, where: str) -> str | None:
    """Check one interactive element; return its action_id."""
    if not isinstance(el, Mapping):
        _fail(where, "an element must be an object")
    kind = el.get("type")
    action_id = el.get("action_id")
    _id(action_id, f"{where}.action_id", ACTION_ID)
    _confirm(el.get("confirm"), f"{where}.confirm")
    if kind == "button":
        _text(el.get("text"), f"{where}.text", BUTTON_TEXT, plain=True)
        value = el.get("value")
        if value is not None and (not isinstance(value, str) or len(value) > BUTTON_VALUE):
            _fail(where, f"button value longer than {BUTTON_VALUE}")
        if el.get("url") is not None and len(el["url"]) > URL:
            _fail(where, "button url too long")
        if el.get("style") not in (None, "primary", "danger"):
            _fail(where, f"button style {el.get('style')!r}")
    elif kind == "image":
        _id(el.get("alt_text"), f"{where}.alt_text", ALT_TEXT)
    elif kind in ("static_select", "multi_static_select"):
        if el.get("placeholder") is not None:
            _text(el["placeholder"], f"{where}.placeholder", PLACEHOLDER, plain=True)
        if "option_groups" not in el:
            _options(el.get("options"), f"{where}.options")
    elif kind == "overflow":
        _options(el.get("options"), f"{where}.options", most=5, least=1)
    elif kind in ("radio_buttons", "checkboxes"):
        _options(el.get("options"), f"{where}.options", most=10)
    elif kind == "plain_text_input":
        if el.get("placeholder") is not None:
            _text(el["placeholder"], f"{where}.placeholder", PLACEHOLDER, plain=True)
        most = el.get("max_length")
        if most is not None and not 1 <= most <= PLAIN_TEXT_INPUT_MAX:
            _fail(where, f"max_length {most} out of 1-{PLAIN_TEXT_INPUT_MAX}")
        initial = el.get("initial_value")
        if initial is not None and most is not None and len(initial) > most:
            _fail(where, "initial_value longer than max_length")
    elif kind not in (
        "users_select", "conversations_select", "channels_select", "external_select",
        "datepicker", "timepicker", "multi_users_select", "multi_conversations_select",
    ):  # fmt: skip
        _fail(where, f"unknown element type {kind!r}")
    return action_id if isinstance(action_id, str) else None


def _block(block: Any, where: str) -> None:
    if not isinstance(block, Mapping):
        _fail(where, "a block must be an object")
    kind = block.get("type")
    if kind not in BLOCK_TYPES:
        _fail(where, f"unknown block type {kind!r}")
    _id(block.get("block_id"), f"{where}.block_id", BLOCK_ID)
    if kind == "section":
        text, fields = block.get("text"), block.get("fields")
        if text is None and not fields:
            _fail(where, "a section needs text or fields")
        if text is not None:
            _text(text, f"{where}.text", TEXT)
        if fields is not None:
            if not isinstance(fields, list) or not 1 <= len(fields) <= FIELDS:
                _fail(where, f"a section has 1-{FIELDS} fields")
            for i, field in enumerate(fields):
                _text(field, f"{where}.fields[{i}]", SECTION_FIELD)
        if block.get("accessory") is not None:
            _element(block["accessory"], f"{where}.accessory")
    elif kind == "header":
        _text(block.get("text"), f"{where}.text", HEADER, plain=True)
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= CONTEXT_ELEMENTS:
            _fail(where, f"a context block has 1-{CONTEXT_ELEMENTS} elements")
        for i, el in enumerate(elements):
            if isinstance(el, Mapping) and el.get("type") == "image":
                _id(el.get("alt_text"), f"{where}.elements[{i}].alt_text", ALT_TEXT)
            else:
                _text(el, f"{where}.elements[{i}]", TEXT)
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= ACTIONS_ELEMENTS:
            _fail(where, f"an actions block has 1-{ACTIONS_ELEMENTS} elements")
        ids = [_element(el, f"{where}.elements[{i}]") for i, el in enumerate(elements)]
        named = [i for i in ids if i is not None]
        if len(named) != len(set(named)):
            _fail(where, f"action_ids repeat within the block: {named}")
    elif kind == "image":
        if len(str(block.get("image_url") or "")) > URL:
            _fail(where, "image_url too long")
        _id(block.get("alt_text"), f"{where}.alt_text", ALT_TEXT)
        if block.get("title") is not None:
            _text(block["title"], f"{where}.title", SECTION_FIELD, plain=True)
    elif kind == "input":
        _text(block.get("label"), f"{where}.label", INPUT_LABEL, plain=True)
        _element(block.get("element"), f"{where}.element")
        if block.get("hint") is not None:
            _text(block["hint"], f"{where}.hint", INPUT_LABEL, plain=True)


def assert_valid_blocks(blocks: Any, surface: Surface = "message") -> None:
    """Raise BlockKitViolation (an AssertionError) if Slack would refuse these blocks."""
    if not isinstance(blocks, Sequence) or isinstance(blocks, str):
        _fail("blocks", "must be a list")
    limit = MAX_BLOCKS[surface]
    if len(blocks) > limit:
        _fail("blocks", f"{len(blocks)} blocks (limit {limit} in a {surface})")
    ids = [b.get("block_id") for b in blocks if isinstance(b, Mapping) and b.get("block_id")]
    if len(ids) != len(set(ids)):
        _fail("blocks", f"block_ids repeat: {ids}")
    for i, block in enumerate(blocks):
        _block(block, f"blocks[{i}]")


def assert_valid_message(text: str, blocks: Any = None) -> None:
    """A chat message: non-empty fallback text within 40,000 characters, valid blocks."""
    if not isinstance(text, str) or not text.strip():
        _fail("text", "a message needs fallback text (notifications, screen readers)")
    if len(text) > FALLBACK_TEXT:
        _fail("text", f"fallback text of {len(text)} characters (limit {FALLBACK_TEXT})")
    if blocks is not None:
        assert_valid_blocks(blocks, "message")


def assert_valid_view(view: Mapping[str, Any]) -> None:
    """A modal or App Home view."""
    kind = view.get("type")
    if kind not in ("modal", "home"):
        _fail("view", f"type must be modal or home, got {kind!r}")
    if kind == "modal":
        _text(view.get("title"), "view.title", VIEW_TITLE, plain=True)
        for key in ("submit", "close"):
            if view.get(key) is not None:
                _text(view[key], f"view.{key}", VIEW_TITLE, plain=True)
    _id(view.get("callback_id"), "view.callback_id", CALLBACK_ID)
    metadata = view.get("private_metadata")
    if metadata is not None and len(metadata) > PRIVATE_METADATA:
        _fail("view.private_metadata", f"longer than {PRIVATE_METADATA}")
    assert_valid_blocks(view.get("blocks"), "modal" if kind == "modal" else "home")
