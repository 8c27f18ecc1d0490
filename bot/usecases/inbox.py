"""The durable inbox (SPEC §6.5): Slack requests are written down before they are acknowledged.

Bolt acknowledges an event before its listener runs, so a crash in between would lose an
acknowledged answer. Each such request is recorded in one short transaction before the ack (if the
database cannot take it, Slack gets a 503 and retries), marked handled when its listener finishes,
and replayed through the same listeners when it was left unfinished: its lease (renewed by the live
process working on it) ran out because the process died or the listener failed.

For answers, a replay first forgets the event's processed-id claim, so the use case runs in full
again: storage is idempotent by unique keys (one answer per person and post, one row per Slack
message), and the answer is graded and its feedback sent even if the crash came after the claim
committed. Use cases that do all their work in the claim's transaction (uninstall) keep their
claim, so a replay of one that finished changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.db import inbox_queries
from bot.deps import Deps

log = logging.getLogger(__name__)

# How long an entry is left to its process before another may replay it. A live process renews
# the leases of its unfinished entries well before they end (every REPLAY_EVERY).
LEASE = timedelta(seconds=30)
# A request that still fails after this many replays is logged and given up.
MAX_REPLAYS = 5
# Entries replayed per run; the next run takes the rest.
BATCH = 200

Dispatch = Callable[[dict[str, Any]], bool]


@dataclass
class ReplayReport:
    """What one replay run did (for logs and tests)."""

    replayed: list[str] = field(default_factory=list)
    given_up: list[str] = field(default_factory=list)


class Recorded(Enum):
    """What writing a request down found."""

    NEW = "new"  # written down: run its listener
    SEEN = "seen"  # a Slack retry of a request already written down: the inbox finishes it
    FAILED = "failed"  # the database could not take it: do not acknowledge


def record(deps: Deps, key: str, payload: dict[str, Any]) -> Recorded:
    """Write a request down before it is acknowledged."""
    now = deps.clock.now()
    try:
        with deps.session_factory.begin() as s:
            new = inbox_queries.record(s, key, payload, now, now + LEASE)
    except SQLAlchemyError as exc:
        # Not acknowledging is safe: Slack retries at once, then after 1 and 5 minutes.
        log.warning("could not record Slack request %s, asking Slack to retry: %s", key, exc)
        return Recorded.FAILED
    return Recorded.NEW if new else Recorded.SEEN


def mark_handled(deps: Deps, keys: Collection[str]) -> None:
    """These requests' listeners finished: they will not be replayed."""
    try:
        with deps.session_factory.begin() as s:
            inbox_queries.mark_handled(s, keys, deps.clock.now())
    except SQLAlchemyError as exc:
        # Harmless: the replay finds the work done (claims and unique keys) or finishes it.
        log.warning("could not mark %d Slack requests handled; replays will: %s", len(keys), exc)


def replay_due(
    deps: Deps,
    dispatch: Dispatch,
    in_flight: Collection[str],
    rerun: Callable[[dict[str, Any]], bool],
) -> ReplayReport:
    """Renew the leases of this process's unfinished requests, then replay abandoned ones.

    `dispatch` hands a payload to the listeners again (True if they accepted it); `in_flight`
    are the keys this process is still working on; `rerun(payload)` says whether the payload's
    use case works after its claim commits (then the claim is released for the replay).
    """
    now = deps.clock.now()
    report = ReplayReport()
    with deps.session_factory.begin() as s:
        inbox_queries.renew(s, in_flight, now + LEASE)
    with deps.session_factory() as s:
        due = [k for k in inbox_queries.due_keys(s, now, BATCH) if k not in in_flight]
    for key in due:
        with deps.session_factory.begin() as s:
            taken = inbox_queries.take(s, key, now, now + LEASE)
            if taken is None:
                continue  # another process took it first
            if taken.attempts > MAX_REPLAYS:
                inbox_queries.mark_handled(s, [key], now)
            elif rerun(taken.payload):
                inbox_queries.release_claim(s, key)
        if taken.attempts > MAX_REPLAYS:
            log.error("gave up on Slack request %s after %d replays", key, MAX_REPLAYS)
            report.given_up.append(key)
            continue
        log.warning("replaying Slack request %s (attempt %d)", key, taken.attempts)
        if not dispatch(taken.payload):
            log.warning("replay of Slack request %s was not accepted; will try again", key)
        report.replayed.append(key)
    return report
