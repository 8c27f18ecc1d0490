"""Leaderboard, team-standings and personal-stats queries (SPEC §4.3).

What counts: on-time answers (not `late`), not deleted, not copies. A copy earns no points and,
by our rule, is not "taking part" either, so it neither shows on a board nor keeps a streak.
Ranks are competition ranks (1, 1, 3) computed by the database; ties are listed in a stable order
(earlier first answer in the period, then user id).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Subquery, and_, case, false, func, literal, or_, select
from sqlalchemy.orm import Session

from bot.db.models import Answer, Channel, PracticeCard, QuestionPost, Workspace


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One member's line on a channel board."""

    rank: int
    user_id: str
    points: int
    answers: int


def workspace_pk(session: Session, team_id: str) -> int | None:
    """The workspace's primary key, without creating it (reads never write)."""
    return session.scalar(select(Workspace.id).where(Workspace.team_id == team_id))


def counted() -> ColumnElement[bool]:
    """The answers that earn a place on boards and streaks: on time, live, not a copy."""
    return and_(Answer.late.is_(false()), Answer.deleted_at.is_(None), Answer.copied.is_(false()))


def _ranked(channel_pk: int, start: datetime, end: datetime) -> Subquery:
    """Every member of the channel who took part in [start, end): totals, rank, position and
    how many took part, in one scan of the channel's covering index."""
    points = func.sum(Answer.points)
    first = func.min(Answer.first_answered_at)
    return (
        select(
            Answer.user_id.label("user_id"),
            points.label("points"),
            func.count().label("answers"),
            func.rank().over(order_by=points.desc()).label("rank"),
            func.row_number()
            .over(order_by=(points.desc(), first, Answer.user_id))
            .label("position"),
            func.count().over().label("participants"),
        )
        .where(
            Answer.channel_pk == channel_pk,
            Answer.answered_at >= start,
            Answer.answered_at < end,
            counted(),
        )
        .group_by(Answer.user_id)
        .subquery()
    )


@dataclass(frozen=True, slots=True)
class BoardPage:
    """The top of a board, one member's own line when below it, and how many took part."""

    rows: list[BoardRow]
    own: BoardRow | None
    participants: int


def board_page(
    session: Session,
    channel_pk: int,
    start: datetime,
    end: datetime,
    limit: int = 10,
    member: str | None = None,
) -> BoardPage:
    """The top `limit` of the channel's board over [start, end), plus `member`'s own line when
    they took part but are not in the top (a single query)."""
    ranked = _ranked(channel_pk, start, end)
    wanted = ranked.c.position <= limit
    if member is not None:
        wanted = or_(wanted, ranked.c.user_id == member)
    found = session.execute(
        select(
            ranked.c.rank,
            ranked.c.user_id,
            ranked.c.points,
            ranked.c.answers,
            ranked.c.position,
            ranked.c.participants,
        )
        .where(wanted)
        .order_by(ranked.c.position)
    ).all()
    rows, own, participants = [], None, 0
    for rank, user, points, answers, position, total in found:
        row = BoardRow(int(rank), user, int(points), int(answers))
        participants = int(total)
        if position <= limit:
            rows.append(row)
        else:
            own = row
    return BoardPage(rows, own, participants)


def channel_board(
    session: Session, channel_pk: int, start: datetime, end: datetime, limit: int = 10
) -> list[BoardRow]:
    """The channel's top `limit` members over answers given in [start, end) (aware UTC)."""
    return board_page(session, channel_pk, start, end, limit).rows


@dataclass(frozen=True, slots=True)
class TeamTotals:
    """A channel's month: points, members who took part and their answers."""

    channel_pk: int
    points: int
    members: int
    answers: int


def team_totals(
    session: Session, windows: Sequence[tuple[Collection[int], datetime, datetime]]
) -> list[TeamTotals]:
    """Totals per channel, each channel over its own [start, end) window.

    `windows` groups the channel pks that share a period (channels in one timezone share a local
    month); each group is one query over the channels' covering index.
    """
    found = []
    for pks, start, end in windows:
        if not pks:
            continue
        rows = session.execute(
            select(
                Answer.channel_pk,
                func.sum(Answer.points),
                func.count(func.distinct(Answer.user_id)),
                func.count(),
            )
            .where(
                Answer.channel_pk.in_(list(pks)),
                Answer.answered_at >= start,
                Answer.answered_at < end,
                counted(),
            )
            .group_by(Answer.channel_pk)
        ).all()
        found += [TeamTotals(pk, int(p), int(m), int(n)) for pk, p, m, n in rows]
    return found


def workspace_channels(session: Session, workspace_id: int) -> list[tuple[int, str, str]]:
    """(pk, channel id, timezone) of every channel the workspace has set up."""
    rows = session.execute(
        select(Channel.id, Channel.channel_id, Channel.timezone).where(
            Channel.workspace_id == workspace_id
        )
    ).all()
    return [(pk, cid, tz) for pk, cid, tz in rows]


@dataclass(frozen=True, slots=True)
class PersonTotals:
    """A person's counted answers in a workspace: points, how many, summed score, and the
    points earned since a given instant (this month)."""

    points: int
    answers: int
    score_sum: int
    recent_points: int = 0


def person_totals(
    session: Session, workspace_id: int, user_id: str, since: datetime | None = None
) -> PersonTotals:
    """Points, answers and summed score of a person across the workspace's channels."""
    recent = (
        func.sum(case((Answer.answered_at >= since, Answer.points), else_=0))
        if since is not None
        else literal(0)
    )
    row = session.execute(
        select(
            func.coalesce(func.sum(Answer.points), 0),
            func.count(),
            func.coalesce(func.sum(Answer.score), 0),
            func.coalesce(recent, 0),
        ).where(Answer.workspace_id == workspace_id, Answer.user_id == user_id, counted())
    ).one()
    return PersonTotals(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


@dataclass(frozen=True, slots=True)
class ScoreGroup:
    """Scores grouped by question (channel answers) or topic (practice cards)."""

    key: str
    count: int
    score_sum: int


def answer_scores_by_question(
    session: Session, workspace_id: int, user_id: str
) -> list[ScoreGroup]:
    """A person's live, non-copied channel answers (late ones too: they show knowledge)."""
    rows = session.execute(
        select(QuestionPost.question_id, func.count(), func.sum(Answer.score))
        .join(QuestionPost, QuestionPost.id == Answer.post_id)
        .where(
            Answer.workspace_id == workspace_id,
            Answer.user_id == user_id,
            Answer.deleted_at.is_(None),
            Answer.copied.is_(false()),
        )
        .group_by(QuestionPost.question_id)
    ).all()
    return [ScoreGroup(q, int(n), int(s or 0)) for q, n, s in rows]


def practice_scores_by_topic(session: Session, workspace_id: int, user_id: str) -> list[ScoreGroup]:
    """A person's practice cards that were graded at least once: last score per topic."""
    rows = session.execute(
        select(PracticeCard.topic, func.count(), func.sum(PracticeCard.last_score))
        .where(
            PracticeCard.workspace_id == workspace_id,
            PracticeCard.user_id == user_id,
            PracticeCard.last_score.is_not(None),
        )
        .group_by(PracticeCard.topic)
    ).all()
    return [ScoreGroup(t, int(n), int(s or 0)) for t, n, s in rows]


def due_practice_count(session: Session, workspace_id: int, user_id: str, now: datetime) -> int:
    """How many of a person's practice cards are due."""
    count = session.scalar(
        select(func.count()).where(
            PracticeCard.workspace_id == workspace_id,
            PracticeCard.user_id == user_id,
            PracticeCard.due_at <= now,
        )
    )
    return int(count or 0)


def person_channel_pks(session: Session, workspace_id: int, user_id: str) -> list[int]:
    """The channels in which a person has a counted answer."""
    return list(
        session.scalars(
            select(Answer.channel_pk)
            .where(Answer.workspace_id == workspace_id, Answer.user_id == user_id, counted())
            .distinct()
        )
    )


@dataclass(frozen=True, slots=True)
class PostSlot:
    """A question the channel was asked, as streaks see it."""

    post_id: int
    is_open: bool


def asked_posts(session: Session, channel_pk: int) -> list[PostSlot]:
    """Every question posted in the channel, oldest first (skipped/undelivered ones are not)."""
    rows = session.execute(
        select(QuestionPost.id, QuestionPost.status)
        .where(
            QuestionPost.channel_pk == channel_pk,
            QuestionPost.status.in_(("open", "closed")),
            QuestionPost.opened_at.is_not(None),
        )
        .order_by(QuestionPost.opened_at, QuestionPost.id)
    ).all()
    return [PostSlot(pid, status == "open") for pid, status in rows]


def answered_post_ids(
    session: Session, workspace_id: int, channel_pk: int, user_ids: Collection[str]
) -> dict[str, set[int]]:
    """For each person, the channel's posts they answered in a way that counts.

    Looked up by person (the workspace/user index), not by scanning the channel's history.
    """
    found: dict[str, set[int]] = {u: set() for u in user_ids}
    if not user_ids:
        return found
    rows = session.execute(
        select(Answer.user_id, Answer.post_id).where(
            Answer.workspace_id == workspace_id,
            Answer.user_id.in_(list(user_ids)),
            Answer.channel_pk == channel_pk,
            counted(),
        )
    ).all()
    for user, post in rows:
        found[user].add(post)
    return found
