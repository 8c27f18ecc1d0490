"""Queries of the durable inbox (InboxEvent): record, lease, mark handled, prune. Never commit."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.db.models import InboxEvent, ProcessedEvent


@dataclass(frozen=True, slots=True)
class Taken:
    """An inbox entry this caller now holds the lease of, to replay."""

    key: str
    payload: dict[str, Any]
    attempts: int


def record(
    session: Session, key: str, payload: dict[str, Any], now: datetime, lease_until: datetime
) -> bool:
    """Write a request down; False if it already was (a Slack retry), which changes nothing."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    statement = (
        insert(InboxEvent)
        .values(key=key, payload=payload, received_at=now, lease_until=lease_until, attempts=0)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(InboxEvent.key)
    )
    return session.execute(statement).first() is not None


def mark_handled(session: Session, keys: Collection[str], now: datetime) -> None:
    """Their listeners finished: nothing left to replay."""
    session.execute(
        update(InboxEvent)
        .where(InboxEvent.key.in_(keys), InboxEvent.handled_at.is_(None))
        .values(handled_at=now)
    )


def renew(session: Session, keys: Collection[str], lease_until: datetime) -> None:
    """Extend the leases of entries a live process is still working on."""
    if keys:
        session.execute(
            update(InboxEvent)
            .where(InboxEvent.key.in_(keys), InboxEvent.handled_at.is_(None))
            .values(lease_until=lease_until)
        )


def due_keys(session: Session, now: datetime, limit: int) -> list[str]:
    """Unhandled entries whose lease ran out (their process died or their listener failed)."""
    return list(
        session.scalars(
            select(InboxEvent.key)
            .where(InboxEvent.handled_at.is_(None), InboxEvent.lease_until < now)
            .order_by(InboxEvent.received_at)
            .limit(limit)
        )
    )


def take(session: Session, key: str, now: datetime, lease_until: datetime) -> Taken | None:
    """Lease a due entry and count the attempt; None if another process took it first."""
    row = session.execute(
        update(InboxEvent)
        .where(InboxEvent.key == key, InboxEvent.handled_at.is_(None), InboxEvent.lease_until < now)
        .values(lease_until=lease_until, attempts=InboxEvent.attempts + 1)
        .returning(InboxEvent.payload, InboxEvent.attempts)
    ).first()
    return None if row is None else Taken(key, row.payload, row.attempts)


def release_claim(session: Session, event_id: str) -> None:
    """Forget that an event id was processed, so its use case runs in full when replayed."""
    session.execute(delete(ProcessedEvent).where(ProcessedEvent.event_id == event_id))


def forget_handled_before(session: Session, cutoff: datetime) -> int:
    """Drop entries handled (or given up) before `cutoff`; return how many."""
    result = session.execute(delete(InboxEvent).where(InboxEvent.handled_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
