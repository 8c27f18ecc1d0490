"""Fault-test harness: real `qotd serve` processes, signed HTTP requests, the fake Slack Web API."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Answer, InboxEvent, QuestionPost
from tests.serve_process import Serve, wait_until
from tests.slack_fake import TEAM_ID, FakeSlack

CHANNEL = "C0FAULTS1"
ADMIN = "UADMIN001"
ANSWER = (
    "Bias is error from wrong assumptions, so the model underfits; variance is sensitivity to "
    "the training data, so it overfits. More complexity lowers bias and raises variance."
)


def answer_event(user: str, thread_ts: str, n: int) -> dict[str, Any]:
    """A signed-to-be Events API body: `user` replies in the question's thread."""
    ts = f"{1_772_500_000 + n}.{n:06d}"
    return {
        "token": "verification-token-unused",
        "team_id": TEAM_ID,
        "api_app_id": "A111",
        "type": "event_callback",
        "event_id": f"EvFAULT{n:06d}",
        "event_time": int(time.time()),
        "event": {
            "type": "message",
            "channel": CHANNEL,
            "channel_type": "channel",
            "user": user,
            "text": f"{ANSWER} ({user})",
            "ts": ts,
            "thread_ts": thread_ts,
            "parent_user_id": "UBOT0QOTD",
            "team": TEAM_ID,
            "event_ts": ts,
        },
        "authorizations": [
            {"team_id": TEAM_ID, "user_id": "UBOT0QOTD", "is_bot": True,
             "is_enterprise_install": False}
        ],
    }  # fmt: skip


def ask_question(serve: Serve, fake: FakeSlack, factory: sessionmaker[Session]) -> str:
    """`/qotd now` in the channel; the ts Slack gave the question post, once it is open."""
    before = len(fake.calls_to("chat.postMessage"))
    assert serve.command("now", fake, user=ADMIN, channel=CHANNEL) == 200
    call = fake.wait_for("chat.postMessage", before + 1, timeout=20)[before]
    assert call.response["ok"], call.response
    ts = str(call.response["ts"])

    def is_open() -> bool:
        with factory() as s:
            status = s.scalar(select(QuestionPost.status).where(QuestionPost.slack_ts == ts))
        return status == "open"

    # Replies are answers only once the post is recorded open, a moment after Slack's reply.
    wait_until(is_open, 30, "the question post to be recorded open")
    return ts


def stored_answers(factory: sessionmaker[Session]) -> dict[str, list[Answer]]:
    """Every stored answer, by user."""
    found: dict[str, list[Answer]] = {}
    with factory() as s:
        for ans in s.scalars(select(Answer)):
            _ = ans.messages  # loaded while the session is open
            found.setdefault(ans.user_id, []).append(ans)
    return found


def unfinished(factory: sessionmaker[Session]) -> int:
    """Inbox entries not (yet) handled."""
    with factory() as s:
        return int(
            s.scalar(
                select(func.count()).select_from(InboxEvent).where(InboxEvent.handled_at.is_(None))
            )
            or 0
        )


def feedback_counts(fake: FakeSlack) -> dict[str, int]:
    """Ephemeral feedback messages Slack accepted, by user."""
    counts: dict[str, int] = {}
    for call in fake.calls_to("chat.postEphemeral"):
        if call.status == 200 and call.response.get("ok"):
            user = str(call.args["user"])
            counts[user] = counts.get(user, 0) + 1
    return counts


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A running fake of Slack's Web API with a workspace admin."""
    fake = FakeSlack().start()
    fake.add_user(ADMIN, admin=True)
    try:
        yield fake
    finally:
        fake.stop()
