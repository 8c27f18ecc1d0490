"""Appeals end to end: signed block_actions in, Web API calls (DMs, chat.update) out to the fake."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.db.models import Answer, Appeal, QuestionPost
from bot.domain.bank import Question
from tests.e2e.conftest import ADMIN, ALICE, BOB, CHANNEL, Harness
from tests.slack_fake import TEAM_ID

PAYLOADS = Path(__file__).resolve().parents[1] / "data" / "slack-payloads" / "interactivity"
# Says nothing about any question in the bank: whatever the question, its points are missed.
FILLER = "I would also think about how this plays out for the people using the system every day."


def payload(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / name).read_text())
    return data


def blocks_of(args: dict[str, Any]) -> list[dict[str, Any]]:
    raw = args.get("blocks") or []
    return json.loads(raw) if isinstance(raw, str) else list(raw)


def text_of(args: dict[str, Any]) -> str:
    out = []
    for b in blocks_of(args):
        if "text" in b:
            out.append(b["text"]["text"])
        out += [e["text"] for e in b.get("elements", []) if isinstance(e.get("text"), str)]
    return "\n".join(out)


def question_of(h: Harness, ts: str) -> Question:
    with h.deps.session_factory() as s:
        qid = s.scalar(select(QuestionPost.question_id).where(QuestionPost.slack_ts == ts))
    question = h.deps.bank.get(str(qid))
    assert question is not None
    return question


def answer_of(h: Harness, user: str) -> Answer:
    with h.deps.session_factory() as s:
        return s.scalars(select(Answer).where(Answer.user_id == user)).one()


def appeal_rows(h: Harness) -> list[Appeal]:
    with h.deps.session_factory() as s:
        return list(s.scalars(select(Appeal).order_by(Appeal.id)))


def press_appeal(h: Harness, feedback: dict[str, Any], user: str = ALICE) -> dict[str, Any]:
    """Press the first "I covered this" of an ephemeral feedback, as Slack sends it."""
    button = next(b["accessory"] for b in blocks_of(feedback) if "accessory" in b)
    click = payload("block_actions_ephemeral_button.json")
    click["user"] = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID}
    click["team"] = {"id": TEAM_ID, "domain": "fake"}
    click["container"] = {
        "type": "message",
        "message_ts": "1772600300.000100",
        "channel_id": CHANNEL,
        "is_ephemeral": True,
    }
    click["channel"] = {"id": CHANNEL, "name": "study"}
    click["response_url"] = h.fake.response_url(f"appeal-{user}")
    click["actions"] = [
        {**click["actions"][0], "action_id": button["action_id"], "block_id": "fb",
         "value": button["value"], "text": button["text"]}
    ]  # fmt: skip
    assert h.interaction(click).status == 200
    return button


def press_decision(h: Harness, dm: Any, user: str, action_id: str, dm_channel: str) -> None:
    """Press Approve or Reject in an admin's DM as Slack sends it: a bot message in a D… channel."""
    sent = blocks_of(dm.args)
    button = next(
        e
        for b in sent
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )
    click = payload("block_actions_channel_message_button.json")
    ts = str(dm.response["ts"])
    click["user"] = {"id": user}
    click["team"] = {"id": TEAM_ID}
    click["container"] = {
        "type": "message",
        "message_ts": ts,
        "channel_id": dm_channel,
        "is_ephemeral": False,
    }
    click["channel"] = {"id": dm_channel}
    click["message"] = {**copy.deepcopy(click["message"]), "ts": ts, "blocks": sent}
    click["response_url"] = h.fake.response_url(f"decide-{user}")
    click["actions"] = [
        {**click["actions"][0], "action_id": action_id, "block_id": "appeal_decision",
         "value": button["value"], "text": button["text"]}
    ]  # fmt: skip
    assert h.interaction(click).status == 200


def answered_with_one_point(h: Harness) -> tuple[Question, dict[str, Any]]:
    """ADMIN runs the channel; Alice answers today's question with its first key point only."""
    h.command("schedule weekdays 09:30 Europe/Paris", user=ADMIN)
    assert "You are now a QOTD admin" in h.fake.wait_for_response(1)[0]["text"]
    ts = h.post_question()
    question = question_of(h, ts)
    h.reply(f"{question.key_points[0].point} {FILLER}", ts)
    feedback = h.fake.wait_for("chat.postEphemeral")[0].args
    return question, feedback


def dms_to(h: Harness, user: str) -> list[Any]:
    return [c for c in h.fake.calls_to("chat.postMessage") if c.args["channel"] == user]


def test_an_approved_appeal_reaches_the_admin_and_regrades_the_answer(harness: Harness) -> None:
    h = harness
    question, feedback = answered_with_one_point(h)
    before = answer_of(h, ALICE)
    missed = [i for i in range(len(question.key_points)) if i not in before.covered]
    assert {b["accessory"]["action_id"] for b in blocks_of(feedback) if "accessory" in b} == {
        f"appeal_point_{i}" for i in missed
    }
    button = press_appeal(h, feedback)
    index = int(button["action_id"].rsplit("_", 1)[1])
    told = h.fake.wait_for_response(2)[1]
    assert told["response_type"] == "ephemeral"
    assert told["text"].startswith(f":mailbox_with_mail: Appeal sent to <@{ADMIN}>.")
    h.wait_until(lambda: len(dms_to(h, ADMIN)) == 1)
    (dm,) = dms_to(h, ADMIN)
    assert dm.response["ok"], dm.response
    shown = text_of(dm.args)
    assert question.key_points[index].point.replace("&", "&amp;") in shown
    assert FILLER in shown
    h.wait_until(lambda: bool(appeal_rows(h)) and bool(appeal_rows(h)[0].admin_messages))

    press_decision(h, dm, ADMIN, "appeal_approve", "DADMIN001")
    update = h.fake.wait_for("chat.update")[0]
    assert update.response["ok"], update.response
    assert (update.args["channel"], update.args["ts"]) == ("DADMIN001", dm.response["ts"])
    assert f"*Approved* by <@{ADMIN}>" in text_of(update.args)
    assert "appeal_approve" not in json.dumps(update.args["blocks"])
    h.wait_until(lambda: len(dms_to(h, ALICE)) == 1)
    note = dms_to(h, ALICE)[0]
    assert note.response["ok"], note.response
    assert f"<@{ADMIN}> approved your appeal in <#{CHANNEL}>" in text_of(note.args)
    after = answer_of(h, ALICE)
    assert index in after.covered
    assert after.score > before.score
    assert after.points >= before.points
    assert appeal_rows(h)[0].status == "approved"


def test_refusals_doubles_and_a_rejection_over_slack(harness: Harness) -> None:
    h = harness
    _, feedback = answered_with_one_point(h)
    before = answer_of(h, ALICE)
    button = press_appeal(h, feedback)
    index = int(button["action_id"].rsplit("_", 1)[1])
    h.fake.wait_for_response(2)
    h.wait_until(lambda: bool(appeal_rows(h)) and bool(appeal_rows(h)[0].admin_messages))
    (dm,) = dms_to(h, ADMIN)
    # The same button again: one appeal per key point.
    press_appeal(h, feedback)
    assert h.fake.wait_for_response(3)[2]["text"] == (
        "You already appealed this key point; the admins have it."
    )
    # A member who is no admin cannot decide, whatever they send.
    press_decision(h, dm, BOB, "appeal_approve", "DBOB00001")
    assert h.fake.wait_for_response(4)[3]["text"].startswith("Only this channel's QOTD admins")
    assert appeal_rows(h)[0].status == "pending"
    assert h.fake.calls_to("chat.update") == []
    # The admin rejects: the DM shows it, Alice hears it kindly, the grade stands.
    press_decision(h, dm, ADMIN, "appeal_reject", "DADMIN001")
    update = h.fake.wait_for("chat.update")[0]
    assert f"*Rejected* by <@{ADMIN}>; the grade stands." in text_of(update.args)
    h.wait_until(lambda: len(dms_to(h, ALICE)) == 1)
    told = text_of(dms_to(h, ALICE)[0].args)
    assert "kept the grade" in told
    assert f"key point {index + 1}" in told
    assert "Thanks for flagging it" in told
    after = answer_of(h, ALICE)
    assert (after.score, after.covered, after.points) == (
        before.score,
        before.covered,
        before.points,
    )
    assert len(appeal_rows(h)) == 1
    assert appeal_rows(h)[0].status == "rejected"
