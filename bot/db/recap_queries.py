"""Queries of the weekly recap: which channels, what their week held, its delivery claims.

Each takes a session first and never commits (the recap use case owns its transactions). What
counts on the recap's board and chart is what counts on every board (`boards.counted`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, update
from sqlalchemy.orm import Session

from bot.db.boards import counted
from bot.db.models import Answer, Channel, Delivery, QuestionPost, Workspace

RECAP = "recap"


@dataclass(frozen=True, slots=True)
class RecapChannel:
    """A channel that may get a recap, as the clock needs it."""

    channel_pk: int
    workspace_id: int
    team_id: str
    channel_id: str
    timezone: str


def _recap_eligible() -> ColumnElement[bool]:
    return and_(Channel.paused.is_(False), Workspace.uninstalled_at.is_(None))


def recap_zones(session: Session) -> list[str]:
    """The timezones of channels that may get a recap (not paused, of installed workspaces)."""
    return list(
        session.scalars(
            select(Channel.timezone)
            .join(Workspace, Channel.workspace_id == Workspace.id)
            .where(_recap_eligible())
            .distinct()
        )
    )


def recap_channels(session: Session, zones: Sequence[str]) -> list[RecapChannel]:
    """The channels in `zones` not paused, of installed workspaces (scheduled or not)."""
    rows = session.execute(
        select(
            Channel.id,
            Channel.workspace_id,
            Workspace.team_id,
            Channel.channel_id,
            Channel.timezone,
        )
        .join(Workspace, Channel.workspace_id == Workspace.id)
        .where(_recap_eligible(), Channel.timezone.in_(list(zones)))
    ).all()
    return [RecapChannel(pk, ws, team, cid, tz) for pk, ws, team, cid, tz in rows]


def decided_recaps(session: Session, since: date) -> set[tuple[int, str, date]]:
    """(workspace, channel id, period) of recaps claimed since `since`, whatever their status."""
    rows = session.execute(
        select(Delivery.workspace_id, Delivery.target, Delivery.period).where(
            Delivery.kind == RECAP, Delivery.period >= since
        )
    ).all()
    return {(ws, target, period) for ws, target, period in rows}


# Channel ids per statement: well inside every driver's limit on bound parameters.
_CHUNK = 500


def active_channels(
    session: Session, channel_pks: Sequence[int], start: datetime, end: datetime
) -> set[int]:
    """Those of `channel_pks` where a question was posted, or answered, in [start, end).

    One statement per chunk, each channel an indexed probe that stops at its first row, so a
    clock can ask about every quiet channel on every tick of Monday without scanning answers.
    """
    posted = exists().where(
        QuestionPost.channel_pk == Channel.id,
        QuestionPost.opened_at >= start,
        QuestionPost.opened_at < end,
    )
    answered = exists().where(
        Answer.channel_pk == Channel.id,
        Answer.answered_at >= start,
        Answer.answered_at < end,
        Answer.deleted_at.is_(None),
    )
    found: set[int] = set()
    for i in range(0, len(channel_pks), _CHUNK):
        chunk = channel_pks[i : i + _CHUNK]
        found.update(
            session.scalars(select(Channel.id).where(Channel.id.in_(chunk), or_(posted, answered)))
        )
    return found


def claim_recap(
    session: Session,
    workspace_id: int,
    channel_id: str,
    period: date,
    now: datetime,
    lease: timedelta,
) -> int:
    """Claim a channel's recap of a week, leased to the caller; the unique key refuses a second.

    The IntegrityError of a second claim surfaces at flush or commit: the caller treats it as
    "another clock has it".
    """
    delivery = Delivery(
        kind=RECAP,
        workspace_id=workspace_id,
        target=channel_id,
        period=period,
        status="pending",
        next_attempt_at=now + lease,
        created_at=now,
    )
    session.add(delivery)
    session.flush()
    return delivery.id


@dataclass(frozen=True, slots=True)
class GivenAnswer:
    """A counted answer of the week: when, by whom, for how many points."""

    answered_at: datetime
    user_id: str
    points: int


def week_answers(
    session: Session, channel_pk: int, start: datetime, end: datetime
) -> list[GivenAnswer]:
    """The channel's counted answers given in [start, end) (those the board counts)."""
    rows = session.execute(
        select(Answer.answered_at, Answer.user_id, Answer.points).where(
            Answer.channel_pk == channel_pk,
            Answer.answered_at >= start,
            Answer.answered_at < end,
            counted(),
        )
    ).all()
    return [GivenAnswer(at, user, points) for at, user, points in rows]


def questions_posted(session: Session, channel_pk: int, start: datetime, end: datetime) -> int:
    """How many questions the channel was asked in [start, end)."""
    count = session.scalar(
        select(func.count()).where(
            QuestionPost.channel_pk == channel_pk,
            QuestionPost.opened_at >= start,
            QuestionPost.opened_at < end,
        )
    )
    return int(count or 0)


@dataclass(frozen=True, slots=True)
class GradedRow:
    """One graded answer to a question of the week: which key points it covered."""

    question_id: str
    covered: tuple[int, ...]
    key_point_count: int


def graded_answers(
    session: Session, channel_pk: int, start: datetime, end: datetime
) -> list[GradedRow]:
    """Graded on-time answers (live, not copies) to the questions posted in [start, end).

    Only questions already revealed: a recap must not give away an open question's key points.
    """
    rows = session.execute(
        select(QuestionPost.question_id, Answer.covered, Answer.key_point_count)
        .join(QuestionPost, QuestionPost.id == Answer.post_id)
        .where(
            QuestionPost.channel_pk == channel_pk,
            QuestionPost.opened_at >= start,
            QuestionPost.opened_at < end,
            QuestionPost.status == "closed",
            Answer.late.is_(false()),
            Answer.copied.is_(false()),
            Answer.deleted_at.is_(None),
            Answer.key_point_count > 0,
        )
    ).all()
    return [GradedRow(q, tuple(covered or ()), n) for q, covered, n in rows]


@dataclass(frozen=True, slots=True)
class RecapDelivery:
    """A claimed recap with what sending it needs."""

    id: int
    status: str
    period: date
    attempts: int
    last_error: str | None
    channel_pk: int
    team_id: str
    channel_id: str
    timezone: str


def _recap_deliveries(
    session: Session, *criteria: ColumnElement[bool], limit: int | None = None
) -> list[RecapDelivery]:
    """Recap deliveries matching `criteria`, with their channel, oldest first."""
    rows = session.execute(
        select(
            Delivery.id,
            Delivery.status,
            Delivery.period,
            Delivery.attempts,
            Delivery.last_error,
            Channel.id,
            Workspace.team_id,
            Channel.channel_id,
            Channel.timezone,
        )
        .join(Workspace, Delivery.workspace_id == Workspace.id)
        .join(
            Channel,
            (Channel.workspace_id == Delivery.workspace_id)
            & (Channel.channel_id == Delivery.target),
        )
        .where(Delivery.kind == RECAP, *criteria)
        .order_by(Delivery.id)
        .limit(limit)
    ).all()
    return [
        RecapDelivery(i, status, period, attempts, error, pk, team, cid, tz)
        for i, status, period, attempts, error, pk, team, cid, tz in rows
    ]


def recap_delivery(session: Session, delivery_id: int) -> RecapDelivery | None:
    """A recap delivery with its channel."""
    found = _recap_deliveries(session, Delivery.id == delivery_id, limit=1)
    return found[0] if found else None


def pending_recaps(session: Session, now: datetime, limit: int) -> list[RecapDelivery]:
    """Claimed recaps not yet sent whose lease or backoff has run out, oldest first."""
    return _recap_deliveries(
        session,
        Delivery.status == "pending",
        or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
        limit=limit,
    )


def take_recap(session: Session, delivery_id: int, now: datetime, lease: timedelta) -> bool:
    """Lease a pending recap to this process for `lease`; False if another holds it."""
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status == "pending",
            or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
        )
        .values(next_attempt_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))
