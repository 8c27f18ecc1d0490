"""Queries of DM practice and its nudges: each takes a session first and never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Delivery, PracticeCard, PracticeReview, Practitioner, Workspace


def practitioner(session: Session, workspace_id: int, user_id: str, now: datetime) -> Practitioner:
    """A person's practice row, created on first use and locked for this transaction.

    The lock (FOR UPDATE on PostgreSQL; SQLite serialises writers anyway) makes two messages
    arriving together take turns, so one pending question is never answered twice.
    """
    query = (
        select(Practitioner)
        .where(Practitioner.workspace_id == workspace_id, Practitioner.user_id == user_id)
        .with_for_update()
    )
    found = session.scalars(query).one_or_none()
    if found is not None:
        return found
    try:
        with session.begin_nested():
            created = Practitioner(workspace_id=workspace_id, user_id=user_id, created_at=now)
            session.add(created)
        return created
    except IntegrityError:  # the person's other message created it a moment ago
        return session.scalars(query).one()


def card(
    session: Session, workspace_id: int, user_id: str, question_id: str
) -> PracticeCard | None:
    """A person's card for a question, if they ever answered it."""
    return session.scalars(
        select(PracticeCard).where(
            PracticeCard.workspace_id == workspace_id,
            PracticeCard.user_id == user_id,
            PracticeCard.question_id == question_id,
        )
    ).one_or_none()


def due_question_ids(
    session: Session, workspace_id: int, user_id: str, now: datetime, topic: str | None = None
) -> list[str]:
    """Question ids of the person's cards due at `now` (in `topic` if given), most overdue first."""
    query = select(PracticeCard.question_id).where(
        PracticeCard.workspace_id == workspace_id,
        PracticeCard.user_id == user_id,
        PracticeCard.due_at <= now,
    )
    if topic is not None:
        query = query.where(PracticeCard.topic == topic)
    return list(session.scalars(query.order_by(PracticeCard.due_at, PracticeCard.id)))


def seen_question_ids(session: Session, workspace_id: int, user_id: str) -> set[str]:
    """Every question the person has a card for."""
    return set(
        session.scalars(
            select(PracticeCard.question_id).where(
                PracticeCard.workspace_id == workspace_id, PracticeCard.user_id == user_id
            )
        )
    )


@dataclass(frozen=True, slots=True)
class CardRow:
    """What statistics need of one card."""

    question_id: str
    topic: str
    last_score: int | None
    reviews: int
    due_at: datetime


def cards(session: Session, workspace_id: int, user_id: str) -> list[CardRow]:
    """The person's cards, soonest due first."""
    rows = session.execute(
        select(
            PracticeCard.question_id,
            PracticeCard.topic,
            PracticeCard.last_score,
            PracticeCard.reviews,
            PracticeCard.due_at,
        )
        .where(PracticeCard.workspace_id == workspace_id, PracticeCard.user_id == user_id)
        .order_by(PracticeCard.due_at, PracticeCard.id)
    ).all()
    return [CardRow(q, t, s, n, d) for q, t, s, n, d in rows]


def review_totals(session: Session, workspace_id: int, user_id: str) -> tuple[int, float | None]:
    """How many practice answers the person gave, and their average score."""
    count, average = session.execute(
        select(func.count(PracticeReview.id), func.avg(PracticeReview.score))
        .join(PracticeCard, PracticeReview.card_id == PracticeCard.id)
        .where(PracticeCard.workspace_id == workspace_id, PracticeCard.user_id == user_id)
    ).one()
    return int(count or 0), float(average) if average is not None else None


# --- nudges ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reminded:
    """A person who asked for the daily nudge, with how many cards are due for them now."""

    workspace_id: int
    team_id: str
    user_id: str
    timezone: str | None
    due: int


def reminded(session: Session, now: datetime) -> list[Reminded]:
    """Everyone with `remind on` in an installed workspace, with their due card count."""
    due = (
        select(func.count(PracticeCard.id))
        .where(
            PracticeCard.workspace_id == Practitioner.workspace_id,
            PracticeCard.user_id == Practitioner.user_id,
            PracticeCard.due_at <= now,
        )
        .correlate(Practitioner)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Practitioner.workspace_id,
            Workspace.team_id,
            Practitioner.user_id,
            Practitioner.timezone,
            due,
        )
        .join(Workspace, Practitioner.workspace_id == Workspace.id)
        .where(Practitioner.remind.is_(True), Workspace.uninstalled_at.is_(None))
        .order_by(Practitioner.id)
    ).all()
    return [Reminded(w, t, u, tz, int(n or 0)) for w, t, u, tz, n in rows]


def claim_nudge(
    session: Session, workspace_id: int, user_id: str, day: date, now: datetime, lease: timedelta
) -> int | None:
    """Claim the person's nudge for local date `day`; its id, or None if already claimed."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    statement = (
        insert(Delivery)
        .values(
            kind="nudge",
            workspace_id=workspace_id,
            target=user_id,
            period=day,
            status="pending",
            attempts=0,
            next_attempt_at=now + lease,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["kind", "workspace_id", "target", "period"])
        .returning(Delivery.id)
    )
    row = session.execute(statement).first()
    return int(row[0]) if row is not None else None


@dataclass(frozen=True, slots=True)
class PendingNudge:
    """A claimed nudge not yet delivered (its claimer crashed or Slack failed)."""

    id: int
    team_id: str
    user_id: str
    period: date


def pending_nudges(session: Session, now: datetime) -> list[PendingNudge]:
    """Nudges waiting for a (re)try whose lease or backoff has run out."""
    rows = session.execute(
        select(Delivery.id, Workspace.team_id, Delivery.target, Delivery.period)
        .join(Workspace, Delivery.workspace_id == Workspace.id)
        .where(
            Delivery.kind == "nudge",
            Delivery.status == "pending",
            (Delivery.next_attempt_at.is_(None)) | (Delivery.next_attempt_at <= now),
        )
        .order_by(Delivery.id)
    ).all()
    return [PendingNudge(i, t, u, p) for i, t, u, p in rows]


def take_nudge(session: Session, delivery_id: int, now: datetime, lease: timedelta) -> bool:
    """Lease a pending nudge to this process; False if another process holds it."""
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status == "pending",
            (Delivery.next_attempt_at.is_(None)) | (Delivery.next_attempt_at <= now),
        )
        .values(next_attempt_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def timezone_of(session: Session, team_id: str, user_id: str) -> str | None:
    """The zone remembered for a person, if any."""
    return session.scalar(
        select(Practitioner.timezone)
        .join(Workspace, Practitioner.workspace_id == Workspace.id)
        .where(Workspace.team_id == team_id, Practitioner.user_id == user_id)
    )
