"""The channel experience end to end: signed HTTP requests in, Web API calls out to the fake."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.models import Answer, ProcessedEvent, QuestionPost
from bot.domain.bank import Question
from tests.e2e.conftest import ADMIN, ALICE, BOB, CHANNEL, Harness


def question_of(h: Harness, ts: str) -> Question:
    with h.deps.session_factory() as s:
        qid = s.scalar(select(QuestionPost.question_id).where(QuestionPost.slack_ts == ts))
    question = h.deps.bank.get(str(qid))
    assert question is not None
    return question


def answers(h: Harness, user: str | None = None) -> list[Answer]:
    with h.deps.session_factory() as s:
        query = select(Answer).order_by(Answer.id)
        if user:
            query = query.where(Answer.user_id == user)
        return list(s.scalars(query))


def ephemerals(h: Harness, count: int) -> list[dict[str, Any]]:
    return [c.args for c in h.fake.wait_for("chat.postEphemeral", count)]


def blocks_text(args: dict[str, Any]) -> str:
    raw = args.get("blocks") or []
    blocks = json.loads(raw) if isinstance(raw, str) else raw
    out = []
    for b in blocks:
        if "text" in b:
            out.append(b["text"]["text"])
        out += [e.get("text", "") for e in b.get("elements", []) if isinstance(e.get("text"), str)]
    return "\n".join(out)


def settle(h: Harness, seconds: float = 0.3) -> None:
    """Give listeners (which run after the acknowledgement) time to act, when asserting absence."""
    time.sleep(seconds)


# -- posting and answering ------------------------------------------------------------------


def test_now_posts_the_question_with_its_button(harness: Harness) -> None:
    h = harness
    ts = h.post_question()
    post = h.fake.calls_to("chat.postMessage")[0].args
    assert post["channel"] == CHANNEL
    question = question_of(h, ts)
    shown = blocks_text(post)
    assert question.question[:40].replace("&", "&amp;") in shown.replace("\n", " ")
    assert "*Level:*" in shown
    assert "*Closes:* today" in shown
    assert "Reply in this thread" in shown
    assert '"action_id": "answer_privately"' in json.dumps(post["blocks"])


def test_a_good_reply_gets_private_feedback_points_and_a_check_mark(harness: Harness) -> None:
    h = harness
    ts = h.post_question()
    question = question_of(h, ts)
    response, reply_ts = h.reply(question.model_answer, ts)
    assert response.status == 200
    feedback = ephemerals(h, 1)[0]
    assert feedback["user"] == ALICE
    assert feedback["channel"] == CHANNEL
    assert feedback["thread_ts"] == ts
    total = len(question.key_points)
    assert feedback["text"].startswith(f"{total}/{total} key points")
    reaction = h.fake.wait_for("reactions.add")[0].args
    assert (reaction["timestamp"], reaction["name"]) == (reply_ts, "white_check_mark")
    (stored,) = answers(h, ALICE)
    assert stored.score >= 80
    assert stored.points == 1 + (stored.score + 5) // 10
    assert not stored.late
    assert not stored.copied


def test_a_weak_reply_sees_hints_not_the_missed_points(harness: Harness) -> None:
    h = harness
    ts = h.post_question()
    question = question_of(h, ts)
    h.reply("Honestly I am not sure, I would look it up.", ts)
    feedback = ephemerals(h, 1)[0]
    shown = blocks_text(feedback)
    assert "*Hint:*" in shown
    for kp in question.key_points:
        assert kp.point not in shown
    assert h.fake.wait_for("reactions.add")[0].args["name"] == "writing_hand"


def test_several_replies_form_one_answer(harness: Harness) -> None:
    h = harness
    ts = h.post_question()
    question = question_of(h, ts)
    sentences = question.model_answer.split(". ")
    half = len(sentences) // 2
    h.reply(". ".join(sentences[:half]), ts)
    ephemerals(h, 1)
    h.reply(". ".join(sentences[half:]), ts)
    ephemerals(h, 2)
    (stored,) = answers(h, ALICE)
    assert stored.score >= 80
    assert len(stored.text.splitlines()) >= 2


def test_edits_regrade_and_deletions_remove(harness: Harness) -> None:
    h = harness
    ts = h.post_question()
    question = question_of(h, ts)
    _, reply_ts = h.reply("no idea", ts)
    ephemerals(h, 1)
    assert answers(h, ALICE)[0].score < 30
    edited = {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": CHANNEL,
        "channel_type": "channel",
        "ts": "1772600000.000001",
        "event_ts": "1772600000.000001",
        "message": {
            "type": "message",
            "user": ALICE,
            "text": question.model_answer,
            "ts": reply_ts,
            "thread_ts": ts,
            "edited": {"user": ALICE, "ts": "1772600000.000000"},
        },
        "previous_message": {"type": "message", "user": ALICE, "text": "no idea", "ts": reply_ts,
                             "thread_ts": ts},
    }  # fmt: skip
    assert h.event(edited).status == 200
    second = ephemerals(h, 2)[1]
    assert "re-graded after your edit" in blocks_text(second)
    assert answers(h, ALICE)[0].score >= 80
    removed = h.fake.wait_for("reactions.remove")[0].args
    assert removed["name"] == "writing_hand"
    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": CHANNEL,
        "channel_type": "channel",
        "ts": "1772600001.000001",
        "deleted_ts": reply_ts,
        "event_ts": "1772600001.000001",
        "previous_message": {"type": "message", "user": ALICE, "text": question.model_answer,
                             "ts": reply_ts, "thread_ts": ts},
    }  # fmt: skip
    assert h.event(deleted).status == 200
    h.wait_until(lambda: answers(h, ALICE)[0].deleted_at is not None)
    stored = answers(h, ALICE)[0]
    assert (stored.points, stored.score, stored.covered) == (0, 0, [])


def test_retries_of_one_event_grade_and_reply_once(harness: Harness) -> None:
    h = harness
    ts = h.post_question()
    event = {
        "type": "message", "channel": CHANNEL, "channel_type": "channel", "user": BOB,
        "text": "Regularisation and more data help.", "ts": "1772600100.000100", "thread_ts": ts,
    }  # fmt: skip
    assert h.event(event, event_id="EvRETRY01").status == 200
    ephemerals(h, 1)
    for retry in (1, 2, 3):
        assert h.event(event, event_id="EvRETRY01", retry=retry).status == 200
    settle(h, 0.5)
    assert len(h.fake.calls_to("chat.postEphemeral")) == 1
    assert len(h.fake.calls_to("reactions.add")) == 1
    with h.deps.session_factory() as s:
        assert s.get(ProcessedEvent, "EvRETRY01") is not None


def test_copies_are_graded_but_earn_nothing(harness: Harness) -> None:
    h = harness
    ts = h.post_question()
    question = question_of(h, ts)
    h.reply(question.model_answer, ts, user=ALICE)
    ephemerals(h, 1)
    h.reply(question.model_answer.replace(".", "!"), ts, user=BOB)
    bob = next(e for e in ephemerals(h, 2) if e["user"] == BOB)
    assert "nearly the same as an earlier answer" in blocks_text(bob)
    stored = answers(h, BOB)[0]
    assert stored.copied
    assert stored.points == 0
    assert stored.score >= 80


# -- what is ignored ------------------------------------------------------------------------


def test_noise_is_ignored(harness: Harness) -> None:
    h = harness
    ts = h.post_question()
    noise = [
        # plain channel chatter
        {"type": "message", "channel": CHANNEL, "user": ALICE, "text": "hi all", "ts": "1.1"},
        # a reply in somebody else's thread
        {"type": "message", "channel": CHANNEL, "user": ALICE, "text": "+1", "ts": "2.2",
         "thread_ts": "1.1"},
        # a bot replying in the question's thread
        {"type": "message", "channel": CHANNEL, "bot_id": "B999", "user": "U999", "text": "beep",
         "ts": "3.3", "thread_ts": ts},
        {"type": "message", "subtype": "bot_message", "channel": CHANNEL, "bot_id": "B9",
         "text": "legacy", "ts": "4.4", "thread_ts": ts},
        # the hidden change of the parent post after a reply
        {"type": "message", "subtype": "message_changed", "hidden": True, "channel": CHANNEL,
         "ts": "5.5", "message": {"type": "message", "user": "UBOT0QOTD", "bot_id": "BQOTD0001",
         "text": "Question", "ts": ts, "thread_ts": ts, "reply_count": 1},
         "previous_message": {"type": "message", "text": "Question", "ts": ts, "thread_ts": ts}},
        # a join message
        {"type": "message", "subtype": "channel_join", "channel": CHANNEL, "user": BOB,
         "text": "<@UBOB00001> has joined", "ts": "6.6"},
    ]  # fmt: skip
    for event in noise:
        assert h.event(event).status == 200
    settle(h)
    assert h.fake.calls_to("chat.postEphemeral") == []
    assert h.fake.calls_to("reactions.add") == []
    assert answers(h) == []


# -- reveal, permissions, private answers ------------------------------------------------------


def test_reveal_by_admin_posts_answer_and_top_three_then_late_answers_are_practice(
    harness: Harness,
) -> None:
    h = harness
    ts = h.post_question()
    question = question_of(h, ts)
    h.reply(question.model_answer, ts, user=ALICE)
    h.reply("Something about " + question.key_points[0].point, ts, user=BOB)
    ephemerals(h, 2)
    assert h.command("reveal", user=ADMIN).status == 200
    posts = h.fake.wait_for("chat.postMessage", 2)
    reveal = posts[1].args
    assert reveal["thread_ts"] == ts
    shown = blocks_text(reveal)
    assert "*Model answer*" in shown
    assert "*Key points*" in shown
    assert f":first_place_medal: <@{ALICE}>" in shown
    assert f":second_place_medal: <@{BOB}>" in shown
    update = h.fake.wait_for("chat.update")[0].args
    assert update["ts"] == ts
    assert "(closed)" in blocks_text(update)
    assert "actions" not in json.dumps(update["blocks"])
    assert h.post_status(ts) == "closed"
    reply = h.fake.wait_for_response(1)[0]
    assert reply["text"] == "Answer revealed in the thread."
    assert reply["response_type"] == "ephemeral"
    # An answer after the close: full feedback (points shown in full), no points.
    h.reply(question.model_answer, ts, user="ULATE0001")
    late = next(e for e in ephemerals(h, 3) if e["user"] == "ULATE0001")
    assert "graded as practice" in blocks_text(late)
    assert "*Hint:*" not in blocks_text(late)
    stored = answers(h, "ULATE0001")[0]
    assert stored.late
    assert stored.points == 0


def test_members_cannot_reveal_or_change_settings(harness: Harness) -> None:
    h = harness
    h.post_question()
    for text in ("reveal", "topics mlops", "level senior", "close +2h"):
        assert h.command(text, user=BOB).status == 200
    replies = h.fake.wait_for_response(4)
    assert all("Only workspace admins and this channel's QOTD admins" in r["text"] for r in replies)
    assert len(h.fake.calls_to("chat.postMessage")) == 1


def test_admin_settings_take_effect(harness: Harness) -> None:
    h = harness
    h.command("topics mlops", user=ADMIN)
    assert "`mlops`" in h.fake.wait_for_response(1)[0]["text"]
    h.command("level senior", user=ADMIN)
    assert "*senior*" in h.fake.wait_for_response(2)[1]["text"]
    ts = h.post_question(user=ALICE)
    question = question_of(h, ts)
    assert (question.topic, question.level.value) == ("mlops", "senior")
    h.command("topics nonsense-topic", user=ADMIN)
    assert (
        "Unknown topic `nonsense-topic`; nothing changed." in h.fake.wait_for_response(3)[2]["text"]
    )


def test_answer_privately_opens_a_modal_and_grades_the_submission(harness: Harness) -> None:
    h = harness
    ts = h.post_question()
    question = question_of(h, ts)
    with h.deps.session_factory() as s:
        post_id = s.scalar(select(QuestionPost.id).where(QuestionPost.slack_ts == ts))
    click = {
        "type": "block_actions",
        "user": {"id": BOB, "username": "bob", "team_id": "T111"},
        "api_app_id": "A111",
        "token": "unused",
        "container": {"type": "message", "message_ts": ts, "channel_id": CHANNEL},
        "trigger_id": "111.222.trigger",
        "team": {"id": "T111", "domain": "fake"},
        "channel": {"id": CHANNEL, "name": "study"},
        "response_url": h.fake.response_url("click"),
        "actions": [
            {
                "action_id": "answer_privately",
                "block_id": "qotd_actions",
                "value": str(post_id),
                "type": "button",
                "action_ts": "1772600200.000000",
                "text": {"type": "plain_text", "text": "Answer privately"},
            }
        ],
    }
    assert h.interaction(click).status == 200
    view = h.fake.wait_for("views.open")[0].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["private_metadata"] == str(post_id)
    submission = {
        "type": "view_submission",
        "team": {"id": "T111", "domain": "fake"},
        "user": {"id": BOB, "username": "bob", "team_id": "T111"},
        "api_app_id": "A111",
        "token": "unused",
        "trigger_id": "111.333.trigger",
        "view": {
            **view,
            "id": "V0001",
            "hash": "h1",
            "team_id": "T111",
            "state": {"values": {"answer": {"answer_text": {"value": question.model_answer}}}},
        },
    }
    response = h.interaction(submission)
    assert response.status == 200
    feedback = ephemerals(h, 1)[0]
    assert feedback["user"] == BOB
    stored = answers(h, BOB)[0]
    assert stored.private
    assert stored.score >= 80
    assert h.fake.calls_to("reactions.add") == []  # nothing public about a private answer
    empty = json.loads(json.dumps(submission))
    empty["view"]["state"]["values"]["answer"]["answer_text"]["value"] = "   "
    errors = h.interaction(empty)
    assert errors.status == 200
    assert errors.json()["response_action"] == "errors"


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "x " * 25_000,
        ":tada: :rocket: :100:",
        "🚀🔥💯",
        "אני חושב שזה קשור להטיה ושונות",
        "<https://example.com|link> *bold* `code` ```block``` <@U123> <!channel>",
        "tab\tnull\x00bell\x07 escape\x1b[31m",
        "",
    ],
    ids=["huge", "emoji-codes", "emoji", "rtl", "markup", "control", "empty"],
)
def test_bad_input_gets_feedback_and_never_crashes(harness: Harness, text: str) -> None:
    h = harness
    ts = h.post_question()
    response, _ = h.reply(text, ts)
    assert response.status == 200
    feedback = ephemerals(h, 1)[0]
    assert "key points" in feedback["text"]
    (stored,) = answers(h, ALICE)
    assert 0 <= stored.score <= 100


def test_slash_command_bad_input_is_answered_with_help(harness: Harness) -> None:
    h = harness
    response = h.command("leaderbord")
    assert response.status == 200
    body = response.json()
    assert "Did you mean `leaderboard`?" in body["text"]
    assert body.get("response_type", "ephemeral") == "ephemeral"
    assert h.command("").json()["blocks"]


def test_reply_to_unknown_or_closed_post_is_quietly_handled(harness: Harness) -> None:
    h = harness
    response, _ = h.reply("an answer to nothing", "1234567890.000001")
    assert response.status == 200
    settle(h)
    assert h.fake.calls_to("chat.postEphemeral") == []


# -- Slack's own behaviour: signatures, rate limits ---------------------------------------------


def test_requests_must_be_signed_and_fresh(harness: Harness) -> None:
    h = harness
    body = json.dumps({"type": "event_callback", "event": {"type": "app_mention"}})
    assert h.post(body, "application/json", signed=False).status == 401
    forged = {
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": "v0=" + "0" * 64,
    }
    assert h.post(body, "application/json", signed=False, headers=forged).status == 401
    old = int(time.time()) - 6 * 60
    assert h.post(body, "application/json", timestamp=old).status == 401
    assert h.get("/healthz").status == 200
    assert h.get("/nowhere").status == 404


def test_rate_limited_feedback_is_retried_after_retry_after(harness: Harness) -> None:
    h = harness
    ts = h.post_question()
    h.fake.fail("chat.postEphemeral", status=429, retry_after=1, times=1)
    h.reply("bias and variance", ts)
    calls = h.fake.wait_for("chat.postEphemeral", 2, timeout=15)
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 0.9
    settle(h)
    assert len(h.fake.calls_to("chat.postEphemeral")) == 2


def test_schedule_commands_over_slack(harness: Harness) -> None:
    h = harness
    assert h.command("schedule weekdays 09:30 Europe/Paris", user=BOB).status == 200
    reply = h.fake.wait_for_response(1)[0]["text"]
    assert reply.startswith("Questions scheduled weekdays at 09:30 (Europe/Paris).")
    assert "Next question: Tue 3 Mar, 09:30 CET." in reply
    assert "You are now a QOTD admin" in reply
    h.command("pause", user=ALICE)  # not an admin of this channel
    assert "Only workspace admins" in h.fake.wait_for_response(2)[1]["text"]
    h.command("skip 2026-03-03", user=BOB)
    assert h.fake.wait_for_response(3)[2]["text"].startswith("Skipping Tue 3 Mar.")
    h.command("schedule fortnightly 9:30", user=BOB)
    assert "`fortnightly` is not a day" in h.fake.wait_for_response(4)[3]["text"]
