"""Query functions: each takes a session first and never commits (use cases own transactions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import (
    Answer,
    Channel,
    ChannelAdmin,
    ChannelSkipDate,
    ProcessedEvent,
    QuestionPost,
    Workspace,
)


def workspace(session: Session, team_id: str, now: datetime) -> Workspace:
    """The workspace row for a Slack team, created on first sight."""
    found = session.scalars(select(Workspace).where(Workspace.team_id == team_id)).one_or_none()
    if found is not None:
        return found
    try:
        with session.begin_nested():
            created = Workspace(team_id=team_id, created_at=now)
            session.add(created)
        return created
    except IntegrityError:  # another process created it a moment ago
        return session.scalars(select(Workspace).where(Workspace.team_id == team_id)).one()


def find_channel(session: Session, team_id: str, channel_id: str) -> Channel | None:
    """A channel's settings row, if the bot has seen it."""
    return session.scalars(
        select(Channel)
        .join(Workspace, Channel.workspace_id == Workspace.id)
        .where(Workspace.team_id == team_id, Channel.channel_id == channel_id)
    ).one_or_none()


def channel(session: Session, team_id: str, channel_id: str, now: datetime) -> Channel:
    """A channel's settings row, created with defaults on first use."""
    found = find_channel(session, team_id, channel_id)
    if found is not None:
        return found
    ws = workspace(session, team_id, now)
    try:
        with session.begin_nested():
            created = Channel(
                workspace_id=ws.id, channel_id=channel_id, created_at=now, updated_at=now
            )
            session.add(created)
        return created
    except IntegrityError:
        found = find_channel(session, team_id, channel_id)
        assert found is not None
        return found


def channel_admin_ids(session: Session, channel_pk: int) -> list[str]:
    """The channel's QOTD admins, in the order they were added."""
    return list(
        session.scalars(
            select(ChannelAdmin.user_id)
            .where(ChannelAdmin.channel_pk == channel_pk)
            .order_by(ChannelAdmin.added_at, ChannelAdmin.id)
        )
    )


def add_channel_admin(session: Session, channel_pk: int, user_id: str, now: datetime) -> bool:
    """Make `user_id` a QOTD admin of the channel; False when they already were."""
    if user_id in channel_admin_ids(session, channel_pk):
        return False
    session.add(ChannelAdmin(channel_pk=channel_pk, user_id=user_id, added_at=now))
    return True


# Every Slack event passes here: the statement is built once (values come as parameters) and
# runs on the session's connection, without the ORM's bulk-insert layer.
_CLAIM_EVENT = {
    name: insert(ProcessedEvent)
    .on_conflict_do_nothing(index_elements=["event_id"])
    # RETURNING, not rowcount: psycopg reports -1 for this statement.
    .returning(ProcessedEvent.event_id)
    for name, insert in (("sqlite", sqlite_insert), ("postgresql", postgresql_insert))
}


def claim_event(session: Session, event_id: str, now: datetime) -> bool:
    """Record a Slack event id; False when it was already processed (a retry)."""
    conn = session.connection()
    params = {"event_id": event_id, "received_at": now}
    return conn.execute(_CLAIM_EVENT[conn.dialect.name], params).first() is not None


def forget_events_before(session: Session, cutoff: datetime) -> int:
    """Drop processed event ids older than Slack's retry window; return how many."""
    result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


def skip_dates(session: Session, channel_pk: int) -> set[date]:
    """Local dates on which the channel skips its scheduled question."""
    return set(
        session.scalars(
            select(ChannelSkipDate.skip_date).where(ChannelSkipDate.channel_pk == channel_pk)
        )
    )


def scheduled_dates(session: Session, channel_pk: int, since: date) -> set[date]:
    """Local dates since `since` whose scheduled slot is already claimed (posted or not)."""
    return {
        d
        for d in session.scalars(
            select(QuestionPost.scheduled_date).where(
                QuestionPost.channel_pk == channel_pk, QuestionPost.scheduled_date >= since
            )
        )
        if d is not None
    }


@dataclass(frozen=True, slots=True)
class ScheduledChannel:
    """A channel with an active schedule, as the clock needs it."""

    channel_pk: int
    team_id: str
    channel_id: str
    days: frozenset[int]
    at: time
    timezone: str
    since: datetime | None


def scheduled_channels(session: Session) -> list[ScheduledChannel]:
    """Every channel with a schedule that is not paused (of installed workspaces)."""
    rows = session.execute(
        select(
            Channel.id,
            Workspace.team_id,
            Channel.channel_id,
            Channel.schedule_days,
            Channel.schedule_time,
            Channel.timezone,
            Channel.schedule_since,
        )
        .join(Workspace, Channel.workspace_id == Workspace.id)
        .where(
            Channel.schedule_days.is_not(None),
            Channel.schedule_time.is_not(None),
            Channel.paused.is_(False),
            Workspace.uninstalled_at.is_(None),
        )
    ).all()
    found = []
    for pk, team, channel_id, days, at, tz, since in rows:
        parsed = frozenset(int(d) for d in str(days).split(",") if d)
        if parsed and at is not None:
            found.append(ScheduledChannel(pk, team, channel_id, parsed, at, tz, since))
    return found


def claimed_slots(session: Session, since: date) -> set[tuple[int, date]]:
    """(channel, local date) scheduled slots already decided since `since`."""
    rows = session.execute(
        select(QuestionPost.channel_pk, QuestionPost.scheduled_date).where(
            QuestionPost.scheduled_date >= since
        )
    ).all()
    return {(pk, d) for pk, d in rows if d is not None}


def skip_slots(session: Session, since: date) -> set[tuple[int, date]]:
    """(channel, local date) pairs admins chose to skip, since `since`."""
    rows = session.execute(
        select(ChannelSkipDate.channel_pk, ChannelSkipDate.skip_date).where(
            ChannelSkipDate.skip_date >= since
        )
    ).all()
    return {(pk, d) for pk, d in rows}


def open_post_ids(session: Session, channel_pk: int, before: date) -> list[int]:
    """Ids of the channel's questions still open from local dates before `before`."""
    return list(
        session.scalars(
            select(QuestionPost.id)
            .where(
                QuestionPost.channel_pk == channel_pk,
                QuestionPost.status == "open",
                QuestionPost.local_date < before,
            )
            .order_by(QuestionPost.id)
        )
    )


@dataclass(frozen=True, slots=True)
class PendingPost:
    """A scheduled post claimed but not yet delivered."""

    id: int
    team_id: str
    channel_id: str
    day: date
    due_at: datetime


def pending_scheduled_posts(session: Session, now: datetime) -> list[PendingPost]:
    """Scheduled posts waiting for a (re)try whose lease or backoff has run out."""
    rows = session.execute(
        select(
            QuestionPost.id,
            Workspace.team_id,
            Channel.channel_id,
            QuestionPost.scheduled_date,
            QuestionPost.due_at,
        )
        .join(Channel, QuestionPost.channel_pk == Channel.id)
        .join(Workspace, Channel.workspace_id == Workspace.id)
        .where(
            QuestionPost.status == "pending",
            QuestionPost.scheduled_date.is_not(None),
            (QuestionPost.next_attempt_at.is_(None)) | (QuestionPost.next_attempt_at <= now),
        )
        .order_by(QuestionPost.due_at)
    ).all()
    return [PendingPost(i, t, c, d, due) for i, t, c, d, due in rows if d is not None]


def take_post(session: Session, post_id: int, now: datetime, lease: timedelta) -> bool:
    """Lease a pending post to this process for `lease`; False if another holds it."""
    result = session.execute(
        update(QuestionPost)
        .where(
            QuestionPost.id == post_id,
            QuestionPost.status == "pending",
            (QuestionPost.next_attempt_at.is_(None)) | (QuestionPost.next_attempt_at <= now),
        )
        .values(next_attempt_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def asked_question_ids(session: Session, channel_pk: int) -> list[str]:
    """Question ids posted in a channel, oldest first."""
    return list(
        session.scalars(
            select(QuestionPost.question_id)
            .where(QuestionPost.channel_pk == channel_pk, QuestionPost.status != "skipped")
            .order_by(QuestionPost.created_at, QuestionPost.id)
        )
    )


def latest_open_post(session: Session, channel_pk: int) -> QuestionPost | None:
    """The newest question still open in a channel."""
    return session.scalars(
        select(QuestionPost)
        .where(QuestionPost.channel_pk == channel_pk, QuestionPost.status == "open")
        .order_by(QuestionPost.opened_at.desc(), QuestionPost.id.desc())
        .limit(1)
    ).one_or_none()


def open_posts_due(session: Session, now: datetime) -> Sequence[QuestionPost]:
    """Open posts whose close time has passed."""
    return session.scalars(
        select(QuestionPost).where(QuestionPost.status == "open", QuestionPost.closes_at <= now)
    ).all()


def answers_for_post(session: Session, post_id: int) -> Sequence[Answer]:
    """Every answer to a post, earliest first."""
    return session.scalars(
        select(Answer)
        .where(Answer.post_id == post_id)
        .order_by(Answer.first_answered_at, Answer.id)
    ).all()
