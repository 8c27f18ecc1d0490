"""The answer path in SQL Core: what each change of a thread reply leaves in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bot.db import answer_queries
from bot.db.models import Answer, AnswerMessage, ProcessedEvent
from bot.deps import Deps
from bot.domain import grading
from bot.usecases import answer, ask
from tests.fakes import FixedClock, RecordingGateway
from tests.usecases.conftest import CHANNEL, TEAM

USER = "U0ANSWER1"


def thread(deps: Deps) -> tuple[str, str]:
    """Post a question; return its thread ts and its model answer (a reply that scores well)."""
    result = ask.post_question(deps, TEAM, CHANNEL)
    assert result.ok
    assert result.ts
    with deps.session_factory() as s:
        post = answer_queries.post_by_ts(s, TEAM, CHANNEL, result.ts)
    assert post is not None
    question = deps.bank.get(post.question_id)
    assert question is not None
    return result.ts, question.model_answer


def reply(thread_ts: str, ts: str, text: str, event: str, user: str = USER) -> answer.Reply:
    return answer.Reply(TEAM, CHANNEL, user, ts, thread_ts, text, event)


def stored(deps: Deps) -> list[Answer]:
    with deps.session_factory() as s:
        return list(s.scalars(select(Answer).order_by(Answer.id)))


def messages(deps: Deps) -> list[tuple[str, str, bool]]:
    with deps.session_factory() as s:
        rows = s.execute(
            select(AnswerMessage.message_ts, AnswerMessage.text, AnswerMessage.deleted_at)
        ).all()
    return sorted((ts, text, deleted is not None) for ts, text, deleted in rows)


def test_a_first_reply_is_stored_at_revision_one_with_its_grade_and_event(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    ts, model = thread(deps)
    outcome = answer.answer_in_thread(deps, reply(ts, "10.1", model, "Ev1"))
    assert outcome is not None
    assert outcome.reaction
    (ans,) = stored(deps)
    assert (ans.revision, ans.text, ans.user_id, ans.late, ans.private) == (
        1,
        model,
        USER,
        False,
        False,
    )
    assert ans.score > 0
    assert ans.points > 0
    assert ans.covered
    assert ans.key_point_count >= 3
    assert ans.first_answered_at == ans.answered_at == clock.now()
    assert messages(deps) == [("10.1", model, False)]
    with deps.session_factory() as s:
        assert s.get(ProcessedEvent, "Ev1") is not None
    (feedback,) = gateway.of("post_ephemeral")
    assert feedback["user"] == USER
    assert feedback["thread_ts"] == ts
    assert [r["name"] for r in gateway.of("add_reaction")] == [outcome.reaction]


def test_more_replies_join_one_answer_and_a_repeated_ts_is_not_added_twice(
    deps: Deps, clock: FixedClock
) -> None:
    ts, model = thread(deps)
    answer.answer_in_thread(deps, reply(ts, "10.1", "First I would check the data.", "Ev1"))
    clock.advance(minutes=1)
    answer.answer_in_thread(deps, reply(ts, "10.2", model, "Ev2"))
    # The same message again under another event id (no retry header): no second copy of it.
    answer.answer_in_thread(deps, reply(ts, "10.2", model, "Ev3"))
    (ans,) = stored(deps)
    assert ans.text == "First I would check the data.\n" + model
    assert ans.revision == 3
    assert ans.answered_at == clock.now()
    assert ans.first_answered_at < ans.answered_at
    assert [m[0] for m in messages(deps)] == ["10.1", "10.2"]


def test_a_retried_event_changes_nothing(deps: Deps, gateway: RecordingGateway) -> None:
    ts, model = thread(deps)
    answer.answer_in_thread(deps, reply(ts, "10.1", model, "Ev1"))
    assert answer.answer_in_thread(deps, reply(ts, "10.1", model, "Ev1")) is None
    (ans,) = stored(deps)
    assert ans.revision == 1
    assert len(gateway.of("post_ephemeral")) == 1


def test_a_grade_of_an_older_revision_is_not_stored(deps: Deps) -> None:
    ts, model = thread(deps)
    answer.answer_in_thread(deps, reply(ts, "10.1", model, "Ev1"))
    (ans,) = stored(deps)
    with deps.session_factory.begin() as s:
        assert not answer_queries.store_grade(s, ans.id, ans.revision - 1, {"score": 0})
    assert stored(deps)[0].score == ans.score
    with deps.session_factory.begin() as s:
        assert answer_queries.store_grade(s, ans.id, ans.revision, {"score": 7})
    assert stored(deps)[0].score == 7


def test_an_edit_regrades_and_deleting_every_reply_stops_the_answer_counting(
    deps: Deps, gateway: RecordingGateway
) -> None:
    ts, model = thread(deps)
    answer.answer_in_thread(deps, reply(ts, "10.1", "Not sure.", "Ev1"))
    weak = stored(deps)[0]
    edited = answer.edit_in_thread(deps, reply(ts, "10.1", model, "Ev2"))
    assert edited is not None
    ans = stored(deps)[0]
    assert (ans.revision, ans.text, ans.edited_at is not None) == (2, model, True)
    assert ans.score > weak.score
    assert messages(deps) == [("10.1", model, False)]
    # Someone else cannot edit this answer through a message of theirs.
    assert answer.edit_in_thread(deps, reply(ts, "10.1", "x", "Ev3", user="U0OTHER01")) is None

    assert answer.delete_in_thread(deps, TEAM, CHANNEL, "10.1", ts, "Ev4")
    gone = stored(deps)[0]
    assert gone.deleted_at is not None
    assert gone.revision == 3
    assert (gone.score, gone.points, gone.covered, gone.text) == (0, 0, [], "")
    assert not answer.delete_in_thread(deps, TEAM, CHANNEL, "10.1", ts, "Ev5")  # already gone
    assert len(gateway.of("post_ephemeral")) == 2  # the deletion is quiet

    # A new reply brings the answer back.
    answer.answer_in_thread(deps, reply(ts, "10.2", model, "Ev6"))
    back = stored(deps)[0]
    assert back.deleted_at is None
    assert back.text == model
    assert back.score > 0


def test_private_answers_only_for_posts_of_the_same_workspace(deps: Deps) -> None:
    ts, model = thread(deps)
    with deps.session_factory() as s:
        post = answer_queries.post_by_ts(s, TEAM, CHANNEL, ts)
    assert post is not None
    assert answer.answer_privately(deps, "T0ELSEWHERE", USER, post.id, model, "S1") is None
    assert answer.answer_privately(deps, TEAM, USER, post.id + 1000, model, "S2") is None
    assert stored(deps) == []
    assert answer.answer_privately(deps, TEAM, USER, post.id, model, "S3") is not None
    (ans,) = stored(deps)
    assert ans.private
    assert ans.text == model
    assert messages(deps) == [("modal:S3", model, False)]
    assert answer.modal_for(deps, TEAM, str(post.id)) is not None
    assert answer.modal_for(deps, "T0ELSEWHERE", str(post.id)) is None


def test_answers_keep_their_copy_form_and_older_rows_without_one_are_still_compared(
    deps: Deps,
) -> None:
    ts, model = thread(deps)
    answer.answer_in_thread(deps, reply(ts, "10.1", model, "Ev1", user="U0FIRST01"))
    answer.answer_in_thread(deps, reply(ts, "10.2", "To begin with, I check the data.", "Ev2"))
    answer.answer_in_thread(deps, reply(ts, "10.3", "Then I tune the model.", "Ev3"))
    first, second = stored(deps)
    assert first.copy_form == grading.copy_form(model)
    assert second.copy_form == grading.copy_form(
        "To begin with, I check the data.\nThen I tune the model."
    )
    # A row stored before answers kept their copy form (migration 0003) is normalised instead.
    with deps.session_factory.begin() as s:
        s.execute(update(Answer).where(Answer.id == first.id).values(copy_form=None))
    answer.answer_in_thread(deps, reply(ts, "10.4", model.upper(), "Ev4", user="U0COPIER1"))
    copier = stored(deps)[-1]
    assert copier.copied
    assert copier.points == 0


def test_feedback_slack_could_not_take_fails_the_request_after_the_answer_is_stored(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    ts, model = thread(deps)
    gateway.unreachable.add("post_ephemeral")
    with pytest.raises(answer.FeedbackNotSent):
        answer.answer_in_thread(deps, reply(ts, "10.1", model, "Ev1"))
    (stored_first,) = stored(deps)
    assert stored_first.score > 0  # stored and graded before Slack was asked
    # The inbox replays the request (its claim released): stored once, the feedback goes out.
    gateway.unreachable.clear()
    clock.advance(minutes=3)  # the replay comes after the lease
    outcome = answer.answer_in_thread(deps, reply(ts, "10.1", model, None))
    assert outcome is not None
    (again,) = stored(deps)
    assert (again.id, again.score) == (stored_first.id, stored_first.score)
    assert again.answered_at == stored_first.answered_at  # still when it was given
    assert messages(deps) == [("10.1", model, False)]
    assert len(gateway.of("post_ephemeral")) == 2  # the failed attempt and the replay's


def test_feedback_slack_refuses_outright_is_not_retried(
    deps: Deps, gateway: RecordingGateway
) -> None:
    ts, model = thread(deps)
    gateway.fail_with["post_ephemeral"] = "channel_not_found"
    outcome = answer.answer_in_thread(deps, reply(ts, "10.1", model, "Ev1"))
    assert outcome is not None  # logged; repeating the call would fail the same way
    assert stored(deps)[0].score > 0
