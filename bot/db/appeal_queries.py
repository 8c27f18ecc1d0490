"""Queries of appeals (SPEC §4.2): take a session first, never commit.

Every lookup starts from the Slack team id, so an id from one workspace's button never reaches
another workspace's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import (
    AcceptedWording,
    Answer,
    AnswerMessage,
    Appeal,
    Channel,
    QuestionPost,
    Workspace,
)


@dataclass(frozen=True, slots=True)
class AnswerContext:
    """An answer with the post and channel it belongs to."""

    answer: Answer
    post: QuestionPost
    channel: Channel


def answer_in_workspace(session: Session, team_id: str, answer_id: int) -> AnswerContext | None:
    """The answer `answer_id` if it belongs to the workspace `team_id`."""
    row = session.execute(
        select(Answer, QuestionPost, Channel)
        .join(QuestionPost, Answer.post_id == QuestionPost.id)
        .join(Channel, Answer.channel_pk == Channel.id)
        .join(Workspace, Answer.workspace_id == Workspace.id)
        .where(Answer.id == answer_id, Workspace.team_id == team_id)
    ).first()
    return AnswerContext(row[0], row[1], row[2]) if row else None


def appeal_in_workspace(
    session: Session, team_id: str, appeal_id: int
) -> tuple[Appeal, AnswerContext] | None:
    """The appeal `appeal_id` and its answer, if they belong to the workspace `team_id`."""
    row = session.execute(
        select(Appeal, Answer, QuestionPost, Channel)
        .join(Answer, Appeal.answer_id == Answer.id)
        .join(QuestionPost, Answer.post_id == QuestionPost.id)
        .join(Channel, Answer.channel_pk == Channel.id)
        .join(Workspace, Answer.workspace_id == Workspace.id)
        .where(Appeal.id == appeal_id, Workspace.team_id == team_id)
    ).first()
    return (row[0], AnswerContext(row[1], row[2], row[3])) if row else None


def appeal_for(session: Session, answer_id: int, index: int) -> Appeal | None:
    """The appeal already made on key point `index` of an answer, if any."""
    return session.scalars(
        select(Appeal).where(Appeal.answer_id == answer_id, Appeal.key_point_index == index)
    ).one_or_none()


def appealed_points(session: Session, answer_id: int) -> set[int]:
    """Key-point indices of an answer that were appealed already (whatever the decision)."""
    return set(session.scalars(select(Appeal.key_point_index).where(Appeal.answer_id == answer_id)))


def approved_texts(session: Session, answer_id: int) -> list[tuple[int, str | None]]:
    """(key-point index, the answer text the admin judged) of an answer's approved appeals."""
    return [
        (index, text)
        for index, text in session.execute(
            select(Appeal.key_point_index, Appeal.answer_text).where(
                Appeal.answer_id == answer_id, Appeal.status == "approved"
            )
        )
    ]


def claim_decision(
    session: Session, appeal_id: int, status: str, user_id: str, now: datetime
) -> bool:
    """Decide a pending appeal; False when someone decided it first (the first decision wins)."""
    result = session.execute(
        update(Appeal)
        .where(Appeal.id == appeal_id, Appeal.status == "pending")
        .values(status=status, decided_by=user_id, decided_at=now)
        .returning(Appeal.id)
        .execution_options(synchronize_session=False)
    )
    # RETURNING, not rowcount: psycopg's rowcount is not reliable through every layer.
    return result.first() is not None


def wording_known(
    session: Session, workspace_id: int, question_id: str, index: int, text: str
) -> bool:
    """True when `text` is already an accepted wording of the key point in the workspace."""
    found = session.scalar(
        select(AcceptedWording.id)
        .where(
            AcceptedWording.workspace_id == workspace_id,
            AcceptedWording.question_id == question_id,
            AcceptedWording.key_point_index == index,
            AcceptedWording.wording == text,
        )
        .limit(1)
    )
    return found is not None


def latest_reply_ts(session: Session, answer_id: int) -> str | None:
    """The newest thread reply still part of an answer (the one wearing the score reaction)."""
    return session.scalar(
        select(AnswerMessage.message_ts)
        .where(
            AnswerMessage.answer_id == answer_id,
            AnswerMessage.deleted_at.is_(None),
            AnswerMessage.message_ts.not_like("modal:%"),
        )
        .order_by(AnswerMessage.message_ts.desc())
        .limit(1)
    )
