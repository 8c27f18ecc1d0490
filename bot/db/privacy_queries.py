"""Privacy queries (SPEC §4.5): one person's data in a workspace, and a workspace's lifecycle.

Like every query module, these take a session first and never commit. Deletions use
`DELETE … RETURNING` so the counts reported to the person are exactly what was removed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Executable, Select, Text, cast, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import slack_tables
from bot.db.models import (
    AcceptedWording,
    Answer,
    Appeal,
    Channel,
    ChannelAdmin,
    Delivery,
    InboxEvent,
    PracticeCard,
    PracticeReview,
    Practitioner,
    Workspace,
)
from bot.domain.privacy import PersonalData


def workspace_id(session: Session, team_id: str) -> int | None:
    """The primary key of a team's workspace row, if the bot has one."""
    return session.scalar(select(Workspace.id).where(Workspace.team_id == team_id))


def _answer_ids(ws: int, user_id: str) -> Select[int]:
    return select(Answer.id).where(Answer.workspace_id == ws, Answer.user_id == user_id)


def _appeal_ids(ws: int, user_id: str) -> Select[int]:
    return select(Appeal.id).where(Appeal.answer_id.in_(_answer_ids(ws, user_id)))


def _card_ids(ws: int, user_id: str) -> Select[int]:
    return select(PracticeCard.id).where(
        PracticeCard.workspace_id == ws, PracticeCard.user_id == user_id
    )


def _affected(session: Session, statement: Executable) -> int:
    """Run a DELETE/UPDATE … RETURNING and count the rows it touched."""
    return len(session.execute(statement, execution_options={"synchronize_session": False}).all())


def _count(session: Session, query: Select[int]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def _admin_channels(session: Session, ws: int, user_id: str) -> tuple[str, ...]:
    return tuple(
        session.scalars(
            select(Channel.channel_id)
            .join(ChannelAdmin, ChannelAdmin.channel_pk == Channel.id)
            .where(Channel.workspace_id == ws, ChannelAdmin.user_id == user_id)
            .order_by(Channel.channel_id)
        )
    )


def _wordings(ws: int, user_id: str) -> Select[int]:
    return select(AcceptedWording.id).where(
        AcceptedWording.workspace_id == ws, AcceptedWording.appeal_id.in_(_appeal_ids(ws, user_id))
    )


def _decisions(ws: int, user_id: str) -> Select[int]:
    return select(Appeal.id).where(
        Appeal.decided_by == user_id,
        Appeal.answer_id.in_(select(Answer.id).where(Answer.workspace_id == ws)),
    )


def _nudges(ws: int, user_id: str) -> Select[int]:
    return select(Delivery.id).where(
        Delivery.workspace_id == ws, Delivery.kind == "nudge", Delivery.target == user_id
    )


def personal_data(session: Session, ws: int, user_id: str) -> PersonalData:
    """Count what is stored about `user_id` in workspace `ws`, without changing anything."""
    points = session.scalar(
        select(func.coalesce(func.sum(Answer.points), 0)).where(
            Answer.workspace_id == ws, Answer.user_id == user_id, Answer.deleted_at.is_(None)
        )
    )
    practitioner = session.scalar(
        select(Practitioner.id).where(
            Practitioner.workspace_id == ws, Practitioner.user_id == user_id
        )
    )
    return PersonalData(
        answers=_count(session, _answer_ids(ws, user_id)),
        points=int(points or 0),
        appeals=_count(session, _appeal_ids(ws, user_id)),
        wordings=_count(session, _wordings(ws, user_id)),
        practice_cards=_count(session, _card_ids(ws, user_id)),
        practice_reviews=_count(
            session,
            select(PracticeReview.id).where(PracticeReview.card_id.in_(_card_ids(ws, user_id))),
        ),
        practice_profile=practitioner is not None,
        reminders=_count(session, _nudges(ws, user_id)),
        decisions=_count(session, _decisions(ws, user_id)),
        admin_channels=_admin_channels(session, ws, user_id),
    )


def delete_personal_data(session: Session, ws: int, user_id: str) -> PersonalData:
    """Delete `user_id`'s answers, appeals, accepted wordings and practice in workspace `ws`.

    Answers take their messages and appeals with them, cards their reviews (ON DELETE CASCADE).
    Wordings accepted from their appeals are their own words, so they go too. Appeals they
    decided as an admin stay (the answerer's history) but no longer name them. Channel admin
    roles stay: they are a responsibility, not history. Returns what was deleted.
    """
    before = personal_data(session, ws, user_id)
    wordings = _affected(
        session,
        delete(AcceptedWording)
        .where(AcceptedWording.id.in_(_wordings(ws, user_id)))
        .returning(AcceptedWording.id),
    )
    decisions = _affected(
        session,
        update(Appeal)
        .where(Appeal.id.in_(_decisions(ws, user_id)))
        .values(decided_by=None)
        .returning(Appeal.id),
    )
    appeals = _count(session, _appeal_ids(ws, user_id))
    answers = _affected(
        session,
        delete(Answer)
        .where(Answer.workspace_id == ws, Answer.user_id == user_id)
        .returning(Answer.id),
    )
    reviews = _count(
        session,
        select(PracticeReview.id).where(PracticeReview.card_id.in_(_card_ids(ws, user_id))),
    )
    cards = _affected(
        session,
        delete(PracticeCard)
        .where(PracticeCard.workspace_id == ws, PracticeCard.user_id == user_id)
        .returning(PracticeCard.id),
    )
    profile = _affected(
        session,
        delete(Practitioner)
        .where(Practitioner.workspace_id == ws, Practitioner.user_id == user_id)
        .returning(Practitioner.id),
    )
    reminders = _affected(
        session,
        delete(Delivery).where(Delivery.id.in_(_nudges(ws, user_id))).returning(Delivery.id),
    )
    # Handled Slack requests are kept a day (their bodies hold answer texts): those naming the
    # person go now. Unhandled ones stay: they may be someone else's answer still to be stored.
    session.execute(
        delete(InboxEvent).where(
            InboxEvent.handled_at.is_not(None),
            cast(InboxEvent.payload, Text).contains(f'"{user_id}"', autoescape=True),
        )
    )
    return PersonalData(
        answers=answers,
        points=before.points if answers else 0,
        appeals=appeals,
        wordings=wordings,
        practice_cards=cards,
        practice_reviews=reviews,
        practice_profile=bool(profile),
        reminders=reminders,
        decisions=decisions,
        admin_channels=before.admin_channels,
    )


def mark_uninstalled(session: Session, team_id: str, now: datetime) -> bool:
    """Start the 30-day countdown for a team's data; False when already counting (or unknown)."""
    result = session.execute(
        update(Workspace)
        .where(Workspace.team_id == team_id, Workspace.uninstalled_at.is_(None))
        .values(uninstalled_at=now)
        .returning(Workspace.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


def delete_tokens(session: Session, team_id: str) -> int:
    """Delete every stored OAuth token of a team (slack_sdk's bot and installation rows)."""
    removed = 0
    for table in (slack_tables.bots, slack_tables.installations):
        result = session.execute(
            delete(table).where(table.c.team_id == team_id).returning(table.c.id)
        )
        removed += len(result.all())
    return removed


def mark_installed(
    session: Session,
    team_id: str,
    now: datetime,
    *,
    enterprise_id: str | None = None,
    bot_user_id: str | None = None,
) -> Workspace:
    """A (re)install: the team's workspace row exists and its data is no longer due for deletion."""
    found = session.scalars(select(Workspace).where(Workspace.team_id == team_id)).one_or_none()
    if found is None:
        try:
            with session.begin_nested():
                found = Workspace(team_id=team_id, created_at=now)
                session.add(found)
        except IntegrityError:  # created by a concurrent request a moment ago
            found = session.scalars(select(Workspace).where(Workspace.team_id == team_id)).one()
    found.uninstalled_at = None
    if enterprise_id is not None:
        found.enterprise_id = enterprise_id
    if bot_user_id is not None:
        found.bot_user_id = bot_user_id
    return found


def purge_uninstalled(session: Session, cutoff: datetime) -> list[str]:
    """Delete the workspaces uninstalled at or before `cutoff` with all their data.

    Everything of a workspace hangs off its row (ON DELETE CASCADE), except slack_sdk's token
    tables, keyed by team id. The condition is re-checked in the DELETE itself, so a reinstall
    committed a moment earlier always wins.
    """
    purged = list(
        session.scalars(
            delete(Workspace)
            .where(Workspace.uninstalled_at.is_not(None), Workspace.uninstalled_at <= cutoff)
            .returning(Workspace.team_id)
            .execution_options(synchronize_session=False)
        )
    )
    for team_id in purged:
        delete_tokens(session, team_id)
    return sorted(purged)
