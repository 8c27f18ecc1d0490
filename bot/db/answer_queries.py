"""The answer hot path in SQLAlchemy Core: plain rows, few round-trips, no ORM identity map.

Every thread reply runs these (SPEC §7: 100 answers a second on 2 cores), and loading ORM objects
cost more CPU than grading them. The statements of a new answer are built once, with bound
parameters, and run on the session's connection: building a statement and its cache key on every
call, and the ORM session's execute layer, were a large share of the CPU per answer. Like
bot.db.queries, each function takes a session first and never commits: the use case owns the
transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.db.base import Base
from bot.db.models import AcceptedWording, Answer, AnswerMessage, Channel, QuestionPost, Workspace


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


_answers = _table(Answer)
_messages = _table(AnswerMessage)
_posts = _table(QuestionPost)
_channels = _table(Channel)
_workspaces = _table(Workspace)
_wordings = _table(AcceptedWording)


@dataclass(frozen=True, slots=True)
class Post:
    """What answering needs to know about a question post."""

    id: int
    channel_pk: int
    workspace_id: int
    team_id: str
    channel_id: str
    question_id: str
    status: str
    slack_ts: str | None
    closes_at: datetime | None


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """One person's answer as the recording transaction sees it (before this change)."""

    id: int
    user_id: str
    late: bool
    first_answered_at: datetime
    score: int
    key_point_count: int


_POST_COLUMNS = (
    _posts.c.id,
    _posts.c.channel_pk,
    _channels.c.workspace_id,
    _workspaces.c.team_id,
    _channels.c.channel_id,
    _posts.c.question_id,
    _posts.c.status,
    _posts.c.slack_ts,
    _posts.c.closes_at,
)
_POST_FROM = _posts.join(_channels, _posts.c.channel_pk == _channels.c.id).join(
    _workspaces, _channels.c.workspace_id == _workspaces.c.id
)
_ANSWER_COLUMNS = (
    _answers.c.id,
    _answers.c.user_id,
    _answers.c.late,
    _answers.c.first_answered_at,
    _answers.c.score,
    _answers.c.key_point_count,
)


def _post(row: Sequence[Any] | None) -> Post | None:
    return Post(*row) if row is not None else None


def _conn(session: Session) -> Connection:
    """The session's connection, in its transaction: Core statements skip the ORM layer."""
    return session.connection()


_POST_BY_TS = (
    select(*_POST_COLUMNS)
    .select_from(_POST_FROM)
    .where(
        _workspaces.c.team_id == bindparam("team_id"),
        _channels.c.channel_id == bindparam("channel_id"),
        _posts.c.slack_ts == bindparam("ts"),
    )
)


def post_by_ts(session: Session, team_id: str, channel_id: str, ts: str) -> Post | None:
    """The question post with Slack ts `ts` in a channel of a workspace."""
    params = {"team_id": team_id, "channel_id": channel_id, "ts": ts}
    return _post(_conn(session).execute(_POST_BY_TS, params).first())


def post_by_id(session: Session, post_id: int) -> Post | None:
    """A question post by its primary key."""
    return _post(
        session.execute(
            select(*_POST_COLUMNS).select_from(_POST_FROM).where(_posts.c.id == post_id)
        ).first()
    )


def _insert(session: Session, table: Table) -> sqlite.Insert | postgresql.Insert:
    """INSERT with the dialect's ON CONFLICT support (SQLite and PostgreSQL)."""
    if session.get_bind().dialect.name == "sqlite":
        return sqlite.insert(table)
    return postgresql.insert(table)


# A new answer, unless the person has one already (the values come as parameters).
_START_ANSWER = {
    name: insert(_answers)
    .on_conflict_do_nothing(index_elements=["post_id", "user_id", "late"])
    .returning(_answers.c.id)
    for name, insert in (("sqlite", sqlite.insert), ("postgresql", postgresql.insert))
}
_INSERT_MESSAGE = _messages.insert()


def start_answer(
    session: Session,
    post: Post,
    user_id: str,
    *,
    late: bool,
    private: bool,
    ts: str,
    text: str,
    copy_form: str,
    now: datetime,
) -> int | None:
    """Create a person's answer with its first message and revision 1; return its id.

    None when they already have an answer to this post (on time or late, as `late` says): the
    caller adds the message to it instead. One statement for the common case, and safe when two
    messages of the same person race.
    """
    conn = _conn(session)
    values = {
        "post_id": post.id,
        "channel_pk": post.channel_pk,
        "workspace_id": post.workspace_id,
        "user_id": user_id,
        "text": text,
        "copy_form": copy_form,
        "score": 0,
        "covered": [],
        "key_point_count": 0,
        "points": 0,
        "late": late,
        "copied": False,
        "private": private,
        "first_answered_at": now,
        "answered_at": now,
        "revision": 1,
    }
    answer_id = conn.execute(_START_ANSWER[conn.dialect.name], values).scalar()
    if answer_id is None:
        return None
    message = {"answer_id": answer_id, "message_ts": ts, "text": text, "posted_at": now}
    conn.execute(_INSERT_MESSAGE, message)
    return int(answer_id)


def find_answer(session: Session, post_id: int, user_id: str, late: bool) -> AnswerRow | None:
    """A person's on-time (or late) answer to a post."""
    row = session.execute(
        select(*_ANSWER_COLUMNS).where(
            _answers.c.post_id == post_id, _answers.c.user_id == user_id, _answers.c.late == late
        )
    ).first()
    return AnswerRow(*row) if row is not None else None


def add_message(session: Session, answer_id: int, ts: str, text: str, now: datetime) -> bool:
    """Add a message to an answer, unless a message with this ts is already part of it (a
    replay); True if it was added."""
    added = session.execute(
        _insert(session, _messages)
        .values(answer_id=answer_id, message_ts=ts, text=text, posted_at=now)
        .on_conflict_do_nothing(index_elements=["answer_id", "message_ts"])
        .returning(_messages.c.id)
    ).first()
    return added is not None


def message_in_post(
    session: Session, post_id: int, ts: str
) -> tuple[int, datetime | None, AnswerRow] | None:
    """The message with Slack ts `ts` among a post's answers: (message id, deleted at, answer)."""
    row = session.execute(
        select(_messages.c.id, _messages.c.deleted_at, *_ANSWER_COLUMNS)
        .join_from(_messages, _answers, _messages.c.answer_id == _answers.c.id)
        .where(_answers.c.post_id == post_id, _messages.c.message_ts == ts)
    ).first()
    if row is None:
        return None
    return row[0], row[1], AnswerRow(*row[2:])


def update_message(session: Session, message_id: int, **values: Any) -> None:
    """Change a message's columns (text and edited_at, or deleted_at)."""
    session.execute(_messages.update().where(_messages.c.id == message_id).values(**values))


def live_texts(session: Session, answer_id: int) -> list[str]:
    """The texts of an answer's messages not deleted, in thread order."""
    return list(
        session.scalars(
            select(_messages.c.text)
            .where(_messages.c.answer_id == answer_id, _messages.c.deleted_at.is_(None))
            .order_by(_messages.c.message_ts)
        )
    )


def bump_revision(session: Session, answer_id: int, values: Mapping[str, Any]) -> int:
    """Write `values` and move the answer to its next revision; return that revision.

    `revision + 1` in SQL, so two transactions changing one answer never get the same revision.
    """
    return int(
        session.execute(
            _answers.update()
            .where(_answers.c.id == answer_id)
            .values(revision=_answers.c.revision + 1, **values)
            .returning(_answers.c.revision)
        ).scalar_one()
    )


# The SET clause comes from the parameters' keys (a compiled form is cached per set of keys).
_STORE_GRADE = (
    _answers.update()
    .where(
        _answers.c.id == bindparam("b_answer_id"), _answers.c.revision == bindparam("b_revision")
    )
    .returning(_answers.c.id)
)


def store_grade(session: Session, answer_id: int, revision: int, values: Mapping[str, Any]) -> bool:
    """Write a grade unless the answer changed since `revision` was read; True if written."""
    params = {**values, "b_answer_id": answer_id, "b_revision": revision}
    # RETURNING, not rowcount: psycopg's rowcount is not reliable through every layer.
    return _conn(session).execute(_STORE_GRADE, params).first() is not None


# Texts this much shorter or longer cannot be 90% similar; skip them without comparing.
_COPY_LENGTH_RATIO = 0.8


_EARLIER_FORMS = select(_answers.c.copy_form, _answers.c.text).where(
    _answers.c.post_id == bindparam("post_id"),
    _answers.c.id != bindparam("answer_id"),
    _answers.c.user_id != bindparam("user_id"),
    _answers.c.deleted_at.is_(None),
    _answers.c.first_answered_at <= bindparam("since"),
    func.length(_answers.c.text).between(bindparam("shortest"), bindparam("longest")),
)


def earlier_answer_forms(
    session: Session, post_id: int, answer: AnswerRow, length: int
) -> list[tuple[str | None, str]]:
    """(copy form, text) of other people's live answers given before `answer`, of a comparable
    length (the copy form is None on answers stored before it was kept)."""
    params = {
        "post_id": post_id,
        "answer_id": answer.id,
        "user_id": answer.user_id,
        "since": answer.first_answered_at,
        "shortest": int(length * _COPY_LENGTH_RATIO),
        "longest": int(length / _COPY_LENGTH_RATIO) + 1,
    }
    return [(form, text) for form, text in _conn(session).execute(_EARLIER_FORMS, params)]


_ACCEPTED_WORDINGS = (
    select(_wordings.c.key_point_index, _wordings.c.wording)
    .where(
        _wordings.c.workspace_id == bindparam("workspace_id"),
        _wordings.c.question_id == bindparam("question_id"),
    )
    .order_by(_wordings.c.id)
)


def accepted_wordings(
    session: Session, workspace_id: int, question_id: str
) -> dict[int, tuple[str, ...]]:
    """Wordings approved on appeal for a question in a workspace, by key-point index.

    Read on every answer rather than cached: an approval in any process applies at once.
    """
    params = {"workspace_id": workspace_id, "question_id": question_id}
    found: dict[int, tuple[str, ...]] = {}
    for index, wording in _conn(session).execute(_ACCEPTED_WORDINGS, params):
        found[index] = (*found.get(index, ()), wording)
    return found
