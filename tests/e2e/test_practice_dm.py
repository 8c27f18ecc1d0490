"""DM practice end to end: signed message.im events and the "Practice now" button over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.db.models import PracticeCard, PracticeReview, Practitioner
from bot.domain.bank import Question
from tests.e2e.conftest import ALICE, Harness
from tests.e2e.test_channel_flow import blocks_text, settle
from tests.slack_fake import TEAM_ID

PAYLOADS = Path(__file__).resolve().parents[1] / "data" / "slack-payloads"
DM = "DALICE001"


def dm_event(text: str, ts: str, **extra: Any) -> dict[str, Any]:
    """A message.im event shaped like events_api/message_im.json."""
    event = json.loads((PAYLOADS / "events_api" / "message_im.json").read_text())["event"]
    event.update({"user": ALICE, "text": text, "ts": ts, "event_ts": ts, "channel": DM})
    event.update(extra)
    return dict(event)


def posts(h: Harness, count: int) -> list[dict[str, Any]]:
    return [c.args for c in h.fake.wait_for("chat.postMessage", count)]


def pending(h: Harness) -> Question:
    with h.deps.session_factory() as s:
        qid = s.scalar(
            select(Practitioner.pending_question_id).where(Practitioner.user_id == ALICE)
        )
    question = h.deps.bank.get(str(qid))
    assert question is not None
    return question


def test_practice_in_the_dm_over_http(harness: Harness) -> None:
    h = harness
    assert h.event(dm_event("practice evaluation", "1772500001.000100")).status == 200
    (asked,) = posts(h, 1)
    assert asked["channel"] == DM
    question = pending(h)
    assert question.topic == "evaluation"
    assert question.question[:30].replace("&", "&amp;") in blocks_text(asked)
    # The answer; Slack then retries the same event (our acknowledgement was "late").
    answer = dm_event(question.model_answer, "1772500002.000100")
    assert h.event(answer, event_id="EvDMANSWER").status == 200
    feedback, following = posts(h, 3)[1:]
    total = len(question.key_points)
    assert feedback["text"].startswith(f"{total}/{total} key points")
    shown = blocks_text(feedback)
    assert "Model answer" in shown
    assert "comes back" in shown
    assert following["text"].startswith("Practice: ")
    assert h.event(answer, event_id="EvDMANSWER", retry=1).status == 200
    settle(h)
    assert len(h.fake.calls_to("chat.postMessage")) == 3
    with h.deps.session_factory() as s:
        assert len(s.scalars(select(PracticeReview)).all()) == 1
        person = s.scalars(select(Practitioner)).one()
        card = s.scalars(select(PracticeCard)).one()
    assert person.timezone == "Europe/London"  # from users.info, stored as the zone name only
    assert card.question_id == question.id


def test_our_own_and_edited_messages_in_the_dm_are_ignored(harness: Harness) -> None:
    h = harness
    own = dm_event("Practice: a question", "1772500003.000100", bot_id="BQOTD0001")
    assert h.event(own).status == 200
    edited = {
        "type": "message",
        "subtype": "message_changed",
        "channel": DM,
        "channel_type": "im",
        "message": {"type": "message", "user": ALICE, "text": "stats", "ts": "1772500004.1"},
        "previous_message": {"type": "message", "user": ALICE, "text": "stat", "ts": "1.1"},
        "ts": "1772500005.000100",
        "event_ts": "1772500005.000100",
    }
    assert h.event(edited).status == 200
    settle(h)
    assert h.fake.calls_to("chat.postMessage") == []


def test_practice_now_button_starts_practice_in_the_dm(harness: Harness) -> None:
    h = harness
    payload = json.loads(
        (PAYLOADS / "interactivity" / "block_actions_channel_message_button.json").read_text()
    )
    payload.update(
        {
            "user": {"id": ALICE},
            "team": {"id": TEAM_ID},
            "container": {"type": "view", "view_id": "V0HOME001"},
            "channel": None,
            "message": None,
            "actions": [
                {
                    "action_id": "practice_now",
                    "block_id": "home_practice",
                    "text": {"type": "plain_text", "text": "Practice now"},
                    "value": "mlops",
                    "type": "button",
                    "action_ts": "1772500006.000100",
                }
            ],
        }
    )
    del payload["response_url"]
    assert h.interaction(payload).status == 200
    (asked,) = posts(h, 1)
    assert asked["channel"] == ALICE  # the app's DM with this person
    assert pending(h).topic == "mlops"
