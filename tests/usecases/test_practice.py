"""DM practice on a real database with a fixed clock: asking, grading, FSRS scheduling, commands."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, select

from bot.app import build_deps
from bot.db.models import PracticeCard, PracticeReview, Practitioner
from bot.deps import Deps
from bot.domain import commands as cmd
from bot.domain.bank import Question
from bot.domain.practice_views import (
    Asked,
    Graded,
    HelpView,
    Info,
    StatsView,
    TopicsView,
    Turn,
)
from bot.slack import practice_blocks
from bot.slack.gateway import make_web_client
from bot.usecases import practice, slash
from tests.fakes import FixedClock, RecordingGateway
from tests.slack_fake import check_blocks
from tests.usecases.conftest import CHANNEL, TEAM

ALICE = "UALICE001"
DM = "DALICE001"


def say(deps: Deps, text: str, user: str = ALICE, event_id: str | None = None) -> Turn:
    turn = practice.handle(deps, TEAM, user, text, event_id=event_id, timezone="Europe/Paris")
    assert turn is not None
    return turn


def asked(turn: Turn) -> Question:
    found = [p for p in turn if isinstance(p, Asked)]
    assert found, turn
    return found[-1].question


def graded(turn: Turn) -> Graded:
    (found,) = [p for p in turn if isinstance(p, Graded)]
    return found


def card_of(deps: Deps, question_id: str, user: str = ALICE) -> PracticeCard:
    with deps.session_factory() as s:
        card = s.scalars(
            select(PracticeCard).where(
                PracticeCard.user_id == user, PracticeCard.question_id == question_id
            )
        ).one()
        s.expunge(card)
        return card


def test_practice_asks_a_new_question_of_the_chosen_topic(deps: Deps) -> None:
    question = asked(say(deps, "practice classical-ml"))
    assert question.topic == "classical-ml"
    with deps.session_factory() as s:
        person = s.scalars(select(Practitioner)).one()
    assert person.pending_question_id == question.id
    assert person.topic == "classical-ml"
    assert person.timezone == "Europe/Paris"


def test_feedback_is_complete_and_the_card_is_scheduled(deps: Deps, clock: FixedClock) -> None:
    question = asked(say(deps, "practice"))
    turn = say(deps, question.model_answer)
    fb = graded(turn)
    assert fb.total == len(question.key_points)
    assert fb.covered == fb.total
    assert fb.score >= 80
    assert [p.point for p in fb.points] == [kp.point for kp in question.key_points]
    assert all(p.evidence for p in fb.points if p.covered)
    assert fb.question.model_answer == question.model_answer
    assert fb.comes_back.startswith("in ")
    card = card_of(deps, question.id)
    assert card.last_score == fb.score
    assert card.reviews == 1
    assert card.topic == question.topic
    assert card.due_at > clock.now() + timedelta(days=1)
    assert card.last_reviewed_at == clock.now()
    # The session goes on: the next question is asked at once, and it is a different one.
    assert asked(turn).id != question.id


def test_a_poor_answer_comes_back_sooner_than_a_good_one(deps: Deps) -> None:
    first = asked(say(deps, "practice", user="UGOOD0001"))
    say(deps, first.model_answer, user="UGOOD0001")
    poor_q = asked(say(deps, "practice", user="UPOOR0001"))
    fb = graded(say(deps, "I think it depends, I would check the docs.", user="UPOOR0001"))
    assert fb.score < 40
    assert fb.rating == "again"
    assert any(not p.covered for p in fb.points)
    poor = card_of(deps, poor_q.id, "UPOOR0001")
    good = card_of(deps, first.id, "UGOOD0001")
    assert poor.due_at < good.due_at
    assert fb.comes_back.startswith("tomorrow")


def test_due_cards_are_served_before_new_ones(deps: Deps, clock: FixedClock) -> None:
    first = asked(say(deps, "practice llm-genai"))
    turn = say(deps, "No idea, sorry, really.")  # Again: due tomorrow
    second = asked(turn)
    say(deps, second.model_answer)  # Good or Easy: due in days
    say(deps, "stop")
    clock.advance(days=1)
    back = next(p for p in say(deps, "practice llm-genai") if isinstance(p, Asked))
    assert back.question.id == first.id
    assert back.returning


def test_state_survives_a_restart(engine: Engine, deps: Deps, clock: FixedClock) -> None:
    question = asked(say(deps, "practice"))
    say(deps, "Not sure about this one at all.")
    say(deps, "stop")
    # A new process: new deps, new session factory, same database.
    again = build_deps(
        deps.settings, engine, make_web_client(None, deps.settings.slack_api_url), clock=clock
    )
    clock.advance(days=1)
    assert asked(say(again, "practice")).id == question.id
    card = card_of(again, question.id)
    assert card.reviews == 1
    assert card.fsrs_state["state"] == 2


def test_a_retried_event_is_handled_once(deps: Deps) -> None:
    asked(say(deps, "practice"))
    assert practice.handle(deps, TEAM, ALICE, "gradient descent", event_id="Ev1") is not None
    assert practice.handle(deps, TEAM, ALICE, "gradient descent", event_id="Ev1") is None
    with deps.session_factory() as s:
        assert len(s.scalars(select(PracticeReview)).all()) == 1


def test_empty_and_emoji_answers_are_refused_and_change_nothing(deps: Deps) -> None:
    question = asked(say(deps, "practice"))
    for text in (":tada: :tada:", "   \u0000 "):
        (part,) = say(deps, text)
        assert isinstance(part, Info)
        assert "still waiting" in part.text
    with deps.session_factory() as s:
        assert s.scalars(select(PracticeCard)).all() == []
        assert s.scalars(select(Practitioner)).one().pending_question_id == question.id


def test_text_without_a_pending_question_gets_friendly_help(deps: Deps) -> None:
    (part,) = say(deps, "hello there")
    assert isinstance(part, HelpView)
    assert part.intro
    with deps.session_factory() as s:
        assert s.scalars(select(PracticeCard)).all() == []


def test_skip_keeps_the_question_for_later_and_asks_another(deps: Deps) -> None:
    first = asked(say(deps, "practice"))
    turn = say(deps, "skip")
    assert isinstance(turn[0], Info)
    assert asked(turn).id != first.id
    with deps.session_factory() as s:
        assert s.scalars(select(PracticeCard)).all() == []


def test_practice_again_repeats_the_pending_question(deps: Deps) -> None:
    first = asked(say(deps, "practice"))
    assert asked(say(deps, "practice")).id == first.id


def test_stop_clears_the_pending_question(deps: Deps) -> None:
    asked(say(deps, "practice"))
    (part,) = say(deps, "stop")
    assert isinstance(part, Info)
    assert part.text.startswith("Stopped.")
    (after,) = say(deps, "an answer to nothing")
    assert isinstance(after, HelpView)


def test_stats_and_topics_show_progress(deps: Deps) -> None:
    question = asked(say(deps, "practice deep-learning"))
    fb = graded(say(deps, question.model_answer))
    (stats,) = say(deps, "stats")
    assert isinstance(stats, StatsView)
    assert (stats.seen, stats.reviews, stats.average, stats.due) == (1, 1, fb.score, 0)
    (row,) = stats.topics
    assert (row.slug, row.seen, row.mastery) == ("deep-learning", 1, fb.score)
    (topics,) = say(deps, "topics")
    assert isinstance(topics, TopicsView)
    assert topics.current == "deep-learning"
    assert {r.slug for r in topics.rows} == set(deps.bank.topics)
    assert sum(r.questions for r in topics.rows) == len(deps.bank)


def test_unknown_topic_is_refused(deps: Deps) -> None:
    (part,) = say(deps, "practice astrology")
    assert isinstance(part, Info)
    assert "no topic `astrology`" in part.text


def test_level_limits_new_questions(deps: Deps) -> None:
    say(deps, "level senior")
    for _ in range(3):
        assert asked(say(deps, "skip" if _ else "practice")).level.value == "senior"


def test_caught_up_when_every_question_of_the_topic_was_seen(deps: Deps) -> None:
    topic_questions = deps.bank.eligible(["mlops"], "junior")
    say(deps, "level junior")
    turn = say(deps, "practice mlops")
    for _ in topic_questions:
        turn = say(deps, asked(turn).model_answer)
    assert isinstance(turn[-1], Info)
    assert "all caught up" in turn[-1].text


def test_remind_on_and_off(deps: Deps) -> None:
    (on,) = say(deps, "remind on")
    assert isinstance(on, Info)
    assert "09:00 (Europe/Paris time)" in on.text
    with deps.session_factory() as s:
        assert s.scalars(select(Practitioner)).one().remind
    say(deps, "remind off")
    with deps.session_factory() as s:
        assert not s.scalars(select(Practitioner)).one().remind


def test_direct_message_gets_replies_in_the_dm(deps: Deps, gateway: RecordingGateway) -> None:
    practice.dm(deps, TEAM, ALICE, DM, "practice", event_id="Ev10")
    question_post = gateway.of("post_message")[-1]
    assert question_post["channel"] == DM
    check_blocks(question_post["blocks"])
    assert gateway.of("user_info") == [{"user": ALICE}]  # the zone, asked once
    with deps.session_factory() as s:
        qid = s.scalars(select(Practitioner.pending_question_id)).one()
    question = deps.bank.get(str(qid))
    assert question is not None
    practice.dm(deps, TEAM, ALICE, DM, question.model_answer, event_id="Ev11")
    feedback, nxt = gateway.of("post_message")[-2:]
    check_blocks(feedback["blocks"])
    total = len(question.key_points)
    assert feedback["text"].startswith(f"{total}/{total} key points")
    shown = str(feedback["blocks"])
    assert "Model answer" in shown
    assert "comes back" in shown
    assert nxt["text"].startswith("Practice: ")
    assert len(gateway.of("user_info")) == 1


def test_slash_practice_starts_in_the_dm(deps: Deps, gateway: RecordingGateway) -> None:
    request = slash.SlashRequest(TEAM, CHANNEL, ALICE, "practice evaluation")
    reply = slash.handle(deps, request, cmd.Practice("evaluation"))
    assert reply is not None
    assert "direct messages" in reply.text
    (post,) = gateway.of("post_message")
    assert post["channel"] == ALICE
    assert post["text"].startswith("Practice: ")
    bad = slash.handle(deps, request, cmd.Practice("nope"))
    assert bad is not None
    assert "no topic `nope`" in bad.text
    assert len(gateway.of("post_message")) == 1


def test_every_part_renders_within_slack_limits(deps: Deps) -> None:
    long_answer = "Regularisation adds a penalty. " * 2000
    parts = [*say(deps, "help"), *say(deps, "topics"), *say(deps, "practice")]
    parts += [*say(deps, long_answer), *say(deps, "stats")]
    assert any(isinstance(p, Graded) and p.truncated for p in parts)
    for part in parts:
        message = practice_blocks.render(part)
        check_blocks(message.blocks)
        assert message.text
    check_blocks(practice_blocks.nudge(3).blocks)
