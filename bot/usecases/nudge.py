"""The daily practice nudge (SPEC §4.4): at 09:00 local, once a day, when questions are due.

Exactly-once like the channel posts: the nudge claims its (person, local date) row in
`deliveries` before it is sent; the claimer holds a lease while it talks to Slack, a failed send
is retried with backoff by whichever clock ticks next, and nothing is sent after the window.
"""

from __future__ import annotations

import logging
from datetime import datetime, time

from bot.db import practice_queries as pq
from bot.db.models import Delivery
from bot.deps import Deps
from bot.domain.schedule import GRACE, zone
from bot.slack import practice_blocks
from bot.slack.gateway import SlackError
from bot.usecases.ask import LEASE, RETRY_BASE, RETRY_MAX

log = logging.getLogger(__name__)

NUDGE_AT = time(9, 0)


def in_window(now: datetime, tz: str | None) -> bool:
    """Whether it is between 09:00 and 09:00 + the catch-up grace in the person's zone."""
    local = now.astimezone(zone(tz))
    start = datetime.combine(local.date(), NUDGE_AT, tzinfo=local.tzinfo)
    return start <= local < start + GRACE


def send_due(deps: Deps) -> list[str]:
    """Nudge everyone whose 09:00 has come and who has questions due; return who was nudged."""
    now = deps.clock.now()
    with deps.session_factory() as s:
        people = [p for p in pq.reminded(s, now) if p.due and in_window(now, p.timezone)]
    nudged: list[str] = []
    for person in people:
        day = now.astimezone(zone(person.timezone)).date()
        with deps.session_factory.begin() as s:
            claim = pq.claim_nudge(s, person.workspace_id, person.user_id, day, now, LEASE)
        if claim is not None and _deliver(deps, claim, person.team_id, person.user_id, person.due):
            nudged.append(person.user_id)
    nudged += _retry(deps, now)
    return nudged


def _deliver(deps: Deps, delivery_id: int, team_id: str, user_id: str, due: int) -> bool:
    """Send a claimed nudge and record the outcome."""
    message = practice_blocks.nudge(due)
    try:
        deps.slack(team_id).post_message(user_id, message.text, message.blocks)
    except SlackError as exc:
        log.warning("practice nudge to %s failed: %s", user_id, exc.code)
        _record(deps, delivery_id, error=exc.code)
        return False
    _record(deps, delivery_id, error=None)
    return True


def _record(deps: Deps, delivery_id: int, *, error: str | None) -> None:
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        delivery = s.get(Delivery, delivery_id)
        assert delivery is not None
        delivery.attempts += 1
        delivery.last_error = error
        if error is None:
            delivery.status = "sent"
            delivery.sent_at = now
            delivery.next_attempt_at = None
        else:
            delay = min(RETRY_BASE * 2 ** (delivery.attempts - 1), RETRY_MAX)
            delivery.next_attempt_at = now + delay


def _retry(deps: Deps, now: datetime) -> list[str]:
    """Claimed nudges left unsent (a crash, a Slack failure): retry within the day's window."""
    with deps.session_factory() as s:
        pending = pq.pending_nudges(s, now)
        people = {(p.team_id, p.user_id): p for p in pq.reminded(s, now)}
    sent: list[str] = []
    for nudge in pending:
        person = people.get((nudge.team_id, nudge.user_id))
        stale = (
            person is None
            or not person.due
            or now.astimezone(zone(person.timezone)).date() != nudge.period
            or not in_window(now, person.timezone)
        )
        with deps.session_factory.begin() as s:
            if not pq.take_nudge(s, nudge.id, now, LEASE):
                continue  # another clock holds it
            if stale:
                delivery = s.get(Delivery, nudge.id)
                assert delivery is not None
                delivery.status = "skipped"
                delivery.next_attempt_at = None
                continue
        assert person is not None
        if _deliver(deps, nudge.id, nudge.team_id, nudge.user_id, person.due):
            sent.append(nudge.user_id)
    return sent
