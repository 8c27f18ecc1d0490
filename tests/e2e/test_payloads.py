"""Every real Slack payload (tests/data/slack-payloads, from ../shared) gets a 200 and the right
effect or none: over HTTP exactly as Slack sends it, and through the Socket Mode adapter."""

from __future__ import annotations

import json
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.db import queries
from bot.db.models import QuestionPost
from tests.e2e.conftest import Harness, extra_app

PAYLOADS = Path(__file__).resolve().parents[1] / "data" / "slack-payloads"
JSON_PAYLOADS = sorted(
    p.relative_to(PAYLOADS).as_posix()
    for folder in ("events_api", "slack_docs", "interactivity")
    for p in (PAYLOADS / folder).glob("*.json")
)

# Payloads whose thread is made a live question first, and the Web API calls they must cause.
ANSWERS = {
    "events_api/message_thread_reply_channel.json": {"chat.postEphemeral", "reactions.add"},
    "events_api/message_thread_broadcast.json": {"chat.postEphemeral", "reactions.add"},
}
# Everything else must cause no Web API call (beyond the auth.test Bolt makes for itself):
# bots, plain channel messages, parent edits, unknown posts...
QUIET = {"auth.test"}
# Direct messages are DM practice: the person's zone is looked up, then help (nothing pending).
DIRECT = {
    "events_api/message_im.json": {"users.info", "chat.postMessage"},
    "events_api/message_im_thread_reply.json": {"users.info", "chat.postMessage"},
    "slack_docs/message_im.json": {"users.info", "chat.postMessage"},
}

# The Home tab opened: the person's zone is looked up, then their home view is published.
HOME = {
    "events_api/app_home_opened_home_tab.json": {"users.info", "views.publish"},
    "slack_docs/app_home_opened.json": {"users.info", "views.publish"},
}


def load(relative: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / relative).read_text())


def envelope(event: dict[str, Any]) -> dict[str, Any]:
    """Slack wraps a bare event (as the docs show it) in an event_callback."""
    return {
        "token": "unused", "team_id": "T111", "api_app_id": "A111", "event": event,
        "type": "event_callback", "event_id": "EvDOCS0001", "event_time": 1700000000,
    }  # fmt: skip


def open_question_at(h: Harness, team_id: str, channel_id: str, ts: str) -> None:
    now = h.clock.now()
    with h.deps.session_factory.begin() as s:
        ch = queries.channel(s, team_id, channel_id, now)
        s.add(
            QuestionPost(
                channel_pk=ch.id, question_id=h.deps.bank.questions[0].id, local_date=now.date(),
                status="open", slack_ts=ts, due_at=now, opened_at=now,
                closes_at=now + timedelta(hours=8), created_at=now,
            )
        )  # fmt: skip


@pytest.mark.parametrize("relative", JSON_PAYLOADS)
def test_json_payload_gets_200_and_the_right_effect(harness: Harness, relative: str) -> None:
    h = harness
    payload = load(relative)
    if relative in ANSWERS:
        event = payload["event"]
        open_question_at(h, payload["team_id"], event["channel"], event["thread_ts"])
    if relative.startswith("interactivity/"):
        response = h.interaction(payload)
    else:
        if "type" not in payload or payload["type"] not in (
            "event_callback", "url_verification", "app_rate_limited",
        ):  # fmt: skip
            payload = envelope(payload)
        response = h.post(json.dumps(payload), "application/json")
    assert response.status == 200, response.body
    if payload.get("type") == "url_verification":
        assert response.json() == {"challenge": payload["challenge"]}
    if relative in DIRECT:
        h.fake.wait_for("chat.postMessage")
        assert {c.method for c in h.fake.calls} == DIRECT[relative] | QUIET
    elif relative in HOME:
        h.fake.wait_for("views.publish")
        assert {c.method for c in h.fake.calls} == HOME[relative] | QUIET
    elif relative in ANSWERS:
        for method in ANSWERS[relative]:
            h.fake.wait_for(method)
        assert {c.method for c in h.fake.calls} == ANSWERS[relative] | QUIET
    else:
        time.sleep(0.3)  # listeners run after the acknowledgement: give them time to misbehave
        assert {c.method for c in h.fake.calls} <= QUIET


def test_slash_command_form_body_as_slack_sends_it(harness: Harness) -> None:
    raw = (PAYLOADS / "commands" / "slash_command.form-urlencoded.txt").read_text().strip()
    response = harness.post(raw, "application/x-www-form-urlencoded")
    assert response.status == 200
    assert "I only answer /qotd, not /hello-world." in response.json()["text"]
    qotd = raw.replace("command=%2Fhello-world", "command=%2Fqotd").replace("text=Hi", "text=help")
    assert urllib.parse.parse_qs(qotd)["command"] == ["/qotd"]
    help_reply = harness.post(qotd, "application/x-www-form-urlencoded").json()
    assert "/qotd now" in json.dumps(help_reply["blocks"])


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in (PAYLOADS / "socket_mode").glob("envelope_*.json")),
)
def test_socket_mode_envelopes_are_acknowledged(harness: Harness, name: str) -> None:
    h = harness
    data = load(f"socket_mode/{name}")
    with extra_app(h.deps) as app:
        response = run_bolt_app(app, SocketModeRequest.from_dict(data))
    assert response.status == 200
