"""The durable inbox over HTTP: recorded before the ack, marked after, replayed if unfinished."""

from __future__ import annotations

import time

from sqlalchemy import func, select, text, update

from bot.db.models import Answer, AnswerMessage, InboxEvent, ProcessedEvent, QuestionPost
from bot.slack import blocks
from bot.slack.listeners import inbox as inbox_listener
from bot.usecases import inbox
from tests.e2e.conftest import ALICE, Harness, extra_app

ANSWER = (
    "Bias is error from wrong assumptions, so the model underfits; variance is sensitivity to "
    "the training data, so it overfits. More complexity lowers bias and raises variance."
)


def answers(h: Harness) -> list[Answer]:
    with h.deps.session_factory() as s:
        return list(s.scalars(select(Answer)))


def inbox_entry(h: Harness, key: str) -> InboxEvent | None:
    with h.deps.session_factory() as s:
        return s.get(InboxEvent, key)


def test_an_answer_event_is_written_down_before_the_ack_and_marked_handled_after(
    harness: Harness,
) -> None:
    thread = harness.post_question()
    response = harness.event(
        {
            "type": "message",
            "channel": "C0STUDY01",
            "channel_type": "channel",
            "user": ALICE,
            "text": ANSWER,
            "ts": "1772500001.000100",
            "thread_ts": thread,
            "event_ts": "1772500001.000100",
        },
        event_id="EvINBOX0001",
    )
    assert response.status == 200
    harness.fake.wait_for("chat.postEphemeral")
    harness.wait_until(lambda: (e := inbox_entry(harness, "EvINBOX0001")) is not None
                       and e.handled_at is not None)  # fmt: skip
    entry = inbox_entry(harness, "EvINBOX0001")
    assert entry is not None
    assert entry.payload["event"]["text"] == ANSWER
    assert entry.attempts == 0


def test_a_private_answer_submission_is_written_down_under_its_trigger_id(
    harness: Harness,
) -> None:
    thread = harness.post_question()
    with harness.deps.session_factory() as s:
        post_id = s.scalar(select(QuestionPost.id).where(QuestionPost.slack_ts == thread))
    submission = {
        "type": "view_submission",
        "team": {"id": "T111", "domain": "fake"},
        "user": {"id": ALICE, "username": "alice", "team_id": "T111"},
        "api_app_id": "A111",
        "token": "unused",
        "trigger_id": "111.444.trigger",
        "view": {
            "id": "V0INBOX1",
            "hash": "h1",
            "team_id": "T111",
            "type": "modal",
            "callback_id": blocks.ANSWER_MODAL_CALLBACK,
            "private_metadata": str(post_id),
            "state": {
                "values": {
                    blocks.ANSWER_INPUT_BLOCK: {blocks.ANSWER_INPUT_ACTION: {"value": ANSWER}}
                }
            },
        },
    }
    assert harness.interaction(submission).status == 200
    harness.fake.wait_for("chat.postEphemeral")
    harness.wait_until(lambda: (e := inbox_entry(harness, "view:111.444.trigger")) is not None
                       and e.handled_at is not None)  # fmt: skip
    [stored] = answers(harness)
    assert stored.private
    assert stored.user_id == ALICE


def test_a_slack_retry_of_a_request_already_held_is_acknowledged_and_left_to_the_inbox(
    harness: Harness,
) -> None:
    thread = harness.post_question()
    event = {
        "type": "message",
        "channel": "C0STUDY01",
        "channel_type": "channel",
        "user": ALICE,
        "text": ANSWER,
        "ts": "1772500002.000100",
        "thread_ts": thread,
    }
    # Written down by a process that then died, before its listener ran.
    held = {"type": "event_callback", "team_id": "T111", "event_id": "EvHELD0001", "event": event}
    assert inbox.record(harness.deps, "EvHELD0001", held) is inbox.Recorded.NEW
    assert harness.event(event, event_id="EvHELD0001", retry=1).status == 200
    time.sleep(0.3)  # listeners run after the acknowledgement: give one time to misbehave
    assert answers(harness) == []  # the replay, not the retry, will run it
    entry = inbox_entry(harness, "EvHELD0001")
    assert entry is not None
    assert entry.handled_at is None


def test_commands_are_not_written_down(harness: Harness) -> None:
    assert harness.command("help").status == 200
    with harness.deps.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(InboxEvent)) == 0


def test_an_event_the_database_cannot_record_is_not_acknowledged(harness: Harness) -> None:
    thread = harness.post_question()
    with harness.deps.session_factory.begin() as s:
        s.execute(text("DROP TABLE inbox_events"))  # any failure to write it down
    response, _ = harness.reply(ANSWER, thread)
    assert response.status == 503  # Slack retries: at once, after 1 and after 5 minutes
    harness.fake.reset()
    assert answers(harness) == []  # nothing was done that a retry would repeat


def test_an_answer_whose_grading_never_happened_is_replayed_graded_and_stored_once(
    harness: Harness,
) -> None:
    thread = harness.post_question()
    response, ts = harness.reply(ANSWER, thread)
    assert response.status == 200
    harness.fake.wait_for("chat.postEphemeral")
    harness.wait_until(lambda: all(e.handled_at for e in entries(harness)))
    [key] = [e.key for e in entries(harness)]
    graded = answers(harness)[0]
    # Roll the database back to a crash right after the answer's transaction committed:
    # the event id is claimed and the message stored, but no grade and no feedback.
    with harness.deps.session_factory.begin() as s:
        s.execute(update(Answer).values(score=0, covered=[], key_point_count=0, points=0))
        s.execute(update(InboxEvent).values(handled_at=None))
    harness.fake.reset()
    harness.clock.advance(seconds=inbox.LEASE.total_seconds() + 1)

    with extra_app(harness.deps) as app:
        replay = inbox_listener.replayer(app, harness.deps)
        report = replay()
        assert report.replayed == [key]

        [feedback] = harness.fake.wait_for("chat.postEphemeral")
        assert feedback.args["user"] == ALICE
        assert feedback.args["thread_ts"] == thread
        harness.wait_until(lambda: all(e.handled_at for e in entries(harness)))
        [again] = answers(harness)
        assert again.id == graded.id
        assert (again.score, again.covered, again.points) == (graded.score, graded.covered,
                                                              graded.points)  # fmt: skip
        assert again.key_point_count > 0
        with harness.deps.session_factory() as s:
            assert list(s.scalars(select(AnswerMessage.message_ts))) == [ts]
            assert s.get(ProcessedEvent, key) is not None  # claimed again by the replay
        # Nothing left to replay: a later run does nothing.
        harness.clock.advance(minutes=5)
        assert replay().replayed == []
        assert len(harness.fake.calls_to("chat.postEphemeral")) == 1


def test_feedback_slack_could_not_take_is_sent_when_the_request_is_replayed(
    harness: Harness,
) -> None:
    thread = harness.post_question()
    # More 500s than the Web API client retries: the listener gives up on this feedback.
    harness.fake.fail("chat.postEphemeral", times=3, status=500)
    response, ts = harness.reply(ANSWER, thread)
    assert response.status == 200
    harness.fake.wait_for("chat.postEphemeral", 3)
    harness.wait_until(lambda: [a.key_point_count > 0 for a in answers(harness)] == [True])
    time.sleep(0.3)  # the listener finishes (failed): its entry must stay unhandled
    [entry] = entries(harness)
    assert entry.handled_at is None
    graded = answers(harness)[0]

    harness.clock.advance(seconds=inbox.LEASE.total_seconds() + 1)
    with extra_app(harness.deps) as app:
        assert inbox_listener.replayer(app, harness.deps)().replayed == [entry.key]
        sent = harness.fake.wait_for("chat.postEphemeral", 4)
        harness.wait_until(lambda: all(e.handled_at for e in entries(harness)))
    assert [c.status for c in sent] == [500, 500, 500, 200]
    assert sent[-1].args["user"] == ALICE
    [again] = answers(harness)
    assert (again.id, again.score, again.points) == (graded.id, graded.score, graded.points)
    with harness.deps.session_factory() as s:
        assert list(s.scalars(select(AnswerMessage.message_ts))) == [ts]


def entries(h: Harness) -> list[InboxEvent]:
    with h.deps.session_factory() as s:
        return list(s.scalars(select(InboxEvent)))
