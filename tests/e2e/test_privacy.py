"""Privacy over real HTTP: signed `/qotd forget-me` and its button, signed `app_uninstalled` and
`tokens_revoked` events in Slack's own shapes, against the fake Slack Web API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from bot.db.models import Answer, ProcessedEvent, Workspace
from bot.slack.privacy_blocks import FORGET_ME_CANCEL_ACTION, FORGET_ME_CONFIRM_ACTION
from tests.blockkit import assert_valid_message
from tests.e2e.conftest import ALICE, BOB, Harness
from tests.personal_data import store_installation, token_rows
from tests.slack_fake import TEAM_ID

PAYLOADS = Path(__file__).resolve().parents[1] / "data" / "slack-payloads"


def payload(relative: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / relative).read_text())
    data.update(changes)
    return data


def answers_of(h: Harness, user: str) -> int:
    with h.deps.session_factory() as s:
        return int(s.scalar(select(func.count()).where(Answer.user_id == user)) or 0)


def uninstalled_at(h: Harness) -> object:
    with h.deps.session_factory() as s:
        return s.scalar(select(Workspace.uninstalled_at).where(Workspace.team_id == TEAM_ID))


def handled(h: Harness, event_id: str) -> bool:
    """Whether the bot has processed an event (listeners run after the acknowledgement)."""
    with h.deps.session_factory() as s:
        return s.get(ProcessedEvent, event_id) is not None


def click(h: Harness, action_id: str, user: str, value: str) -> None:
    """Click a button of an ephemeral message, as Slack posts it (block_actions)."""
    body = payload("interactivity/block_actions_ephemeral_button.json")
    body["user"] = {**body["user"], "id": user, "team_id": TEAM_ID}
    body["team"] = {**body["team"], "id": TEAM_ID}
    body["response_url"] = h.fake.response_url(f"click-{action_id}")
    body["actions"] = [{**body["actions"][0], "action_id": action_id, "value": value}]
    assert h.interaction(body).status == 200


def test_forget_me_asks_then_deletes_only_the_callers_answers(harness: Harness) -> None:
    h = harness
    ts = h.post_question()
    question = h.deps.bank.questions[0].model_answer
    for user in (ALICE, BOB):
        h.reply(question, ts, user=user)
    h.fake.wait_for("chat.postEphemeral", 2)
    h.wait_until(lambda: answers_of(h, ALICE) == answers_of(h, BOB) == 1)

    assert h.command("forget-me", user=ALICE).status == 200
    (prompt,) = h.fake.wait_for_response(1)
    assert_valid_message(prompt["text"], prompt["blocks"])
    assert prompt["response_type"] == "ephemeral"
    assert "1 answer (" in json.dumps(prompt["blocks"])
    assert answers_of(h, ALICE) == 1  # asking deletes nothing

    click(h, FORGET_ME_CANCEL_ACTION, ALICE, ALICE)
    cancelled = h.fake.wait_for_response(2)[1]
    assert cancelled["text"].startswith("Nothing was deleted")
    assert cancelled["replace_original"] is True  # the buttons are gone with the question
    assert answers_of(h, ALICE) == 1

    click(h, FORGET_ME_CONFIRM_ACTION, BOB, ALICE)  # not Bob's button: ignored
    click(h, FORGET_ME_CONFIRM_ACTION, ALICE, ALICE)
    done = h.fake.wait_for_response(3)[2]
    assert_valid_message(done["text"], done["blocks"])
    assert done["text"] == "Done: your data in this workspace is deleted."
    assert done["replace_original"] is True
    assert "1 answer (" in json.dumps(done["blocks"])
    assert answers_of(h, ALICE) == 0
    assert answers_of(h, BOB) == 1
    assert len(h.fake.responses) == 3  # Bob's click on Alice's button got no answer


def test_app_uninstalled_deletes_tokens_and_starts_the_countdown(
    harness: Harness, engine: Engine
) -> None:
    h = harness
    h.post_question()  # the workspace has data
    store_installation(engine, TEAM_ID, "xoxb-test-stored")
    event = payload("events_api/app_uninstalled.json", team_id=TEAM_ID, event_id="EvUNINST01")
    assert h.post(json.dumps(event), "application/json").status == 200
    h.wait_until(lambda: uninstalled_at(h) is not None)
    first = uninstalled_at(h)
    assert first == h.clock.now()
    assert token_rows(engine, TEAM_ID) == 0
    assert h.get("/healthz").status == 200

    # Slack's retry and the tokens_revoked that follows an uninstall change nothing more.
    h.clock.advance(minutes=5)
    headers = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert h.post(json.dumps(event), "application/json", headers=headers).status == 200
    revoked = payload("events_api/tokens_revoked.json", team_id=TEAM_ID, event_id="EvREVOKE1")
    assert h.post(json.dumps(revoked), "application/json").status == 200
    h.wait_until(lambda: handled(h, "EvREVOKE1"))
    assert uninstalled_at(h) == first
    assert not h.fake.calls_to("chat.postEphemeral")  # nobody is messaged about it


def test_tokens_revoked_for_user_tokens_only_leaves_the_bot_installed(
    harness: Harness, engine: Engine
) -> None:
    h = harness
    h.post_question()
    store_installation(engine, TEAM_ID, "xoxb-test-stored")
    revoked = payload("events_api/tokens_revoked.json", team_id=TEAM_ID, event_id="EvREVOKE2")
    revoked["event"] = {"type": "tokens_revoked", "tokens": {"oauth": ["UINSTALLER"], "bot": []}}
    assert h.post(json.dumps(revoked), "application/json").status == 200
    h.wait_until(lambda: handled(h, "EvREVOKE2"))
    assert token_rows(engine, TEAM_ID) == 2
    assert uninstalled_at(h) is None

    bot = payload("events_api/tokens_revoked.json", team_id=TEAM_ID, event_id="EvREVOKE3")
    assert h.post(json.dumps(bot), "application/json").status == 200
    h.wait_until(lambda: token_rows(engine, TEAM_ID) == 0)
    assert uninstalled_at(h) == h.clock.now()
