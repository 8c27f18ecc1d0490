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

from bot.app import create_app
from bot.db import queries
from bot.db.models import QuestionPost
from bot.slack.gateway import make_web_client
from tests.e2e.conftest import Harness
from tests.slack_fake import BOT_TOKEN

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
# bots, DMs (practice comes later), plain channel messages, parent edits, unknown posts...
QUIET = {"auth.test"}


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
    if relative in ANSWERS:
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
    app = create_app(h.deps, make_web_client(BOT_TOKEN, h.deps.settings.slack_api_url))
    data = load(f"socket_mode/{name}")
    response = run_bolt_app(app, SocketModeRequest.from_dict(data))
    assert response.status == 200
