"""Seed one person's data of every kind the product stores, through the real use cases where
they exist (post, answer) and as rows otherwise (appeal, practice, reminder), for the privacy
and isolation tests. Also: store OAuth tokens the way slack_sdk's installation store does."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date

from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine, func, select

from bot.db import queries
from bot.db.base import Base
from bot.db.models import (
    AcceptedWording,
    Answer,
    Appeal,
    Delivery,
    PracticeCard,
    PracticeReview,
    Practitioner,
    QuestionPost,
)
from bot.db.slack_tables import bots, installations
from bot.deps import Deps
from bot.usecases import answer, ask


@dataclass(frozen=True)
class Seeded:
    """Where a person's seeded data lives."""

    team_id: str
    channel_id: str
    user_id: str
    post_id: int
    question_id: str
    answer_id: int
    wording: str


def post_question(deps: Deps, team_id: str, channel_id: str) -> QuestionPost:
    """Post a question with the real use case and return its stored row."""
    result = ask.post_question(deps, team_id, channel_id)
    assert result.ok, result.message
    with deps.session_factory() as s:
        post = s.scalars(select(QuestionPost).where(QuestionPost.slack_ts == result.ts)).one()
        s.expunge(post)
        return post


def answer_post(deps: Deps, team_id: str, post: QuestionPost, user_id: str, text: str) -> int:
    """Answer a post in its thread with the real use case; return the answer's id."""
    assert post.slack_ts is not None
    with deps.session_factory() as s:
        channel_id = (
            s.scalars(select(QuestionPost).where(QuestionPost.id == post.id))
            .one()
            .channel.channel_id
        )
    ts = f"{1_800_000_000 + post.id}.{zlib.crc32(user_id.encode()) % 1_000_000:06d}"
    answer.answer_in_thread(
        deps, answer.Reply(team_id, channel_id, user_id, ts, post.slack_ts, text)
    )
    with deps.session_factory() as s:
        found = s.scalar(
            select(Answer.id).where(Answer.post_id == post.id, Answer.user_id == user_id)
        )
    assert found is not None
    return found


def seed_person(
    deps: Deps, team_id: str, channel_id: str, user_id: str, *, decided_by: str
) -> Seeded:
    """A person with an answer, an approved appeal and its wording, practice and a reminder."""
    post = post_question(deps, team_id, channel_id)
    question = deps.bank.get(post.question_id)
    assert question is not None
    answer_id = answer_post(deps, team_id, post, user_id, question.model_answer)
    now = deps.clock.now()
    wording = f"the words {user_id} used in {team_id}"
    with deps.session_factory.begin() as s:
        ws = queries.workspace(s, team_id, now)
        appeal = Appeal(
            answer_id=answer_id, key_point_index=0, status="approved", decided_by=decided_by,
            answer_text=question.model_answer, created_at=now, decided_at=now,
        )  # fmt: skip
        s.add(appeal)
        s.flush()
        s.add(
            AcceptedWording(
                workspace_id=ws.id, question_id=question.id, key_point_index=0,
                wording=wording, appeal_id=appeal.id, created_at=now,
            )
        )  # fmt: skip
        s.add(Practitioner(workspace_id=ws.id, user_id=user_id, remind=True, created_at=now))
        card = PracticeCard(
            workspace_id=ws.id, user_id=user_id, question_id=question.id, topic=question.topic,
            fsrs_state={}, due_at=now, last_score=80, reviews=2, last_reviewed_at=now,
        )  # fmt: skip
        s.add(card)
        s.flush()
        s.add_all(
            PracticeReview(card_id=card.id, score=80, rating=3, reviewed_at=now) for _ in "ab"
        )
        s.add(
            Delivery(
                kind="nudge", workspace_id=ws.id, target=user_id, period=date(2026, 3, 2),
                status="sent", created_at=now,
            )
        )  # fmt: skip
    return Seeded(team_id, channel_id, user_id, post.id, question.id, answer_id, wording)


def store_installation(engine: Engine, team_id: str, bot_token: str) -> None:
    """Save an installation as slack_sdk's OAuth flow does (a row in each of its two tables)."""
    store = SQLAlchemyInstallationStore(client_id="111.222", engine=engine)
    store.save(
        Installation(
            app_id="A111", team_id=team_id, bot_token=bot_token, bot_id="B111",
            bot_user_id="UBOT0QOTD", bot_scopes="chat:write,commands", user_id="UINSTALLER",
        )
    )  # fmt: skip


def token_rows(engine: Engine, team_id: str) -> int:
    """How many rows of slack_sdk's token tables belong to a team."""
    with engine.connect() as conn:
        return sum(
            int(conn.scalar(select(func.count()).where(t.c.team_id == team_id)) or 0)
            for t in (bots, installations)
        )


def rows_of_workspace(engine: Engine, workspace_pk: int) -> dict[str, int]:
    """Rows per table that name the workspace (any table with a workspace_id column)."""
    found: dict[str, int] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if "workspace_id" in table.c:
                n = conn.scalar(select(func.count()).where(table.c.workspace_id == workspace_pk))
                found[table.name] = int(n or 0)
    return found
