"""The weekly recap end to end: a real week of answers over HTTP, then Monday's ticks against the
fake Web API (chat.postMessage, files.getUploadURLExternal, the upload, completeUploadExternal)."""

from __future__ import annotations

import io
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from PIL import Image
from sqlalchemy import select

from bot.db.models import Delivery, QuestionPost
from bot.usecases import daily
from tests.e2e.conftest import ALICE, BOB, CHANNEL, Harness
from tests.slack_fake import Call

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def a_week_of_answers(h: Harness) -> None:
    """Last Wednesday: a question, a strong and a weak answer, then its reveal."""
    h.clock.set(datetime(2026, 2, 25, 10, 0, tzinfo=UTC))
    ts = h.post_question()
    with h.deps.session_factory() as s:
        qid = s.scalar(select(QuestionPost.question_id).where(QuestionPost.slack_ts == ts))
    question = h.deps.bank.get(str(qid))
    assert question is not None
    h.reply(question.model_answer, ts, user=ALICE)
    h.reply("I think it depends on the data, mostly.", ts, user=BOB)
    h.fake.wait_for("chat.postEphemeral", 2)
    h.clock.advance(hours=9)
    assert daily.tick(h.deps).revealed  # the close: the key points are public now
    h.fake.reset()


def recaps(h: Harness) -> list[Call]:
    return [
        c
        for c in h.fake.calls_to("chat.postMessage")
        if str(c.args.get("text", "")).startswith("Weekly recap")
    ]


def delivery(h: Harness) -> Delivery:
    with h.deps.session_factory() as s:
        (found,) = s.scalars(select(Delivery))
        s.expunge(found)
        return found


def test_two_clocks_on_monday_post_one_recap_with_its_chart(harness: Harness) -> None:
    h = harness
    a_week_of_answers(h)
    h.clock.set(MONDAY)
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(lambda _: daily.tick(h.deps), range(2)))
    assert sorted(len(r.recaps.sent) for r in reports) == [0, 1]
    (post,) = recaps(h)
    assert post.response["ok"]
    assert post.args["channel"] == CHANNEL
    assert "thread_ts" not in post.args
    shown = json.dumps(post.args["blocks"])
    assert f"<@{ALICE}>" in shown
    assert f"<@{BOB}>" in shown
    assert "The key point most missed" in shown
    # The external upload flow, once: a URL, the PNG's bytes to it, then the share.
    (ask,) = h.fake.calls_to("files.getUploadURLExternal")
    assert ask.args["filename"] == "qotd-recap-2026-02-23.png"
    (upload,) = h.fake.calls_to("upload")
    data = h.fake.uploads[upload.args["file_id"]]
    assert int(ask.args["length"]) == len(data)
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size) == ("PNG", (600, 300))
    (complete,) = h.fake.calls_to("files.completeUploadExternal")
    assert complete.response["ok"], complete.response
    assert complete.args["channel_id"] == CHANNEL
    (shared,) = json.loads(complete.args["files"])
    assert shared["id"] == upload.args["file_id"]
    assert shared["title"] == "Points per day, 23 February – 1 March 2026"
    found = delivery(h)
    assert (found.status, found.attempts, found.last_error) == ("sent", 1, None)
    h.clock.advance(minutes=1)
    daily.tick(h.deps)
    assert len(recaps(h)) == 1


def test_a_slack_failure_is_retried_on_a_later_tick(harness: Harness) -> None:
    h = harness
    a_week_of_answers(h)
    h.clock.set(MONDAY)
    h.fake.fail("chat.postMessage", error="internal_error")
    assert daily.tick(h.deps).recaps.failed == [(CHANNEL, MONDAY.date() - timedelta(days=7))]
    assert [c.response["ok"] for c in recaps(h)] == [False]
    assert delivery(h).status == "pending"
    h.clock.advance(minutes=1)
    assert daily.tick(h.deps).recaps.sent
    h.clock.advance(minutes=5)
    daily.tick(h.deps)
    assert [c.response["ok"] for c in recaps(h)] == [False, True]
    assert len(h.fake.calls_to("files.completeUploadExternal")) == 1
    assert delivery(h).attempts == 2


def test_a_refused_upload_leaves_the_message_alone(harness: Harness) -> None:
    h = harness
    a_week_of_answers(h)
    h.clock.set(MONDAY)
    h.fake.fail("upload", status=500)
    assert daily.tick(h.deps).recaps.sent
    assert h.fake.calls_to("files.completeUploadExternal") == []
    found = delivery(h)
    assert found.status == "sent"
    assert found.last_error == "sent without its chart: upload_failed: http_500"
    h.clock.advance(minutes=5)
    daily.tick(h.deps)
    assert len(recaps(h)) == 1
