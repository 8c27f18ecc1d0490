"""Ask and reveal use cases with a recording gateway: rotation, failures, exactly-once close."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db import queries
from bot.db.models import QuestionPost
from bot.deps import Deps
from bot.usecases import answer, ask, channel_settings, reveal
from tests.fakes import FixedClock, RecordingGateway
from tests.usecases.conftest import ADMIN, CHANNEL, TEAM


def posts(deps: Deps) -> list[QuestionPost]:
    with deps.session_factory() as s:
        return list(s.scalars(select(QuestionPost).order_by(QuestionPost.id)))


def test_posting_records_an_open_post_that_closes_after_eight_hours(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    result = ask.post_question(deps, TEAM, CHANNEL)
    assert result.ok
    (post,) = posts(deps)
    assert post.status == "open"
    assert post.slack_ts == result.ts
    assert post.opened_at == clock.now()
    assert post.closes_at == clock.now() + timedelta(hours=8)
    assert post.scheduled_date is None
    (call,) = gateway.of("post_message")
    assert call["channel"] == CHANNEL


def test_no_repeats_until_the_bank_is_used_up_and_admins_warned_once_per_cycle(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    channel_settings.set_topics(deps, TEAM, CHANNEL, ("mlops",))
    channel_settings.set_level(deps, TEAM, CHANNEL, "senior")
    with deps.session_factory.begin() as s:
        ch = queries.channel(s, TEAM, CHANNEL, clock.now())
        queries.add_channel_admin(s, ch.id, ADMIN, clock.now())
    eligible = deps.bank.eligible(["mlops"], "senior")
    assert len(eligible) >= 5
    asked = []
    for _ in range(len(eligible)):
        result = ask.post_question(deps, TEAM, CHANNEL)
        assert result.ok
        asked.append(posts(deps)[-1].question_id)
        clock.advance(days=1)
    assert sorted(asked) == sorted(q.id for q in eligible)
    warnings = [c for c in gateway.of("post_message") if c["channel"] == ADMIN]
    assert len(warnings) == 1
    assert "fewer than 5 questions are left" in warnings[0]["text"]
    assert ask.post_question(deps, TEAM, CHANNEL).ok  # a new cycle starts: warned once more
    assert len([c for c in gateway.of("post_message") if c["channel"] == ADMIN]) == 2


def test_a_refused_manual_post_is_explained_and_not_left_pending(
    deps: Deps, gateway: RecordingGateway
) -> None:
    gateway.fail_with["post_message"] = "not_in_channel"
    result = ask.post_question(deps, TEAM, CHANNEL)
    assert not result.ok
    assert "invite me" in result.message
    (post,) = posts(deps)
    assert (post.status, post.last_error, post.attempts) == ("skipped", "not_in_channel", 1)


def test_a_refused_scheduled_post_is_kept_for_a_retry_with_backoff(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    gateway.fail_with["post_message"] = "ratelimited"
    today = clock.now().date()
    result = ask.post_question(deps, TEAM, CHANNEL, scheduled_date=today)
    assert not result.ok
    (post,) = posts(deps)
    assert post.status == "pending"
    assert post.next_attempt_at == clock.now() + timedelta(minutes=1)
    retried = ask.deliver(deps, TEAM, CHANNEL, post.id)
    assert retried.ok
    assert posts(deps)[0].status == "open"
    assert not ask.deliver(deps, TEAM, CHANNEL, post.id).ok  # never twice


def test_unknown_topic_and_empty_selection_change_nothing(deps: Deps) -> None:
    result = ask.post_question(deps, TEAM, CHANNEL, topic="astrology")
    assert not result.ok
    assert "There is no topic `astrology`" in result.message
    assert posts(deps) == []


def test_reveal_happens_once_and_ranks_without_copies_or_deleted(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    result = ask.post_question(deps, TEAM, CHANNEL)
    assert result.ts is not None
    post = posts(deps)[0]
    question = deps.bank.get(post.question_id)
    assert question is not None
    reply = answer.Reply(TEAM, CHANNEL, "U1", "1.1", result.ts, question.model_answer, "Ev1")
    answer.answer_in_thread(deps, reply)
    clock.advance(minutes=1)
    copy = answer.Reply(TEAM, CHANNEL, "U2", "1.2", result.ts, question.model_answer, "Ev2")
    answer.answer_in_thread(deps, copy)
    weak = answer.Reply(TEAM, CHANNEL, "U3", "1.3", result.ts, question.key_points[0].point, "Ev3")
    answer.answer_in_thread(deps, weak)
    gone = answer.Reply(TEAM, CHANNEL, "U4", "1.4", result.ts, question.model_answer + " x", "Ev4")
    answer.answer_in_thread(deps, gone)
    answer.delete_in_thread(deps, TEAM, CHANNEL, "1.4", result.ts, "Ev5")
    first = reveal.reveal(deps, TEAM, post.id)
    second = reveal.reveal(deps, TEAM, post.id)
    assert first.ok
    assert not second.ok
    reveals = [c for c in gateway.of("post_message") if c["thread_ts"] == result.ts]
    assert len(reveals) == 1
    podium = reveals[0]["blocks"][3]["text"]["text"]
    assert "<@U1>" in podium
    assert "<@U3>" in podium
    assert "<@U2>" not in podium
    assert "<@U4>" not in podium
    assert len(gateway.of("update_message")) == 1


def test_reveal_due_closes_only_questions_past_their_close(
    deps: Deps, gateway: RecordingGateway, clock: FixedClock
) -> None:
    ask.post_question(deps, TEAM, CHANNEL)
    assert reveal.reveal_due(deps) == []
    clock.advance(hours=8)
    assert reveal.reveal_due(deps) == [posts(deps)[0].id]
    assert posts(deps)[0].status == "closed"


def test_close_setting_moves_the_open_question(deps: Deps, clock: FixedClock) -> None:
    ask.post_question(deps, TEAM, CHANNEL)
    text = channel_settings.set_close(deps, TEAM, CHANNEL, None, 120)
    assert "2 hours after posting" in text
    assert posts(deps)[0].closes_at == clock.now() + timedelta(hours=2)
