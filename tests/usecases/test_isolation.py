"""Workspace isolation (SPEC §6.6): two workspaces whose channel id, user id and even question
post ts are the same see nothing of each other: answers, points, copies, accepted wordings,
private answers, reveals, forget-me, leaderboards and stats, practice, appeals."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select, update

from bot.db import queries
from bot.db.models import (
    AcceptedWording,
    Answer,
    Appeal,
    PracticeCard,
    Practitioner,
    QuestionPost,
)
from bot.deps import Deps
from bot.domain import grading
from bot.usecases import answer, appeals, boards, practice, privacy, reveal
from bot.usecases.answer import key_points_for
from tests.fakes import RecordingGateway
from tests.personal_data import answer_post, post_question

T1, T2 = "T1ISOLATE", "T2ISOLATE"
C1 = "C1SHARED"
U1, U2 = "U1SHARED", "U2SHARED"


@dataclass(frozen=True)
class Twins:
    """One open question per workspace in channel C1, both posts with the same Slack ts."""

    post1: QuestionPost
    post2: QuestionPost
    ts: str


@pytest.fixture
def twins(deps: Deps) -> Twins:
    post1 = post_question(deps, T1, C1)
    post2 = post_question(deps, T2, C1)
    assert post1.slack_ts is not None
    with deps.session_factory.begin() as s:  # the worst case: identical ids everywhere
        s.execute(
            update(QuestionPost)
            .where(QuestionPost.id == post2.id)
            .values(slack_ts=post1.slack_ts, question_id=post1.question_id)
        )
    with deps.session_factory() as s:
        post2 = s.get_one(QuestionPost, post2.id)
        s.expunge(post2)
    return Twins(post1, post2, post1.slack_ts)


def answers(deps: Deps, team_id: str) -> list[tuple[str, int, int]]:
    """(user, score, points) of every answer in a workspace."""
    with deps.session_factory() as s:
        ws = queries.workspace(s, team_id, deps.clock.now())
        return [
            (a.user_id, a.score, a.points)
            for a in s.scalars(select(Answer).where(Answer.workspace_id == ws.id))
        ]


def model_answer(deps: Deps, post: QuestionPost) -> str:
    question = deps.bank.get(post.question_id)
    assert question is not None
    return question.model_answer


def test_a_reply_counts_only_in_its_own_workspace(deps: Deps, twins: Twins) -> None:
    answer_post(deps, T1, twins.post1, U1, model_answer(deps, twins.post1))
    (mine,) = answers(deps, T1)
    assert mine[0] == U1
    assert mine[2] >= 1
    assert answers(deps, T2) == []
    # The same person in the other workspace starts from nothing: no "re-graded" edit, no copy.
    outcome = answer.answer_in_thread(
        deps,
        answer.Reply(T2, C1, U1, "1900000000.000001", twins.ts, model_answer(deps, twins.post1)),
    )
    assert outcome is not None
    assert "re-graded" not in str(outcome.feedback.blocks)
    assert "nearly the same as an earlier answer" not in str(outcome.feedback.blocks)
    assert [a[0] for a in answers(deps, T2)] == [U1]
    assert answers(deps, T1) == [mine]


def test_the_copy_check_only_compares_answers_of_the_same_workspace(
    deps: Deps, twins: Twins
) -> None:
    text = model_answer(deps, twins.post1)
    answer_post(deps, T1, twins.post1, U1, text)
    answer_post(deps, T2, twins.post2, U2, text)  # same words, other workspace: not a copy
    answer_post(deps, T1, twins.post1, U2, text)  # same words, same thread: a copy
    with deps.session_factory() as s:
        copied = {(a.workspace_id, a.user_id): a.copied for a in s.scalars(select(Answer)).all()}
        ws1 = queries.workspace(s, T1, deps.clock.now()).id
        ws2 = queries.workspace(s, T2, deps.clock.now()).id
    assert copied == {(ws1, U1): False, (ws2, U2): False, (ws1, U2): True}


def test_accepted_wordings_apply_only_in_the_workspace_that_accepted_them(
    deps: Deps, twins: Twins
) -> None:
    question = deps.bank.get(twins.post1.question_id)
    assert question is not None
    wording = "Purple elephants juggle quietly under moonlit stadium lights"
    with deps.session_factory.begin() as s:
        ws1 = queries.workspace(s, T1, deps.clock.now()).id
        ws2 = queries.workspace(s, T2, deps.clock.now()).id
        s.add(
            AcceptedWording(
                workspace_id=ws1, question_id=question.id, key_point_index=0, wording=wording,
                created_at=deps.clock.now(),
            )
        )  # fmt: skip
    with deps.session_factory() as s:
        in_t1 = key_points_for(s, question, ws1)
        in_t2 = key_points_for(s, question, ws2)
    assert wording in in_t1[0].alternatives
    assert wording not in in_t2[0].alternatives
    assert in_t2 == question.key_points
    assert 0 in grading.grade(wording, in_t1, idf=deps.idf).covered_indices
    assert 0 not in grading.grade(wording, in_t2, idf=deps.idf).covered_indices


def test_a_private_answer_or_modal_cannot_reach_another_workspaces_post(
    deps: Deps, twins: Twins, gateway: RecordingGateway
) -> None:
    assert answer.modal_for(deps, T2, str(twins.post1.id)) is None
    assert answer.modal_for(deps, T1, str(twins.post1.id)) is not None
    text = model_answer(deps, twins.post1)
    assert answer.answer_privately(deps, T2, U1, twins.post1.id, text, "sub-1") is None
    assert answers(deps, T1) == answers(deps, T2) == []
    assert gateway.of("post_ephemeral") == []


def test_revealing_in_one_workspace_leaves_the_other_open(deps: Deps, twins: Twins) -> None:
    assert reveal.reveal_latest(deps, T2, C1).ok
    with deps.session_factory() as s:
        assert s.get_one(QuestionPost, twins.post2.id).status == "closed"
        assert s.get_one(QuestionPost, twins.post1.id).status == "open"


def test_forget_me_in_one_workspace_keeps_the_same_person_in_the_other(
    deps: Deps, twins: Twins
) -> None:
    answer_post(deps, T1, twins.post1, U1, model_answer(deps, twins.post1))
    answer_post(deps, T2, twins.post2, U1, model_answer(deps, twins.post2))
    assert privacy.forget_user(deps, T2, U1).answers == 1
    assert answers(deps, T2) == []
    assert [a[0] for a in answers(deps, T1)] == [U1]
    assert privacy.personal_data(deps, T1, U1).answers == 1


# --- boards, practice and appeals --------------------------------------------------------------


def test_boards_and_stats_count_only_their_own_workspace(deps: Deps, twins: Twins) -> None:
    answer_post(deps, T1, twins.post1, U1, model_answer(deps, twins.post1))
    board1 = boards.leaderboard(deps, T1, C1, U1, "week")
    assert [line.user_id for line in board1.lines] == [U1]
    board2 = boards.leaderboard(deps, T2, C1, U1, "week")
    assert board2.lines == ()
    assert board2.participants == 0
    assert board2.own is None or board2.own.points == 0
    assert boards.stats(deps, T1, C1, U1).points == board1.lines[0].points
    assert boards.stats(deps, T2, C1, U1).points == 0
    assert all(line.answers == 0 for line in boards.teams(deps, T2, C1).lines)


def test_practice_in_one_workspace_is_invisible_in_the_other(deps: Deps) -> None:
    assert practice.handle(deps, T1, U1, "practice") is not None
    with deps.session_factory() as s:
        pending = s.scalars(select(Practitioner.pending_question_id)).one()
    question = deps.bank.get(str(pending))
    assert question is not None
    practice.handle(deps, T1, U1, question.model_answer)
    # The same person's message in the other workspace is not an answer to T1's question.
    practice.handle(deps, T2, U1, question.model_answer)
    with deps.session_factory() as s:
        ws1 = queries.workspace(s, T1, deps.clock.now()).id
        cards = s.execute(select(PracticeCard.workspace_id, PracticeCard.reviews)).all()
    assert cards == [(ws1, 1)]


def test_appeals_never_cross_workspaces(
    deps: Deps, twins: Twins, gateway: RecordingGateway
) -> None:
    question = deps.bank.get(twins.post1.question_id)
    assert question is not None
    answer_id = answer_post(deps, T1, twins.post1, U1, question.key_points[0].point)
    with deps.session_factory() as s:
        ans = s.get_one(Answer, answer_id)
        missed = next(i for i in range(len(question.key_points)) if i not in ans.covered)
        value = f"{answer_id}:{missed}:{ans.revision}"
    with deps.session_factory.begin() as s:  # both workspaces' C1 have the same admin id
        for team in (T1, T2):
            queries.add_channel_admin(s, queries.channel(s, team, C1, deps.clock.now()).id, U2,
                                      deps.clock.now())  # fmt: skip
    # Pressing "I covered this" from the other workspace finds no such answer.
    appeals.file_appeal(deps, T2, U1, value)
    with deps.session_factory() as s:
        assert s.scalars(select(Appeal)).all() == []
    appeals.file_appeal(deps, T1, U1, value)
    with deps.session_factory() as s:
        (appeal,) = s.scalars(select(Appeal)).all()
    # An admin of the other workspace's C1 cannot decide it.
    appeals.decide(deps, T2, U2, str(appeal.id), True, None)
    with deps.session_factory() as s:
        assert s.get_one(Appeal, appeal.id).status == "pending"
        assert s.scalars(select(AcceptedWording)).all() == []
